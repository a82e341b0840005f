import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XmlDocument } from 'libxml2-wasm';
import { ROOT } from './test-hub.js';

export const FIXTURES = path.join(ROOT, 'fixtures');

/** Who sends each format in the demo config. */
export const SENDER: Record<string, string> = { 'ubl-order': 'acme', 'ubl-invoice': 'globex', 'ubl-despatch-advice': 'globex', 'hub-po': 'initech', 'ubl-credit-note': 'globex', 'ubl-order-change': 'acme', 'ubl-order-cancellation': 'acme' };

export interface Fixture {
  format: string;
  name: string;
  file: string;
  bytes: Buffer;
  partner: string;
}

/** Every golden fixture (an XML with its expected canonical JSON) of the given formats. */
export function goldenFixtures(formats = Object.keys(SENDER)): Fixture[] {
  const out: Fixture[] = [];
  for (const format of formats) {
    const dir = path.join(FIXTURES, format);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml')).sort()) {
      const file = path.join(dir, name);
      if (!existsSync(file.replace(/\.xml$/, '.expected.json'))) continue;
      out.push({ format, name, file, bytes: readFileSync(file), partner: SENDER[format]! });
    }
  }
  return out;
}

const NS = {
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  po: 'urn:b2b-hub:purchase-order:1.0',
};

/**
 * What the source document itself says, read with XPath independently of the mapping files: its number of
 * lines and its total (payable amount; total shipped quantity for despatch advices).
 */
export function sourceFacts(fixture: Fixture): { lines: number; total: number } {
  const doc = XmlDocument.fromBuffer(fixture.bytes);
  try {
    const num = (xpath: string) => Number(doc.eval(`number(${xpath})`, NS));
    switch (fixture.format) {
      case 'ubl-order':
        return { lines: num('count(/*/cac:OrderLine)'), total: num('/*/cac:AnticipatedMonetaryTotal/cbc:PayableAmount') };
      case 'ubl-invoice':
        return { lines: num('count(/*/cac:InvoiceLine)'), total: num('/*/cac:LegalMonetaryTotal/cbc:PayableAmount') };
      case 'ubl-despatch-advice':
        return { lines: num('count(/*/cac:DespatchLine)'), total: num('sum(/*/cac:DespatchLine/cbc:DeliveredQuantity)') };
      case 'hub-po':
        return { lines: num('count(/po:PurchaseOrder/po:Lines/po:Line)'), total: num('/po:PurchaseOrder/po:Totals/po:GrandTotal') };
      case 'ubl-credit-note':
        return { lines: num('count(/*/cac:CreditNoteLine)'), total: num('/*/cac:LegalMonetaryTotal/cbc:PayableAmount') };
      case 'ubl-order-change':
        return { lines: num('count(/*/cac:OrderLine)'), total: num('/*/cac:AnticipatedMonetaryTotal/cbc:PayableAmount') };
      case 'ubl-order-cancellation':
        // A cancellation cancels the whole order: no lines, no total.
        return { lines: 0, total: NaN };
      default:
        throw new Error(`no source facts for ${fixture.format}`);
    }
  } finally {
    doc.dispose();
  }
}

/** The document number a fixture's expected canonical document carries. */
export function expectedOf(fixture: Fixture): any {
  return JSON.parse(readFileSync(fixture.file.replace(/\.xml$/, '.expected.json'), 'utf8'));
}

/**
 * Real examples reuse document numbers (several PEPPOL invoices are all "Snippet1"), and one partner sending
 * the same type and number twice is a duplicate by design. This splits fixtures into rounds in which every
 * (partner, type, number) occurs once, so each round can go to a fresh hub and every fixture is accepted.
 */
export function roundsWithoutDuplicates(fixtures: Fixture[]): Fixture[][] {
  const rounds: Fixture[][] = [];
  const seen = new Map<string, number>();
  for (const fixture of fixtures) {
    const expected = expectedOf(fixture);
    const key = `${fixture.partner}|${expected.type}|${expected.documentNumber}`;
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(fixture);
  }
  return rounds;
}
