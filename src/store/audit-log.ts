import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

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
  | 'credential.created'
  | 'credential.rotated'
  | 'credential.revoked';

export interface AuditEntry {
  /** Stream id: time-ordered, usable as a cursor. */
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
  /** Only entries strictly older than this stream id (paging, newest first). */
  before?: string;
  limit: number;
}

const MAX_ENTRIES = 1_000_000;

/**
 * The audit log: an append-only Redis stream, capped at about a million entries, also mirrored to the pino log
 * (warn for refusals, info for credential changes and replays). Entries never contain secrets: callers pass principals and codes, never keys or bodies.
 */
export class AuditLog {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.key = `${prefix}:audit`;
  }

  async record(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
    const at = new Date().toISOString();
    const fields: string[] = ['at', at];
    for (const [name, value] of Object.entries(entry)) if (value !== undefined) fields.push(name, String(value));
    const level = entry.event.startsWith('credential.') || entry.event === 'message.replayed' ? 'info' : 'warn';
    this.logger[level]({ audit: entry.event, actor: entry.actor, address: entry.address, messageId: entry.messageId, code: entry.code }, `audit: ${entry.event}${entry.detail ? ` (${entry.detail})` : ''}`);
    try {
      await this.redis.xadd(this.key, 'MAXLEN', '~', MAX_ENTRIES, '*', ...fields);
    } catch (error) {
      // Losing an audit entry must not turn a 401 into a 500; the pino line above still has it.
      this.logger.error({ err: (error as Error).message, audit: entry.event }, 'audit entry not stored');
    }
  }

  /** Newest first, filtered. */
  async query(q: AuditQuery): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let end = q.before ? `(${q.before}` : '+';
    const start = q.since !== undefined ? String(q.since) : '-';
    for (;;) {
      const page = await this.redis.xrevrange(this.key, end, start, 'COUNT', Math.max(100, q.limit * 2));
      if (page.length === 0) return out;
      for (const [id, flat] of page) {
        const entry: Record<string, string> = { id };
        for (let i = 0; i < flat.length; i += 2) entry[flat[i]!] = flat[i + 1]!;
        const e = entry as unknown as AuditEntry;
        if (q.event && e.event !== q.event) continue;
        if (q.actor && e.actor !== q.actor) continue;
        if (q.messageId && e.messageId !== q.messageId) continue;
        out.push(e);
        if (out.length >= q.limit) return out;
      }
      end = `(${page[page.length - 1]![0]}`;
    }
  }
}
