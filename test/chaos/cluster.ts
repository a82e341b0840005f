/**
 * The hub as production runs it, for the chaos suite: intake processes (`hub start --no-workers`) and worker
 * processes (`hub worker`), each a real `node dist/src/cli/hub.js`, on one PostgreSQL and one Redis of the
 * suite's own. Like a process manager (systemd's Restart=always), it starts a killed worker again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { CredentialsFile } from '../../src/auth/credentials.js';
import { freePort } from '../helpers/private-redis.js';
import { ROOT } from '../helpers/test-hub.js';

export interface HubProcessInfo {
  name: string;
  role: 'intake' | 'worker';
  child: ChildProcess;
  /** For intake processes: http://127.0.0.1:<port>. */
  base?: string;
  /** Up and answering (intake: /healthz; worker: its workers run). A load balancer sends only to ready intakes. */
  ready: boolean;
  exited: Promise<number | null>;
}

export class HubCluster {
  readonly processes = new Map<string, HubProcessInfo>();
  keys!: CredentialsFile;
  private readonly logs: WriteStream;
  private readonly ports = new Map<string, number>();
  private workerSeq = 0;

  constructor(
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    config: unknown,
  ) {
    writeFileSync(path.join(dir, 'hub.yaml'), stringify(config));
    this.logs = createWriteStream(path.join(dir, 'hub.log'), { flags: 'a' });
  }

  /** Where every process's log lines go (one file, each line prefixed with the process name). */
  get logFile(): string {
    return path.join(this.dir, 'hub.log');
  }

  intakes(): HubProcessInfo[] {
    return [...this.processes.values()].filter((p) => p.role === 'intake');
  }

  workers(): HubProcessInfo[] {
    return [...this.processes.values()].filter((p) => p.role === 'worker');
  }

  /** Starts an intake process under this name (again on its earlier port, so partners keep their URL). */
  async startIntake(name: string): Promise<HubProcessInfo> {
    const port = this.ports.get(name) ?? (await freePort());
    this.ports.set(name, port);
    const info = this.spawn(name, 'intake', ['start', '--no-workers'], { PORT: String(port) });
    info.base = `http://127.0.0.1:${port}`;
    await this.waitUntil(info, async () => (await fetch(`${info.base}/healthz`)).ok, 'answer /healthz');
    info.ready = true;
    this.keys = JSON.parse(readFileSync(path.join(this.dir, 'var/credentials.json'), 'utf8')) as CredentialsFile;
    return info;
  }

  /** Starts one more worker process; resolves once it runs its workers. */
  async startWorker(): Promise<HubProcessInfo> {
    const name = `worker-${++this.workerSeq}`;
    let running = false;
    const info = this.spawn(name, 'worker', ['worker'], {}, (line) => {
      if (line.includes('"msg":"worker running"')) running = true;
    });
    await this.waitUntil(info, async () => running, 'log "worker running"');
    info.ready = true;
    return info;
  }

  /** As a process manager does: start again, a second later, until it runs (PostgreSQL may be down). */
  startWorkerUntilUp(): Promise<HubProcessInfo> {
    return untilUp(() => this.startWorker());
  }

  startIntakeUntilUp(name: string): Promise<HubProcessInfo> {
    return untilUp(() => this.startIntake(name));
  }

  /** Sends a signal; resolves with the exit code once the process is gone. */
  async signal(info: HubProcessInfo, signal: NodeJS.Signals): Promise<number | null> {
    if (info.child.exitCode === null && info.child.signalCode === null) info.child.kill(signal);
    return info.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => this.signal(p, 'SIGTERM')));
    await new Promise<void>((resolve) => this.logs.end(() => resolve()));
  }

  private spawn(name: string, role: 'intake' | 'worker', args: string[], extraEnv: Record<string, string>, onLine?: (line: string) => void): HubProcessInfo {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/hub.js'), ...args], {
      env: { ...this.env, ...extraEnv, HUB_CONFIG: path.join(this.dir, 'hub.yaml'), HUB_VAR_DIR: path.join(this.dir, 'var'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    const write = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        this.logs.write(`${name} ${line}\n`);
        onLine?.(line);
      }
    };
    child.stdout!.on('data', write);
    child.stderr!.on('data', write);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code, signal) => {
        this.logs.write(`${name} exited (${signal ?? code})\n`);
        if (this.processes.get(name)?.child === child) this.processes.delete(name);
        resolve(code);
      }),
    );
    const info: HubProcessInfo = { name, role, child, exited, ready: false };
    this.processes.set(name, info);
    return info;
  }

  private async waitUntil(info: HubProcessInfo, ready: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 1200; i++) {
      if (info.child.exitCode !== null) throw new Error(`${info.name} exited with ${info.child.exitCode} before it could ${what}; see ${this.logFile}`);
      try {
        if (await ready()) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${info.name} did not ${what} within 60 s; see ${this.logFile}`);
  }
}

async function untilUp(start: () => Promise<HubProcessInfo>): Promise<HubProcessInfo> {
  for (let i = 0; ; i++) {
    try {
      return await start();
    } catch (error) {
      if (i >= 60) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
