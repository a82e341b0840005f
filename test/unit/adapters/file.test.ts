import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import fileAdapter from '../../../adapters/file/index.js';
import type { AdapterContext } from '../../../src/adapters/contract.js';
import type { Order } from '../../../src/canonical/types.js';

const order: Order = {
  type: 'Order',
  documentNumber: 'PO/77',
  issueDate: '2026-11-01',
  currency: 'EUR',
  buyer: { internalId: 'CUST-ACME', partyIds: [{ id: '7300010000001', scheme: '0088' }] },
  seller: { internalId: 'SELF', partyIds: [] },
  lines: [
    { lineNumber: '1', sku: 'SKU-1', quantity: 2, unitCode: 'C62', price: 10, lineAmount: 20 },
    { lineNumber: '2', sku: 'SKU-2', quantity: 1, unitCode: 'KGM', price: 5, lineAmount: 5 },
  ],
  totals: { payableAmount: 25 },
};

describe('adapters/file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-file-'));
  const ctx = { name: 'archive', logger: pino({ level: 'silent' }), rootDir: dir, varDir: dir } as unknown as AdapterContext;
  const delivery = { idempotencyKey: 'm1:archive', messageId: 'm1', partner: 'acme', modules: ['sales' as const], signal: new AbortController().signal };

  it('writes the canonical JSON and XML atomically, once per message', async () => {
    const adapter = await fileAdapter.create({ dir: 'out', xml: true }, ctx);
    const first = await adapter.deliver(order, delivery);
    expect(first.reference).to.equal(path.join('out', 'Order', 'PO_77__m1.json'));
    const second = await adapter.deliver({ ...order, note: 'changed' }, delivery);
    expect(second.reference).to.equal(first.reference);
    const files = readdirSync(path.join(dir, 'out', 'Order')).sort();
    expect(files).to.deep.equal(['PO_77__m1.json', 'PO_77__m1.xml']);
    const json = JSON.parse(readFileSync(path.join(dir, first.reference), 'utf8'));
    expect(json.canonical).to.deep.equal(order);
    const xml = readFileSync(path.join(dir, 'out', 'Order', 'PO_77__m1.xml'), 'utf8');
    expect(xml).to.contain('<Order xmlns="urn:b2b-hub:canonical:1.0">');
    expect(xml.match(/<line>/g)).to.have.length(2);
    expect(xml).to.contain('<sku>SKU-2</sku>');
  });

  it('reports an unwritable folder as retryable', async () => {
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const adapter = await fileAdapter.create({ dir: path.join(blocker, 'out'), xml: false }, ctx);
    try {
      await adapter.deliver(order, delivery);
      expect.fail('should throw');
    } catch (error: any) {
      expect(error.code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
      expect(error.retryable).to.equal(true);
    }
  });
});
