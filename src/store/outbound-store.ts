import type { CanonicalDocument } from '../canonical/types.js';
import type { Database, Queryable } from '../db/database.js';
import { insertKeys, linkDocument, type BusinessKey } from './message-store.js';
import { decodeCursor, encodeCursor } from './cursor.js';

/** Where an outbound document stands, as ops see it (derived: see STATE_SQL). */
export type OutboundState = 'queued' | 'sent' | 'acknowledged' | 'rejected' | 'failed' | 'overdue';
export const OUTBOUND_STATES: readonly OutboundState[] = ['queued', 'sent', 'acknowledged', 'rejected', 'failed', 'overdue'];

export type AckExpected = '997' | '999' | 'contrl' | 'cxml' | 'http';

/** An outbound document with its message's facts. */
export interface OutboundRecord {
  messageId: string;
  partner: string;
  documentType: string;
  documentNumber: string;
  format: string;
  source: string;
  sourceId: string;
  syntax: 'xml' | 'x12' | 'edifact';
  state: OutboundState;
  status: string;
  receivedAt: string;
  contentType?: string;
  body?: string;
  builtAt?: string;
  controlNumbers?: { interchange?: string; group?: string; transaction?: string };
  sentAt?: string;
  sendReference?: string;
  acknowledgement: { expected: AckExpected; dueAt?: string; status?: string; at?: string; detail?: unknown };
  error?: { code: string; message: string };
}

/** What the ERP hands over, checked: the message facts and its outbound side. */
export interface NewOutbound {
  id: string;
  partner: string;
  format: string;
  source: string;
  sourceId: string;
  syntax: 'xml' | 'x12' | 'edifact';
  ackExpected: AckExpected;
  canonical: CanonicalDocument;
  raw: Buffer;
  sha256: string;
  keys: readonly BusinessKey[];
}

export type OutboundAcceptOutcome =
  | { outcome: 'accepted'; id: string }
  | { outcome: 'duplicate'; id: string }
  /** The same ERP id with other content, or the same document number from another ERP id. */
  | { outcome: 'conflict'; originalId: string; reason: 'source-id' | 'document-number' };

/** The state of an outbound document from its message and outbound rows (aliases m and o). */
const STATE_SQL = `CASE WHEN m.status = 'failed' THEN 'failed'
  WHEN o.sent_at IS NULL THEN 'queued'
  WHEN o.ack_status = 'rejected' THEN 'rejected'
  WHEN o.ack_status IN ('accepted', 'accepted-with-errors') THEN 'acknowledged'
  WHEN o.ack_due_at < now() THEN 'overdue'
  ELSE 'sent' END`;

const COLUMNS = `o.*, m.document_type, m.document_number, m.format, m.status, m.received_at, m.error, ${STATE_SQL} AS state`;

interface Row {
  message_id: string;
  partner: string;
  source: string;
  source_id: string;
  syntax: OutboundRecord['syntax'];
  content_type: string | null;
  body: string | null;
  built_at: Date | null;
  interchange_number: string | null;
  group_number: string | null;
  transaction_number: string | null;
  sent_at: Date | null;
  send_reference: string | null;
  ack_expected: AckExpected;
  ack_due_at: Date | null;
  ack_status: string | null;
  ack_at: Date | null;
  ack_detail: unknown;
  document_type: string;
  document_number: string;
  format: string;
  status: string;
  received_at: Date;
  error: { code: string; message: string } | null;
  state: OutboundState;
}

function toRecord(row: Row, withBody: boolean): OutboundRecord {
  const numbers = { ...(row.interchange_number ? { interchange: row.interchange_number } : {}), ...(row.group_number ? { group: row.group_number } : {}), ...(row.transaction_number ? { transaction: row.transaction_number } : {}) };
  return {
    messageId: row.message_id,
    partner: row.partner,
    documentType: row.document_type,
    documentNumber: row.document_number,
    format: row.format,
    source: row.source,
    sourceId: row.source_id,
    syntax: row.syntax,
    state: row.state,
    status: row.status,
    receivedAt: row.received_at.toISOString(),
    ...(row.content_type ? { contentType: row.content_type } : {}),
    ...(withBody && row.body !== null ? { body: row.body } : {}),
    ...(row.built_at ? { builtAt: row.built_at.toISOString() } : {}),
    ...(Object.keys(numbers).length ? { controlNumbers: numbers } : {}),
    ...(row.sent_at ? { sentAt: row.sent_at.toISOString() } : {}),
    ...(row.send_reference ? { sendReference: row.send_reference } : {}),
    acknowledgement: {
      expected: row.ack_expected,
      ...(row.ack_due_at ? { dueAt: row.ack_due_at.toISOString() } : {}),
      ...(row.ack_status ? { status: row.ack_status } : {}),
      ...(row.ack_at ? { at: row.ack_at.toISOString() } : {}),
      ...(row.ack_detail ? { detail: row.ack_detail } : {}),
    },
    ...(row.error ? { error: row.error } : {}),
  };
}

/**
 * The outbound side of the system of record: documents the ERP hands over for partners (stored as messages of
 * direction 'outbound', with their outbound row), the document built for each, when it was sent and what the
 * partner acknowledged.
 */
export class OutboundStore {
  constructor(private readonly db: Database) {}

  /**
   * Stores a new outbound document in one transaction (its message, raw JSON, history, business keys, links and
   * outbound row), or says which it repeats: the same ERP id with the same content is a duplicate, with other
   * content a conflict; so is the same document number of the same type for the partner from another ERP id.
   */
  async accept(doc: NewOutbound, now = new Date()): Promise<OutboundAcceptOutcome> {
    return this.db.transaction(async (tx) => {
      const seen = await tx.query<{ message_id: string; sha256: string }>(
        'SELECT o.message_id, m.sha256 FROM outbound_documents o JOIN messages m ON m.id = o.message_id WHERE o.source = $1 AND o.source_id = $2',
        [doc.source, doc.sourceId],
      );
      const before = seen.rows[0];
      if (before) return before.sha256 === doc.sha256 ? { outcome: 'duplicate', id: before.message_id } : { outcome: 'conflict', originalId: before.message_id, reason: 'source-id' };
      const inserted = await tx.query(
        `INSERT INTO messages (id, partner, format, document_type, document_number, sending_party, revision, sha256, size, content_type, status, received_at, updated_at, replays, direction)
         VALUES ($1, $2, $3, $4, $5, 'SELF', 0, $6, $7, 'application/json', 'accepted', $8, $8, 0, 'outbound') ON CONFLICT DO NOTHING RETURNING id`,
        [doc.id, doc.partner, doc.format, doc.canonical.type, doc.canonical.documentNumber, doc.sha256, doc.raw.length, now],
      );
      if (inserted.rowCount === 0) {
        const other = await tx.query<{ id: string }>(
          "SELECT id FROM messages WHERE partner = $1 AND ((document_type = $2 AND sending_party = 'SELF' AND document_number = $3) OR sha256 = $4) ORDER BY received_at LIMIT 1",
          [doc.partner, doc.canonical.type, doc.canonical.documentNumber, doc.sha256],
        );
        return { outcome: 'conflict', originalId: other.rows[0]?.id ?? '', reason: 'document-number' };
      }
      await tx.query('INSERT INTO message_raw (message_id, bytes) VALUES ($1, $2)', [doc.id, doc.raw]);
      await tx.query('INSERT INTO message_history (message_id, at, step, status, detail) VALUES ($1, $2, $3, $4, $5)', [
        doc.id,
        now,
        'accepted',
        'accepted',
        `outbound ${doc.canonical.type} ${doc.canonical.documentNumber} for ${doc.partner} from ${doc.source} (${doc.sourceId}), to be built as ${doc.format}`,
      ]);
      await tx.query('INSERT INTO outbound_documents (message_id, partner, source, source_id, syntax, ack_expected) VALUES ($1, $2, $3, $4, $5, $6)', [doc.id, doc.partner, doc.source, doc.sourceId, doc.syntax, doc.ackExpected]);
      await insertKeys(tx, doc.id, doc.keys);
      await linkDocument(tx, doc.id);
      return { outcome: 'accepted', id: doc.id };
    });
  }

  async get(messageId: string, options: { body?: boolean } = {}): Promise<OutboundRecord | undefined> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM outbound_documents o JOIN messages m ON m.id = o.message_id WHERE o.message_id = $1`, [messageId]);
    return rows[0] ? toRecord(rows[0], options.body ?? true) : undefined;
  }

  /**
   * Builds the document once: in one transaction the outbound row is locked; when it has no body yet, `build`
   * runs (it may take control numbers in the same transaction, so a build that fails takes none) and its result
   * is stored. A second caller (a retry, a replay, another process) gets the stored body and numbers.
   */
  async buildOnce(messageId: string, build: (tx: Queryable) => Promise<{ contentType: string; body: string; controlNumbers?: { interchange?: string; group?: string; transaction?: string } }>): Promise<{ built: boolean; record: OutboundRecord }> {
    const built = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ body: string | null }>('SELECT body FROM outbound_documents WHERE message_id = $1 FOR UPDATE', [messageId]);
      if (!rows[0]) throw new Error(`no outbound document ${messageId}`);
      if (rows[0].body !== null) return false;
      const result = await build(tx);
      await tx.query(
        'UPDATE outbound_documents SET content_type = $2, body = $3, built_at = now(), interchange_number = $4, group_number = $5, transaction_number = $6 WHERE message_id = $1',
        [messageId, result.contentType, result.body, result.controlNumbers?.interchange ?? null, result.controlNumbers?.group ?? null, result.controlNumbers?.transaction ?? null],
      );
      return true;
    });
    return { built, record: (await this.get(messageId))! };
  }

  /**
   * Records the send: its reference and time, and the acknowledgement now expected (pending, due in
   * `withinHours`), or, when only a 2xx was expected or the answer itself acknowledged it, its outcome.
   */
  async markSent(messageId: string, sent: { reference?: string; withinHours: number; acknowledged?: { status: 'accepted' | 'accepted-with-errors' | 'rejected'; detail: unknown } }): Promise<void> {
    const ack = sent.acknowledged;
    await this.db.query(
      `UPDATE outbound_documents SET sent_at = coalesce(sent_at, now()), send_reference = coalesce($2, send_reference),
         ack_due_at = CASE WHEN $3::text IS NULL THEN now() + make_interval(secs => $4::float8 * 3600) ELSE ack_due_at END,
         ack_status = CASE WHEN ack_status IN ('accepted', 'accepted-with-errors', 'rejected') THEN ack_status ELSE coalesce($3, 'pending') END,
         ack_at = CASE WHEN $3::text IS NULL THEN ack_at ELSE coalesce(ack_at, now()) END,
         ack_detail = CASE WHEN $3::text IS NULL THEN ack_detail ELSE coalesce(ack_detail, $5::jsonb) END
       WHERE message_id = $1`,
      [messageId, sent.reference ?? null, ack?.status ?? null, sent.withinHours, ack ? JSON.stringify(ack.detail) : null],
    );
  }

  /**
   * Matches a partner's acknowledgement to the outbound documents it names: an X12 997/999 by our group's
   * control number (GS06), an EDIFACT CONTRL by our interchange's (UNB 0020); their status becomes what it says
   * (the per-transaction verdict when it gives one). Returns the documents matched.
   */
  async matchAcknowledgement(db: Queryable, ack: { partner: string; syntax: 'x12' | 'edifact'; acknowledges: string; status: 'accepted' | 'accepted-with-errors' | 'rejected'; perTransaction?: Record<string, { status: 'accepted' | 'accepted-with-errors' | 'rejected'; detail: unknown }>; detail: unknown }): Promise<string[]> {
    const column = ack.syntax === 'x12' ? 'group_number' : 'interchange_number';
    const { rows } = await db.query<{ message_id: string; transaction_number: string | null }>(
      `SELECT message_id, transaction_number FROM outbound_documents WHERE partner = $1 AND syntax = $2 AND ltrim(${column}, '0') = ltrim($3, '0') AND sent_at IS NOT NULL`,
      [ack.partner, ack.syntax, ack.acknowledges],
    );
    for (const row of rows) {
      const own = row.transaction_number ? ack.perTransaction?.[row.transaction_number.replace(/^0+/, '')] : undefined;
      await db.query("UPDATE outbound_documents SET ack_status = $2, ack_at = now(), ack_detail = $3 WHERE message_id = $1", [row.message_id, own?.status ?? ack.status, JSON.stringify(own?.detail ?? ack.detail)]);
    }
    return rows.map((r) => r.message_id);
  }

  /**
   * The partner fetched and acknowledged the mailbox message that carried an outbound document (its send
   * reference): for a partner expected to answer `http`, that is its acknowledgement. Returns whether one matched.
   */
  async acknowledgeMailbox(partner: string, mailboxId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE outbound_documents SET ack_status = 'accepted', ack_at = now(), ack_detail = $3
        WHERE partner = $1 AND send_reference = $2 AND ack_expected = 'http' AND ack_status = 'pending'`,
      [partner, mailboxId, JSON.stringify({ mailbox: 'fetched and acknowledged by the partner' })],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Outbound documents, newest first, by partner and state; keyset-paged. */
  async list(q: { partner?: string; state?: OutboundState; limit: number; cursor?: string }): Promise<{ items: OutboundRecord[]; next?: string }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.partner) where.push(`o.partner = $${params.push(q.partner)}`);
    if (q.state) where.push(`(${STATE_SQL}) = $${params.push(q.state)}`);
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      where.push(`(m.received_at, m.id) < ($${params.push(c.at)}::timestamptz, $${params.push(c.id)}::uuid)`);
    }
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM outbound_documents o JOIN messages m ON m.id = o.message_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY m.received_at DESC, m.id DESC LIMIT $${params.push(q.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, q.limit).map((r) => toRecord(r, false));
    const last = items[items.length - 1];
    return { items, ...(rows.length > q.limit && last ? { next: encodeCursor({ at: last.receivedAt, id: last.messageId }) } : {}) };
  }

  /** How many outbound documents are in each state, per partner (for /metrics). */
  async counts(): Promise<Array<{ partner: string; state: OutboundState; count: number }>> {
    const { rows } = await this.db.query<{ partner: string; state: OutboundState; count: number }>(
      `SELECT o.partner, ${STATE_SQL} AS state, count(*)::int AS count FROM outbound_documents o JOIN messages m ON m.id = o.message_id GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return rows;
  }
}
