import { expect } from 'chai';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { call, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { goldenFixtures } from '../helpers/fixtures.js';

describe('failures, retries and replay', function () {
  this.timeout(60_000);

  describe('a delivery that keeps failing', () => {
    let t: TestHub;
    let blocked: string;
    before(async () => {
      t = await startTestHub({
        configure: (c) => {
          c.pipeline.attempts = 3;
          c.pipeline.backoffMs = 20;
        },
      });
      // The archive folder's place is taken by a file: every write fails (a retryable error).
      blocked = t.hub.config.adapters.find((a) => a.name === 'archive')!.options.dir as string;
      writeFileSync(blocked, 'not a folder');
    });
    after(async () => t?.close());

    it('is retried with backoff, then the message is failed with the reason; replay delivers once everywhere', async () => {
      const order = goldenFixtures(['ubl-order'])[0]!;
      const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order.bytes });
      const failed = await waitForStatus(t, posted.body.id);
      expect(failed.status).to.equal('failed');
      expect(failed.error.code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
      expect(failed.error.message).to.contain('file adapter archive');
      const retries = failed.history.filter((h: any) => h.step === 'delivery-retry' && h.adapter === 'archive');
      expect(retries).to.have.length(2);
      expect(failed.deliveries.find((d: any) => d.adapter === 'outbox').status).to.equal('delivered');

      rmSync(blocked);
      mkdirSync(blocked);
      const replay = await call(t.url, 'POST', `/v1/ops/messages/${posted.body.id}/replay`, { key: t.keys.ops });
      expect(replay.status).to.equal(202);
      expect(replay.body.replays).to.equal(1);
      const delivered = await waitForStatus(t, posted.body.id);
      expect(delivered.status).to.equal('delivered');
      expect(delivered.history.map((h: any) => h.step)).to.include('replayed');
      expect(readdirSync(path.join(blocked, 'Order')).filter((f) => f.endsWith('.json'))).to.have.length(1);
      // The outbox had it before the replay and did not get a second copy.
      const sales = await call(t.url, 'GET', '/v1/erp/messages?module=sales&limit=100', { key: t.keys.erp });
      expect(sales.body.messages.filter((m: any) => m.documentId === posted.body.id)).to.have.length(1);
      const outboxDeliveries = delivered.history.filter((h: any) => h.step === 'delivered' && h.adapter === 'outbox');
      expect(outboxDeliveries).to.have.length(1);

      const again = await call(t.url, 'POST', `/v1/ops/messages/${posted.body.id}/replay`, { key: t.keys.ops });
      expect(again.status).to.equal(409);
      expect(again.body.code).to.equal('HUB_ERR_REPLAY_FORCE_REQUIRED');
    });
  });

  describe('a mapping error', () => {
    let t: TestHub;
    before(async () => {
      t = await startTestHub();
    });
    after(async () => t?.close());

    it('fails the message at once with an error naming the mapping file, the field and the document', async () => {
      const order = goldenFixtures(['ubl-order']).find((f) => f.bytes.includes('SellersItemIdentification'))!;
      // Items the cross-reference tables do not know: every item identifier and name is replaced.
      const unknown = order.bytes
        .toString('utf8')
        .replace(/(<cac:(?:Sellers|Buyers|Standard)ItemIdentification>\s*<cbc:ID[^>]*>)[^<]*/g, '$1NO-SUCH-ITEM-4711')
        .replace(/(<cbc:Name>)[^<]*/g, '$1No such thing');
      const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: unknown });
      expect(posted.status).to.equal(202);
      const failed = await waitForStatus(t, posted.body.id);
      expect(failed.status).to.equal('failed');
      expect(failed.error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
      expect(failed.error.message).to.contain('mappings/ubl-order.yaml');
      expect(failed.error.message).to.match(/lines\[\d+\]\.sku/);
      expect(failed.error.message).to.contain(posted.body.documentNumber);
      expect(failed.error.message).not.to.match(/\bat .*\.js:\d+/);
      expect(failed.history.filter((h: any) => h.step === 'transform')).to.have.length(1);
      // Not retried: the job itself fails on its first attempt (a retry would run the step again, only to find
      // the message failed, and leave the job completed after pipeline.attempts tries).
      const job = await waitFor(async () => {
        const j = await t.hub.queues.transform.getJob(posted.body.id);
        const state = await j?.getState();
        return state === 'failed' || state === 'completed' ? { state, attemptsMade: j!.attemptsMade } : undefined;
      }, 'the transform job to settle');
      expect(job).to.deep.equal({ state: 'failed', attemptsMade: 1 });
      // The partner learns what is wrong (the field, the item), never the hub's file names.
      const own = await call(t.url, 'GET', `/v1/documents/${posted.body.id}`, { key: t.keys.partners.acme });
      expect(own.body.error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
      expect(own.body.error.message).to.match(/lines\[\d+\]\.sku/);
      expect(JSON.stringify(own.body)).not.to.match(/mappings\/|config\/xref|\.ya?ml|\.csv|\/work\/|\/tmp\//);
    });
  });
});
