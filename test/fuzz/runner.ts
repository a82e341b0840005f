/**
 * Drives fuzz inputs through the two targets and checks every answer:
 *  - intake: the real HTTP server of an in-process hub (POST /v1/documents, keep-alive): never 5xx, always JSON
 *    (problem+json for errors), never a stack trace or a path, every request under the time limit; the
 *    accepted documents must all end delivered or failed, never stuck and never HUB_ERR_INTERNAL;
 *  - map: OfflineMapper.map, what `hub map` runs: only HubError is thrown (anything else is a crash), never
 *    HUB_ERR_INTERNAL, every input under the time limit.
 * Memory is sampled every few hundred inputs (after a forced GC when one can be had) against a warmed-up baseline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';
import fc from 'fast-check';
import type { OfflineMapper } from '../../src/cli/offline.js';
import { HubError } from '../../src/errors/hub-error.js';
import { goldenFixtures } from '../helpers/fixtures.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';
import { contentEncodingArb, contentTypeArb, FORMATS, generatedInputArb, type FuzzInput } from './generators.js';
import { applyMutations, mutatedFixtureArb, type FixtureSource } from './mutators.js';
import { ediInputArb, judgeEdiAnswer, type EdiFuzzInput } from './edi-generators.js';

export type Target = 'intake' | 'map';

/** One broken promise, with the input that broke it. */
export interface Violation {
  target: Target;
  kind: 'server-error' | 'doctype-accepted' | 'crash' | 'internal-error' | 'leak' | 'not-json' | 'bad-problem' | 'stuck' | 'memory' | 'transport';
  detail: string;
  index?: number;
  category?: string;
  /** Where the offending input was saved. */
  file?: string;
  /** Groups violations that look alike (kind plus how the input was sent, or the error thrown). */
  signature?: string;
}

export interface MemorySample {
  index: number;
  heapUsedMB: number;
  rssMB: number;
  externalMB: number;
}

/** Counts and extremes of one target's run. */
export class TargetReport {
  sent = 0;
  readonly byCategory = new Map<string, number>();
  readonly byEncoding = new Map<string, number>();
  /** HTTP status (intake) or `ok` / error code (map). */
  readonly byOutcome = new Map<string, number>();
  readonly byCode = new Map<string, number>();
  accepted: string[] = [];
  duplicates = 0;
  mappedOk = 0;
  slowest = { ms: 0, category: '', index: -1 };
  /** Inputs over the time threshold once that came in under it when sent again (scheduling noise, not the input). */
  slowOnce: Array<{ index: number; category: string; ms: number; retryMs: number }> = [];
  /**
   * Inputs over the time threshold twice. A time figure for the report, never a violation: on a shared 2-core
   * machine wall-clock time measures the neighbours as much as the input.
   */
  slow: Array<{ index: number; category: string; ms: number; retryMs: number }> = [];
  readonly final = new Map<string, number>();
  readonly finalCodes = new Map<string, number>();
  memory: MemorySample[] = [];
  gcAvailable = false;
  elapsedMs = 0;
  readonly violations: Violation[] = [];

  constructor(readonly target: Target, readonly seed: number) {}
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Share of inputs drawn from mutated real fixtures (the rest: generated families). Default 0.45. */
  fixtureShare?: number;
  /** Time threshold of the report's list of slow inputs (a figure, not a violation). Default 1000 ms. */
  maxMs?: number;
  /**
   * Share of intake inputs that are X12/EDIFACT interchanges (test/fuzz/edi-generators.ts), judged by judgeEdiAnswer.
   * Default 0. They come from their own stream, so the XML inputs are the same sequence whatever the share.
   */
  ediShare?: number;
  /** Concurrent requests (intake). Default 1, so each time is the input's own. */
  concurrency?: number;
  /** Sample memory every this many inputs. Default 250. */
  sampleEvery?: number;
  /** Heap growth (MB, after GC) over the warmed-up baseline that counts as unbounded. Default 64 (256 without GC). */
  maxHeapGrowthMB?: number;
  /** Where to save offending inputs; none when unset. */
  failuresDir?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** The real fixtures, as mutation sources. */
export function fixtureSources(): FixtureSource[] {
  return goldenFixtures().map((f) => ({ format: f.format, name: f.name, text: f.bytes.toString('utf8'), partner: f.partner }));
}

/** All inputs for one target: generated families and mutated fixtures, plus transport details. */
export function inputArb(target: Target, fixtures: readonly FixtureSource[], seed: number, fixtureShare = 0.45): fc.Arbitrary<FuzzInput> {
  const tag = (seed >>> 0).toString(36);
  const fixtureWeight = Math.round(fixtureShare * 100);
  const base = fc.oneof(
    { weight: 100 - fixtureWeight, arbitrary: generatedInputArb },
    { weight: fixtureWeight, arbitrary: mutatedFixtureArb(fixtures).map((m) => applyMutations(m, tag)) },
  );
  if (target === 'intake') {
    return fc.tuple(base, contentTypeArb, contentEncodingArb).map(([i, contentType, contentEncoding]) => ({ ...i, contentType, ...(contentEncoding ? { contentEncoding } : {}) }));
  }
  return fc.tuple(base, fc.option(fc.constantFrom(...FORMATS), { freq: 5 })).map(([i, format]) => ({ ...i, contentType: 'application/xml', ...(format ? { format } : {}) }));
}

/** Draws `count` inputs in batches, each batch from its own seed derived from the run's seed: reproducible, streaming. */
export function* inputs(arb: fc.Arbitrary<FuzzInput>, seed: number, count: number, batch = 200): Generator<FuzzInput> {
  for (let done = 0, b = 0; done < count; b++) {
    const n = Math.min(batch, count - done);
    yield* fc.sample(arb, { seed: (seed + Math.imul(b, 0x9e3779b1)) | 0, numRuns: n });
    done += n;
  }
}

/** A callable GC: node --expose-gc, or the V8 flag turned on at run time; undefined if neither works. */
export function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

class MemoryWatch {
  private readonly gc = exposeGc();
  private baseline?: MemorySample;
  private readonly limitMB: number;

  constructor(
    private readonly report: TargetReport,
    private readonly warmup: number,
    maxGrowthMB: number | undefined,
  ) {
    report.gcAvailable = this.gc !== undefined;
    this.limitMB = maxGrowthMB ?? (this.gc ? 64 : 256);
  }

  sample(index: number): void {
    this.gc?.();
    const m = process.memoryUsage();
    const s: MemorySample = { index, heapUsedMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20, externalMB: m.external / 2 ** 20 };
    this.report.memory.push(s);
    if (index < this.warmup) return;
    this.baseline ??= s;
    const growth = s.heapUsedMB - this.baseline.heapUsedMB;
    if (growth > this.limitMB && !this.report.violations.some((v) => v.kind === 'memory')) {
      this.report.violations.push({
        target: this.report.target,
        kind: 'memory',
        detail: `heap used ${s.heapUsedMB.toFixed(1)} MB after input ${index}, ${growth.toFixed(1)} MB over the baseline of ${this.baseline.heapUsedMB.toFixed(1)} MB at input ${this.baseline.index} (limit ${this.limitMB} MB${this.gc ? ', after GC' : ', no GC available'})`,
      });
    }
  }
}

/** Saves an offending input as <target>-<seed>-<index>-<kind>.bin plus a .json describing how it was sent. */
function saveFailure(dir: string | undefined, report: TargetReport, index: number, input: FuzzInput, violation: Violation, extra: Record<string, unknown>): string | undefined {
  // Three examples of each kind of failure are enough to reproduce it; thousands of copies are not.
  if (!dir || report.violations.filter((v) => v.signature === violation.signature && v.file).length >= 3) return undefined;
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${report.target}-seed${report.seed}-${index}-${violation.kind}`);
  writeFileSync(`${base}.bin`, input.bytes);
  const { bytes: _bytes, ...meta } = input;
  writeFileSync(`${base}.json`, `${JSON.stringify({ ...meta, index, seed: report.seed, violation: { kind: violation.kind, detail: violation.detail }, ...extra }, null, 2)}\n`);
  return `${base}.bin`;
}

/** Text that must never leave the hub: a stack frame or a server path. */
const LEAKS = [/\bat [^\n"]*\.[cm]?[jt]s:\d+/, /\/work\//, /node_modules/, /dist\//, /file:\/\//, /\/tmp\//, /\/home\//];

/**
 * The bytes from `start` read as UTF-16 (little-endian, or big-endian when `swap`), whole code units only.
 * It always decodes an aligned copy: Buffer#toString('utf16le') of a slice at an odd address with an odd
 * length overflows the heap by one byte on Node 24.16-24.21 (docs/upstream/node-ucs2-unaligned-overflow.md),
 * which is what aborted the fuzz run there.
 */
export function utf16View(bytes: Buffer, start = 0, swap = false): string {
  const units = Math.max(0, (bytes.length - start) >> 1);
  const copy = Buffer.alloc(units * 2);
  bytes.copy(copy, 0, start, start + units * 2);
  return (swap ? copy.swap16() : copy).toString('utf16le');
}

function leakIn(text: string, input: FuzzInput): string | undefined {
  const views = [input.bytes.toString('latin1'), input.bytes.toString('utf8'), utf16View(input.bytes), utf16View(input.bytes, 0, true)];
  for (const pattern of LEAKS) {
    const found = pattern.exec(text)?.[0];
    // A piece of the input echoed back (an element name, a namespace) is not a leak.
    if (found && !views.some((v) => v?.includes(found))) return found;
  }
  return undefined;
}

/**
 * True when the input declares a DOCTYPE or entity in any encoding a parser could read it in (latin1/UTF-8,
 * UTF-16 either byte order and alignment, UTF-32LE): such a document must never be accepted or mapped.
 */
export function declaresDoctype(bytes: Buffer): boolean {
  const views = [bytes.toString('latin1'), utf16View(bytes), utf16View(bytes, 1), utf16View(bytes, 0, true)];
  if (bytes.length >= 4) views.push(Array.from({ length: bytes.length >> 2 }, (_, i) => String.fromCharCode(bytes.readUInt32LE(i * 4) & 0xffff)).join(''));
  return views.some((v) => /<!(DOCTYPE|ENTITY)/.test(v));
}

let bombCache: Buffer | undefined;
/** 32 MiB of zeros gzipped to ~32 KiB: inflates far beyond any sane body limit. */
function gzipBomb(): Buffer {
  bombCache ??= zlib.gzipSync(Buffer.alloc(32 * 2 ** 20), { level: 9 });
  return bombCache;
}

function wireBody(input: FuzzInput): { body: Buffer; encoding?: string } {
  switch (input.contentEncoding) {
    case 'gzip':
      return { body: zlib.gzipSync(input.bytes), encoding: 'gzip' };
    case 'gzip-broken': {
      const z = zlib.gzipSync(input.bytes);
      return { body: z.subarray(0, Math.max(1, z.length >> 1)), encoding: 'gzip' };
    }
    case 'gzip-bomb':
      return { body: gzipBomb(), encoding: 'gzip' };
    case 'deflate':
      return { body: zlib.deflateSync(input.bytes), encoding: 'deflate' };
    case 'br':
      return { body: zlib.brotliCompressSync(input.bytes), encoding: 'br' };
    case 'bogus':
      return { body: input.bytes, encoding: 'x-bogus' };
    default:
      return { body: input.bytes };
  }
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  body: Buffer;
  ms: number;
}

function post(agent: http.Agent, url: URL, key: string, input: FuzzInput): Promise<Answer> {
  const { body, encoding } = wireBody(input);
  const headers: Record<string, string | number> = { authorization: `Bearer ${key}`, 'content-length': body.length };
  if (input.contentType !== null) headers['content-type'] = input.contentType;
  if (encoding) headers['content-encoding'] = encoding;
  const accept = (input as Partial<EdiFuzzInput>).accept;
  if (accept) headers.accept = accept;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, path: '/v1/documents', method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: bytes.toString('utf8'), body: bytes, ms: performance.now() - started });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What is wrong with one intake answer, if anything (the time limit is checked by the caller). */
function judgeAnswer(answer: Answer, input: FuzzInput): Pick<Violation, 'kind' | 'detail'> | undefined {
  if (answer.status >= 500) return { kind: 'server-error', detail: `HTTP ${answer.status}: ${answer.text.slice(0, 300)}` };
  const leak = leakIn(answer.text, input);
  if (leak) return { kind: 'leak', detail: `response contains "${leak}": ${answer.text.slice(0, 300)}` };
  let body: any;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return { kind: 'not-json', detail: `HTTP ${answer.status} ${answer.contentType}: ${answer.text.slice(0, 200)}` };
  }
  if (answer.status >= 400) {
    if (!/^application\/problem\+json/.test(answer.contentType)) return { kind: 'bad-problem', detail: `HTTP ${answer.status} with content type ${answer.contentType}` };
    if (typeof body.code !== 'string' || !body.code.startsWith('HUB_ERR_') || body.status !== answer.status || typeof body.type !== 'string' || typeof body.title !== 'string' || typeof body.detail !== 'string') {
      return { kind: 'bad-problem', detail: `problem body lacks code/status/type/title/detail: ${answer.text.slice(0, 200)}` };
    }
  } else if (answer.status === 202 || answer.status === 200) {
    if (declaresDoctype(input.bytes)) return { kind: 'doctype-accepted', detail: `HTTP ${answer.status}: a document with a DOCTYPE/ENTITY declaration was accepted: ${answer.text.slice(0, 200)}` };
    if (!/^application\/json/.test(answer.contentType) || typeof body.id !== 'string' || typeof body.documentType !== 'string') return { kind: 'bad-problem', detail: `HTTP ${answer.status} body: ${answer.text.slice(0, 200)}` };
  } else return { kind: 'bad-problem', detail: `unexpected HTTP ${answer.status}` };
  return undefined;
}

/** A hub for fuzzing: the demo config, with rate limits (when configured) raised out of the way. */
export async function startFuzzHub(): Promise<TestHub> {
  return startTestHub({
    configure: (c) => {
      if (c.rateLimits) for (const rule of Object.values(c.rateLimits) as Array<{ limit: number }>) rule.limit = 1_000_000_000;
    },
  });
}

/** Sends `count` inputs to the intake of a running hub, then waits for every accepted one to end. */
export async function fuzzIntake(t: TestHub, options: FuzzOptions): Promise<TargetReport> {
  const report = new TargetReport('intake', options.seed);
  const maxMs = options.maxMs ?? 1000;
  const sampleEvery = options.sampleEvery ?? 250;
  const memory = new MemoryWatch(report, Math.min(2_000, Math.floor(options.count / 5)), options.maxHeapGrowthMB);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency ?? 1 });
  const url = new URL(t.url);
  const stream = inputs(inputArb('intake', fixtureSources(), options.seed, options.fixtureShare), options.seed, options.count);
  const ediShare = options.ediShare ?? 0;
  const ediStream = ediShare > 0 ? inputs(ediInputArb(), (options.seed ^ 0x0ed1) | 0, options.count) : undefined;
  /** Whether slot i is an EDI interchange: a fixed hash of the index, so a run is reproducible. */
  const isEdi = (i: number) => ediStream !== undefined && (Math.imul(i + 1, 0x9e3779b1) >>> 0) / 2 ** 32 < ediShare;
  const started = performance.now();
  let index = 0;
  const violate = (i: number, input: FuzzInput, v: Pick<Violation, 'kind' | 'detail'>, extra: Record<string, unknown> = {}) => {
    const violation: Violation = { target: 'intake', index: i, category: input.category, signature: `${v.kind} | content-encoding ${input.contentEncoding ?? 'none'} | encoding ${input.encoding ?? 'raw bytes'}`, ...v };
    violation.file = saveFailure(options.failuresDir, report, i, input, violation, extra);
    report.violations.push(violation);
  };
  const worker = async () => {
    for (;;) {
      if (index >= options.count) return;
      const i = index++;
      const next = isEdi(i) ? ediStream!.next() : stream.next();
      if (next.done) return;
      const input = next.value;
      const edi = 'syntax' in input;
      const key = t.keys.partners[input.partner]!;
      let answer: Answer;
      try {
        answer = await post(agent, url, key, input);
      } catch (error) {
        violate(i, input, { kind: 'transport', detail: `request failed: ${(error as Error).message}` });
        continue;
      }
      report.sent++;
      bump(report.byCategory, input.category);
      if (input.encoding) bump(report.byEncoding, input.encoding);
      bump(report.byOutcome, String(answer.status));
      let code = '';
      try {
        code = JSON.parse(answer.text).code ?? '';
      } catch {
        /* judged below */
      }
      if (code) bump(report.byCode, code);
      if (answer.status === 200) report.duplicates++;
      let problem: Pick<Violation, 'kind' | 'detail'> | undefined;
      if (edi) {
        // The interchange answer names the messages taken (an acknowledgement answer does not: those are not followed).
        const detail = judgeEdiAnswer(input as EdiFuzzInput, answer, report.accepted);
        if (detail) problem = { kind: answer.status >= 500 ? 'server-error' : /^the answer contains/.test(detail) ? 'leak' : /not JSON/.test(detail) ? 'not-json' : 'bad-problem', detail };
      } else {
        if (answer.status === 202) report.accepted.push(JSON.parse(answer.text).id);
        problem = judgeAnswer(answer, input);
      }
      if (problem) violate(i, input, problem, { status: answer.status, response: answer.text.slice(0, 2000) });
      if (answer.ms > report.slowest.ms) report.slowest = { ms: answer.ms, category: input.category, index: i };
      if (answer.ms > maxMs) {
        const again = await post(agent, url, key, input).catch(() => undefined);
        const retryMs = again?.ms ?? Infinity;
        (retryMs > maxMs ? report.slow : report.slowOnce).push({ index: i, category: input.category, ms: answer.ms, retryMs });
      }
      if (report.sent % sampleEvery === 0) memory.sample(report.sent);
      if (options.log && report.sent % 5000 === 0) options.log(`intake: ${report.sent}/${options.count} sent, ${report.accepted.length} accepted, ${report.violations.length} violation(s)`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
  memory.sample(report.sent);
  agent.destroy();
  await awaitAccepted(t, report, options.log);
  report.elapsedMs = performance.now() - started;
  return report;
}

/** Every accepted message must reach delivered or failed; failed with a catalog reason, never HUB_ERR_INTERNAL. */
async function awaitAccepted(t: TestHub, report: TargetReport, log?: (line: string) => void): Promise<void> {
  let open = [...report.accepted];
  const deadline = Date.now() + Math.max(60_000, report.accepted.length * 25);
  log?.(`intake: waiting for ${open.length} accepted message(s) to be delivered or failed`);
  while (open.length && Date.now() < deadline) {
    const still: string[] = [];
    for (let i = 0; i < open.length; i += 200) {
      const records = await Promise.all(open.slice(i, i + 200).map((id) => t.hub.store.get(id)));
      records.forEach((r, j) => {
        const id = open[i + j]!;
        if (!r || (r.status !== 'delivered' && r.status !== 'failed')) return void still.push(id);
        bump(report.final, r.status);
        if (r.status === 'failed') {
          const code = r.error?.code ?? '(no error recorded)';
          bump(report.finalCodes, code);
          if (code === 'HUB_ERR_INTERNAL' || !r.error) report.violations.push({ target: 'intake', kind: 'internal-error', detail: `message ${id} failed with ${code}: ${r.error?.message ?? ''}` });
        }
      });
    }
    open = still;
    if (open.length) await new Promise((r) => setTimeout(r, 200));
  }
  for (const id of open) {
    const r = await t.hub.store.get(id);
    bump(report.final, `stuck:${r?.status ?? 'missing'}`);
    report.violations.push({ target: 'intake', kind: 'stuck', detail: `message ${id} still ${r?.status ?? 'missing'} at the deadline` });
  }
}

/** Maps `count` inputs with OfflineMapper (what `hub map` runs). */
export async function fuzzMap(mapper: OfflineMapper, options: FuzzOptions): Promise<TargetReport> {
  const report = new TargetReport('map', options.seed);
  const maxMs = options.maxMs ?? 1000;
  const sampleEvery = options.sampleEvery ?? 250;
  const memory = new MemoryWatch(report, Math.min(2_000, Math.floor(options.count / 5)), options.maxHeapGrowthMB);
  const started = performance.now();
  let i = 0;
  const mapOnce = async (input: FuzzInput): Promise<{ ms: number; outcome: string; error?: unknown }> => {
    const t0 = performance.now();
    try {
      await mapper.map(input.bytes, input.format ? { format: input.format } : {});
      return { ms: performance.now() - t0, outcome: 'ok' };
    } catch (error) {
      return { ms: performance.now() - t0, outcome: error instanceof HubError ? error.code : 'crash', error };
    }
  };
  for (const input of inputs(inputArb('map', fixtureSources(), options.seed, options.fixtureShare), options.seed, options.count)) {
    const index = i++;
    const violate = (v: Pick<Violation, 'kind' | 'detail'>, extra: Record<string, unknown> = {}) => {
      const violation: Violation = { target: 'map', index, category: input.category, signature: `${v.kind} | ${v.kind === 'crash' ? v.detail.slice(0, 80) : `encoding ${input.encoding ?? 'raw bytes'}`}`, ...v };
      violation.file = saveFailure(options.failuresDir, report, index, input, violation, extra);
      report.violations.push(violation);
    };
    const result = await mapOnce(input);
    report.sent++;
    bump(report.byCategory, input.category);
    if (input.encoding) bump(report.byEncoding, input.encoding);
    bump(report.byOutcome, result.outcome === 'ok' ? 'ok' : result.outcome === 'crash' ? 'crash' : 'HubError');
    if (result.outcome === 'ok') report.mappedOk++;
    else bump(report.byCode, result.outcome === 'crash' ? `crash:${(result.error as Error)?.name ?? typeof result.error}` : result.outcome);
    if (result.outcome === 'ok' && declaresDoctype(input.bytes)) violate({ kind: 'doctype-accepted', detail: 'a document with a DOCTYPE/ENTITY declaration was mapped' });
    if (result.outcome === 'crash') {
      const e = result.error as Error;
      violate({ kind: 'crash', detail: `${e?.name ?? typeof e}: ${String(e?.message ?? e).slice(0, 300)}` }, { stack: String(e?.stack ?? '').split('\n').slice(0, 8) });
    } else if (result.outcome === 'HUB_ERR_INTERNAL') violate({ kind: 'internal-error', detail: (result.error as Error).message.slice(0, 300) });
    if (result.ms > report.slowest.ms) report.slowest = { ms: result.ms, category: input.category, index };
    if (result.ms > maxMs) {
      const again = await mapOnce(input);
      (again.ms > maxMs ? report.slow : report.slowOnce).push({ index, category: input.category, ms: result.ms, retryMs: again.ms });
    }
    if (report.sent % sampleEvery === 0) memory.sample(report.sent);
    if (options.log && report.sent % 5000 === 0) options.log(`map: ${report.sent}/${options.count} mapped, ${report.mappedOk} ok, ${report.violations.length} violation(s)`);
  }
  memory.sample(report.sent);
  report.elapsedMs = performance.now() - started;
  return report;
}

function table(map: Map<string, number>, indent = '    '): string {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `${indent}${String(v).padStart(7)}  ${k}`)
    .join('\n');
}

/** The printed summary of one target. */
export function describeReport(r: TargetReport): string {
  const peak = (key: keyof MemorySample) => Math.max(...r.memory.map((m) => m[key]));
  const after = r.memory.filter((m) => m.index >= Math.min(2_000, Math.floor(r.sent / 5)));
  const lines = [
    `== ${r.target}: ${r.sent} inputs in ${(r.elapsedMs / 1000).toFixed(1)} s (seed ${r.seed})`,
    `  by category:\n${table(r.byCategory)}`,
    `  by encoding (text inputs):\n${table(r.byEncoding)}`,
    r.target === 'intake' ? `  by HTTP status:\n${table(r.byOutcome)}` : `  outcome:\n${table(r.byOutcome)}`,
    `  by error code:\n${table(r.byCode)}`,
  ];
  if (r.target === 'intake') {
    lines.push(`  accepted (202): ${r.accepted.length}, duplicates (200): ${r.duplicates}`);
    lines.push(`  accepted messages, final status:\n${table(r.final)}`);
    if (r.finalCodes.size) lines.push(`  failed messages by error code:\n${table(r.finalCodes)}`);
  } else lines.push(`  mapped OK: ${r.mappedOk}, map errors: ${r.sent - r.mappedOk}`);
  lines.push(`  slowest input: ${r.slowest.ms.toFixed(1)} ms (#${r.slowest.index}, ${r.slowest.category})`);
  const times = (list: typeof r.slow) => list.map((s) => `#${s.index} ${s.category} ${s.ms.toFixed(0)}→${s.retryMs.toFixed(0)} ms`).join(', ');
  lines.push(`  over 1 s twice (time figures, not violations): ${r.slow.length ? times(r.slow) : 'none'}`);
  if (r.slowOnce.length) lines.push(`  over 1 s once, under it when repeated (noise): ${times(r.slowOnce)}`);
  if (r.memory.length) {
    const first = after[0] ?? r.memory[0]!;
    const last = r.memory[r.memory.length - 1]!;
    lines.push(
      `  memory (${r.gcAvailable ? 'after forced GC' : 'no GC available'}): heap ${first.heapUsedMB.toFixed(1)} MB at #${first.index} -> ${last.heapUsedMB.toFixed(1)} MB at #${last.index}, peak heap ${peak('heapUsedMB').toFixed(1)} MB, peak RSS ${peak('rssMB').toFixed(1)} MB, peak external ${peak('externalMB').toFixed(1)} MB`,
    );
  }
  lines.push(`  violations: ${r.violations.length}`);
  const groups = new Map<string, Violation[]>();
  for (const v of r.violations) groups.set(v.signature ?? v.kind, [...(groups.get(v.signature ?? v.kind) ?? []), v]);
  for (const [signature, group] of groups) {
    const first = group[0]!;
    lines.push(`    ${String(group.length).padStart(5)} x [${signature}]`);
    lines.push(`          first: #${first.index ?? '-'} ${first.category ?? ''}: ${first.detail}`);
    for (const v of group.filter((x) => x.file)) lines.push(`          saved: ${v.file}`);
  }
  return lines.join('\n');
}
