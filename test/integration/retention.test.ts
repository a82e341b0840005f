/**
 * Retention on a real PostgreSQL: what is old enough goes (raw bytes after rawDays, whole records after
 * recordDays, refusals after refusalDays, per partner where configured), and what is in flight, failed or still
 * waiting for the ERP stays. Also the migration lock: several processes migrating at once do not collide.
 */
import { expect } from 'chai';
import pg from 'pg';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { runRetention, scheduledRetention } from '../../src/store/retention.js';
import type { MessageStatus } from '../../src/store/message-store.js';
import { goldenFixtures } from '../helpers/fixtures.js';
import { call, databaseUrl, dropSchema, startTestHub, type TestHub } from '../helpers/test-hub.js';

const DAY = 86_400_000;

describe('retention', function () {
  this.timeout(60_000);
  let t: TestHub;
  const id = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const raw = goldenFixtures(['ubl-order'])[0]!.bytes;

  before(async () => {
    t = await startTestHub({
      workers: false,
      configure: (c) => (c.retention = { rawDays: 30, recordDays: 365, refusalDays: 60, overrides: [{ partner: 'globex', recordDays: 1000 }, { partner: 'acme', refusalDays: 200 }] }),
    });
  });
  after(async () => t?.close());

  async function message(n: number, partner: string, ageDays: number, status: MessageStatus, outbox?: 'acked' | 'waiting'): Promise<string> {
    const messageId = id(n);
    const at = new Date(Date.now() - ageDays * DAY);
    const outcome = await t.hub.store.accept(
      { id: messageId, partner, format: 'ubl-order', documentType: 'Order', documentNumber: `RET-${n}`, sendingParty: 'P', sha256: `sha-${n}`, raw, keys: [{ kind: 'documentNumber', value: `RET-${n}` }] },
      { now: at },
    );
    expect(outcome.outcome).to.equal('accepted');
    await t.hub.db.query('UPDATE messages SET status = $2 WHERE id = $1', [messageId, status]);
    if (outbox) {
      await t.hub.db.query(`INSERT INTO outbox (id, adapter, document_id, type, module, canonical, created_at, available_at, acked_at) VALUES ($1, 'outbox', $2, 'Order', 'sales', '{}', $3, $3, $4)`, [
        `${messageId}.sales`,
        messageId,
        at,
        outbox === 'acked' ? at : null,
      ]);
    }
    return messageId;
  }

  async function refusal(partner: string, ageDays: number): Promise<string> {
    const refusalId = await t.hub.refusals.record({ partner, httpStatus: 422, code: 'HUB_ERR_XSD_INVALID', detail: 'test', size: 3, bytes: Buffer.from('<a>') });
    await t.hub.db.query('UPDATE refusals SET received_at = $2 WHERE id = $1', [refusalId, new Date(Date.now() - ageDays * DAY)]);
    return refusalId;
  }

  it('removes only what is old enough and finished, per partner where configured', async () => {
    const oldDelivered = await message(1, 'acme', 500, 'delivered');
    const oldFailed = await message(2, 'acme', 500, 'failed');
    const oldProcessing = await message(3, 'acme', 500, 'processing');
    const oldAccepted = await message(4, 'acme', 500, 'accepted');
    const middle = await message(5, 'acme', 100, 'delivered');
    const recent = await message(6, 'acme', 10, 'delivered');
    const globexOld = await message(7, 'globex', 500, 'delivered');
    const waitingForErp = await message(8, 'acme', 500, 'delivered', 'waiting');
    const ackedByErp = await message(9, 'acme', 500, 'delivered', 'acked');
    const acmeRefusal = await refusal('acme', 100);
    const globexRefusal = await refusal('globex', 100);
    const recentRefusal = await refusal('globex', 10);
    await t.hub.db.query("INSERT INTO audit_log (at, event, actor) VALUES ($1, 'auth.failed', 'anonymous'), (now(), 'auth.failed', 'anonymous')", [new Date(Date.now() - 500 * DAY)]);

    const result = await runRetention(t.hub.db, t.hub.config.retention);
    expect(result).to.include({ records: 2, raw: 2, refusals: 1, audit: 1 });

    const { rows } = await t.hub.db.query<{ id: string; raw: boolean; raw_removed: boolean }>(
      'SELECT m.id, r.message_id IS NOT NULL AS raw, m.raw_removed_at IS NOT NULL AS raw_removed FROM messages m LEFT JOIN message_raw r ON r.message_id = m.id',
    );
    const state = new Map(rows.map((r) => [r.id, r]));
    // Gone with everything that hangs off them: finished and past recordDays.
    for (const gone of [oldDelivered, ackedByErp]) expect(state.has(gone), gone).to.equal(false);
    // Kept whole: in flight, failed, not yet acknowledged by the ERP, or young.
    for (const kept of [oldFailed, oldProcessing, oldAccepted, waitingForErp, recent]) expect(state.get(kept), kept).to.include({ raw: true, raw_removed: false });
    // Kept without the raw bytes: past rawDays, within recordDays (globex: 1000 days).
    for (const thin of [middle, globexOld]) expect(state.get(thin), thin).to.include({ raw: false, raw_removed: true });
    const orphans = await t.hub.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM message_history WHERE message_id = ANY($1)) + (SELECT count(*) FROM business_keys WHERE message_id = ANY($1))
            + (SELECT count(*) FROM outbox WHERE document_id = ANY($1)) AS n`,
      [[oldDelivered, ackedByErp]],
    );
    expect(orphans.rows[0]!.n).to.equal(0);
    const refusals = (await t.hub.db.query<{ id: string }>('SELECT id FROM refusals')).rows.map((r) => r.id);
    expect(refusals).to.have.members([acmeRefusal, recentRefusal]);
    expect(refusals).not.to.include(globexRefusal);
    // The raw endpoint says why the bytes are gone.
    const missing = await call(t.url, 'GET', `/v1/ops/messages/${middle}/raw`, { key: t.keys.ops });
    expect(missing.status).to.equal(404);
    expect(missing.body.detail).to.contain('retention');

    // A second run finds nothing more to do.
    expect(await runRetention(t.hub.db, t.hub.config.retention)).to.include({ records: 0, raw: 0, refusals: 0, audit: 0 });
  });

  it('records each scheduled run for ops, one process at a time', async () => {
    await message(20, 'acme', 500, 'delivered');
    const [first, second] = await Promise.all([scheduledRetention(t.hub.db, t.hub.config.retention, t.hub.logger), scheduledRetention(t.hub.db, t.hub.config.retention, t.hub.logger)]);
    // One of the two held the lock and ran; the other skipped (or ran after it, finding nothing).
    const ran = [first, second].filter((r) => r !== undefined);
    expect(ran.reduce((n, r) => n + r!.records, 0)).to.equal(1);
    const view = await call(t.url, 'GET', '/v1/ops/retention', { key: t.keys.ops });
    expect(view.status).to.equal(200);
    expect(view.body.settings).to.include({ rawDays: 30, recordDays: 365, refusalDays: 60 });
    expect(view.body.lastRun.finishedAt).to.be.a('string');
    expect(view.body.runs.some((r: any) => r.records === 1)).to.equal(true);
  });
});

describe('migrations', function () {
  this.timeout(60_000);
  const schema = `tmig${Date.now().toString(36)}`;
  after(async () => dropSchema(schema));

  it('several processes migrating one schema at once apply each migration once', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => migrate(databaseUrl(), schema)));
    // Every migration file once, whichever process got there first (the count grows as migrations are added).
    const files = readMigrations().map((m) => m.name);
    expect(results.map((r) => r.applied.length).sort()).to.deep.equal([0, 0, 0, files.length]);
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`);
      expect(rows.map((r: any) => r.name)).to.deep.equal(files);
      // An applied migration that was edited afterwards is refused, by name.
      await client.query(`UPDATE ${schema}.schema_migrations SET checksum = 'edited' WHERE version = 1`);
    } finally {
      await client.end();
    }
    let error: Error | undefined;
    await migrate(databaseUrl(), schema).catch((e) => (error = e));
    expect(error?.message).to.match(/migration 001_system_of_record was changed after it was applied/);
  });
});
