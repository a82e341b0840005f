/**
 * The three-way match of a purchase through the real hub (HTTP, PostgreSQL, Redis, the workers): the ERP hands
 * over a purchase order (POST /v1/erp/documents), globex, the supplier, answers with the OASIS UBL 2.0 examples
 * that belong together (fixtures/ubl-despatch-advice/ubl-despatch-advice-2.0-example.xml: 90 KGM of beeswax
 * against order AEG012345 line 1; fixtures/ubl-invoice/ubl-invoice-2.0-example.xml: 100 KGM at 1.00 GBP;
 * fixtures/ubl-credit-note/ubl-credit-note-2.0-example.xml, crediting that invoice; origins in each SOURCES.md).
 * The purchase is AEG012345, the number they name; for the other purchases the test re-addresses them (order
 * number, their own numbers, and the quantity or price the case needs), as noted where it does.
 * Received is what the ERP booked: the shipment notice counts once the ERP acknowledged its inventory message.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { call, ROOT, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { BEESWAX, handOver, purchaseOrder } from '../helpers/outbound.js';

const fixture = (folder: string, name: string) => readFileSync(path.join(ROOT, 'fixtures', folder, name), 'utf8');
const DESPATCH = fixture('ubl-despatch-advice', 'ubl-despatch-advice-2.0-example.xml');
const INVOICE = fixture('ubl-invoice', 'ubl-invoice-2.0-example.xml');
const CREDIT_NOTE = fixture('ubl-credit-note', 'ubl-credit-note-2.0-example.xml');

/** One edit of a fixture that must hit: a replacement that finds nothing would leave the test proving nothing. */
function edit(text: string, edits: Array<[string, string]>): string {
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`fixture edit: ${from} not found`);
    text = text.replaceAll(from, to);
  }
  return text;
}

describe('Three-way match: our purchase, the supplier\'s despatch advice and invoice, the ERP\'s receipt', function () {
  this.timeout(120_000);
  let t: TestHub;
  before(async () => {
    // 2 % on prices; quantities exact.
    t = await startTestHub({ configure: (c) => (c.chains = { tolerance: { quantityPercent: 0, pricePercent: 2 } }) });
  });
  after(async () => {
    await t?.close();
  });

  /** Our purchase as the ERP hands it over: SELF buying beeswax (SKU-10013, globex's 17589683) at 1.00 GBP from VEND-GLOBEX. */
  const purchase = async (number: string, quantity: number) => {
    const id = await handOver(t, purchaseOrder(number, { currency: 'GBP', lines: [{ ...BEESWAX, quantity, price: 1 }] }), `purchase.purchase,${number}`);
    expect((await waitForStatus(t, id)).status).to.equal('delivered');
    return id;
  };
  const supplierPosts = async (xml: string) => {
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: Buffer.from(xml) });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const done = await waitForStatus(t, r.body.id);
    expect(done.status, JSON.stringify(done.error)).to.equal('delivered');
    return r.body.id as string;
  };
  /** The ERP books the shipment notice: it fetches its inventory messages and acknowledges the notice's. */
  const erpReceives = async (shipNoticeId: string) => {
    const pulled = await call(t.url, 'GET', '/v1/erp/messages?module=inventory&limit=500', { key: t.keys.erp });
    const mine = (pulled.body.messages as Array<{ id: string; documentId: string }>).find((m) => m.documentId === shipNoticeId);
    expect(mine, 'the shipment notice in the inventory outbox').to.not.equal(undefined);
    expect((await call(t.url, 'POST', `/v1/erp/messages/${mine!.id}/ack`, { key: t.keys.erp })).status).to.equal(200);
  };
  const chainOf = async (id: string) => {
    const r = await call(t.url, 'GET', `/v1/ops/chains/${id}`, { key: t.keys.ops });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body;
  };
  const figures = (line: any) => ({ ordered: line.ordered, shipped: line.shipped, received: line.received, invoiced: line.invoiced, credited: line.credited });

  it('shows ordered, shipped, received and invoiced side by side; flags an invoice beyond what the ERP received; a credit note brings it to matched', async () => {
    const order = await purchase('AEG012345', 100);
    const despatch = await supplierPosts(DESPATCH);

    let chain = await chainOf(order);
    expect(chain.kind).to.equal('purchase');
    expect(chain.shipNotices.map((d: any) => d.id)).to.deep.equal([despatch]);
    expect(figures(chain.lines[0])).to.deep.equal({ ordered: 100, shipped: 90, received: 0, invoiced: 0, credited: 0 });
    // Routed to inventory through the outbox (the ERP has not acknowledged it yet) and the archive (written).
    const receipt = chain.threeWayMatch.receipts[0];
    expect(receipt).to.include({ shipNoticeId: despatch, documentNumber: '565899', state: 'awaiting-receipt' });
    expect(receipt.targets.map((x: any) => [x.adapter, x.by, x.booked]).sort()).to.deep.equal([['archive', 'delivery', true], ['outbox', 'outbox-acknowledgement', false]]);
    expect(chain.flags).to.include('awaiting-receipt').and.not.include('three-way-mismatch');
    expect(chain.threeWayMatch).to.include({ status: 'open', currency: 'GBP' });
    expect(chain.threeWayMatch.tolerance).to.deep.equal({ quantityPercent: 0, pricePercent: 2 });

    // The invoice bills 100 before anything is received: not to be paid yet.
    const invoice = await supplierPosts(INVOICE);
    chain = await chainOf(order);
    expect(chain.invoices.map((d: any) => d.id)).to.deep.equal([invoice]);
    expect(chain.lines[0].flags).to.include('invoiced-more-than-received');
    expect(chain.lines[0].match).to.equal('flagged');
    expect(chain.flags).to.include('three-way-mismatch');

    // The ERP books the 90: received; the invoice still bills 10 more than that (and no more than ordered).
    await erpReceives(despatch);
    chain = await chainOf(order);
    expect(chain.threeWayMatch.receipts[0].state).to.equal('received');
    expect(chain.flags).to.not.include('awaiting-receipt');
    expect(figures(chain.lines[0])).to.deep.equal({ ordered: 100, shipped: 90, received: 90, invoiced: 100, credited: 0 });
    expect(chain.lines[0].flags).to.include('invoiced-more-than-received').and.not.include('invoiced-more-than-ordered');
    expect(chain.lines[0].priceFlags).to.deep.equal([]);
    expect(chain.threeWayMatch.status).to.equal('flagged');

    // The supplier credits 10 of it (the credit note re-addressed to 10 KGM): 100 - 10 = 90 received, at the
    // ordered price: matched. The credit note names no order line: it is put on the line by its SKU.
    const credit = await supplierPosts(edit(CREDIT_NOTE, [['<cbc:CreditedQuantity unitCode="KGM">100<', '<cbc:CreditedQuantity unitCode="KGM">10<']]));
    chain = await chainOf(order);
    expect(chain.threeWayMatch.creditNotes.map((d: any) => d.id)).to.deep.equal([credit]);
    expect(figures(chain.lines[0])).to.deep.equal({ ordered: 100, shipped: 90, received: 90, invoiced: 90, credited: 10 });
    expect(chain.lines[0].invoiceLines.map((l: any) => [l.documentType, l.documentNumber, l.quantity, l.price, l.matchedBy])).to.deep.equal([
      ['Invoice', 'A00095678', 100, 1, 'line-reference'],
      ['CreditNote', 'CN758494', 10, 1, 'sku'],
    ]);
    expect(chain.lines[0].match).to.equal('matched');
    expect(chain.threeWayMatch.status).to.equal('matched');
    expect(chain.flags).to.not.include.members(['three-way-mismatch', 'prices-differ']);
    // Back-ordered 10 stay visible to procurement; they are no disagreement of the invoice.
    expect(chain.lines[0].flags).to.deep.equal(['short-shipped']);

    // The same chain from each of its documents, and by number and partner.
    for (const id of [despatch, invoice, credit]) expect(await chainOf(id)).to.deep.equal(chain);
    const byNumber = await call(t.url, 'GET', '/v1/ops/chains?order=AEG012345&partner=globex', { key: t.keys.ops });
    expect(byNumber.body).to.deep.equal(chain);
  });

  /** A purchase of 90 with its despatch advice (received) and an invoice of 90 at `price`, all re-addressed to `number`. */
  const pricedChain = async (number: string, price: string) => {
    const order = await purchase(number, 90);
    const despatch = await supplierPosts(edit(DESPATCH, [['AEG012345', number], ['<cbc:ID>565899</cbc:ID>', `<cbc:ID>D-${number}</cbc:ID>`]]));
    await erpReceives(despatch);
    await supplierPosts(
      edit(INVOICE, [
        ['AEG012345', number],
        ['<cbc:ID>A00095678</cbc:ID>', `<cbc:ID>I-${number}</cbc:ID>`],
        ['<cbc:InvoicedQuantity unitCode="KGM">100<', '<cbc:InvoicedQuantity unitCode="KGM">90<'],
        ['<cbc:PriceAmount currencyID="GBP">1.00<', `<cbc:PriceAmount currencyID="GBP">${price}<`],
      ]),
    );
    return chainOf(order);
  };

  it('flags an invoice whose price is above the ordered one beyond the tolerance, and not one within it', async () => {
    const beyond = await pricedChain('PO-PRICE-105', '1.05');
    expect(figures(beyond.lines[0])).to.deep.equal({ ordered: 90, shipped: 90, received: 90, invoiced: 90, credited: 0 });
    expect(beyond.lines[0].prices).to.deep.equal({ ordered: 1, invoiced: [1.05] });
    expect(beyond.lines[0].priceFlags).to.deep.equal(['invoiced-price-above-ordered']);
    expect(beyond.lines[0].invoiceLines[0].flags).to.deep.equal(['invoiced-price-above-ordered']);
    expect(beyond.lines[0].flags).to.deep.equal([]);
    expect(beyond.lines[0].match).to.equal('flagged');
    expect(beyond.flags).to.include.members(['prices-differ', 'three-way-mismatch']);

    const within = await pricedChain('PO-PRICE-101', '1.01');
    expect(within.lines[0].prices).to.deep.equal({ ordered: 1, invoiced: [1.01] });
    expect(within.lines[0].priceFlags).to.deep.equal([]);
    expect(within.lines[0].match).to.equal('matched');
    expect(within.threeWayMatch.status).to.equal('matched');
    expect(within.flags).to.deep.equal([]);
  });

  it('a customer\'s order keeps its chain as before: no three-way match, lines matched by order line only', async () => {
    const order = readFileSync(path.join(ROOT, 'fixtures/ubl-order/peppol-order-example.xml'));
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitForStatus(t, r.body.id);
    const chain = await chainOf(r.body.id);
    expect(chain.kind).to.equal('customer-order');
    expect(chain).to.not.have.property('threeWayMatch');
    expect(chain.lines.every((l: any) => !('received' in l) && !('match' in l))).to.equal(true);
  });
});
