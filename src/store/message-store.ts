import type { Redis } from 'ioredis';
import type { CanonicalDocument, CanonicalType } from '../canonical/types.js';
import { defineScript, type RedisScript } from '../util/redis-script.js';
import { storeKeys, type StoreKeys } from './keys.js';

/** Where a message is in its life. */
export type MessageStatus = 'accepted' | 'processing' | 'delivered' | 'failed';
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['accepted', 'processing', 'delivered', 'failed'];

/** One timestamped step in a message's history. */
export interface HistoryEntry {
  at: string;
  step: string;
  status?: MessageStatus;
  adapter?: string;
  detail?: string;
  error?: { code: string; message: string; errors?: unknown[] };
}

/** The record kept for every accepted document. */
export interface MessageRecord {
  id: string;
  partner: string;
  format: string;
  documentType: CanonicalType;
  documentNumber: string;
  sha256: string;
  size: number;
  status: MessageStatus;
  receivedAt: string;
  updatedAt: string;
  /** adapter name -> modules it was routed to (set by the transform). */
  routes?: Record<string, string[]>;
  error?: { code: string; message: string };
  replays: number;
}

export interface DeliveryRecord {
  adapter: string;
  status: 'pending' | 'delivered' | 'failed';
  reference?: string;
  at: string;
  error?: string;
}

export interface NewMessage {
  id: string;
  partner: string;
  format: string;
  documentType: CanonicalType;
  documentNumber: string;
  sha256: string;
  raw: Buffer;
}

export interface MessageQuery {
  partner?: string;
  documentType?: string;
  status?: string;
  documentNumber?: string;
  limit: number;
  /** Only messages received strictly before this message id's time (paging, newest first). */
  before?: number;
}

// KEYS: dedupNumber dedupBytes message raw history idxAll idxPartner idxType idxStatus idxNumber pending
// ARGV: id score raw historyEntry field1 value1 ...
const ACCEPT_SCRIPT = `
local existing = redis.call('GET', KEYS[1])
if not existing then existing = redis.call('GET', KEYS[2]) end
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[4], ARGV[3])
redis.call('RPUSH', KEYS[5], ARGV[4])
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[3], unpack(fields))
for i = 6, 11 do redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1]) end
return false
`;

// KEYS: message history indexStatusPrefix(ignored) ; ARGV: newStatus updatedAt historyEntry expectedStatuses(csv or '') prefix extraField extraValue ...
const STATUS_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {err = 'NO_SUCH_MESSAGE'} end
if ARGV[4] ~= '' then
  local allowed = false
  for s in string.gmatch(ARGV[4], '[^,]+') do if s == current then allowed = true end end
  if not allowed then return current end
end
local id = redis.call('HGET', KEYS[1], 'id')
local score = redis.call('ZSCORE', ARGV[5] .. ':idx:all', id)
if current ~= ARGV[1] then
  redis.call('ZREM', ARGV[5] .. ':idx:status:' .. current, id)
  redis.call('ZADD', ARGV[5] .. ':idx:status:' .. ARGV[1], score, id)
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updatedAt', ARGV[2])
for i = 6, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i]) else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
if ARGV[3] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[3]) end
return false
`;

function parseRecord(hash: Record<string, string>): MessageRecord | undefined {
  if (!hash.id) return undefined;
  return {
    id: hash.id,
    partner: hash.partner!,
    format: hash.format!,
    documentType: hash.documentType as CanonicalType,
    documentNumber: hash.documentNumber!,
    sha256: hash.sha256!,
    size: Number(hash.size),
    status: hash.status as MessageStatus,
    receivedAt: hash.receivedAt!,
    updatedAt: hash.updatedAt!,
    ...(hash.routes ? { routes: JSON.parse(hash.routes) } : {}),
    ...(hash.error ? { error: JSON.parse(hash.error) } : {}),
    replays: Number(hash.replays ?? 0),
  };
}

/**
 * Message records, raw documents, history and delivery records in Redis. Acceptance is one atomic script:
 * either the document is new and everything about it is written, or the id of the original is returned.
 */
export class MessageStore {
  readonly keys: StoreKeys;
  private readonly acceptScript: RedisScript;
  private readonly statusScript: RedisScript;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {
    this.keys = storeKeys(prefix);
    this.acceptScript = defineScript(redis, 'hubAcceptMessage', 11, ACCEPT_SCRIPT);
    this.statusScript = defineScript(redis, 'hubSetMessageStatus', 2, STATUS_SCRIPT);
  }

  /** Stores a new document atomically; returns the original message id when it is a duplicate. */
  async accept(message: NewMessage, now = new Date()): Promise<{ duplicateOf?: string }> {
    const k = this.keys;
    const at = now.toISOString();
    const entry: HistoryEntry = { at, step: 'accepted', status: 'accepted', detail: `${message.documentType} ${message.documentNumber} from ${message.partner} (${message.format}, ${message.raw.length} bytes)` };
    const fields: Record<string, string> = {
      id: message.id,
      partner: message.partner,
      format: message.format,
      documentType: message.documentType,
      documentNumber: message.documentNumber,
      sha256: message.sha256,
      size: String(message.raw.length),
      status: 'accepted',
      receivedAt: at,
      updatedAt: at,
      replays: '0',
    };
    const result = (await this.acceptScript(
      k.dedupNumber(message.partner, message.documentType, message.documentNumber),
      k.dedupBytes(message.partner, message.sha256),
      k.message(message.id),
      k.raw(message.id),
      k.history(message.id),
      k.indexAll,
      k.indexPartner(message.partner),
      k.indexType(message.documentType),
      k.indexStatus('accepted'),
      k.indexNumber(message.documentNumber),
      k.pending,
      message.id,
      String(now.getTime()),
      message.raw,
      JSON.stringify(entry),
      ...Object.entries(fields).flat(),
    )) as string | null;
    return result ? { duplicateOf: result } : {};
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    return parseRecord(await this.redis.hgetall(this.keys.message(id)));
  }

  async raw(id: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.keys.raw(id));
  }

  async history(id: string): Promise<HistoryEntry[]> {
    return (await this.redis.lrange(this.keys.history(id), 0, -1)).map((line) => JSON.parse(line) as HistoryEntry);
  }

  async addHistory(id: string, entry: Omit<HistoryEntry, 'at'>): Promise<void> {
    await this.redis.rpush(this.keys.history(id), JSON.stringify({ at: new Date().toISOString(), ...entry }));
  }

  /**
   * Moves a message to a new status (indexes and history in the same step). With `onlyFrom`, the change
   * happens only from those statuses; returns the status found when it did not happen.
   */
  async setStatus(
    id: string,
    status: MessageStatus,
    options: { entry?: Omit<HistoryEntry, 'at' | 'status'>; onlyFrom?: MessageStatus[]; fields?: Record<string, string | null> } = {},
  ): Promise<{ changed: boolean; current?: MessageStatus }> {
    const at = new Date().toISOString();
    const entry = options.entry ? JSON.stringify({ at, ...options.entry, status }) : '';
    const extra = Object.entries(options.fields ?? {}).flatMap(([key, value]) => [key, value ?? '']);
    const result = (await this.statusScript(this.keys.message(id), this.keys.history(id), status, at, entry, (options.onlyFrom ?? []).join(','), this.prefix, ...extra)) as
      | string
      | null;
    return result ? { changed: false, current: result as MessageStatus } : { changed: true };
  }

  async saveCanonical(id: string, canonical: CanonicalDocument, routes: Record<string, string[]>): Promise<void> {
    await this.redis.hset(this.keys.message(id), 'canonical', JSON.stringify(canonical), 'routes', JSON.stringify(routes));
  }

  async canonical(id: string): Promise<CanonicalDocument | undefined> {
    const json = await this.redis.hget(this.keys.message(id), 'canonical');
    return json ? (JSON.parse(json) as CanonicalDocument) : undefined;
  }

  async markTransformed(id: string): Promise<void> {
    await this.redis.zrem(this.keys.pending, id);
  }

  /** Messages accepted before `olderThanMs` whose transform never finished (lost enqueue, crash). */
  async stalePending(olderThanMs: number, limit = 500): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.pending, '-inf', Date.now() - olderThanMs, 'LIMIT', 0, limit);
  }

  async markPending(id: string): Promise<void> {
    await this.redis.zadd(this.keys.pending, Date.now(), id);
  }

  async deliveries(id: string): Promise<DeliveryRecord[]> {
    const hash = await this.redis.hgetall(this.keys.deliveries(id));
    return Object.values(hash).map((json) => JSON.parse(json) as DeliveryRecord);
  }

  async delivery(id: string, adapter: string): Promise<DeliveryRecord | undefined> {
    const json = await this.redis.hget(this.keys.deliveries(id), adapter);
    return json ? (JSON.parse(json) as DeliveryRecord) : undefined;
  }

  async setDelivery(id: string, record: DeliveryRecord): Promise<void> {
    await this.redis.hset(this.keys.deliveries(id), record.adapter, JSON.stringify(record));
  }

  /** Newest first, filtered; uses the narrowest index, then checks the other filters on the records. */
  async query(q: MessageQuery): Promise<MessageRecord[]> {
    const k = this.keys;
    const index = q.documentNumber
      ? k.indexNumber(q.documentNumber)
      : q.partner
        ? k.indexPartner(q.partner)
        : q.status
          ? k.indexStatus(q.status)
          : q.documentType
            ? k.indexType(q.documentType)
            : k.indexAll;
    const out: MessageRecord[] = [];
    let max = q.before !== undefined ? `(${q.before}` : '+inf';
    const batch = Math.max(q.limit * 2, 50);
    for (;;) {
      const page = await this.redis.zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', 0, batch);
      if (page.length === 0) return out;
      const ids = page.filter((_, i) => i % 2 === 0);
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hgetall(k.message(id));
      const results = (await pipeline.exec()) ?? [];
      for (const [, hash] of results) {
        const record = parseRecord(hash as Record<string, string>);
        if (!record) continue;
        if (q.partner && record.partner !== q.partner) continue;
        if (q.status && record.status !== q.status) continue;
        if (q.documentType && record.documentType !== q.documentType) continue;
        if (q.documentNumber && record.documentNumber !== q.documentNumber) continue;
        out.push(record);
        if (out.length >= q.limit) return out;
      }
      if (page.length < batch * 2) return out;
      max = `(${page[page.length - 1]}`;
    }
  }
}
