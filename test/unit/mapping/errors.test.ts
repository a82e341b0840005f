import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { HubError } from '../../../src/errors/hub-error.js';
import { projectRoot } from '../../../src/mapping/paths.js';
import { loadMappings, type MappingRegistry } from '../../../src/mapping/registry.js';

const root = projectRoot();
const orderXml = readFileSync(path.join(root, 'fixtures', 'ubl-order', 'ubl-order-2.1-example.xml'), 'utf8');
const hubPoXml = readFileSync(path.join(root, 'fixtures', 'hub-po', 'initech-minimal.xml'), 'utf8');

async function rejection(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a HubError').to.be.instanceOf(HubError);
  return error as HubError;
}

/** A temporary mappings folder holding one mapping for the hub PO (canonical tree given), using the real XSD and tables. */
function tempMapping(canonical: string, extra = ''): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-mapping-'));
  const xref = path.join(root, 'config', 'xref');
  writeFileSync(
    path.join(dir, 'test-po.yaml'),
    `format: test-po
documentType: Order
detect: { root: PurchaseOrder, namespace: "urn:b2b-hub:purchase-order:1.0" }
schema: ${path.join(root, 'schemas', 'hub', 'hub-purchase-order-1.0.xsd')}
documentNumber: { xpath: /po:PurchaseOrder/po:Header/po:PONumber, namespaces: { po: "urn:b2b-hub:purchase-order:1.0" } }
sender: { party: buyer, xpath: /po:PurchaseOrder/po:Header/po:Buyer/po:Id }
lookups:
  items: ${path.join(xref, 'items.csv')}
  units: ${path.join(xref, 'units.yaml')}
${extra}
canonical:
${canonical}
businessKeys: { documentNumber: documentNumber, buyerId: buyer.internalId }
`,
  );
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const VALID_TREE = `  documentNumber: $text(Header.PONumber)
  issueDate: $date(Header.OrderDate)
  buyer: { internalId: "'CUST-X'", partyIds: $ids(Header.Buyer.Id) }
  seller: { internalId: "'SELF'", partyIds: $ids(Header.Seller.Id) }
  lines:
    each: Lines.Line
    fields:
      lineNumber: $text(LineNo)
      sku: $lookup('items', BuyerItemNo)
      quantity: QUANTITY
      unitCode: $lookup('units', Quantity._unit)
  totals: { payableAmount: $num(Totals.GrandTotal) }`;

describe('mapping errors', () => {
  let registry: MappingRegistry;
  before(async () => {
    registry = await loadMappings({ mappingsDir: path.join(root, 'mappings') });
  });

  describe('a failed lookup', () => {
    it('names the file, the field with its line index, the key, the table, the partner and the document', async () => {
      const xml = orderXml.replace('<cbc:ID>SItemNo011</cbc:ID>', '<cbc:ID>4711</cbc:ID>').replace('>123452340123<', '>4712<');
      const error = await rejection(registry.map('ubl-order', xml, { partner: 'acme', messageId: 'msg-1' }));
      expect(error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
      expect(error.message).to.equal(
        'mappings/ubl-order.yaml, field lines[1].sku: no entry for any of the keys "4712", "4711", "Pensel 20 mm" in lookup "items" (config/xref/items.csv) for partner acme — document 34',
      );
      expect(error.details).to.deep.equal({ file: 'mappings/ubl-order.yaml', field: 'lines[1].sku', document: '34', messageId: 'msg-1', lookup: 'items', key: ['4712', '4711', 'Pensel 20 mm'] });
      expect(error.errors).to.deep.equal([{ path: 'lines[1].sku', message: error.message.split(': ').slice(1).join(': ').replace(' — document 34', '') }]);
    });

    it('uses the document number the caller gives', async () => {
      const xml = hubPoXml.replace('<BuyerItemNo>00123</BuyerItemNo>', '<BuyerItemNo>4711</BuyerItemNo>');
      const error = await rejection(registry.map('hub-po', xml, { partner: 'initech', documentNumber: 'INI-PO-7' }));
      expect(error.message).to.equal('mappings/hub-po.yaml, field lines[0].sku: no entry for key "4711" in lookup "items" (config/xref/items.csv) for partner initech — document INI-PO-7');
      expect(error.details.key).to.equal('4711');
    });

    it('sees only the rows of the sending partner (and the shared ones)', async () => {
      // 00123 is Initech's own item number: a row scoped to initech, invisible to acme.
      const error = await rejection(registry.map('hub-po', hubPoXml, { partner: 'acme' }));
      expect(error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
      expect(error.details.field).to.equal('buyer.internalId');
      expect(error.message).to.contain('no entry for key "INITECH-US-01" in lookup "parties"').and.contain('for partner acme');
    });

    it('a unit word missing from the units table is named', async () => {
      const xml = hubPoXml.replace('unit="EA"', 'unit="BUNDLE"');
      const error = await rejection(registry.map('hub-po', xml, { partner: 'initech' }));
      expect(error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
      expect(error.details).to.include({ field: 'lines[0].unitCode', lookup: 'units', key: 'BUNDLE' });
    });
  });

  it('a value that is not a number is a mapping error naming the field', async () => {
    // Valid XML, but not what the XSD allows: map() also guards against documents that skipped validation.
    const xml = hubPoXml.replace('<UnitPrice>18.95</UnitPrice>', '<UnitPrice>18,95</UnitPrice>');
    const error = await rejection(registry.map('hub-po', xml, { partner: 'initech' }));
    expect(error.code).to.equal('HUB_ERR_MAPPING');
    expect(error.message).to.equal('mappings/hub-po.yaml, field lines[0].price: $num() got "18,95", which is not a number — document INI-PO-7');
  });

  it('an unknown format is a mapping error', async () => {
    const error = await rejection(registry.map('no-such-format', hubPoXml, { partner: 'initech' }));
    expect(error.code).to.equal('HUB_ERR_MAPPING');
    expect(error.message).to.contain('no mapping for format no-such-format');
  });

  describe('checked against the canonical schema', () => {
    it('a mapped document that breaks the schema names the path', async () => {
      const { dir, cleanup } = tempMapping(VALID_TREE.replace('QUANTITY', '$text(Quantity)'));
      try {
        const registry = await loadMappings({ mappingsDir: dir });
        const error = await rejection(registry.map('test-po', hubPoXml, { partner: 'initech' }));
        expect(error.code).to.equal('HUB_ERR_CANONICAL_INVALID');
        expect(error.errors).to.deep.equal([{ path: 'lines[0].quantity', message: 'must be number' }]);
        expect(error.message).to.match(/^test-po\.yaml|, field lines\[0\]\.quantity: must be number/);
        expect(error.message).to.contain('— document INI-PO-7');
      } finally {
        cleanup();
      }
    });

    it('a mapping that works gives the canonical document', async () => {
      const { dir, cleanup } = tempMapping(VALID_TREE.replace('QUANTITY', '$num(Quantity)'));
      try {
        const registry = await loadMappings({ mappingsDir: dir });
        const doc = await registry.map('test-po', hubPoXml, { partner: 'initech' });
        expect(doc).to.deep.equal({
          type: 'Order',
          documentNumber: 'INI-PO-7',
          issueDate: '2024-05-02',
          buyer: { internalId: 'CUST-X', partyIds: [{ id: 'INITECH-US-01' }] },
          seller: { internalId: 'SELF', partyIds: [{ id: 'V-10442' }] },
          lines: [{ lineNumber: '1', sku: 'SKU-10045', quantity: 1, unitCode: 'EA' }],
          totals: { payableAmount: 18.95 },
        });
      } finally {
        cleanup();
      }
    });
  });

  describe('at load', () => {
    async function loadError(canonical: string, extra = ''): Promise<HubError> {
      const { dir, cleanup } = tempMapping(canonical, extra);
      try {
        return await rejection(loadMappings({ mappingsDir: dir }));
      } finally {
        cleanup();
      }
    }

    it('an expression that does not compile fails with the file, the field and the YAML line', async () => {
      const error = await loadError(VALID_TREE.replace('QUANTITY', '$num(Quantity'));
      expect(error.code).to.equal('HUB_ERR_CONFIG');
      expect(error.message).to.match(/^mapping \/.*test-po\.yaml \(line 21\), field lines\[\]\.quantity: expression "\$num\(Quantity" does not compile: /);
      expect(error.details).to.include({ field: 'lines[].quantity', line: 21 });
    });

    it('a lookup the mapping does not declare fails', async () => {
      const error = await loadError(VALID_TREE.replace('QUANTITY', "$num($lookup('factors', Quantity._unit))"));
      expect(error.code).to.equal('HUB_ERR_CONFIG');
      expect(error.message).to.contain('field lines[].quantity: expression uses lookup "factors", which is not declared under lookups (declared: items, units)');
    });

    it('a misspelt function fails', async () => {
      const error = await loadError(VALID_TREE.replace('QUANTITY', '$nmu(Quantity)'));
      expect(error.message).to.contain('field lines[].quantity: expression calls $nmu(), which is neither a JSONata function nor a hub function');
    });

    it('a lookup table that does not parse fails naming the table file and line', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'hub-table-'));
      try {
        mkdirSync(path.join(dir, 'xref'));
        writeFileSync(path.join(dir, 'xref', 'bad.csv'), 'partner,key,value\nacme,A,SKU-1\nacme,A,SKU-2\n');
        const error = await loadError(VALID_TREE.replace('QUANTITY', '$num(Quantity)'), `  bad: ${path.join(dir, 'xref', 'bad.csv')}`);
        expect(error.code).to.equal('HUB_ERR_CONFIG');
        expect(error.message).to.contain('lookup "bad"').and.contain('bad.csv: line 3: duplicate key "A" for partner acme');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a missing XSD fails', async () => {
      const { dir, cleanup } = tempMapping(VALID_TREE.replace('QUANTITY', '$num(Quantity)'));
      try {
        const file = path.join(dir, 'test-po.yaml');
        writeFileSync(file, readFileSync(file, 'utf8').replace('hub-purchase-order-1.0.xsd', 'nope.xsd'));
        const error = await rejection(loadMappings({ mappingsDir: dir }));
        expect(error.message).to.match(/test-po\.yaml \(line 4\): schema .*nope\.xsd does not exist/);
      } finally {
        cleanup();
      }
    });

    it('a mapping without businessKeys, or without the document number among them, is refused', async () => {
      const { dir, cleanup } = tempMapping(VALID_TREE.replace('QUANTITY', '$num(Quantity)'));
      try {
        const file = path.join(dir, 'test-po.yaml');
        const text = readFileSync(file, 'utf8');
        writeFileSync(file, text.replace(/^businessKeys:.*$/m, ''));
        expect((await rejection(loadMappings({ mappingsDir: dir }))).message).to.match(/test-po\.yaml: businessKeys is missing/);
        writeFileSync(file, text.replace(/^businessKeys:.*$/m, 'businessKeys: { buyerId: buyer.internalId }'));
        expect((await rejection(loadMappings({ mappingsDir: dir }))).message).to.match(/businessKeys\.documentNumber is missing/);
        writeFileSync(file, text.replace(/^businessKeys:.*$/m, 'businessKeys: { documentNumber: "documentNumber +" }'));
        expect((await rejection(loadMappings({ mappingsDir: dir }))).message).to.match(/field businessKeys\.documentNumber: expression .* does not compile/);
      } finally {
        cleanup();
      }
    });

    it('a leaf that is not a string is refused', async () => {
      const error = await loadError(VALID_TREE.replace('QUANTITY', '5'));
      expect(error.message).to.contain('field lines[].quantity: a field is a JSONata expression written as a string');
    });
  });
});
