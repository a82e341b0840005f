/**
 * The deliver step's own guarantee, without the adapters' idempotency to hide a mistake: a delivery already
 * recorded as delivered is never made again, whatever asks for it (a retry, a duplicate job, the sweeper).
 * The adapter here counts its calls (a stand-in inside a test; the hub's real adapters have their own tests).
 */
import { expect } from 'chai';
import type { AdapterRegistry } from '../../src/adapters/registry.js';
import { deliverMessage } from '../../src/pipeline/deliver.js';
import { goldenFixtures } from '../helpers/fixtures.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

describe('deliver once: the delivery record is checked before the adapter is called', function () {
  this.timeout(30_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());

  it('a second deliver job for a delivered (message, adapter) does not call the adapter again', async () => {
    const order = goldenFixtures(['ubl-order']).find((f) => f.name === 'ubl-order-2.1-example.xml')!;
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order.bytes });
    const id = posted.body.id as string;
    expect((await waitForStatus(t, id)).status).to.equal('delivered');
    // Back in processing, as if a stale job ran after the fact (the status check alone would then let it through).
    await t.hub.db.query("UPDATE messages SET status = 'processing' WHERE id = $1", [id]);
    let calls = 0;
    const counting = {
      get: () => ({ config: { name: 'outbox' }, adapter: { deliver: async () => (calls++, { reference: 'again' }), close: async () => {} } }),
    } as unknown as AdapterRegistry;
    await deliverMessage(id, 'outbox', { attempt: 1, last: false, signal: new AbortController().signal }, { store: t.hub.store, adapters: counting, logger: t.hub.logger });
    expect(calls).to.equal(0);
    // And a delivery not yet recorded does reach the adapter (the check is not simply refusing everything).
    await t.hub.db.query("UPDATE deliveries SET status = 'pending' WHERE message_id = $1 AND adapter = 'outbox'", [id]);
    await deliverMessage(id, 'outbox', { attempt: 1, last: false, signal: new AbortController().signal }, { store: t.hub.store, adapters: counting, logger: t.hub.logger });
    expect(calls).to.equal(1);
  });

  it('a store outage on the last attempt (the outbox adapter losing PostgreSQL) fails nothing: the delivery stays pending for the sweeper', async () => {
    const order = goldenFixtures(['ubl-order']).find((f) => f.name === 'ubl-order-2.1-example.xml')!;
    const body = order.bytes.toString('utf8').replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>STORE-OUTAGE-${Date.now()}</cbc:ID>`);
    const id = (await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body })).body.id as string;
    expect((await waitForStatus(t, id)).status).to.equal('delivered');
    await t.hub.db.query("UPDATE messages SET status = 'processing' WHERE id = $1", [id]);
    await t.hub.db.query("UPDATE deliveries SET status = 'pending' WHERE message_id = $1 AND adapter = 'outbox'", [id]);
    // What pg throws while the server restarts (57P01 admin_shutdown); by the catch, PostgreSQL answers again.
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const failing = {
      get: () => ({ config: { name: 'outbox' }, adapter: { deliver: async () => Promise.reject(shutdown), close: async () => {} } }),
    } as unknown as AdapterRegistry;
    let thrown: unknown;
    await deliverMessage(id, 'outbox', { attempt: 8, last: true, signal: new AbortController().signal }, { store: t.hub.store, adapters: failing, logger: t.hub.logger }).catch((e) => (thrown = e));
    expect(thrown, 'the error goes back to BullMQ').to.equal(shutdown);
    const record = await t.hub.store.get(id);
    expect(record!.status, 'status').to.equal('processing');
    expect(record!.error).to.equal(undefined);
    expect((await t.hub.store.delivery(id, 'outbox'))!.status).to.equal('pending');
  });
});
