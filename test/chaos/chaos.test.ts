/**
 * The short chaos run, in CI: real hub processes on a PostgreSQL and a Redis of their own, 600 real
 * documents, workers killed, Redis stopped, killed and wiped, PostgreSQL restarted twice, the ERP down. The
 * full run (`npm run chaos`, 5,000 documents) prints the same report.
 */
import { expect } from 'chai';
import { PrivatePostgres } from '../helpers/private-postgres.js';
import { printReport, runChaos, SHORT, type ChaosReport } from './chaos.js';

describe('chaos: faults while documents flow (short run)', function () {
  this.timeout(15 * 60_000);
  let report: ChaosReport;

  before(async function () {
    if (!PrivatePostgres.binaries()) throw new Error('the chaos suite needs PostgreSQL server binaries (apt-get install postgresql)');
    report = await runChaos({ ...SHORT, log: (line) => console.log(`      ${line}`) });
    printReport(report, (line) => console.log(`      ${line}`));
  });

  it('made every fault it promises', () => {
    const c = report.counts;
    expect(c['worker-kill'], 'worker SIGKILLs').to.be.at.least(3);
    expect(c['redis-stop'] + c['redis-kill'], 'Redis restarts').to.equal(2);
    expect(c['redis-kill'], 'Redis SIGKILLs').to.equal(1);
    expect(c['redis-wipe']).to.equal(1);
    expect(c['postgres-fast'] + c['postgres-immediate'], 'PostgreSQL restarts').to.equal(2);
    expect(c['erp-outage']).to.equal(1);
    expect(c['intake-term']).to.equal(2);
  });

  it('every document the partners got an id for reached every adapter it was routed to', () => {
    expect(report.accepted, 'accepted').to.be.above(SHORT.documents * 0.9);
    expect(report.lost, 'lost').to.deep.equal([]);
    expect(report.delivered).to.equal(report.accepted);
  });

  it('no ERP record was created twice, and nothing reached the ERP that was not accepted', () => {
    expect(report.erpCreatedTwice, 'webhook records created twice').to.equal(0);
    expect(report.outboxReceivedTwice, 'outbox messages made twice').to.equal(0);
    expect(report.deliveredNeverAccepted, 'deliveries for documents never accepted').to.equal(0);
    expect(report.storedNeverConfirmed, 'stored documents no partner got an id for').to.equal(0);
  });

  it('partners saw 503s and retried, never a 500, and none had to give up', () => {
    expect(report.serverErrors, '5xx other than 503').to.equal(0);
    expect(report.gaveUp).to.equal(0);
    expect(report.refused, 'refused documents').to.deep.equal([]);
  });
});
