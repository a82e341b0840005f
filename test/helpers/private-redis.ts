import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of the test's own (127.0.0.1, a free port), for tests that wipe, stop or kill Redis without
 * touching the machine's. No persistence by default (a restart starts empty); with `appendOnlyDir`, an
 * append-only file fsynced every second, as ops would run it (a clean stop keeps everything, SIGKILL loses up
 * to the last second).
 */
export class PrivateRedis {
  private child?: ChildProcess;
  private constructor(
    readonly port: number,
    private readonly appendOnlyDir?: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: { appendOnlyDir?: string } = {}): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), options.appendOnlyDir);
    await redis.restart();
    return redis;
  }

  /** Starts (again) on the same port: empty, or with what its append-only file kept. */
  async restart(): Promise<void> {
    const persistence = this.appendOnlyDir ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', this.appendOnlyDir] : ['--appendonly', 'no'];
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => {});
      try {
        await client.connect();
        // While it loads its append-only file it answers LOADING: not up yet.
        if ((await client.ping()) === 'PONG') return;
      } catch {
        /* not up yet */
      } finally {
        client.disconnect();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  async flushAll(): Promise<void> {
    const client = new Redis(this.url);
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
