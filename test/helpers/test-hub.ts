import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import type { HubConfig } from '../../src/config/types.js';
import type { Logger } from 'pino';
import { createHub, createLogger, type Hub } from '../../src/main.js';
import { projectRoot } from '../../src/util/project-root.js';
import { deleteKeysWithPrefix } from '../../src/store/keys.js';
import type { CredentialsFile } from '../../src/auth/credentials.js';
import pg from 'pg';

export const ROOT = projectRoot();
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * Set by test/run.ts and the fuzz runner before any hub starts (the private PostgreSQL under var/pg when
 * DATABASE_URL is not given); read when used, not when this module loads.
 */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run tests through test/run.ts (npm test) or the fuzz runner, which resolve it');
  return url;
}

export interface TestHub {
  hub: Hub;
  url: string;
  keys: CredentialsFile;
  prefix: string;
  /** The PostgreSQL schema of this hub (its own, dropped on close). */
  schema: string;
  varDir: string;
  configFile: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** The demo config (config/hub.yaml) as a plain object, for a test to change. */
export function demoConfig(): any {
  return parseYaml(readFileSync(path.join(ROOT, 'config/hub.yaml'), 'utf8'));
}

/** Drops a test hub's schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key under a prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts a real hub (real Redis, real HTTP server on a free port) with its own key prefix and var/ folder.
 * `configure` changes the demo config before it is loaded.
 */
export async function startTestHub(
  options: { configure?: (config: any) => void; workers?: boolean; server?: boolean; prefix?: string; logger?: Logger; varDir?: string; sweepIntervalMs?: number; keep?: boolean; redisUrl?: string; databaseUrl?: string } = {},
): Promise<TestHub> {
  const varDir = options.varDir ?? mkdtempSync(path.join(tmpdir(), 'hub-test-'));
  const prefix = options.prefix ?? `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const schema = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const raw = demoConfig();
  raw.pipeline = { ...raw.pipeline, backoffMs: 50, attempts: 3 };
  raw.adapters.archive.options.dir = path.join(varDir, 'out');
  // Tests post hundreds of documents a second from one address; the rate-limit test sets its own limits.
  raw.rateLimits = { perPartner: { limit: 1_000_000, windowSeconds: 60 }, perAddress: { limit: 1_000_000, windowSeconds: 60 } };
  options.configure?.(raw);
  const configFile = path.join(varDir, 'hub.yaml');
  writeFileSync(configFile, stringify(raw));
  const env = { ...process.env, HUB_CONFIG: configFile, HUB_VAR_DIR: varDir, HUB_KEY_PREFIX: prefix, HUB_DB_SCHEMA: schema, REDIS_URL: options.redisUrl ?? REDIS_URL, DATABASE_URL: options.databaseUrl ?? databaseUrl(), PORT: '0' };
  const config: HubConfig = loadConfig({ file: configFile, env });
  const logger = options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const hub = await createHub(config, { server: options.server ?? true, workers: options.workers ?? true, logger, sweepIntervalMs: options.sweepIntervalMs ?? 0, retention: false });
  const keys: CredentialsFile = hub.credentialsFile ? JSON.parse(readFileSync(hub.credentialsFile, 'utf8')) : { partners: {} };
  return {
    hub,
    url: hub.url ?? '',
    keys,
    prefix,
    schema,
    varDir,
    configFile,
    env,
    async close() {
      await hub.close();
      if (options.keep) return;
      if (!options.redisUrl) await deletePrefix(prefix);
      if (!options.databaseUrl) await dropSchema(schema);
      rmSync(varDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any;
}

/** fetch with a Bearer key; parses JSON bodies. */
export async function call(base: string, method: string, url: string, options: { key?: string; body?: string | Buffer; contentType?: string; accept?: string } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.accept) headers.accept = options.accept;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/xml';
  const payload = options.body === undefined || typeof options.body === 'string' ? options.body : new Uint8Array(options.body);
  const response = await fetch(base + url, { method, headers, body: payload });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, headers: response.headers, body };
}

/** Waits for a message to reach a final status and returns its tracking view. */
export async function waitForStatus(t: TestHub, id: string, statuses: string[] = ['delivered', 'failed'], timeoutMs = 15_000): Promise<any> {
  return waitFor(async () => {
    const r = await call(t.url, 'GET', `/v1/ops/messages/${id}`, { key: t.keys.ops });
    return statuses.includes(r.body.status) ? r.body : undefined;
  }, `message ${id} to be ${statuses.join(' or ')}`, timeoutMs);
}
