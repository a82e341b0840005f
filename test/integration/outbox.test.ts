import { expect } from 'chai';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { goldenFixtures } from '../helpers/fixtures.js';

describe('outbox: the ERP pulls, acknowledges, and gets unacknowledged messages again', function () {
  this.timeout(60_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ configure: (c) => (c.adapters.outbox.options.visibilityTimeoutSeconds = 1) });
  });
  after(async () => t?.close());

  it('fetch leases, an unacknowledged message comes back after the visibility timeout, ack removes it', async () => {
    const order = goldenFixtures(['ubl-order'])[0]!;
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order.bytes });
    await waitForStatus(t, posted.body.id);

    const first = await call(t.url, 'GET', '/v1/erp/messages?module=sales&limit=10', { key: t.keys.erp });
    expect(first.status).to.equal(200);
    expect(first.body.messages).to.have.length(1);
    const message = first.body.messages[0];
    expect(message).to.include({ documentId: posted.body.id, type: 'Order', module: 'sales', deliveryCount: 1, id: `${posted.body.id}.sales` });
    expect(message.canonical.documentNumber).to.equal(posted.body.documentNumber);

    const whileLeased = await call(t.url, 'GET', '/v1/erp/messages?module=sales', { key: t.keys.erp });
    expect(whileLeased.body.messages).to.have.length(0);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await call(t.url, 'GET', '/v1/erp/messages?module=sales', { key: t.keys.erp });
    expect(again.body.messages.map((m: any) => [m.id, m.deliveryCount])).to.deep.equal([[message.id, 2]]);

    const ack = await call(t.url, 'POST', `/v1/erp/messages/${message.id}/ack`, { key: t.keys.erp });
    expect(ack.status).to.equal(200);
    expect(ack.body).to.deep.equal({ id: message.id, acknowledged: true });
    const ackAgain = await call(t.url, 'POST', `/v1/erp/messages/${message.id}/ack`, { key: t.keys.erp });
    expect(ackAgain.status).to.equal(404);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await call(t.url, 'GET', '/v1/erp/messages?module=sales', { key: t.keys.erp });
    expect(after.body.messages).to.have.length(0);
    // The inventory copy of the same order is independent of the sales one.
    const inventory = await call(t.url, 'GET', '/v1/erp/messages?module=inventory', { key: t.keys.erp });
    expect(inventory.body.messages.map((m: any) => m.id)).to.deep.equal([`${posted.body.id}.inventory`]);
  });

  it('refuses bad parameters and the wrong role', async () => {
    expect((await call(t.url, 'GET', '/v1/erp/messages?module=hr', { key: t.keys.erp })).status).to.equal(400);
    expect((await call(t.url, 'GET', '/v1/erp/messages?module=sales&limit=0', { key: t.keys.erp })).status).to.equal(400);
    expect((await call(t.url, 'GET', '/v1/erp/messages?module=sales', { key: t.keys.partners.acme })).status).to.equal(403);
    expect((await call(t.url, 'GET', '/v1/erp/messages?module=sales')).status).to.equal(401);
  });

  it('an acknowledged message is not put back by a late duplicate delivery', async () => {
    const outbox = t.hub.adapters.get('outbox')!.adapter;
    const order = goldenFixtures(['ubl-order'])[1]!;
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order.bytes });
    await waitForStatus(t, posted.body.id);
    const fetched = await call(t.url, 'GET', '/v1/erp/messages?module=sales', { key: t.keys.erp });
    const id = fetched.body.messages[0].id;
    await call(t.url, 'POST', `/v1/erp/messages/${id}/ack`, { key: t.keys.erp });
    const canonical = fetched.body.messages[0].canonical;
    await outbox.deliver(canonical, { idempotencyKey: `${posted.body.id}:outbox`, messageId: posted.body.id, partner: 'acme', modules: ['sales'], signal: new AbortController().signal });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await call(t.url, 'GET', '/v1/erp/messages?module=sales', { key: t.keys.erp });
    expect(after.body.messages).to.have.length(0);
  });
});
