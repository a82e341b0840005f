import path from 'node:path';
import { expect } from 'chai';
import { OfflineMapper } from '../../src/cli/offline.js';
import { loadConfig } from '../../src/config/load.js';
import { ROOT, type TestHub } from '../helpers/test-hub.js';
import { watchUnalignedUtf16, type Utf16Guard } from '../helpers/utf16-guard.js';
import { describeReport, fuzzIntake, fuzzMap, startFuzzHub, type TargetReport, type Violation } from './runner.js';

/** The CI-sized fuzz run: a fixed seed, so the same inputs every time; `npm run fuzz` runs the long one. */
const SEED = 20240601;
const INTAKE_INPUTS = 1_500;
const MAP_INPUTS = 1_500;

const summary = (violations: Violation[]) => violations.map((v) => `[${v.signature ?? v.kind}] #${v.index ?? '-'} ${v.category ?? ''}: ${v.detail.slice(0, 160)}`);

describe('fuzz (short run, fixed seed)', function () {
  this.timeout(150_000);

  describe('intake over HTTP', () => {
    let t: TestHub;
    let report: TargetReport;
    let guard: Utf16Guard;
    before(async () => {
      guard = watchUnalignedUtf16();
      try {
        t = await startFuzzHub();
        report = await fuzzIntake(t, { seed: SEED, count: INTAKE_INPUTS });
      } finally {
        guard.stop();
      }
      if (process.env.FUZZ_VERBOSE) console.log(describeReport(report));
    });
    after(async () => t?.close());

    it('never decodes UTF-16 from an odd address with an odd length, in the hub or the harness (heap overflow on Node 24.16-24.21)', () => {
      expect(guard.calls.map((c) => `${c.bytes} bytes at\n${c.stack}`)).to.deep.equal([]);
    });

    it(`answers ${INTAKE_INPUTS} hostile inputs without a 5xx, a leak or a non-JSON body (times are figures of npm run fuzz, not asserted)`, () => {
      expect(report.sent).to.equal(INTAKE_INPUTS);
      expect(summary(report.violations.filter((v) => v.kind !== 'stuck' && v.kind !== 'internal-error'))).to.deep.equal([]);
    });

    it('rejects most inputs and accepts some (the mix exercises both paths)', () => {
      const statuses = [...report.byOutcome.keys()];
      expect(statuses).to.include.members(['202', '400', '415', '422']);
      expect(report.byCode.get('HUB_ERR_XML_DOCTYPE_FORBIDDEN') ?? 0).to.be.above(0);
      expect(report.byCode.get('HUB_ERR_XML_LIMIT') ?? 0).to.be.above(0);
      expect(report.accepted.length).to.be.above(10);
    });

    it('brings every accepted document to delivered or failed, never HUB_ERR_INTERNAL', () => {
      expect(summary(report.violations.filter((v) => v.kind === 'stuck' || v.kind === 'internal-error'))).to.deep.equal([]);
      const ended = (report.final.get('delivered') ?? 0) + (report.final.get('failed') ?? 0);
      expect(ended).to.equal(report.accepted.length);
    });
  });

  describe('hub map (OfflineMapper)', () => {
    let mapper: OfflineMapper;
    let report: TargetReport;
    let guard: Utf16Guard;
    before(async () => {
      guard = watchUnalignedUtf16();
      try {
        mapper = await OfflineMapper.create(loadConfig({ file: path.join(ROOT, 'config/hub.yaml'), env: {} }));
        report = await fuzzMap(mapper, { seed: SEED, count: MAP_INPUTS });
      } finally {
        guard.stop();
      }
      if (process.env.FUZZ_VERBOSE) console.log(describeReport(report));
    });
    after(() => mapper?.close());

    it('never decodes UTF-16 from an odd address with an odd length (heap overflow on Node 24.16-24.21)', () => {
      expect(guard.calls.map((c) => `${c.bytes} bytes at\n${c.stack}`)).to.deep.equal([]);
    });

    it(`throws only HubError for ${MAP_INPUTS} hostile inputs, memory bounded (times are figures of npm run fuzz, not asserted)`, () => {
      expect(report.sent).to.equal(MAP_INPUTS);
      expect(summary(report.violations)).to.deep.equal([]);
    });

    it('maps some mutated fixtures successfully (the mix reaches the mapping, not only the parser)', () => {
      expect(report.mappedOk).to.be.above(10);
      expect(report.byCode.get('HUB_ERR_XSD_INVALID') ?? 0).to.be.above(0);
    });
  });
});
