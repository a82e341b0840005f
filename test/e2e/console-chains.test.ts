/**
 * The console's order chain pages in a real browser: the PEPPOL chain of fixtures/chain (an order, its despatch
 * advice and its invoice, references edited to meet; fixtures/SOURCES.md) posted through the API, listed with
 * the partner, order number, missing and flagged filters, and its page with the ordered, shipped and invoiced
 * quantities and prices per line and each disagreement flagged; a shipped order without an invoice is flagged
 * only once its shipment notice is older than CHAIN_INVOICE_DAYS. A purchase of ours (handed over by the ERP) with
 * globex's OASIS UBL 2.0 despatch advice and invoice for it (fixtures/ubl-despatch-advice, fixtures/ubl-invoice:
 * order AEG012345; the invoice's price edited 1.00 -> 1.05) shows its three-way match with the cells that
 * disagree marked. Screenshots console-chains, console-chain, console-chain-purchase.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHAIN_INVOICE_DAYS } from '../../src/store/chains.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, signedInPage } from '../helpers/console.js';
import { goldenFixtures } from '../helpers/fixtures.js';
import { call, ROOT, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const chainFile = (name: string) => readFileSync(path.join(ROOT, 'fixtures/chain', name));
const fixtureText = (folder: string, name: string) => readFileSync(path.join(ROOT, 'fixtures', folder, name), 'utf8');

describe('the console’s order chain pages in a real browser', function () {
  this.timeout(180_000);
  let t: TestHub;
  let browser: Browser;
  const passwords = new Map<string, string>();
  /**
   * globex: the whole chain 4321; order 4322 with its despatch advice only (the chain's two edited to the
   * number 4322, despatch 1235); order 4323 alone. acme: an order of its own. Our purchase AEG012345 to globex:
   * 100 KGM ordered at 1.00, 90 shipped and received, 100 invoiced at 1.05 (prices may differ by 2 %).
   */
  const ids: Record<string, string> = {};

  const post = async (partner: string, bytes: Buffer) => {
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body: bytes });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const done = await waitForStatus(t, r.body.id);
    expect(done.status, JSON.stringify(done.error)).to.equal('delivered');
    return r.body.id as string;
  };

  before(async () => {
    // A partner that both orders and ships through the hub, so its documents form chains.
    t = await startTestHub({
      configure: (c) => {
        c.partners.globex.formats = ['ubl-order', 'ubl-despatch-advice', 'ubl-invoice'];
        c.chains = { tolerance: { quantityPercent: 0, pricePercent: 2 } };
      },
    });
    browser = await launchBrowser();
    for (const [name, role] of [['ivan', 'integrator'], ['olga', 'ops'], ['acme.buyer', 'partner:acme']] as const) passwords.set(name, await addUser(t, name, role));
    ids.globexInvoice = await post('globex', chainFile('invoice-snippet1-for-4321.xml'));
    ids.globexDespatch = await post('globex', chainFile('despatch-advice-1234-for-4321.xml'));
    ids.globexOrder = await post('globex', chainFile('order-4321.xml'));
    ids.shippedOrder = await post('globex', Buffer.from(chainFile('order-4321.xml').toString('utf8').replace('>4321<', '>4322<')));
    ids.shippedDespatch = await post('globex', Buffer.from(chainFile('despatch-advice-1234-for-4321.xml').toString('utf8').replaceAll('>4321<', '>4322<').replace('>1234<', '>1235<')));
    ids.lonelyOrder = await post('globex', Buffer.from(chainFile('order-4321.xml').toString('utf8').replace('>4321<', '>4323<')));
    ids.acmeOrder = await post('acme', goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-example.xml')!.bytes);
    const purchase = {
      type: 'Order', documentNumber: 'AEG012345', issueDate: '2026-12-02', currency: 'GBP',
      buyer: { internalId: 'SELF', partyIds: [] }, seller: { internalId: 'VEND-GLOBEX', partyIds: [] },
      lines: [{ lineNumber: '1', sku: 'SKU-10013', description: 'beeswax', quantity: 100, unitCode: 'KGM', price: 1 }],
      totals: { lineTotal: 100, payableAmount: 100 },
    };
    const handedOver = await call(t.url, 'POST', '/v1/erp/documents', { key: t.keys.erp, body: JSON.stringify({ documentId: 'purchase.purchase,1', document: purchase }), contentType: 'application/json' });
    expect(handedOver.status, JSON.stringify(handedOver.body)).to.equal(202);
    ids.purchase = handedOver.body.messageId;
    expect((await waitForStatus(t, ids.purchase)).status).to.equal('delivered');
    ids.purchaseDespatch = await post('globex', Buffer.from(fixtureText('ubl-despatch-advice', 'ubl-despatch-advice-2.0-example.xml')));
    // The ERP books the despatch into stock: it acknowledges the notice's inventory message.
    expect((await call(t.url, 'POST', `/v1/erp/messages/${ids.purchaseDespatch}.inventory/ack`, { key: t.keys.erp })).status).to.equal(200);
    const invoice = fixtureText('ubl-invoice', 'ubl-invoice-2.0-example.xml');
    expect(invoice).to.contain('<cbc:PriceAmount currencyID="GBP">1.00<');
    ids.purchaseInvoice = await post('globex', Buffer.from(invoice.replace('<cbc:PriceAmount currencyID="GBP">1.00<', '<cbc:PriceAmount currencyID="GBP">1.05<')));
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (name: string) => signedInPage(browser, t, name, passwords.get(name)!);
  const rowIds = (page: Page) => page.locator('[data-testid=chains] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
  const list = async (page: Page, query: string) => {
    const response = await page.goto(`${t.url}/console/chains${query}`);
    expect(response!.status(), query).to.equal(200);
    return ((await rowIds(page)) as string[]).sort();
  };

  it('lists the orders newest first with their documents; the filters in the address select by partner, order number, missing document and flags', async () => {
    const { context, page } = await signedIn('ivan');
    const all = await page.goto(`${t.url}/console/chains`);
    expect(all!.status()).to.equal(200);
    const { rows } = await t.hub.db.query("SELECT id FROM messages WHERE document_type = 'Order' AND revision = 0 ORDER BY received_at DESC, id DESC");
    expect(await rowIds(page)).to.deep.equal(rows.map((r) => r.id));
    const cells = await page.locator(`[data-testid=chains] tr[data-id="${ids.globexOrder}"] td`).allTextContents();
    // Received, partner, number, changes, shipment notices, invoices, the sums of the lines (10+5+15 / 10+10 / 7-3).
    expect(cells.slice(1, 7)).to.deep.equal(['globex', '4321', '0', '1', '1', '30 / 20 / 4']);
    await screenshot(page, 'console-chains');

    expect(await list(page, '?partner=acme')).to.deep.equal([ids.acmeOrder]);
    expect(await list(page, '?q=4321')).to.deep.equal([ids.globexOrder]);
    expect(await list(page, '?missing=invoice')).to.deep.equal([ids.shippedOrder, ids.lonelyOrder, ids.acmeOrder].sort());
    expect(await list(page, '?missing=shipnotice')).to.deep.equal([ids.lonelyOrder, ids.acmeOrder].sort());
    expect(await list(page, '?missing=shipnotice&partner=globex')).to.deep.equal([ids.lonelyOrder]);
    // Both shipped chains disagree per line (line 2 over-shipped), the purchase's invoice with its receipt; the
    // orders alone are in progress, not problems.
    expect(await list(page, '?flagged=yes')).to.deep.equal([ids.globexOrder, ids.shippedOrder, ids.purchase].sort());
    expect(await page.locator(`[data-testid=chains] tr[data-id="${ids.purchase}"]`).getAttribute('data-kind')).to.equal('purchase');
    expect(await list(page, '?flagged=yes&q=4321')).to.deep.equal([ids.globexOrder]);

    // The form is a GET: its filters go to the address.
    await page.goto(`${t.url}/console/chains`);
    await page.selectOption('[data-testid=chain-filters] select[name=missing]', 'shipnotice');
    await page.selectOption('[data-testid=chain-filters] select[name=partner]', 'globex');
    await Promise.all([page.waitForURL(/missing=shipnotice/), page.click('[data-testid=chain-filters] button[type=submit]')]);
    expect(await rowIds(page)).to.deep.equal([ids.lonelyOrder]);
    await context.close();
  });

  it('pages through the chains with the next links, each order once', async () => {
    const { context, page } = await signedIn('olga');
    await page.goto(`${t.url}/console/chains?limit=1`);
    const seen: string[] = [];
    for (;;) {
      seen.push(...((await rowIds(page)) as string[]));
      const next = page.getByTestId('next');
      if ((await next.count()) === 0) break;
      await Promise.all([page.waitForURL(/cursor=/), next.click()]);
    }
    const { rows } = await t.hub.db.query("SELECT id FROM messages WHERE document_type = 'Order' AND revision = 0 ORDER BY received_at DESC, id DESC");
    expect(seen).to.deep.equal(rows.map((r) => r.id));
    await context.close();
  });

  it('a chain’s page shows per line what was ordered, shipped and invoiced at which price, flags each disagreement and links every document', async () => {
    const { context, page } = await signedIn('ivan');
    await page.goto(`${t.url}/console/chains?partner=globex&q=4321`);
    await Promise.all([page.waitForURL(`${t.url}/console/chains/${ids.globexOrder}`), page.click(`[data-testid=chains] tr[data-id="${ids.globexOrder}"] a`)]);
    const line = async (n: string) => {
      const row = page.locator(`[data-testid=lines] tr[data-line="${n}"]`);
      const cells = await row.locator('td').allTextContents();
      const flags = await row.locator('[data-flag]').evaluateAll((items) => items.map((i) => i.getAttribute('data-flag')));
      const disagree = await row.locator('td.disagree').count();
      return { quantities: cells.slice(3, 8), flags, disagree };
    };
    // fixtures/SOURCES.md: ordered 10, 5, 15 at 4, 6, 3; shipped 10 and 10; invoiced 7 and -3 at 400 and 500.
    const one = await line('1');
    expect(one.quantities).to.deep.equal(['10', '10', '7', '4', '400']);
    expect(one.flags).to.include.members(['invoiced-differs-from-shipped', 'invoiced-price-differs']).and.not.include('over-shipped');
    const two = await line('2');
    expect(two.quantities).to.deep.equal(['5', '10', '-3', '6', '500']);
    expect(two.flags).to.include.members(['over-shipped', 'invoiced-differs-from-shipped', 'invoiced-price-differs']);
    expect(two.disagree).to.equal(3);
    const three = await line('3');
    expect(three.quantities).to.deep.equal(['15', '0', '0', '3', '']);
    expect(three.flags).to.deep.equal(['not-shipped', 'not-invoiced']);
    const chainFlags = await page.locator('[data-testid=chain-flags] [data-flag]').evaluateAll((items) => items.map((i) => i.getAttribute('data-flag')));
    expect(chainFlags).to.include.members(['lines-flagged', 'prices-differ']).and.not.include('invoice-overdue');
    const links = await page.locator('[data-testid=documents] tbody tr').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-role'), r.querySelector('a')!.getAttribute('href')]));
    expect(links).to.deep.equal([
      ['order', `/console/messages/${ids.globexOrder}`],
      ['shipment notice', `/console/messages/${ids.globexDespatch}`],
      ['invoice', `/console/messages/${ids.globexInvoice}`],
    ]);
    await screenshot(page, 'console-chain');
    await Promise.all([page.waitForURL(`${t.url}/console/messages/${ids.globexInvoice}`), page.click('[data-testid=documents] tr[data-role=invoice] a')]);
    expect(await page.locator('h1').textContent()).to.contain('Invoice Snippet1');
    // The same chain from any of its documents.
    await page.goto(`${t.url}/console/chains/${ids.globexDespatch}`);
    expect(await page.locator('h1').textContent()).to.contain('Order 4321');
    await context.close();
  });

  it('a purchase’s page shows its three-way match: ordered, shipped, received, invoiced and prices per line, the cells that disagree marked', async () => {
    const { context, page } = await signedIn('ivan');
    const response = await page.goto(`${t.url}/console/chains/${ids.purchaseInvoice}`);
    expect(response!.status()).to.equal(200);
    expect(await page.locator('h1').textContent()).to.contain('Purchase AEG012345').and.contain('to globex');
    expect(await page.getByTestId('lines').count(), 'the customer-order table is not shown for a purchase').to.equal(0);
    const row = page.locator('[data-testid=three-way-match] tr[data-line="1"]');
    const cells = await row.locator('td[data-cell]').evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-cell'), td.textContent]));
    expect(cells).to.deep.equal([
      ['ordered', '100'], ['shipped', '90'], ['received', '90'], ['invoiced', '100'], ['credited', '0'], ['ordered-price', '1'], ['invoiced-price', '1.05'],
    ]);
    // 10 short-shipped; invoiced 100 against 90 received; 1.05 against 1.00 beyond the 2 %.
    const marked = await row.locator('td.disagree').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-cell')));
    expect(marked).to.deep.equal(['shipped', 'received', 'invoiced', 'invoiced-price']);
    expect(await row.getAttribute('data-match')).to.equal('flagged');
    const flags = await row.locator('[data-flag]').evaluateAll((items) => items.map((i) => i.getAttribute('data-flag')));
    expect(flags).to.deep.equal(['short-shipped', 'invoiced-more-than-received', 'invoiced-price-above-ordered']);
    expect(await page.getByTestId('match-status').textContent()).to.contain('flagged').and.contain('prices within 2 %');
    expect(await page.locator('[data-testid=receipts] td[data-state]').getAttribute('data-state')).to.equal('received');
    const invoiceLine = page.locator(`[data-testid=invoice-lines] tr[data-document="${ids.purchaseInvoice}"]`);
    expect(await invoiceLine.locator('td.disagree').textContent()).to.equal('1.05');
    const roles = await page.locator('[data-testid=documents] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-role')));
    expect(roles).to.deep.equal(['purchase', 'shipment notice', 'invoice']);
    await screenshot(page, 'console-chain-purchase');
    await context.close();
  });

  it(`a shipped order without an invoice is flagged once its shipment notice is more than ${CHAIN_INVOICE_DAYS} days old`, async () => {
    const { context, page } = await signedIn('ivan');
    const flagsOf = async () => {
      await page.goto(`${t.url}/console/chains/${ids.shippedOrder}`);
      return page.locator('[data-testid=lines] tr[data-line="1"] [data-flag]').evaluateAll((items) => items.map((i) => i.getAttribute('data-flag')));
    };
    expect(await flagsOf()).to.not.include('invoice-overdue');
    expect(await page.getByTestId('missing-invoice').textContent()).to.equal('No invoice has arrived for this order.');
    await t.hub.db.query(`UPDATE messages SET received_at = received_at - interval '${CHAIN_INVOICE_DAYS + 1} days' WHERE id = $1`, [ids.shippedDespatch]);
    expect(await flagsOf()).to.include('invoice-overdue');
    expect(await page.locator('[data-testid=lines] tr[data-line="3"] [data-flag="invoice-overdue"]').count()).to.equal(0);
    expect(await page.getByTestId('missing-invoice').textContent()).to.contain(`shipped more than ${CHAIN_INVOICE_DAYS} days ago`);
    expect(await list(page, '?missing=invoice&flagged=yes')).to.deep.equal([ids.shippedOrder]);
    await context.close();
  });

  it('a bad filter is a 400 page saying what is wrong; an unknown chain a 404 page; a partner’s user is refused', async () => {
    const { context, page } = await signedIn('ivan');
    for (const [query, text] of [
      ['?missing=everything', 'missing must be shipnotice or invoice'],
      ['?partner=nobody', 'partner must be one of'],
      ['?flagged=maybe', 'flagged must be yes'],
      ['?colour=blue', 'Unknown filter colour'],
      ['?cursor=nope', 'cursor is not one this hub gave out'],
      ['?limit=5000', 'limit must be an integer from 1 to 100'],
    ]) {
      const response = await page.goto(`${t.url}/console/chains${query}`);
      expect(response!.status(), query).to.equal(400);
      expect(await page.getByTestId('error').textContent(), query).to.contain(text);
    }
    expect((await page.goto(`${t.url}/console/chains/00000000-0000-7000-8000-000000000000`))!.status()).to.equal(404);
    expect((await page.goto(`${t.url}/console/chains/not-an-id`))!.status()).to.equal(404);
    await context.close();
    const partner = await signedIn('acme.buyer');
    expect((await partner.page.goto(`${t.url}/console/chains/${ids.acmeOrder}`))!.status()).to.equal(403);
    expect((await partner.page.goto(`${t.url}/console/chains`))!.status()).to.equal(403);
    await partner.context.close();
  });
});
