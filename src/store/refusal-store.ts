import type { Database } from '../db/database.js';
import { uuidv7 } from '../util/ids.js';
import { timeAndCursorConditions, type Page } from './message-store.js';
import { encodeCursor } from './cursor.js';

/** A document refused at the intake, kept with the bytes as posted so the sender's problem can be found. */
export interface Refusal {
  id: string;
  receivedAt: string;
  partner: string;
  address?: string;
  httpStatus: number;
  code: string;
  detail: string;
  errors?: unknown[];
  format?: string;
  documentType?: string;
  documentNumber?: string;
  /** For a conflict: the message that already has this number. */
  originalId?: string;
  contentType?: string;
  size: number;
}

export type NewRefusal = Omit<Refusal, 'id' | 'receivedAt'> & { bytes: Buffer };

export interface RefusalQuery {
  /** A document number, or the original message id of a conflict, or the refusal's id. */
  q?: string;
  partner?: string;
  documentType?: string;
  code?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

const COLUMNS = 'm.id, m.received_at, m.partner, m.address, m.http_status, m.code, m.detail, m.errors, m.format, m.document_type, m.document_number, m.original_id, m.content_type, m.size';

function toRefusal(r: any): Refusal {
  return {
    id: r.id,
    receivedAt: r.received_at.toISOString(),
    partner: r.partner,
    ...(r.address ? { address: r.address } : {}),
    httpStatus: r.http_status,
    code: r.code,
    detail: r.detail,
    ...(r.errors ? { errors: r.errors } : {}),
    ...(r.format ? { format: r.format } : {}),
    ...(r.document_type ? { documentType: r.document_type } : {}),
    ...(r.document_number ? { documentNumber: r.document_number } : {}),
    ...(r.original_id ? { originalId: r.original_id } : {}),
    ...(r.content_type ? { contentType: r.content_type } : {}),
    size: r.size,
  };
}

/** Refusals in PostgreSQL, kept for retention.refusalDays. */
export class RefusalStore {
  constructor(private readonly db: Database) {}

  async record(refusal: NewRefusal): Promise<string> {
    const id = uuidv7();
    await this.db.query(
      `INSERT INTO refusals (id, received_at, partner, address, http_status, code, detail, errors, format, document_type, document_number, original_id, content_type, size, bytes)
       VALUES ($1, $15, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        id,
        refusal.partner,
        refusal.address ?? null,
        refusal.httpStatus,
        refusal.code,
        refusal.detail,
        refusal.errors?.length ? JSON.stringify(refusal.errors) : null,
        refusal.format ?? null,
        refusal.documentType ?? null,
        refusal.documentNumber?.slice(0, 512) ?? null,
        refusal.originalId ?? null,
        refusal.contentType?.slice(0, 200) ?? null,
        refusal.bytes.length,
        refusal.bytes,
        // Milliseconds, as the cursor carries them (now() would add microseconds the cursor cannot repeat).
        new Date(),
      ],
    );
    return id;
  }

  async get(id: string): Promise<Refusal | undefined> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM refusals m WHERE m.id = $1`, [id]);
    return rows[0] ? toRefusal(rows[0]) : undefined;
  }

  async raw(id: string): Promise<{ bytes: Buffer; contentType?: string } | undefined> {
    const { rows } = await this.db.query<{ bytes: Buffer | null; content_type: string | null }>('SELECT bytes, content_type FROM refusals WHERE id = $1', [id]);
    const row = rows[0];
    return row ? { bytes: row.bytes ?? Buffer.alloc(0), ...(row.content_type ? { contentType: row.content_type } : {}) } : undefined;
  }

  async query(q: RefusalQuery): Promise<Page<Refusal>> {
    const params: unknown[] = [];
    const where = timeAndCursorConditions(q, params);
    if (q.q) {
      const value = q.q.trim();
      const uuid = /^[0-9a-f-]{36}$/i.test(value);
      where.push(uuid ? `(m.document_number = $${params.push(value)} OR m.original_id = $${params.push(value)}::uuid OR m.id = $${params.length}::uuid)` : `m.document_number = $${params.push(value)}`);
    }
    if (q.partner) where.push(`m.partner = $${params.push(q.partner)}`);
    if (q.documentType) where.push(`m.document_type = $${params.push(q.documentType)}`);
    if (q.code) where.push(`m.code = $${params.push(q.code)}`);
    const { rows } = await this.db.query(
      `SELECT ${COLUMNS} FROM refusals m ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY m.received_at DESC, m.id DESC LIMIT $${params.push(q.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, q.limit).map(toRefusal);
    const last = items[items.length - 1];
    return { items, ...(rows.length > q.limit && last ? { next: encodeCursor({ at: last.receivedAt, id: last.id }) } : {}) };
  }
}
