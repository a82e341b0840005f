import type { Logger } from 'pino';
import type { HubConfig } from '../config/types.js';
import type { Database } from '../db/database.js';

/** What one retention run removed, and how long it took. */
export interface RetentionResult {
  raw: number;
  records: number;
  refusals: number;
  audit: number;
  ms: number;
}

export interface RetentionRun extends Partial<RetentionResult> {
  id: number;
  startedAt: string;
  finishedAt?: string;
  error?: string;
}

type Period = 'rawDays' | 'recordDays' | 'refusalDays';

/**
 * The retention rules as a SQL VALUES list (partner, document type, days), the default first: a row's period
 * is that of the most specific rule that matches it (partner and type, then partner, then type, then default).
 */
function rules(config: HubConfig['retention'], period: Period, params: unknown[]): string {
  const rows = [{ partner: null, documentType: null, days: config[period] }, ...config.overrides.filter((r) => r[period] !== undefined).map((r) => ({ partner: r.partner ?? null, documentType: r.documentType ?? null, days: r[period]! }))];
  return rows.map((r) => `($${params.push(r.partner)}::text, $${params.push(r.documentType)}::text, $${params.push(r.days)}::integer)`).join(', ');
}

/** The days that apply to row alias `m` (partner and document_type columns). */
const DAYS = `(SELECT r.days FROM rules r WHERE (r.partner IS NULL OR r.partner = m.partner) AND (r.document_type IS NULL OR r.document_type = m.document_type)
               ORDER BY (r.partner IS NOT NULL) DESC, (r.document_type IS NOT NULL) DESC LIMIT 1)`;

/** Rows of `m` that are done with: delivered, and not waiting in the outbox for the ERP to acknowledge. */
const FINISHED = `m.status = 'delivered' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.document_id = m.id AND o.acked_at IS NULL)`;

/** Deletes in batches until a batch comes back short; pauses between batches so the intake's writes go first. */
async function inBatches(db: Database, sql: string, params: unknown[]): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(sql, params);
    total += rowCount ?? 0;
    if (!rowCount || rowCount < (params[params.length - 1] as number)) return total;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Removes what the retention periods say is old enough, in batches of retention.batchSize (batched deletes,
 * not partitions: docs/architecture.md says why): raw bytes of finished messages after rawDays, whole
 * finished message records (cascading to raw, canonical, history, deliveries, keys, links and outbox rows)
 * after recordDays, refusals after refusalDays, audit entries after recordDays. Messages in flight or failed
 * are never removed. `now` is for tests.
 */
export async function runRetention(db: Database, config: HubConfig['retention'], options: { now?: Date } = {}): Promise<RetentionResult> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const batch = config.batchSize;
  // Candidates by the shortest period of any rule (an index range on received_at), then each row by its own rule.
  const shortest = (period: Period) => Math.min(config[period], ...config.overrides.map((r) => r[period] ?? config[period]));
  const statement = (period: Period, build: (p: { now: string; shortest: string; batch: string; rules: string }) => string) => {
    const params: unknown[] = [];
    const rulesSql = rules(config, period, params);
    const sql = build({ rules: rulesSql, now: `$${params.push(now)}::timestamptz`, shortest: `$${params.push(shortest(period))}::integer`, batch: `$${params.push(batch)}` });
    return { sql, params };
  };

  // Whole records first: their raw bytes go with them, so the raw pass only thins the younger ones.
  const recQ = statement('recordDays', (p) => `WITH rules (partner, document_type, days) AS (VALUES ${p.rules})
    DELETE FROM messages WHERE id IN (
      SELECT m.id FROM messages m
       WHERE m.received_at < ${p.now} - make_interval(days => ${p.shortest}) AND ${FINISHED}
         AND m.received_at < ${p.now} - make_interval(days => ${DAYS}) LIMIT ${p.batch})`);
  const records = await inBatches(db, recQ.sql, recQ.params);

  const rawQ = statement('rawDays', (p) => `WITH rules (partner, document_type, days) AS (VALUES ${p.rules}),
    doomed AS (SELECT m.id FROM messages m JOIN message_raw r ON r.message_id = m.id
                WHERE m.received_at < ${p.now} - make_interval(days => ${p.shortest}) AND ${FINISHED}
                  AND m.received_at < ${p.now} - make_interval(days => ${DAYS}) LIMIT ${p.batch}),
    marked AS (UPDATE messages SET raw_removed_at = ${p.now} WHERE id IN (SELECT id FROM doomed))
    DELETE FROM message_raw WHERE message_id IN (SELECT id FROM doomed)`);
  const raw = await inBatches(db, rawQ.sql, rawQ.params);

  const refQ = statement('refusalDays', (p) => `WITH rules (partner, document_type, days) AS (VALUES ${p.rules})
    DELETE FROM refusals WHERE id IN (
      SELECT m.id FROM refusals m
       WHERE m.received_at < ${p.now} - make_interval(days => ${p.shortest})
         AND m.received_at < ${p.now} - make_interval(days => ${DAYS}) LIMIT ${p.batch})`);
  const refusals = await inBatches(db, refQ.sql, refQ.params);
  // What an ERP watch found and the hub refused (migration 014) goes with the refusals, after refusalDays.
  const watchRefusals = await inBatches(
    db,
    `DELETE FROM erp_watch_refusals WHERE ctid IN (SELECT ctid FROM erp_watch_refusals WHERE last_at < $1::timestamptz - make_interval(days => $2) LIMIT $3)`,
    [now, config.refusalDays, batch],
  );

  const audit = await inBatches(db, `DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1::timestamptz - make_interval(days => $2) LIMIT $3)`, [now, config.recordDays, batch]);
  return { raw, records, refusals: refusals + watchRefusals, audit, ms: Math.round(performance.now() - started) };
}

/**
 * One retention run as the scheduled job makes it: only one hub process at a time (an advisory lock; the
 * others skip), recorded in retention_runs for ops (GET /v1/ops/retention).
 */
export async function scheduledRetention(db: Database, config: HubConfig['retention'], logger: Logger): Promise<RetentionResult | undefined> {
  const client = await db.pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`b2b-hub:retention:${db.schema}`]);
    if (!rows[0]?.locked) return undefined;
    const run = await db.query<{ id: number }>('INSERT INTO retention_runs (started_at) VALUES (now()) RETURNING id');
    const id = run.rows[0]!.id;
    try {
      const result = await runRetention(db, config);
      await db.query('UPDATE retention_runs SET finished_at = now(), removed = $2 WHERE id = $1', [id, JSON.stringify(result)]);
      if (result.raw || result.records || result.refusals || result.audit) logger.info({ retention: result }, 'retention removed old documents');
      return result;
    } catch (error) {
      await db.query('UPDATE retention_runs SET finished_at = now(), error = $2 WHERE id = $1', [id, (error as Error).message]).catch(() => {});
      throw error;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`b2b-hub:retention:${db.schema}`]).catch(() => {});
    }
  } finally {
    client.release();
  }
}

export async function retentionRuns(db: Database, limit = 20): Promise<RetentionRun[]> {
  const { rows } = await db.query('SELECT id, started_at, finished_at, removed, error FROM retention_runs ORDER BY id DESC LIMIT $1', [limit]);
  return rows.map((r) => ({ id: r.id, startedAt: r.started_at.toISOString(), ...(r.finished_at ? { finishedAt: r.finished_at.toISOString() } : {}), ...(r.removed ?? {}), ...(r.error ? { error: r.error } : {}) }));
}
