import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { RateLimit } from '../../config/types.js';
import { HubError } from '../../errors/hub-error.js';
import { isRedisUnavailable } from '../../errors/unavailable.js';
import type { HubMetrics } from '../../metrics.js';
import { requireRole, type AuthDeps } from '../middleware/auth.js';
import { notFound, problemHandler } from '../middleware/errors.js';
import type { RateLimiter } from '../middleware/security.js';
import { securityHeaders } from '../middleware/security.js';

/** Longest the per-address limit may take before a scrape goes on without it (Redis slow or down). */
const LIMIT_CHECK_TIMEOUT_MS = 250;

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when `presented` is the scrape token; constant time in the token (both sides hashed to 32 bytes first). */
export function isScrapeToken(presented: string, token: string | undefined): boolean {
  return token !== undefined && timingSafeEqual(digest(presented), digest(token));
}

export interface MetricsRouteDeps {
  metrics: HubMetrics;
  /** The configured scrape token (metrics.scrapeTokenEnv), if any. */
  scrapeToken?: string;
  /** The ops key check; without it (a worker's listener) only the scrape token is accepted. */
  auth?: AuthDeps;
  /** Counted per address like every other request, but a Redis that is down or slow does not stop a scrape. */
  limiter?: { rateLimiter: RateLimiter; limit: RateLimit };
}

/**
 * GET /metrics: Prometheus text for the ops key (Bearer) or the scrape token; 401 otherwise. Mounted before the
 * API's per-address limit so that a Redis outage, which the metrics must show, does not turn the scrape into 503.
 */
export function metricsRoutes(deps: MetricsRouteDeps): Router {
  const router = Router();
  const limitUnlessRedisDown = async (req: Request, res: Response, next: NextFunction) => {
    if (!deps.limiter) return next();
    const address = req.ip ?? 'unknown';
    const check = deps.limiter.rateLimiter.check('address', address, deps.limiter.limit, res, 'anonymous', address);
    try {
      await Promise.race([check, new Promise<void>((resolve) => setTimeout(resolve, LIMIT_CHECK_TIMEOUT_MS).unref())]);
    } catch (error) {
      if (!isRedisUnavailable(error)) throw error;
    }
    check.catch(() => {}); // a check still running when the race ended settles unheard
    next();
  };
  const tokenOrOps = (req: Request, res: Response, next: NextFunction) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
    if (bearer && isScrapeToken(bearer, deps.scrapeToken)) return next();
    if (deps.auth) return requireRole(deps.auth, 'ops')(req, res, next);
    res.set('WWW-Authenticate', bearer ? 'Bearer error="invalid_token"' : 'Bearer');
    next(new HubError('HUB_ERR_UNAUTHENTICATED', 'Send the scrape token as "Authorization: Bearer <token>".'));
  };
  router.get('/metrics', limitUnlessRedisDown, tokenOrOps, async (_req, res) => {
    const { contentType, body } = await deps.metrics.scrape();
    res.set('Content-Type', contentType).set('Cache-Control', 'no-store').send(body);
  });
  return router;
}

/** The /metrics listener of a process without the HTTP API (hub worker with metrics.port): nothing else. */
export function metricsApp(metrics: HubMetrics, scrapeToken: string, tls: boolean, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders(tls));
  app.use(metricsRoutes({ metrics, scrapeToken }));
  app.use(notFound);
  app.use(problemHandler(logger));
  return app;
}
