/**
 * The console's pages at size: N delivered messages (default 1,000,000) loaded straight into a fresh schema
 * (bench/synthetic-store.ts) over the last --days days (default 100: 10,000 a day at 1,000,000, the last ones
 * seconds ago, so the overview's hour and day are full), one refusal per 50 messages, then a `hub start` on that
 * schema and each page of the console asked --repeat times (after one untimed warm-up) by a signed-in ops user.
 * Printed per page: the server time (the hub's Server-Timing header: from the request to its headers, i.e. the
 * page built) and the round trip, median, p95 and max, beside the limit the issue sets (300 ms) and the floor of
 * the same run (GET /healthz and the console's home page: session check and page frame only).
 * Usage: npm run bench:console [-- --documents 1000000 --days 100 --chunk 100000 --repeat 20 --keep]
 *        npm run bench:console -- --reuse <schema kept by --keep> [--documents N as loaded]: measure again, no load
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hashPassword } from '../src/console/passwords.js';
import { UserStore } from '../src/console/user-store.js';
import { Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { benchSchema, dropSchema, loadLine, printTable, resolveStores, startHubProcess, summarise, type HubProcess } from './hub-process.js';
import { OVERVIEW_CACHE_MS } from '../src/console/overview.js';
import { loadSyntheticMessages, SHARED_BUYER_PARTY, syntheticId } from './synthetic-store.js';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '100' },
    chunk: { type: 'string', default: '100000' },
    repeat: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
const N = Number(values.documents);
const DAYS = Number(values.days);
const REPEAT = Number(values.repeat);
const LIMIT_MS = 300;
const count = (n: number) => n.toLocaleString('en-US');
const fixed = (n: number) => n.toFixed(1);

/** One refusal per 50 messages over the same days, as the intake stores them (XSD errors with lines). */
const REFUSALS_SQL = `
INSERT INTO refusals (id, received_at, partner, address, http_status, code, detail, errors, format, document_type, document_number, content_type, size, bytes)
SELECT md5('bench-refusal-' || i)::uuid, $2::timestamptz - make_interval(days => $3::int) + make_interval(secs => (i - 1) * ($3::int * 86400.0 / $1::bigint)),
       CASE i % 3 WHEN 0 THEN 'acme' WHEN 1 THEN 'globex' ELSE 'initech' END, '127.0.0.1', 422, 'HUB_ERR_XSD_INVALID',
       'The document does not validate against its schema.',
       jsonb_build_array(jsonb_build_object('line', 7, 'column', 3, 'message', 'Element ''{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}IssueDate'': ''2026-13-01'' is not a valid value of the atomic type ''xs:date''.')),
       'ubl-order', 'Order', 'REFUSED-' || lpad(i::text, 8, '0'), 'application/xml', 400, convert_to('<Order>refused ' || i || '</Order>', 'UTF8')
  FROM generate_series(1, $1::bigint) AS i`;

/** Signs in through the form as a browser does; returns the session cookie. */
async function signIn(base: string, name: string, password: string): Promise<string> {
  const form = await fetch(`${base}/console/login`);
  const token = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const loginCookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
  const posted = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: token, username: name, password }).toString(),
  });
  const session = posted.headers.getSetCookie().find((c) => c.startsWith('hub_console_session='));
  if (posted.status !== 303 || !session) throw new Error(`sign-in as ${name} answered ${posted.status}`);
  return session.split(';')[0]!;
}

interface Timing {
  status: number;
  server?: number;
  roundTrip: number;
  bytes: number;
}

async function ask(base: string, address: string, cookie: string): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(`${base}${address}`, { headers: { cookie }, redirect: 'manual' });
  const body = await response.arrayBuffer();
  const roundTrip = performance.now() - started;
  const header = /app;dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '');
  return { status: response.status, server: header ? Number(header[1]) : undefined, roundTrip, bytes: body.byteLength };
}

const stores = await resolveStores();
const schema = values.reuse ?? benchSchema('console');
const client = new pg.Client({ connectionString: stores.databaseUrl, options: `-c search_path=${schema} -c statement_timeout=0` });
let hub: HubProcess | undefined;
console.log(`console benchmark: ${count(N)} messages over the last ${DAYS} days (${count(Math.round(N / DAYS))} a day) in schema ${schema} (${values.keep ? 'kept' : 'dropped'} at the end)`);
try {
  await migrate(stores.databaseUrl, schema);
  await client.connect();
  console.log((await client.query<{ v: string }>("SELECT format('PostgreSQL %s, shared_buffers %s, work_mem %s', current_setting('server_version'), current_setting('shared_buffers'), current_setting('work_mem')) AS v")).rows[0]!.v);
  console.log(loadLine('at the start'));
  // Reusing a kept schema: its newest message's time is the "now" it was loaded at.
  const now = values.reuse ? (await client.query<{ t: Date }>('SELECT max(received_at) AS t FROM messages')).rows[0]!.t : new Date();
  if (values.reuse) console.log(`   reusing schema ${schema} (${count(Number((await client.query('SELECT count(*) AS n FROM messages')).rows[0].n))} messages, the newest at ${now.toISOString()})`);
  else {
    const loadStarted = performance.now();
    await loadSyntheticMessages(client, N, {
      chunk: Number(values.chunk),
      now,
      spanDays: DAYS,
      endDaysAgo: 0,
      progress: (loaded) => console.log(`   ${count(loaded)} / ${count(N)} messages after ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`),
    });
    await client.query(REFUSALS_SQL, [Math.round(N / 50), now, DAYS]);
    // The summaries' tables are filled from the stored canonical documents as an existing store's are when its
    // migration runs (summary_backfill() of migrations/006): the synthetic loader writes message_canonical only.
    const backfillStarted = performance.now();
    const facts = (await client.query<{ n: string }>('SELECT summary_backfill() AS n')).rows[0]!.n;
    console.log(`   summaries filled from the canonical documents (summary_backfill(): ${count(Number(facts))}) in ${((performance.now() - backfillStarted) / 1000).toFixed(1)} s`);
    console.log(`   loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s, ${count(Math.round(N / 50))} refusals; VACUUM (ANALYZE) ...`);
    await client.query('VACUUM (ANALYZE)');
    await client.query('CHECKPOINT').catch(() => undefined);
  }
  console.log(loadLine('after the load'));

  const db = new Database({ url: stores.databaseUrl, schema, poolSize: 1, statementTimeoutMs: 0, applicationName: 'b2b-hub bench' });
  const password = 'bench-console-password-1';
  const users = new UserStore(db);
  if (!(await users.setPassword('bench.ops', await hashPassword(password)))) await users.add('bench.ops', 'ops', await hashPassword(password));
  await db.close();
  hub = await startHubProcess({ ...stores, schema, configure: (config) => (config.retention = { intervalMinutes: 0 }) });
  const cookie = await signIn(hub.base, 'bench.ops', password);

  const recent = syntheticId(N - (N % 3)); // an acme order (i % 3 = 0), received seconds ago
  const old = syntheticId(Math.max(1, Math.round(N / 10)));
  const orderNumber = (await client.query<{ document_number: string }>("SELECT document_number FROM messages WHERE id = $1", [recent])).rows[0]?.document_number ?? 'none';
  const refusal = (await client.query<{ id: string }>('SELECT id FROM refusals ORDER BY received_at DESC LIMIT 1 OFFSET 100')).rows[0]!.id;
  const day = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  // The overview's figures are read at most every OVERVIEW_CACHE_MS per process: its two addresses are asked
  // that far apart, so every answer is a fresh reading, never the shared one.
  const pages: Array<[string, string, number?]> = [
    ['floor: GET /healthz (no session)', '/healthz'],
    ['floor: home page (session, frame)', '/console'],
    ['overview (a fresh reading each time)', '/console/overview', OVERVIEW_CACHE_MS + 100],
    ['overview data (its live update, fresh)', '/console/overview.json', OVERVIEW_CACHE_MS + 100],
    ['queues', '/console/queues'],
    ['messages: newest first', '/console/messages'],
    ['messages: ?q= a document number', `/console/messages?q=${orderNumber}`],
    [`messages: ?q= a party id on ${count(Math.round(N / 15))}`, `/console/messages?q=${SHARED_BUYER_PARTY}`],
    ['messages: partner + type + status', '/console/messages?partner=globex&type=Invoice&status=delivered'],
    ['messages: a week, 30 days ago', `/console/messages?from=${day(37)}&to=${day(30)}`],
    ['a message (recent)', `/console/messages/${recent}`],
    ['a message (old)', `/console/messages/${old}`],
    ['refusals: newest first', '/console/refusals'],
    ['refusals: one partner', '/console/refusals?partner=acme'],
    ['a refusal', `/console/refusals/${refusal}`],
    ['chains: newest first', '/console/chains'],
    ['a chain', `/console/chains/${recent}`],
    ['summary: marketing (default range)', '/console/summaries/marketing'],
    ['summary: marketing, 90 days by week', `/console/summaries/marketing?from=${day(90)}&to=${day(0)}&by=week`],
    ['summary: marketing CSV, by product', '/console/summaries/marketing.csv?table=products'],
    ['summary: planning', '/console/summaries/planning'],
    ['summary: planning, 90 days', `/console/summaries/planning?from=${day(90)}&to=${day(0)}`],
    ['summary: inventory', '/console/summaries/inventory'],
    ['summary: inventory, 90 days', `/console/summaries/inventory?from=${day(90)}&to=${day(0)}`],
    ['summary: finance', '/console/summaries/finance'],
    ['summary: finance, 90 days', `/console/summaries/finance?from=${day(90)}&to=${day(0)}`],
    ['summary: finance CSV, by due date', '/console/summaries/finance.csv?table=due'],
    ['mapping test (the form)', '/console/mapping-test'],
    ['partner view (acme, as ops)', '/console/partner?partner=acme'],
  ];
  console.log(`\nEach page ${REPEAT} times after one warm-up, one at a time, signed in as ops. Limit: ${LIMIT_MS} ms server time.`);
  const rows: string[][] = [['page', 'status', 'server median', 'server p95', 'server max', 'round trip median', 'bytes', `under ${LIMIT_MS} ms`]];
  let over = 0;
  for (const [name, address, spacingMs = 0] of pages) {
    const first = await ask(hub.base, address, cookie);
    if (first.status === 501 || first.status === 404) {
      rows.push([name, String(first.status), 'not built', '', '', '', '', '']);
      continue;
    }
    const timings: Timing[] = [];
    for (let i = 0; i < REPEAT; i++) {
      if (spacingMs) await new Promise((resolve) => setTimeout(resolve, spacingMs));
      timings.push(await ask(hub.base, address, cookie));
    }
    const statuses = [...new Set(timings.map((t) => t.status))].join('/');
    const server = timings.every((t) => t.server !== undefined) ? summarise(timings.map((t) => t.server!)) : undefined;
    const trip = summarise(timings.map((t) => t.roundTrip));
    const worst = server ? server.p95 : trip.p95;
    if (!server && address === '/healthz') {
      rows.push([name, statuses, '-', '-', '-', fixed(trip.median), count(timings[0]!.bytes), '']);
      continue;
    }
    if (worst >= LIMIT_MS) over++;
    rows.push([name, statuses, server ? fixed(server.median) : '-', server ? fixed(server.p95) : '-', server ? fixed(server.max) : '-', fixed(trip.median), count(timings[0]!.bytes), worst < LIMIT_MS ? 'yes' : 'NO']);
  }
  printTable(rows);
  console.log(`\n${over} page(s) with a p95 at or over ${LIMIT_MS} ms (server time where the page sends Server-Timing, else the round trip).`);
  console.log(loadLine('at the end'));
} finally {
  await hub?.stop();
  await client.end().catch(() => undefined);
  if (!values.keep) await dropSchema(stores.databaseUrl, schema);
}
