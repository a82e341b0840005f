import { isDatabaseUnavailable, type Database } from '../db/database.js';
import { HubError } from '../errors/hub-error.js';
import { uuidv7 } from '../util/ids.js';
import type { MailboxDocument, TransportMailbox } from './contract.js';

/**
 * Writes outbound documents (kind `document`) into a partner's mailbox, the table partner_mailbox that
 * src/store/partner-mailbox.ts hands out and acknowledges (GET /v1/partner/messages). Once per idempotency key:
 * the unique (partner, idempotency_key) of migration 012 decides between two concurrent puts, and the loser
 * returns the winner's id. An acknowledged row keeps its key (the ack drops only the body), so a late retry
 * cannot put the document back.
 */
export class MailboxWriter implements TransportMailbox {
  constructor(
    private readonly db: Database,
    private readonly partner: string,
  ) {}

  async put(message: MailboxDocument, idempotencyKey: string): Promise<{ id: string; created: boolean }> {
    try {
      return await this.putOnce(message, idempotencyKey);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const reason = `mailbox of ${this.partner}: PostgreSQL unreachable: ${(error as Error).message}`;
      throw new HubError('HUB_ERR_STORE_UNAVAILABLE', reason, { cause: error });
    }
  }

  private async putOnce(message: MailboxDocument, idempotencyKey: string): Promise<{ id: string; created: boolean }> {
    const inserted = await this.db.query<{ id: string }>(
      `INSERT INTO partner_mailbox (id, partner, kind, document_type, document_number, content_type, document, idempotency_key,
                                    created_at, available_at)
       VALUES ($1, $2, 'document', $3, $4, $5, $6, $7, now(), now())
       ON CONFLICT (partner, idempotency_key) DO NOTHING RETURNING id`,
      [uuidv7(), this.partner, message.documentType, message.documentNumber, message.contentType, message.document, idempotencyKey],
    );
    if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
    const existing = await this.db.query<{ id: string }>(
      'SELECT id FROM partner_mailbox WHERE partner = $1 AND idempotency_key = $2',
      [this.partner, idempotencyKey],
    );
    // The conflicting row is committed (ON CONFLICT waited for its transaction), so it is there unless retention removed it since.
    if (existing.rows[0]) return { id: existing.rows[0].id, created: false };
    return this.putOnce(message, idempotencyKey);
  }

  /** PostgreSQL answers: the mailbox can take documents. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
