import type { Database, Queryable } from '../db/database.js';
import { uuidv7 } from '../util/ids.js';

/** One thing the hub has for a partner to fetch (GET /v1/partner/messages). */
export interface MailboxMessage {
  id: string;
  /** What it is: `acknowledgement` now; outbound documents later. */
  kind: string;
  documentType: string;
  documentNumber: string;
  contentType: string;
  /** The built document as text (an acknowledgement's EDI text). */
  document: string;
  deliveryCount: number;
  leaseExpiresAt: string;
  createdAt: string;
}

/**
 * The partner mailbox in PostgreSQL (table partner_mailbox), shaped like the ERP's outbox: a fetch leases
 * messages for the visibility timeout with FOR UPDATE SKIP LOCKED, so several hub processes hand out disjoint
 * ones; one not acknowledged by then is handed out again. An ack keeps the row without its body.
 */
export class PartnerMailbox {
  constructor(
    private readonly db: Database,
    private readonly visibilityTimeoutMs = 60_000,
  ) {}

  async put(tx: Queryable, message: { partner: string; kind: string; documentType: string; documentNumber: string; contentType: string; document: string; interchangeId?: string }): Promise<string> {
    const id = uuidv7();
    await tx.query(
      `INSERT INTO partner_mailbox (id, partner, kind, document_type, document_number, content_type, document, interchange_id, created_at, available_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())`,
      [id, message.partner, message.kind, message.documentType, message.documentNumber, message.contentType, message.document, message.interchangeId ?? null],
    );
    return id;
  }

  async fetch(partner: string, limit: number): Promise<MailboxMessage[]> {
    const { rows } = await this.db.query(
      `UPDATE partner_mailbox m SET available_at = now() + make_interval(secs => $2::double precision / 1000), delivery_count = m.delivery_count + 1
        WHERE m.id IN (SELECT id FROM partner_mailbox WHERE partner = $1 AND acked_at IS NULL AND available_at <= now()
                        ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING m.id, m.kind, m.document_type, m.document_number, m.content_type, m.document, m.delivery_count, m.available_at, m.created_at`,
      [partner, this.visibilityTimeoutMs, limit],
    );
    return rows
      .sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
      .map((r) => ({
        id: r.id,
        kind: r.kind,
        documentType: r.document_type,
        documentNumber: r.document_number,
        contentType: r.content_type,
        document: r.document,
        deliveryCount: r.delivery_count,
        leaseExpiresAt: r.available_at.toISOString(),
        createdAt: r.created_at.toISOString(),
      }));
  }

  /** Acknowledges a partner's own message; false when unknown, another partner's, or acknowledged already. */
  async ack(partner: string, id: string): Promise<boolean> {
    const result = await this.db.query('UPDATE partner_mailbox SET acked_at = now(), document = NULL WHERE id = $1 AND partner = $2 AND acked_at IS NULL', [id, partner]);
    return result.rowCount === 1;
  }
}
