/**
 * Bulk replay (issue 9, point 8) on a real hub, PostgreSQL and Redis: a dry run counts and shows exactly what
 * its filter selects and returns a token; the run replays exactly those (never a larger set), delivered ones
 * only with force, at a limited rate, stoppable, and resumed by another hub process after a restart.
 * Deliveries fail for real: the archive adapter's folder is taken by a file until the test frees it.
 */
import { expect } from 'chai';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { goldenFixtures } from '../helpers/fixtures.js';
import { call, databaseUrl, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const order = goldenFixtures(['ubl-order']).find((f) => f.name === 'ubl-order-2.1-example.xml')!;
const withItems = goldenFixtures(['ubl-order']).find((f) => f.bytes.includes('SellersItemIdentification'))!;
let n = 0;

function archiveDir(t: TestHub): string {
  return t.hub.config.adapters.find((a) => a.name === 'archive')!.options.dir as string;
}
/** The archive's folder becomes a file: every write fails (retryable), so the message fails after its attempts. */
function blockArchive(t: TestHub): void {
  rmSync(archiveDir(t), { recursive: true, force: true });
  writeFileSync(archiveDir(t), 'not a folder');
}
function freeArchive(t: TestHub): void {
  rmSync(archiveDir(t), { force: true });
  mkdirSync(archiveDir(t), { recursive: true });
}

/** Posts a new ACME order (a fresh number) and waits for its final status. */
async function postOrder(t: TestHub, kind: 'good' | 'unknown-items' = 'good'): Promise<any> {
  let body = (kind === 'good' ? order : withItems).bytes.toString('utf8').replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>BULK-${Date.now()}-${n++}</cbc:ID>`);
  if (kind === 'unknown-items') {
    body = body.replace(/(<cac:(?:Sellers|Buyers|Standard)ItemIdentification>\s*<cbc:ID[^>]*>)[^<]*/g, '$1NO-SUCH-ITEM-4711').replace(/(<cbc:Name>)[^<]*/g, '$1No such thing');
  }
  const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body });
  expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
  return waitForStatus(t, posted.body.id);
}

const json = (t: TestHub, method: string, url: string, body?: unknown) =>
  call(t.url, method, url, { key: t.keys.ops, ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }) });

const dryRun = (t: TestHub, body: unknown) => json(t, 'POST', '/v1/ops/replays/dry-run', body);

/** Waits until the run is no longer running and returns it. */
async function finished(t: TestHub, runId: string, timeoutMs = 30_000): Promise<any> {
  return waitFor(async () => {
    const r = await json(t, 'GET', `/v1/ops/replays/${runId}`);
    return r.body.state !== 'running' ? r.body : undefined;
  }, `bulk replay run ${runId} to finish`, timeoutMs);
}

const replayedBy = (view: any, runId: string) => view.history.filter((h: any) => h.step === 'replayed' && String(h.detail).includes(runId));

describe('bulk replay by filter', function () {
  this.timeout(120_000);

  describe('dry run, run and force', () => {
    let t: TestHub;
    const delivered: any[] = [];
    const archiveFailed: any[] = [];
    const lookupFailed: any[] = [];
    before(async () => {
      t = await startTestHub({ configure: (c) => ((c.pipeline.attempts = 2), (c.pipeline.backoffMs = 10)) });
      mkdirSync(archiveDir(t), { recursive: true });
      for (let i = 0; i < 2; i++) delivered.push(await postOrder(t));
      blockArchive(t);
      for (let i = 0; i < 4; i++) archiveFailed.push(await postOrder(t));
      for (let i = 0; i < 2; i++) lookupFailed.push(await postOrder(t, 'unknown-items'));
      expect(delivered.map((m) => m.status)).to.deep.equal(['delivered', 'delivered']);
      expect(archiveFailed.map((m) => m.error?.code)).to.deep.equal(Array(4).fill('HUB_ERR_ADAPTER_UNAVAILABLE'));
      expect(lookupFailed.map((m) => m.error?.code)).to.deep.equal(Array(2).fill('HUB_ERR_LOOKUP_MISSING'));
    });
    after(async () => t?.close());

    it('a dry run counts and shows exactly what each filter selects, and changes nothing', async () => {
      const ids = (list: any[]) => list.map((m) => m.id);
      const byCode = await dryRun(t, { filter: { partner: 'acme', errorCode: 'HUB_ERR_ADAPTER_UNAVAILABLE' } });
      expect(byCode.status, JSON.stringify(byCode.body)).to.equal(200);
      expect(byCode.body.count).to.equal(4);
      expect(byCode.body.sample.map((s: any) => s.id)).to.deep.equal(ids(archiveFailed));
      expect(byCode.body.sample[0]).to.include({ partner: 'acme', documentType: 'Order', status: 'failed', errorCode: 'HUB_ERR_ADAPTER_UNAVAILABLE', documentNumber: archiveFailed[0].documentNumber });
      expect(byCode.body.token).to.be.a('string');
      expect(byCode.body.filter).to.deep.equal({ partner: 'acme', errorCode: 'HUB_ERR_ADAPTER_UNAVAILABLE', status: ['failed'] });

      // By adapter: the messages whose delivery to it failed (the mapping failures never reached it).
      const byAdapter = await dryRun(t, { filter: { adapter: 'archive' } });
      expect(byAdapter.body.sample.map((s: any) => s.id)).to.deep.equal(ids(archiveFailed));
      expect((await dryRun(t, { filter: { adapter: 'outbox' } })).body.count).to.equal(0);
      const all = await dryRun(t, { filter: {}, sample: 3 });
      expect(all.body.count).to.equal(6);
      expect(all.body.sample.map((s: any) => s.id)).to.deep.equal([...ids(archiveFailed), ...ids(lookupFailed)].slice(0, 3));
      expect((await dryRun(t, { filter: { errorCode: 'HUB_ERR_LOOKUP_MISSING' } })).body.sample.map((s: any) => s.id)).to.deep.equal(ids(lookupFailed));
      expect((await dryRun(t, { filter: { type: 'Invoice' } })).body.count).to.equal(0);
      expect((await dryRun(t, { filter: { partner: 'globex' } })).body.count).to.equal(0);
      // By time: from the second archive failure, up to (not including) the first mapping failure.
      const window = await dryRun(t, { filter: { from: archiveFailed[1].receivedAt, to: lookupFailed[0].receivedAt } });
      expect(window.body.sample.map((s: any) => s.id)).to.deep.equal(ids(archiveFailed.slice(1)));
      // Nothing was replayed by looking.
      for (const m of archiveFailed) expect((await json(t, 'GET', `/v1/ops/messages/${m.id}`)).body.status).to.equal('failed');
      const audit = await json(t, 'GET', '/v1/ops/audit?event=replay.dry-run');
      expect(audit.body.count).to.be.greaterThan(0);
    });

    it('the run replays exactly the messages counted; they end delivered, each history naming the run', async () => {
      freeArchive(t);
      const plan = await dryRun(t, { filter: { partner: 'acme', errorCode: 'HUB_ERR_ADAPTER_UNAVAILABLE' } });
      // A message failing after the dry run with the same code is not in the run: only what was counted.
      blockArchive(t);
      const late = await postOrder(t);
      expect(late.error.code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
      freeArchive(t);

      const started = await json(t, 'POST', '/v1/ops/replays', { token: plan.body.token });
      expect(started.status, JSON.stringify(started.body)).to.equal(202);
      expect(started.body).to.include({ state: 'running', counted: 4, expected: 4, force: false, requestedBy: 'ops' });
      const run = await finished(t, started.body.id);
      expect(run).to.include({ state: 'done', replayed: 4, skipped: 0, expected: 4 });
      const items = await json(t, 'GET', `/v1/ops/replays/${run.id}/messages`);
      expect(items.body.messages.map((i: any) => i.messageId)).to.deep.equal(archiveFailed.map((m) => m.id));
      expect(items.body.messages.map((i: any) => i.outcome)).to.deep.equal(Array(4).fill('replayed'));
      for (const m of archiveFailed) {
        const view = await waitForStatus(t, m.id);
        expect(view.status).to.equal('delivered');
        expect(replayedBy(view, run.id)).to.have.length(1);
        // The outbox had it before and was not called again; the archive got it once.
        expect(view.history.filter((h: any) => h.step === 'delivered' && h.adapter === 'outbox')).to.have.length(1);
        expect(view.history.filter((h: any) => h.step === 'delivered' && h.adapter === 'archive')).to.have.length(1);
      }
      expect((await json(t, 'GET', `/v1/ops/messages/${late.id}`)).body.status).to.equal('failed');
      for (const m of lookupFailed) expect((await json(t, 'GET', `/v1/ops/messages/${m.id}`)).body.status).to.equal('failed');
      const events = (await json(t, 'GET', '/v1/ops/audit?limit=1000')).body.entries.map((e: any) => e.event);
      expect(events).to.include.members(['replay.started', 'replay.finished']);
      const perMessage = (await json(t, 'GET', `/v1/ops/audit?event=message.replayed&messageId=${archiveFailed[0].id}`)).body.entries;
      expect(perMessage.map((e: any) => e.detail).join(' ')).to.contain(run.id);
      // The token ran once; the same selection is now empty (they are delivered), so it cannot start a second time.
      const again = await json(t, 'POST', '/v1/ops/replays', { token: plan.body.token });
      expect(again.status).to.equal(202);
      expect((await finished(t, again.body.id)).replayed).to.equal(0);
      await call(t.url, 'POST', `/v1/ops/messages/${late.id}/replay`, { key: t.keys.ops });
      await waitForStatus(t, late.id);
    });

    it('delivered messages are left out without force and replayed with it, to the chosen adapter, under the same key', async () => {
      const withoutForce = await dryRun(t, { filter: { partner: 'acme' } });
      const failedNow = 2; // the mapping failures
      expect(withoutForce.body.count).to.equal(failedNow);
      const refused = await dryRun(t, { filter: { status: 'delivered' } });
      expect(refused.status).to.equal(409);
      expect(refused.body.code).to.equal('HUB_ERR_REPLAY_FORCE_REQUIRED');
      expect(refused.body.detail).to.contain('force');
      const withForce = await dryRun(t, { filter: { partner: 'acme' }, force: true });
      expect(withForce.body.count).to.equal(failedNow + 2 + 4 + 1);

      // The first two delivered orders, again to the archive only (say it lost them): force + adapter + time.
      const window = { from: delivered[0].receivedAt, to: archiveFailed[0].receivedAt, adapter: 'archive' };
      const plan = await dryRun(t, { filter: window, force: true });
      expect(plan.body.sample.map((s: any) => s.id)).to.deep.equal(delivered.map((m) => m.id));
      expect(plan.body.sample.map((s: any) => s.status)).to.deep.equal(['delivered', 'delivered']);
      const started = await json(t, 'POST', '/v1/ops/replays', { token: plan.body.token });
      const run = await finished(t, started.body.id);
      expect(run).to.include({ state: 'done', replayed: 2, skipped: 0, force: true });
      for (const m of delivered) {
        const view = await waitFor(async () => {
          const v = (await json(t, 'GET', `/v1/ops/messages/${m.id}`)).body;
          return v.status === 'delivered' && v.replays === 1 ? v : undefined;
        }, `forced replay of ${m.id}`);
        expect(view.history.map((h: any) => h.step)).to.include('replay-forced');
        // Delivered to the archive a second time; the outbox (not chosen) was not called again.
        expect(view.history.filter((h: any) => h.step === 'delivered' && h.adapter === 'archive')).to.have.length(2);
        expect(view.history.filter((h: any) => h.step === 'delivered' && h.adapter === 'outbox')).to.have.length(1);
        // The same idempotency key: the file adapter writes under the message's id, so still one file.
        expect(readdirSync(path.join(archiveDir(t), 'Order')).filter((f) => f.includes(m.id) && f.endsWith('.json'))).to.have.length(1);
      }
    });

    it('one delivered message: 409 naming force without it, replayed with {"force": true}', async () => {
      const id = archiveFailed[0].id;
      const refused = await call(t.url, 'POST', `/v1/ops/messages/${id}/replay`, { key: t.keys.ops });
      expect(refused.status).to.equal(409);
      expect(refused.body.code).to.equal('HUB_ERR_REPLAY_FORCE_REQUIRED');
      expect(refused.body.detail).to.contain('"force": true');
      const forced = await json(t, 'POST', `/v1/ops/messages/${id}/replay`, { force: true });
      expect(forced.status, JSON.stringify(forced.body)).to.equal(202);
      expect(forced.body.forced).to.equal(true);
      const view = await waitFor(async () => {
        const v = (await json(t, 'GET', `/v1/ops/messages/${id}`)).body;
        return v.status === 'delivered' && v.replays === 2 ? v : undefined;
      }, 'forced single replay');
      expect(view.history.filter((h: any) => h.step === 'delivered' && h.adapter === 'outbox')).to.have.length(2);
      // The outbox inserts under the same key: the ERP still sees one message for it.
      const sales = await call(t.url, 'GET', '/v1/erp/messages?module=sales&limit=100', { key: t.keys.erp });
      expect(sales.body.messages.filter((m: any) => m.documentId === id)).to.have.length(1);
    });

    it('bad filters, bodies and tokens are 400s that say what is allowed', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ filter: { partnr: 'acme' } }, /Unknown filter key partnr/],
        [{ filter: { partner: 'nobody' } }, /partner "nobody" is not a configured partner.*acme/],
        [{ filter: { type: 'Letter' } }, /type "Letter" is not a canonical document type/],
        [{ filter: { adapter: 'sap' } }, /adapter "sap" is not a configured adapter.*archive/],
        [{ filter: { from: 'yesterday' } }, /from must be an ISO 8601 time/],
        [{ filter: { from: '2026-02-01', to: '2026-01-01' } }, /from must be earlier than filter.to/],
        [{ filter: { errorCode: 'HUB_ERR_NOPE' } }, /errorCode "HUB_ERR_NOPE" is not a hub error code/],
        [{ filter: { status: 'lost' } }, /status "lost" is not a message status/],
        [{ filter: { status: 'accepted', errorCode: 'HUB_ERR_MAPPING' } }, /errorCode applies to failed messages/],
        [{ filter: 'acme' }, /filter must be an object/],
        [{ filter: {}, force: 'yes' }, /force must be true or false/],
        [{ filter: {}, sample: 5000 }, /sample must be an integer/],
        [{ filter: {}, dry: true }, /Unknown field dry/],
      ];
      for (const [body, detail] of cases) {
        const r = await dryRun(t, body);
        expect(r.status, JSON.stringify(body)).to.equal(400);
        expect(r.body.code).to.equal('HUB_ERR_BAD_REQUEST');
        expect(r.body.detail, JSON.stringify(body)).to.match(detail);
      }
      const noToken = await json(t, 'POST', '/v1/ops/replays', { filter: { partner: 'acme' } });
      expect(noToken.status).to.equal(400);
      const missing = await json(t, 'POST', '/v1/ops/replays', {});
      expect(missing.status).to.equal(400);
      expect(missing.body.detail).to.contain('dry-run');
      const plan = await dryRun(t, { filter: {} });
      const [payload, sum] = plan.body.token.split('.');
      const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), count: 1e6 })).toString('base64url');
      const forged = await json(t, 'POST', '/v1/ops/replays', { token: `${widened}.${sum}` });
      expect(forged.status).to.equal(400);
      expect(forged.body.detail).to.contain('not a bulk replay dry-run token');
      const tooFast = await json(t, 'POST', '/v1/ops/replays', { token: plan.body.token, ratePerSecond: 1e6 });
      expect(tooFast.status).to.equal(400);
      expect(tooFast.body.detail).to.contain('pipeline.bulkReplayPerSecond');
      const partner = await call(t.url, 'POST', '/v1/ops/replays/dry-run', { key: t.keys.partners.acme, body: '{}', contentType: 'application/json' });
      expect(partner.status).to.equal(403);
    });
  });

  describe('rate limit and stop', () => {
    let t: TestHub;
    const failed: any[] = [];
    before(async () => {
      t = await startTestHub({ configure: (c) => ((c.pipeline.attempts = 2), (c.pipeline.backoffMs = 10), (c.pipeline.bulkReplayPerSecond = 2)) });
      blockArchive(t);
      for (let i = 0; i < 12; i++) failed.push(await postOrder(t));
      freeArchive(t);
    });
    after(async () => t?.close());

    it('a run goes at the configured rate, and once stopped replays no more', async () => {
      const plan = await dryRun(t, { filter: { adapter: 'archive' } });
      expect(plan.body.count).to.equal(12);
      // This run asks for one message every 2 s (below the hub's pipeline.bulkReplayPerSecond of 2).
      const started = await json(t, 'POST', '/v1/ops/replays', { token: plan.body.token, ratePerSecond: 0.5 });
      expect(started.body.ratePerSecond).to.equal(0.5);
      await waitFor(async () => ((await json(t, 'GET', `/v1/ops/replays/${started.body.id}`)).body.replayed >= 1 ? true : undefined), 'the first replay');
      // Unpaced, the other eleven would follow within milliseconds; paced, the next one is due 2 s after the first.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const progress = (await json(t, 'GET', `/v1/ops/replays/${started.body.id}`)).body;
      expect(progress).to.include({ state: 'running', replayed: 1, position: 1, remaining: 11 });
      const stopped = await json(t, 'POST', `/v1/ops/replays/${started.body.id}/stop`);
      expect(stopped.status, JSON.stringify(stopped.body)).to.equal(200);
      expect(stopped.body).to.include({ state: 'stopped', stoppedBy: 'ops' });
      const replayed = stopped.body.replayed as number;
      expect(replayed).to.be.at.least(1).and.lessThan(12);

      // Past the time the next one was due: nothing more is replayed.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const later = (await json(t, 'GET', `/v1/ops/replays/${started.body.id}`)).body;
      expect(later).to.include({ state: 'stopped', replayed, position: replayed });
      const stillFailed = await call(t.url, 'GET', '/v1/ops/messages?partner=acme&status=failed&limit=100', { key: t.keys.ops });
      expect(stillFailed.body.count).to.equal(12 - replayed);
      const pending = await json(t, 'GET', `/v1/ops/replays/${started.body.id}/messages?outcome=pending`);
      expect(pending.body.messages.map((i: any) => i.messageId)).to.deep.equal(failed.slice(replayed).map((m) => m.id));
      // Stopping again is harmless; the audit log has the stop.
      expect((await json(t, 'POST', `/v1/ops/replays/${started.body.id}/stop`)).body.state).to.equal('stopped');
      const audit = await json(t, 'GET', '/v1/ops/audit?event=replay.stopped');
      expect(audit.body.entries[0].detail).to.contain(started.body.id);
      const list = await json(t, 'GET', '/v1/ops/replays');
      expect(list.body.runs.map((r: any) => r.id)).to.include(started.body.id);
    });
  });

  describe('a run survives a hub restart', () => {
    let first: TestHub | undefined;
    let second: TestHub | undefined;
    after(async () => {
      await first?.close().catch(() => {});
      await second?.close();
    });

    it('is resumed by the next hub on the same schema, and no message is replayed twice', async () => {
      first = await startTestHub({ keep: true, configure: (c) => ((c.pipeline.attempts = 2), (c.pipeline.backoffMs = 10), (c.pipeline.bulkReplayPerSecond = 2)) });
      blockArchive(first);
      const failed: any[] = [];
      for (let i = 0; i < 6; i++) failed.push(await postOrder(first));
      freeArchive(first);
      const plan = await dryRun(first, { filter: { errorCode: 'HUB_ERR_ADAPTER_UNAVAILABLE' } });
      const started = await json(first, 'POST', '/v1/ops/replays', { token: plan.body.token });
      const runId = started.body.id as string;
      await waitFor(async () => ((await json(first!, 'GET', `/v1/ops/replays/${runId}`)).body.replayed >= 1 ? true : undefined), 'the first replay');
      const { prefix, varDir, schema } = first;
      await first.close();
      first = undefined;
      // As the first hub left it: part done, still running.
      const client = new pg.Client({ connectionString: databaseUrl() });
      await client.connect();
      let left: any;
      try {
        left = (await client.query(`SELECT state, replayed FROM ${schema}.replay_runs WHERE id = $1`, [runId])).rows[0];
      } finally {
        await client.end();
      }
      expect(left.state).to.equal('running');
      expect(left.replayed).to.be.lessThan(6);

      second = await startTestHub({ prefix, varDir, configure: (c) => ((c.pipeline.attempts = 2), (c.pipeline.backoffMs = 10), (c.pipeline.bulkReplayPerSecond = 2)) });
      const run = await finished(second, runId);
      expect(run).to.include({ state: 'done', replayed: 6, skipped: 0 });
      for (const m of failed) {
        const view = await waitForStatus(second, m.id);
        expect(view.status).to.equal('delivered');
        expect(replayedBy(view, runId), m.id).to.have.length(1);
      }
    });
  });
});
