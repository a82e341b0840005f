import type pg from 'pg';
import type { Database, Queryable } from '../db/database.js';
import type { MessageStatus } from './message-store.js';

/** Which messages a bulk replay takes, checked and normalized (src/pipeline/bulk-replay.ts parses it). */
export interface ReplayFilter {
  partner?: string;
  /** Canonical document type. */
  type?: string;
  /** received_at >= from, < to (ISO 8601). */
  from?: string;
  to?: string;
  /** The code of the message's error (failed messages only). */
  errorCode?: string;
  /**
   * Messages whose delivery to this adapter is in the state that matches the message's: failed (for failed
   * messages), made (for delivered ones, with force), pending (for stuck ones).
   */
  adapter?: string;
  /** Sorted, never empty; accepted and processing mean stuck past pipeline.sweepAfterSeconds. */
  status: MessageStatus[];
}

/** One selected message as a dry run shows it. */
export interface ReplayCandidate {
  id: string;
  partner: string;
  documentType: string;
  documentNumber: string;
  status: MessageStatus;
  receivedAt: string;
  errorCode?: string;
}

export type ReplayRunState = 'running' | 'stopped' | 'done' | 'failed';

/** A durable bulk replay run, as stored. */
export interface ReplayRun {
  id: string;
  state: ReplayRunState;
  filter: ReplayFilter;
  force: boolean;
  requestedBy: string;
  /** What the dry run counted. */
  counted: number;
  /** What the selection held when the run started (at most `counted`). */
  expected: number;
  replayed: number;
  skipped: number;
  /** How many items the run has been through (replayed + skipped). */
  position: number;
  ratePerSecond: number;
  asOf: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  stoppedBy?: string;
  error?: string;
}

export interface ReplayRunItem {
  position: number;
  messageId: string;
  outcome?: 'replayed' | 'skipped';
  detail?: string;
  at?: string;
}

const IN_FLIGHT: readonly MessageStatus[] = ['accepted', 'processing'];

/**
 * The selection as SQL conditions on alias `m`: the filter, and only messages unchanged since `asOf` (the
 * dry run's time), so what a run replays is what its dry run counted and never a larger set. Stuck messages
 * (accepted, processing) count when unchanged for `stuckAfterMs` before `asOf`.
 */
export function selectionSql(filter: ReplayFilter, asOf: string, stuckAfterMs: number, params: unknown[]): string {
  const where = [`m.updated_at <= $${params.push(asOf)}::timestamptz`];
  if (filter.partner) where.push(`m.partner = $${params.push(filter.partner)}`);
  if (filter.type) where.push(`m.document_type = $${params.push(filter.type)}`);
  if (filter.from) where.push(`m.received_at >= $${params.push(filter.from)}`);
  if (filter.to) where.push(`m.received_at < $${params.push(filter.to)}`);
  if (filter.errorCode) where.push(`m.error->>'code' = $${params.push(filter.errorCode)}`);
  const settled = filter.status.filter((s) => !IN_FLIGHT.includes(s));
  const stuck = filter.status.filter((s) => IN_FLIGHT.includes(s));
  const status: string[] = [];
  if (settled.length) status.push(`m.status = ANY($${params.push(settled)})`);
  if (stuck.length) status.push(`(m.status = ANY($${params.push(stuck)}) AND m.updated_at < $1::timestamptz - make_interval(secs => $${params.push(stuckAfterMs / 1000)}))`);
  where.push(`(${status.join(' OR ')})`);
  if (filter.adapter) {
    where.push(`EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.adapter = $${params.push(filter.adapter)}
      AND d.status = CASE m.status WHEN 'failed' THEN 'failed' WHEN 'delivered' THEN 'delivered' ELSE 'pending' END)`);
  }
  return where.join(' AND ');
}

function toRun(row: any): ReplayRun {
  return {
    id: row.id,
    state: row.state,
    filter: row.filter,
    force: row.force,
    requestedBy: row.requested_by,
    counted: row.counted,
    expected: row.expected,
    replayed: row.replayed,
    skipped: row.skipped,
    position: row.position,
    ratePerSecond: row.rate_per_second,
    asOf: row.as_of.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    ...(row.finished_at ? { finishedAt: row.finished_at.toISOString() } : {}),
    ...(row.stopped_by ? { stoppedBy: row.stopped_by } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}

/** Bulk replay runs and the messages each one holds, in PostgreSQL. */
export class ReplayRunStore {
  constructor(readonly db: Database) {}

  /** The database's time, to the millisecond (a JSON round trip keeps no more), for a dry run's `asOf`. */
  async now(): Promise<string> {
    const { rows } = await this.db.query<{ now: Date }>("SELECT date_trunc('milliseconds', clock_timestamp()) AS now");
    return rows[0]!.now.toISOString();
  }

  async count(filter: ReplayFilter, asOf: string, stuckAfterMs: number): Promise<number> {
    const params: unknown[] = [];
    const { rows } = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM messages m WHERE ${selectionSql(filter, asOf, stuckAfterMs, params)}`, params);
    return Number(rows[0]!.n);
  }

  /** The first `limit` selected messages, oldest first (the order a run replays them in). */
  async sample(filter: ReplayFilter, asOf: string, stuckAfterMs: number, limit: number): Promise<ReplayCandidate[]> {
    const params: unknown[] = [];
    const sql = `SELECT m.id, m.partner, m.document_type, m.document_number, m.status, m.received_at, m.error->>'code' AS error_code FROM messages m
      WHERE ${selectionSql(filter, asOf, stuckAfterMs, params)} ORDER BY m.received_at, m.id LIMIT $${params.push(limit)}`;
    const { rows } = await this.db.query(sql, params);
    return rows.map((r) => ({
      id: r.id,
      partner: r.partner,
      documentType: r.document_type,
      documentNumber: r.document_number,
      status: r.status,
      receivedAt: r.received_at.toISOString(),
      ...(r.error_code ? { errorCode: r.error_code } : {}),
    }));
  }

  /**
   * Creates a run and fixes its messages in one transaction: the selection as of the dry run, oldest first.
   * Returns undefined (nothing written) when the selection now holds more than the dry run counted.
   */
  async create(run: { id: string; filter: ReplayFilter; force: boolean; requestedBy: string; counted: number; ratePerSecond: number; asOf: string }, stuckAfterMs: number): Promise<{ run?: ReplayRun; found: number }> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO replay_runs (id, state, filter, force, requested_by, counted, expected, rate_per_second, as_of, created_at, updated_at)
         VALUES ($1, 'running', $2, $3, $4, $5, 0, $6, $7, now(), now())`,
        [run.id, JSON.stringify(run.filter), run.force, run.requestedBy, run.counted, run.ratePerSecond, run.asOf],
      );
      const params: unknown[] = [];
      const where = selectionSql(run.filter, run.asOf, stuckAfterMs, params);
      const inserted = await tx.query(
        `INSERT INTO replay_run_items (run_id, position, message_id)
         SELECT $${params.push(run.id)}, row_number() OVER (ORDER BY m.received_at, m.id), m.id FROM messages m WHERE ${where}`,
        params,
      );
      const found = inserted.rowCount ?? 0;
      if (found > run.counted) throw new SelectionGrew(found);
      const done = found === 0;
      const { rows } = await tx.query(
        `UPDATE replay_runs SET expected = $2${done ? ", state = 'done', finished_at = now()" : ''} WHERE id = $1 RETURNING *`,
        [run.id, found],
      );
      return { run: toRun(rows[0]), found };
    }).catch((error) => {
      if (error instanceof SelectionGrew) return { found: error.found };
      throw error;
    });
  }

  async get(id: string, db: Queryable = this.db): Promise<ReplayRun | undefined> {
    const { rows } = await db.query('SELECT * FROM replay_runs WHERE id = $1', [id]);
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  /** Newest first; `before` is the id of the last run of the previous page. */
  async list(limit: number, before?: string): Promise<ReplayRun[]> {
    const params: unknown[] = [];
    const where = before ? `WHERE (created_at, id) < (SELECT created_at, id FROM replay_runs WHERE id = $${params.push(before)})` : '';
    const { rows } = await this.db.query(`SELECT * FROM replay_runs ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.push(limit)}`, params);
    return rows.map(toRun);
  }

  /** The oldest running run: runs are worked through one after the other, in the order they were started. */
  async nextRunning(): Promise<ReplayRun | undefined> {
    const { rows } = await this.db.query("SELECT * FROM replay_runs WHERE state = 'running' ORDER BY created_at, id LIMIT 1");
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  /**
   * Stops a running run. It waits for the item the runner is on (the runner holds the run's row while it
   * replays one message), so once this returns, the counts are final and no further message is replayed.
   */
  async stop(id: string, actor: string): Promise<{ run?: ReplayRun; changed: boolean }> {
    const { rows } = await this.db.query(
      "UPDATE replay_runs SET state = 'stopped', stopped_by = $2, finished_at = now(), updated_at = now() WHERE id = $1 AND state = 'running' RETURNING *",
      [id, actor],
    );
    if (rows[0]) return { run: toRun(rows[0]), changed: true };
    return { run: await this.get(id), changed: false };
  }

  /** The run's messages in order, from `after` (a position), optionally only one outcome. */
  async items(id: string, options: { after?: number; limit: number; outcome?: 'replayed' | 'skipped' | 'pending' }): Promise<ReplayRunItem[]> {
    const params: unknown[] = [id, options.after ?? 0];
    let where = 'run_id = $1 AND position > $2';
    if (options.outcome === 'pending') where += ' AND outcome IS NULL';
    else if (options.outcome) where += ` AND outcome = $${params.push(options.outcome)}`;
    const { rows } = await this.db.query(`SELECT position, message_id, outcome, detail, at FROM replay_run_items WHERE ${where} ORDER BY position LIMIT $${params.push(options.limit)}`, params);
    return rows.map((r) => ({ position: r.position, messageId: r.message_id, ...(r.outcome ? { outcome: r.outcome } : {}), ...(r.detail ? { detail: r.detail } : {}), ...(r.at ? { at: r.at.toISOString() } : {}) }));
  }

  /**
   * One step of a run, in one transaction holding the run's row: reads the next item and hands it to `work`,
   * then records its outcome and moves the position on. 'stopped' when the run is no longer running (stopped
   * by someone, or finished), 'done' when it had no item left (then it is marked done).
   */
  async step(
    id: string,
    work: (item: { position: number; messageId: string }, run: ReplayRun) => Promise<{ outcome: 'replayed' | 'skipped'; detail: string }>,
  ): Promise<'continue' | 'stopped' | 'done'> {
    return this.db.transaction(async (tx: pg.PoolClient) => {
      const { rows } = await tx.query('SELECT * FROM replay_runs WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0] || rows[0].state !== 'running') return 'stopped';
      const run = toRun(rows[0]);
      const next = await tx.query<{ position: number; message_id: string }>('SELECT position, message_id FROM replay_run_items WHERE run_id = $1 AND position = $2', [id, run.position + 1]);
      const item = next.rows[0];
      if (!item) {
        await tx.query("UPDATE replay_runs SET state = 'done', finished_at = now(), updated_at = now() WHERE id = $1", [id]);
        return 'done';
      }
      const { outcome, detail } = await work({ position: item.position, messageId: item.message_id }, run);
      await tx.query('UPDATE replay_run_items SET outcome = $3, detail = $4, at = now() WHERE run_id = $1 AND position = $2', [id, item.position, outcome, detail]);
      await tx.query(`UPDATE replay_runs SET position = $2, ${outcome} = ${outcome} + 1, updated_at = now() WHERE id = $1`, [id, item.position]);
      return 'continue';
    });
  }

  async fail(id: string, error: string): Promise<void> {
    await this.db.query("UPDATE replay_runs SET state = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1 AND state = 'running'", [id, error]);
  }

  /** True when the message's history already has this run's replay (a step that crashed before its commit). */
  async alreadyReplayed(messageId: string, marker: string): Promise<boolean> {
    const { rowCount } = await this.db.query("SELECT 1 FROM message_history WHERE message_id = $1 AND step = 'replayed' AND strpos(detail, $2) > 0", [messageId, marker]);
    return (rowCount ?? 0) > 0;
  }
}

class SelectionGrew extends Error {
  constructor(readonly found: number) {
    super(`selection grew to ${found}`);
  }
}
