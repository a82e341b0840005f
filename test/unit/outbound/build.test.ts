import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Order } from '../../../src/canonical/types.js';
import { loadConfig } from '../../../src/config/load.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { projectRoot } from '../../../src/mapping/paths.js';
import { buildOutbound } from '../../../src/outbound/build.js';
import { loadOutboundMapping } from '../../../src/outbound/mapping-file.js';
import { OutboundRegistry } from '../../../src/outbound/registry.js';
import { parseUntrustedXml } from '../../../src/xml/safe-parse.js';
import { XsdCache } from '../../../src/xml/xsd-cache.js';

const root = projectRoot();

/** A purchase order as the ERP hands it over: us (SELF) buying from globex's vendor VEND-GLOBEX. */
const purchase = (): Order => ({
  type: 'Order',
  documentNumber: 'PO-2026-0042',
  issueDate: '2026-12-02',
  currency: 'EUR',
  buyer: { internalId: 'SELF', partyIds: [] },
  seller: { internalId: 'VEND-GLOBEX', partyIds: [], name: 'Globex Components' },
  shipTo: { name: 'Main warehouse', street: 'Industrieweg 12', city: 'Eindhoven', postalCode: '5651 GG', country: 'NL' },
  lines: [
    { lineNumber: '1', sku: 'SKU-10013', description: 'beeswax', quantity: 40, unitCode: 'KGM', price: 1.25, requestedDeliveryDate: '2026-12-09' },
    { lineNumber: '2', sku: 'SKU-10006', quantity: 3, unitCode: 'C62', price: 10 },
  ],
  totals: { lineTotal: 80, payableAmount: 80 },
});

function failure(run: () => Promise<unknown>): Promise<HubError> {
  return run().then(
    () => {
      throw new Error('expected the build to fail');
    },
    (error: unknown) => {
      expect(error).to.be.instanceOf(HubError);
      return error as HubError;
    },
  );
}

describe('outbound: a canonical Order built into a UBL 2.1 Order for the supplier', function () {
  this.timeout(30_000);
  const config = loadConfig();
  const xsd = new XsdCache();
  const registry = OutboundRegistry.load(config, xsd);
  const mapping = registry.forPartner(config.partners.globex!, 'Order')!;
  const ctx = { partner: config.partners.globex!, company: config.company!, xsd };
  after(() => xsd.dispose());

  it('is valid against the UBL 2.1 Order XSD and carries the supplier\'s item numbers and ids from the cross-reference, read the other way', async () => {
    const built = await buildOutbound(mapping, purchase(), ctx);
    expect(built.contentType).to.equal('application/xml');
    const doc = parseUntrustedXml(Buffer.from(built.body));
    try {
      const text = (xpath: string): string[] => doc.find(xpath, { cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2', cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2', o: 'urn:oasis:names:specification:ubl:schema:xsd:Order-2' }).map((n) => n.content);
      expect(text('/o:Order/cbc:ID')).to.deep.equal(['PO-2026-0042']);
      // The supplier's GLN: the first 13-digit key of globex's party rows for VEND-GLOBEX (parties.csv).
      expect(text('/o:Order/cac:SellerSupplierParty/cac:Party/cbc:EndpointID')).to.deep.equal(['1234567890123']);
      expect(text('/o:Order/cac:BuyerCustomerParty/cac:Party/cbc:EndpointID')).to.deep.equal(['8712345000004']);
      // Globex's own item numbers for our SKUs (its rows of items.csv), our SKU as the buyer's, the GTIN where one is shared.
      expect(text('//cac:OrderLine/cac:LineItem/cac:Item/cac:SellersItemIdentification/cbc:ID')).to.deep.equal(['17589683', 'GX-I1-06']);
      expect(text('//cac:OrderLine/cac:LineItem/cac:Item/cac:BuyersItemIdentification/cbc:ID')).to.deep.equal(['SKU-10013', 'SKU-10006']);
      expect(text('//cac:OrderLine/cac:LineItem/cac:Item/cac:StandardItemIdentification/cbc:ID')).to.deep.equal(['1234567891234']);
      expect(text('//cac:OrderLine/cac:LineItem/cbc:Quantity')).to.deep.equal(['40', '3']);
      expect(text('//cac:OrderLine/cac:LineItem/cbc:LineExtensionAmount')).to.deep.equal(['50', '30']);
      expect(text('//cac:OrderLine/cac:LineItem/cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate')).to.deep.equal(['2026-12-09']);
    } finally {
      doc.dispose();
    }
    // The same XSD the inbound side validates with says it is valid (buildOutbound already checked; again here).
    const again = parseUntrustedXml(Buffer.from(built.body));
    expect(() => xsd.validate(mapping.schemaPath!, again, 'built order')).to.not.throw();
    again.dispose();
  });

  it('names every missing cross-reference at once: each SKU the supplier has no item number for', async () => {
    const doc = purchase();
    doc.lines.push({ lineNumber: '3', sku: 'SKU-NOPE-1', quantity: 1, unitCode: 'C62', price: 1 }, { lineNumber: '4', sku: 'SKU-NOPE-2', quantity: 1, unitCode: 'C62', price: 1 });
    const error = await failure(() => buildOutbound(mapping, doc, ctx));
    expect(error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
    expect(error.message).to.contain('2 cross-references missing for partner globex');
    expect(error.details.missing).to.deep.equal([
      { field: 'Order/cac:OrderLine/cac:LineItem/cac:Item/cac:SellersItemIdentification/cbc:ID', lookup: 'items', key: 'SKU-NOPE-1' },
      { field: 'Order/cac:OrderLine/cac:LineItem/cac:Item/cac:SellersItemIdentification/cbc:ID', lookup: 'items', key: 'SKU-NOPE-2' },
    ]);
  });

  it('never returns a document its XSD refuses: no currency leaves amounts without currencyID, HUB_ERR_OUTBOUND_INVALID with the lines', async () => {
    const { currency: _c, ...rest } = purchase();
    const error = await failure(() => buildOutbound(mapping, rest as Order, ctx));
    expect(error.code).to.equal('HUB_ERR_OUTBOUND_INVALID');
    expect(error.message).to.contain("currencyID");
    expect(error.message).to.contain('it is not sent');
    expect(error.errors.length).to.be.greaterThan(0);
    expect(error.errors[0]!.line).to.be.a('number');
  });

  it('refuses a character XML cannot carry, naming the element, instead of dropping it', async () => {
    const doc = purchase();
    doc.lines[0]!.description = 'bees\u0001wax';
    const error = await failure(() => buildOutbound(mapping, doc, ctx));
    expect(error.code).to.equal('HUB_ERR_MAPPING');
    expect(error.message).to.contain('/Order/cac:OrderLine/cac:LineItem/cac:Item/cbc:Description holds the character U+0001');
  });

  it('checks a mapping file at load: an unknown function or lookup, a bad element name, each with its line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outbound-'));
    const file = path.join(dir, 'bad.yaml');
    const write = (document: string) =>
      writeFileSync(file, `format: bad\ndirection: outbound\ndocumentType: Order\nsyntax: xml\nschema: ${root}/schemas/ubl-2.1/maindoc/UBL-Order-2.1.xsd\nxml: { root: Order }\ndocument:\n${document}\n`);
    const load = () => {
      try {
        loadOutboundMapping(file);
      } catch (error) {
        return error as HubError;
      }
      throw new Error('expected the mapping to be refused');
    };
    write('  cbc:ID: $nope(documentNumber)');
    expect(load().message).to.match(/bad\.yaml \(line 8\), field Order\/cbc:ID: expression calls \$nope\(\)/);
    write("  cbc:ID: $partnerKey('nowhere', sku)");
    expect(load().message).to.contain('uses lookup "nowhere", which is not declared under lookups');
    write('  "cbc ID": documentNumber');
    expect(load().message).to.contain('"cbc ID" is not an element name');
  });
});
