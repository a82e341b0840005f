import type { Queryable } from '../db/database.js';

/** A console user as stored (the hash stays inside the console's sign-in code). */
export interface ConsoleUser {
  id: number;
  name: string;
  role: string;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** User names: letters, digits and . _ @ -, starting with a letter or digit, at most 64 characters. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function toUser(row: any): ConsoleUser {
  return { id: row.id, name: row.name, role: row.role, disabled: row.disabled, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

/** The console_users table (migrations/005_console_users.sql). Names are matched whatever their case. */
export class UserStore {
  constructor(private readonly db: Queryable) {}

  /** Adds a user; undefined when the name is taken. */
  async add(name: string, role: string, passwordHash: string): Promise<ConsoleUser | undefined> {
    const { rows } = await this.db.query(
      `INSERT INTO console_users (name, role, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT ((lower(name))) DO NOTHING RETURNING id, name, role, disabled, created_at, updated_at`,
      [name, role, passwordHash],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async find(name: string): Promise<(ConsoleUser & { passwordHash: string }) | undefined> {
    const { rows } = await this.db.query('SELECT id, name, role, disabled, created_at, updated_at, password_hash FROM console_users WHERE lower(name) = lower($1)', [name]);
    return rows[0] ? { ...toUser(rows[0]), passwordHash: rows[0].password_hash } : undefined;
  }

  /** Sets a new password and ends the user's sessions; undefined when there is no such user. */
  async setPassword(name: string, passwordHash: string): Promise<ConsoleUser | undefined> {
    const { rows } = await this.db.query(
      `WITH changed AS (UPDATE console_users SET password_hash = $2, updated_at = now() WHERE lower(name) = lower($1) RETURNING *),
            ended AS (DELETE FROM console_sessions WHERE user_id IN (SELECT id FROM changed))
       SELECT id, name, role, disabled, created_at, updated_at FROM changed`,
      [name, passwordHash],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /** Removes a user and (by cascade) every session of theirs; returns how many sessions ended. */
  async remove(name: string): Promise<{ user: ConsoleUser; sessions: number } | undefined> {
    const { rows } = await this.db.query(
      `WITH sessions AS (SELECT count(*) AS n FROM console_sessions s JOIN console_users u ON u.id = s.user_id WHERE lower(u.name) = lower($1)),
            removed AS (DELETE FROM console_users WHERE lower(name) = lower($1) RETURNING *)
       SELECT removed.id, removed.name, removed.role, removed.disabled, removed.created_at, removed.updated_at, sessions.n FROM removed, sessions`,
      [name],
    );
    return rows[0] ? { user: toUser(rows[0]), sessions: rows[0].n } : undefined;
  }

  /**
   * Disables or enables a user. Disabling ends their sessions (a disabled user cannot sign in, and the
   * session check refuses them too). Returns the user and how many sessions ended; undefined when there is no
   * such user.
   */
  async setDisabled(name: string, disabled: boolean): Promise<{ user: ConsoleUser; sessions: number; changed: boolean } | undefined> {
    const { rows } = await this.db.query(
      `WITH before AS (SELECT id, disabled FROM console_users WHERE lower(name) = lower($1)),
            changed AS (UPDATE console_users u SET disabled = $2, updated_at = CASE WHEN u.disabled = $2 THEN u.updated_at ELSE now() END
                        FROM before WHERE u.id = before.id RETURNING u.*),
            ended AS (DELETE FROM console_sessions WHERE $2 AND user_id IN (SELECT id FROM changed) RETURNING 1)
       SELECT changed.id, changed.name, changed.role, changed.disabled, changed.created_at, changed.updated_at,
              (SELECT count(*)::int FROM ended) AS sessions, before.disabled <> $2 AS changed
         FROM changed, before`,
      [name, disabled],
    );
    return rows[0] ? { user: toUser(rows[0]), sessions: rows[0].sessions, changed: rows[0].changed } : undefined;
  }

  async list(): Promise<ConsoleUser[]> {
    const { rows } = await this.db.query('SELECT id, name, role, disabled, created_at, updated_at FROM console_users ORDER BY lower(name)');
    return rows.map(toUser);
  }
}
