/**
 * PostgreSQL or Redis down under a running hub: the intake answers 503 with Retry-After at once (not a hang,
 * not a 500), and works again by itself when they are back, with no restart of the hub. Each store here is
 * the test's own (a redis-server on a free port, a PostgreSQL cluster in a temporary folder), so stopping it
 * touches nothing else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { goldenFixtures } from '../helpers/fixtures.js';
import { PrivatePostgres } from '../helpers/private-postgres.js';
import { PrivateRedis } from '../helpers/private-redis.js';
import { call, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const template = goldenFixtures(['ubl-order']).find((f) => f.name === 'ubl-order-2.1-example.xml')!.bytes.toString('utf8');
let n = 0;
const order = () => template.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>OUTAGE-${Date.now()}-${n++}</cbc:ID>`);

async function expectQuick503(t: TestHub, what: string): Promise<number> {
  const started = performance.now();
  const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order() });
  const ms = performance.now() - started;
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).to.equal(503);
  expect(r.body.code).to.equal('HUB_ERR_STORE_UNAVAILABLE');
  expect(Number(r.headers.get('retry-after'))).to.be.above(0);
  expect(r.body.detail).to.match(/send the request again/i);
  return ms;
}

/** Posts until one is accepted again (the hub reconnects by itself); returns the accepted id. */
async function acceptedAgain(t: TestHub): Promise<string> {
  return waitFor(
    async () => {
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order() });
      return r.status === 202 ? (r.body.id as string) : undefined;
    },
    'the intake to accept again',
    30_000,
  );
}

describe('outages of PostgreSQL and Redis under a running hub', function () {
  this.timeout(120_000);

  it('Redis killed: 503 with Retry-After at once; back: accepted and delivered, no restart', async () => {
    const redis = await PrivateRedis.start();
    const t = await startTestHub({ redisUrl: redis.url, sweepIntervalMs: 500, configure: (c) => (c.pipeline = { ...c.pipeline, sweepAfterSeconds: 1 }) });
    try {
      const before = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order() });
      expect(before.status).to.equal(202);
      await redis.stop('SIGKILL');
      const ms = await expectQuick503(t, 'Redis down');
      console.log(`      (503 with Redis down answered in ${ms.toFixed(0)} ms)`);
      await redis.restart();
      const after = await acceptedAgain(t);
      for (const id of [before.body.id, after]) expect((await waitForStatus(t, id, ['delivered', 'failed'], 30_000)).status).to.equal('delivered');
    } finally {
      await t.close();
      await redis.stop();
    }
  });

  it('a hub whose Redis was restarted under it still shuts down (SIGTERM) and closes', async () => {
    // BullMQ's worker close, forced or not, could wait for ever after a Redis reconnect: the drain hung.
    const redis = await PrivateRedis.start();
    const t = await startTestHub({ redisUrl: redis.url, configure: (c) => (c.server = { ...c.server, shutdownGraceSeconds: 1 }) });
    try {
      const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order() });
      expect((await waitForStatus(t, posted.body.id, ['delivered', 'failed'], 30_000)).status).to.equal('delivered');
      await redis.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 1500));
      await redis.restart();
      await t.hub.shutdown();
      expect(t.hub.lifecycle.draining).to.equal(true);
    } finally {
      await t.close();
      await redis.stop();
    }
  });

  it('PostgreSQL stopped (immediate): 503 with Retry-After at once; back: accepted and delivered, no restart', async function () {
    if (!PrivatePostgres.binaries()) this.skip();
    const varDir = mkdtempSync(path.join(tmpdir(), 'hub-pg-outage-'));
    const postgres = await PrivatePostgres.start(varDir);
    const t = await startTestHub({ databaseUrl: postgres.url, keep: true, sweepIntervalMs: 500, configure: (c) => (c.pipeline = { ...c.pipeline, sweepAfterSeconds: 1 }) });
    try {
      const before = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order() });
      expect(before.status).to.equal(202);
      expect((await waitForStatus(t, before.body.id)).status).to.equal('delivered');
      postgres.stop('immediate');
      const ms = await expectQuick503(t, 'PostgreSQL down');
      console.log(`      (503 with PostgreSQL down answered in ${ms.toFixed(0)} ms)`);
      expect((await call(t.url, 'GET', '/readyz', { key: t.keys.ops })).status).to.be.oneOf([401, 503]);
      await postgres.start(); // as `npm start` would
      const after = await acceptedAgain(t);
      expect((await waitForStatus(t, after, ['delivered', 'failed'], 30_000)).status).to.equal('delivered');
      expect((await t.hub.store.get(before.body.id))?.status).to.equal('delivered');
    } finally {
      await t.close().catch(() => {});
      postgres.stop('fast');
      rmSync(varDir, { recursive: true, force: true });
      rmSync(t.varDir, { recursive: true, force: true });
    }
  });
});
