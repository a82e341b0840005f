import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { HubError } from '../errors/hub-error.js';
import { projectRoot } from '../util/project-root.js';
import { SCHEMA_PATTERN } from './database.js';

/** migrations/NNN_name.sql under the project root, applied in number order. */
export const MIGRATIONS_DIR = path.join(projectRoot(), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return { version: Number(file.slice(0, 3)), name: file.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Brings the schema up to date: creates it, then applies every migration not yet recorded in
 * schema_migrations, each in its own transaction. A session advisory lock per schema makes processes that
 * start at once wait for each other instead of colliding. An applied migration whose file changed since is
 * refused (HUB_ERR_CONFIG): migrations are never edited, only added.
 */
export async function migrate(url: string, schema: string, options: { dir?: string } = {}): Promise<{ applied: string[]; current: number }> {
  if (!SCHEMA_PATTERN.test(schema)) throw new HubError('HUB_ERR_CONFIG', `database.schema "${schema}" must be a lower-case identifier`);
  const migrations = readMigrations(options.dir);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`b2b-hub:migrate:${schema}`]);
    // A role that owns a schema made for it (without CREATE on the database) must be able to start: only
    // create the schema when it is missing.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Map((await client.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migrations')).rows.map((r) => [r.version, r]));
    for (const m of migrations) {
      const previous = done.get(m.version);
      if (previous) {
        if (previous.checksum !== m.checksum) throw new HubError('HUB_ERR_CONFIG', `migration ${m.name} was changed after it was applied to schema ${schema}; add a new migration instead of editing ${m.name}.sql`);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new HubError('HUB_ERR_CONFIG', `migration ${m.name} failed on schema ${schema}: ${(error as Error).message}`);
      }
      applied.push(m.name);
    }
    const newest = [...done.keys(), ...migrations.map((m) => m.version)].reduce((a, b) => Math.max(a, b), 0);
    return { applied, current: newest };
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`b2b-hub:migrate:${schema}`]).catch(() => {});
    await client.end();
  }
}
