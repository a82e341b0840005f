import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../../helpers/test-hub.js';

/**
 * The demo partners the cXML fixtures are sent by, as they would stand in config/hub.yaml (proposed to the lead;
 * until config/hub.yaml has them, the cXML tests add them to their own copy of the demo config).
 */
export const CXML_PARTNERS = {
  'cxml-customer': {
    name: 'cXML customers (Ariba and Coupa OrderRequest)',
    formats: ['cxml-order-request'],
    partyIds: ['inbound@prominate-platform.com', 'kasdflkjasdf', 'dell', 'AN00000123'],
  },
  'cxml-supplier': {
    name: 'cXML suppliers (ShipNoticeRequest and InvoiceDetailRequest)',
    formats: ['cxml-ship-notice', 'cxml-invoice-detail'],
    partyIds: ['AN00000123', 'supplierid', 'SupplierID', 'supplier-test', 'Kyle'],
  },
} as const;

/** Who sends each cXML format. */
export const CXML_SENDER: Record<string, string> = { 'cxml-order-request': 'cxml-customer', 'cxml-ship-notice': 'cxml-supplier', 'cxml-invoice-detail': 'cxml-supplier' };

/** Adds the cXML partners to a raw (parsed YAML) demo config, for startTestHub's configure or a config file of its own. */
export function withCxmlPartners(raw: any): any {
  for (const [id, partner] of Object.entries(CXML_PARTNERS)) raw.partners[id] ??= { ...partner, formats: [...partner.formats], partyIds: [...partner.partyIds] };
  return raw;
}

/** The three cXML mapping files. */
export const CXML_FORMATS = ['cxml-order-request', 'cxml-ship-notice', 'cxml-invoice-detail'] as const;

/**
 * A mappings folder of its own holding only the cXML mapping files (their relative paths made absolute), so the
 * cXML tests load them alone, whatever else mappings/ holds. The caller removes the folder.
 */
export function cxmlMappingsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-cxml-mappings-'));
  for (const name of CXML_FORMATS) {
    const text = readFileSync(path.join(ROOT, 'mappings', `${name}.yaml`), 'utf8').replaceAll('../', `${ROOT}/`);
    writeFileSync(path.join(dir, `${name}.yaml`), text);
  }
  return dir;
}
