import type pg from 'pg';
import type { HubConfig } from '../src/config/types.js';
import { runRetention, type RetentionResult } from '../src/store/retention.js';
import { ms, percentile, printTable, type HubProcess } from './hub-process.js';
import { postSteadily, type SteadyIntake } from './steady-intake.js';
import { TimedDatabase } from './timed-database.js';

/** The schema and hub a retention run works on, and the documents posted to it so far (never removed). */
export interface RetentionTarget {
  client: pg.Client;
  hub: HubProcess;
  template: string;
  databaseUrl: string;
  schema: string;
  retention: HubConfig['retention'];
  statementTimeoutMs: number;
  baselineSeconds: number;
  /** One order posted every intervalMs, before and during retention. */
  intervalMs: number;
  tables: readonly string[];
  posted?: string[];
}

let runs = 0;

/** Rows of each table that belong to synthetic messages (all rows, less those of the documents posted here). */
async function syntheticCounts(t: RetentionTarget): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of t.tables) {
    const column = table === 'messages' ? 'id' : 'message_id';
    const { rows } = await t.client.query<{ total: number; posted: number }>(
      `SELECT (SELECT count(*) FROM ${table}) AS total, (SELECT count(*) FROM ${table} WHERE ${column} = ANY($1::uuid[])) AS posted`,
      [t.posted ?? []],
    );
    counts.set(table, rows[0]!.total - rows[0]!.posted);
  }
  return counts;
}

/** What deleting records costs, per foreign key: EXPLAIN ANALYZE of deleting the 100 oldest, rolled back. */
async function cascadeCost(t: RetentionTarget): Promise<void> {
  console.log('   where deleting a message record spends its time: EXPLAIN (ANALYZE) of deleting the 100 oldest, rolled back:');
  await t.client.query('BEGIN');
  try {
    const { rows } = await t.client.query<{ 'QUERY PLAN': string }>('EXPLAIN (ANALYZE, BUFFERS) DELETE FROM messages WHERE id IN (SELECT id FROM messages ORDER BY received_at LIMIT 100)');
    for (const r of rows) if (/^(Trigger|Execution Time|Planning Time)/.test(r['QUERY PLAN'])) console.log(`     ${r['QUERY PLAN']}`);
  } finally {
    await t.client.query('ROLLBACK');
  }
}

/**
 * Waits until every document posted so far is delivered: the hub's workers have no backlog, so a baseline is
 * not measured while they catch up on the previous phase. Returns how many were still in flight and the wait.
 */
async function drain(t: RetentionTarget): Promise<string> {
  const started = performance.now();
  let first: number | undefined;
  for (;;) {
    const { rows } = await t.client.query<{ n: number }>("SELECT count(*) AS n FROM messages WHERE id = ANY($1::uuid[]) AND status <> 'delivered'", [t.posted ?? []]);
    first ??= rows[0]!.n;
    if (rows[0]!.n === 0) break;
    if (performance.now() - started > 600_000) return `${rows[0]!.n} posted documents still not delivered after 600 s`;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!first) return 'every document posted so far is delivered (no backlog in the hub)';
  return `${first} posted documents were not delivered yet; the hub's workers caught up in ${((performance.now() - started) / 1000).toFixed(1)} s`;
}

/** Checkpoints PostgreSQL finished so far (timed and requested): the writes under a phase's figures. */
async function checkpoints(t: RetentionTarget): Promise<number> {
  const { rows } = await t.client.query<{ n: number }>('SELECT checkpoints_timed + checkpoints_req AS n FROM pg_stat_bgwriter');
  return rows[0]!.n;
}

/** A quiet start for a baseline: no backlog in the hub, and (where allowed) no pending writes in PostgreSQL. */
async function settle(t: RetentionTarget): Promise<void> {
  console.log(`   before the baseline: ${await drain(t)}`);
  await t.client.query('CHECKPOINT').catch(() => {});
}

function phases(db: TimedDatabase): void {
  const kinds: Array<[string, RegExp]> = [
    ['raw bytes (rawDays)', /DELETE FROM message_raw/],
    ['message records (recordDays), cascading', /DELETE FROM messages/],
    ['refusals (refusalDays)', /DELETE FROM refusals/],
    ['audit log (recordDays)', /DELETE FROM audit_log/],
  ];
  const table: string[][] = [['phase, in the order run', 'statements', 'rows', 'total', 'median statement', 'slowest statement', 'failed']];
  const first = (pattern: RegExp) => {
    const at = db.statements.findIndex((s) => pattern.test(s.sql));
    return at < 0 ? Number.MAX_SAFE_INTEGER : at;
  };
  for (const [name, pattern] of kinds.sort((a, b) => first(a[1]) - first(b[1]))) {
    const statements = db.statements.filter((s) => pattern.test(s.sql));
    if (!statements.length) {
      table.push([name, '0 (not reached)', '', '', '', '', '']);
      continue;
    }
    const durations = statements.map((s) => s.ms).sort((a, b) => a - b);
    const failed = statements.filter((s) => s.error);
    table.push([
      name,
      String(statements.length),
      statements.reduce((a, s) => a + (s.rows ?? 0), 0).toLocaleString('en-US'),
      `${(durations.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`,
      ms(percentile(durations, 50)),
      ms(durations[durations.length - 1]!),
      failed.length ? `${failed.length}: ${failed[0]!.error}` : '0',
    ]);
  }
  printTable(table);
}

function intakeRow(label: string, intake: SteadyIntake, checkpointsDuring: number): string[] {
  const sorted = [...intake.latencies].sort((a, b) => a - b);
  const other = [...intake.other].map(([k, v]) => `${v} x ${k}`).join(', ') || '0';
  const row = [label, String(intake.posted), ms(percentile(sorted, 50)), ms(percentile(sorted, 95)), ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1]!)];
  return [...row, other, String(checkpointsDuring)];
}

/**
 * One retention run over the synthetic messages while an order is posted every intervalMs, after a baseline of the
 * same posting without retention. Prints the run, its phases, the rows removed and the intake figures; returns
 * how many synthetic messages are left.
 */
export async function retentionWithIntake(t: RetentionTarget, label: string): Promise<number> {
  const run = ++runs;
  t.posted ??= [];
  await cascadeCost(t);
  const before = await syntheticCounts(t);
  const prefix = `RET-${process.pid}-${run}`;
  await settle(t);
  console.log(`   intake baseline: one order every ${t.intervalMs} ms for ${t.baselineSeconds} s, no retention running ...`);
  const checkpointsAtBaseline = await checkpoints(t);
  const baseline = await postSteadily(t.hub, t.template, { intervalMs: t.intervalMs, until: new Promise((r) => setTimeout(r, t.baselineSeconds * 1000)), numberPrefix: `${prefix}-base` });
  t.posted.push(...baseline.ids);
  const checkpointsAtRetention = await checkpoints(t);

  console.log(`   retention (${label}) with one order every ${t.intervalMs} ms meanwhile ...`);
  const db = new TimedDatabase({ url: t.databaseUrl, schema: t.schema, poolSize: 2, statementTimeoutMs: t.statementTimeoutMs, applicationName: 'b2b-hub retention (bench)' });
  const started = performance.now();
  const running: Promise<{ result: RetentionResult } | { error: Error }> = runRetention(db, t.retention).then(
    (result) => ({ result }),
    (error: Error) => ({ error }),
  );
  const during = await postSteadily(t.hub, t.template, { intervalMs: t.intervalMs, until: running, numberPrefix: `${prefix}-during` });
  const outcome = await running;
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  t.posted.push(...during.ids);
  const checkpointsAfter = await checkpoints(t);
  const backlog = await drain(t);
  const after = await syntheticCounts(t);

  const removedMessages = before.get('messages')! - after.get('messages')!;
  let removedRows = 0;
  for (const table of t.tables) removedRows += before.get(table)! - after.get(table)!;
  if ('result' in outcome) {
    const r = outcome.result;
    console.log(`   retention finished in ${(r.ms / 1000).toFixed(1)} s: ${r.records.toLocaleString('en-US')} message records, the raw bytes of ${r.raw.toLocaleString('en-US')}, ${r.refusals} refusals, ${r.audit} audit entries`);
  } else {
    console.log(`   retention FAILED after ${seconds.toFixed(1)} s: ${outcome.error.message}`);
  }
  console.log(`   removed ${removedMessages.toLocaleString('en-US')} messages (${Math.round(removedMessages / seconds).toLocaleString('en-US')} messages/s) and ${removedRows.toLocaleString('en-US')} rows in all (${Math.round(removedRows / seconds).toLocaleString('en-US')} rows/s) in ${seconds.toFixed(1)} s; per table:`);
  const rows: string[][] = [['table', 'synthetic rows before', 'after', 'removed']];
  for (const table of t.tables) rows.push([table, before.get(table)!.toLocaleString('en-US'), after.get(table)!.toLocaleString('en-US'), (before.get(table)! - after.get(table)!).toLocaleString('en-US')]);
  printTable(rows);
  console.log('   statements runRetention sent, by phase:');
  phases(db);
  console.log(`   the intake, POST -> 202 of an order posted every ${t.intervalMs} ms (and the PostgreSQL checkpoints that ran meanwhile):`);
  printTable([
    ['', 'posted', 'median', 'p95', 'p99', 'max', 'not 202', 'checkpoints'],
    intakeRow('just before retention', baseline, checkpointsAtRetention - checkpointsAtBaseline),
    intakeRow(`during retention (${label})`, during, checkpointsAfter - checkpointsAtRetention),
  ]);
  console.log(`   after retention: ${backlog}`);
  return after.get('messages')!;
}
