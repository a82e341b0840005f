import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { XmlDocument } from 'libxml2-wasm';
import type { Order } from '../../../src/canonical/types.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { projectRoot } from '../../../src/mapping/paths.js';
import { diffJson, loadMappings, type MappingRegistry } from '../../../src/mapping/registry.js';
import { XsdCache } from '../../../src/xml/xsd-cache.js';

/** Who posts each format in the golden fixtures (fixed demo partners). */
const PARTNER_OF: Record<string, string> = {
  'ubl-order': 'acme',
  'ubl-invoice': 'globex',
  'ubl-despatch-advice': 'globex',
  'hub-po': 'initech',
  'ubl-credit-note': 'globex',
  'ubl-order-change': 'acme',
  'ubl-order-cancellation': 'acme',
};
const root = projectRoot();
const fixturesDir = path.join(root, 'fixtures');

function cases(format: string): string[] {
  return readdirSync(path.join(fixturesDir, format)).filter((n) => n.endsWith('.xml')).sort();
}

describe('golden mapping fixtures', function () {
  let registry: MappingRegistry;
  const xsd = new XsdCache();

  before(async function () {
    this.timeout(20000);
    registry = await loadMappings({ mappingsDir: path.join(root, 'mappings') });
    xsd.compile(registry.formats.filter((f) => f.syntax === 'xml').map((f) => f.schemaPath));
  });
  after(() => xsd.dispose());

  it('loads every mapping file of mappings/', () => {
    const files = readdirSync(path.join(root, 'mappings')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(registry.formats.map((f) => f.name).sort()).to.deep.equal(files.sort());
    for (const format of Object.keys(PARTNER_OF)) expect(files, format).to.include(format);
  });

  for (const [format, partner] of Object.entries(PARTNER_OF)) {
    describe(format, () => {
      it('has fixtures, each with an expected result', () => {
        const names = cases(format);
        expect(names.length).to.be.greaterThan(0);
        for (const name of names) {
          const base = path.join(fixturesDir, format, name.replace(/\.xml$/, ''));
          expect(existsSync(`${base}.expected.json`) || existsSync(`${base}.expected-error.json`), `${name} has no expected file`).to.equal(true);
        }
      });

      for (const name of cases(format)) {
        const file = path.join(fixturesDir, format, name);
        const expectedFile = file.replace(/\.xml$/, '.expected.json');
        const errorFile = file.replace(/\.xml$/, '.expected-error.json');

        it(`${name} is valid against its XSD and has its document number where the format says`, () => {
          const definition = registry.get(format)!;
          const doc = XmlDocument.fromBuffer(readFileSync(file));
          try {
            xsd.validate(definition.schemaPath, doc, name);
            const number = doc.get(definition.documentNumberXPath, definition.namespaces)?.content.trim();
            expect(number).to.be.a('string').and.not.equal('');
            if (existsSync(expectedFile)) expect(number).to.equal((JSON.parse(readFileSync(expectedFile, 'utf8')) as Order).documentNumber);
          } finally {
            doc.dispose();
          }
        });

        if (existsSync(expectedFile)) {
          it(`${name} maps to ${path.basename(expectedFile)}`, async () => {
            const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as unknown;
            const actual = await registry.map(format, readFileSync(file, 'utf8'), { partner });
            const diff = diffJson(expected, actual);
            expect(diff, `${name} differs from ${path.basename(expectedFile)}:\n  ${diff.join('\n  ')}`).to.deep.equal([]);
          });
        } else {
          it(`${name} fails as ${path.basename(errorFile)} says`, async () => {
            const expected = JSON.parse(readFileSync(errorFile, 'utf8')) as { code: string; field: string };
            const error = await registry.map(format, readFileSync(file, 'utf8'), { partner }).then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(error).to.be.instanceOf(HubError);
            expect((error as HubError).code).to.equal(expected.code);
            expect((error as HubError).details.field).to.equal(expected.field);
          });
        }
      }
    });
  }

  it('the real negative cases in fixtures/invalid fail the UBL Invoice XSD', () => {
    const names = readdirSync(path.join(fixturesDir, 'invalid')).filter((n) => n.endsWith('.xml'));
    expect(names).to.have.length(2);
    for (const name of names) {
      const doc = XmlDocument.fromBuffer(readFileSync(path.join(fixturesDir, 'invalid', name)));
      try {
        expect(() => xsd.validate(registry.get('ubl-invoice')!.schemaPath, doc, name)).to.throw(HubError, /AdditionalDocumentReference/);
      } finally {
        doc.dispose();
      }
    }
  });

  it('the hub PO carrying PEPPOL order UC5 reaches the same canonical lines as the UBL order', async () => {
    const ubl = (await registry.map('ubl-order', readFileSync(path.join(fixturesDir, 'ubl-order', 'peppol-order-uc5.xml'), 'utf8'), { partner: 'acme' })) as Order;
    const hub = (await registry.map('hub-po', readFileSync(path.join(fixturesDir, 'hub-po', 'initech-waste-bags.xml'), 'utf8'), { partner: 'initech' })) as Order;
    const core = (o: Order) => o.lines.map(({ lineNumber, sku, quantity, unitCode, price, lineAmount, requestedDeliveryDate }) => ({ lineNumber, sku, quantity, unitCode, price, lineAmount, requestedDeliveryDate }));
    expect(core(hub)).to.deep.equal(core(ubl));
    expect(core(hub).map((l) => l.sku)).to.deep.equal(['SKU-10010', 'SKU-10011', 'SKU-10012']);
    expect(hub.totals).to.deep.equal(ubl.totals);
    expect(hub.buyer.internalId).to.equal('CUST-INITECH');
    expect(ubl.buyer.internalId).to.equal('CUST-ACME');
  });
});
