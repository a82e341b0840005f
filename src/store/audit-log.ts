import type { Logger } from 'pino';
import type { Database } from '../db/database.js';

/** What the audit log records. */
export type AuditEvent =
  | 'auth.failed'
  | 'auth.forbidden'
  | 'certificate.mismatch'
  | 'signature.invalid'
  | 'rate.limited'
  | 'document.rejected'
  | 'sender.mismatch'
  | 'message.replayed'
  | 'replay.dry-run'
  | 'replay.started'
  | 'replay.stopped'
  | 'replay.finished'
  | 'credential.created'
  | 'credential.rotated'
  | 'credential.revoked'
  | 'console.signin'
  | 'console.signin.failed'
  | 'console.signout'
  | 'console.user.added'
  | 'console.user.password-changed'
  | 'console.user.disabled'
  | 'console.user.enabled'
  | 'console.user.removed'
  | 'console.mapping-test'
  | 'console.partner.validate';

export interface AuditEntry {
  /** Time-ordered, usable as a cursor. */
  id: string;
  at: string;
  event: AuditEvent;
  /** Who: a principal (partner:acme, erp, ops, cli) or "anonymous". */
  actor: string;
  address?: string;
  messageId?: string;
  code?: string;
  detail?: string;
}

export interface AuditQuery {
  event?: string;
  actor?: string;
  messageId?: string;
  /** Only entries at or after this time (ms since epoch). */
  since?: number;
  /** Only entries strictly older than this entry id (paging, newest first). */
  before?: string;
  limit: number;
}

/**
 * The audit log: an append-only table in PostgreSQL (removed by retention with the records, after
 * retention.recordDays), also mirrored to the pino log (warn for refusals, info for credential changes and
 * replays). Retention runs are recorded in retention_runs. Entries never contain secrets: callers pass principals and codes, never keys
 * or bodies.
 */
export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async record(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
    const level = entry.event.startsWith('credential.') || entry.event.startsWith('replay.') || entry.event === 'message.replayed' || (entry.event.startsWith('console.') && entry.event !== 'console.signin.failed') ? 'info' : 'warn';
    this.logger[level]({ audit: entry.event, actor: entry.actor, address: entry.address, messageId: entry.messageId, code: entry.code }, `audit: ${entry.event}${entry.detail ? ` (${entry.detail})` : ''}`);
    try {
      await this.db.query('INSERT INTO audit_log (at, event, actor, address, message_id, code, detail) VALUES (now(), $1, $2, $3, $4, $5, $6)', [
        entry.event,
        entry.actor,
        entry.address ?? null,
        entry.messageId && /^[0-9a-f-]{36}$/i.test(entry.messageId) ? entry.messageId : null,
        entry.code ?? null,
        entry.detail ?? null,
      ]);
    } catch (error) {
      // Losing an audit entry must not turn a 401 into a 500; the pino line above still has it.
      this.logger.error({ err: (error as Error).message, audit: entry.event }, 'audit entry not stored');
    }
  }

  /** Newest first, filtered. */
  async query(q: AuditQuery): Promise<AuditEntry[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.event) where.push(`event = $${params.push(q.event)}`);
    if (q.actor) where.push(`actor = $${params.push(q.actor)}`);
    if (q.messageId) where.push(/^[0-9a-f-]{36}$/i.test(q.messageId) ? `message_id = $${params.push(q.messageId)}` : 'false');
    if (q.since !== undefined) where.push(`at >= $${params.push(new Date(q.since))}`);
    if (q.before) where.push(`id < $${params.push(Number(q.before))}`);
    const { rows } = await this.db.query(
      `SELECT id, at, event, actor, address, message_id, code, detail FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.push(q.limit)}`,
      params,
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      event: r.event,
      actor: r.actor,
      ...(r.address ? { address: r.address } : {}),
      ...(r.message_id ? { messageId: r.message_id } : {}),
      ...(r.code ? { code: r.code } : {}),
      ...(r.detail ? { detail: r.detail } : {}),
    }));
  }
}
