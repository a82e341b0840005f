/**
 * The console's traffic overview and queue view in a real browser (Debian's chromium through playwright-core):
 * the overview's figures follow documents posted through the API without the page being reloaded (and equal
 * what PostgreSQL holds); the queue view shows the deliver jobs waiting while its worker is paused, then the
 * failed ones with their messages and reasons when the archive adapter cannot write; the overview shows that
 * adapter failing; integrators are refused both pages. Screenshots go to test-output/screenshots/.
 */
import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, sessionCookie, signedInPage } from '../helpers/console.js';
import { goldenFixtures } from '../helpers/fixtures.js';
import { call, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';

describe('the console’s traffic overview and queue view in a real browser', function () {
  this.timeout(180_000);
  let t: TestHub;
  let browser: Browser;
  let archiveDir: string;
  const passwords = new Map<string, string>();
  const order = goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-example.xml')!;
  let serial = 0;

  /** Posts acme's order under a new number; returns its message id. */
  async function postOrder(prefix: string): Promise<string> {
    const number = `${prefix}-${++serial}`;
    const bytes = order.bytes.toString('utf8').replace('<cbc:ID>34</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`);
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: bytes });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    return posted.body.id as string;
  }

  before(async () => {
    t = await startTestHub({ configure: (raw) => (raw.pipeline = { ...raw.pipeline, attempts: 2, backoffMs: 20 }) });
    archiveDir = t.hub.config.adapters.find((a) => a.name === 'archive')!.options.dir as string;
    browser = await launchBrowser();
    for (const [name, role] of [['olga', 'ops'], ['ivan', 'integrator']] as const) passwords.set(name, await addUser(t, name, role));
    for (const id of [await postOrder('OV-BEFORE'), await postOrder('OV-BEFORE')]) expect((await waitForStatus(t, id)).status).to.equal('delivered');
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (name: string) => signedInPage(browser, t, name, passwords.get(name)!);
  const figure = async (page: Page, key: string) => Number(((await page.locator(`[data-field="${key}"]`).first().textContent()) ?? '').replace(/,/g, ''));
  /** Waits until the figure on the page (updated by overview.js, never a reload) reads `value`. */
  const figureBecomes = (page: Page, key: string, value: number) =>
    page.waitForFunction(([k, v]) => document.querySelector(`[data-field="${k}"]`)?.textContent?.replace(/,/g, '') === String(v), [key, value] as const, { timeout: 30_000 });
  const countSql = async (sql: string, params: unknown[] = []) => Number((await t.hub.db.query<{ n: string }>(sql, params)).rows[0]!.n);

  it('the overview’s figures go from N to N+k after k more documents, without the page reloading; they equal what PostgreSQL holds', async () => {
    const { context, page } = await signedIn('olga');
    const navigations: string[] = [];
    // A script or style the CSP refused, or a script error, shows in the console: none may.
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto(`${t.url}/console/overview`);
    expect(response!.status()).to.equal(200);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    await page.evaluate(() => ((window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true));
    const hourAgo = new Date(Date.now() - 3600_000);
    const received = await figure(page, 'total.hour.received');
    const delivered = await figure(page, 'total.hour.delivered');
    const acmeOrders = await figure(page, 'pt.acme.Order.day.received');
    expect(received).to.equal(await countSql('SELECT count(*) AS n FROM messages WHERE received_at >= $1', [hourAgo]));
    expect(received).to.be.greaterThan(1);

    const k = 3;
    const ids: string[] = [];
    for (let i = 0; i < k; i++) ids.push(await postOrder('OV-LIVE'));
    await figureBecomes(page, 'total.hour.received', received + k);
    for (const id of ids) expect((await waitForStatus(t, id)).status).to.equal('delivered');
    await figureBecomes(page, 'total.hour.delivered', delivered + k);
    await figureBecomes(page, 'pt.acme.Order.day.received', acmeOrders + k);
    expect(await figure(page, 'partner.acme.hour.received')).to.equal(await countSql("SELECT count(*) AS n FROM messages WHERE partner = 'acme' AND received_at >= $1", [hourAgo]));
    expect(await figure(page, 'type.Order.day.delivered')).to.equal(await countSql("SELECT count(*) AS n FROM messages WHERE document_type = 'Order' AND status = 'delivered'"));
    expect(await figure(page, 'adapter.archive.deliveredHour')).to.equal(await countSql("SELECT count(*) AS n FROM deliveries WHERE adapter = 'archive' AND status = 'delivered'"));

    // The same page all along: no navigation, the marker set on it still there; the charts are drawn by Chart.js.
    expect(navigations).to.deep.equal([]);
    expect(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).to.equal(true);
    const charts = await page.locator('canvas[data-chart]').evaluateAll((canvases) => canvases.map((c) => Boolean((window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart.getChart(c))));
    expect(charts).to.deep.equal([true, true]);
    const series = await page.evaluate(() => {
      const chart = (window as unknown as { Chart: { getChart(c: Element): { data: { datasets: Array<{ label: string; data: number[] }> } } } }).Chart.getChart(document.querySelector('canvas[data-chart=hour]')!);
      return chart.data.datasets.find((d) => d.label === 'received')!.data.reduce((a, b) => a + b, 0);
    });
    expect(series).to.equal(received + k);
    expect(problems, 'browser console errors').to.deep.equal([]);
    await page.waitForFunction(() => document.querySelector('[data-field="adapter.archive.health"]')?.getAttribute('data-state') === 'ok', undefined, { timeout: 45_000 });
    await screenshot(page, 'console-overview');
    await context.close();
  });

  it('overview.json gives the same figures, and a bad session gets no data', async () => {
    const { context } = await signedIn('olga');
    const cookie = await sessionCookie(context);
    const r = await fetch(`${t.url}/console/overview.json`, { headers: { cookie } });
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.contain('application/json');
    const body = (await r.json()) as { fields: Record<string, string>; charts: Record<string, { series: Record<string, number[]> }> };
    const total = Number(body.fields['total.day.received']!.replace(/,/g, ''));
    expect(total).to.equal(await countSql('SELECT count(*) AS n FROM messages'));
    expect(body.charts.day!.series.received!.reduce((a, b) => a + b, 0)).to.equal(total);
    const anonymous = await fetch(`${t.url}/console/overview.json`, { redirect: 'manual' });
    expect(anonymous.status).to.equal(303);
    expect(anonymous.headers.get('location')).to.equal('/console/login');
    await context.close();
  });

  it('the queue view counts the deliver jobs waiting while its worker is paused, with the oldest one’s age; the overview shows them pending', async () => {
    const deliverWorker = t.hub.workers.find((w) => w.name === 'deliver')!;
    await deliverWorker.pause();
    let ids: string[] = [];
    try {
      ids = [await postOrder('OV-WAIT'), await postOrder('OV-WAIT')];
      // Transformed and routed: each message has its pending deliveries, one deliver job each, none taken.
      const routed = await waitFor(async () => {
        const n = await countSql("SELECT count(*) AS n FROM deliveries WHERE message_id = ANY($1) AND status = 'pending'", [ids]);
        const transformsLeft = await countSql('SELECT count(*) AS n FROM messages WHERE id = ANY($1) AND transformed_at IS NULL', [ids]);
        return n >= 2 * ids.length && transformsLeft === 0 ? n : undefined;
      }, 'the two orders routed to their adapters');
      const { context, page } = await signedIn('olga');
      expect((await page.goto(`${t.url}/console/queues`))!.status()).to.equal(200);
      expect(await page.locator('[data-queue=deliver] td[data-state=waiting]').textContent()).to.equal(String(routed));
      expect(await page.locator('[data-queue=deliver] td[data-state=active]').textContent()).to.equal('0');
      expect(await page.locator('[data-queue=transform] td[data-state=waiting]').textContent()).to.equal('0');
      expect(await page.getByTestId('oldest-deliver').textContent()).to.match(/^\d+ (s|min)/);
      const oldestHref = (await page.locator('[data-testid=oldest-deliver] a').getAttribute('href'))!;
      const oldest = oldestHref.replace('/console/messages/', '');
      expect(ids).to.include(oldest);
      // The waiting jobs' own page lists them oldest first, each with its message.
      await Promise.all([page.waitForURL(/state=waiting/), page.click('[data-queue=deliver] td[data-state=waiting] a')]);
      const listed = await page.locator('[data-testid=jobs-deliver] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-message')));
      expect(listed).to.have.length(routed);
      expect(new Set(listed)).to.deep.equal(new Set(ids));
      expect(listed[0], 'the oldest waiting job comes first').to.equal(oldest);
      await page.goto(`${t.url}/console/overview`);
      const pendingNow = await countSql("SELECT count(*) AS n FROM deliveries WHERE adapter = 'archive' AND status = 'pending'");
      expect(pendingNow).to.equal(ids.length);
      // (A reading is shared for 2 s: the page may come with one from before, then update itself.)
      await figureBecomes(page, 'adapter.archive.pending', pendingNow);
      await figureBecomes(page, 'queue.deliver.waiting', routed);
      expect(await page.locator('[data-field="queue.deliver.oldest"]').textContent()).to.match(/^\d+ (s|min)/);
      await context.close();
    } finally {
      deliverWorker.resume();
    }
    for (const id of ids) expect((await waitForStatus(t, id)).status).to.equal('delivered');
  });

  it('failed jobs are listed with their message (linked) and reason when the archive cannot write; the overview shows the adapter failing', async () => {
    // The archive folder's place is taken by a file: every write fails, the messages fail after their attempts.
    rmSync(archiveDir, { recursive: true, force: true });
    writeFileSync(archiveDir, 'not a folder');
    const ids: string[] = [];
    try {
      ids.push(await postOrder('OV-FAIL'), await postOrder('OV-FAIL'));
      for (const id of ids) expect((await waitForStatus(t, id)).status).to.equal('failed');
      const { context, page } = await signedIn('olga');
      await page.goto(`${t.url}/console/queues`);
      const failedJobs = await page.locator('[data-testid=jobs-deliver] tbody tr').evaluateAll((rows) =>
        rows.map((r) => ({ message: r.getAttribute('data-message'), adapter: r.children[2]!.textContent, reason: r.querySelector('[data-testid=reason]')!.textContent, href: r.querySelector('a')?.getAttribute('href') })),
      );
      const stored = await t.hub.db.query<{ message_id: string; error: string }>("SELECT message_id, error FROM deliveries WHERE adapter = 'archive' AND status = 'failed'");
      expect(new Set(failedJobs.map((j) => j.message))).to.deep.equal(new Set(stored.rows.map((r) => r.message_id)));
      expect(new Set(stored.rows.map((r) => r.message_id))).to.deep.equal(new Set(ids));
      for (const job of failedJobs) {
        expect(job.adapter).to.equal('archive');
        expect(job.href).to.equal(`/console/messages/${job.message}`);
        expect(job.reason, 'failure reason').to.match(/\S/);
        expect(stored.rows.find((r) => r.message_id === job.message)!.error).to.contain(job.reason!.slice(0, 20));
      }
      expect(await page.locator('[data-queue=deliver] td[data-state=failed]').textContent()).to.equal(String(ids.length));
      await screenshot(page, 'console-queues');
      await page.goto(`${t.url}/console/overview`);
      // A reading is shared for 2 s: the page may show one from before the failures, then updates itself.
      await figureBecomes(page, 'adapter.archive.failedHour', ids.length);
      // Failing deliveries, or down when its own health check (read every 30 s) already saw the folder gone.
      expect(await page.locator('[data-field="adapter.archive.health"]').getAttribute('data-state')).to.be.oneOf(['failing', 'down']);
      expect(await figure(page, 'adapter.archive.failedHour')).to.equal(ids.length);
      expect(await figure(page, 'total.hour.failed')).to.equal(await countSql("SELECT count(*) AS n FROM messages WHERE status = 'failed'"));
      expect(await page.locator('[data-field="adapter.outbox.health"]').getAttribute('data-state')).to.not.equal('failing');
      // A bad state or queue name is a page saying what is wrong.
      const bad = await page.goto(`${t.url}/console/queues/deliver?state=stuck`);
      expect(bad!.status()).to.equal(400);
      expect(await page.getByTestId('message').textContent()).to.contain('state must be one of waiting');
      expect((await page.goto(`${t.url}/console/queues/nowhere`))!.status()).to.equal(404);
      await context.close();
    } finally {
      rmSync(archiveDir, { force: true });
      mkdirSync(archiveDir, { recursive: true });
    }
  });

  it('an integrator gets the 403 page for the overview, its figures and the queues', async () => {
    const { context, page } = await signedIn('ivan');
    for (const path of ['/console/overview', '/console/overview.json', '/console/queues', '/console/queues/deliver?state=failed']) {
      const response = await page.goto(`${t.url}${path}`);
      expect(response!.status(), path).to.equal(403);
      expect(await page.getByTestId('message').textContent(), path).to.contain('may not use this page');
    }
    expect(await page.locator('nav.pages a[href="/console/overview"]').count()).to.equal(0);
    expect((await page.goto(`${t.url}/console/refusals`))!.status()).to.equal(200);
    await context.close();
  });
});
