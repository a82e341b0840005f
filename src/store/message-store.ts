import type { CanonicalDocument, CanonicalType } from '../canonical/types.js';
import type { Database, Queryable } from '../db/database.js';
import { decodeCursor, encodeCursor, type Cursor } from './cursor.js';
import { refreshSummaries } from './summaries.js';

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
  /** The party that sent it (the seller of an invoice or despatch advice, the buyer of an order). */
  sendingParty: string;
  /** 0 for the first document with this number; n for the n-th accepted revision. */
  revision: number;
  /** The first document with this number, when this one is a revision. */
  revisionOf?: string;
  sha256: string;
  size: number;
  contentType?: string;
  status: MessageStatus;
  receivedAt: string;
  updatedAt: string;
  /** adapter name -> modules it was routed to (set by the transform). */
  routes?: Record<string, string[]>;
  error?: { code: string; message: string };
  replays: number;
  /** When retention dropped the raw bytes (the record stays until recordDays). */
  rawRemovedAt?: string;
  /** inbound: a partner's document for the ERP; outbound: the ERP's document for a partner (src/pipeline/outbound.ts). */
  direction: 'inbound' | 'outbound';
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
  sendingParty: string;
  sha256: string;
  raw: Buffer;
  contentType?: string;
  /** Business keys known at the intake (the number, the sending party); the transform adds the rest. */
  keys?: BusinessKey[];
  /** The EDI interchange this transaction came in (interchanges.id). */
  interchangeId?: string;
}

export interface BusinessKey {
  kind: string;
  value: string;
}

/** What accept found: a new message, the same bytes again, or the same number with other content. */
export type AcceptOutcome =
  | { outcome: 'accepted'; id: string; revision: number; revisionOf?: string }
  | { outcome: 'duplicate'; id: string }
  | { outcome: 'conflict'; originalId: string; originalSha256: string };

export interface MessageQuery {
  /** Any business key (order number, invoice number, party id ...) or a message id. */
  q?: string;
  /** The document's own number. */
  documentNumber?: string;
  partner?: string;
  documentType?: string;
  status?: string;
  /** received_at >= from, < to (ISO 8601). */
  from?: string;
  to?: string;
  limit: number;
  /** Opaque cursor from the previous page: continues strictly after its last message. */
  cursor?: string;
  /** Orders with no linked shipment notice / invoice yet. */
  missing?: 'shipnotice' | 'invoice';
}

export interface Page<T> {
  items: T[];
  /** Present when there may be more: pass it as `cursor` for the next page. */
  next?: string;
}

const RECORD_COLUMNS = `id, partner, format, document_type, document_number, sending_party, revision, revision_of, sha256, size, content_type,
  status, received_at, updated_at, routes, error, replays, raw_removed_at, direction`;

interface RecordRow {
  id: string;
  partner: string;
  format: string;
  document_type: CanonicalType;
  document_number: string;
  sending_party: string;
  revision: number;
  revision_of: string | null;
  sha256: string;
  size: number;
  content_type: string | null;
  status: MessageStatus;
  received_at: Date;
  updated_at: Date;
  routes: Record<string, string[]> | null;
  error: { code: string; message: string } | null;
  replays: number;
  raw_removed_at: Date | null;
  direction: 'inbound' | 'outbound';
}

function toRecord(row: RecordRow): MessageRecord {
  return {
    id: row.id,
    partner: row.partner,
    format: row.format,
    documentType: row.document_type,
    documentNumber: row.document_number,
    sendingParty: row.sending_party,
    revision: row.revision,
    ...(row.revision_of ? { revisionOf: row.revision_of } : {}),
    sha256: row.sha256,
    size: row.size,
    ...(row.content_type ? { contentType: row.content_type } : {}),
    status: row.status,
    receivedAt: row.received_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    ...(row.routes ? { routes: row.routes } : {}),
    ...(row.error ? { error: row.error } : {}),
    replays: row.replays,
    ...(row.raw_removed_at ? { rawRemovedAt: row.raw_removed_at.toISOString() } : {}),
    direction: row.direction,
  };
}

function historyEntry(row: { at: Date; step: string; status: MessageStatus | null; adapter: string | null; detail: string | null; error: HistoryEntry['error'] | null }): HistoryEntry {
  return {
    at: row.at.toISOString(),
    step: row.step,
    ...(row.status ? { status: row.status } : {}),
    ...(row.adapter ? { adapter: row.adapter } : {}),
    ...(row.detail ? { detail: row.detail } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}

async function insertHistory(db: Queryable, id: string, entry: Omit<HistoryEntry, 'at'>, at = new Date()): Promise<void> {
  await db.query('INSERT INTO message_history (message_id, at, step, status, adapter, detail, error) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    id,
    at,
    entry.step,
    entry.status ?? null,
    entry.adapter ?? null,
    entry.detail ?? null,
    entry.error ? JSON.stringify(entry.error) : null,
  ]);
}

/** Unique-key spellings: trimmed, no empty values, no repeats. */
export function normaliseKeys(keys: readonly BusinessKey[]): BusinessKey[] {
  const seen = new Set<string>();
  const out: BusinessKey[] = [];
  for (const k of keys) {
    const value = k.value.trim();
    if (!value || value.length > 512) continue;
    const id = `${k.kind}\u0000${value}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ kind: k.kind, value });
  }
  return out;
}

export async function insertKeys(db: Queryable, id: string, keys: readonly BusinessKey[]): Promise<void> {
  const rows = normaliseKeys(keys);
  if (!rows.length) return;
  await db.query(
    `INSERT INTO business_keys (message_id, kind, value, received_at)
     SELECT $1, k, v, (SELECT received_at FROM messages WHERE id = $1) FROM unnest($2::text[], $3::text[]) AS t(k, v) ON CONFLICT DO NOTHING`,
    [
    id,
      rows.map((k) => k.kind),
      rows.map((k) => k.value),
    ],
  );
}

/** The filters shared by the message and refusal listings, as SQL conditions on alias `m`. */
export function timeAndCursorConditions(q: { from?: string; to?: string; cursor?: string }, params: unknown[], column = 'm.received_at'): string[] {
  const where: string[] = [];
  if (q.from) where.push(`${column} >= $${params.push(q.from)}`);
  if (q.to) where.push(`${column} < $${params.push(q.to)}`);
  if (q.cursor) {
    const c: Cursor = decodeCursor(q.cursor);
    where.push(`(${column}, m.id) < ($${params.push(c.at)}::timestamptz, $${params.push(c.id)}::uuid)`);
  }
  return where;
}

/**
 * The message records, raw documents, canonical documents, history, deliveries and business keys in
 * PostgreSQL (the system of record). Acceptance is one transaction: the document is new and everything about
 * it is committed, or the original's id is returned.
 */
export class MessageStore {
  constructor(readonly db: Database) {}

  /** Too many requests of this process already wait for a PostgreSQL connection (database.maxWaiting). */
  overloaded(): boolean {
    return this.db.overloaded();
  }

  /**
   * Stores a new document in one transaction, or says what it duplicates. With `revisions`, the same number
   * with new content is accepted as the next revision (linked to the first) instead of a conflict.
   */
  async accept(message: NewMessage, options: { revisions?: boolean; now?: Date; sameContent?: (existing: Buffer) => boolean } = {}): Promise<AcceptOutcome> {
    const at = options.now ?? new Date();
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.db.transaction(async (tx) => {
        const same = await tx.query<{ id: string }>('SELECT id FROM messages WHERE partner = $1 AND sha256 = $2', [message.partner, message.sha256]);
        if (same.rows[0]) return { outcome: 'duplicate', id: same.rows[0].id } as const;
        const numbered = await tx.query<{ id: string; sha256: string; revision: number }>(
          'SELECT id, sha256, revision FROM messages WHERE partner = $1 AND document_type = $2 AND sending_party = $3 AND document_number = $4 ORDER BY revision',
          [message.partner, message.documentType, message.sendingParty, message.documentNumber],
        );
        const first = numbered.rows[0];
        const latest = numbered.rows[numbered.rows.length - 1];
        if (latest && options.sameContent) {
          // Other bytes, maybe the same document (other prefixes, indentation): a re-send, not a change.
          const kept = await tx.query<{ bytes: Buffer }>('SELECT bytes FROM message_raw WHERE message_id = $1', [latest.id]);
          if (kept.rows[0] && options.sameContent(kept.rows[0].bytes)) return { outcome: 'duplicate', id: latest.id } as const;
        }
        if (first && !options.revisions) return { outcome: 'conflict', originalId: first.id, originalSha256: first.sha256 } as const;
        const revision = latest ? latest.revision + 1 : 0;
        const inserted = await tx.query(
          `INSERT INTO messages (id, partner, format, document_type, document_number, sending_party, revision, revision_of, sha256, size, content_type,
                                 status, received_at, updated_at, replays, interchange_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'accepted', $12, $12, 0, $13) ON CONFLICT DO NOTHING RETURNING id`,
          [message.id, message.partner, message.format, message.documentType, message.documentNumber, message.sendingParty, revision, first?.id ?? null, message.sha256, message.raw.length, message.contentType ?? null, at, message.interchangeId ?? null],
        );
        // Another request took the same number or bytes between our look and our insert: look again.
        if (inserted.rowCount === 0) return undefined;
        await tx.query('INSERT INTO message_raw (message_id, bytes) VALUES ($1, $2)', [message.id, message.raw]);
        const detail = `${message.documentType} ${message.documentNumber}${revision ? ` (revision ${revision})` : ''} from ${message.partner} (${message.format}, ${message.raw.length} bytes)`;
        await insertHistory(tx, message.id, { step: 'accepted', status: 'accepted', detail }, at);
        await insertKeys(tx, message.id, message.keys ?? []);
        if (first) await tx.query("INSERT INTO document_links (from_id, to_id, kind) VALUES ($1, $2, 'revision-of') ON CONFLICT DO NOTHING", [message.id, first.id]);
        return { outcome: 'accepted', id: message.id, revision, ...(first ? { revisionOf: first.id } : {}) } as const;
      });
      if (outcome) return outcome;
      if (attempt >= 3) throw new Error(`accept of ${message.id}: the same number kept being taken concurrently`);
    }
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    const { rows } = await this.db.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM messages WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async raw(id: string): Promise<Buffer | null> {
    const { rows } = await this.db.query<{ bytes: Buffer }>('SELECT bytes FROM message_raw WHERE message_id = $1', [id]);
    return rows[0]?.bytes ?? null;
  }

  async history(id: string): Promise<HistoryEntry[]> {
    const { rows } = await this.db.query('SELECT at, step, status, adapter, detail, error FROM message_history WHERE message_id = $1 ORDER BY id', [id]);
    return rows.map(historyEntry);
  }

  async addHistory(id: string, entry: Omit<HistoryEntry, 'at'>): Promise<void> {
    await insertHistory(this.db, id, entry);
  }

  /**
   * Moves a message to a new status, with its history entry, in one statement pair. With `onlyFrom`, the
   * change happens only from those statuses; returns the status found when it did not happen.
   */
  async setStatus(
    id: string,
    status: MessageStatus,
    options: { entry?: Omit<HistoryEntry, 'at' | 'status'>; onlyFrom?: MessageStatus[]; error?: { code: string; message: string } | null; replays?: number; transformed?: boolean } = {},
  ): Promise<{ changed: boolean; current?: MessageStatus }> {
    return this.db.transaction(async (tx) => {
      const sets = ['status = $2', 'updated_at = now()'];
      const params: unknown[] = [id, status];
      if (options.error !== undefined) sets.push(`error = $${params.push(options.error === null ? null : JSON.stringify(options.error))}`);
      if (options.replays !== undefined) sets.push(`replays = $${params.push(options.replays)}`);
      if (options.transformed === false) sets.push('transformed_at = NULL');
      let where = 'id = $1';
      if (options.onlyFrom?.length) where += ` AND status = ANY($${params.push(options.onlyFrom)})`;
      const updated = await tx.query(`UPDATE messages SET ${sets.join(', ')} WHERE ${where}`, params);
      if (updated.rowCount === 0) {
        const current = await tx.query<{ status: MessageStatus }>('SELECT status FROM messages WHERE id = $1', [id]);
        if (!current.rows[0]) throw new Error(`no message ${id}`);
        return { changed: false, current: current.rows[0].status };
      }
      if (options.entry) await insertHistory(tx, id, { ...options.entry, status });
      return { changed: true };
    });
  }

  /**
   * The canonical document, its routes and business keys, the links they make and the department summaries'
   * facts (src/store/summaries.ts: those of its revision group are written again, so a replay never counts
   * twice and a revision replaces the earlier one), in one transaction.
   */
  async saveCanonical(id: string, canonical: CanonicalDocument, routes: Record<string, string[]>, keys: readonly BusinessKey[] = []): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('INSERT INTO message_canonical (message_id, canonical) VALUES ($1, $2) ON CONFLICT (message_id) DO UPDATE SET canonical = EXCLUDED.canonical', [id, JSON.stringify(canonical)]);
      await tx.query('UPDATE messages SET routes = $2 WHERE id = $1', [id, JSON.stringify(routes)]);
      await insertKeys(tx, id, keys);
      await linkDocument(tx, id);
      await refreshSummaries(tx, id);
    });
  }

  async canonical(id: string): Promise<CanonicalDocument | undefined> {
    const { rows } = await this.db.query<{ canonical: CanonicalDocument }>('SELECT canonical FROM message_canonical WHERE message_id = $1', [id]);
    return rows[0]?.canonical;
  }

  async keys(id: string): Promise<BusinessKey[]> {
    const { rows } = await this.db.query<BusinessKey>('SELECT kind, value FROM business_keys WHERE message_id = $1 ORDER BY kind, value', [id]);
    return rows;
  }

  /** The transform has finished (or has nothing left to do): the sweeper no longer looks at the message. */
  async markTransformed(id: string): Promise<void> {
    await this.db.query('UPDATE messages SET transformed_at = now() WHERE id = $1', [id]);
  }

  /**
   * Work to queue again (after a crash, a lost enqueue or a Redis wipe), read from PostgreSQL: messages
   * accepted but not transformed, and pending deliveries of messages in processing, unchanged for `olderThanMs`.
   */
  async stalled(
    olderThanMs: number,
    limit = 500,
  ): Promise<{
    transforms: Array<{ id: string; replays: number; requeues: number }>;
    deliveries: Array<{ id: string; adapter: string; replays: number; requeues: number }>;
    settled: Array<{ id: string; failed: string[] }>;
  }> {
    const cutoff = new Date(Date.now() - olderThanMs);
    // requeues: how often the sweeper already queued this work again since the last replay.
    const requeues = (adapter: string) => `(SELECT count(*) FROM message_history h WHERE h.message_id = m.id AND h.step = 'requeued' AND ${adapter}
        AND h.id > coalesce((SELECT max(r.id) FROM message_history r WHERE r.message_id = m.id AND r.step = 'replayed'), 0))`;
    const transforms = await this.db.query<{ id: string; replays: number; requeues: number }>(
      `SELECT m.id, m.replays, ${requeues('h.adapter IS NULL')} AS requeues FROM messages m
        WHERE m.status IN ('accepted', 'processing') AND m.transformed_at IS NULL AND m.updated_at < $1 ORDER BY m.updated_at LIMIT $2`,
      [cutoff, limit],
    );
    const deliveries = await this.db.query<{ id: string; adapter: string; replays: number; requeues: number }>(
      `SELECT m.id, d.adapter, m.replays, ${requeues('h.adapter = d.adapter')} AS requeues FROM messages m JOIN deliveries d ON d.message_id = m.id
        WHERE m.status = 'processing' AND m.transformed_at IS NOT NULL AND d.status = 'pending' AND d.at < $1 ORDER BY d.at LIMIT $2`,
      [cutoff, limit],
    );
    const settled = await this.db.query<{ id: string; failed: string[] }>(
      `SELECT m.id, coalesce(array_agg(d.adapter) FILTER (WHERE d.status = 'failed'), '{}') AS failed FROM messages m JOIN deliveries d ON d.message_id = m.id
        WHERE m.status = 'processing' AND m.transformed_at IS NOT NULL AND m.updated_at < $1
        GROUP BY m.id HAVING count(*) FILTER (WHERE d.status = 'pending') = 0 LIMIT $2`,
      [cutoff, limit],
    );
    return { transforms: transforms.rows, deliveries: deliveries.rows, settled: settled.rows };
  }

  /** Runs `work` holding a session advisory lock of this schema; undefined (not run) when another holds it. */
  async withLock<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    const client = await this.db.pool.connect();
    const key = `b2b-hub:${name}:${this.db.schema}`;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key]);
      if (!rows[0]?.locked) return undefined;
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
      }
    } finally {
      client.release();
    }
  }

  /** True while the message waits for a transform that has not finished (read now, not from a sweep's list). */
  async needsTransform(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query("SELECT 1 FROM messages WHERE id = $1 AND status IN ('accepted', 'processing') AND transformed_at IS NULL", [id]);
    return (rowCount ?? 0) > 0;
  }

  /** True while this delivery is pending for a message in processing. */
  async needsDelivery(id: string, adapter: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      "SELECT 1 FROM messages m JOIN deliveries d ON d.message_id = m.id WHERE m.id = $1 AND d.adapter = $2 AND m.status = 'processing' AND d.status = 'pending'",
      [id, adapter],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Touches a pending delivery so the sweeper waits another period before queueing it again. */
  async touchDelivery(id: string, adapter: string): Promise<void> {
    await this.db.query("UPDATE deliveries SET at = now() WHERE message_id = $1 AND adapter = $2 AND status = 'pending'", [id, adapter]);
  }

  async touchMessage(id: string): Promise<void> {
    await this.db.query('UPDATE messages SET updated_at = now() WHERE id = $1', [id]);
  }

  async deliveries(id: string): Promise<DeliveryRecord[]> {
    const { rows } = await this.db.query('SELECT adapter, status, reference, at, error FROM deliveries WHERE message_id = $1 ORDER BY adapter', [id]);
    return rows.map((r) => ({ adapter: r.adapter, status: r.status, ...(r.reference ? { reference: r.reference } : {}), at: r.at.toISOString(), ...(r.error ? { error: r.error } : {}) }));
  }

  async delivery(id: string, adapter: string): Promise<DeliveryRecord | undefined> {
    return (await this.deliveries(id)).find((d) => d.adapter === adapter);
  }

  /** Writes a delivery record; a delivered one is never turned back into pending or failed. */
  async setDelivery(id: string, record: DeliveryRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO deliveries (message_id, adapter, status, reference, at, error) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (message_id, adapter) DO UPDATE SET status = EXCLUDED.status, reference = EXCLUDED.reference, at = EXCLUDED.at, error = EXCLUDED.error
       WHERE deliveries.status <> 'delivered'`,
      [id, record.adapter, record.status, record.reference ?? null, record.at, record.error ?? null],
    );
  }

  /**
   * The one way a delivered record goes back to pending: a forced replay (src/pipeline/replay.ts), which asks
   * for the adapter to be called again with the same idempotency key. The old reference stays in the history.
   */
  async resetDelivery(id: string, adapter: string): Promise<void> {
    await this.db.query("UPDATE deliveries SET status = 'pending', error = NULL, at = now() WHERE message_id = $1 AND adapter = $2", [id, adapter]);
  }

  /** Newest first, filtered, one page; `q` matches any business key (one index lookup) or the message id. */
  /** The filters other than q and time, as SQL conditions on alias `m`. */
  private filters(q: MessageQuery, where: string[], params: unknown[]): void {
    if (q.documentNumber) where.push(`m.id IN (SELECT message_id FROM business_keys WHERE value = $${params.push(q.documentNumber.trim())} AND kind = 'documentNumber')`);
    if (q.partner) where.push(`m.partner = $${params.push(q.partner)}`);
    if (q.documentType) where.push(`m.document_type = $${params.push(q.documentType)}`);
    if (q.status) where.push(`m.status = $${params.push(q.status)}`);
    if (q.missing) {
      where.push(`m.document_type = 'Order' AND m.revision = 0`);
      const kinds = q.missing === 'invoice' ? `('invoices-order')` : `('ships-order')`;
      where.push(`NOT EXISTS (SELECT 1 FROM document_links l JOIN messages r ON r.id = l.to_id WHERE (r.id = m.id OR r.revision_of = m.id) AND l.kind IN ${kinds})`);
    }
  }

  /**
   * A search by business key reads the key's index entries newest first (value, received_at, message_id) and
   * stops at the page's end, however many messages share the key or how old they are; a message carrying the
   * value under several kinds appears once. A message id as q is found too.
   */
  private async queryByKey(q: MessageQuery): Promise<Page<MessageRecord>> {
    const params: unknown[] = [];
    const value = q.q!.trim();
    const where = [`k.value = $${params.push(value)}`];
    if (q.from) where.push(`k.received_at >= $${params.push(q.from)}`);
    if (q.to) where.push(`k.received_at < $${params.push(q.to)}`);
    if (q.cursor) {
      const c: Cursor = decodeCursor(q.cursor);
      where.push(`(k.received_at, k.message_id) < ($${params.push(c.at)}::timestamptz, $${params.push(c.id)}::uuid)`);
    }
    this.filters(q, where, params);
    const columns = RECORD_COLUMNS.split(',').map((c) => `m.${c.trim()}`).join(', ');
    const sql = `SELECT DISTINCT ON (k.received_at, k.message_id) ${columns} FROM business_keys k JOIN messages m ON m.id = k.message_id
      WHERE ${where.join(' AND ')} ORDER BY k.received_at DESC, k.message_id DESC LIMIT $${params.push(q.limit + 1)}`;
    const rows = (await this.db.query<RecordRow>(sql, params)).rows;
    if (/^[0-9a-f-]{36}$/i.test(value) && !q.cursor && rows.length === 0) {
      const record = await this.get(value);
      const fits = record && (!q.partner || record.partner === q.partner) && (!q.documentType || record.documentType === q.documentType) && (!q.status || record.status === q.status);
      return { items: fits ? [record] : [] };
    }
    const items = rows.slice(0, q.limit).map(toRecord);
    const last = items[items.length - 1];
    return { items, ...(rows.length > q.limit && last ? { next: encodeCursor({ at: last.receivedAt, id: last.id }) } : {}) };
  }

  async query(q: MessageQuery): Promise<Page<MessageRecord>> {
    if (q.q) return this.queryByKey(q);
    const params: unknown[] = [];
    const where = timeAndCursorConditions(q, params);
    this.filters(q, where, params);
    const sql = `SELECT ${RECORD_COLUMNS} FROM messages m
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY m.received_at DESC, m.id DESC LIMIT $${params.push(q.limit + 1)}`;
    const { rows } = await this.db.query<RecordRow>(sql, params);
    const items = rows.slice(0, q.limit).map(toRecord);
    const last = items[items.length - 1];
    return { items, ...(rows.length > q.limit && last ? { next: encodeCursor({ at: last.receivedAt, id: last.id }) } : {}) };
  }
}

/** Link rules: which document refers to which, by which of its business keys. */
const LINK_RULES: ReadonlyArray<{ fromType: CanonicalType; keyKind: string; toType: CanonicalType; toKind: string; kind: string }> = [
  { fromType: 'ShipNotice', keyKind: 'orderReference', toType: 'Order', toKind: 'documentNumber', kind: 'ships-order' },
  { fromType: 'Invoice', keyKind: 'orderReference', toType: 'Order', toKind: 'documentNumber', kind: 'invoices-order' },
  { fromType: 'Invoice', keyKind: 'despatchReference', toType: 'ShipNotice', toKind: 'documentNumber', kind: 'invoices-shipnotice' },
  { fromType: 'OrderChange', keyKind: 'orderReference', toType: 'Order', toKind: 'documentNumber', kind: 'changes-order' },
  { fromType: 'OrderCancellation', keyKind: 'orderReference', toType: 'Order', toKind: 'documentNumber', kind: 'cancels-order' },
  { fromType: 'CreditNote', keyKind: 'invoiceReference', toType: 'Invoice', toKind: 'documentNumber', kind: 'credits-invoice' },
  { fromType: 'CreditNote', keyKind: 'orderReference', toType: 'Order', toKind: 'documentNumber', kind: 'credits-order' },
  { fromType: 'OrderResponse', keyKind: 'orderReference', toType: 'Order', toKind: 'documentNumber', kind: 'responds-to-order' },
];

/**
 * Makes the links of one document from business keys, in both directions, so the order in which the
 * documents of a chain arrive does not matter: links to the documents it refers to, and from the documents
 * already stored that refer to it. Documents link only within one partner (a partner's numbers are its own).
 */
export async function linkDocument(db: Queryable, id: string): Promise<void> {
  const self = await db.query<{ partner: string; document_type: CanonicalType }>('SELECT partner, document_type FROM messages WHERE id = $1', [id]);
  const me = self.rows[0];
  if (!me) return;
  for (const rule of LINK_RULES) {
    if (rule.fromType === me.document_type) {
      await db.query(
        `INSERT INTO document_links (from_id, to_id, kind)
         SELECT $1, t.id, $5 FROM business_keys f
           JOIN business_keys tk ON tk.value = f.value AND tk.kind = $4
           JOIN messages t ON t.id = tk.message_id AND t.document_type = $3 AND t.partner = $6
          WHERE f.message_id = $1 AND f.kind = $2 AND t.id <> $1
         ON CONFLICT DO NOTHING`,
        [id, rule.keyKind, rule.toType, rule.toKind, rule.kind, me.partner],
      );
    }
    if (rule.toType === me.document_type) {
      await db.query(
        `INSERT INTO document_links (from_id, to_id, kind)
         SELECT s.id, $1, $5 FROM business_keys tk
           JOIN business_keys f ON f.value = tk.value AND f.kind = $2
           JOIN messages s ON s.id = f.message_id AND s.document_type = $3 AND s.partner = $6
          WHERE tk.message_id = $1 AND tk.kind = $4 AND s.id <> $1
         ON CONFLICT DO NOTHING`,
        [id, rule.keyKind, rule.fromType, rule.toKind, rule.kind, me.partner],
      );
    }
  }
}

