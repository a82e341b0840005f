/**
 * The traffic overview's queries (the console's /console/overview): documents received, delivered, failed and
 * refused per time bucket, partner and type, and each adapter's backlog and outcomes. Every statement reads one
 * indexed time range (or one adapter's range) and groups it in PostgreSQL, so its cost follows the traffic of
 * the window, never the size of the store:
 * - received: messages_by_time (received_at);
 * - delivered / failed: messages_settled_by_time (updated_at, partial on the final statuses, migration 007);
 * - refused: refusals_by_time (received_at);
 * - adapters: deliveries_by_adapter_outcome (adapter, status, at), migration 007.
 */
import type { Queryable } from '../db/database.js';

/** The two windows of the overview: the last hour per minute, the last day per 10 minutes. */
export const TRAFFIC_WINDOWS = {
  hour: { bucketSeconds: 60, buckets: 60 },
  day: { bucketSeconds: 600, buckets: 144 },
} as const;
export type TrafficWindowName = keyof typeof TRAFFIC_WINDOWS;

/** Counted up to this many (pending deliveries, failures of a day): past it the overview says "10,000+". */
export const COUNT_CAP = 10_000;

/** What happened to documents in a window: accepted at the intake, delivered, failed, refused at the intake. */
export interface Outcomes {
  received: number;
  delivered: number;
  failed: number;
  refused: number;
}
export const OUTCOMES = ['received', 'delivered', 'failed', 'refused'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One window's counts: per bucket (oldest first), and totals by partner, by type and by partner and type. */
export interface WindowTraffic {
  window: TrafficWindowName;
  /** Start of the first bucket (ISO); bucket i starts `i * bucketSeconds` later. */
  start: string;
  bucketSeconds: number;
  /** Per outcome, one count per bucket, oldest first. */
  series: Record<Outcome, number[]>;
  totals: Outcomes;
  byPartner: Record<string, Outcomes>;
  /** Refusals have no type when the document could not be read: those count under partner only. */
  byType: Record<string, Outcomes>;
  /** `partner type` -> counts (refused ones only where the type was read). */
  byPartnerAndType: Record<string, Outcomes>;
  /** Refusals per partner and error code. */
  refusalCodes: Record<string, Record<string, number>>;
}

/** One adapter's deliveries as PostgreSQL has them (the system of record, not the queue). */
export interface AdapterTraffic {
  adapter: string;
  /** Deliveries routed to it and not yet done (waiting, running or retrying), counted up to COUNT_CAP + 1. */
  pending: number;
  /** When the oldest pending delivery was routed (or last queued again by the sweeper). */
  oldestPendingAt?: string;
  deliveredLastHour: number;
  failedLastHour: number;
  failedLastDay: number;
  lastDeliveredAt?: string;
  lastFailedAt?: string;
  lastError?: string;
}

const zero = (): Outcomes => ({ received: 0, delivered: 0, failed: 0, refused: 0 });

/** The start of a window's first bucket: its buckets end with the one `now` is in. */
export function windowStart(window: TrafficWindowName, now: Date): Date {
  const { bucketSeconds, buckets } = TRAFFIC_WINDOWS[window];
  const size = bucketSeconds * 1000;
  return new Date(Math.floor(now.getTime() / size) * size - (buckets - 1) * size);
}

interface BucketRow {
  bucket: number;
  partner: string;
  type: string | null;
  outcome: Outcome;
  code: string | null;
  n: number;
}

/**
 * Reads each outcome's rows of the window in one statement each, grouped by bucket (an integer, computed from
 * the window's start), partner and type. Buckets outside 0..buckets-1 (a clock a little ahead) are dropped.
 */
async function bucketRows(db: Queryable, start: Date, end: Date, bucketSeconds: number): Promise<BucketRow[]> {
  const bucket = (column: string) => `floor(extract(epoch FROM ${column} - $1::timestamptz) / $3)::int`;
  const params = [start, end, bucketSeconds];
  const [received, settled, refused] = await Promise.all([
    db.query<BucketRow>(
      `SELECT ${bucket('received_at')} AS bucket, partner, document_type AS type, 'received' AS outcome, NULL AS code, count(*)::int AS n
         FROM messages WHERE received_at >= $1 AND received_at < $2 GROUP BY 1, 2, 3`,
      params,
    ),
    db.query<BucketRow>(
      `SELECT ${bucket('updated_at')} AS bucket, partner, document_type AS type, status AS outcome, NULL AS code, count(*)::int AS n
         FROM messages WHERE status IN ('delivered', 'failed') AND updated_at >= $1 AND updated_at < $2 GROUP BY 1, 2, 3, 4`,
      params,
    ),
    db.query<BucketRow>(
      `SELECT ${bucket('received_at')} AS bucket, partner, document_type AS type, 'refused' AS outcome, code, count(*)::int AS n
         FROM refusals WHERE received_at >= $1 AND received_at < $2 GROUP BY 1, 2, 3, 5`,
      params,
    ),
  ]);
  return [...received.rows, ...settled.rows, ...refused.rows];
}

/** The counts of one window ending with the bucket `now` is in. */
export async function windowTraffic(db: Queryable, window: TrafficWindowName, now: Date): Promise<WindowTraffic> {
  const { bucketSeconds, buckets } = TRAFFIC_WINDOWS[window];
  const start = windowStart(window, now);
  const end = new Date(start.getTime() + buckets * bucketSeconds * 1000);
  const series = Object.fromEntries(OUTCOMES.map((o) => [o, new Array<number>(buckets).fill(0)])) as Record<Outcome, number[]>;
  const result: WindowTraffic = { window, start: start.toISOString(), bucketSeconds, series, totals: zero(), byPartner: {}, byType: {}, byPartnerAndType: {}, refusalCodes: {} };
  for (const row of await bucketRows(db, start, end, bucketSeconds)) {
    if (row.bucket < 0 || row.bucket >= buckets) continue;
    series[row.outcome][row.bucket]! += row.n;
    result.totals[row.outcome] += row.n;
    (result.byPartner[row.partner] ??= zero())[row.outcome] += row.n;
    if (row.type) {
      (result.byType[row.type] ??= zero())[row.outcome] += row.n;
      (result.byPartnerAndType[`${row.partner} ${row.type}`] ??= zero())[row.outcome] += row.n;
    }
    if (row.code) {
      const codes = (result.refusalCodes[row.partner] ??= {});
      codes[row.code] = (codes[row.code] ?? 0) + row.n;
    }
  }
  return result;
}

/**
 * Each adapter's backlog and outcomes in one statement: every figure is a range of
 * deliveries_by_adapter_outcome; the counts that can grow without bound (a backlog, a day of failures) stop at
 * COUNT_CAP + 1.
 */
export async function adapterTraffic(db: Queryable, adapters: readonly string[], now: Date): Promise<AdapterTraffic[]> {
  if (!adapters.length) return [];
  const hourAgo = new Date(now.getTime() - 3600_000);
  const dayAgo = new Date(now.getTime() - 24 * 3600_000);
  const capped = (where: string) => `(SELECT count(*)::int FROM (SELECT 1 FROM deliveries d WHERE d.adapter = a.name AND ${where} LIMIT ${COUNT_CAP + 1}) c)`;
  const { rows } = await db.query<{
    adapter: string;
    pending: number;
    oldest_pending: Date | null;
    delivered_hour: number;
    failed_hour: number;
    failed_day: number;
    last_delivered: Date | null;
    last_failed: { at: string; error: string | null } | null;
  }>(
    `SELECT a.name AS adapter,
            ${capped("d.status = 'pending'")} AS pending,
            (SELECT min(d.at) FROM deliveries d WHERE d.adapter = a.name AND d.status = 'pending') AS oldest_pending,
            ${capped("d.status = 'delivered' AND d.at >= $2")} AS delivered_hour,
            ${capped("d.status = 'failed' AND d.at >= $2")} AS failed_hour,
            ${capped("d.status = 'failed' AND d.at >= $3")} AS failed_day,
            (SELECT max(d.at) FROM deliveries d WHERE d.adapter = a.name AND d.status = 'delivered') AS last_delivered,
            (SELECT json_build_object('at', d.at, 'error', d.error) FROM deliveries d WHERE d.adapter = a.name AND d.status = 'failed' ORDER BY d.at DESC LIMIT 1) AS last_failed
       FROM unnest($1::text[]) AS a(name)`,
    [adapters, hourAgo, dayAgo],
  );
  return rows.map((r) => ({
    adapter: r.adapter,
    pending: r.pending,
    ...(r.oldest_pending ? { oldestPendingAt: r.oldest_pending.toISOString() } : {}),
    deliveredLastHour: r.delivered_hour,
    failedLastHour: r.failed_hour,
    failedLastDay: r.failed_day,
    ...(r.last_delivered ? { lastDeliveredAt: r.last_delivered.toISOString() } : {}),
    ...(r.last_failed ? { lastFailedAt: new Date(r.last_failed.at).toISOString(), ...(r.last_failed.error ? { lastError: r.last_failed.error } : {}) } : {}),
  }));
}
