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
import { EdiSyntaxError } from '../../src/edi/types.js';
import { readX12 } from '../../src/edi/x12/index.js';
import { ROOT, startTestHub, type TestHub } from '../helpers/test-hub.js';
import { allProblems, badProblem, ediInputArb, ediSources, ediTextArb, judgeEdiAnswer, readEdi, type EdiAnswer, type EdiFuzzInput } from './edi-generators.js';
import { exposeGc, inputs } from './runner.js';

const SEED = 20261211;
const READER_RUNS = 400;
const INTAKE_INPUTS = 600;
/** Heap growth after GC over the warmed-up baseline that counts as unbounded (MB). */
const HEAP_BOUND_MB = 96;

interface Answer extends EdiAnswer {
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
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(input.bytes);
  });
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
              const result = readEdi(reader, text);
              if (result instanceof EdiSyntaxError) refused++;
              else {
                read++;
                expect(badProblem(allProblems(result)), 'a problem without level/code/message').to.equal(undefined);
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
      for (const s of sources) expect(() => (s.syntax === 'x12' ? readX12 : readEdifact)(s.text), s.name).not.to.throw();
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
    let resent = 0;
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
        let problem = judgeEdiAnswer(input, answer, accepted);
        // Every fifth interchange taken is sent again, byte for byte: that must be 200 with the first outcome.
        if (!problem && answer.status === 202 && index % 5 === 0) {
          const again = await post(agent, url, t.keys.partners[input.partner]!, input);
          resent++;
          problem = again.status === 200 ? judgeEdiAnswer(input, again, []) : `sent again, HTTP ${again.status} instead of 200: ${again.text.slice(0, 200)}`;
          if (problem) problem = `(sent again) ${problem}`;
        }
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
        console.log(`  acknowledgement answers: ${ackAnswers}; sent again: ${resent}; accepted in JSON answers: ${accepted.length}; stored messages: ${stored}\n  final:\n${table(finals)}`);
        console.log(`  memory: heap ${(heapBefore / 2 ** 20).toFixed(1)} -> ${(heapAfter / 2 ** 20).toFixed(1)} MB, RSS ${(rssBefore / 2 ** 20).toFixed(1)} -> ${(rssAfter / 2 ** 20).toFixed(1)} MB${gc ? ' (after GC)' : ' (no GC)'}`);
      }
    });
    after(async () => t?.close());

    it(`answers ${INTAKE_INPUTS} fuzzed interchanges without a 5xx, a hang-up, a leak or a body that is neither JSON nor a readable acknowledgement`, () => {
      expect(violations).to.deep.equal([]);
      expect([...byStatus.values()].reduce((a, b) => a + b, 0)).to.equal(INTAKE_INPUTS);
    });

    it('the mix reaches every path: accepted, sent again, refused by envelope, by set and by type, answered with the acknowledgement', () => {
      expect([...byStatus.keys()]).to.include.members(['202', '400', '415', '422']);
      expect(byCode.get('HUB_ERR_EDI_ENVELOPE') ?? 0).to.be.above(0);
      expect(byCode.get('HUB_ERR_EDI_INVALID') ?? 0).to.be.above(0);
      expect(byCode.get('HUB_ERR_SYNTAX_UNKNOWN') ?? 0).to.be.above(0);
      expect(byStatus.get('202') ?? 0).to.be.above(10);
      expect(accepted.length).to.be.above(5);
      expect(resent, 'interchanges sent again byte for byte (each must be 200)').to.be.above(2);
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
