import type { Redis } from 'ioredis';
import type { PulledMessage, PullSource } from '../../src/adapters/contract.js';
import type { CanonicalDocument } from '../../src/canonical/types.js';
import type { ErpModule } from '../../src/config/types.js';
import { defineScript, type RedisScript } from '../../src/util/redis-script.js';

// KEYS: message readySet ; ARGV: id documentId type module canonical now
const PUT_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'documentId', ARGV[2], 'type', ARGV[3], 'module', ARGV[4], 'canonical', ARGV[5], 'deliveryCount', 0, 'createdAt', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
return 1
`;

// KEYS: readySet ; ARGV: now limit leaseUntil messagePrefix
const FETCH_SCRIPT = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], ARGV[3], id)
  local key = ARGV[4] .. id
  local count = redis.call('HINCRBY', key, 'deliveryCount', 1)
  out[#out + 1] = {id, redis.call('HGET', key, 'documentId'), redis.call('HGET', key, 'type'), redis.call('HGET', key, 'module'), count, redis.call('HGET', key, 'canonical')}
end
return out
`;

// KEYS: message ; ARGV: now retentionSeconds readyPrefix id
const ACK_SCRIPT = `
local module = redis.call('HGET', KEYS[1], 'module')
if not module then return 0 end
if redis.call('ZREM', ARGV[3] .. module, ARGV[4]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'ackedAt', ARGV[1])
redis.call('HDEL', KEYS[1], 'canonical')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`;

/**
 * The outbox in Redis: one message per (hub message, ERP module), identified by `<message id>.<module>`.
 * A fetch leases messages for the visibility timeout (their score moves to the lease's end); one not
 * acknowledged by then is available again. An acknowledged message leaves a tombstone for the retention
 * period, so a late retry of the same delivery cannot put it back.
 */
export class OutboxStore implements PullSource {
  private readonly putScript: RedisScript;
  private readonly fetchScript: RedisScript;
  private readonly ackScript: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly visibilityTimeoutMs: number,
    private readonly retentionSeconds: number,
  ) {
    this.putScript = defineScript(redis, 'hubOutboxPut', 2, PUT_SCRIPT);
    this.fetchScript = defineScript(redis, 'hubOutboxFetch', 1, FETCH_SCRIPT);
    this.ackScript = defineScript(redis, 'hubOutboxAck', 1, ACK_SCRIPT);
  }

  private messageKey(id: string): string {
    return `${this.prefix}:msg:${id}`;
  }

  private readyKey(module: string): string {
    return `${this.prefix}:ready:${module}`;
  }

  /** Adds the message for a module unless it already exists (or existed and was acknowledged). */
  async put(documentId: string, module: ErpModule, doc: CanonicalDocument): Promise<{ id: string; created: boolean }> {
    const id = `${documentId}.${module}`;
    const created = (await this.putScript(this.messageKey(id), this.readyKey(module), id, documentId, doc.type, module, JSON.stringify(doc), String(Date.now()))) as number;
    return { id, created: created === 1 };
  }

  async fetch(module: ErpModule, limit: number): Promise<PulledMessage[]> {
    const now = Date.now();
    const leaseUntil = now + this.visibilityTimeoutMs;
    const rows = (await this.fetchScript(this.readyKey(module), String(now), String(limit), String(leaseUntil), `${this.prefix}:msg:`)) as [string, string, string, string, number, string][];
    const leaseExpiresAt = new Date(leaseUntil).toISOString();
    return rows.map(([id, documentId, type, mod, count, canonical]) => ({
      id,
      documentId,
      type,
      module: mod as ErpModule,
      deliveryCount: Number(count),
      leaseExpiresAt,
      canonical: JSON.parse(canonical) as CanonicalDocument,
    }));
  }

  async ack(id: string): Promise<boolean> {
    const result = (await this.ackScript(this.messageKey(id), new Date().toISOString(), String(this.retentionSeconds), `${this.prefix}:ready:`, id)) as number;
    return result === 1;
  }

  async stats(module: ErpModule): Promise<{ ready: number; leased: number }> {
    const now = Date.now();
    const [ready, leased] = await Promise.all([this.redis.zcount(this.readyKey(module), '-inf', now), this.redis.zcount(this.readyKey(module), `(${now}`, '+inf')]);
    return { ready, leased };
  }
}
