import { expect } from 'chai';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { goldenFixtures } from '../helpers/fixtures.js';

describe('intake: rejections, duplicates and tracking', function () {
  this.timeout(60_000);
  let t: TestHub;
  const order = () => goldenFixtures(['ubl-order'])[0]!;
  const invoice = () => goldenFixtures(['ubl-invoice'])[0]!;
  before(async () => {
    t = await startTestHub({ configure: (c) => (c.server.bodyLimitBytes = 64 * 1024) });
  });
  after(async () => t?.close());

  const post = (body: string | Buffer, key: string | undefined, contentType = 'application/xml') => call(t.url, 'POST', '/v1/documents', { key, body, contentType });

  it('401 without a key or with an unknown key, as problem+json', async () => {
    for (const key of [undefined, 'hub_partner_not-a-real-key']) {
      const r = await post(order().bytes, key);
      expect(r.status).to.equal(401);
      expect(r.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(r.body.code).to.equal('HUB_ERR_UNAUTHENTICATED');
    }
  });

  it('403 when an ERP or ops key posts a document', async () => {
    const r = await post(order().bytes, t.keys.erp);
    expect(r.status).to.equal(403);
    expect(r.body.code).to.equal('HUB_ERR_FORBIDDEN');
  });

  it('415 for a body that is not declared as XML', async () => {
    const r = await post(order().bytes, t.keys.partners.acme, 'application/json');
    expect(r.status).to.equal(415);
    expect(r.body.code).to.equal('HUB_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('413 above the size limit', async () => {
    const big = `<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><!--${'x'.repeat(70 * 1024)}--></Order>`;
    const r = await post(big, t.keys.partners.acme);
    expect(r.status).to.equal(413);
    expect(r.body.code).to.equal('HUB_ERR_PAYLOAD_TOO_LARGE');
  });

  it('400 for malformed XML, with the line', async () => {
    const r = await post('<?xml version="1.0"?>\n<Order>\n  <ID>1</Order>', t.keys.partners.acme);
    expect(r.status).to.equal(400);
    expect(r.body.code).to.equal('HUB_ERR_XML_MALFORMED');
    expect(r.body.errors[0].line).to.equal(3);
  });

  it('400 for an empty body', async () => {
    const r = await post('', t.keys.partners.acme);
    expect(r.status).to.equal(400);
    expect(r.body.code).to.equal('HUB_ERR_XML_MALFORMED');
  });

  it('400 for DOCTYPE and entity declarations (billion laughs), before any parser expands them', async () => {
    const laughs = `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n<lolz>&lol2;</lolz>`;
    const r = await post(laughs, t.keys.partners.acme);
    expect(r.status).to.equal(400);
    expect(r.body.code).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
    expect(r.body.errors[0].line).to.equal(2);
  });

  it('422 when the root element is not a type the partner may send', async () => {
    const r = await post(invoice().bytes, t.keys.partners.acme);
    expect(r.status).to.equal(422);
    expect(r.body.code).to.equal('HUB_ERR_DOCUMENT_TYPE_UNKNOWN');
    expect(r.body.detail).to.contain('ubl-order');
  });

  it('never leaks a stack trace', async () => {
    const r = await post('<a', t.keys.partners.acme);
    expect(JSON.stringify(r.body)).not.to.match(/\bat .*\.js:\d+/);
  });

  it('answers a repeated document (same bytes) with 200, duplicate: true and the original id', async () => {
    const first = await post(order().bytes, t.keys.partners.acme);
    expect(first.status).to.equal(202);
    const again = await post(order().bytes, t.keys.partners.acme);
    expect(again.status).to.equal(200);
    expect(again.body.duplicate).to.equal(true);
    expect(again.body.id).to.equal(first.body.id);
  });

  it('answers the same document number with different bytes as a duplicate, processed once', async () => {
    const fixture = goldenFixtures(['ubl-order'])[1]!;
    const first = await post(fixture.bytes, t.keys.partners.acme);
    expect(first.status).to.equal(202);
    const reformatted = Buffer.concat([fixture.bytes, Buffer.from('\n\n')]);
    const again = await post(reformatted, t.keys.partners.acme);
    expect(again.status).to.equal(200);
    expect(again.body).to.include({ duplicate: true, id: first.body.id });
    await waitForStatus(t, first.body.id);
    const list = await call(t.url, 'GET', `/v1/ops/messages?partner=acme&documentNumber=${encodeURIComponent(first.body.documentNumber)}`, { key: t.keys.ops });
    expect(list.body.count).to.equal(1);
  });

  it('knows a real re-sent invoice with other namespace prefixes (UBL NS1 and NS2 examples) as the same document', async () => {
    const [ns1, ns2] = ['ubl-invoice-2.0-example-ns1.xml', 'ubl-invoice-2.0-example-ns2.xml'].map((name) => goldenFixtures(['ubl-invoice']).find((f) => f.name === name)!);
    expect(ns1!.bytes.equals(ns2!.bytes)).to.equal(false);
    const first = await post(ns1!.bytes, t.keys.partners.globex);
    expect(first.status).to.equal(202);
    const second = await post(ns2!.bytes, t.keys.partners.globex);
    expect(second.status).to.equal(200);
    expect(second.body).to.include({ duplicate: true, id: first.body.id });
  });

  it('refuses the same number with other content (two real PEPPOL orders numbered 1) with 409 naming the original, and stores the refusal', async () => {
    const [uc1, uc2] = ['peppol-order-uc1.xml', 'peppol-order-uc2.xml'].map((name) => goldenFixtures(['ubl-order']).find((f) => f.name === name)!);
    // The first may already be in from the test above (it posts fixture 1 = UC1): either way it is the original.
    const first = await post(uc1!.bytes, t.keys.partners.acme);
    expect(first.status).to.be.oneOf([200, 202]);
    const conflict = await post(uc2!.bytes, t.keys.partners.acme);
    expect(conflict.status).to.equal(409);
    expect(conflict.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(conflict.body).to.include({ code: 'HUB_ERR_DOCUMENT_CONFLICT', originalId: first.body.id });
    expect(conflict.body.detail).to.contain(first.body.id).and.to.match(/order change|new number/);
    expect(conflict.body.links.original).to.equal(`/v1/documents/${first.body.id}`);
    const refusals = await call(t.url, 'GET', `/v1/ops/refusals?code=HUB_ERR_DOCUMENT_CONFLICT&partner=acme`, { key: t.keys.ops });
    expect(refusals.status).to.equal(200);
    const refusal = refusals.body.refusals.find((r: any) => r.originalId === first.body.id);
    expect(refusal).to.include({ httpStatus: 409, documentType: 'Order', documentNumber: '1', format: 'ubl-order', size: uc2!.bytes.length });
    const raw = await fetch(`${t.url}${refusal.links.raw}`, { headers: { authorization: `Bearer ${t.keys.ops}` } });
    expect(Buffer.from(await raw.arrayBuffer()).equals(uc2!.bytes)).to.equal(true);
    // Findable by the number, and by the original's id.
    const byNumber = await call(t.url, 'GET', `/v1/ops/refusals?q=1&partner=acme`, { key: t.keys.ops });
    expect(byNumber.body.refusals.map((r: any) => r.id)).to.include(refusal.id);
    const byOriginal = await call(t.url, 'GET', `/v1/ops/refusals?q=${first.body.id}`, { key: t.keys.ops });
    expect(byOriginal.body.refusals.map((r: any) => r.id)).to.deep.equal([refusal.id]);
    // Nothing of the refused one reached the pipeline: one message with that number.
    const messages = await call(t.url, 'GET', `/v1/ops/messages?partner=acme&documentNumber=1`, { key: t.keys.ops });
    expect(messages.body.messages.map((m: any) => m.id)).to.deep.equal([first.body.id]);
  });

  it('lets a partner track its own document with a timestamped history, and hides it from others', async () => {
    const fixture = goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-uc3.xml')!;
    const posted = await post(fixture.bytes, t.keys.partners.acme);
    await waitForStatus(t, posted.body.id);
    const own = await call(t.url, 'GET', `/v1/documents/${posted.body.id}`, { key: t.keys.partners.acme });
    expect(own.status).to.equal(200);
    expect(own.body.status).to.equal('delivered');
    const steps = own.body.history.map((h: any) => h.step);
    expect(steps[0]).to.equal('accepted');
    expect(steps).to.include.members(['transform', 'mapped', 'routed', 'delivered', 'complete']);
    for (const h of own.body.history) expect(Date.parse(h.at)).to.be.a('number').and.not.NaN;
    const other = await call(t.url, 'GET', `/v1/documents/${posted.body.id}`, { key: t.keys.partners.globex });
    expect(other.status).to.equal(404);
  });

  it('filters ops listings by partner, type, status and document number', async () => {
    const inv = goldenFixtures(['ubl-invoice']).find((f) => f.name === 'peppol-billing-norwegian-example-1.xml')!;
    const posted = await post(inv.bytes, t.keys.partners.globex);
    await waitForStatus(t, posted.body.id);
    const byType = await call(t.url, 'GET', '/v1/ops/messages?type=Invoice&documentNumber=TOSL108', { key: t.keys.ops });
    expect(byType.body.messages.map((m: any) => m.id)).to.deep.equal([posted.body.id]);
    const byPartner = await call(t.url, 'GET', '/v1/ops/messages?partner=globex&status=delivered&type=Invoice', { key: t.keys.ops });
    expect(byPartner.body.messages.map((m: any) => m.id)).to.include(posted.body.id);
    expect(byPartner.body.messages.every((m: any) => m.partner === 'globex' && m.status === 'delivered' && m.documentType === 'Invoice')).to.equal(true);
    const none = await call(t.url, 'GET', '/v1/ops/messages?partner=globex&status=failed', { key: t.keys.ops });
    expect(none.body.count).to.equal(0);
    const bad = await call(t.url, 'GET', '/v1/ops/messages?status=lost', { key: t.keys.ops });
    expect(bad.status).to.equal(400);
    const asPartner = await call(t.url, 'GET', '/v1/ops/messages', { key: t.keys.partners.globex });
    expect(asPartner.status).to.equal(403);
  });

  it('reports health and readiness', async () => {
    expect((await call(t.url, 'GET', '/healthz')).status).to.equal(200);
    expect((await call(t.url, 'GET', '/readyz')).status).to.equal(401);
    const ready = await call(t.url, 'GET', '/readyz', { key: t.keys.ops });
    expect(ready.status).to.equal(200);
    expect(ready.body.checks.redis).to.equal('ok');
    expect(ready.body.checks.postgres).to.equal('ok');
    // Adapters with a health check are asked (the outbox checks its table), reported beside the checks.
    expect(ready.body.adapters.outbox).to.equal('ok');
    expect(ready.body.checks.schemas).to.match(/^ok \(\d+ compiled\)$/);
  });
});
