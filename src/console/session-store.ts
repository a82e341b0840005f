import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/database.js';

/** A live session with its user. */
export interface ConsoleSession {
  idSha256: string;
  csrfToken: string;
  expiresAt: Date;
  user: { id: number; name: string; role: string };
}

/** The table key of a session id: only this is stored, so a copy of the table opens no session. */
export function sessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/** The console_sessions table: sessions that expire after a fixed time and after a time without use. */
export class SessionStore {
  constructor(
    private readonly db: Queryable,
    private readonly options: { sessionMinutes: number; idleMinutes: number },
  ) {}

  /** Starts a session; returns the id for the cookie (32 random bytes) and its CSRF token. */
  async create(userId: number): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    // Sessions past their end go whenever someone signs in (indexed): the table holds live sessions only.
    await this.db.query('DELETE FROM console_sessions WHERE expires_at < now()');
    const { rows } = await this.db.query(
      `INSERT INTO console_sessions (id_sha256, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + make_interval(mins => $4)) RETURNING expires_at`,
      [sessionKey(sessionId), userId, csrfToken, this.options.sessionMinutes],
    );
    return { sessionId, csrfToken, expiresAt: rows[0].expires_at };
  }

  /**
   * The session of a cookie when it is live (not expired, used within the idle time, its user not disabled),
   * marking it as used now; undefined otherwise.
   */
  async use(sessionId: string): Promise<ConsoleSession | undefined> {
    const { rows } = await this.db.query(
      `UPDATE console_sessions s SET last_seen_at = now() FROM console_users u
       WHERE s.id_sha256 = $1 AND u.id = s.user_id AND NOT u.disabled
         AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(mins => $2)
       RETURNING s.id_sha256, s.csrf_token, s.expires_at, u.id AS user_id, u.name, u.role`,
      [sessionKey(sessionId), this.options.idleMinutes],
    );
    const r = rows[0];
    return r ? { idSha256: r.id_sha256, csrfToken: r.csrf_token, expiresAt: r.expires_at, user: { id: r.user_id, name: r.name, role: r.role } } : undefined;
  }

  async end(idSha256: string): Promise<void> {
    await this.db.query('DELETE FROM console_sessions WHERE id_sha256 = $1', [idSha256]);
  }
}
