/**
 * Measures, on this machine, with one hub process (`hub start`: HTTP + workers) on real Redis:
 *  1. latency from POST to the canonical message in the outbox, one document at a time;
 *  2. how many documents a second the hub process accepts (202) under concurrent posting, and how long the
 *     pipeline takes to deliver them all.
 * The client runs in this process, the hub in a child process (both share the machine's cores). The hub runs
 * the demo config with rate limits lifted and the file archive in a temporary folder.
 * Usage: npm run bench [-- --documents 2000 --concurrency 16 --latency 50]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../src/store/keys.js';
import { projectRoot } from '../src/util/project-root.js';

const { values } = parseArgs({ options: { documents: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '16' }, latency: { type: 'string', default: '50' }, fixture: { type: 'string' } } });
const ROOT = projectRoot();
const fixtureFile = values.fixture ?? path.join(ROOT, 'fixtures/ubl-order/ubl-order-2.1-example.xml');
const template = readFileSync(fixtureFile, 'utf8');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** The fixture with a unique order number, so no post is a duplicate. */
function uniqueOrder(n: number): string {
  return template.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>BENCH-${process.pid}-${n}</cbc:ID>`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const varDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-'));
const prefix = `bench${Date.now().toString(36)}`;
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// The demo config, with rate limits lifted: the benchmark posts far more than a partner may.
const benchConfig = parseYaml(readFileSync(path.join(ROOT, 'config/hub.yaml'), 'utf8'));
benchConfig.rateLimits = { perPartner: { limit: 10_000_000, windowSeconds: 60 }, perAddress: { limit: 10_000_000, windowSeconds: 60 } };
benchConfig.adapters.archive.options.dir = path.join(varDir, 'out');
writeFileSync(path.join(varDir, 'hub.yaml'), stringifyYaml(benchConfig));
const hub = spawn(process.execPath, [...(process.env.BENCH_HUB_NODE_ARGS ? process.env.BENCH_HUB_NODE_ARGS.split(' ') : []), path.join(ROOT, 'dist/src/cli/hub.js'), 'start'], {
  env: { ...process.env, HUB_CONFIG: path.join(varDir, 'hub.yaml'), PORT: String(port), HUB_VAR_DIR: varDir, HUB_KEY_PREFIX: prefix, REDIS_URL: redisUrl, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const redis = new Redis(redisUrl);

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 200) throw new Error('hub did not become ready');
    await new Promise((r) => setTimeout(r, 50));
  }
  const keys = JSON.parse(readFileSync(path.join(varDir, 'credentials.json'), 'utf8'));
  const headers = { authorization: `Bearer ${keys.partners.acme}`, 'content-type': 'application/xml' };
  const outboxKey = (id: string) => `${prefix}:adapter:outbox:msg:${id}.sales`;
  let n = 0;

  // Warm-up: the first documents pay for JIT and connection set-up.
  for (let i = 0; i < 20; i++) await fetch(`${base}/v1/documents`, { method: 'POST', headers, body: uniqueOrder(n++) });

  const latencies: number[] = [];
  const acceptLatencies: number[] = [];
  for (let i = 0; i < Number(values.latency); i++) {
    const body = uniqueOrder(n++);
    const started = performance.now();
    const response = await fetch(`${base}/v1/documents`, { method: 'POST', headers, body });
    const { id } = (await response.json()) as { id: string };
    acceptLatencies.push(performance.now() - started);
    while (!(await redis.exists(outboxKey(id)))) await new Promise((r) => setImmediate(r));
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  acceptLatencies.sort((a, b) => a - b);
  const bytes = Buffer.byteLength(uniqueOrder(0));
  console.log(`document: ${path.relative(ROOT, fixtureFile)} (${bytes} bytes)`);
  console.log(`POST -> 202, one at a time (${latencies.length} docs): median ${percentile(acceptLatencies, 50).toFixed(2)} ms, p95 ${percentile(acceptLatencies, 95).toFixed(2)} ms`);
  console.log(`POST -> canonical in outbox, one at a time: median ${percentile(latencies, 50).toFixed(2)} ms, p95 ${percentile(latencies, 95).toFixed(2)} ms`);

  const total = Number(values.documents);
  const concurrency = Number(values.concurrency);
  const bodies = Array.from({ length: total }, () => uniqueOrder(n++));
  let next = 0;
  let accepted = 0;
  let other = 0;
  const ids: string[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const body = bodies[next++]!;
        const response = await fetch(`${base}/v1/documents`, { method: 'POST', headers, body });
        const json = (await response.json()) as { id: string };
        if (response.status === 202) {
          accepted++;
          ids.push(json.id);
        } else other++;
      }
    }),
  );
  const acceptSeconds = (performance.now() - started) / 1000;
  let remaining = ids;
  while (remaining.length) {
    const pipeline = redis.pipeline();
    for (const id of remaining) pipeline.exists(outboxKey(id));
    const results = (await pipeline.exec()) ?? [];
    remaining = remaining.filter((_, i) => results[i]![1] === 0);
    if (remaining.length) await new Promise((r) => setTimeout(r, 20));
  }
  const allSeconds = (performance.now() - started) / 1000;
  console.log(`accepted ${accepted} documents (${other} not 202) with ${concurrency} concurrent clients in ${acceptSeconds.toFixed(2)} s: ${(accepted / acceptSeconds).toFixed(0)} documents/s accepted`);
  console.log(`all ${accepted} in the outbox after ${allSeconds.toFixed(2)} s: ${(accepted / allSeconds).toFixed(0)} documents/s end to end (HTTP + transform + 2 adapters, one process)`);
} finally {
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  rmSync(varDir, { recursive: true, force: true });
}
