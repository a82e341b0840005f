/**
 * The department summaries in a real browser (Debian's chromium through playwright-core): documents posted through
 * the API, then marketing, planning and finance users (and ops) each see their summary with its chart drawn, the
 * tables' figures equal to what the posted documents' canonical JSON says (summed here from the store's canonical
 * documents, not from the summary tables), the CSV downloads equal to the tables, the documents behind a row listed
 * and opened read-only, and another department's summary and documents refused. Screenshots in test-output/.
 */
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, sessionCookie, signedInPage } from '../helpers/console.js';
import { goldenFixtures, roundsWithoutDuplicates } from '../helpers/fixtures.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const RANGE = 'from=2000-01-01&to=2026-12-31&by=month';

/** A decimal's text without trailing zeros. */
function decimal(x: number | string): string {
  let s = typeof x === 'number' ? String(Math.round(x * 1e6) / 1e6) : x;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** Parses CSV (RFC 4180: quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

describe('the console’s department summaries in a real browser', function () {
  this.timeout(180_000);
  let t: TestHub;
  let browser: Browser;
  const passwords = new Map<string, string>();
  /** The canonical documents posted, by message id. */
  const docs = new Map<string, any>();

  before(async () => {
    t = await startTestHub({ configure: (raw) => (raw.pipeline = { ...raw.pipeline, attempts: 2, backoffMs: 20 }) });
    browser = await launchBrowser();
    for (const [name, role] of [['olga', 'ops'], ['mia', 'marketing'], ['paul', 'planning'], ['fran', 'finance']] as const) passwords.set(name, await addUser(t, name, role));
    const fixtures = [
      ...roundsWithoutDuplicates(goldenFixtures(['ubl-order']))[0]!,
      ...goldenFixtures(['hub-po']),
      ...roundsWithoutDuplicates(goldenFixtures(['ubl-despatch-advice']))[0]!,
      ...roundsWithoutDuplicates(goldenFixtures(['ubl-invoice']))[0]!,
    ];
    const ids: string[] = [];
    for (const fixture of fixtures) {
      const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[fixture.partner], body: fixture.bytes });
      expect([200, 202], `${fixture.name}: ${JSON.stringify(posted.body)}`).to.include(posted.status);
      if (posted.status === 202) ids.push(posted.body.id);
    }
    for (const id of ids) {
      expect((await waitForStatus(t, id)).status, id).to.equal('delivered');
      docs.set(id, await t.hub.store.canonical(id));
    }
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (name: string) => signedInPage(browser, t, name, passwords.get(name)!);
  const ofKind = (kind: string) =>
    [...docs].filter(([, d]) => {
      const sellerSelf = d.seller.internalId === 'SELF';
      const buyerSelf = d.buyer.internalId === 'SELF';
      const k = sellerSelf ? { Order: 'sale', Invoice: 'receivable' }[d.type as string] : buyerSelf ? { Order: 'purchase', ShipNotice: 'receipt', Invoice: 'payable' }[d.type as string] : undefined;
      return k === kind;
    });

  /** A table's body cells, row by row. */
  const tableRows = (page: Page, id: string) => page.locator(`[data-testid=table-${id}] tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim())));

  /** The chart was drawn: Chart.js ran (data-drawn) and the canvas has coloured pixels. */
  async function expectChartDrawn(page: Page): Promise<void> {
    const canvas = page.getByTestId('chart');
    expect(await canvas.count()).to.equal(1);
    await page.waitForSelector('canvas[data-drawn=yes]');
    const painted = await canvas.evaluate((c: HTMLCanvasElement) => {
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0) n++;
      return { n, w: c.width, h: c.height };
    });
    expect(painted.w).to.be.greaterThan(100);
    expect(painted.n, 'painted pixels').to.be.greaterThan(500);
  }

  /** The CSV download of a table: its header and rows equal the table's header and rows. */
  async function expectCsvEqualsTable(page: Page, id: string): Promise<void> {
    const link = page.getByTestId(`csv-${id}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const csv = parseCsv(Buffer.concat(chunks).toString('utf8'));
    const header = await page.locator(`[data-testid=table-${id}] thead th`).allTextContents();
    expect(csv[0], `${id} header`).to.deep.equal(header);
    expect(csv.slice(1), `${id} rows`).to.deep.equal(await tableRows(page, id));
    expect(download.suggestedFilename()).to.match(new RegExp(`-${id}-2000-01-01-to-2026-12-31.*\\.csv$`));
  }

  it('marketing sees its sales: chart drawn, every product’s quantity and net amount as the posted orders say, CSV equal to the tables', async () => {
    const { context, page } = await signedIn('mia');
    const response = await page.goto(`${t.url}/console/summaries/marketing?${RANGE}`);
    expect(response!.status()).to.equal(200);
    await expectChartDrawn(page);
    // Expected per (sku, unit, currency), summed from the canonical documents posted.
    const expected = new Map<string, { q: number; a: number; n: number }>();
    for (const [, d] of ofKind('sale')) {
      for (const l of d.lines) {
        const key = [l.sku, l.unitCode, d.currency].join('|');
        const e = expected.get(key) ?? { q: 0, a: 0, n: 0 };
        expected.set(key, { q: e.q + l.quantity, a: e.a + (l.lineAmount ?? 0), n: e.n + 1 });
      }
    }
    expect(expected.size).to.be.greaterThan(5);
    const rows = await tableRows(page, 'products');
    expect(rows.map((r) => r.join('|')).sort()).to.deep.equal([...expected].map(([k, e]) => `${k}|${decimal(e.q)}|${decimal(e.a)}|${e.n}`).sort());
    // By customer: orders and net amount per currency.
    const customers = await tableRows(page, 'customers');
    const orders = ofKind('sale');
    for (const [party, currency, count] of customers) {
      expect(Number(count), `${party} ${currency}`).to.equal(orders.filter(([, d]) => d.buyer.internalId === party && d.currency === currency).length);
    }
    expect(customers.reduce((s, r) => s + Number(r[2]), 0)).to.equal(orders.length);
    await screenshot(page, 'console-summary-marketing');
    for (const id of ['periods', 'products', 'customers']) await expectCsvEqualsTable(page, id);
    await context.close();
  });

  it('the documents behind a row: the list names exactly the orders with that item, each opens read-only with its canonical JSON', async () => {
    const { context, page } = await signedIn('mia');
    await page.goto(`${t.url}/console/summaries/marketing?${RANGE}`);
    const row = page.locator('[data-testid=table-products] tbody tr', { hasText: 'SKU-10003' }).first();
    const [sku, unit, currency] = await row.locator('td').evaluateAll((tds) => tds.slice(0, 3).map((td) => td.textContent!.trim()));
    await Promise.all([page.waitForURL(/\/console\/summaries\/marketing\/documents\?/), row.getByTestId('documents-link').click()]);
    const listed = await page.locator('[data-testid=documents] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    const expected = ofKind('sale')
      .filter(([, d]) => d.currency === currency && d.lines.some((l: any) => l.sku === sku && l.unitCode === unit))
      .map(([id]) => id);
    expect(expected.length).to.be.greaterThan(0);
    expect(listed.sort()).to.deep.equal(expected.sort());
    await Promise.all([page.waitForURL(/\/documents\/[0-9a-f-]{36}$/), page.locator('[data-testid=documents] tbody tr a').first().click()]);
    const id = page.url().split('/').pop()!;
    expect(JSON.parse((await page.getByTestId('canonical').textContent())!)).to.deep.equal(docs.get(id));
    expect(await page.getByTestId('kind').textContent()).to.equal('sale');
    expect(await page.locator('form').evaluateAll((forms) => forms.filter((f) => !f.classList.contains('signout')).length)).to.equal(0);
    // A payable invoice is not among marketing's documents, even by its id.
    const [payable] = ofKind('payable')[0]!;
    const refused = await page.goto(`${t.url}/console/summaries/marketing/documents/${payable}`);
    expect(refused!.status()).to.equal(404);
    const wrongKind = await page.goto(`${t.url}/console/summaries/marketing/documents?kind=payable&${RANGE}`);
    expect(wrongKind!.status()).to.equal(400);
    await context.close();
  });

  it('planning sees purchases, receipts and open quantities, and the inventory movement; receipts as the despatch advices say', async () => {
    const { context, page } = await signedIn('paul');
    expect((await page.goto(`${t.url}/console/summaries/planning?${RANGE}`))!.status()).to.equal(200);
    await expectChartDrawn(page);
    const received = new Map<string, number>();
    for (const [, d] of ofKind('receipt')) for (const l of d.lines) received.set([d.seller.internalId, l.sku, l.unitCode].join('|'), (received.get([d.seller.internalId, l.sku, l.unitCode].join('|')) ?? 0) + l.quantity);
    expect(received.size).to.be.greaterThan(3);
    const rows = await tableRows(page, 'items');
    // Supplier, item, unit, purchased, received, purchased to date, received to date, open (no purchase orders yet).
    expect(rows.map((r) => r.join('|')).sort()).to.deep.equal([...received].map(([k, q]) => `${k}|0|${decimal(q)}|0|${decimal(q)}|${decimal(-q)}`).sort());
    expect(await page.getByTestId('note').first().textContent()).to.contain('No purchase order of ours has passed through the hub yet');
    await screenshot(page, 'console-summary-planning');
    await expectCsvEqualsTable(page, 'items');
    await expectCsvEqualsTable(page, 'periods');
    // Received links to the despatch advices of that item.
    const first = rows[0]!;
    await Promise.all([page.waitForURL(/kind=receipt/), page.locator('[data-testid=table-items] tbody tr').first().locator('td').nth(4).locator('a').click()]);
    const listed = await page.locator('[data-testid=documents] tbody tr').evaluateAll((trs) => trs.map((r) => r.getAttribute('data-id')));
    expect(listed.sort()).to.deep.equal(ofKind('receipt').filter(([, d]) => d.lines.some((l: any) => l.sku === first[1] && l.unitCode === first[2])).map(([id]) => id).sort());

    expect((await page.goto(`${t.url}/console/summaries/inventory?${RANGE}`))!.status()).to.equal(200);
    await expectChartDrawn(page);
    const movement = new Map<string, { out: number; in: number }>();
    for (const [kind, side] of [['sale', 'out'], ['receipt', 'in']] as const) {
      for (const [, d] of ofKind(kind)) {
        for (const l of d.lines) {
          const key = `${l.sku}|${l.unitCode}`;
          const m = movement.get(key) ?? { out: 0, in: 0 };
          m[side] += l.quantity;
          movement.set(key, m);
        }
      }
    }
    const items = await tableRows(page, 'items');
    expect(items.map((r) => r.slice(0, 5).join('|')).sort()).to.deep.equal([...movement].map(([k, m]) => `${k}|${decimal(m.out)}|${decimal(m.in)}|${decimal(m.in - m.out)}`).sort());
    await screenshot(page, 'console-summary-inventory');
    await expectCsvEqualsTable(page, 'items');
    await context.close();
  });

  it('finance sees payables by currency and due date, overdue first, and says no receivables have passed yet', async () => {
    const { context, page } = await signedIn('fran');
    expect((await page.goto(`${t.url}/console/summaries/finance?${RANGE}`))!.status()).to.equal(200);
    await expectChartDrawn(page);
    const totals = new Map<string, { n: number; total: number }>();
    for (const [, d] of ofKind('payable')) {
      const e = totals.get(d.currency) ?? { n: 0, total: 0 };
      totals.set(d.currency, { n: e.n + 1, total: e.total + d.totals.payableAmount });
    }
    expect(totals.size).to.be.greaterThan(1);
    const rows = await tableRows(page, 'currencies');
    expect(rows.map((r) => r.slice(0, 4).join('|')).sort()).to.deep.equal([...totals].map(([c, e]) => `payable|${c}|${e.n}|${decimal(e.total)}`).sort());
    const due = await tableRows(page, 'due');
    const dated = due.filter((r) => r[0] !== '(none)').map((r) => r[0]!);
    expect(dated).to.deep.equal([...dated].sort());
    expect(due.filter((r) => r[0] !== '(none)').every((r) => r[1] === 'overdue')).to.equal(true);
    expect((await page.getByTestId('note').allTextContents()).join(' ')).to.contain('No customer invoices have passed through the hub yet');
    await screenshot(page, 'console-summary-finance');
    await expectCsvEqualsTable(page, 'currencies');
    await expectCsvEqualsTable(page, 'due');
    await context.close();
  });

  it('a department cannot open another’s summary, its CSV or its documents (403); ops open every one', async () => {
    const [sale] = ofKind('sale')[0]!;
    const [payable] = ofKind('payable')[0]!;
    const refusals: Array<[string, string]> = [
      ['mia', '/console/summaries/finance'],
      ['mia', `/console/summaries/finance/documents/${payable}`],
      ['mia', '/console/summaries/planning.csv?table=items'],
      ['mia', '/console/summaries/inventory'],
      ['paul', '/console/summaries/marketing'],
      ['paul', `/console/summaries/finance/documents?kind=payable&${RANGE}`],
      ['fran', `/console/summaries/marketing/documents/${sale}`],
      ['fran', '/console/summaries/planning'],
      ['fran', '/console/messages'],
    ];
    for (const name of ['mia', 'paul', 'fran']) {
      const { context } = await signedIn(name);
      const cookie = await sessionCookie(context);
      for (const [who, path] of refusals.filter(([w]) => w === name)) {
        const r = await fetch(`${t.url}${path}`, { headers: { cookie }, redirect: 'manual' });
        expect(r.status, `${who} ${path}`).to.equal(403);
        expect(await r.text()).to.not.contain('SKU-');
      }
      await context.close();
    }
    const { context, page } = await signedIn('olga');
    for (const dept of ['marketing', 'planning', 'inventory', 'finance']) {
      expect((await page.goto(`${t.url}/console/summaries/${dept}?${RANGE}`))!.status(), dept).to.equal(200);
      await expectChartDrawn(page);
    }
    expect((await page.goto(`${t.url}/console/summaries/finance/documents/${payable}`))!.status()).to.equal(200);
    await context.close();
  });

  it('bad filters answer a page saying what is wrong; the default range is the last 90 days', async () => {
    const { context, page } = await signedIn('mia');
    const cases: Array<[string, string]> = [
      ['from=yesterday', 'from must be a calendar date as YYYY-MM-DD'],
      ['from=2026-02-30', 'from must be a calendar date'],
      ['from=2026-11-02&to=2026-11-01', 'must not be later than to'],
      ['by=year', 'by must be one of day, week, month'],
      ['from=2000-01-01&by=day', 'more than the 1000 one page groups'],
      ['colour=blue', 'Unknown query parameter colour'],
    ];
    for (const [query, message] of cases) {
      const response = await page.goto(`${t.url}/console/summaries/marketing?${query}`);
      expect(response!.status(), query).to.equal(400);
      expect(await page.getByTestId('error').textContent(), query).to.contain(message);
      expect(await page.locator('form[data-testid=range]').count()).to.equal(1);
    }
    const csv = await page.goto(`${t.url}/console/summaries/marketing.csv?table=nothing`);
    expect(csv!.status()).to.equal(400);
    await page.goto(`${t.url}/console/summaries/marketing`);
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10);
    expect(await page.getByTestId('range-text').textContent()).to.contain(`Issued ${from} to ${to}`);
    // The fixtures were all issued before then: the tables say so instead of showing nothing.
    expect(await page.getByTestId('empty-products').textContent()).to.contain('No order lines in this range');
    await context.close();
  });
});
