/**
 * Regression for the defect found under faults (issue 9): BullMQ failed jobs of killed workers ("job stalled
 * more than allowable limit") without any hub code running, so their messages stayed `processing` for ever,
 * the sweeper's re-add was a no-op (a failed job with the same id existed), and replay refused them. Here the
 * failed job is made the way BullMQ makes it (a job taken by a worker that then fails it unrecoverably), on a
 * real Redis and PostgreSQL.
 */
import { expect } from 'chai';
import { UnrecoverableError, Worker } from 'bullmq';
import { requeueStalled } from '../../src/pipeline/recovery.js';
import { transformMessage } from '../../src/pipeline/transform.js';
import { Router } from '../../src/pipeline/route.js';
import type { HubQueues } from '../../src/queue/queues.js';
import { bullPrefix, QUEUE_NAMES } from '../../src/queue/queues.js';
import { connectionOptions } from '../../src/redis/connect.js';
import { goldenFixtures } from '../helpers/fixtures.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

describe('lost jobs: work BullMQ gave up on is retried or failed with the reason, never stuck', function () {
  this.timeout(60_000);
  let intake: TestHub;
  let n = 0;
  const order = goldenFixtures(['ubl-order']).find((f) => f.name === 'ubl-order-2.1-example.xml')!;

  before(async () => {
    // No workers here: the test plays the worker that dies, and starts real workers when it wants delivery.
    intake = await startTestHub({ workers: false });
  });
  after(async () => intake?.close());

  /** Real workers on the intake's queues and schema, until the message is final; its tracking view. */
  async function finishedByWorkers(id: string): Promise<any> {
    const workers = await startTestHub({ prefix: intake.prefix, varDir: intake.varDir, server: false, workers: true, keep: true });
    try {
      return await waitForStatus(intake, id);
    } finally {
      await workers.close();
    }
  }

  const sweep = (maxRequeues = 8) => requeueStalled({ store: intake.hub.store, queues: intake.hub.queues, logger: intake.hub.logger }, 0, maxRequeues);

  /** A stored message in processing whose transform job BullMQ failed after a stall. */
  async function lostTransform(): Promise<string> {
    const body = order.bytes.toString('utf8').replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>LOST-${Date.now()}-${n++}</cbc:ID>`);
    const posted = await call(intake.url, 'POST', '/v1/documents', { key: intake.keys.partners.acme, body });
    expect(posted.status).to.equal(202);
    await intake.hub.store.setStatus(posted.body.id, 'processing', { entry: { step: 'transform', detail: 'attempt 1 (the worker is killed during it)' } });
    await failQueuedJob(posted.body.id);
    return posted.body.id;
  }

  /** Takes the job of this id as a worker would, and fails it the way BullMQ fails a job that stalled too often. */
  async function failQueuedJob(jobId: string | string[], queue: string = QUEUE_NAMES.transform): Promise<void> {
    const worker = new Worker(queue, null, { connection: connectionOptions(intake.hub.redisUrl), prefix: bullPrefix(intake.hub.config), autorun: false });
    try {
      const token = `dying-${String(jobId)}`;
      const job = await worker.getNextJob(token, { block: false });
      expect(job?.id, 'the job taken').to.be.oneOf(Array.isArray(jobId) ? jobId : [jobId]);
      await job!.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), token, false);
      expect(await job!.getState()).to.equal('failed');
    } finally {
      await worker.close();
    }
  }

  it('the sweeper replaces the failed job and the message is delivered', async () => {
    const id = await lostTransform();
    const result = await sweep();
    expect(result.transforms).to.equal(1);
    const job = await intake.hub.queues.transform.getJob(id);
    expect(await job!.getState()).to.equal('waiting');
    const done = await finishedByWorkers(id);
    expect(done.status).to.equal('delivered');
    expect(done.history.map((h: any) => h.step)).to.include('requeued');
  });

  it('a delivery job BullMQ failed is replaced by the sweeper, and the message is delivered once to each adapter', async () => {
    const body = order.bytes.toString('utf8').replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>LOST-DELIVERY-${Date.now()}</cbc:ID>`);
    const id = (await call(intake.url, 'POST', '/v1/documents', { key: intake.keys.partners.acme, body })).body.id as string;
    // The transform runs (here, in the test, in place of its queued job) and queues one deliver job per routed adapter ...
    await (await intake.hub.queues.transform.getJob(id))!.remove();
    const router = new Router(intake.hub.config, intake.hub.adapters);
    await transformMessage(id, { attempt: 1, last: false, signal: new AbortController().signal }, { store: intake.hub.store, mappings: intake.hub.mappings, router, queues: intake.hub.queues, logger: intake.hub.logger });
    const adapters = Object.keys((await intake.hub.store.get(id))!.routes ?? {}).sort();
    expect(adapters.length, 'routed adapters').to.be.above(0);
    // ... whose workers die on them twice: BullMQ fails them, no hub code runs.
    const jobs = adapters.map((adapter) => `${id}.${adapter}`);
    for (let i = 0; i < jobs.length; i++) await failQueuedJob(jobs, QUEUE_NAMES.deliver);
    const result = await sweep();
    expect(result.deliveries, 'deliveries queued again').to.equal(adapters.length);
    for (const adapter of adapters) expect(await (await intake.hub.queues.deliver.getJob(`${id}.${adapter}`))!.getState()).to.equal('waiting');
    const done = await finishedByWorkers(id);
    expect(done.status).to.equal('delivered');
    const delivered = done.history.filter((h: any) => h.step === 'delivered').map((h: any) => h.adapter).sort();
    expect(delivered, 'one delivery per adapter').to.deep.equal(adapters);
    expect(done.history.filter((h: any) => h.step === 'requeued').map((h: any) => h.adapter).sort()).to.deep.equal(adapters);
  });

  it('a message whose work is lost again and again is failed with HUB_ERR_PROCESSING_LOST, and replay brings it through', async () => {
    const id = await lostTransform();
    expect((await sweep(2)).transforms).to.equal(1);
    await failQueuedJob(id);
    expect((await sweep(2)).transforms).to.equal(1);
    await failQueuedJob(id);
    expect((await sweep(2)).failed).to.equal(1);
    const failed = await call(intake.url, 'GET', `/v1/ops/messages/${id}`, { key: intake.keys.ops });
    expect(failed.body.status).to.equal('failed');
    expect(failed.body.error.code).to.equal('HUB_ERR_PROCESSING_LOST');
    expect(failed.body.error.message).to.contain('queued again 2 times');
    const replay = await call(intake.url, 'POST', `/v1/ops/messages/${id}/replay`, { key: intake.keys.ops });
    expect(replay.status).to.equal(202);
    expect((await finishedByWorkers(id)).status).to.equal('delivered');
  });

  it('replay takes a message stuck in processing past the bound, and refuses one that is merely busy', async () => {
    const id = await lostTransform();
    const busy = await call(intake.url, 'POST', `/v1/ops/messages/${id}/replay`, { key: intake.keys.ops });
    expect(busy.status).to.equal(409);
    expect(busy.body.detail).to.match(/stuck for more than \d+ s/);
    await intake.hub.db.query("UPDATE messages SET updated_at = now() - interval '1 hour' WHERE id = $1", [id]);
    const replay = await call(intake.url, 'POST', `/v1/ops/messages/${id}/replay`, { key: intake.keys.ops });
    expect(replay.status, JSON.stringify(replay.body)).to.equal(202);
    expect((await finishedByWorkers(id)).status).to.equal('delivered');
  });

  it('completes a message whose deliveries were all recorded but whose status was not (a crash between the two)', async () => {
    const workers = await startTestHub({ prefix: intake.prefix, varDir: intake.varDir, server: false, workers: true, keep: true });
    let id: string;
    try {
      const body = order.bytes.toString('utf8').replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>SETTLED-${Date.now()}</cbc:ID>`);
      id = (await call(intake.url, 'POST', '/v1/documents', { key: intake.keys.partners.acme, body })).body.id;
      expect((await waitForStatus(intake, id)).status).to.equal('delivered');
    } finally {
      await workers.close();
    }
    await intake.hub.db.query("UPDATE messages SET status = 'processing', updated_at = now() - interval '1 hour' WHERE id = $1", [id]);
    expect((await sweep()).completed).to.equal(1);
    expect((await intake.hub.store.get(id))!.status).to.equal('delivered');
  });

  it('a store outage on the last attempt does not fail the message: it stays for the sweeper', async () => {
    const body = order.bytes.toString('utf8').replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>OUTAGE-LAST-${Date.now()}</cbc:ID>`);
    const id = (await call(intake.url, 'POST', '/v1/documents', { key: intake.keys.partners.acme, body })).body.id as string;
    // Redis gone while the transform queues the deliveries, on what BullMQ says is the last attempt.
    const redisDown = Object.assign(new Error('Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.'), { name: 'MaxRetriesPerRequestError' });
    const queues = { enqueueDeliver: async () => Promise.reject(redisDown) } as unknown as HubQueues;
    const router = new Router(intake.hub.config, intake.hub.adapters);
    let thrown: unknown;
    await transformMessage(id, { attempt: 8, last: true, signal: new AbortController().signal }, { store: intake.hub.store, mappings: intake.hub.mappings, router, queues, logger: intake.hub.logger }).catch((e) => (thrown = e));
    expect(thrown).to.equal(redisDown);
    const record = await intake.hub.store.get(id);
    expect(record!.status).to.equal('processing');
    expect(record!.error).to.equal(undefined);
    // Once the stores are back it goes through (its first job still waits; the sweeper would queue it otherwise).
    await sweep();
    expect((await finishedByWorkers(id)).status).to.equal('delivered');
  });
});
