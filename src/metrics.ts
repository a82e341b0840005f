/**
 * The hub's Prometheus metrics: every definition in this one file, on a registry of the hub process's own (never
 * prom-client's global one: tests run several hubs in one process). The pipeline steps see only the small
 * interfaces below (`PipelineMetrics`, `IntakeMetrics`); queue depths, the outbox and whether Redis and
 * PostgreSQL answer are read when Prometheus scrapes, each within SCRAPE_SOURCE_TIMEOUT_MS, so a scrape never
 * hangs on a store that is down: it reports what it knows and `hub_up{store}` 0 for the one that did not answer.
 *
 * Labels stay bounded: partner and adapter ids come from the config, document types are the canonical ones,
 * error codes are the catalog's; never a message id or a document number.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import { CANONICAL_TYPES } from './canonical/types.js';
import type { Queryable, StoreOperation } from './db/database.js';
import { ERROR_CATALOG } from './errors/catalog.js';

/** Longest a scrape waits for Redis (queue counts) or PostgreSQL (outbox counts). */
export const SCRAPE_SOURCE_TIMEOUT_MS = 1000;
/** A reading of the queues and the outbox is reused this long, so frequent scrapes do not load the stores. */
export const SCRAPE_CACHE_MS = 2000;

/** How one transform attempt ended. `interrupted`: a store of the hub was unreachable (retried, not recorded). */
export type TransformOutcome = 'mapped' | 'retry' | 'failed' | 'interrupted';
/** How one delivery attempt ended. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'interrupted';
/** How one document post ended. `unavailable`: a 5xx (a store down, a bug): the partner sends it again. */
export type IntakeOutcome = 'accepted' | 'duplicate' | 'refused' | 'unavailable';

/** What the transform and deliver steps count (optional in their deps). */
export interface PipelineMetrics {
  transformAttempt(outcome: TransformOutcome, seconds: number, code?: string): void;
  deliveryAttempt(adapter: string, outcome: DeliveryOutcome, seconds: number, code?: string): void;
  /** A message reached `delivered`: the time since it was accepted. */
  delivered(documentType: string, secondsSinceAccepted: number): void;
}

/** What the document intake route counts (optional in its deps). */
export interface IntakeMetrics {
  intake(partner: string, documentType: string, outcome: IntakeOutcome, code: string, seconds: number): void;
}

/** Where the scrape-time gauges read from; set once the hub has built them. */
export interface ScrapeSources {
  queueCounts(): Promise<Record<string, Record<string, number>>>;
  outboxCounts(): Promise<Array<{ adapter: string; module: string; ready: number; leased: number }>>;
  /** Outbound documents per partner and state (queued, sent, acknowledged, rejected, failed, overdue). */
  outboundCounts?(): Promise<Array<{ partner: string; state: string; count: number }>>;
}

/** What the locals of a document post say about it, set by the route for the intake observer. */
export interface IntakeLocals {
  documentType?: string;
  errorCode?: string;
}

const TYPES = new Set<string>(CANONICAL_TYPES);
const typeLabel = (type: string | undefined) => (type && TYPES.has(type) ? type : 'unknown');
const codeLabel = (code: string | undefined) => (!code ? '' : code in ERROR_CATALOG ? code : 'other');

/** Resolves with `work`'s value, or rejects once `ms` have passed (the work is left to finish on its own). */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** A value read from a store at scrape time: shared while in flight, reused for SCRAPE_CACHE_MS, undefined if it failed. */
class CachedReading<T> {
  private last?: { at: number; value: Promise<T | undefined> };
  constructor(private readonly read: () => Promise<T>, private readonly what: string) {}

  get(): Promise<T | undefined> {
    const now = Date.now();
    if (!this.last || now - this.last.at > SCRAPE_CACHE_MS) {
      this.last = { at: now, value: within(this.read(), SCRAPE_SOURCE_TIMEOUT_MS, this.what).catch(() => undefined) };
    }
    return this.last.value;
  }
}

/** The metrics of one hub process. */
export class HubMetrics implements PipelineMetrics, IntakeMetrics {
  readonly registry = new Registry();
  private sources?: {
    queues: CachedReading<Record<string, Record<string, number>>>;
    outbox: CachedReading<Awaited<ReturnType<ScrapeSources['outboxCounts']>>>;
    outbound?: CachedReading<Array<{ partner: string; state: string; count: number }>>;
  };

  private readonly received = new Counter({ name: 'hub_documents_received_total', help: 'Document posts received, by partner ("unknown" before authentication).', labelNames: ['partner'] as const, registers: [this.registry] });
  private readonly documents = new Counter({
    name: 'hub_documents_total',
    help: 'Document posts by partner, canonical type ("unknown" when not read), outcome (accepted, duplicate, refused, unavailable) and error code (catalog code of a refusal, else empty).',
    labelNames: ['partner', 'type', 'outcome', 'code'] as const,
    registers: [this.registry],
  });
  private readonly intakeSeconds = new Histogram({
    name: 'hub_intake_duration_seconds',
    help: 'Time from a document post to its answer (the 202 comes after the PostgreSQL COMMIT), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly transforms = new Counter({ name: 'hub_transform_attempts_total', help: 'Transform attempts by outcome (mapped, retry, failed, interrupted) and error code.', labelNames: ['outcome', 'code'] as const, registers: [this.registry] });
  private readonly transformSeconds = new Histogram({
    name: 'hub_transform_duration_seconds',
    help: 'Time of one transform attempt (read, map, check, route, queue the deliveries), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: 'hub_delivery_attempts_total',
    help: 'Delivery attempts by adapter, outcome (delivered, retry, failed = failed for good, interrupted) and error code.',
    labelNames: ['adapter', 'outcome', 'code'] as const,
    registers: [this.registry],
  });
  private readonly deliverySeconds = new Histogram({
    name: 'hub_delivery_duration_seconds',
    help: 'Time of one delivery attempt (the adapter call and its record), by adapter and outcome.',
    labelNames: ['adapter', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  private readonly endToEndSeconds = new Histogram({
    name: 'hub_accepted_to_delivered_seconds',
    help: 'Time from a message being accepted to it being delivered to every routed adapter, by canonical type.',
    labelNames: ['type'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  private readonly storeSeconds = new Histogram({
    name: 'hub_store_query_duration_seconds',
    help: 'PostgreSQL time by operation: statements outside transactions by their verb, whole transactions, and their COMMIT.',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  private readonly requeues = new Counter({
    name: 'hub_sweeper_requeues_total',
    help: 'Work the sweeper found in PostgreSQL and handled, by kind (transform, delivery queued again; completed; failed as lost).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const metrics = this;
    new Gauge({
      name: 'hub_queue_jobs',
      help: 'BullMQ jobs per queue and state, read from Redis at scrape time (absent when Redis did not answer).',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const counts = await metrics.sources?.queues.get();
        for (const [queue, states] of Object.entries(counts ?? {})) for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      },
    });
    new Gauge({
      name: 'hub_outbox_messages',
      help: 'Outbox rows not yet acknowledged, per adapter, module and state (ready to fetch, leased to a fetch), read at scrape time.',
      labelNames: ['adapter', 'module', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await metrics.sources?.outbox.get();
        for (const r of rows ?? []) {
          this.set({ adapter: r.adapter, module: r.module, state: 'ready' }, r.ready);
          this.set({ adapter: r.adapter, module: r.module, state: 'leased' }, r.leased);
        }
      },
    });
    new Gauge({
      name: 'hub_outbound_documents',
      help: 'Outbound documents (the ERP\'s, for partners) per partner and state: queued, sent (acknowledgement pending), acknowledged, rejected (by the partner), failed, overdue (acknowledgement past its deadline); read at scrape time.',
      labelNames: ['partner', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of (await metrics.sources?.outbound?.get()) ?? []) this.set({ partner: r.partner, state: r.state }, r.count);
      },
    });
    new Gauge({
      name: 'hub_up',
      help: 'Whether a store answered this scrape within its time: redis (queue counts), postgres (outbox counts).',
      labelNames: ['store'] as const,
      registers: [this.registry],
      async collect() {
        if (!metrics.sources) return;
        const [queues, outbox] = await Promise.all([metrics.sources.queues.get(), metrics.sources.outbox.get()]);
        this.set({ store: 'redis' }, queues ? 1 : 0);
        this.set({ store: 'postgres' }, outbox ? 1 : 0);
      },
    });
    // process_* and nodejs_* keep their standard names, so the usual Node.js dashboards work unchanged.
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the scrape-time gauges read from (the hub's queues and PostgreSQL). */
  watch(sources: ScrapeSources): void {
    const outbound = sources.outboundCounts;
    this.sources = {
      queues: new CachedReading(() => sources.queueCounts(), 'Redis'),
      outbox: new CachedReading(() => sources.outboxCounts(), 'PostgreSQL'),
      ...(outbound ? { outbound: new CachedReading(() => outbound.call(sources), 'PostgreSQL') } : {}),
    };
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** One document post was answered (partner "unknown" when it was refused before authentication). */
  intake(partner: string, documentType: string, outcome: IntakeOutcome, code: string, seconds: number): void {
    this.received.inc({ partner });
    this.documents.inc({ partner, type: typeLabel(documentType), outcome, code: outcome === 'accepted' || outcome === 'duplicate' ? '' : codeLabel(code) });
    this.intakeSeconds.observe({ outcome }, seconds);
  }

  transformAttempt(outcome: TransformOutcome, seconds: number, code?: string): void {
    this.transforms.inc({ outcome, code: codeLabel(code) });
    this.transformSeconds.observe({ outcome }, seconds);
  }

  deliveryAttempt(adapter: string, outcome: DeliveryOutcome, seconds: number, code?: string): void {
    this.deliveries.inc({ adapter, outcome, code: codeLabel(code) });
    this.deliverySeconds.observe({ adapter, outcome }, seconds);
  }

  delivered(documentType: string, secondsSinceAccepted: number): void {
    this.endToEndSeconds.observe({ type: typeLabel(documentType) }, Math.max(0, secondsSinceAccepted));
  }

  /** For the Database: one statement, transaction or COMMIT took `seconds`. */
  readonly storeQuery = (operation: StoreOperation, seconds: number): void => {
    this.storeSeconds.observe({ operation }, seconds);
  };

  sweep(result: { transforms: number; deliveries: number; completed: number; failed: number }): void {
    for (const kind of ['transforms', 'deliveries', 'completed', 'failed'] as const) {
      if (result[kind]) this.requeues.inc({ kind: kind === 'transforms' ? 'transform' : kind === 'deliveries' ? 'delivery' : kind }, result[kind]);
    }
  }
}

/**
 * Middleware that times a document post and counts its outcome when the answer is sent: 202 accepted, 200
 * duplicate, 4xx refused, 5xx unavailable; the type and code come from the route's `res.locals` (IntakeLocals).
 */
export function observeIntake(metrics: IntakeMetrics | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!metrics) return next();
    const started = performance.now();
    res.once('finish', () => {
      const locals = res.locals as IntakeLocals;
      const status = res.statusCode;
      const outcome: IntakeOutcome = status === 202 ? 'accepted' : status < 300 ? 'duplicate' : status < 500 ? 'refused' : 'unavailable';
      const partner = req.principal?.role === 'partner' ? req.principal.id : 'unknown';
      metrics.intake(partner, locals.documentType ?? 'unknown', outcome, locals.errorCode ?? '', (performance.now() - started) / 1000);
    });
    next();
  };
}

/** Outbox rows not yet acknowledged, per adapter and module: ready to fetch, or leased (uses the outbox_ready index). */
export async function readOutboxCounts(db: Queryable): Promise<Array<{ adapter: string; module: string; ready: number; leased: number }>> {
  const { rows } = await db.query<{ adapter: string; module: string; ready: number; leased: number }>(
    `SELECT adapter, module, count(*) FILTER (WHERE available_at <= now()) AS ready, count(*) FILTER (WHERE available_at > now()) AS leased
       FROM outbox WHERE acked_at IS NULL GROUP BY adapter, module`,
  );
  return rows;
}
