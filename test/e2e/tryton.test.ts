/**
 * Issue 4 end to end: a real Tryton 6.0 (scripts/erp, started here if it is not running) and a real hub,
 * documents posted over HTTP, Tryton's state read back through its own JSON-RPC API. Skipped only when Tryton
 * cannot be installed on this machine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/main.js';
import trytonDefinition from '../../adapters/tryton/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { call, REDIS_URL, ROOT, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { ensureTryton, startTryton, stopTryton, trytonAdapterConfig, TrytonProbe, TRYTON_DATABASE, TRYTON_PASSWORD_FILE, TRYTON_URL } from '../helpers/tryton.js';

const fixture = (format: string, name: string) => readFileSync(path.join(FIXTURES, format, name), 'utf8');
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

describe('e2e: Tryton ERP (sales, procurement, inventory, finance)', function () {
  this.timeout(240_000);
  let t: TestHub;
  let probe: TrytonProbe;
  let startedHere = false;

  before(async function () {
    const ready = ensureTryton();
    startedHere = ready.started === true;
    if (ready.skip) {
      console.log(`      skipped: ${ready.skip}`);
      this.skip();
    }
    probe = new TrytonProbe();
    t = await startTestHub({
      configure: (config) => {
        // Tryton beside the outbox and the archive: every route reaches all three.
        config.adapters.tryton = trytonAdapterConfig();
        // Enough attempts to outlast a Tryton restart (backoff 250 ms doubling: ~60 s in all).
        config.pipeline = { ...config.pipeline, attempts: 9, backoffMs: 250 };
      },
    });
  });

  after(async () => {
    await t?.close();
    // Leave the machine as found: a Tryton this suite started is stopped again.
    if (startedHere) stopTryton();
  });

  async function post(partner: string, body: string): Promise<string> {
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    return r.body.id as string;
  }

  const sales = (id: string) => probe.search('sale.sale', [['description', '=', `hub:${id}`]], ['state', 'reference', 'party', 'lines', 'shipments', 'currency']);
  const shipmentsIn = (id: string) => probe.search('stock.shipment.in', [['reference', 'like', `%(hub:${id})`]], ['state', 'reference', 'moves', 'supplier']);
  const supplierInvoices = (id: string) => probe.search('account.invoice', [['type', '=', 'in'], ['description', '=', `hub:${id}`]], ['state', 'reference', 'total_amount', 'lines', 'currency']);

  const posted: Record<string, { partner: string; body: string; id: string }> = {};

  it("a customer's UBL order creates one confirmed sale, and it is timed from POST to confirmed", async () => {
    const body = fixture('ubl-order', 'peppol-order-uc1.xml');
    const started = performance.now();
    const id = await post('acme', body);
    const [sale] = await waitFor(async () => {
      const found = await sales(id);
      return found.length && ['confirmed', 'processing'].includes(found[0]!.state) ? found : undefined;
    }, 'a confirmed sale', 30_000);
    const elapsed = performance.now() - started;
    console.log(`      POST -> confirmed Tryton sale: ${elapsed.toFixed(0)} ms`);
    posted.order = { partner: 'acme', body, id };
    await waitForStatus(t, id, ['delivered'], 30_000);

    const found = await sales(id);
    expect(found).to.have.length(1);
    expect(found[0]!.state).to.equal('processing');
    expect(sale!.reference).to.equal('1');
    expect(sale!.party).to.equal(await probe.id('party.party', [['code', '=', 'CUST-ACME']]));
    expect(sale!.currency).to.equal(await probe.id('currency.currency', [['code', '=', 'EUR']]));
    const lines = await probe.search<{ product: number; quantity: number; unit_price: string }>('sale.line', [['sale', '=', sale!.id]], ['product', 'quantity', 'unit_price']);
    const expected = [['SKU-10003', 10, '4'], ['SKU-10004', 5, '6'], ['SKU-10005', 15, '3']] as const;
    expect(lines).to.have.length(3);
    for (const [index, [sku, quantity, price]] of expected.entries()) {
      expect(lines[index]!.product).to.equal(await probe.id('product.product', [['code', '=', sku]]));
      expect(lines[index]!.quantity).to.equal(quantity);
      expect(Number(lines[index]!.unit_price)).to.equal(Number(price));
    }
    // Confirmed and processed: Tryton planned a customer shipment for the goods.
    expect(found[0]!.shipments).to.have.length(1);
  });

  it("a supplier's despatch advice for an open purchase raises stock by the shipped quantities and links to the purchase", async () => {
    const purchase = await probe.createPurchase('VEND-GLOBEX', '4321', [
      { sku: 'SKU-10028', quantity: 10, price: 5 },
      { sku: 'SKU-10029', quantity: 12, price: 7 },
    ]);
    const before = { a: await probe.quantity('SKU-10028'), b: await probe.quantity('SKU-10029') };
    const body = fixture('ubl-despatch-advice', 'peppol-despatch-advice-uc1.xml');
    const id = await post('globex', body);
    posted.despatch = { partner: 'globex', body, id };
    const message = await waitForStatus(t, id, ['delivered', 'failed'], 30_000);
    expect(message.status, JSON.stringify(message.history)).to.equal('delivered');

    expect(await probe.quantity('SKU-10028')).to.equal(before.a + 10);
    expect(await probe.quantity('SKU-10029')).to.equal(before.b + 10);
    const shipments = await shipmentsIn(id);
    expect(shipments).to.have.length(1);
    expect(shipments[0]!.state).to.equal('done');
    expect(shipments[0]!.reference).to.equal(`1234 (hub:${id})`);
    const moves = await probe.search<{ purchase: number | null; quantity: number; shipment: string }>('stock.move', [['shipment', '=', `stock.shipment.in,${shipments[0]!.id}`], ['from_location.type', '=', 'supplier']], ['purchase', 'quantity', 'shipment']);
    expect(moves.map((m) => [m.purchase, m.quantity])).to.deep.equal([[purchase.id, 10], [purchase.id, 10]]);
    const [purchaseRow] = await probe.search<{ shipments: number[]; shipment_state: string }>('purchase.purchase', [['id', '=', purchase.id]], ['shipments', 'shipment_state']);
    expect(purchaseRow!.shipments).to.include(shipments[0]!.id);
  });

  it("a supplier's invoice creates one supplier invoice with the same total, linked to its purchase", async () => {
    const purchase = await probe.createPurchase('VEND-GLOBEX', 'AEG012345', [{ sku: 'SKU-10013', quantity: 100, price: 1 }], 'GBP');
    const body = fixture('ubl-invoice', 'ubl-invoice-2.0-example.xml');
    const id = await post('globex', body);
    posted.invoice = { partner: 'globex', body, id };
    const message = await waitForStatus(t, id, ['delivered', 'failed'], 30_000);
    expect(message.status, JSON.stringify(message.history)).to.equal('delivered');

    const invoices = await supplierInvoices(id);
    expect(invoices).to.have.length(1);
    expect(invoices[0]!.state).to.equal('validated');
    expect(invoices[0]!.reference).to.equal('A00095678');
    expect(Number(invoices[0]!.total_amount)).to.equal(107.5);
    expect(invoices[0]!.currency).to.equal(await probe.id('currency.currency', [['code', '=', 'GBP']]));
    const lines = await probe.search<{ origin: string | null; product: number | null }>('account.invoice.line', [['invoice', '=', invoices[0]!.id], ['product', '!=', null]], ['origin', 'product']);
    const [purchaseLine] = await probe.search<{ id: number }>('purchase.line', [['purchase', '=', purchase.id]], ['id']);
    expect(lines.map((l) => l.origin)).to.deep.equal([`purchase.line,${purchaseLine!.id}`]);
  });

  it('posting the same documents again creates nothing new, and a repeated delivery of the same message neither', async () => {
    const counts = async () => ({
      sales: (await sales(posted.order!.id)).length,
      shipments: (await shipmentsIn(posted.despatch!.id)).length,
      invoices: (await supplierInvoices(posted.invoice!.id)).length,
      quantity: await probe.quantity('SKU-10028'),
    });
    const before = await counts();
    for (const { partner, body, id } of Object.values(posted)) {
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body });
      expect(r.status).to.equal(200);
      expect(r.body).to.include({ duplicate: true, id });
    }
    // The window the hub cannot close (Tryton did the work, the hub timed out before recording it): the
    // adapter is called again with the same message id and must find what it made.
    const redis = new Redis(REDIS_URL);
    const adapter = await trytonDefinition.create({ url: TRYTON_URL, database: TRYTON_DATABASE, user: 'hub', passwordFile: TRYTON_PASSWORD_FILE, timeoutMs: 10_000, warehouse: 'WH', units: {}, taxAccount: 'Main Tax', unknownPurchaseRetrySeconds: 0 }, { name: 'tryton', logger: createLogger({ level: 'silent' }), db: t.hub.db, redis, keyPrefix: `${t.prefix}:adapter:again`, rootDir: ROOT, varDir: t.varDir, secret: () => undefined });
    try {
      for (const [key, modules] of [['order', ['sales', 'inventory']], ['despatch', ['inventory', 'procurement']], ['invoice', ['finance', 'procurement']]] as const) {
        const message = await call(t.url, 'GET', `/v1/ops/messages/${posted[key]!.id}`, { key: t.keys.ops });
        const canonical = message.body.canonical;
        expect(canonical?.type, `canonical of ${key}`).to.be.a('string');
        await adapter.deliver(canonical, { idempotencyKey: `${posted[key]!.id}:tryton`, messageId: posted[key]!.id, partner: posted[key]!.partner, modules: [...modules], signal: new AbortController().signal });
      }
    } finally {
      await adapter.close();
      redis.disconnect();
    }
    expect(await counts()).to.deep.equal(before);
  });

  it('an order entered directly in Tryton and an order arriving through the hub lower the same product stock', async () => {
    // The PO's three products in stock, so that its whole shipment can be reserved and shipped.
    await probe.receive('VEND-GLOBEX', ['SKU-10010', 'SKU-10011', 'SKU-10012'].map((sku) => ({ sku, quantity: 100 })), `stock-up ${unique()}`);
    const start = { physical: await probe.quantity('SKU-10010'), available: await probe.quantity('SKU-10010', 'available') };

    // A sales clerk enters and ships 7 in Tryton.
    const direct = await probe.createSale('CUST-INITECH', `phone order ${unique()}`, [{ sku: 'SKU-10010', quantity: 7, price: 4 }]);
    await probe.shipSale(direct);
    expect(await probe.quantity('SKU-10010')).to.equal(start.physical - 7);

    // Initech's own-format PO through the hub: 10 of the same product, confirmed and reserved.
    const body = fixture('hub-po', 'initech-waste-bags.xml').replace('<PONumber>INI-PO-5</PONumber>', `<PONumber>INI-PO-${unique()}</PONumber>`);
    const id = await post('initech', body);
    const message = await waitForStatus(t, id, ['delivered', 'failed'], 30_000);
    expect(message.status, JSON.stringify(message.history)).to.equal('delivered');
    expect(await probe.quantity('SKU-10010', 'available')).to.equal(start.available - 7 - 10);
    const [sale] = await sales(id);
    await probe.shipSale(sale!.id);
    expect(await probe.quantity('SKU-10010')).to.equal(start.physical - 17);
  });

  it('a despatch advice naming an unknown purchase fails at once with a clear reason and creates nothing', async () => {
    const reference = `NOPO-${unique()}`;
    const body = fixture('ubl-despatch-advice', 'peppol-despatch-advice-uc1.xml')
      .replace('<cbc:ID>1234</cbc:ID>', `<cbc:ID>DA-${unique()}</cbc:ID>`)
      .replace(/(<cac:OrderReference>\s*<cbc:ID>)[^<]*/, `$1${reference}`);
    const id = await post('globex', body);
    const message = await waitForStatus(t, id, ['delivered', 'failed'], 30_000);
    expect(message.status).to.equal('failed');
    expect(message.error?.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    expect(message.error?.message).to.include(`no confirmed Tryton purchase numbered or referenced "${reference}"`);
    expect(message.history.filter((h: any) => h.step === 'delivery-retry' && h.adapter === 'tryton')).to.have.length(0);
    expect(await shipmentsIn(id)).to.have.length(0);
  });

  it('an invoice whose total Tryton computes differently is rejected with both totals, not rounded', async () => {
    const body = fixture('ubl-invoice', 'ubl-invoice-2.0-example.xml')
      .replace('<cbc:ID>A00095678</cbc:ID>', `<cbc:ID>INV-${unique()}</cbc:ID>`)
      .replace('<cbc:PayableAmount currencyID="GBP">107.50</cbc:PayableAmount>', '<cbc:PayableAmount currencyID="GBP">107.51</cbc:PayableAmount>');
    const id = await post('globex', body);
    const message = await waitForStatus(t, id, ['delivered', 'failed'], 30_000);
    expect(message.status).to.equal('failed');
    const reason = String(message.error?.message);
    expect(reason).to.include('Tryton total 107.5').and.to.include("differs from the invoice's total 107.51");
    const [draft] = await supplierInvoices(id);
    expect(draft!.state).to.equal('draft');
  });

  it('while Tryton is down the order waits and retries; when it is back the order completes, once', async () => {
    stopTryton();
    expect(await fetch(TRYTON_URL).then(() => 'answers', () => 'down')).to.equal('down');
    let id: string;
    try {
      id = await post('acme', fixture('ubl-order', 'peppol-order-uc2.xml').replace('<cbc:ID>1</cbc:ID>', `<cbc:ID>PO-${unique()}</cbc:ID>`));
      await waitFor(async () => {
        const r = await call(t.url, 'GET', `/v1/ops/messages/${id}`, { key: t.keys.ops });
        const retries = r.body.history.filter((h: any) => h.step === 'delivery-retry' && h.adapter === 'tryton');
        return retries.length >= 2 ? r.body : undefined;
      }, 'two failed delivery attempts to Tryton', 30_000);
      const waiting = await call(t.url, 'GET', `/v1/ops/messages/${id}`, { key: t.keys.ops });
      expect(waiting.body.status).to.equal('processing');
      expect(JSON.stringify(waiting.body.history)).to.include('HUB_ERR_ADAPTER_UNAVAILABLE');
    } finally {
      startTryton();
    }
    const message = await waitForStatus(t, id!, ['delivered', 'failed'], 90_000);
    expect(message.status, JSON.stringify(message.history)).to.equal('delivered');
    expect(message.history.filter((h: any) => h.step === 'delivered' && h.adapter === 'tryton')).to.have.length(1);
    const found = await sales(id!);
    expect(found).to.have.length(1);
    expect(found[0]!.state).to.equal('processing');
  });
});
