import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AdapterRegistry } from '../adapters/registry.js';
import type { CredentialStore } from '../auth/credentials.js';
import type { HubConfig } from '../config/types.js';
import type { IntakeDeps } from '../pipeline/intake.js';
import type { Database } from '../db/database.js';
import type { AuditLog } from '../store/audit-log.js';
import type { RefusalStore } from '../store/refusal-store.js';
import { HubError } from '../errors/hub-error.js';
import { requireRole, type AuthDeps } from './middleware/auth.js';
import { notFound, problemHandler } from './middleware/errors.js';
import { RateLimiter, securityHeaders, SignatureVerifier } from './middleware/security.js';
import { documentRoutes } from './routes/documents.js';
import { erpRoutes } from './routes/erp.js';
import { opsRoutes } from './routes/ops.js';
import { outboundRoutes } from './routes/outbound.js';
import type { OutboundDeps } from '../pipeline/outbound.js';
import { consoleRouter } from '../console/router.js';
import { metricsRoutes } from './routes/metrics.js';
import type { HubMetrics } from '../metrics.js';

export interface AppDeps extends IntakeDeps {
  config: HubConfig;
  credentials: CredentialStore;
  adapters: AdapterRegistry;
  redis: Redis;
  db: Database;
  refusals: RefusalStore;
  audit: AuditLog;
  lifecycle?: { draining: boolean; inFlight: number };
  /** The process's metrics: served at /metrics and counted by the intake (src/metrics.ts). */
  metrics?: HubMetrics;
  /** Outbound: the ERP's documents for partners (POST /v1/erp/documents, /v1/ops/outbound). */
  outbound?: OutboundDeps;
}

/** Builds the HTTP API from config and dependencies; no listening, no globals. */
export function buildApp(deps: AppDeps): Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', config.server.trustProxy);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      deps.logger.info({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, principal: req.principal?.id, address: req.ip }, 'request');
    });
    next();
  });
  app.use(securityHeaders(Boolean(config.server.tls)));

  // Draining (SIGTERM): every new request is answered at once, so load balancers and partners move on.
  app.use((req, res, next) => {
    const lifecycle = deps.lifecycle;
    if (!lifecycle) return next();
    if (!lifecycle.draining || req.path === '/healthz') {
      lifecycle.inFlight++;
      res.once('close', () => lifecycle.inFlight--);
      return next();
    }
    res.set('Retry-After', '5').set('Connection', 'close');
    next(new HubError('HUB_ERR_SHUTTING_DOWN', 'This hub process is shutting down and takes no new requests; nothing of this request was accepted. Send it again in a moment.'));
  });

  // The one endpoint without a credential: liveness says nothing about the hub's contents.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const rateLimiter = new RateLimiter(deps.redis, config.redis.keyPrefix, deps.audit);
  if (deps.metrics) {
    const metricsAuth = { config, credentials: deps.credentials, audit: deps.audit };
    const limiter = { rateLimiter, limit: config.rateLimits.perAddress };
    app.use(metricsRoutes({ metrics: deps.metrics, auth: metricsAuth, limiter, ...(config.metrics.scrapeToken ? { scrapeToken: config.metrics.scrapeToken } : {}) }));
  }
  app.use(rateLimiter.perAddress(config.rateLimits.perAddress));
  const auth: AuthDeps = { config, credentials: deps.credentials, audit: deps.audit };

  app.get('/readyz', requireRole(auth, 'ops'), async (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      await deps.db.query('SELECT 1');
      checks.postgres = 'ok';
    } catch (error) {
      checks.postgres = `unreachable: ${(error as Error).message}`;
    }
    try {
      checks.redis = (await deps.redis.ping()) === 'PONG' ? 'ok' : 'no answer';
    } catch (error) {
      checks.redis = `unreachable: ${(error as Error).message}`;
    }
    const schemas = deps.mappings.formats.filter((f) => f.syntax === 'xml').map((f) => f.schemaPath);
    checks.schemas = schemas.every((s) => deps.xsd.has(s)) ? `ok (${deps.xsd.size} compiled)` : 'not compiled';
    const ready = Object.values(checks).every((c) => c.startsWith('ok'));
    // Adapters that declare health() are asked too. Their answer is reported, not counted: documents for an ERP
    // that is down are still accepted and wait in the queue, so the intake stays ready.
    const adapters: Record<string, string> = {};
    await Promise.all(
      deps.adapters.all().map(async ({ config: a, adapter }) => {
        if (!adapter.health) return;
        try {
          const h = await Promise.race([adapter.health(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000).unref())]);
          adapters[a.name] = h.ok ? `ok${h.detail ? ` (${h.detail})` : ''}` : `down${h.detail ? `: ${h.detail}` : ''}`;
        } catch (error) {
          adapters[a.name] = `down: ${(error as Error).message}`;
        }
      }),
    );
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks, adapters });
  });

  const signatures = new SignatureVerifier(deps.redis, config.redis.keyPrefix, config.security.signatureWindowSeconds);
  app.use(documentRoutes(config, { ...deps, auth, rateLimiter, signatures }));
  app.use('/console', consoleRouter({ config, db: deps.db, redis: deps.redis, audit: deps.audit, logger: deps.logger, store: deps.store, refusals: deps.refusals, queues: deps.queues, mappings: deps.mappings, xsd: deps.xsd, adapters: deps.adapters, metrics: deps.metrics, ...(deps.outbound ? { outbound: deps.outbound.outbound } : {}) }));
  if (deps.outbound) app.use(outboundRoutes(auth, { ...deps.outbound, bodyLimitBytes: config.server.bodyLimitBytes }));
  app.use(erpRoutes(auth, deps.adapters));
  app.use(opsRoutes(auth, { store: deps.store, refusals: deps.refusals, db: deps.db, config, queues: deps.queues, adapters: deps.adapters, partners: Object.keys(config.partners), audit: deps.audit }));
  app.use(notFound);
  app.use(problemHandler(deps.logger, { mappings: deps.mappings, config }));
  return app;
}
