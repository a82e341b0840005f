/**
 * The "before" figures: the intake benchmark of the last Redis-only commit, built from git and run on this
 * machine in the same invocation, so the cost of moving the system of record to PostgreSQL is measured rather
 * than remembered. The commit is extracted with `git archive` into a temporary folder (nothing is written to
 * the repository: no worktree entry is left behind if the run is interrupted), compiled with this checkout's
 * tsc and run against this checkout's node_modules (its dependencies are a subset, same versions).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './hub-process.js';

/** The last commit whose system of record was Redis. */
export const BEFORE_COMMIT = '30399e5';

/** What the intake benchmark prints, as numbers (the same lines in both versions). */
export interface IntakeFigures {
  acceptMedian: number;
  acceptP95: number;
  outboxMedian: number;
  outboxP95: number;
  accepted: number;
  notAccepted: number;
  acceptedPerSecond: number;
  endToEndPerSecond: number;
}

export type BeforeResult = { figures: IntakeFigures; output: string } | { reason: string; output?: string };

/** Reads the figures back from the benchmark's own output lines; undefined when a line is missing. */
export function parseFigures(output: string): IntakeFigures | undefined {
  const accept = /POST -> 202, one at a time \(\d+ docs\): median ([\d.]+) ms, p95 ([\d.]+) ms/.exec(output);
  const outbox = /POST -> canonical in outbox, one at a time: median ([\d.]+) ms, p95 ([\d.]+) ms/.exec(output);
  const rate = /accepted (\d+) documents \((\d+) not 202\) with \d+ concurrent clients in [\d.]+ s: (\d+) documents\/s accepted/.exec(output);
  const all = /all \d+ in the outbox after [\d.]+ s: (\d+) documents\/s end to end/.exec(output);
  if (!accept || !outbox || !rate || !all) return undefined;
  return {
    acceptMedian: Number(accept[1]),
    acceptP95: Number(accept[2]),
    outboxMedian: Number(outbox[1]),
    outboxP95: Number(outbox[2]),
    accepted: Number(rate[1]),
    notAccepted: Number(rate[2]),
    acceptedPerSecond: Number(rate[3]),
    endToEndPerSecond: Number(all[1]),
  };
}

function git(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim() };
}

/** Why the commit cannot be checked out here, or undefined when it can. */
function unavailable(commit: string): string | undefined {
  // Handed to git as an argument: a name starting with "-" would be read as an option.
  if (!/^[0-9A-Za-z][\w./~^-]*$/.test(commit)) return `"${commit}" is not a commit name`;
  const inside = git(['rev-parse', '--git-dir']);
  if (!inside.ok) return /ENOENT/.test(inside.output) ? 'git is not installed' : `${ROOT} is not a git checkout (${inside.output})`;
  if (!git(['cat-file', '-e', `${commit}^{commit}`]).ok) {
    const shallow = git(['rev-parse', '--is-shallow-repository']).output === 'true';
    return `commit ${commit} is not in this clone${shallow ? ' (a shallow clone: git fetch --unshallow brings it)' : ''}`;
  }
  return undefined;
}

/**
 * Runs a command in a process group of its own, echoing its stdout indented as it comes and returning it
 * whole. On a timeout or a Ctrl-C here the whole group is stopped: the benchmark and the hub it started (the
 * old benchmark has no signal handler, so its few Redis keys under its bench* prefix stay behind then).
 */
function runEchoed(command: string, args: string[], options: { env: NodeJS.ProcessEnv; timeoutMs: number; onInterrupt: () => void }): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    const stopGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    const interrupted = () => {
      stopGroup();
      options.onInterrupt();
      process.exit(130);
    };
    process.once('SIGINT', interrupted);
    let stdout = '';
    let echoed = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const complete = stdout.lastIndexOf('\n') + 1;
      if (complete > echoed) process.stdout.write(stdout.slice(echoed, complete).replace(/^(?=.)/gm, '  '));
      echoed = Math.max(echoed, complete);
    });
    const timer = setTimeout(stopGroup, options.timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      process.removeListener('SIGINT', interrupted);
      if (echoed < stdout.length) process.stdout.write(`  ${stdout.slice(echoed)}\n`);
      resolve({ code, stdout });
    });
  });
}

/**
 * Builds `commit` (default BEFORE_COMMIT) in a temporary folder, runs its dist/bench/intake.bench.js with the
 * same sizes, fixture and Redis, prints its output as it comes and returns its figures; the folder is removed
 * afterwards.
 */
export async function measureBefore(options: {
  documents: number;
  concurrency: number;
  latency: number;
  redisUrl: string;
  fixture?: string;
  commit?: string;
  timeoutMs?: number;
}): Promise<BeforeResult> {
  const commit = options.commit ?? BEFORE_COMMIT;
  const why = unavailable(commit);
  if (why) return { reason: why };
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-before-'));
  try {
    const tar = path.join(dir, 'source.tar');
    const archived = git(['archive', '--format=tar', `--output=${tar}`, commit]);
    if (!archived.ok) return { reason: `git archive ${commit} failed: ${archived.output}` };
    const tree = path.join(dir, 'tree');
    const unpacked = spawnSync('sh', ['-c', 'mkdir -p "$1" && tar -xf "$2" -C "$1"', 'sh', tree, tar], { encoding: 'utf8' });
    if (unpacked.status !== 0) return { reason: `could not unpack ${commit}: ${unpacked.stderr}` };
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
    const built = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', path.join(tree, 'tsconfig.json')], { encoding: 'utf8' });
    if (built.status !== 0) return { reason: `${commit} does not compile with this checkout's tsc: ${`${built.stdout}${built.stderr}`.slice(-1500)}` };
    const args = ['--documents', String(options.documents), '--concurrency', String(options.concurrency), '--latency', String(options.latency)];
    if (options.fixture) args.push('--fixture', path.resolve(options.fixture));
    const env = { ...process.env, REDIS_URL: options.redisUrl };
    const cleanup = () => rmSync(dir, { recursive: true, force: true });
    const script = path.join(tree, 'dist/bench/intake.bench.js');
    const run = await runEchoed(process.execPath, [script, ...args], { env, timeoutMs: options.timeoutMs ?? 20 * 60_000, onInterrupt: cleanup });
    const figures = parseFigures(run.stdout);
    if (run.code !== 0 || !figures) return { reason: `the benchmark of ${commit} ${run.code !== 0 ? `exited with code ${run.code}` : 'printed no figures'}`, output: run.stdout };
    return { figures, output: run.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
