import type { Redis } from 'ioredis';

/**
 * Redis holds only what may be lost and rebuilt: BullMQ's jobs (under `<prefix>:q`), rate-limit windows
 * (`<prefix>:rl:*`), the signature replay cache (`<prefix>:sig:*`) and adapters' state that may be lost
 * (`<prefix>:adapter:<name>:*`, e.g. Tryton's first-seen time of an unknown purchase). The system of record is
 * PostgreSQL.
 */

/** Deletes every key under a prefix (tests, benchmarks, tearing down a hub instance). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
