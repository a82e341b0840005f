/**
 * Fuzzed X12 and EDIFACT bodies (test/fuzz/edi-generators.ts), a fixed seed so the same inputs every run:
 *  - the readers on their own (readX12, readEdifact): only EdiSyntaxError is ever thrown, every problem has a
 *    level, a code and a message, and each call returns (a hang would be this test's timeout);
 *  - the intake of a real test hub (HTTP, PostgreSQL, Redis, the workers), posted as the partner that sends the
 *    fixture's transaction set (sometimes another one): never a 5xx, every answer JSON (problem+json, or the
 *    interchange answer) unless the acknowledgement itself was asked for, which must then read back without
 *    envelope problems; 202/200 only when a transaction was accepted/duplicate; every stored message ends
 *    delivered or failed with a catalog code other than HUB_ERR_INTERNAL; the heap after GC stays bounded.
 * Nothing about time is asserted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { readEdifact } from '../../src/edi/edifact/index.js';
import { EdiSyntaxError, type EdiInterchange, type EdiProblem } from '../../src/edi/types.js';
import { readX12 } from '../../src/edi/x12/index.js';
import { ROOT, startTestHub, type TestHub } from '../helpers/test-hub.js';
import { EDI_MEDIA, ediInputArb, ediSources, ediTextArb, type EdiFuzzInput, type EdiSyntaxName } from './edi-generators.js';
import { exposeGc, inputs } from './runner.js';

const SEED = 20261211;
const READER_RUNS = 400;
const INTAKE_INPUTS = 600;
/** Heap growth after GC over the warmed-up baseline that counts as unbounded (MB). */
const HEAP_BOUND_MB = 96;
const LEVELS = new Set(['interchange', 'group', 'transaction', 'segment', 'element']);

/** Every problem of an interchange, its groups and its transactions. */
function allProblems(ic: EdiInterchange): EdiProblem[] {
  return [...ic.problems, ...ic.groups.flatMap((g) => [...g.problems, ...g.transactions.flatMap((t) => t.problems)])];
}

/** What is wrong with the shape of the problems (each needs a level, a code and a message), if anything. */
function badProblems(ic: EdiInterchange): string | undefined {
  const bad = allProblems(ic).find((p) => !LEVELS.has(p.level) || typeof p.code !== 'string' || !p.code || typeof p.message !== 'string' || !p.message.trim());
  return bad ? JSON.stringify(bad).slice(0, 300) : undefined;
}

const READERS: Record<EdiSyntaxName, (text: string) => EdiInterchange> = { x12: readX12, edifact: readEdifact };

/** Reads a text with a reader: the interchange, or the EdiSyntaxError; anything else is rethrown to fail the property. */
function readOnly(syntax: EdiSyntaxName, text: string): EdiInterchange | EdiSyntaxError {
  try {
    return READERS[syntax](text);
  } catch (error) {
    if (error instanceof EdiSyntaxError) {
      expect(error.problem.level, 'EdiSyntaxError problem level').to.be.oneOf([...LEVELS]);
      expect(error.problem.code, 'EdiSyntaxError problem code').to.be.a('string').and.not.equal('');
      expect(error.problem.message, 'EdiSyntaxError problem message').to.be.a('string').and.not.equal('');
      return error;
    }
    throw error;
  }
}

/**
 * The interchanges of an acknowledgement answer: X12 may hold a TA1 interchange and a 997 interchange one after the
 * other (split where an ISA follows the first one's segment terminator); EDIFACT is one CONTRL interchange.
 */
function splitInterchanges(syntax: EdiSyntaxName, text: string): string[] {
  if (syntax === 'edifact' || !text.startsWith('ISA')) return [text];
  const element = text[3]!;
  let at = 3;
  for (let n = 0; n < 15 && at >= 0; n++) at = text.indexOf(element, at + 1);
  const terminator = text[at + 2];
  if (at < 0 || terminator === undefined) return [text];
  const escaped = terminator.replace(/[.*+?^$(){}|[\]\\]/g, (c) => `\\${c}`);
  return text.split(new RegExp(`(?<=${escaped}[\\r\\n]*)(?=ISA)`)).filter((p) => p.trim());
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

function post(agent: http.Agent, url: URL, key: string, input: EdiFuzzInput): Promise<Answer> {
  const headers: Record<string, string | number> = { authorization: `Bearer ${key}`, 'content-length': input.bytes.length };
  if (input.contentType !== null) headers['content-type'] = input.contentType;
  if (input.accept) headers.accept = input.accept;
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, path: '/v1/documents', method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('latin1') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(input.bytes);
  });
}

/** A stack frame or a server path in an answer, unless the input itself holds it (echoed back). */
const LEAKS = [/\bat [^\n"]*\.[cm]?[jt]s:\d+/, /node_modules/, /\/work\//, /dist\//, /file:\/\//];

/** What is wrong with one answer, if anything; `accepted` collects the message ids the answer says were taken. */
export function judgeEdiAnswer(input: EdiFuzzInput, answer: Answer, accepted: string[]): string | undefined {
  if (answer.status >= 500) return `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`;
  const sent = input.bytes.toString('latin1');
  for (const pattern of LEAKS) {
    const found = pattern.exec(answer.text)?.[0];
    if (found && !sent.includes(found)) return `the answer contains "${found}": ${answer.text.slice(0, 300)}`;
  }
  const media = (Object.keys(EDI_MEDIA) as EdiSyntaxName[]).find((s) => answer.contentType.toLowerCase().startsWith(EDI_MEDIA[s]));
  if (media) {
    if (!(input.accept ?? '').toLowerCase().includes(EDI_MEDIA[media])) return `HTTP ${answer.status} answered in ${answer.contentType} though the request did not ask for it (Accept: ${input.accept ?? 'none'})`;
    if (![200, 202, 400, 422].includes(answer.status)) return `an acknowledgement with HTTP ${answer.status}`;
    // The text as the hub encoded it (Express writes a string as UTF-8 and says so in the charset).
    const charset = /charset=([\w-]+)/i.exec(answer.contentType)?.[1]?.toLowerCase() ?? 'utf-8';
    const ack = Buffer.from(answer.text, 'latin1').toString(charset === 'utf-8' || charset === 'utf8' ? 'utf8' : 'latin1');
    const parts = splitInterchanges(media, ack);
    if (!parts.length) return `an empty ${media} acknowledgement (HTTP ${answer.status})`;
    for (const part of parts) {
      const read = readOnly(media, part);
      if (read instanceof EdiSyntaxError) return `the hub's own acknowledgement does not read back: ${read.message}: ${part.slice(0, 200)}`;
      const envelope = read.problems.filter((p) => p.level === 'interchange');
      if (envelope.length) return `the hub's own acknowledgement has envelope problems (${envelope.map((p) => p.message).join('; ')}): ${part.slice(0, 200)}`;
    }
    return undefined;
  }
  let body: any;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `HTTP ${answer.status} ${answer.contentType}, not JSON: ${answer.text.slice(0, 200)}`;
  }
  if (body && typeof body === 'object' && body.interchange && Array.isArray(body.transactions)) {
    if (!/^application\/json/.test(answer.contentType)) return `an interchange answer as ${answer.contentType}`;
    const outcomes: string[] = body.transactions.map((t: { outcome: string }) => t.outcome);
    const taken = body.transactions.filter((t: { outcome: string; id?: string }) => t.outcome === 'accepted');
    if (answer.status === 202) {
      if (!taken.length) return `HTTP 202 but no transaction accepted: ${outcomes.join(', ')}`;
    } else if (answer.status === 200) {
      if (taken.length || !outcomes.includes('duplicate')) return `HTTP 200 but the transactions are ${outcomes.join(', ') || 'none'}`;
    } else if (answer.status === 400 || answer.status === 422) {
      if (outcomes.some((o) => o !== 'rejected')) return `HTTP ${answer.status} but the transactions are ${outcomes.join(', ')}`;
      if (typeof body.code !== 'string' || !/^HUB_ERR_EDI_/.test(body.code) || typeof body.detail !== 'string') return `HTTP ${answer.status} interchange answer without code/detail: ${answer.text.slice(0, 200)}`;
    } else return `an interchange answer with HTTP ${answer.status}`;
    for (const t of taken) {
      if (typeof t.id !== 'string') return `an accepted transaction without an id: ${JSON.stringify(t).slice(0, 200)}`;
      accepted.push(t.id);
    }
    return undefined;
  }
  if (answer.status >= 400) {
    if (!/^application\/problem\+json/.test(answer.contentType)) return `HTTP ${answer.status} as ${answer.contentType}`;
    if (typeof body.code !== 'string' || !body.code.startsWith('HUB_ERR_') || body.status !== answer.status || typeof body.type !== 'string' || typeof body.title !== 'string' || typeof body.detail !== 'string') {
      return `a problem without code/status/type/title/detail: ${answer.text.slice(0, 200)}`;
    }
    return undefined;
  }
  // A body that sniffed as XML (binary noise put a "<" first) is answered as an XML document.
  if ((answer.status === 202 || answer.status === 200) && typeof body.id === 'string' && typeof body.documentType === 'string') {
    if (answer.status === 202) accepted.push(body.id);
    return undefined;
  }
  return `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`;
}

/** Saves an offending input under var/fuzz-failures/ (the exact bytes, latin1) and returns the path. */
function saveCounterexample(name: string, text: string): string {
  const dir = path.join(ROOT, 'var/fuzz-failures');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `edi-${name}.edi`);
  writeFileSync(file, Buffer.from(text, 'latin1'));
  return path.relative(ROOT, file);
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

describe('fuzz: X12 and EDIFACT bodies (fixed seed)', function () {
  this.timeout(240_000);
  const sources = ediSources();

  describe('the readers (readX12, readEdifact), no HTTP', () => {
    for (const syntax of ['x12', 'edifact'] as const) {
      for (const reader of ['x12', 'edifact'] as const) {
        const runs = syntax === reader ? READER_RUNS : READER_RUNS / 4;
        it(`${reader === 'x12' ? 'readX12' : 'readEdifact'} on ${runs} fuzzed ${syntax.toUpperCase()} bodies: only EdiSyntaxError, every problem with a level, code and message`, () => {
          let read = 0;
          let refused = 0;
          // Counted only when the property holds (then fast-check runs it exactly `runs` times, no shrinking).
          const details = fc.check(
            fc.property(ediTextArb(syntax, sources), (text) => {
              const result = readOnly(reader, text);
              if (result instanceof EdiSyntaxError) refused++;
              else {
                read++;
                expect(badProblems(result), 'a problem without level/code/message').to.equal(undefined);
                expect(result.controlNumber).to.be.a('string');
              }
            }),
            { seed: SEED + (syntax === 'x12' ? 1 : 2) + (reader === 'x12' ? 10 : 20), numRuns: runs, endOnFailure: true },
          );
          // fast-check's own report prints the whole counterexample (megabytes for the big bodies): save it instead.
          if (details.failed) {
            const text = String(details.counterexample?.[0] ?? '');
            const file = saveCounterexample(`reader-${reader}-${syntax}-seed${details.seed}`, text);
            expect.fail(`${reader === 'x12' ? 'readX12' : 'readEdifact'} broke a promise on input #${details.numRuns} (${text.length} chars, saved as ${file}): ${String(details.errorInstance).slice(0, 600)}`);
          }
          // The mix reaches the envelope and segment checks, not only the first-characters refusal.
          if (syntax === reader) expect(read).to.be.above(runs / 2);
          expect(read + refused).to.equal(runs);
        });
      }
    }

    it('every fixture reads without throwing (the generators start from readable bodies)', () => {
      for (const s of sources) expect(() => READERS[s.syntax](s.text), s.name).not.to.throw();
    });
  });

  describe('the intake over HTTP (a real test hub)', () => {
    let t: TestHub;
    const violations: string[] = [];
    const byStatus = new Map<string, number>();
    const byCategory = new Map<string, number>();
    const byCode = new Map<string, number>();
    const accepted: string[] = [];
    let ackAnswers = 0;
    let heapBefore = 0;
    let heapAfter = 0;
    let rssBefore = 0;
    let rssAfter = 0;
    const finals = new Map<string, number>();
    const stuck: string[] = [];
    let stored = 0;

    before(async function () {
      this.timeout(300_000);
      t = await startTestHub();
      const gc = exposeGc();
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const url = new URL(t.url);
      const sample = () => {
        gc?.();
        return process.memoryUsage();
      };
      let i = 0;
      for (const input of inputs(ediInputArb(sources), SEED, INTAKE_INPUTS, 100) as Generator<EdiFuzzInput>) {
        if (i === 50) ({ heapUsed: heapBefore, rss: rssBefore } = sample());
        const index = i++;
        bump(byCategory, input.category);
        let answer: Answer;
        try {
          answer = await post(agent, url, t.keys.partners[input.partner]!, input);
        } catch (error) {
          violations.push(`#${index} ${input.category}: request failed (the hub hung up?): ${(error as Error).message} ${JSON.stringify(input.origin)}`);
          continue;
        }
        bump(byStatus, String(answer.status));
        if (/^application\/(edi-x12|edifact)/.test(answer.contentType)) ackAnswers++;
        else {
          try {
            const code = JSON.parse(answer.text).code;
            if (code) bump(byCode, code);
          } catch {
            /* judged below */
          }
        }
        const problem = judgeEdiAnswer(input, answer, accepted);
        if (problem) {
          const saved = violations.length < 20 ? ` saved as ${saveCounterexample(`intake-seed${SEED}-${index}`, input.bytes.toString('latin1'))}` : '';
          violations.push(`#${index} ${input.category} as ${input.partner} (${input.contentType}, accept ${input.accept ?? '-'}) ${JSON.stringify(input.origin)}${saved}: ${problem.slice(0, 400)}`);
        }
      }
      agent.destroy();
      // Every message this hub stored (also those answered with an acknowledgement) must end delivered or failed.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const open: string[] = [];
        finals.clear();
        stored = 0;
        let cursor: string | undefined;
        do {
          const page = await t.hub.store.query({ limit: 500, ...(cursor ? { cursor } : {}) });
          for (const r of page.items) {
            stored++;
            if (r.status !== 'delivered' && r.status !== 'failed') open.push(`${r.id} ${r.status}`);
            else bump(finals, r.status === 'failed' ? `failed:${r.error?.code ?? '(no code)'}` : 'delivered');
          }
          cursor = page.next;
        } while (cursor);
        if (!open.length || Date.now() > deadline) {
          stuck.push(...open);
          break;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      ({ heapUsed: heapAfter, rss: rssAfter } = sample());
      if (process.env.FUZZ_VERBOSE) {
        const table = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `    ${String(v).padStart(5)}  ${k}`).join('\n');
        console.log(`edi fuzz: ${i} inputs, seed ${SEED}\n  by status:\n${table(byStatus)}\n  by code:\n${table(byCode)}\n  by category:\n${table(byCategory)}`);
        console.log(`  acknowledgement answers: ${ackAnswers}; accepted in JSON answers: ${accepted.length}; stored messages: ${stored}\n  final:\n${table(finals)}`);
        console.log(`  memory: heap ${(heapBefore / 2 ** 20).toFixed(1)} -> ${(heapAfter / 2 ** 20).toFixed(1)} MB, RSS ${(rssBefore / 2 ** 20).toFixed(1)} -> ${(rssAfter / 2 ** 20).toFixed(1)} MB${gc ? ' (after GC)' : ' (no GC)'}`);
      }
    });
    after(async () => t?.close());

    it(`answers ${INTAKE_INPUTS} fuzzed interchanges without a 5xx, a hang-up, a leak or a body that is neither JSON nor a readable acknowledgement`, () => {
      expect(violations).to.deep.equal([]);
      expect([...byStatus.values()].reduce((a, b) => a + b, 0)).to.equal(INTAKE_INPUTS);
    });

    it('the mix reaches every path: accepted, duplicate-free refusals of the envelope and of the sets, wrong types, acknowledgements', () => {
      expect([...byStatus.keys()]).to.include.members(['202', '400', '415', '422']);
      expect(byCode.get('HUB_ERR_EDI_ENVELOPE') ?? 0).to.be.above(0);
      expect(byCode.get('HUB_ERR_EDI_INVALID') ?? 0).to.be.above(0);
      expect(byCode.get('HUB_ERR_SYNTAX_UNKNOWN') ?? 0).to.be.above(0);
      expect(accepted.length).to.be.above(20);
      expect(ackAnswers).to.be.above(20);
    });

    it('brings every stored message to delivered or failed with a catalog code, never HUB_ERR_INTERNAL, none stuck', () => {
      expect(stuck).to.deep.equal([]);
      expect(stored).to.be.at.least(accepted.length);
      const failedCodes = [...finals.keys()].filter((k) => k.startsWith('failed:')).map((k) => k.slice(7));
      expect(failedCodes.filter((c) => c === 'HUB_ERR_INTERNAL' || !c.startsWith('HUB_ERR_'))).to.deep.equal([]);
      expect(finals.get('delivered') ?? 0).to.be.above(0);
    });

    it(`keeps the heap (after GC) within ${HEAP_BOUND_MB} MB of where it was after the warm-up`, () => {
      expect(heapBefore).to.be.above(0);
      expect((heapAfter - heapBefore) / 2 ** 20).to.be.below(HEAP_BOUND_MB);
    });
  });
});
