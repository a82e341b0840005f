import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import pg from 'pg';
import { HubError } from '../errors/hub-error.js';

/**
 * The private PostgreSQL the hub starts when no DATABASE_URL is configured, like the private redis-server: a
 * cluster under var/pg made with the machine's own initdb, listening only on a Unix socket in a 0700 folder
 * (no TCP port to clash with or to expose), started with pg_ctl and left running for the next start.
 * PostgreSQL refuses to run as root: a root process runs it as the unprivileged `postgres` user (which
 * Debian's package creates), owning var/pg.
 */

const INSTALL_HINT = 'Install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql@16) or set DATABASE_URL to a server you have.';
const DATABASE = 'hub';
const USER = 'hub';
/** Unix socket paths are limited to 107 bytes; ".s.PGSQL.5432" takes 14 of them. */
const MAX_SOCKET_DIR = 90;

function run(command: string, args: string[], asUser?: string): { status: number; output: string } {
  const [cmd, argv] = asUser ? ['runuser', ['-u', asUser, '--', command, ...args]] : [command, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim() };
}

/** The folder holding initdb and pg_ctl: PATH first, else the newest /usr/lib/postgresql/<version>/bin (Debian). */
export function findPostgresBinaries(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) {
    const dir = path.dirname(onPath.stdout.trim());
    if (existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions.length ? path.join(base, versions[0]!, 'bin') : undefined;
}

/** The connection string for a database reached through a Unix socket folder. */
export function socketUrl(socketDir: string, database = DATABASE, user = USER): string {
  return `postgresql://${user}@/${database}?host=${encodeURIComponent(socketDir)}`;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function uid(name: string): { uid: number; gid: number } | undefined {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return result.status === 0 && group.status === 0 ? { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) } : undefined;
}

/**
 * The database URL to use: the configured one, else the private cluster under `varDir/pg` (created and
 * started when needed). Throws HUB_ERR_STORE_UNAVAILABLE saying what to install when there are no binaries.
 */
export async function resolveDatabaseUrl(configured: string | undefined, varDir: string, logger: Logger): Promise<string> {
  if (configured) return configured;
  const root = process.getuid?.() === 0;
  let pgDir = path.join(varDir, 'pg');
  // As root the server runs as "postgres", which must reach var/pg. var/ itself is private (it holds the API
  // key file), so it is made traverse-only for others (0711: no listing; its files keep their own modes). When a
  // parent folder is closed too (a checkout under /root), the cluster lives in /var/lib/b2b-hub instead.
  if (root && !existsSync(path.join(pgDir, 'data', 'PG_VERSION'))) {
    const fallback = `/var/lib/b2b-hub/pg-${createHash('sha256').update(path.resolve(varDir)).digest('hex').slice(0, 12)}`;
    if (existsSync(path.join(fallback, 'data', 'PG_VERSION'))) pgDir = fallback;
  }
  const socketFor = (dir: string) => (path.join(dir, 'run').length <= MAX_SOCKET_DIR ? path.join(dir, 'run') : `/tmp/b2b-hub-pg-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
  if (await answers(socketUrl(socketFor(pgDir)))) return socketUrl(socketFor(pgDir));

  const bin = findPostgresBinaries();
  if (!bin) throw new HubError('HUB_ERR_STORE_UNAVAILABLE', `No DATABASE_URL is set and no PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or under /usr/lib/postgresql. ${INSTALL_HINT}`);
  const owner = root ? uid('postgres') : undefined;
  if (root && !owner) {
    throw new HubError('HUB_ERR_STORE_UNAVAILABLE', 'PostgreSQL refuses to run as root and there is no "postgres" user to run the private server as. Create one (useradd --system postgres), install the postgresql package (it creates it), or set DATABASE_URL.');
  }
  const asUser = root ? 'postgres' : undefined;
  const prepare = (dir: string) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(dir, owner.uid, owner.gid);
  };
  prepare(pgDir);
  if (asUser && pgDir.startsWith(varDir)) {
    chmodSync(varDir, 0o711);
    if (run('test', ['-w', pgDir], asUser).status !== 0) {
      pgDir = `/var/lib/b2b-hub/pg-${createHash('sha256').update(path.resolve(varDir)).digest('hex').slice(0, 12)}`;
      // Its parent must let the postgres user through (0711: no listing), or the fallback fails the same way.
      mkdirSync('/var/lib/b2b-hub', { recursive: true, mode: 0o711 });
      chmodSync('/var/lib/b2b-hub', 0o711);
      logger.warn({ varDir, pgDir }, 'the postgres user cannot reach var/pg (a parent folder is closed to other users); the private PostgreSQL lives in /var/lib/b2b-hub instead');
      prepare(pgDir);
    }
  }
  if (asUser && run('test', ['-w', pgDir], asUser).status !== 0) {
    throw new HubError('HUB_ERR_STORE_UNAVAILABLE', `The private PostgreSQL runs as the postgres user, which cannot write ${pgDir}. Set HUB_VAR_DIR to a folder it can reach, or set DATABASE_URL.`);
  }
  const dataDir = path.join(pgDir, 'data');
  const socketDir = socketFor(pgDir);
  prepare(socketDir);
  const url = socketUrl(socketDir);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const init = run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C'], asUser);
    if (init.status !== 0) throw new HubError('HUB_ERR_STORE_UNAVAILABLE', `initdb failed for the private PostgreSQL in ${dataDir}: ${init.output.slice(-800)}`);
    // Only the socket: no TCP port. Commits are durable before the hub answers 202 (the default, said aloud).
    writeFileSync(
      path.join(dataDir, 'postgresql.auto.conf'),
      [`listen_addresses = ''`, `unix_socket_directories = '${socketDir}'`, `unix_socket_permissions = 0700`, `synchronous_commit = on`, `fsync = on`, `max_connections = 200`, ''].join('\n'),
    );
    if (owner) chownSync(path.join(dataDir, 'postgresql.auto.conf'), owner.uid, owner.gid);
    logger.info({ dataDir, bin }, 'created a private PostgreSQL cluster');
  }
  const log = path.join(pgDir, 'postgres.log');
  const start = run(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-l', log, '-w', '-t', '60', '-o', `-k ${socketDir}`, 'start'], asUser);
  if (start.status !== 0 && !(await answers(socketUrl(socketDir, 'postgres')))) {
    throw new HubError('HUB_ERR_STORE_UNAVAILABLE', `could not start the private PostgreSQL (${dataDir}): ${start.output.slice(-500)}; see ${log}`);
  }
  const admin = new pg.Client({ connectionString: socketUrl(socketDir, 'postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) {
      // Another process starting at the same moment may create it first (42P04 duplicate_database).
      await admin.query(`CREATE DATABASE ${DATABASE}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await admin.end();
  }
  logger.info({ dataDir, socketDir }, 'private PostgreSQL running (Unix socket only)');
  return url;
}
