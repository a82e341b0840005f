/**
 * `npm run guarantees`: proves that each guarantee of docs/architecture.md has a test that goes red without
 * it. For every guarantee it copies the project to a temporary folder, removes the guarantee from the code
 * (one exact edit, refused when the code no longer reads that way), builds the copy and runs the tests named
 * for it there: at least one must fail. A guarantee whose tests all stay green is reported, and the command
 * exits 1.
 *
 * It tests what is committed (git archive HEAD); `--worktree` copies the checkout as it is instead.
 * `--only <fragment>` runs the guarantees whose name contains it; `--list` prints them.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/main.js';
import { resolveDatabaseUrl } from '../../src/db/embedded.js';
import { resolveRedisUrl } from '../../src/redis/connect.js';
import { projectRoot } from '../../src/util/project-root.js';

interface Guarantee {
  /** The promise, as docs/architecture.md states it. */
  name: string;
  file: string;
  /** The exact code that keeps it (must occur once) and what it becomes without the guarantee. */
  find: string;
  replace: string;
  /** Test file name fragments (test/run.ts filters); at least one of their tests must go red. */
  tests: string[];
  /** The edit breaks the file's types (not its syntax): the file is compiled unchecked (// @ts-nocheck). */
  uncheck?: boolean;
}

export const GUARANTEES: Guarantee[] = [
  {
    name: 'a delivery recorded as delivered is never made again',
    file: 'src/pipeline/deliver.ts',
    find: "if (existing?.status === 'delivered') {",
    replace: 'if (false) {',
    tests: ['deliver-once'],
  },
  {
    name: 'the adapter gets the same idempotency key on every attempt',
    file: 'src/pipeline/deliver.ts',
    find: 'return `${messageId}:${adapter}`;',
    replace: 'return `${messageId}:${adapter}:${Date.now()}`;',
    tests: ['webhook-adapter', 'unit/pipeline'],
  },
  {
    name: 'the outbox adds a (message, module) once',
    file: 'adapters/outbox/outbox-store.ts',
    find: 'ON CONFLICT (id) DO NOTHING',
    replace: '',
    tests: ['outbox.test'],
  },
  {
    name: 'committed but never queued is queued by the sweeper',
    file: 'src/pipeline/recovery.ts',
    find: 'for (const t of transforms) {',
    replace: 'for (const t of transforms.slice(0, 0)) {',
    tests: ['worker-process', 'lost-jobs'],
  },
  {
    name: 'a pending delivery whose job Redis lost is queued again',
    file: 'src/pipeline/recovery.ts',
    find: 'for (const d of deliveries) {',
    replace: 'for (const d of deliveries.slice(0, 0)) {',
    tests: ['system-of-record'],
  },
  {
    name: 'a delivery job BullMQ failed (stalled too often) is replaced by the sweeper',
    file: 'src/pipeline/recovery.ts',
    find: '{ revive: { stillNeeded: () => store.needsDelivery(d.id, d.adapter) } }',
    replace: '{}',
    tests: ['lost-jobs'],
  },
  {
    name: 'a transform job BullMQ failed is replaced by the sweeper',
    file: 'src/pipeline/recovery.ts',
    find: '{ revive: { stillNeeded: () => store.needsTransform(t.id) } }',
    replace: '{}',
    tests: ['lost-jobs'],
  },
  {
    name: 'work lost more than pipeline.attempts times fails with HUB_ERR_PROCESSING_LOST',
    file: 'src/pipeline/recovery.ts',
    find: 'if (t.requeues >= maxRequeues) {',
    replace: 'if (false) {',
    tests: ['lost-jobs'],
  },
  {
    name: 'a message whose deliveries are all recorded is completed by the sweeper',
    file: 'src/pipeline/recovery.ts',
    find: 'for (const m of settled) {',
    replace: 'for (const m of settled.slice(0, 0)) {',
    tests: ['lost-jobs'],
  },
  {
    name: 'a store outage on the last delivery attempt never fails a message',
    file: 'src/pipeline/deliver.ts',
    find: '    if (isStoreUnavailable(error)) {',
    replace: '    if (false) {',
    tests: ['deliver-once'],
  },
  {
    name: 'a long delivery keeps its lock (renewed) and runs once',
    file: 'src/queue/workers.ts',
    find: 'const common = { connection, prefix: bullPrefix(config), lockDuration,',
    replace: 'const common = { skipLockRenewal: true, connection, prefix: bullPrefix(config), lockDuration,',
    tests: ['long-delivery'],
  },
  {
    name: 'bad data is not retried: non-retryable errors fail at once',
    file: 'src/queue/workers.ts',
    find: 'if (isHubErrorLike(error) && !error.retryable) throw new UnrecoverableError',
    replace: 'if (isHubErrorLike(error) && !error.retryable && Date.now() < 0) throw new UnrecoverableError',
    tests: ['failures-and-replay'],
  },
  {
    name: 'the same document again is a duplicate with the original id, processed once',
    file: 'src/pipeline/intake.ts',
    find: "if (outcome.outcome === 'duplicate') {",
    replace: "if (outcome.outcome === 'duplicate' && false) {",
    // The rest of the function then sees a duplicate where the types say it cannot be one.
    uncheck: true,
    tests: ['intake-rejections'],
  },
  {
    name: 'every refused post is stored with its bytes and errors',
    file: 'src/http/routes/documents.ts',
    find: 'await deps.refusals.record({',
    replace: 'void ({',
    tests: ['system-of-record'],
  },
  {
    name: 'PostgreSQL or Redis down answers 503 with Retry-After',
    file: 'src/http/middleware/errors.ts',
    find: '  if (isStoreUnavailable(error)) {',
    replace: '  if (false) {',
    tests: ['outage'],
  },
  {
    name: 'an intake short of PostgreSQL connections answers 503 at once, storing nothing',
    file: 'src/pipeline/intake.ts',
    find: '  if (deps.store.overloaded()) {',
    replace: '  if (deps.store.overloaded() && Date.now() < 0) {',
    tests: ['overload'],
  },
  {
    name: 'a shutdown ends within its grace period even when a worker cannot close (after a Redis restart)',
    file: 'src/main.ts',
    find: 'void w.close(true).catch(() => {})',
    replace: 'w.close(true)',
    tests: ['outage'],
  },
  {
    name: 'a draining process answers 503 to new requests',
    file: 'src/http/app.ts',
    find: "if (!lifecycle.draining || req.path === '/healthz') {",
    replace: 'if (true) {',
    tests: ['shutdown'],
  },
];

const COPIED = ['package.json', 'tsconfig.json', 'src', 'adapters', 'test', 'bench', 'mappings', 'schemas', 'config', 'fixtures', 'migrations', 'scripts', 'bin'];

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, list: { type: 'boolean', default: false }, worktree: { type: 'boolean', default: false } } });
  const chosen = GUARANTEES.filter((g) => !values.only || g.name.includes(values.only));
  if (values.list) {
    for (const g of chosen) console.log(`${g.name}\n  ${g.file}: ${g.find}\n  tests: ${g.tests.join(', ')}`);
    return;
  }
  const root = projectRoot();
  const logger = createLogger({ level: 'warn' });
  const varDir = process.env.HUB_VAR_DIR ?? path.join(root, 'var');
  const env = {
    ...process.env,
    REDIS_URL: await resolveRedisUrl(process.env.REDIS_URL, varDir, logger),
    DATABASE_URL: await resolveDatabaseUrl(process.env.DATABASE_URL, varDir, logger),
    MOCHA_REPORTER: 'dot',
  };
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const results: Array<{ g: Guarantee; verdict: string; ok: boolean }> = [];
  for (const g of chosen) {
    const copy = mkdtempSync(path.join(tmpdir(), 'hub-guarantee-'));
    try {
      if (values.worktree || !existsSync(path.join(root, '.git'))) {
        for (const entry of COPIED) if (existsSync(path.join(root, entry))) cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
      } else {
        // What is committed: uncommitted work in the checkout (yours or a colleague's) neither helps nor breaks it.
        const archive = spawnSync('sh', ['-c', `git -C '${root}' archive HEAD ${COPIED.join(' ')} | tar -x -C '${copy}'`], { encoding: 'utf8' });
        if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
      }
      symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
      const file = path.join(copy, g.file);
      const text = readFileSync(file, 'utf8');
      const occurrences = text.split(g.find).length - 1;
      if (occurrences !== 1) {
        results.push({ g, verdict: `the code no longer reads as expected (${occurrences} occurrences of the edit's text): update this guarantee`, ok: false });
        console.log(`FAIL ${g.name}: ${results.at(-1)!.verdict}`);
        continue;
      }
      writeFileSync(file, `${g.uncheck ? '// @ts-nocheck\n' : ''}${text.replace(g.find, g.replace)}`);
      const build = run(process.execPath, [tsc, '-p', 'tsconfig.json'], copy, env);
      if (build.status !== 0) {
        results.push({ g, verdict: `the copy without it does not build: ${build.output.slice(0, 300)}`, ok: false });
        console.log(`FAIL ${g.name}: ${results.at(-1)!.verdict}`);
        continue;
      }
      const outcomes: string[] = [];
      let red = false;
      for (const filter of g.tests) {
        const tests = run(process.execPath, [path.join(copy, 'dist/test/run.js'), filter], copy, { ...env, HUB_VAR_DIR: path.join(copy, 'var') });
        const summary = /(\d+) passed, (\d+) failed/.exec(tests.output);
        const failed = summary ? Number(summary[2]) : 0;
        if (!summary || Number(summary[1]) + failed === 0) outcomes.push(`${filter}: no tests ran`);
        else {
          outcomes.push(`${filter}: ${summary[0]}`);
          if (failed > 0) red = true;
        }
      }
      results.push({ g, verdict: `${red ? 'red without it' : 'STILL GREEN without it'} (${outcomes.join('; ')})`, ok: red });
      console.log(`${red ? 'ok  ' : 'FAIL'} ${g.name}: ${results.at(-1)!.verdict}`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }
  console.log('');
  for (const { g, verdict, ok } of results) console.log(`${ok ? 'ok  ' : 'FAIL'} ${g.name} [${g.file}] ${verdict}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\n${results.length - failed} guarantees proved, ${failed} not`);
  process.exit(failed ? 1 : 0);
}

await main();
