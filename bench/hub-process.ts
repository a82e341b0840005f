/**
 * What the benchmarks share: the stores they measure against (resolved as the test command resolves them), a
 * hub started as its own process (`hub start`, as an operator runs it), the document they post, and the
 * figures they print.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { CredentialsFile } from '../src/auth/credentials.js';
import { resolveDatabaseUrl } from '../src/db/embedded.js';
import { createLogger } from '../src/main.js';
import { resolveRedisUrl } from '../src/redis/connect.js';
import { deleteKeysWithPrefix } from '../src/store/keys.js';
import { projectRoot } from '../src/util/project-root.js';

export const ROOT = projectRoot();
export const ORDER_FIXTURE = path.join(ROOT, 'fixtures/ubl-order/ubl-order-2.1-example.xml');

/**
 * PostgreSQL and Redis as `npm test` finds them: DATABASE_URL, else the private server under the project's
 * var/pg (HUB_VAR_DIR when set); REDIS_URL, else 127.0.0.1:6379, else the private redis-server.
 */
export async function resolveStores(): Promise<{ databaseUrl: string; redisUrl: string }> {
  const varDir = process.env.HUB_VAR_DIR ?? path.join(ROOT, 'var');
  const logger = createLogger({ level: 'warn' });
  const redisUrl = await resolveRedisUrl(process.env.REDIS_URL, varDir, logger);
  const databaseUrl = await resolveDatabaseUrl(process.env.DATABASE_URL, varDir, logger);
  return { databaseUrl, redisUrl };
}

/** A schema name of its own for one benchmark run (dropped at the end). */
export function benchSchema(kind: string): string {
  return `bench_${kind}_${Date.now().toString(36)}_${process.pid}`;
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The order fixture with its document number (the first cbc:ID) replaced, so no post is a duplicate. */
export function orderWithNumber(template: string, number: string): string {
  return template.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${number}</cbc:ID>`);
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Median and p95 of a set of durations in ms (sorted here). */
export function summarise(values: readonly number[]): { median: number; p95: number; max: number; count: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? Number.NaN, count: sorted.length };
}

export function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface HubProcess {
  base: string;
  keys: CredentialsFile;
  prefix: string;
  child: ChildProcess;
  /** Stops the hub, deletes its Redis keys and its var folder (the schema is the caller's). */
  stop(): Promise<void>;
}

/**
 * Starts `node dist/src/cli/hub.js start` on a free loopback port with the demo config (rate limits lifted:
 * a benchmark posts far more than a partner may; the file archive in a temporary folder), its own Redis key
 * prefix and var folder, on `schema`. `configure` changes the config further.
 */
export async function startHubProcess(options: { databaseUrl: string; redisUrl: string; schema: string; configure?: (config: any) => void }): Promise<HubProcess> {
  const varDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-'));
  const prefix = `bench${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = parseYaml(readFileSync(path.join(ROOT, 'config/hub.yaml'), 'utf8'));
  config.rateLimits = { perPartner: { limit: 10_000_000, windowSeconds: 60 }, perAddress: { limit: 10_000_000, windowSeconds: 60 } };
  config.adapters.archive.options.dir = path.join(varDir, 'out');
  options.configure?.(config);
  writeFileSync(path.join(varDir, 'hub.yaml'), stringifyYaml(config));
  const nodeArgs = process.env.BENCH_HUB_NODE_ARGS ? process.env.BENCH_HUB_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist/src/cli/hub.js'), 'start'], {
    env: {
      ...process.env,
      HUB_CONFIG: path.join(varDir, 'hub.yaml'),
      PORT: String(port),
      HUB_VAR_DIR: varDir,
      HUB_KEY_PREFIX: prefix,
      HUB_DB_SCHEMA: options.schema,
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => ((exited = code), resolve())));
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      await exit;
    }
    const redis = new Redis(options.redisUrl);
    try {
      await deleteKeysWithPrefix(redis, prefix);
    } finally {
      redis.disconnect();
    }
    rmSync(varDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (exited !== undefined) throw new Error(`the hub exited with code ${exited} before it answered /healthz (its log is above)`);
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        /* not up yet */
      }
      if (i > 600) throw new Error('the hub did not answer /healthz within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const keys = JSON.parse(readFileSync(path.join(varDir, 'credentials.json'), 'utf8')) as CredentialsFile;
  return { base, keys, prefix, child, stop };
}

/** A markdown table: the first column left-aligned, the others right-aligned, padded to line up. */
export function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const [i, r] of rows.entries()) {
    console.log(`| ${widths.map((w, c) => (c === 0 ? (r[c] ?? '').padEnd(w) : (r[c] ?? '').padStart(w))).join(' | ')} |`);
    if (i === 0) console.log(`|${widths.map((w, c) => (c === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  }
}

/** The machine's load averages: other work on a shared box shows in every figure, so the output says. */
export function loadLine(when: string): string {
  const [one] = loadavg();
  const busy = when.includes('start') && one! >= 1 ? ' -- other work is running on this machine: expect it in the figures' : '';
  return `load average ${when}: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min; ${cpus().length} cores)${busy}`;
}
