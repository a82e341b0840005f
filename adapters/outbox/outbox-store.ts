import type { CanonicalDocument, Database, ErpModule, PulledMessage, PullSource } from 'b2b-hub/adapter-kit';

/**
 * The outbox in PostgreSQL (table outbox): one row per (hub message, ERP module), identified by
 * `<message id>.<module>`. A fetch leases rows for the visibility timeout with FOR UPDATE SKIP LOCKED, so
 * several hub processes hand out disjoint messages; one not acknowledged by then is available again. An ack
 * keeps the row (acked_at set, canonical dropped) so a late retry of the same delivery cannot put it back;
 * retention removes it with its message.
 */
export class OutboxStore implements PullSource {
  constructor(
    private readonly db: Database,
    private readonly adapter: string,
    private readonly visibilityTimeoutMs: number,
  ) {}

  /** Adds the message for a module unless it already exists (or existed and was acknowledged). */
  async put(documentId: string, module: ErpModule, doc: CanonicalDocument): Promise<{ id: string; created: boolean }> {
    const id = `${documentId}.${module}`;
    const result = await this.db.query(
      `INSERT INTO outbox (id, adapter, document_id, type, module, canonical, created_at, available_at) VALUES ($1, $2, $3, $4, $5, $6, now(), now())
       ON CONFLICT (id) DO NOTHING`,
      [id, this.adapter, documentId, doc.type, module, JSON.stringify(doc)],
    );
    return { id, created: result.rowCount === 1 };
  }

  async fetch(module: ErpModule, limit: number): Promise<PulledMessage[]> {
    const { rows } = await this.db.query(
      `UPDATE outbox o SET available_at = now() + make_interval(secs => $3::double precision / 1000), delivery_count = o.delivery_count + 1
        WHERE o.id IN (SELECT id FROM outbox WHERE adapter = $1 AND module = $2 AND acked_at IS NULL AND available_at <= now()
                        ORDER BY available_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING o.id, o.document_id, o.type, o.module, o.delivery_count, o.available_at, o.canonical, o.created_at`,
      [this.adapter, module, this.visibilityTimeoutMs, limit],
    );
    return rows
      .sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
      .map((r) => ({
        id: r.id,
        documentId: r.document_id,
        type: r.type,
        module: r.module as ErpModule,
        deliveryCount: r.delivery_count,
        leaseExpiresAt: r.available_at.toISOString(),
        canonical: r.canonical as CanonicalDocument,
      }));
  }

  async ack(id: string): Promise<boolean> {
    const result = await this.db.query('UPDATE outbox SET acked_at = now(), canonical = NULL WHERE id = $1 AND adapter = $2 AND acked_at IS NULL', [id, this.adapter]);
    return result.rowCount === 1;
  }

  async stats(module: ErpModule): Promise<{ ready: number; leased: number }> {
    const { rows } = await this.db.query<{ ready: number; leased: number }>(
      `SELECT count(*) FILTER (WHERE available_at <= now()) AS ready, count(*) FILTER (WHERE available_at > now()) AS leased
         FROM outbox WHERE adapter = $1 AND module = $2 AND acked_at IS NULL`,
      [this.adapter, module],
    );
    return { ready: rows[0]?.ready ?? 0, leased: rows[0]?.leased ?? 0 };
  }
}
