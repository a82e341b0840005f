import path from 'node:path';
import { expect } from 'chai';
import { OfflineMapper } from '../../src/cli/offline.js';
import { loadConfig } from '../../src/config/load.js';
import { ROOT, type TestHub } from '../helpers/test-hub.js';
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
    before(async () => {
      t = await startFuzzHub();
      report = await fuzzIntake(t, { seed: SEED, count: INTAKE_INPUTS });
      if (process.env.FUZZ_VERBOSE) console.log(describeReport(report));
    });
    after(async () => t?.close());

    it(`answers ${INTAKE_INPUTS} hostile inputs without a 5xx, a leak or a non-JSON body, each within 1 s`, () => {
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
    before(async () => {
      mapper = await OfflineMapper.create(loadConfig({ file: path.join(ROOT, 'config/hub.yaml'), env: {} }));
      report = await fuzzMap(mapper, { seed: SEED, count: MAP_INPUTS });
      if (process.env.FUZZ_VERBOSE) console.log(describeReport(report));
    });
    after(() => mapper?.close());

    it(`throws only HubError for ${MAP_INPUTS} hostile inputs, each within 1 s, memory bounded`, () => {
      expect(report.sent).to.equal(MAP_INPUTS);
      expect(summary(report.violations)).to.deep.equal([]);
    });

    it('maps some mutated fixtures successfully (the mix reaches the mapping, not only the parser)', () => {
      expect(report.mappedOk).to.be.above(10);
      expect(report.byCode.get('HUB_ERR_XSD_INVALID') ?? 0).to.be.above(0);
    });
  });
});
