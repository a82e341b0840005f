/**
 * The system of record at size: N delivered messages (default 1,000,000) loaded straight into a fresh schema
 * (bench/synthetic-store.ts), then, on this machine:
 *  1. search by business key, through MessageStore.query and through a hub's GET /v1/ops/messages, next to
 *     the limits of the parts (a primary-key lookup, the business_keys index alone, the HTTP round trip), with
 *     EXPLAIN (ANALYZE, BUFFERS) of the SQL the store sends, and paging 10,000 results with the cursor;
 *  2. retention removing all N (runRetention as the hub runs it: its statement timeout, batches of 5000), with
 *     an order posted every 20 ms meanwhile (--interval-ms): POST -> 202 during retention next to the same figure
 *     just before (measured once the hub has no backlog and after a CHECKPOINT where the user may run one).
 * The hub is `hub start` in a child process on the same schema, its own retention job off (it would otherwise
 * start removing the synthetic messages a minute after start). The schema is dropped at the end (--keep keeps it).
 * Usage: npm run bench:store [-- --documents 1000000 --chunk 100000 --repeat 20 --pages 10000 --baseline-seconds 10
 *        --interval-ms 20 --keep --no-what-if]
 * --no-what-if: when retention as the schema is cannot remove them all, do not try again with the index it lacks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/load.js';
import type { HubConfig } from '../src/config/types.js';
import { migrate } from '../src/db/migrate.js';
import { MessageStore } from '../src/store/message-store.js';
import { benchSchema, dropSchema, ms, ORDER_FIXTURE, loadLine, printTable, resolveStores, ROOT, startHubProcess, summarise, type HubProcess } from './hub-process.js';
import { retentionWithIntake, type RetentionTarget } from './store-retention.js';
import { loadSyntheticMessages, RETIRED_BUYER_PARTY, SHARED_BUYER_PARTY, syntheticId } from './synthetic-store.js';
import { TimedDatabase } from './timed-database.js';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '1000000' },
    chunk: { type: 'string', default: '100000' },
    repeat: { type: 'string', default: '20' },
    pages: { type: 'string', default: '10000' },
    'baseline-seconds': { type: 'string', default: '10' },
    'interval-ms': { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
    'no-what-if': { type: 'boolean', default: false },
  },
});
const N = Number(values.documents);
const REPEAT = Number(values.repeat);
const PAGED = Number(values.pages);
const TABLES = ['messages', 'message_raw', 'message_canonical', 'message_history', 'deliveries', 'business_keys'] as const;
const hubConfig: HubConfig = loadConfig({ file: path.join(ROOT, 'config/hub.yaml'), env: {} });
const template = readFileSync(ORDER_FIXTURE, 'utf8');

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const count = (n: number) => n.toLocaleString('en-US');

/** A fixed-seed generator, so two runs look for the same documents. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function tableSizes(client: pg.Client): Promise<void> {
  const rows: string[][] = [['table', 'rows', 'heap', 'TOAST', 'indexes', 'total (pg_total_relation_size)']];
  let total = 0;
  for (const table of [...TABLES, 'document_links', 'outbox']) {
    const { rows: r } = await client.query<{ n: number; heap: number; indexes: number; total: number }>(
      `SELECT (SELECT count(*) FROM ${table}) AS n, pg_relation_size($1::regclass) AS heap, pg_indexes_size($1::regclass) AS indexes, pg_total_relation_size($1::regclass) AS total`,
      [table],
    );
    const s = r[0]!;
    total += s.total;
    rows.push([table, count(s.n), mb(s.heap), mb(s.total - s.heap - s.indexes), mb(s.indexes), mb(s.total)]);
  }
  rows.push(['all', '', '', '', '', mb(total)]);
  printTable(rows);
}

/** Times `run` once per target after one untimed warm-up (on `warmUp`); `run` returns how many rows it got. */
async function timed(targets: readonly string[], run: (target: string) => Promise<number>, warmUp = targets[0]!): Promise<{ median: number; p95: number; max: number; rows: string }> {
  await run(warmUp);
  const durations: number[] = [];
  const rows = new Set<number>();
  for (const target of targets) {
    const started = performance.now();
    rows.add(await run(target));
    durations.push(performance.now() - started);
  }
  return { ...summarise(durations), rows: [...rows].join('/') };
}

async function explain(db: TimedDatabase, sql: string, params: unknown[]): Promise<void> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  console.log(sql.replace(/\s+/g, ' ').trim().replace(/^/, '  SQL: '));
  console.log(`  params: ${JSON.stringify(params)}`);
  for (const r of rows) console.log(`    ${r['QUERY PLAN']}`);
}

async function search(db: TimedDatabase, hub: HubProcess, client: pg.Client): Promise<void> {
  const store = new MessageStore(db);
  const random = seeded(42);
  const picks = Array.from({ length: REPEAT + 1 }, () => 1 + Math.floor(random() * N));
  const ids = picks.map(syntheticId);
  const numbers = (await client.query<{ id: string; document_number: string }>('SELECT id, document_number FROM messages WHERE id = ANY($1::uuid[])', [ids])).rows;
  const numberOf = new Map(numbers.map((r) => [r.id, r.document_number]));
  const documentNumbers = ids.map((id) => numberOf.get(id)!);
  const keyed = async (value: string) =>
    (await client.query<{ n: number; newest: Date }>('SELECT count(*) AS n, max(m.received_at) AS newest FROM business_keys k JOIN messages m ON m.id = k.message_id WHERE k.value = $1', [value])).rows[0]!;
  const shared = (await keyed(SHARED_BUYER_PARTY)).n;
  const retired = await keyed(RETIRED_BUYER_PARTY);
  const opsHeaders = { authorization: `Bearer ${hub.keys.ops}` };
  const http = async (q: string) => {
    const response = await fetch(`${hub.base}/v1/ops/messages?q=${encodeURIComponent(q)}`, { headers: opsHeaders });
    const body = (await response.json()) as { count: number };
    if (response.status !== 200) throw new Error(`GET /v1/ops/messages answered ${response.status}: ${JSON.stringify(body)}`);
    return body.count;
  };
  const sharedTargets = Array.from({ length: REPEAT }, () => SHARED_BUYER_PARTY);
  const retiredTargets = Array.from({ length: REPEAT }, () => RETIRED_BUYER_PARTY);
  console.log(`\n2. search: ${REPEAT} runs each after one warm-up (p95 as bench/intake computes it, run number ${Math.min(REPEAT, Math.floor(0.95 * REPEAT) + 1)} of ${REPEAT} by speed); a different document each run for the number and id rows (seeded), the same party for the party rows`);
  console.log(`   document numbers like ${documentNumbers[0]}; buyerPartyId ${SHARED_BUYER_PARTY} is a business key of ${count(shared)} messages over the whole time,`);
  console.log(`   buyerPartyId ${RETIRED_BUYER_PARTY} of ${count(retired.n)} old ones (the newest received ${retired.newest.toISOString().slice(0, 10)}: a site that stopped ordering)`);
  const table: string[][] = [['what', 'median', 'p95', 'max', 'rows returned']];
  const add = (what: string, r: { median: number; p95: number; max: number; rows: string }) => table.push([what, ms(r.median), ms(r.p95), ms(r.max), r.rows]);
  add('limit: PostgreSQL primary-key lookup (SELECT 1 FROM messages WHERE id = $1)', await timed(ids.slice(0, REPEAT), async (id) => (await db.query('SELECT 1 FROM messages WHERE id = $1', [id])).rowCount ?? 0, ids[REPEAT]));
  add('limit: business_keys index alone (SELECT message_id ... WHERE value = <number>)', await timed(documentNumbers.slice(0, REPEAT), async (v) => (await db.query('SELECT message_id FROM business_keys WHERE value = $1', [v])).rowCount ?? 0, documentNumbers[REPEAT]));
  add('MessageStore.query({ q: <document number>, limit: 50 })', await timed(documentNumbers.slice(0, REPEAT), async (q) => {
    const page = await store.query({ q, limit: 50 });
    if (page.items.length !== 1 || page.items[0]!.documentNumber !== q) throw new Error(`search for ${q} found ${page.items.length} messages`);
    return page.items.length;
  }, documentNumbers[REPEAT]));
  add('limit: HTTP round trip (GET /healthz)', await timed(sharedTargets, async () => ((await fetch(`${hub.base}/healthz`)).ok ? 1 : 0)));
  add('HTTP GET /v1/ops/messages?q=<document number>', await timed(documentNumbers.slice(0, REPEAT), http, documentNumbers[REPEAT]));
  add(`limit: business_keys index alone, all ${count(shared)} keys of the party`, await timed(sharedTargets, async (v) => (await db.query('SELECT message_id FROM business_keys WHERE value = $1', [v])).rowCount ?? 0));
  add('MessageStore.query({ q: <shared buyerPartyId>, limit: 50 })', await timed(sharedTargets, async (q) => (await store.query({ q, limit: 50 })).items.length));
  add('HTTP GET /v1/ops/messages?q=<shared buyerPartyId>', await timed(sharedTargets, http));
  add(`limit: business_keys index alone, all ${count(retired.n)} keys of the old party`, await timed(retiredTargets, async (v) => (await db.query('SELECT message_id FROM business_keys WHERE value = $1', [v])).rowCount ?? 0));
  add('MessageStore.query({ q: <old buyerPartyId>, limit: 50 })', await timed(retiredTargets, async (q) => (await store.query({ q, limit: 50 })).items.length));
  add('HTTP GET /v1/ops/messages?q=<old buyerPartyId>', await timed(retiredTargets, http));
  printTable(table);

  console.log('\n   EXPLAIN (ANALYZE, BUFFERS) of the SQL MessageStore.query sends, by document number:');
  await store.query({ q: documentNumbers[0]!, limit: 50 });
  const byNumber = db.last();
  await explain(db, byNumber.sql, byNumber.params);
  console.log('\n   ... and by the shared buyerPartyId:');
  await store.query({ q: SHARED_BUYER_PARTY, limit: 50 });
  const byParty = db.last();
  await explain(db, byParty.sql, byParty.params);
  console.log('\n   ... and by the old buyerPartyId:');
  await store.query({ q: RETIRED_BUYER_PARTY, limit: 50 });
  const byRetired = db.last();
  await explain(db, byRetired.sql, byRetired.params);

  await pageThrough(db, store, SHARED_BUYER_PARTY, Math.min(PAGED, shared), true);
  await pageThrough(db, store, RETIRED_BUYER_PARTY, Math.min(PAGED, retired.n), false);
}

/** Pages `want` results of q with the cursor, 50 a page, checking order and uniqueness; times every page. */
async function pageThrough(db: TimedDatabase, store: MessageStore, q: string, want: number, explainLast: boolean): Promise<void> {
  console.log(`\n   paging ${count(want)} results of q=${q} with the cursor, 50 a page (MessageStore.query, as GET /v1/ops/messages?cursor= does):`);
  const pageTimes: number[] = [];
  const seen = new Set<string>();
  let previous: { at: string; id: string } | undefined;
  let cursor: string | undefined;
  let outOfOrder = 0;
  const started = performance.now();
  while (seen.size < want) {
    const t = performance.now();
    const page = await store.query({ q, limit: 50, ...(cursor ? { cursor } : {}) });
    pageTimes.push(performance.now() - t);
    for (const m of page.items) {
      if (previous && (m.receivedAt > previous.at || (m.receivedAt === previous.at && m.id >= previous.id))) outOfOrder++;
      previous = { at: m.receivedAt, id: m.id };
      seen.add(m.id);
    }
    if (!page.next) break;
    cursor = page.next;
  }
  const total = performance.now() - started;
  const pages = summarise(pageTimes);
  const later = summarise(pageTimes.slice(1));
  console.log(`   ${pageTimes.length} pages, ${count(seen.size)} distinct messages, ${outOfOrder} out of order, in ${(total / 1000).toFixed(2)} s`);
  console.log(`   per page: median ${ms(pages.median)}, p95 ${ms(pages.p95)}, max ${ms(pages.max)}; first page ${ms(pageTimes[0]!)}, the others median ${ms(later.median)}, last page ${ms(pageTimes[pageTimes.length - 1]!)}`);
  if (!explainLast) return;
  const deepest = db.last();
  console.log('\n   EXPLAIN (ANALYZE, BUFFERS) of the last page:');
  await explain(db, deepest.sql, deepest.params);
}

const stores = await resolveStores();
const schema = benchSchema('store');
const loaderClient = new pg.Client({ connectionString: stores.databaseUrl, options: `-c search_path=${schema} -c statement_timeout=0` });
let hub: HubProcess | undefined;
let db: TimedDatabase | undefined;
console.log(`store benchmark: ${count(N)} messages in schema ${schema} (${values.keep ? 'kept' : 'dropped'} at the end)`);
try {
  await migrate(stores.databaseUrl, schema);
  await loaderClient.connect();
  const settings = await loaderClient.query<{ v: string }>("SELECT format('PostgreSQL %s, shared_buffers %s, work_mem %s, max_wal_size %s', current_setting('server_version'), current_setting('shared_buffers'), current_setting('work_mem'), current_setting('max_wal_size')) AS v");
  console.log(settings.rows[0]!.v);
  console.log(loadLine('at the start'));

  console.log(`\n1. load: INSERT ... SELECT FROM generate_series, ${count(Number(values.chunk))} messages a transaction, every table in one statement`);
  const loadStarted = performance.now();
  const shape = await loadSyntheticMessages(loaderClient, N, {
    chunk: Number(values.chunk),
    now: new Date(),
    progress: (loaded) => console.log(`   ${count(loaded)} / ${count(N)} after ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`),
  });
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  console.log(`   loaded ${count(N)} messages in ${loadSeconds.toFixed(1)} s (${count(Math.round(N / loadSeconds))} messages/s)`);
  console.log(`   each: raw ${shape.rawBytes} bytes of XML, canonical ${shape.canonicalJsonBytes} bytes of JSON (${shape.canonicalStoredBytes} bytes as stored jsonb, compressed),`);
  console.log('   6 history rows, 5 business keys (6 for despatch advices and invoices: + orderReference), 1 delivery (file archive), no outbox row;');
  console.log('   partners acme (orders) / globex (despatch advices, invoices) / initech (orders) in turn, received over the 2 years before now, status delivered');
  const vacuumStarted = performance.now();
  await loaderClient.query(`VACUUM (ANALYZE) ${TABLES.join(', ')}`);
  console.log(`   VACUUM (ANALYZE) after the load (autovacuum's job in production): ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);
  // The load left gigabytes of dirty pages; two years of real traffic would not have them all pending at once.
  const checkpointStarted = performance.now();
  await loaderClient.query('CHECKPOINT').then(
    () => console.log(`   CHECKPOINT after the load, so its writes are not pending under the measurements: ${((performance.now() - checkpointStarted) / 1000).toFixed(1)} s`),
    (error: Error) => console.log(`   no CHECKPOINT after the load (${error.message}): the first figures may carry its writes`),
  );
  await tableSizes(loaderClient);

  db = new TimedDatabase({ url: stores.databaseUrl, schema, poolSize: 4, statementTimeoutMs: hubConfig.database.statementTimeoutMs, applicationName: 'b2b-hub bench' });
  hub = await startHubProcess({ ...stores, schema, configure: (config) => (config.retention = { intervalMinutes: 0 }) });
  await search(db, hub, loaderClient);

  const retention: HubConfig['retention'] = { ...hubConfig.retention, rawDays: 1, recordDays: 1, refusalDays: 1, batchSize: 5000, overrides: [] };
  const target: RetentionTarget = { client: loaderClient, hub, template, databaseUrl: stores.databaseUrl, schema, retention, statementTimeoutMs: hubConfig.database.statementTimeoutMs, baselineSeconds: Number(values['baseline-seconds']), intervalMs: Number(values['interval-ms']), tables: TABLES };
  console.log(`\n3. retention: runRetention with rawDays 1, recordDays 1, refusalDays 1, batchSize 5000 (every synthetic message is old enough), statement timeout ${hubConfig.database.statementTimeoutMs} ms as the hub's pool has`);
  const left = await retentionWithIntake(target, 'as migrations/001 makes the schema');
  if (left > 0 && !values['no-what-if']) {
    console.log(`\n3b. what if: ${count(left)} synthetic messages are still there. The same run again after`);
    console.log('    CREATE INDEX ON messages (revision_of) -- an experiment on this bench schema only, not in migrations/ (see the trigger times above)');
    const started = performance.now();
    await loaderClient.query('CREATE INDEX bench_messages_revision_of ON messages (revision_of)');
    console.log(`    index built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await retentionWithIntake(target, 'with an index on messages (revision_of)');
  }
  console.log(`\n${loadLine('at the end')}`);
} finally {
  await hub?.stop();
  await db?.close();
  await loaderClient.end().catch(() => {});
  if (values.keep) console.log(`\nschema ${schema} kept (DROP SCHEMA ${schema} CASCADE removes it)`);
  else await dropSchema(stores.databaseUrl, schema);
}
