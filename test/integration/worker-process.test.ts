import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { call, ROOT, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { goldenFixtures, roundsWithoutDuplicates } from '../helpers/fixtures.js';
import { requeueStalled } from '../../src/pipeline/recovery.js';

function startWorkerProcess(t: TestHub): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/hub.js'), 'worker'], { env: { ...t.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve({ child, log: () => output }));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('workers in separate processes (hub worker)', function () {
  this.timeout(60_000);
  let t: TestHub;
  const children: ChildProcess[] = [];
  before(async () => {
    // One job at a time per worker, so that two workers must share a round of documents between them.
    t = await startTestHub({ workers: false, configure: (c) => (c.pipeline = { ...c.pipeline, transformConcurrency: 1, deliverConcurrency: 1 }) });
  });
  after(async () => {
    await Promise.all(children.map(stop));
    await t?.close();
  });

  it('two worker processes share the work: every document is delivered, each exactly once', async () => {
    const a = await startWorkerProcess(t);
    const b = await startWorkerProcess(t);
    children.push(a.child, b.child);
    // One round of the real fixtures in which no two are duplicates of each other.
    const fixtures = roundsWithoutDuplicates(goldenFixtures())[0]!;
    const ids: string[] = [];
    for (const f of fixtures) {
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[f.partner], body: f.bytes });
      expect(r.status).to.equal(202);
      ids.push(r.body.id);
    }
    for (const id of ids) expect((await waitForStatus(t, id, ['delivered', 'failed'], 30_000)).status).to.equal('delivered');
    const deliveredLines = (log: string) => log.split('\n').filter((l) => l.includes('"msg":"delivered"')).map((l) => JSON.parse(l));
    const all = [...deliveredLines(a.log()), ...deliveredLines(b.log())];
    // This process runs no workers, so every delivery was made by a worker process.
    const outboxDeliveries = all.filter((l) => l.adapter === 'outbox');
    expect(outboxDeliveries.map((l) => l.messageId).sort()).to.deep.equal([...ids].sort());
    // Both worker processes did some of it (the test once passed with one worker doing everything).
    expect(new Set(all.map((l) => l.pid)).size, 'worker processes that delivered').to.equal(2);
    expect(await stop(a.child)).to.equal(0);
  });

  it('a document stored but never queued (a crash between the two) is found and delivered', async () => {
    const order = goldenFixtures(['ubl-order'])[0]!;
    const id = '01900000-0000-7000-8000-000000000001';
    await t.hub.store.accept({ id, partner: 'acme', format: 'ubl-order', documentType: 'Order', documentNumber: 'RECOVERY-1', sendingParty: '7300010000001', sha256: 'recovery', raw: order.bytes });
    if (children.every((c) => c.exitCode !== null)) children.push((await startWorkerProcess(t)).child);
    expect(await requeueStalled({ store: t.hub.store, queues: t.hub.queues, logger: t.hub.logger }, 0)).to.include({ transforms: 1, deliveries: 0 });
    expect((await waitForStatus(t, id, ['delivered', 'failed'], 30_000)).status).to.equal('delivered');
  });
});
