import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { HubError } from '../errors/hub-error.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Port of the private redis-server the hub starts when nothing answers on the default port. */
export const PRIVATE_REDIS_PORT = 6391;

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * The Redis URL to use: the configured one; else 127.0.0.1:6379 when something answers there; else a private
 * redis-server (append-only persistence under var/redis) started on 127.0.0.1:6391 and left running for the
 * next start.
 */
export async function resolveRedisUrl(
  configured: string | undefined,
  varDir: string,
  logger: Logger,
  defaults: { url: string; privatePort: number } = { url: DEFAULT_REDIS_URL, privatePort: PRIVATE_REDIS_PORT },
): Promise<string> {
  if (configured) return configured;
  if (await answers(defaults.url)) return defaults.url;
  const privateUrl = `redis://127.0.0.1:${defaults.privatePort}`;
  if (await answers(privateUrl)) return privateUrl;
  const server = which('redis-server');
  if (!server) {
    throw new HubError(
      'HUB_ERR_STORE_UNAVAILABLE',
      'No REDIS_URL is set, nothing answers on 127.0.0.1:6379 and redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const dir = path.join(varDir, 'redis');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const args = ['--bind', '127.0.0.1', '--port', String(defaults.privatePort), '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--daemonize', 'yes', '--pidfile', path.join(dir, 'redis.pid'), '--logfile', path.join(dir, 'redis.log')];
  const started = spawnSync(server, args, { encoding: 'utf8' });
  if (started.status !== 0) throw new HubError('HUB_ERR_STORE_UNAVAILABLE', `could not start ${server}: ${started.stderr || started.stdout}`);
  for (let i = 0; i < 50; i++) {
    if (await answers(privateUrl)) {
      logger.info({ url: privateUrl, dir, pid: readFileSync(path.join(dir, 'redis.pid'), 'utf8').trim() }, 'started a private redis-server with append-only persistence');
      return privateUrl;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new HubError('HUB_ERR_STORE_UNAVAILABLE', `started ${server} but it does not answer on ${privateUrl}; see ${path.join(dir, 'redis.log')}`);
}

/**
 * A client for the hub's own commands (rate limits, the replay cache). While Redis is unreachable a command
 * fails at once (no offline queue, at most one retry), so a partner gets a quick 503 with Retry-After instead
 * of a request that waits for a reconnect; the client reconnects by itself and the next request works.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, enableReadyCheck: true, retryStrategy: (times) => Math.min(times * 100, 1000) });
}

/** Resolves once the client is ready; HUB_ERR_STORE_UNAVAILABLE if it is not within `timeoutMs`. */
export async function redisReady(redis: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new HubError('HUB_ERR_STORE_UNAVAILABLE', `Redis at ${url.replace(/\/\/[^@]*@/, '//***@')} did not answer within ${timeoutMs / 1000} s; check that it runs, or set REDIS_URL.`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** ioredis options from a redis:// URL, for BullMQ's own connections (workers need maxRetriesPerRequest null). */
export function connectionOptions(url: string): { host: string; port: number; db: number; username?: string; password?: string; maxRetriesPerRequest: null; tls?: object } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}
