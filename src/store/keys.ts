import type { Redis } from 'ioredis';

/** Every Redis key the hub's own stores use, in one place, under one prefix. */
export function storeKeys(prefix: string) {
  return {
    message: (id: string) => `${prefix}:msg:${id}`,
    raw: (id: string) => `${prefix}:raw:${id}`,
    history: (id: string) => `${prefix}:hist:${id}`,
    deliveries: (id: string) => `${prefix}:deliv:${id}`,
    dedupNumber: (partner: string, type: string, documentNumber: string) => `${prefix}:dedup:num:${partner}:${type}:${documentNumber}`,
    dedupBytes: (partner: string, sha256: string) => `${prefix}:dedup:sha:${partner}:${sha256}`,
    indexAll: `${prefix}:idx:all`,
    indexPartner: (partner: string) => `${prefix}:idx:partner:${partner}`,
    indexType: (type: string) => `${prefix}:idx:type:${type}`,
    indexStatus: (status: string) => `${prefix}:idx:status:${status}`,
    indexNumber: (documentNumber: string) => `${prefix}:idx:num:${documentNumber}`,
    /** Messages accepted whose transform has not finished: swept and re-enqueued after a crash. */
    pending: `${prefix}:pending`,
    credentials: `${prefix}:credentials`,
  };
}
export type StoreKeys = ReturnType<typeof storeKeys>;

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
