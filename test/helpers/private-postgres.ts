import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { findPostgresBinaries, resolveDatabaseUrl } from '../../src/db/embedded.js';
import { createLogger } from '../../src/main.js';

/**
 * A PostgreSQL cluster of the test's own, made the way the hub makes its private one (under `varDir`, socket
 * only, run as the postgres user when root), for tests that stop, crash or restart PostgreSQL without
 * touching the one other tests use.
 */
export class PrivatePostgres {
  private constructor(
    readonly url: string,
    private readonly varDir: string,
    private readonly bin: string,
    readonly dataDir: string,
  ) {}

  /** The server binaries, or undefined when this machine has none (the caller skips, saying so). */
  static binaries(): string | undefined {
    return findPostgresBinaries();
  }

  static async start(varDir: string): Promise<PrivatePostgres> {
    const bin = findPostgresBinaries();
    if (!bin) throw new Error('no PostgreSQL server binaries (pg_ctl) on PATH or under /usr/lib/postgresql');
    const url = await resolveDatabaseUrl(undefined, varDir, createLogger({ level: 'silent' }));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
      return new PrivatePostgres(url, varDir, bin, rows[0]!.data_directory);
    } finally {
      await client.end();
    }
  }

  /**
   * Stops the server: `fast` (clients disconnected, a clean shutdown) or `immediate` (no shutdown checkpoint:
   * a crash, recovered from the WAL at the next start).
   */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    const run = this.pgCtl('-D', this.dataDir, '-m', mode, '-w', 'stop');
    if (run.status !== 0 && !/is the server running|No such process/i.test(run.stderr)) throw new Error(`pg_ctl stop -m ${mode} failed: ${run.stderr}`);
  }

  /** Starts it again, as the hub would find it (the same socket, so the same URL). */
  async start(): Promise<void> {
    await resolveDatabaseUrl(undefined, this.varDir, createLogger({ level: 'silent' }));
  }

  private pgCtl(...args: string[]) {
    const pgCtl = path.join(this.bin, 'pg_ctl');
    const asRoot = process.getuid?.() === 0;
    return spawnSync(asRoot ? 'runuser' : pgCtl, asRoot ? ['-u', 'postgres', '--', pgCtl, ...args] : args, { encoding: 'utf8' });
  }
}
