/**
 * Issue 11 end to end: order changes, order cancellations and supplier credit notes in a real Tryton 6.0
 * (scripts/erp, started here if it is not running). Orders go through a real hub over HTTP, with the adapter's
 * confirmSales off so that their sales stay quotations the customer may still change. The changes, cancellations,
 * invoices and credit notes are the canonical documents the UBL mappings make of the real examples in fixtures/
 * (their golden .expected.json, with numbers made unique per run), delivered by the adapter itself: the hub's
 * routes for the new types wait on the config schema taking them (see the report of issue 11). Tryton's state is
 * read back through its own JSON-RPC API. Skipped only when Tryton cannot be installed on this machine.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Adapter } from '../../src/adapters/contract.js';
import type { CanonicalDocument } from '../../src/canonical/types.js';
import type { ErpModule } from '../../src/config/schema.js';
import { createLogger } from '../../src/main.js';
import trytonDefinition from '../../adapters/tryton/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { call, REDIS_URL, ROOT, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { ensureTryton, stopTryton, trytonAdapterConfig, TrytonProbe, TRYTON_DATABASE, TRYTON_PASSWORD_FILE, TRYTON_URL } from '../helpers/tryton.js';

const xml = (format: string, name: string) => readFileSync(path.join(FIXTURES, format, name), 'utf8');
const golden = (format: string, name: string): any => JSON.parse(readFileSync(path.join(FIXTURES, format, name.replace(/\.xml$/, '.expected.json')), 'utf8'));
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

interface SaleLine { product: number; quantity: number; unit_price: string; note: string | null }

describe('e2e: Tryton order changes, cancellations and supplier credit notes', function () {
  this.timeout(240_000);
  let t: TestHub;
  let probe: TrytonProbe;
  let adapter: Adapter;
  let redis: Redis;
  let startedHere = false;
  const sku = new Map<string, number>();

  // The hub of this suite knows only the formats it posts: its own mappings folder with copies of the UBL
  // mappings whose relative paths are made absolute, so that other formats (their files and cross-references,
  // perhaps half-written by someone else) do not come into it.
  const mappingsDir = path.join(mkdtempSync(path.join(tmpdir(), 'hub-changes-')), 'mappings');
  const FORMATS = { acme: ['ubl-order', 'ubl-order-change', 'ubl-order-cancellation'], globex: ['ubl-credit-note'] };

  before(async function () {
    mkdirSync(mappingsDir);
    for (const format of Object.values(FORMATS).flat()) {
      const text = readFileSync(path.join(ROOT, 'mappings', `${format}.yaml`), 'utf8');
      writeFileSync(path.join(mappingsDir, `${format}.yaml`), text.replaceAll('../schemas/', `${ROOT}/schemas/`).replaceAll('../config/', `${ROOT}/config/`));
    }
    const ready = ensureTryton();
    startedHere = ready.started === true;
    if (ready.skip) {
      console.log(`      skipped: ${ready.skip}`);
      this.skip();
    }
    probe = new TrytonProbe();
    t = await startTestHub({
      configure: (config) => {
        config.paths = { ...config.paths, mappings: mappingsDir };
        // Only the inbound side: what the hub would send them needs outbound mappings this suite does not copy.
        const inbound = ({ outbound: _outbound, transport: _transport, ...partner }: Record<string, unknown>) => partner;
        config.partners = { acme: { ...inbound(config.partners.acme), formats: FORMATS.acme }, globex: { ...inbound(config.partners.globex), formats: FORMATS.globex } };
        const types = ['Order', 'OrderChange', 'OrderCancellation', 'CreditNote'];
        config.routes = config.routes.filter((route: { documentType: string }) => types.includes(route.documentType));
        config.adapters.tryton = trytonAdapterConfig({ confirmSales: false });
      },
    });
    redis = new Redis(REDIS_URL);
    adapter = await trytonDefinition.create(
      { url: TRYTON_URL, database: TRYTON_DATABASE, user: 'hub', passwordFile: TRYTON_PASSWORD_FILE, timeoutMs: 10_000, warehouse: 'WH', units: {}, taxAccount: 'Main Tax', unknownPurchaseRetrySeconds: 0, confirmSales: false },
      { name: 'tryton', logger: createLogger({ level: 'silent' }), db: t.hub.db, redis, keyPrefix: `${t.prefix}:adapter:changes`, rootDir: ROOT, varDir: t.varDir, secret: () => undefined },
    );
    for (const code of ['SKU-10006', 'SKU-10007', 'SKU-10008', 'SKU-10013', 'SKU-10017']) sku.set(code, await probe.id('product.product', [['code', '=', code]]));
  });

  after(async () => {
    await adapter?.close();
    redis?.disconnect();
    await t?.close();
    rmSync(path.dirname(mappingsDir), { recursive: true, force: true });
    if (startedHere) stopTryton();
  });

  /** Delivers a canonical document as the hub would, under a message id of its own. */
  async function deliver(doc: CanonicalDocument, modules: ErpModule[], messageId = `test-${unique()}`): Promise<{ reference?: string; messageId: string }> {
    const result = await adapter.deliver(doc, { idempotencyKey: `${messageId}:tryton`, messageId, partner: ['CreditNote', 'Invoice', 'OrderResponse'].includes(doc.type) ? 'globex' : 'acme', modules, signal: new AbortController().signal });
    return { reference: result.reference, messageId };
  }

  async function failure(promise: Promise<unknown>): Promise<any> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected the delivery to be refused');
  }

  /** Posts a document through the hub and waits until it is delivered or failed. */
  async function post(partner: string, body: string): Promise<{ id: string; status: string; error?: { code: string; message: string }; history: any[] }> {
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const message = await waitForStatus(t, r.body.id, ['delivered', 'failed'], 30_000);
    return { id: r.body.id, status: message.status, error: message.error, history: message.history };
  }

  /** Posts PEPPOL order UC2 (Item 1: 10 NAR at 40, Item 2: 50 NAR at 6) under a new order number; the quoted sale. */
  async function quotedSale(): Promise<{ number: string; sale: { id: number; state: string } }> {
    const number = `UC2-${unique()}`;
    const message = await post('acme', xml('ubl-order', 'peppol-order-uc2.xml').replace('<cbc:ID>1</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`));
    expect(message.status, JSON.stringify(message.history)).to.equal('delivered');
    const [sale] = await probe.search<{ id: number; state: string }>('sale.sale', [['description', '=', `hub:${message.id}`]], ['state']);
    return { number, sale: sale! };
  }

  /** A UBL order change or cancellation fixture under a new number, for the given order. */
  const forOrder = (format: string, name: string, number: string, orderNumber: string) =>
    xml(format, name).replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${number}</cbc:ID>`).replace(/(<cac:OrderReference>\s*<cbc:ID>)[^<]*(<\/cbc:ID>)/, `$1${orderNumber}$2`);

  const saleLines = (saleId: number) => probe.search<SaleLine>('sale.line', [['sale', '=', saleId], ['type', '=', 'line']], ['product', 'quantity', 'unit_price', 'note']);
  const saleRow = async (saleId: number) => (await probe.search<{ state: string; comment: string | null }>('sale.sale', [['id', '=', saleId]], ['state', 'comment']))[0]!;
  const change = (name: string, orderReference: string) => ({ ...golden('ubl-order-change', name), documentNumber: `CHG-${unique()}`, orderReference });
  const cancellation = (orderReference: string) => ({ ...golden('ubl-order-cancellation', 'peppol-order-cancellation-example.xml'), documentNumber: `CAN-${unique()}`, orderReference });

  it('an order with confirmSales off leaves a quotation, each line noting the customer line number', async () => {
    const { sale } = await quotedSale();
    expect(sale.state).to.equal('quotation');
    const lines = await saleLines(sale.id);
    expect(lines.map((l) => [l.product, l.quantity, Number(l.unit_price), l.note])).to.deep.equal([
      [sku.get('SKU-10006'), 10, 40, 'Customer order line: 1'],
      [sku.get('SKU-10007'), 50, 6, 'Customer order line: 2'],
    ]);
  });

  it('an order change deletes, changes and adds lines of the quoted sale in one go, and the sale is quoted again', async () => {
    const { number, sale } = await quotedSale();
    const doc = change('peppol-order-change-add-delete.xml', number);
    const { reference, messageId } = await deliver(doc, ['sales']);
    expect(reference).to.match(/1 line\(s\) added, 1 changed, 1 deleted/);
    // From the change (fixtures/ubl-order-change/peppol-order-change-add-delete.xml): line 1 deleted, line 2 now
    // 60 at 6, line 3 "Translation" added, 2 hours at 75.
    const lines = await saleLines(sale.id);
    expect(lines.map((l) => [l.product, l.quantity, Number(l.unit_price), l.note])).to.deep.equal([
      [sku.get('SKU-10007'), 60, 6, 'Customer order line: 2'],
      [sku.get('SKU-10008'), 2, 75, 'Customer order line: 3'],
    ]);
    const after = await saleRow(sale.id);
    expect(after.state).to.equal('quotation');
    expect(after.comment).to.contain(`Order change ${doc.documentNumber} (sequence 2) of 2022-02-01: 1 line(s) added, 1 changed, 1 deleted; requested delivery date now 2013-07-15; quoted again [hub:${messageId}]`);

    // Delivered again under the same message id (a retry after a timeout): nothing changes twice.
    const again = await deliver(doc, ['sales'], messageId);
    expect(again.reference).to.contain('already applied');
    expect((await saleLines(sale.id)).map((l) => l.quantity)).to.deep.equal([60, 2]);
  });

  it('an order change of a confirmed and processing sale is refused, not retried, saying why and what to do; the sale is untouched', async () => {
    const { number, sale } = await quotedSale();
    await probe.client.model('sale.sale', 'confirm', [[sale.id]]);
    for (let i = 0; i < 40 && (await saleRow(sale.id)).state !== 'processing'; i++) await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await saleRow(sale.id)).state).to.equal('processing');
    const error = await failure(deliver(change('peppol-order-change-example.xml', number), ['sales']));
    expect(error.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    expect(error.retryable).to.equal(false);
    expect(error.message).to.match(/Tryton sale \S+ is processing \(confirmed, its shipment planned\); only a draft or quotation sale can be changed by the customer\. Agree the change with the customer/);
    expect(error.details).to.include({ orderReference: number, trytonSaleId: sale.id, trytonSaleState: 'processing', reason: 'sale-not-changeable' });
    expect((await saleLines(sale.id)).map((l) => l.quantity)).to.deep.equal([10, 50]);
  });

  it('an order change naming a line the sale does not have changes nothing and names every such line', async () => {
    const { number, sale } = await quotedSale();
    const doc = change('peppol-order-change-example.xml', number);
    doc.lines = [{ ...doc.lines[0], lineNumber: '7', sku: 'SKU-10008', action: 'change' }, { ...doc.lines[1], lineNumber: '8', sku: 'SKU-10013', action: 'delete' }];
    const error = await failure(deliver(doc, ['sales']));
    expect(error.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    expect(error.details.problems).to.deep.equal([
      'line 7 (SKU-10008) is to be changed but the sale has no such line',
      'line 8 (SKU-10013) is to be deleted but the sale has no such line',
    ]);
    expect((await saleLines(sale.id)).map((l) => l.quantity)).to.deep.equal([10, 50]);
    expect((await saleRow(sale.id)).state).to.equal('quotation');
  });

  it('a change or cancellation of an order Tryton does not have (yet) is retryable', async () => {
    const error = await failure(deliver(cancellation(`NO-SUCH-${unique()}`), ['sales']));
    expect(error.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    expect(error.retryable).to.equal(true);
    expect(error.message).to.match(/no Tryton sale for order NO-SUCH-\S+ of customer CUST-ACME/);
  });

  it('an order cancellation cancels the quoted sale with its reason; again, it is already cancelled; a cancelled sale refuses changes', async () => {
    const { number, sale } = await quotedSale();
    const doc = cancellation(number);
    const { reference, messageId } = await deliver(doc, ['sales']);
    expect(reference).to.contain(`cancelled by order cancellation ${doc.documentNumber}`);
    const after = await saleRow(sale.id);
    expect(after.state).to.equal('cancelled');
    expect(after.comment).to.contain(`Order cancellation ${doc.documentNumber} of 2022-02-01: With reference to phone call [hub:${messageId}]`);
    expect((await deliver(doc, ['sales'], messageId)).reference).to.contain('cancelled');

    const refused = await failure(deliver(change('peppol-order-change-example.xml', number), ['sales']));
    expect(refused.retryable).to.equal(false);
    expect(refused.message).to.contain('is cancelled; only a draft or quotation sale can be changed');
  });

  it('an order cancellation of a sale already processing is refused, not retried, and the sale stays', async () => {
    const { number, sale } = await quotedSale();
    await probe.client.model('sale.sale', 'confirm', [[sale.id]]);
    const error = await failure(deliver(cancellation(number), ['sales']));
    expect(error.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    expect(error.retryable).to.equal(false);
    expect(error.message).to.match(/only a draft or quotation sale can be cancelled by the customer\. Cancel what is still open in Tryton by hand/);
    expect((await saleRow(sale.id)).state).to.be.oneOf(['confirmed', 'processing']);
  });

  it("a supplier's order response (the real node-x12 855) is recorded on the purchase it answers, once", async () => {
    // The 855's canonical document (its golden file: lines 2 and 3 rejected, 1 and 4 accepted), here answering a
    // purchase from the demo supplier entered and confirmed in Tryton as a clerk would.
    const purchase = await probe.createPurchase('VEND-GLOBEX', `PO-${unique()}`, [{ sku: 'SKU-10013', quantity: 5, price: 1 }]);
    const example = JSON.parse(readFileSync(path.join(ROOT, 'fixtures', 'x12', 'node-x12-855.expected.json'), 'utf8'));
    const response = { ...example, documentNumber: `ACK-${unique()}`, orderReference: purchase.number, seller: { ...example.seller, internalId: 'VEND-GLOBEX' } };
    const { reference, messageId } = await deliver(response, ['procurement']);
    expect(reference).to.equal(`purchase.purchase ${purchase.number} (id ${purchase.id}): order response ${response.documentNumber} (accepted) recorded`);
    const comment = async () => (await probe.search<{ comment: string | null }>('purchase.purchase', [['id', '=', purchase.id]], ['comment']))[0]!.comment;
    expect(await comment()).to.equal(
      `Supplier order response ${response.documentNumber} of 2020-10-15: accepted; line 2 rejected (0 of 2 C62 confirmed, promised 2007-10-09); line 3 rejected (0 of 1 C62 confirmed, promised 2004-12-31) [hub:${messageId}]`,
    );
    // Delivered again under the same message id (a retry): nothing written twice.
    const again = await deliver(response, ['procurement'], messageId);
    expect(again.reference).to.contain('already recorded');
    expect((await comment())!.split('\n')).to.have.length(1);
    // A response naming a purchase Tryton does not have is refused with the reason.
    const error = await failure(deliver({ ...response, documentNumber: `ACK-${unique()}`, orderReference: `NO-SUCH-${unique()}` }, ['procurement']));
    expect(error.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    expect(error.message).to.include('no confirmed Tryton purchase numbered or referenced');
  });

  it("a supplier credit note becomes a Tryton credit note (negative quantities) crediting the supplier's invoice, line by line", async () => {
    // The UBL 2.0 invoice example (100 kg beeswax at 1.00 GBP, 10.00 allowance, 17.50 tax: 107.50) under a new
    // number, and the UBL 2.0 credit note example that credits it, here for 40 of the 100 kg (40.00, 17.5 % tax 7.00).
    const invoiceNumber = `INV-${unique()}`;
    const invoice = { ...golden('ubl-invoice', 'ubl-invoice-2.0-example.xml'), documentNumber: invoiceNumber };
    await deliver(invoice, ['finance']);
    const [credited] = await probe.search<{ id: number }>('account.invoice', [['type', '=', 'in'], ['reference', '=', invoiceNumber]], ['id']);
    const example = golden('ubl-credit-note', 'ubl-credit-note-2.0-example.xml');
    const creditNote = {
      ...example,
      documentNumber: `CN-${unique()}`,
      invoiceReference: invoiceNumber,
      lines: [{ ...example.lines[0], quantity: 40, lineAmount: 40 }],
      totals: { lineTotal: 40, taxExclusive: 40, taxTotal: 7, taxInclusive: 47, payableAmount: 47 },
    };
    const { reference, messageId } = await deliver(creditNote, ['finance']);
    expect(reference).to.contain('crediting account.invoice');

    const [row] = await probe.search<{ id: number; state: string; total_amount: string; untaxed_amount: string; tax_amount: string; reference: string; comment: string }>('account.invoice', [['type', '=', 'in'], ['description', '=', `hub:${messageId}`]], ['state', 'total_amount', 'untaxed_amount', 'tax_amount', 'reference', 'comment']);
    expect(row!.state).to.equal('validated');
    expect(row!.reference).to.equal(creditNote.documentNumber);
    expect([Number(row!.total_amount), Number(row!.untaxed_amount), Number(row!.tax_amount)]).to.deep.equal([-47, -40, -7]);
    expect(row!.comment).to.equal(`Credits supplier invoice ${invoiceNumber} of 2005-06-21\nReason: invoice cancelation\nsample`);
    const lines = await probe.search<{ product: number; quantity: number; unit_price: string; origin: string | null }>('account.invoice.line', [['invoice', '=', row!.id], ['product', '!=', null]], ['product', 'quantity', 'unit_price', 'origin']);
    const [invoiceLine] = await probe.search<{ id: number }>('account.invoice.line', [['invoice', '=', credited!.id], ['product', '=', sku.get('SKU-10013')]], ['id']);
    expect(lines.map((l) => [l.product, l.quantity, Number(l.unit_price), l.origin])).to.deep.equal([[sku.get('SKU-10013'), -40, 1, `account.invoice.line,${invoiceLine!.id}`]]);

    // Delivered again under the same message id: still one credit note.
    await deliver(creditNote, ['finance'], messageId);
    expect(await probe.search('account.invoice', [['type', '=', 'in'], ['description', '=', `hub:${messageId}`]], ['id'])).to.have.length(1);
  });

  it('the UBL 2.0 credit note example as sent (tax exclusive 90 with no allowance for the 10) is refused with both totals, its draft left for review', async () => {
    const creditNote = { ...golden('ubl-credit-note', 'ubl-credit-note-2.0-example.xml'), documentNumber: `CN-${unique()}`, invoiceReference: `NOT-IN-TRYTON-${unique()}` };
    const error = await failure(deliver(creditNote, ['finance']));
    expect(error.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    expect(error.retryable).to.equal(false);
    // Tryton: -100 (the line) - 17.50 (the stated tax) = -117.50; the credit note says 107.50 in all.
    expect(error.message).to.contain('Tryton total -117.5');
    expect(error.message).to.contain("differs from the credit note's total -107.5 (credited, so negative: payable 107.5 + prepaid 0");
    expect(error.details).to.include({ canonicalTotal: -107.5 });
  });

  it('a credit note whose invoice Tryton does not have is booked unlinked and says so; a correction line (negative) adds back', async () => {
    // PEPPOL base-creditnote-correction: 7 days at 400 credited, 3 days at 500 corrected back, 25 charge, 331.25 tax.
    const creditNote = { ...golden('ubl-credit-note', 'peppol-billing-base-creditnote-correction.xml'), documentNumber: `CN-${unique()}`, invoiceReference: `NOT-IN-TRYTON-${unique()}` };
    const { reference, messageId } = await deliver(creditNote, ['finance']);
    expect(reference).to.contain(`(supplier invoice ${creditNote.invoiceReference} not found in Tryton: not linked)`);
    const [row] = await probe.search<{ id: number; state: string; total_amount: string }>('account.invoice', [['type', '=', 'in'], ['description', '=', `hub:${messageId}`]], ['state', 'total_amount']);
    expect(row!.state).to.equal('validated');
    // -(7 x 400) + 3 x 500 - 25 charge = -1325 untaxed; - 331.25 tax = -1656.25, the credit note's payable amount negated.
    expect(Number(row!.total_amount)).to.equal(-1656.25);
    const lines = await probe.search<{ quantity: number; unit_price: string; origin: string | null }>('account.invoice.line', [['invoice', '=', row!.id]], ['quantity', 'unit_price', 'origin']);
    expect(lines.map((l) => [l.quantity, Number(l.unit_price), l.origin]).sort()).to.deep.equal([[-1, 25, null], [-7, 400, null], [3, 500, null]].sort());
  });

  it('a credit note to a customer (seller SELF) is refused: Tryton makes those', async () => {
    const creditNote = { ...golden('ubl-credit-note', 'ubl-credit-note-2.0-example.xml'), documentNumber: `CN-${unique()}`, seller: { internalId: 'SELF', partyIds: [] } };
    const error = await failure(deliver(creditNote, ['finance']));
    expect(error.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    expect(error.message).to.contain('credit notes to customers are made by Tryton');
  });

  describe('through the hub (POST /v1/documents, routed to the sales and finance modules)', () => {
    it('a UBL order change posted by the customer changes its quoted sale', async () => {
      const { number, sale } = await quotedSale();
      const message = await post('acme', forOrder('ubl-order-change', 'peppol-order-change-add-delete.xml', `CHG-${unique()}`, number));
      expect(message.status, JSON.stringify(message.history)).to.equal('delivered');
      const lines = await saleLines(sale.id);
      expect(lines.map((l) => [l.product, l.quantity, Number(l.unit_price)])).to.deep.equal([[sku.get('SKU-10007'), 60, 6], [sku.get('SKU-10008'), 2, 75]]);
      expect((await saleRow(sale.id)).comment).to.contain(`[hub:${message.id}]`);
    });

    it('a UBL order change of a processing sale fails at once, with the reason on the message, and is not retried', async () => {
      const { number, sale } = await quotedSale();
      await probe.client.model('sale.sale', 'confirm', [[sale.id]]);
      const message = await post('acme', forOrder('ubl-order-change', 'peppol-order-change-example.xml', `CHG-${unique()}`, number));
      expect(message.status).to.equal('failed');
      expect(message.error?.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
      expect(message.error?.message).to.match(/only a draft or quotation sale can be changed by the customer/);
      expect(message.history.filter((h) => h.step === 'delivery-retry' && h.adapter === 'tryton')).to.have.length(0);
      expect((await saleLines(sale.id)).map((l) => l.quantity)).to.deep.equal([10, 50]);
    });

    it('a UBL order cancellation posted by the customer cancels its quoted sale', async () => {
      const { number, sale } = await quotedSale();
      const message = await post('acme', forOrder('ubl-order-cancellation', 'peppol-order-cancellation-example.xml', `CAN-${unique()}`, number));
      expect(message.status, JSON.stringify(message.history)).to.equal('delivered');
      expect((await saleRow(sale.id)).state).to.equal('cancelled');
    });

    it("a supplier's UBL credit note posted by the supplier becomes a validated Tryton credit note", async () => {
      const number = `CN-${unique()}`;
      const body = xml('ubl-credit-note', 'peppol-billing-base-creditnote-correction.xml').replace('<cbc:ID>Snippet1</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`);
      const message = await post('globex', body);
      expect(message.status, JSON.stringify(message.history)).to.equal('delivered');
      const rows = await probe.search<{ state: string; total_amount: string; reference: string }>('account.invoice', [['type', '=', 'in'], ['description', '=', `hub:${message.id}`]], ['state', 'total_amount', 'reference']);
      expect(rows.map((r) => [r.state, Number(r.total_amount), r.reference])).to.deep.equal([['validated', -1656.25, number]]);
      // The finance summary counts it against the payables (migration 009): its figures negated, line by line.
      const facts = await t.hub.db.query(
        `SELECT kind, document_type, party, trim_scale(total)::text AS total, trim_scale(net)::text AS net, trim_scale(quantity)::text AS quantity, lines
           FROM summary_documents WHERE message_id = $1`,
        [message.id],
      );
      expect(facts.rows).to.deep.equal([{ kind: 'payable', document_type: 'CreditNote', party: 'VEND-GLOBEX', total: '-1656.25', net: '-1300', quantity: '-4', lines: 2 }]);
      const lines = await t.hub.db.query('SELECT trim_scale(quantity)::text AS quantity, trim_scale(amount)::text AS amount FROM summary_lines WHERE message_id = $1 ORDER BY line_index', [message.id]);
      expect(lines.rows).to.deep.equal([{ quantity: '-7', amount: '-2800' }, { quantity: '3', amount: '1500' }]);
    });
  });
});
