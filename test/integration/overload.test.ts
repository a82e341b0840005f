/**
 * Load shedding at the intake: with every PostgreSQL connection of the process busy and more than
 * database.maxWaiting requests already waiting for one, a post is answered 503 HUB_ERR_OVERLOADED with
 * Retry-After at once, stores nothing, and the next post once connections are free is accepted. (The chaos
 * suite found partners timing out, unsure whether their document was stored, while the pool was saturated.)
 */
import { expect } from 'chai';
import type pg from 'pg';
import { goldenFixtures } from '../helpers/fixtures.js';
import { call, startTestHub, type TestHub } from '../helpers/test-hub.js';

describe('an overloaded intake sheds load before doing any work', function () {
  this.timeout(30_000);
  let t: TestHub;
  const template = goldenFixtures(['ubl-order']).find((f) => f.name === 'ubl-order-2.1-example.xml')!.bytes.toString('utf8');
  const order = (n: string) => template.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${n}</cbc:ID>`);

  before(async () => {
    t = await startTestHub({ workers: false, configure: (c) => (c.database = { ...c.database, poolSize: 2, maxWaiting: 1, connectTimeoutMs: 20_000 }) });
  });
  after(async () => t?.close());

  it('answers 503 HUB_ERR_OVERLOADED with Retry-After while the pool is saturated, stores nothing, and accepts again after', async () => {
    const held: pg.PoolClient[] = [await t.hub.db.pool.connect(), await t.hub.db.pool.connect()];
    // Two more requests wait for a connection: more than maxWaiting (1).
    const waiting = [t.hub.db.pool.connect(), t.hub.db.pool.connect()];
    let refused;
    try {
      expect(t.hub.db.pool.waitingCount).to.equal(2);
      refused = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order('OVERLOAD-1') });
    } finally {
      for (const client of held) client.release();
      for (const client of await Promise.all(waiting)) client.release();
    }
    expect(refused.status, JSON.stringify(refused.body)).to.equal(503);
    expect(refused.body.code).to.equal('HUB_ERR_OVERLOADED');
    expect(refused.body.detail).to.match(/nothing was stored/);
    expect(refused.headers.get('retry-after')).to.equal('2');
    const stored = await t.hub.db.query("SELECT count(*)::int AS n FROM messages WHERE document_number = 'OVERLOAD-1'");
    expect(stored.rows[0].n, 'messages stored').to.equal(0);
    const accepted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order('OVERLOAD-1') });
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(202);
  });
});
