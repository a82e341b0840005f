import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimit } from '../config/types.js';
import { defineScript, type RedisScript } from '../util/redis-script.js';

// KEYS: user counter, address counter; ARGV: user window ms, address window ms -> { user count, address count }
const FAILED_SCRIPT = `
local u = redis.call('INCR', KEYS[1])
if u == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local a = redis.call('INCR', KEYS[2])
if a == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return { u, a }
`;

/**
 * Failed sign-ins counted per user name and per client address in fixed windows in Redis, like the API's rate
 * limits (src/http/middleware/security.ts): every hub process sharing the Redis counts into one window, and
 * losing Redis only forgets the current window. Only failures count, so people who type their password right
 * are never slowed; a name or an address at its limit is refused before the password is checked, whether the
 * user exists or not. User names are counted by the SHA-256 of their lower-case form (no names in Redis keys).
 */
export class SignInLimiter {
  private readonly countFailure: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: { perUser: RateLimit; perAddress: RateLimit },
  ) {
    this.countFailure = defineScript(redis, 'hubConsoleSignInFailed', 2, FAILED_SCRIPT);
  }

  private keys(userName: string, address: string): { user: string; address: string } {
    const user = createHash('sha256').update(userName.toLowerCase()).digest('hex');
    const window = (limit: RateLimit) => Math.floor(Date.now() / (limit.windowSeconds * 1000));
    return {
      user: `${this.prefix}:rl:console-signin:user:${user}:${window(this.limits.perUser)}`,
      address: `${this.prefix}:rl:console-signin:address:${address}:${window(this.limits.perAddress)}`,
    };
  }

  /** Seconds until the next attempt is allowed when the name or the address is at its limit; 0 when allowed. */
  async blockedFor(userName: string, address: string): Promise<number> {
    const keys = this.keys(userName, address);
    const [user, byAddress] = await this.redis.mget(keys.user, keys.address);
    let wait = 0;
    if (Number(user ?? 0) >= this.limits.perUser.limit) wait = Math.max(wait, await this.ttlSeconds(keys.user));
    if (Number(byAddress ?? 0) >= this.limits.perAddress.limit) wait = Math.max(wait, await this.ttlSeconds(keys.address));
    return wait;
  }

  /** Counts a failure; returns which limits this failure reached (so the audit notes it once per window). */
  async failed(userName: string, address: string): Promise<{ userLimitReached: boolean; addressLimitReached: boolean }> {
    const keys = this.keys(userName, address);
    const [user, byAddress] = (await this.countFailure(keys.user, keys.address, this.limits.perUser.windowSeconds * 1000, this.limits.perAddress.windowSeconds * 1000)) as [number, number];
    return { userLimitReached: user === this.limits.perUser.limit, addressLimitReached: byAddress === this.limits.perAddress.limit };
  }

  private async ttlSeconds(key: string): Promise<number> {
    const ms = await this.redis.pttl(key);
    return Math.max(1, Math.ceil(ms / 1000));
  }
}
