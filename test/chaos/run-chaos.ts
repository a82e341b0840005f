/**
 * `npm run chaos`: the full chaos suite (5,000 documents; at least 10 worker kills, 2 Redis restarts, a Redis
 * wipe, 2 PostgreSQL restarts, a 30 s ERP outage). `--short` runs the version CI runs; `--documents N`,
 * `--rate N`, `--workers N`, `--intakes N` change the load. Exits 1 when anything was lost, created twice or
 * delivered without being accepted.
 */
import { parseArgs } from 'node:util';
import { FULL, printReport, runChaos, SHORT } from './chaos.js';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    documents: { type: 'string' },
    rate: { type: 'string' },
    workers: { type: 'string' },
    intakes: { type: 'string' },
    'erp-outage': { type: 'string' },
    dir: { type: 'string' },
  },
});
const base = values.short ? SHORT : FULL;
const number = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const options = {
  ...base,
  documents: number(values.documents, base.documents),
  ratePerSecond: number(values.rate, base.ratePerSecond),
  workers: number(values.workers, base.workers),
  intakes: number(values.intakes, base.intakes),
  erpOutageSeconds: number(values['erp-outage'], base.erpOutageSeconds),
  ...(values.dir ? { dir: values.dir } : {}),
};
console.log(`chaos suite: ${options.documents} documents at ${options.ratePerSecond}/s, ${options.intakes} intake and ${options.workers} worker processes (Node ${process.version})`);
const report = await runChaos(options);
printReport(report);
const ok = report.lost.length === 0 && report.erpCreatedTwice === 0 && report.outboxReceivedTwice === 0 && report.deliveredNeverAccepted === 0;
console.log(ok ? '\nchaos: nothing lost, nothing created twice, nothing delivered that was not accepted' : '\nchaos: FAILED');
process.exit(ok ? 0 : 1);
