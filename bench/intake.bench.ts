/**
 * Measures, on this machine, with one hub process (`hub start`: HTTP + workers) on real PostgreSQL and Redis:
 *  1. latency from POST to the 202, and to the canonical message in the outbox (its outbox row), one document
 *     at a time;
 *  2. how many documents a second the hub process accepts (202) under concurrent posting, and how long the
 *     pipeline takes to deliver them all.
 * Then the same benchmark of the last Redis-only commit (bench/before.ts), run one after the other on the same
 * machine in the same invocation, and both side by side: the cost of a durable system of record, measured.
 * The client runs in this process, the hub in a child process (both share the machine's cores). The hub runs
 * the demo config with rate limits lifted, the file archive in a temporary folder, and a PostgreSQL schema of
 * its own (dropped at the end) in DATABASE_URL, else the private server under var/pg.
 * Usage: npm run bench [-- --documents 2000 --concurrency 16 --latency 50 --fixture <file.xml>]
 *        [-- --no-before]          only the figures of this checkout
 *        [-- --before <commit>]    compare with another commit than 30399e5 (its bench must print the same lines)
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Database } from '../src/db/database.js';
import { BEFORE_COMMIT, measureBefore, type BeforeResult, type IntakeFigures } from './before.js';
import { benchSchema, dropSchema, ms, ORDER_FIXTURE, orderWithNumber, loadLine, printTable, resolveStores, ROOT, startHubProcess, summarise } from './hub-process.js';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    latency: { type: 'string', default: '50' },
    fixture: { type: 'string' },
    'no-before': { type: 'boolean', default: false },
    before: { type: 'string', default: BEFORE_COMMIT },
  },
});
const beforeLabel = `before (${values.before}${values.before === BEFORE_COMMIT ? ', Redis' : ''})`;
const sizes = { documents: Number(values.documents), concurrency: Number(values.concurrency), latency: Number(values.latency) };
const fixtureFile = values.fixture ?? ORDER_FIXTURE;
const template = readFileSync(fixtureFile, 'utf8');

/** The stores as they are configured here: the durability each one gives is part of what is measured. */
async function describeStores(db: Database, redisUrl: string): Promise<string[]> {
  const names = ['server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers'];
  const settings = await db.query<{ name: string; value: string }>('SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name', [names]);
  const pgLine = settings.rows.map((r) => `${r.name}=${r.value}`).join(', ');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisLine: string;
  try {
    await redis.connect();
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    const [, appendfsync] = (await redis.config('GET', 'appendfsync')) as string[];
    redisLine = `appendonly=${appendonly}, appendfsync=${appendfsync}`;
  } catch (error) {
    redisLine = `persistence settings not readable (${(error as Error).message})`;
  } finally {
    redis.disconnect();
  }
  return [`PostgreSQL: ${pgLine}`, `Redis ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')}: ${redisLine}`];
}

/** The benchmark on this checkout: prints the same lines as the old one, returns the figures. */
async function measureNow(stores: { databaseUrl: string; redisUrl: string }, schema: string): Promise<IntakeFigures> {
  const hub = await startHubProcess({ ...stores, schema });
  const db = new Database({ url: stores.databaseUrl, schema, poolSize: 2, applicationName: 'b2b-hub bench' });
  try {
    const headers = { authorization: `Bearer ${hub.keys.partners.acme}`, 'content-type': 'application/xml' };
    // An order is routed to sales and inventory; its sales row in the outbox is the end of the line.
    const outboxId = (id: string) => `${id}.sales`;
    let polls = 0;
    const inOutbox = async (ids: string[]) => {
      polls++;
      return new Set((await db.query<{ id: string }>('SELECT id FROM outbox WHERE id = ANY($1)', [ids.map(outboxId)])).rows.map((r) => r.id));
    };
    let n = 0;
    const body = () => orderWithNumber(template, `BENCH-${process.pid}-${n++}`);

    // Warm-up: the first documents pay for JIT and connection set-up.
    for (let i = 0; i < 20; i++) await fetch(`${hub.base}/v1/documents`, { method: 'POST', headers, body: body() });

    const latencies: number[] = [];
    const acceptLatencies: number[] = [];
    for (let i = 0; i < sizes.latency; i++) {
      const document = body();
      const started = performance.now();
      const response = await fetch(`${hub.base}/v1/documents`, { method: 'POST', headers, body: document });
      const { id } = (await response.json()) as { id: string };
      acceptLatencies.push(performance.now() - started);
      // Polled as tightly as the Redis-only version polled its outbox key.
      while (!(await inOutbox([id])).size) await new Promise((r) => setImmediate(r));
      latencies.push(performance.now() - started);
    }
    const accept = summarise(acceptLatencies);
    const outbox = summarise(latencies);
    console.log(`document: ${path.relative(ROOT, fixtureFile)} (${Buffer.byteLength(orderWithNumber(template, `BENCH-${process.pid}-0`))} bytes)`);
    console.log(`POST -> 202, one at a time (${latencies.length} docs): median ${ms(accept.median)}, p95 ${ms(accept.p95)}`);
    console.log(`POST -> canonical in outbox, one at a time: median ${ms(outbox.median)}, p95 ${ms(outbox.p95)}`);

    const bodies = Array.from({ length: sizes.documents }, body);
    const counters = async () =>
      (await db.query<{ commits: number; wal: string }>('SELECT xact_commit AS commits, pg_current_wal_lsn()::text AS wal FROM pg_stat_database WHERE datname = current_database()')).rows[0]!;
    const countersBefore = await counters();
    const pollsBefore = polls;
    let next = 0;
    let accepted = 0;
    let other = 0;
    const ids: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: sizes.concurrency }, async () => {
        while (next < sizes.documents) {
          const response = await fetch(`${hub.base}/v1/documents`, { method: 'POST', headers, body: bodies[next++]! });
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
      const found = new Set<string>();
      for (let i = 0; i < remaining.length; i += 5000) for (const id of await inOutbox(remaining.slice(i, i + 5000))) found.add(id);
      remaining = remaining.filter((id) => !found.has(outboxId(id)));
      if (remaining.length) await new Promise((r) => setTimeout(r, 20));
    }
    const allSeconds = (performance.now() - started) / 1000;
    console.log(`accepted ${accepted} documents (${other} not 202) with ${sizes.concurrency} concurrent clients in ${acceptSeconds.toFixed(2)} s: ${(accepted / acceptSeconds).toFixed(0)} documents/s accepted`);
    console.log(`all ${accepted} in the outbox after ${allSeconds.toFixed(2)} s: ${(accepted / allSeconds).toFixed(0)} documents/s end to end (HTTP + transform + 2 adapters, one process)`);
    // Wait for the last deliveries to the file archive too, so every commit of these documents is counted.
    while ((await db.query<{ n: number }>("SELECT count(*) AS n FROM messages WHERE status <> 'delivered'")).rows[0]!.n > 0) {
      polls++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const countersAfter = await counters();
    const walBytes = (await db.query<{ bytes: number }>('SELECT pg_wal_lsn_diff($1, $2)::float8 AS bytes', [countersAfter.wal, countersBefore.wal])).rows[0]!.bytes;
    // The benchmark's own queries are transactions too: its polls, and the counters query itself.
    const commitsPerDocument = (countersAfter.commits - countersBefore.commits - (polls - pollsBefore) - 2) / accepted;
    console.log(
      `PostgreSQL per document: ${commitsPerDocument.toFixed(1)} transactions of the hub (xact_commit, reads included, this benchmark's ${polls - pollsBefore} polls taken off), ` +
        `${(walBytes / accepted / 1024).toFixed(1)} KB of WAL (database-wide counters: anything else using the database counts too)`,
    );
    const ceiling = await commitCeiling(stores.databaseUrl, schema, sizes.concurrency);
    console.log(`limit: ${ceiling.toFixed(0)} synchronous commits/s here (${sizes.concurrency} connections, one-row INSERT each, 3 s): at ${commitsPerDocument.toFixed(1)} transactions a document, commits alone would allow up to ${(ceiling / commitsPerDocument).toFixed(0)} documents/s end to end`);
    return {
      acceptMedian: accept.median,
      acceptP95: accept.p95,
      outboxMedian: outbox.median,
      outboxP95: outbox.p95,
      accepted,
      notAccepted: other,
      acceptedPerSecond: Math.round(accepted / acceptSeconds),
      endToEndPerSecond: Math.round(accepted / allSeconds),
    };
  } finally {
    await db.close();
    await hub.stop();
  }
}

/** How many durable commits a second PostgreSQL makes here: one-row INSERTs from `connections` clients for 3 s. */
async function commitCeiling(url: string, schema: string, connections: number): Promise<number> {
  const db = new Database({ url, schema, poolSize: connections, applicationName: 'b2b-hub bench' });
  try {
    await db.query('CREATE TABLE bench_commit_probe (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
    let commits = 0;
    const until = performance.now() + 3000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < until) {
          await db.query('INSERT INTO bench_commit_probe DEFAULT VALUES');
          commits++;
        }
      }),
    );
    return commits / ((performance.now() - started) / 1000);
  } finally {
    await db.close();
  }
}

/** figure | before | now | change, the change as a difference and a percentage of the before figure. */
function printComparison(before: BeforeResult | undefined, now: IntakeFigures): void {
  const rows: Array<{ figure: string; key: keyof IntakeFigures; unit: 'ms' | '/s' }> = [
    { figure: 'POST -> 202 median (one at a time)', key: 'acceptMedian', unit: 'ms' },
    { figure: 'POST -> 202 p95 (one at a time)', key: 'acceptP95', unit: 'ms' },
    { figure: 'POST -> canonical in outbox median', key: 'outboxMedian', unit: 'ms' },
    { figure: 'POST -> canonical in outbox p95', key: 'outboxP95', unit: 'ms' },
    { figure: `documents/s accepted (${sizes.concurrency} clients)`, key: 'acceptedPerSecond', unit: '/s' },
    { figure: 'documents/s end to end', key: 'endToEndPerSecond', unit: '/s' },
  ];
  const format = (value: number, unit: 'ms' | '/s') => (unit === 'ms' ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} docs/s`);
  const old = before && 'figures' in before ? before.figures : undefined;
  const table = [['figure', beforeLabel, 'now (PostgreSQL)', 'change']];
  for (const row of rows) {
    const was = old?.[row.key];
    const is = now[row.key];
    const change = was === undefined ? 'not measured' : `${is - was >= 0 ? '+' : ''}${row.unit === 'ms' ? (is - was).toFixed(2) : (is - was).toFixed(0)} (${was ? `${is >= was ? '+' : ''}${(((is - was) / was) * 100).toFixed(0)}%` : 'n/a'})`;
    table.push([row.figure, was === undefined ? '-' : format(was, row.unit), format(is, row.unit), change]);
  }
  console.log('');
  printTable(table);
  console.log('(ms: lower is better; docs/s: higher is better)');
}

const stores = await resolveStores();
const schema = benchSchema('intake');
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.versions.node}`);
console.log(`sizes: --documents ${sizes.documents} --concurrency ${sizes.concurrency} --latency ${sizes.latency}`);
const probe = new Database({ url: stores.databaseUrl, schema: 'public', poolSize: 2 });
for (const line of await describeStores(probe, stores.redisUrl).finally(() => probe.close())) console.log(line);
console.log(loadLine('at the start'));

let before: BeforeResult | undefined;
if (values['no-before']) console.log('\nbefore: skipped (--no-before)');
else {
  console.log(`\nbefore: commit ${values.before}${values.before === BEFORE_COMMIT ? ' (Redis is the system of record)' : ''}, same sizes, same machine, one run after the other`);
  before = await measureBefore({ ...sizes, redisUrl: stores.redisUrl, commit: values.before, ...(values.fixture ? { fixture: values.fixture } : {}) });
  if ('reason' in before) console.log(`before: the figures of ${values.before} could NOT be measured: ${before.reason}`);
}

console.log(`\nnow: this checkout (PostgreSQL is the system of record), schema ${schema}`);
let now: IntakeFigures;
try {
  now = await measureNow(stores, schema);
} finally {
  await dropSchema(stores.databaseUrl, schema);
}
printComparison(before, now);
console.log(loadLine('at the end'));
