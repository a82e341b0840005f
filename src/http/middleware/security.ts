import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { RateLimit } from '../../config/types.js';
import { HubError } from '../../errors/hub-error.js';
import type { AuditLog } from '../../store/audit-log.js';
import { defineScript, type RedisScript } from '../../util/redis-script.js';

/** Headers on every response: nothing here is a page to frame, sniff, cache or refer from. */
export function securityHeaders(tls: boolean) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    if (tls) res.set('Strict-Transport-Security', 'max-age=31536000');
    next();
  };
}

// KEYS: counter ; ARGV: windowMs  -> { count, ttlMs }
const COUNT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { n, redis.call('PTTL', KEYS[1]) }
`;

/**
 * Fixed-window request counters in Redis, so every hub process sharing the Redis enforces one limit.
 * Over the limit: 429 with Retry-After (seconds to the end of the window); audited once per window.
 */
export class RateLimiter {
  private readonly count: RedisScript;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly audit: AuditLog,
  ) {
    this.count = defineScript(redis, 'hubRateCount', 1, COUNT_SCRIPT);
  }

  async check(scope: 'partner' | 'address', id: string, limit: RateLimit, res: Response, actor: string, address?: string): Promise<void> {
    const windowMs = limit.windowSeconds * 1000;
    const window = Math.floor(Date.now() / windowMs);
    const [count, ttl] = (await this.count(`${this.prefix}:rl:${scope}:${id}:${window}`, windowMs)) as [number, number];
    res.set('RateLimit-Policy', `${limit.limit};w=${limit.windowSeconds}`);
    if (count <= limit.limit) return;
    const retryAfter = Math.max(1, Math.ceil((ttl > 0 ? ttl : windowMs) / 1000));
    res.set('Retry-After', String(retryAfter));
    if (count === limit.limit + 1) await this.audit.record({ event: 'rate.limited', actor, address, detail: `${scope} ${id} over ${limit.limit} requests per ${limit.windowSeconds} s` });
    throw new HubError('HUB_ERR_RATE_LIMITED', `Too many requests: the limit is ${limit.limit} per ${limit.windowSeconds} s ${scope === 'partner' ? 'for your partner key' : 'from your address'}. Retry after ${retryAfter} s.`);
  }

  /** Middleware limiting by client address; runs before authentication, so it also slows key guessing. */
  perAddress(limit: RateLimit) {
    return async (req: Request, res: Response, next: NextFunction) => {
      const address = req.ip ?? 'unknown';
      await this.check('address', address, limit, res, 'anonymous', address);
      next();
    };
  }

  /** Middleware limiting by partner; runs after authentication. */
  perPartner(limit: RateLimit) {
    return async (req: Request, res: Response, next: NextFunction) => {
      const partner = req.principal?.role === 'partner' ? req.principal.id : undefined;
      if (partner) await this.check('partner', partner, limit, res, `partner:${partner}`, req.ip);
      next();
    };
  }
}

/** Headers of a signed post. */
export const SIGNATURE_HEADER = 'x-hub-signature';
export const TIMESTAMP_HEADER = 'x-hub-timestamp';

/** The signature a partner computes: HMAC-SHA256 over "<timestamp>.<body>" keyed with SHA-256(API key), hex. */
export function signBody(keyDigest: Buffer, timestamp: string, body: Buffer): string {
  return createHmac('sha256', keyDigest).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * Checks X-Hub-Signature ("v1=<hex>") and X-Hub-Timestamp (Unix seconds) on a partner's post: the timestamp
 * must be within the window of the hub's clock, the HMAC must match, and the same signature is accepted once
 * (remembered in Redis for the window). Required for partners configured with signature: required.
 */
export class SignatureVerifier {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowSeconds: number,
  ) {}

  async verify(req: Request, body: Buffer, required: boolean): Promise<void> {
    const signature = req.get(SIGNATURE_HEADER);
    const timestamp = req.get(TIMESTAMP_HEADER);
    if (!signature && !timestamp) {
      if (required) throw new HubError('HUB_ERR_SIGNATURE_INVALID', 'This partner must sign every post: send X-Hub-Timestamp and X-Hub-Signature (see docs/security.md).');
      return;
    }
    const match = /^v1=([0-9a-f]{64})$/.exec(signature ?? '');
    if (!match || !timestamp || !/^\d{1,12}$/.test(timestamp)) throw new HubError('HUB_ERR_SIGNATURE_INVALID', 'X-Hub-Signature must be "v1=<64 hex digits>" and X-Hub-Timestamp Unix seconds.');
    const skew = Math.abs(Date.now() / 1000 - Number(timestamp));
    if (skew > this.windowSeconds) throw new HubError('HUB_ERR_SIGNATURE_INVALID', `X-Hub-Timestamp is ${Math.round(skew)} s away from the hub's clock; the window is ${this.windowSeconds} s.`);
    const expected = Buffer.from(signBody(req.keyDigest!, timestamp, body), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'))) throw new HubError('HUB_ERR_SIGNATURE_INVALID', 'X-Hub-Signature does not match the body and timestamp.');
    const fresh = await this.redis.set(`${this.prefix}:sig:${match[1]}`, '1', 'EX', this.windowSeconds * 2, 'NX');
    if (fresh === null) throw new HubError('HUB_ERR_SIGNATURE_INVALID', 'This signed request was already received (replay); sign each post anew.');
  }
}
