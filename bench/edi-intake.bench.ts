/**
 * One X12 interchange of N 850 purchase orders (default 1,000; each the node-x12 850 sample with its own ST02 and
 * order number) posted by the demo partner x12-customer to a `hub start` process on a fresh schema: the time from
 * POST to the answer (the interchange read and checked, split into N transactions, each judged and stored as its
 * own message, the 997 built, numbered and stored), and from POST until every message is mapped and delivered to
 * the outbox and the file archive. Beside it, in the same run, the limits of the parts: the reader alone (readX12 +
 * build997 in this process) and N single-row PostgreSQL commits one after another (the floor of N stored messages).
 * Usage: npm run bench:edi [-- --transactions 1000 --runs 3]; BENCH_MAPPINGS=<folder> takes the mapping files from there.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { build997, readX12 } from '../src/edi/x12/index.js';
import { migrate } from '../src/db/migrate.js';
import { benchSchema, dropSchema, loadLine, printTable, resolveStores, ROOT, startHubProcess, summarise, type HubProcess } from './hub-process.js';

const { values } = parseArgs({ options: { transactions: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' } } });
const N = Number(values.transactions);
const RUNS = Number(values.runs);
const fixed = (n: number) => n.toFixed(0);

/** The interchange: node-x12's 850, N times, each transaction with its own control number and order number. */
function interchange(icn: number, prefix: string): string {
  const sample = readFileSync(path.join(ROOT, 'fixtures', 'x12', 'node-x12-850.edi'), 'latin1');
  const lines = sample.split('\n').filter((l) => l !== '');
  const control = String(icn).padStart(9, '0');
  const isa = lines[0]!.replace('*000003438*', `*${control}*`);
  const set = lines.slice(2, lines.findIndex((l) => l.startsWith('GE*')));
  const body: string[] = [isa, lines[1]!];
  for (let i = 1; i <= N; i++) {
    const st = String(i).padStart(9, '0');
    for (const line of set) body.push(line.replace(/^ST\*850\*\d+~/, `ST*850*${st}~`).replace(/^SE\*(\d+)\*\d+~/, `SE*$1*${st}~`).replace(/^BEG\*00\*SA\*\d+\*/, `BEG*00*SA*${prefix}-${i}*`));
  }
  body.push(`GE*${N}*1421~`, `IEA*1*${control}~`);
  return body.join('\n') + '\n';
}

const stores = await resolveStores();
const schema = benchSchema('edi');
let hub: HubProcess | undefined;
const client = new pg.Client({ connectionString: stores.databaseUrl, options: `-c search_path=${schema}` });
console.log(`EDI intake benchmark: one X12 interchange of ${N} 850s, ${RUNS} run(s), schema ${schema} (dropped at the end)`);
console.log(loadLine('at the start'));
try {
  await migrate(stores.databaseUrl, schema);
  await client.connect();
  hub = await startHubProcess({
    ...stores,
    schema,
    configure: (config) => {
      config.retention = { intervalMinutes: 0 };
      if (process.env.BENCH_MAPPINGS) config.paths.mappings = process.env.BENCH_MAPPINGS;
    },
  });
  const key = hub.keys.partners['x12-customer']!;
  const rows: string[][] = [['run', 'bytes', 'POST -> answer (ms)', 'accepted', '997 AK9', 'POST -> all delivered (ms)', 'documents/s end to end']];
  const answers: number[] = [];
  const totals: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const text = interchange(9000 + run, `BENCH-EDI-${run}`);
    const started = performance.now();
    const response = await fetch(`${hub.base}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/edi-x12' }, body: Buffer.from(text, 'latin1') });
    const body = (await response.json()) as { interchange: { id: string; accepted: number }; acknowledgements: Array<{ content: string }> };
    const answered = performance.now() - started;
    if (response.status !== 202) throw new Error(`the interchange was answered ${response.status}: ${JSON.stringify(body).slice(0, 500)}`);
    const ak9 = /AK9\*[^~]*/.exec(body.acknowledgements[0]?.content ?? '')?.[0] ?? 'none';
    for (;;) {
      const { rows: r } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE interchange_id = $1 AND status IN ('delivered', 'failed')", [body.interchange.id]);
      if (r[0]!.n >= N) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const total = performance.now() - started;
    const failed = (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE interchange_id = $1 AND status = 'failed'", [body.interchange.id])).rows[0]!.n;
    if (failed) throw new Error(`${failed} of the ${N} messages failed`);
    answers.push(answered);
    totals.push(total);
    rows.push([String(run), String(text.length), fixed(answered), String(body.interchange.accepted), ak9, fixed(total), fixed((N / total) * 1000)]);
  }
  printTable(rows);

  // The limits of the parts, in the same run.
  const text = interchange(1, 'LIMIT');
  const readTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const ic = readX12(text);
    build997(ic, { numbers: { interchange: 1, group: 1, transaction: 1 } });
    readTimes.push(performance.now() - t0);
  }
  await client.query('CREATE TEMP TABLE bench_commits (id int)');
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await client.query('INSERT INTO bench_commits VALUES ($1)', [i]);
  const commits = performance.now() - t0;
  console.log('');
  printTable([
    ['part', `for ${N} transactions (ms)`],
    ['POST -> answer, median of the runs', fixed(summarise(answers).median)],
    ['POST -> all delivered, median of the runs', fixed(summarise(totals).median)],
    ['limit: readX12 + build997 alone (median of 5, this process)', fixed(summarise(readTimes).median)],
    [`limit: ${N} single-row commits one after another (synchronous commit)`, fixed(commits)],
  ]);
  console.log(loadLine('at the end'));
} finally {
  await hub?.stop();
  await client.end().catch(() => undefined);
  await dropSchema(stores.databaseUrl, schema);
}
