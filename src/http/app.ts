import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AdapterRegistry } from '../adapters/registry.js';
import type { CredentialStore } from '../auth/credentials.js';
import type { HubConfig } from '../config/types.js';
import type { IntakeDeps } from '../pipeline/intake.js';
import { notFound, problemHandler } from './middleware/errors.js';
import { documentRoutes } from './routes/documents.js';
import { erpRoutes } from './routes/erp.js';
import { opsRoutes } from './routes/ops.js';

export interface AppDeps extends IntakeDeps {
  config: HubConfig;
  credentials: CredentialStore;
  adapters: AdapterRegistry;
  redis: Redis;
}

/** Builds the HTTP API from config and dependencies; no listening, no globals. */
export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      deps.logger.info({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, principal: req.principal?.id }, 'request');
    });
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Cache-Control', 'no-store');
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      checks.redis = (await deps.redis.ping()) === 'PONG' ? 'ok' : 'no answer';
    } catch (error) {
      checks.redis = `unreachable: ${(error as Error).message}`;
    }
    const schemas = deps.mappings.formats.map((f) => f.schemaPath);
    checks.schemas = schemas.every((s) => deps.xsd.has(s)) ? `ok (${deps.xsd.size} compiled)` : 'not compiled';
    const ready = Object.values(checks).every((c) => c.startsWith('ok'));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.use(documentRoutes(deps.config, deps.credentials, deps));
  app.use(erpRoutes(deps.credentials, deps.adapters));
  app.use(opsRoutes(deps.credentials, { store: deps.store, queues: deps.queues, adapters: deps.adapters, partners: Object.keys(deps.config.partners) }));
  app.use(notFound);
  app.use(problemHandler(deps.logger));
  return app;
}
