/**
 * A third party's adapter, outside adapters/, configured with `module:` in a real hub: it gets the routed
 * documents with the hub's idempotency key, and /readyz asks its health() on every call and reports the
 * answer (issue 9's adapter kit).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { goldenFixtures } from '../helpers/fixtures.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

/** Plain JavaScript with no imports at all: its errors are classified by code and flag, not by class. */
const TOY_ADAPTER = `
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
let healthCalls = 0;
export default {
  name: 'toy-erp',
  modules: ['sales'],
  configSchema: { type: 'object', required: ['log'], properties: { log: { type: 'string' }, healthy: { type: 'boolean', default: true } } },
  create(options) {
    return {
      async deliver(doc, delivery) {
        if (delivery.signal.aborted) throw Object.assign(new Error('aborted'), { code: 'HUB_ERR_ADAPTER_UNAVAILABLE', retryable: true });
        const seen = existsSync(options.log) ? readFileSync(options.log, 'utf8').split('\\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
        if (!seen.some((s) => s.key === delivery.idempotencyKey)) appendFileSync(options.log, JSON.stringify({ key: delivery.idempotencyKey, number: doc.documentNumber }) + '\\n');
        return { reference: 'toy:' + delivery.idempotencyKey };
      },
      async health() {
        healthCalls += 1;
        return { ok: options.healthy, detail: 'health call ' + healthCalls };
      },
      async close() {},
    };
  },
};
`;

describe('a module: adapter in a real hub, and /readyz asking its health', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-module-adapter-'));
  const adapterFile = path.join(dir, 'toy-erp.js');
  const log = path.join(dir, 'deliveries.jsonl');
  let t: TestHub;

  before(async () => {
    writeFileSync(adapterFile, TOY_ADAPTER);
    t = await startTestHub({
      configure: (config) => {
        config.adapters.toy = { module: adapterFile, modules: ['sales'], options: { log } };
        config.adapters.sick = { module: adapterFile, modules: ['sales'], options: { log: path.join(dir, 'sick.jsonl'), healthy: false } };
      },
    });
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/readyz calls health() each time and reports it, a sick adapter as down without making the intake unready', async () => {
    const first = await call(t.url, 'GET', '/readyz', { key: t.keys.ops });
    const second = await call(t.url, 'GET', '/readyz', { key: t.keys.ops });
    expect(first.status).to.equal(200);
    // One module instance, two adapter instances: the calls count across both.
    const calls = (body: any) => [body.adapters.toy, body.adapters.sick].map((s: string) => Number(/health call (\d+)/.exec(s)?.[1]));
    expect(first.body.adapters.toy).to.match(/^ok \(health call \d+\)$/);
    expect(first.body.adapters.sick).to.match(/^down: health call \d+$/);
    expect(Math.min(...calls(second.body))).to.be.greaterThan(Math.max(...calls(first.body)));
    expect(second.status).to.equal(200);
  });

  it('delivers the routed documents to it with the key <message id>:<adapter name>', async () => {
    const order = goldenFixtures(['ubl-order'])[0]!;
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order.bytes });
    expect(posted.status).to.equal(202);
    const message = await waitForStatus(t, posted.body.id, ['delivered', 'failed'], 30_000);
    expect(message.status).to.equal('delivered');
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).to.deep.equal([{ key: `${posted.body.id}:toy`, number: posted.body.documentNumber }]);
  });
});
