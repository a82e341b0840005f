/**
 * Outbound through the real hub (HTTP, PostgreSQL, Redis, the workers): the ERP hands a purchase order over
 * (POST /v1/erp/documents), the hub builds it as a UBL 2.1 Order with the supplier's item numbers, checks it
 * against the XSD and puts it in the supplier's mailbox, once; the ERP's id makes the hand-over idempotent; what
 * cannot be sent (no partner, a missing cross-reference, an invalid canonical document) is refused or failed
 * with the reason and nothing reaches the partner.
 */
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../src/mapping/paths.js';
import { parseUntrustedXml } from '../../src/xml/safe-parse.js';
import { XsdCache } from '../../src/xml/xsd-cache.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { purchaseOrder, unique } from '../helpers/outbound.js';

const UBL_ORDER_XSD = path.join(projectRoot(), 'schemas/ubl-2.1/maindoc/UBL-Order-2.1.xsd');
describe('Outbound: the ERP hands over a purchase order, the supplier gets a UBL Order', function () {
  this.timeout(120_000);
  let t: TestHub;
  const xsd = new XsdCache();
  before(async () => {
    t = await startTestHub();
    xsd.compile([UBL_ORDER_XSD]);
  });
  after(async () => {
    xsd.dispose();
    await t?.close();
  });

  const handOver = (body: unknown) => call(t.url, 'POST', '/v1/erp/documents', { key: t.keys.erp, body: JSON.stringify(body), contentType: 'application/json' });
  const mailboxRows = async (number: string) => (await t.hub.db.query<{ n: number }>("SELECT count(*)::int AS n FROM partner_mailbox WHERE partner = 'globex' AND document_number = $1", [number])).rows[0]!.n;
  const mailbox = async () => (await call(t.url, 'GET', '/v1/partner/messages?limit=100', { key: t.keys.partners.globex })).body.messages as any[];

  it('reaches the supplier\'s mailbox as a UBL 2.1 Order valid against the XSD, with its item numbers; once, however often the ERP hands it over', async () => {
    const number = `PO-${unique()}`;
    const documentId = `purchase.purchase,${unique()}`;
    const r = await handOver({ documentId, document: purchaseOrder(number) });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.body).to.include({ partner: 'globex', format: 'ubl-order', state: 'queued', duplicate: false });
    const message = await waitForStatus(t, r.body.messageId);
    expect(message.status, JSON.stringify(message.history)).to.equal('delivered');

    const mine = (await mailbox()).filter((m) => m.documentNumber === number);
    expect(mine).to.have.length(1);
    expect(mine[0]).to.include({ kind: 'document', documentType: 'Order', contentType: 'application/xml' });
    const doc = parseUntrustedXml(Buffer.from(mine[0].document));
    try {
      expect(() => xsd.validate(UBL_ORDER_XSD, doc, 'order in the mailbox')).to.not.throw();
      const ns = { cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2', cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2' };
      expect(doc.find('//cac:SellersItemIdentification/cbc:ID', ns).map((n) => n.content)).to.deep.equal(['17589683']);
      expect(doc.get('/*/cbc:ID', ns)?.content).to.equal(number);
    } finally {
      doc.dispose();
    }

    // The ERP follows it: sent, its acknowledgement pending until globex acknowledges the mailbox message; then acknowledged.
    const state = async () => (await call(t.url, 'GET', `/v1/erp/documents/${r.body.messageId}`, { key: t.keys.erp })).body;
    expect(await state()).to.include({ state: 'sent' });
    expect((await state()).acknowledgement).to.include({ expected: 'http', status: 'pending' });
    expect((await call(t.url, 'POST', `/v1/partner/messages/${mine[0].id}/ack`, { key: t.keys.partners.globex })).status).to.equal(200);
    expect(await state()).to.include({ state: 'acknowledged' });
    expect((await state()).acknowledgement).to.include({ expected: 'http', status: 'accepted' });

    // The same hand-over again: the same message, nothing new for the partner.
    const again = await handOver({ documentId, document: purchaseOrder(number) });
    expect(again.status).to.equal(200);
    expect(again.body).to.include({ messageId: r.body.messageId, duplicate: true });
    // The same ERP id with other content: refused, the first stays.
    const changed = purchaseOrder(number);
    changed.lines[0]!.quantity = 41;
    const conflict = await handOver({ documentId, document: changed });
    expect(conflict.status).to.equal(409);
    expect(conflict.body.code).to.equal('HUB_ERR_DOCUMENT_CONFLICT');
    // (A fetch leases what it hands out, so the mailbox's rows are counted in PostgreSQL.)
    expect(await mailboxRows(number)).to.equal(1);
  });

  it('refuses what it cannot send, saying why: an invalid canonical document, a counterparty no partner is cross-referenced to', async () => {
    const bad = purchaseOrder(`PO-${unique()}`);
    delete (bad.lines[0] as Partial<(typeof bad.lines)[number]>).sku;
    const invalid = await handOver({ documentId: `x-${unique()}`, document: bad });
    expect(invalid.status).to.equal(422);
    expect(invalid.body.code).to.equal('HUB_ERR_CANONICAL_INVALID');
    expect(invalid.body.errors).to.deep.include({ path: 'lines[0].sku', message: 'is required but missing' });

    const nobody = { ...purchaseOrder(`PO-${unique()}`), seller: { internalId: 'VEND-NOBODY', partyIds: [] } };
    const unknown = await handOver({ documentId: `x-${unique()}`, document: nobody });
    expect(unknown.status).to.equal(422);
    expect(unknown.body.code).to.equal('HUB_ERR_OUTBOUND_PARTNER');
    expect(unknown.body.detail).to.contain('no partner sent Order documents is cross-referenced to its seller VEND-NOBODY');

    const noId = await handOver({ document: purchaseOrder(`PO-${unique()}`) });
    expect(noId.status).to.equal(400);
    expect(noId.body.detail).to.contain('documentId');
    const noKey = await call(t.url, 'POST', '/v1/erp/documents', { key: t.keys.partners.globex, body: '{}', contentType: 'application/json' });
    expect(noKey.status).to.equal(403);
  });

  it('a document the supplier has no item number for fails with every missing cross-reference named, and is never sent', async () => {
    const number = `PO-${unique()}`;
    const r = await handOver({ documentId: `x-${unique()}`, document: purchaseOrder(number, { lines: [
      { lineNumber: '1', sku: 'SKU-NOT-AT-GLOBEX-1', description: 'x', quantity: 1, unitCode: 'C62', price: 1 },
      { lineNumber: '2', sku: 'SKU-NOT-AT-GLOBEX-2', description: 'y', quantity: 1, unitCode: 'C62', price: 1 },
    ] }) });
    expect(r.status).to.equal(202);
    const message = await waitForStatus(t, r.body.messageId);
    expect(message.status).to.equal('failed');
    expect(message.error.code).to.equal('HUB_ERR_LOOKUP_MISSING');
    expect(message.error.message).to.contain('2 cross-references missing for partner globex');
    expect(await mailboxRows(number)).to.equal(0);
    const failed = await call(t.url, 'GET', '/v1/ops/outbound?state=failed&partner=globex', { key: t.keys.ops });
    expect(failed.body.documents.map((d: any) => d.messageId)).to.include(r.body.messageId);
    expect((await call(t.url, 'GET', '/v1/ops/outbound?state=maybe', { key: t.keys.ops })).status).to.equal(400);
  });
});
