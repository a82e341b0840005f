/**
 * The long fuzz run (`npm run fuzz`): by default 100,000 inputs, 60% to the HTTP intake of an in-process hub
 * (real Redis, real server) and 40% to OfflineMapper (`hub map`). Prints the seed, counts per category, status
 * and error code, the slowest input per target and peak memory; saves every offending input under
 * var/fuzz-failures/ and exits 1 on any violation.
 * Of the intake inputs, --edi-share (default 0.15) are X12/EDIFACT interchanges (test/fuzz/edi-generators.ts); the
 * XML inputs are the same sequence whatever the share, and --edi-share 0 gives the runs before EDI.
 * Usage: npm run fuzz [-- --seed 42 --count 100000 --intake-share 0.6 --edi-share 0.15 --concurrency 1]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OfflineMapper } from '../../src/cli/offline.js';
import { loadConfig } from '../../src/config/load.js';
import { resolveRedisUrl } from '../../src/redis/connect.js';
import { resolveDatabaseUrl } from '../../src/db/embedded.js';
import { createLogger } from '../../src/main.js';
import { ROOT } from '../helpers/test-hub.js';
import { describeReport, fuzzIntake, fuzzMap, startFuzzHub, type TargetReport } from './runner.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string', default: '100000' },
    'intake-share': { type: 'string', default: '0.6' },
    'edi-share': { type: 'string', default: '0.15' },
    concurrency: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) | 0 : (Date.now() ^ (process.pid << 16)) | 0;
const count = Number(values.count);
const intakeCount = values.only === 'map' ? 0 : values.only === 'intake' ? count : Math.round(count * Number(values['intake-share']));
const mapCount = count - intakeCount;
const failuresDir = path.join(ROOT, 'var/fuzz-failures');
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

process.env.REDIS_URL = await resolveRedisUrl(process.env.REDIS_URL, path.join(ROOT, 'var'), createLogger({ level: 'warn' }));
process.env.DATABASE_URL = await resolveDatabaseUrl(process.env.DATABASE_URL, path.join(ROOT, 'var'), createLogger({ level: 'warn' }));
log(`fuzz: seed ${seed}, ${count} inputs (${intakeCount} intake, ${mapCount} map); reproduce with: npm run fuzz -- --seed ${seed} --count ${count}${values['edi-share'] !== '0.15' ? ` --edi-share ${values['edi-share']}` : ''}`);

const reports: TargetReport[] = [];
const started = performance.now();
if (intakeCount > 0) {
  const t = await startFuzzHub();
  try {
    reports.push(await fuzzIntake(t, { seed, count: intakeCount, ediShare: Number(values['edi-share']), concurrency: Number(values.concurrency), failuresDir, log }));
  } finally {
    await t.close();
  }
  log(describeReport(reports[reports.length - 1]!));
}
if (mapCount > 0) {
  const mapper = await OfflineMapper.create(loadConfig({ file: path.join(ROOT, 'config/hub.yaml'), env: {} }));
  try {
    reports.push(await fuzzMap(mapper, { seed, count: mapCount, failuresDir, log }));
  } finally {
    mapper.close();
  }
  log(describeReport(reports[reports.length - 1]!));
}
const total = reports.reduce((n, r) => n + r.sent, 0);
const violations = reports.reduce((n, r) => n + r.violations.length, 0);
log(`fuzz: ${total} inputs in ${((performance.now() - started) / 1000).toFixed(1)} s, ${violations} violation(s), seed ${seed}`);
process.exit(violations > 0 ? 1 : 0);
