/**
 * A delivery that takes longer than the job lock is not taken for a stalled job and run twice: the worker
 * renews its lock while the adapter call runs (issue 9). The lock here is 1 s and the ERP takes 4 s to answer;
 * without the renewal, BullMQ would hand the job to the other worker after the lock ran out and the ERP
 * would see a second call.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ErpRecorder } from '../helpers/erp-recorder.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const SECRET_ENV = 'LONG_DELIVERY_TEST_SECRET';
process.env[SECRET_ENV] = randomBytes(32).toString('hex');

describe('a delivery longer than the job lock', function () {
  this.timeout(60_000);
  let erp: ErpRecorder;
  let a: TestHub;
  let b: TestHub;
  before(async () => {
    erp = await ErpRecorder.start({ secret: process.env[SECRET_ENV]! });
    const configure = (c: any) => {
      c.pipeline = { ...c.pipeline, lockSeconds: 1 };
      c.adapters.erp = { type: 'webhook', modules: ['sales'], options: { url: `${erp.url}/orders`, secretEnv: SECRET_ENV, timeoutMs: 20_000 } };
    };
    a = await startTestHub({ configure });
    // A second worker process on the same queues, ready to take a job whose lock runs out.
    b = await startTestHub({ configure, prefix: a.prefix, varDir: a.varDir, server: false, keep: true });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await erp?.close();
  });

  it('is made once, with no stall, while the lock is renewed', async () => {
    erp.delayMs = 4000;
    const body = readFileSync(path.join(FIXTURES, 'ubl-order', 'ubl-order-2.1-example.xml'), 'utf8').replace('<cbc:ID>34</cbc:ID>', `<cbc:ID>LONG-${Date.now()}</cbc:ID>`);
    const posted = await call(a.url, 'POST', '/v1/documents', { key: a.keys.partners.acme, body });
    expect(posted.status).to.equal(202);
    const view = await waitForStatus(a, posted.body.id, ['delivered', 'failed'], 40_000);
    expect(view.status).to.equal('delivered');
    const calls = erp.calls.filter((c) => c.headers['x-hub-message-id'] === posted.body.id);
    expect(calls.map((c) => c.outcome)).to.deep.equal(['created']);
    expect(view.history.filter((h: any) => h.adapter === 'erp' && h.step === 'delivered')).to.have.length(1);
    expect(view.history.map((h: any) => h.step)).not.to.include('delivery-retry');
  });
});
