/**
 * A mapping run reports every missing cross-reference at once: the lookups record their misses and the run goes
 * on, then fails with one HUB_ERR_LOOKUP_MISSING naming each field, table and key (a single miss keeps the error
 * it always had, pinned in errors.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { HubError } from '../../../src/errors/hub-error.js';
import { projectRoot } from '../../../src/mapping/paths.js';
import { loadMappings, type MappingRegistry } from '../../../src/mapping/registry.js';

const root = projectRoot();
const chainOrder = readFileSync(path.join(root, 'fixtures', 'chain', 'order-4321.xml'), 'utf8');
const hubPoXml = readFileSync(path.join(root, 'fixtures', 'hub-po', 'initech-minimal.xml'), 'utf8');

async function rejection(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a HubError').to.be.instanceOf(HubError);
  return error as HubError;
}

/** The order of fixtures/chain with the GTINs of lines 1 and 3 and the buyer's ids replaced by unknown ones. */
function orderWithThreeUnknowns(): string {
  const xml = chainOrder.replace('>05704066204093<', '>0000000000001<').replace('>08722700577584<', '>0000000000003<').replaceAll('>7300010000001<', '>UNKNOWN-BUYER<');
  expect(xml).to.not.equal(chainOrder);
  return xml;
}

describe('mapping: every missing cross-reference at once', () => {
  let registry: MappingRegistry;
  before(async () => {
    registry = await loadMappings({ mappingsDir: path.join(root, 'mappings') });
  });

  it('names every miss of the run (party and two item lines) in one HUB_ERR_LOOKUP_MISSING, in field order', async () => {
    const error = await rejection(registry.map('ubl-order', orderWithThreeUnknowns(), { partner: 'acme', messageId: 'msg-7' }));
    expect(error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
    const missing = error.details.missing as Array<{ field: string; lookup: string; key: unknown }>;
    expect(missing.map((m) => [m.field, m.lookup])).to.deep.equal([
      ['buyer.internalId', 'parties'],
      ['lines[0].sku', 'items'],
      ['lines[2].sku', 'items'],
    ]);
    expect(missing[1]!.key).to.include('0000000000001');
    expect(missing[2]!.key).to.include('0000000000003');
    expect(error.errors.map((e) => e.path)).to.deep.equal(['buyer.internalId', 'lines[0].sku', 'lines[2].sku']);
    expect(error.errors[1]!.message).to.contain('"0000000000001"').and.contain('lookup "items"');
    expect(error.message).to.match(/^mappings\/ubl-order\.yaml: 3 cross-references missing: field buyer\.internalId: no entry for /);
    expect(error.message).to.contain('; field lines[0].sku: ').and.contain('; field lines[2].sku: ').and.match(/ — document 4321$/);
    expect(error.details).to.include({ file: 'mappings/ubl-order.yaml', field: 'buyer.internalId', document: '4321', messageId: 'msg-7', lookup: 'parties' });
  });

  it('the stand-in of a miss never leaves the run: the same document with its entries known maps', async () => {
    const canonical = await registry.map('ubl-order', chainOrder, { partner: 'acme' });
    expect(canonical.lines.map((l) => l.sku)).to.deep.equal(['SKU-10003', 'SKU-10004', 'SKU-10005']);
    expect(JSON.stringify(canonical)).to.not.contain('missing-cross-reference');
  });

  it('plain $lookup misses are collected too (hub-po: an item and a unit on two lines)', async () => {
    const xml = hubPoXml.replace('<BuyerItemNo>00123</BuyerItemNo>', '<BuyerItemNo>4711</BuyerItemNo>').replace('unit="EA"', 'unit="BUNDLE"');
    const error = await rejection(registry.map('hub-po', xml, { partner: 'initech' }));
    expect(error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
    const missing = error.details.missing as Array<{ field: string; lookup: string; key: unknown }>;
    expect(missing).to.deep.equal([
      { field: 'lines[0].sku', lookup: 'items', key: '4711' },
      { field: 'lines[0].unitCode', lookup: 'units', key: 'BUNDLE' },
    ]);
  });

  it('a mapping error after a miss still fails with the misses (the code the pipeline always saw first)', async () => {
    const xml = orderWithThreeUnknowns().replace('<cbc:Quantity unitCode="NAR" unitCodeListID="UNECERec20">15</cbc:Quantity>', '<cbc:Quantity unitCode="NAR" unitCodeListID="UNECERec20">fifteen</cbc:Quantity>');
    const error = await rejection(registry.map('ubl-order', xml, { partner: 'acme' }));
    expect(error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
    expect((error.details.missing as unknown[]).length).to.equal(3);
  });

  it('a mapping error before any miss is reported as it always was', async () => {
    const xml = chainOrder.replace('<cbc:Quantity unitCode="NAR" unitCodeListID="UNECERec20">10</cbc:Quantity>', '<cbc:Quantity unitCode="NAR" unitCodeListID="UNECERec20">ten</cbc:Quantity>');
    const error = await rejection(registry.map('ubl-order', xml, { partner: 'acme' }));
    expect(error.code).to.equal('HUB_ERR_MAPPING');
    expect(error.message).to.contain('field lines[0].quantity: $num() got "ten"');
  });
});
