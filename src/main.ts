import { readFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import https from 'node:https';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { AdapterRegistry } from './adapters/registry.js';
import { CredentialStore } from './auth/credentials.js';
import type { HubConfig } from './config/types.js';
import { HubError } from './errors/hub-error.js';
import { buildApp } from './http/app.js';
import { metricsApp } from './http/routes/metrics.js';
import { HubMetrics, readOutboxCounts } from './metrics.js';
import { loadMappings, type MappingRegistry } from './mapping/registry.js';
import { deliverMessage } from './pipeline/deliver.js';
import { ErpWatcher } from './pipeline/erp-watch.js';
import { OutboundRegistry } from './outbound/registry.js';
import { OutboundStore } from './store/outbound-store.js';
import { TransportRegistry } from './transports/registry.js';
import { BulkReplayRunner, bulkReplayDeps } from './pipeline/bulk-replay.js';
import { requeueStalled } from './pipeline/recovery.js';
import { Router } from './pipeline/route.js';
import { transformMessage } from './pipeline/transform.js';
import { HubQueues } from './queue/queues.js';
import { startWorkers } from './queue/workers.js';
import { connectionOptions, createRedis, redisReady, resolveRedisUrl } from './redis/connect.js';
import { AuditLog } from './store/audit-log.js';
import { MessageStore } from './store/message-store.js';
import { RefusalStore } from './store/refusal-store.js';
import { scheduledRetention } from './store/retention.js';
import { Database } from './db/database.js';
import { resolveDatabaseUrl } from './db/embedded.js';
import { migrate } from './db/migrate.js';
import { runtimeWarnings } from './util/runtime.js';
import { XsdCache } from './xml/xsd-cache.js';
import type { Express } from 'express';

/** Secrets never reach the log. */
export const LOG_REDACT = ['req.headers.authorization', 'headers.authorization', 'authorization', '*.key', 'key', 'password', '*.password'];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino({ level: options.level ?? process.env.LOG_LEVEL ?? 'info', redact: { paths: LOG_REDACT, censor: '[redacted]' }, base: { pid: process.pid } }, options.destination as pino.DestinationStream | undefined);
}

export interface HubOptions {
  /** Serve the HTTP API (hub start). */
  server: boolean;
  /** Run the transform and deliver workers in this process. */
  workers: boolean;
  logger?: Logger;
  /** Interval of the sweeper that queues stalled work again from PostgreSQL (default pipeline.sweepIntervalSeconds); 0 disables it. */
  sweepIntervalMs?: number;
  /** Run the retention job on its schedule (retention.intervalMinutes) in this process; default: with workers. */
  retention?: boolean;
}

/** A running hub: what was built, and how to stop it. */
export interface Hub {
  config: HubConfig;
  logger: Logger;
  redis: Redis;
  redisUrl: string;
  db: Database;
  /** The connection string of the database (a private server's socket URL when none was configured). */
  databaseUrl: string;
  store: MessageStore;
  refusals: RefusalStore;
  audit: AuditLog;
  queues: HubQueues;
  mappings: MappingRegistry;
  adapters: AdapterRegistry;
  /** Outbound documents (the ERP's, for partners), their reverse mappings and the partners' transports. */
  outbound: OutboundStore;
  outboundMappings: OutboundRegistry;
  transports: TransportRegistry;
  /** The ERP watch of this worker process (adapters with `outbound`), when one runs (src/pipeline/erp-watch.ts). */
  erpWatcher?: ErpWatcher;
  /** This process's Prometheus metrics (its own registry), served at /metrics. */
  metrics: HubMetrics;
  /** The address of the /metrics listener of a process without the HTTP API (metrics.port), when one runs. */
  metricsUrl?: string;
  app?: Express;
  server?: Server;
  workers: Worker[];
  credentials?: CredentialStore;
  credentialsFile?: string;
  /** The address the server listens on (with the actual port when 0 was configured). */
  url?: string;
  /** True from the moment a shutdown starts: the API answers 503 and /readyz is not ready. */
  readonly lifecycle: Lifecycle;
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): new requests get 503 with Retry-After, requests in flight finish, workers take no
   * new jobs and finish theirs, all within server.shutdownGraceSeconds; then whatever is left is cut off (a job
   * cut off is handed out again by BullMQ or the sweeper, so nothing accepted is lost) and the hub closes.
   */
  shutdown(): Promise<void>;
}

export interface Lifecycle {
  draining: boolean;
  /** Requests being served that were taken before the drain began. */
  inFlight: number;
}

/** Longest close() waits for the workers to stop before closing the queues, Redis and PostgreSQL under them. */
const WORKER_CLOSE_MS = 5000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * HTTPS when a certificate is configured (client certificates requested when a partner CA is configured, and
 * required with requireClientCert), else plain HTTP (refused by the config check off loopback).
 */
function createServer(config: HubConfig, app: Express): Server {
  const tls = config.server.tls;
  if (!tls) return http.createServer(app);
  return https.createServer(
    {
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      ...(tls.caFile ? { ca: readFileSync(tls.caFile), requestCert: true, rejectUnauthorized: tls.requireClientCert } : {}),
      minVersion: 'TLSv1.2',
    },
    app,
  );
}

/** The one composition root: config -> PostgreSQL, Redis, schemas, mappings, adapters -> server and/or workers. */
export async function createHub(config: HubConfig, options: HubOptions): Promise<Hub> {
  const logger = options.logger ?? createLogger();
  for (const warning of runtimeWarnings()) logger.warn({ node: process.versions.node }, warning);
  const databaseUrl = await resolveDatabaseUrl(config.database.url, config.paths.var, logger);
  // Every process migrates at start; the advisory lock makes the ones that start together wait their turn.
  const { applied } = await migrate(databaseUrl, config.database.schema);
  if (applied.length) logger.info({ applied, schema: config.database.schema }, 'database migrated');
  const metrics = new HubMetrics();
  const db = new Database({ ...config.database, url: databaseUrl, applicationName: `b2b-hub${options.server ? '' : ' worker'}`, observe: metrics.storeQuery });
  const closers: Array<() => Promise<unknown>> = [() => db.close()];
  const lifecycle: Lifecycle = { draining: false, inFlight: 0 };
  const graceMs = config.server.shutdownGraceSeconds * 1000;
  // Closing runs once: a second call (a signal during close, a test's after hook) waits for the first.
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      lifecycle.draining = true;
      for (const closer of [...closers].reverse()) await closer().catch((error) => logger.warn({ err: error }, 'error while closing'));
    })());
  try {
    const redisUrl = await resolveRedisUrl(config.redis.url, config.paths.var, logger);
    const redis = createRedis(redisUrl);
    redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection error'));
    closers.push(async () => redis.quit().catch(() => redis.disconnect()));
    await redisReady(redis, redisUrl);
    const mappings = await loadMappings({ mappingsDir: config.paths.mappings });
    for (const [id, partner] of Object.entries(config.partners)) {
      const unknown = partner.formats.filter((f) => !mappings.get(f));
      if (unknown.length) throw new HubError('HUB_ERR_CONFIG', `partners.${id}.formats: no mapping file for ${unknown.join(', ')} in ${config.paths.mappings}`);
    }
    const xsd = new XsdCache();
    xsd.compile(mappings.formats.filter((f) => f.syntax === 'xml').map((f) => f.schemaPath));
    closers.push(async () => xsd.dispose());
    const store = new MessageStore(db);
    const refusals = new RefusalStore(db);
    const audit = new AuditLog(db, logger);
    const connection = connectionOptions(redisUrl);
    const queues = new HubQueues(config, connection, logger);
    closers.push(() => queues.close());
    const adapters = await AdapterRegistry.create(config, { redis, db, logger });
    closers.push(() => adapters.close());
    const router = new Router(config, adapters);
    // Outbound (the ERP's documents for partners): the reverse mappings checked and their schemas compiled, each
    // partner's transport created with its options checked, at start.
    const outboundMappings = OutboundRegistry.load(config, xsd);
    const outbound = new OutboundStore(db);
    const transports = await TransportRegistry.create(config, { db, logger });
    closers.push(() => transports.close());
    const outboundDeps = { config, outbound, mappings: outboundMappings, queues, xsd, logger };
    metrics.watch({ queueCounts: () => queues.counts(), outboxCounts: () => readOutboxCounts(db), outboundCounts: () => outbound.counts() });
    const shutdown = async () => {
      lifecycle.draining = true;
      const started = Date.now();
      logger.info({ graceSeconds: graceMs / 1000, inFlight: lifecycle.inFlight }, 'draining: new requests get 503, work in flight finishes');
      // The server keeps listening while it drains, so new requests get a 503 rather than a refused connection.
      const http = (async () => {
        while (hub.server && lifecycle.inFlight > 0 && Date.now() - started < graceMs) await sleep(25);
      })();
      const workers = Promise.all(
        hub.workers.map((w) =>
          // The forced close is not awaited: after Redis restarted under it, a BullMQ worker's close (forced or
          // not) can wait for ever, and the process must still exit within the grace period.
          Promise.race([w.close(), sleep(graceMs).then(() => (logger.warn({ queue: w.name }, 'jobs still running after the grace period; letting go of them'), void w.close(true).catch(() => {})))]),
        ),
      );
      await Promise.all([http, workers]);
      logger.info({ ms: Date.now() - started, cutOff: lifecycle.inFlight }, 'drained');
      await close();
    };
    const hub: Hub = { config, logger, redis, redisUrl, db, databaseUrl, store, refusals, audit, queues, mappings, adapters, outbound, outboundMappings, transports, metrics, workers: [], lifecycle, close, shutdown };

    if (options.workers) {
      hub.workers = startWorkers(
        config,
        connection,
        {
          transform: (data, attempt) => transformMessage(data.messageId, attempt, { store, mappings, router, queues, logger, metrics, outbound: outboundDeps }),
          deliver: (data, attempt) => deliverMessage(data.messageId, data.adapter, attempt, { store, adapters, logger, metrics, partners: { outbound, transports, config } }),
        },
        logger,
      );
      // shutdown() drains them first (a worker stops taking jobs and finishes the ones it has; past the grace
      // period it lets go of them, and BullMQ or the sweeper hands them out again: the delivery record and the
      // idempotency key prevent a second effect).
      closers.push(() =>
        Promise.race([
          Promise.all(hub.workers.map((w) => w.close())),
          // Bounded for the same reason: the rest (queues, Redis, PostgreSQL) must still be closed.
          sleep(WORKER_CLOSE_MS).then(() => logger.warn({ ms: WORKER_CLOSE_MS }, 'workers did not close in time (BullMQ after a Redis reconnect); closing the rest')),
        ]),
      );
      const sweepMs = options.sweepIntervalMs ?? config.pipeline.sweepIntervalSeconds * 1000;
      if (sweepMs > 0) {
        // One sweep at a time in a process: a slow one (a loaded machine, a big backlog) is not overtaken by the next.
        let sweeping = false;
        const sweep = async () => {
          if (sweeping) return;
          sweeping = true;
          try {
            metrics.sweep(await requeueStalled({ store, queues, logger }, config.pipeline.sweepAfterSeconds * 1000, config.pipeline.attempts));
          } catch (error) {
            logger.warn({ err: error }, 'sweep failed');
          } finally {
            sweeping = false;
          }
        };
        void sweep();
        const timer = setInterval(sweep, sweepMs);
        timer.unref();
        closers.push(async () => clearInterval(timer));
      }
    }
    if (options.workers) {
      // Bulk replays (POST /v1/ops/replays) run in the worker processes, one process at a time (advisory lock).
      const runner = new BulkReplayRunner({ ...bulkReplayDeps(config, { store, queues, audit }), logger });
      runner.start();
      closers.push(() => runner.close());
      // Adapters watching their ERP for the documents that go out (Adapter.outbound) are polled here, one worker
      // process at a time per adapter (advisory lock erp-watch:<adapter>); closed before the adapters and the stores.
      const watches = ErpWatcher.watchesOf(adapters.all());
      if (watches.length) {
        const erpWatcher = new ErpWatcher(watches, { db, store, audit, logger, outbound: outboundDeps });
        erpWatcher.start();
        hub.erpWatcher = erpWatcher;
        closers.push(() => erpWatcher.close());
      }
    }
    if ((options.retention ?? options.workers) && config.retention.intervalMinutes > 0) {
      const retain = () => scheduledRetention(db, config.retention, logger).catch((error) => logger.warn({ err: error }, 'retention run failed'));
      const first = setTimeout(retain, 60_000);
      const timer = setInterval(retain, config.retention.intervalMinutes * 60_000);
      first.unref();
      timer.unref();
      closers.push(async () => {
        clearTimeout(first);
        clearInterval(timer);
      });
    }

    if (options.server) {
      const { store: credentials, created, credentialsFile } = CredentialStore.ensure(config);
      hub.credentials = credentials;
      hub.credentialsFile = credentialsFile;
      if (created.length) logger.info({ file: credentialsFile, principals: created }, `created API keys for ${created.join(', ')}; they are in ${credentialsFile} (mode 0600)`);
      for (const name of created) await audit.record({ event: 'credential.created', actor: 'hub', detail: `${name}: first key, written to ${credentialsFile}` });
      const app = buildApp({ config, credentials, adapters, redis, db, mappings, xsd, store, refusals, queues, logger, audit, limits: config.limits, lifecycle, metrics, outbound: outboundDeps });
      hub.app = app;
      const server = createServer(config, app);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.server.port, config.server.host, () => resolve());
      });
      server.keepAliveTimeout = 65_000;
      hub.server = server;
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.server.port;
      hub.url = `${config.server.tls ? 'https' : 'http'}://${config.server.host}:${port}`;
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      );
    }
    if (!options.server && config.metrics.port !== undefined && config.metrics.scrapeToken) {
      // A worker serves no API; with metrics.port it serves /metrics alone (scrape token only), else nothing.
      const server = createServer(config, metricsApp(metrics, config.metrics.scrapeToken, Boolean(config.server.tls), logger));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.metrics.port, config.metrics.host, () => resolve());
      });
      const address = server.address();
      hub.metricsUrl = `${config.server.tls ? 'https' : 'http'}://${config.metrics.host}:${typeof address === 'object' && address ? address.port : config.metrics.port}`;
      closers.push(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));
    }
    return hub;
  } catch (error) {
    await close();
    throw error;
  }
}
