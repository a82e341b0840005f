/**
 * The console's refusals pages in a real browser (Debian's chromium through playwright-core): documents refused
 * at the intake (malformed XML, XSD-invalid real invoices, a wrong sender, a number already used with other
 * content) are found by partner, code and number in the address, paged newest first through the store's cursor;
 * a refusal's page shows its errors with line and column, the status and code, the bytes as posted with the
 * error lines highlighted, and links a conflict to the message that has the number. Integrators and ops may
 * open them, partners may not. Screenshots go to test-output/screenshots/.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, sessionCookie, signedInPage } from '../helpers/console.js';
import { FIXTURES, goldenFixtures } from '../helpers/fixtures.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

describe('the console’s refusals pages in a real browser', function () {
  this.timeout(180_000);
  let t: TestHub;
  let browser: Browser;
  const passwords = new Map<string, string>();
  const order = goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-example.xml')!;
  const orderWith = (number: string) => order.bytes.toString('utf8').replace('<cbc:ID>34</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`);
  /** What each refused post answered: its code, status and (when read) number, by a name of the case. */
  const refused = new Map<string, { partner: string; status: number; code: string }>();
  let acceptedId = '';

  async function post(name: string, partner: string, body: string | Buffer): Promise<void> {
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body });
    expect(r.status, `${name}: ${JSON.stringify(r.body)}`).to.be.within(400, 499);
    refused.set(name, { partner, status: r.status, code: r.body.code });
  }

  before(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
    for (const [name, role] of [['olga', 'ops'], ['ivan', 'integrator'], ['acme.buyer', 'partner:acme']] as const) passwords.set(name, await addUser(t, name, role));
    // Not XML at all (cut off mid-element), from acme.
    await post('malformed', 'acme', orderWith('RF-MALFORMED').slice(0, 900));
    // Real PEPPOL invoices that break the UBL XSD, from globex.
    for (const name of readdirSync(path.join(FIXTURES, 'invalid')).filter((n) => n.endsWith('.xml')).sort()) await post(`xsd ${name}`, 'globex', readFileSync(path.join(FIXTURES, 'invalid', name)));
    // An order naming a buyer that is not acme: every one of acme's party ids replaced.
    let stranger = orderWith('RF-STRANGER');
    for (const id of t.hub.config.partners.acme!.partyIds) stranger = stranger.split(`>${id}<`).join('>NOT-ACME-1<');
    await post('wrong sender', 'acme', stranger);
    // The same number with other content: a conflict, pointing at the accepted message.
    const accepted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: orderWith('RF-TAKEN') });
    expect(accepted.status).to.equal(202);
    acceptedId = accepted.body.id;
    await waitForStatus(t, acceptedId);
    await post('conflict', 'acme', orderWith('RF-TAKEN').replace('<cbc:Note>', '<cbc:Note>Changed. '));
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (name: string) => signedInPage(browser, t, name, passwords.get(name)!);
  const rowIds = (page: Page) => page.locator('[data-testid=results] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));

  it('the intake refused each case with the expected code', () => {
    expect(refused.get('malformed')!.code).to.equal('HUB_ERR_XML_MALFORMED');
    for (const [name, r] of refused) if (name.startsWith('xsd ')) expect(r.code, name).to.equal('HUB_ERR_XSD_INVALID');
    expect(refused.get('wrong sender')!.code).to.equal('HUB_ERR_SENDER_MISMATCH');
    expect(refused.get('conflict')!.code).to.equal('HUB_ERR_DOCUMENT_CONFLICT');
  });

  it('lists the refusals of a partner (in the address) newest first, exactly those PostgreSQL has, and pages through them with the cursor', async () => {
    const { context, page } = await signedIn('ivan');
    for (const partner of ['acme', 'globex']) {
      expect((await page.goto(`${t.url}/console/refusals?partner=${partner}`))!.status()).to.equal(200);
      expect(await page.inputValue('form[data-testid=search] select[name=partner]')).to.equal(partner);
      const { rows } = await t.hub.db.query('SELECT id FROM refusals WHERE partner = $1 ORDER BY received_at DESC, id DESC', [partner]);
      expect(await rowIds(page), partner).to.deep.equal(rows.map((r) => r.id));
      expect(rows.length).to.equal([...refused.values()].filter((r) => r.partner === partner).length);
    }
    await screenshot(page, 'console-refusals');
    // One at a time: the next links walk every refusal once, newest first.
    await page.goto(`${t.url}/console/refusals?limit=1`);
    const seen: string[] = [];
    for (;;) {
      seen.push(...((await rowIds(page)) as string[]));
      const next = page.getByTestId('next');
      if ((await next.count()) === 0) break;
      expect(await next.getAttribute('href')).to.contain('limit=1').and.contain('cursor=');
      await Promise.all([page.waitForURL(/cursor=/), next.click()]);
    }
    const { rows } = await t.hub.db.query('SELECT id FROM refusals ORDER BY received_at DESC, id DESC');
    expect(seen).to.deep.equal(rows.map((r) => r.id));
    expect(seen.length).to.equal(refused.size);
    await context.close();
  });

  it('finds a refusal by its document number and code from the form (a GET: the search is in the address)', async () => {
    const { context, page } = await signedIn('ivan');
    await page.goto(`${t.url}/console/refusals`);
    await page.fill('form[data-testid=search] input[name=q]', 'RF-STRANGER');
    await page.selectOption('form[data-testid=search] select[name=partner]', 'acme');
    await Promise.all([page.waitForURL(/q=RF-STRANGER/), page.click('form[data-testid=search] button[type=submit]')]);
    const url = new URL(page.url());
    expect([url.searchParams.get('q'), url.searchParams.get('partner')]).to.deep.equal(['RF-STRANGER', 'acme']);
    const { rows } = await t.hub.db.query("SELECT id, code, http_status FROM refusals WHERE document_number = 'RF-STRANGER'");
    expect(rows).to.have.length(1);
    expect(await rowIds(page)).to.deep.equal([rows[0].id]);
    const cells = await page.locator(`[data-testid=results] tr[data-id="${rows[0].id}"] td`).allTextContents();
    expect(cells.slice(1, 6)).to.deep.equal(['acme', 'HUB_ERR_SENDER_MISMATCH', '403', 'Order', 'RF-STRANGER']);
    await page.goto(`${t.url}/console/refusals?code=HUB_ERR_XSD_INVALID`);
    const xsd = await t.hub.db.query("SELECT id FROM refusals WHERE code = 'HUB_ERR_XSD_INVALID' ORDER BY received_at DESC, id DESC");
    expect(await rowIds(page)).to.deep.equal(xsd.rows.map((r) => r.id));
    expect(xsd.rows.length).to.be.greaterThan(0);
    await page.goto(`${t.url}/console/refusals?q=NO-SUCH-NUMBER`);
    expect(await page.getByTestId('no-results').count()).to.equal(1);
    await context.close();
  });

  it('a refusal’s page shows its errors with line and column, status and code, and the bytes as posted with the error lines highlighted', async () => {
    const { context, page } = await signedIn('ivan');
    const { rows } = await t.hub.db.query("SELECT id, errors, http_status, bytes FROM refusals WHERE code = 'HUB_ERR_XSD_INVALID' ORDER BY received_at LIMIT 1");
    const refusal = rows[0];
    const errors = refusal.errors as Array<{ line: number; column?: number; message: string }>;
    expect(errors.length).to.be.greaterThan(0);
    await page.goto(`${t.url}/console/refusals?code=HUB_ERR_XSD_INVALID`);
    await Promise.all([page.waitForURL(`${t.url}/console/refusals/${refusal.id}`), page.click(`[data-testid=results] tr[data-id="${refusal.id}"] a`)]);
    expect(await page.getByTestId('code').textContent()).to.equal('HUB_ERR_XSD_INVALID');
    expect(await page.getByTestId('http-status').textContent()).to.equal(String(refusal.http_status));
    const shownErrors = await page.locator('[data-testid=errors] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(shownErrors).to.deep.equal(errors.map((e) => [String(e.line), e.column === undefined ? '' : String(e.column), '', e.message]));
    // The bytes, line for line as posted; the lines the errors name are the highlighted ones.
    const lines = await page.locator('[data-testid=raw] .line').evaluateAll((ls) => ls.map((l) => l.textContent!.slice(l.querySelector('.ln')!.textContent!.length)));
    expect(lines).to.deep.equal((refusal.bytes as Buffer).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/));
    const highlighted = await page.locator('[data-testid=raw] [data-testid=error-line] .ln').allTextContents();
    expect(highlighted.map(Number)).to.deep.equal([...new Set(errors.map((e) => e.line))].sort((a, b) => a - b));
    await screenshot(page, 'console-refusal');
    // The download gives the bytes exactly.
    const cookie = await sessionCookie(context);
    const download = await fetch(`${t.url}/console/refusals/${refusal.id}/raw`, { headers: { cookie } });
    expect(download.headers.get('content-disposition')).to.contain('attachment');
    expect(Buffer.from(await download.arrayBuffer()).equals(refusal.bytes)).to.equal(true);
    await context.close();
  });

  it('a malformed post shows its parse error; a conflict links to the message that already has the number', async () => {
    const { context, page } = await signedIn('olga');
    const malformed = (await t.hub.db.query("SELECT id, detail FROM refusals WHERE code = 'HUB_ERR_XML_MALFORMED'")).rows[0];
    await page.goto(`${t.url}/console/refusals/${malformed.id}`);
    expect(await page.getByTestId('detail').textContent()).to.equal(malformed.detail);
    expect(await page.getByTestId('original').count()).to.equal(0);
    const conflict = (await t.hub.db.query("SELECT id, original_id FROM refusals WHERE code = 'HUB_ERR_DOCUMENT_CONFLICT'")).rows[0];
    expect(conflict.original_id).to.equal(acceptedId);
    await page.goto(`${t.url}/console/refusals?q=RF-TAKEN`);
    expect(await rowIds(page)).to.deep.equal([conflict.id]);
    await page.goto(`${t.url}/console/refusals/${conflict.id}`);
    await Promise.all([page.waitForURL(`${t.url}/console/messages/${acceptedId}`), page.click('[data-testid=original] a')]);
    expect(await page.getByTestId('status').textContent()).to.equal('delivered');
    // The message's id finds the refusal that points at it.
    await page.goto(`${t.url}/console/refusals?q=${acceptedId}`);
    expect(await rowIds(page)).to.deep.equal([conflict.id]);
    await context.close();
  });

  it('bad filters answer the page with the form and what is wrong; an unknown refusal is a 404 page', async () => {
    const { context, page } = await signedIn('ivan');
    const cases: Array<[string, string]> = [
      ['code=HUB_ERR_BANANA', 'Query parameter code must be one of the refusal codes'],
      ['from=yesterday', 'Query parameter from must be an ISO 8601 time'],
      ['partner=nobody', 'Query parameter partner must be one of'],
      ['cursor=not-a-cursor', 'cursor is not one this hub gave out'],
      ['status=failed', 'Unknown query parameter status'],
    ];
    for (const [query, message] of cases) {
      const response = await page.goto(`${t.url}/console/refusals?${query}`);
      expect(response!.status(), query).to.equal(400);
      expect(await page.getByTestId('error').textContent(), query).to.contain(message);
      expect(await page.locator('form[data-testid=search]').count()).to.equal(1);
    }
    for (const id of ['00000000-0000-7000-8000-000000000000', 'not-an-id']) {
      expect((await page.goto(`${t.url}/console/refusals/${id}`))!.status(), id).to.equal(404);
    }
    await context.close();
  });

  it('a partner’s user gets the 403 page for the refusals pages', async () => {
    const { context, page } = await signedIn('acme.buyer');
    const any = (await t.hub.db.query('SELECT id FROM refusals LIMIT 1')).rows[0].id;
    for (const p of ['/console/refusals', `/console/refusals/${any}`, `/console/refusals/${any}/raw`]) {
      expect((await page.goto(`${t.url}${p}`))!.status(), p).to.equal(403);
      expect(await page.getByTestId('message').textContent(), p).to.contain('may not use this page');
    }
    await context.close();
  });
});
