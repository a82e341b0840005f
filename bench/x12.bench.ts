/**
 * X12 reader and 997 benchmark: one interchange of 1,000 850 purchase orders (each the node-x12 850 sample, 33
 * segments, its own ST02), read, validated and turned into mapping trees by readX12, then acknowledged by
 * build997. Prints the median and the slowest of the runs; the part's own limit is the intake's body limit, so
 * the figures are set beside the size of the interchange.
 *
 *   npm run build && node dist/bench/x12.bench.js [transactions=1000] [runs=15]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build997, readX12 } from '../src/edi/x12/index.js';
import { projectRoot } from '../src/mapping/paths.js';

const count = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 15);

const sample = readFileSync(path.join(projectRoot(), 'fixtures', 'x12', 'node-x12-850.edi'), 'latin1');
const lines = sample.split('\n').filter((l) => l !== '');
const isa = lines[0]!;
const gs = lines[1]!;
const set = lines.slice(2, lines.findIndex((l) => l.startsWith('GE*')));
const body: string[] = [isa, gs];
for (let i = 1; i <= count; i++) {
  const control = String(i).padStart(9, '0');
  for (const line of set) body.push(line.replace(/^ST\*850\*\d+~/, `ST*850*${control}~`).replace(/^SE\*(\d+)\*\d+~/, `SE*$1*${control}~`));
}
body.push(`GE*${count}*1421~`, 'IEA*1*000003438~');
const text = body.join('\n') + '\n';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const readTimes: number[] = [];
const ackTimes: number[] = [];
let problems = -1;
let ackSegments = 0;
for (let run = 0; run < runs + 2; run++) {
  const t0 = performance.now();
  const ic = readX12(text);
  const t1 = performance.now();
  const ack = build997(ic, { numbers: { interchange: 1, group: 1, transaction: 1 } });
  const t2 = performance.now();
  if (run < 2) continue; // warm-up
  readTimes.push(t1 - t0);
  ackTimes.push(t2 - t1);
  problems = ic.problems.length + ic.groups.reduce((n, g) => n + g.problems.length + g.transactions.reduce((m, t) => m + t.problems.length, 0), 0);
  ackSegments = ack.split('~').length - 1;
}
const mb = (Buffer.byteLength(text, 'latin1') / 1024 / 1024).toFixed(2);
console.log(`X12 interchange: ${count} transactions (850), ${body.length} segments, ${mb} MiB; problems found: ${problems}`);
console.log(`readX12 (read + validate + tree): median ${median(readTimes).toFixed(1)} ms, slowest ${Math.max(...readTimes).toFixed(1)} ms over ${runs} runs`);
console.log(`build997 (${ackSegments} segments): median ${median(ackTimes).toFixed(1)} ms, slowest ${Math.max(...ackTimes).toFixed(1)} ms over ${runs} runs`);
