/**
 * The console's partner view in a real browser: acme's user sees acme's documents with their status in words,
 * its refusals with what to change, a document's own page without hub internals, and validates a document
 * before sending it (nothing stored); none of globex's documents or refusals is visible, and globex's ids give
 * the same 404 page as ids that do not exist. Ops choose the partner. A partner checking an X12 or EDIFACT
 * interchange (real files of fixtures/x12 and fixtures/edifact) sees each transaction judged against their own
 * formats and party ids only, its problems where the 997/CONTRL reports them, and the acknowledgement; nothing is
 * stored. Screenshots console-partner, console-partner-document and console-partner-edi.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, signedInPage } from '../helpers/console.js';
import { expectedOf, goldenFixtures } from '../helpers/fixtures.js';
import { call, ROOT, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const order4321 = readFileSync(path.join(ROOT, 'fixtures/chain/order-4321.xml'), 'utf8');
const unknownItems = order4321.replace('>05704066204093<', '>0000000000001<').replace('>08722700575887<', '>0000000000002<');
const xsdInvalid = order4321.replace('<cbc:ID>4321</cbc:ID>', '<cbc:ID>4400</cbc:ID>').replace('<cbc:IssueDate>2013-07-01</cbc:IssueDate>', '<cbc:IssueDate>yesterday</cbc:IssueDate>');
const edi = (file: string) => readFileSync(path.join(ROOT, 'fixtures', file), 'latin1');
const notTheirs = order4321.replace('<cbc:ID>4321</cbc:ID>', '<cbc:ID>4401</cbc:ID>').replaceAll('>7300010000001<', '>SOMEONE-ELSE<');

describe('the console’s partner view in a real browser', function () {
  this.timeout(180_000);
  let t: TestHub;
  let browser: Browser;
  const passwords = new Map<string, string>();
  const acme: Record<string, string> = {};
  const globex: Record<string, string> = {};

  const post = async (partner: string, body: string | Buffer, status: number) => {
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body });
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    return r.body;
  };

  before(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
    for (const [name, role] of [['acme.buyer', 'partner:acme'], ['globex.clerk', 'partner:globex'], ['olga', 'ops'], ['xyz.buyer', 'partner:x12-customer']] as const) passwords.set(name, await addUser(t, name, role));
    const example = goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-example.xml')!;
    acme.delivered = (await post('acme', example.bytes, 202)).id;
    acme.failed = (await post('acme', unknownItems, 202)).id;
    expect((await waitForStatus(t, acme.delivered)).status).to.equal('delivered');
    expect((await waitForStatus(t, acme.failed)).status).to.equal('failed');
    await post('acme', xsdInvalid, 422);
    await post('acme', example.bytes.toString('utf8').replace('<cbc:Note>', '<cbc:Note>Changed. '), 409);
    await post('acme', notTheirs, 403);
    const despatch = goldenFixtures(['ubl-despatch-advice'])[0]!;
    globex.delivered = (await post('globex', despatch.bytes, 202)).id;
    expect((await waitForStatus(t, globex.delivered)).status).to.equal('delivered');
    await post('globex', despatch.bytes.toString('utf8').replace(/<cbc:IssueDate>[^<]*<\/cbc:IssueDate>/, '<cbc:IssueDate>soon</cbc:IssueDate>'), 422);
    const { rows } = await t.hub.db.query("SELECT id FROM refusals WHERE partner = 'globex'");
    expect(rows).to.have.length(1);
    globex.refusal = rows[0].id;
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (name: string) => signedInPage(browser, t, name, passwords.get(name)!);
  const rowIds = (page: Page, table: string) => page.locator(`[data-testid=${table}] tbody tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));

  /** Every id and document number of globex's the store has: none may appear on an acme page. */
  const globexTraces = async () => {
    const messages = await t.hub.db.query("SELECT id, document_number FROM messages WHERE partner = 'globex'");
    const refusals = await t.hub.db.query("SELECT id FROM refusals WHERE partner = 'globex'");
    return [...messages.rows.flatMap((r) => [r.id, r.document_number]), ...refusals.rows.map((r) => r.id)];
  };

  it('acme’s user sees acme’s documents with their status in words and acme’s refusals with what to change, and nothing of globex', async () => {
    const { context, page } = await signedIn('acme.buyer');
    const response = await page.goto(`${t.url}/console/partner`);
    expect(response!.status()).to.equal(200);
    const own = await t.hub.db.query("SELECT id FROM messages WHERE partner = 'acme' ORDER BY received_at DESC, id DESC");
    expect(await rowIds(page, 'documents')).to.deep.equal(own.rows.map((r) => r.id));
    const status = (id: string) => page.locator(`[data-testid=documents] tr[data-id="${id}"] [data-testid=status]`).textContent();
    // Orders are routed to sales and inventory (config/hub.yaml routes).
    expect(await status(acme.delivered!)).to.equal('delivered to sales and inventory');
    const failed = (await status(acme.failed!))!;
    expect(failed).to.match(/^failed: Line 1: we know no item by “0000000000001”.* Line 2: we know no item by “0000000000002”/);
    expect(failed).to.not.contain('Line 3').and.not.contain('.csv').and.not.contain('.yaml').and.not.contain('HUB_ERR');

    const refusals = await t.hub.db.query("SELECT id, code FROM refusals WHERE partner = 'acme' ORDER BY received_at DESC, id DESC");
    expect(await rowIds(page, 'refusals')).to.deep.equal(refusals.rows.map((r) => r.id));
    const reason = (code: string) => page.locator(`[data-testid=refusals] tr[data-id="${refusals.rows.find((r) => r.code === code)!.id}"] [data-testid=refusal-reason]`).textContent();
    expect(await reason('HUB_ERR_XSD_INVALID')).to.match(/line 9(, column \d+)?: .*IssueDate.*yesterday/);
    const original = (await t.hub.store.get(acme.delivered!))!;
    expect(await reason('HUB_ERR_DOCUMENT_CONFLICT')).to.contain(`The document number 34 was already sent on ${original.receivedAt.slice(0, 10)} ${original.receivedAt.slice(11, 16)} UTC`);
    expect(await reason('HUB_ERR_SENDER_MISMATCH')).to.contain('The sender party SOMEONE-ELSE is not one of yours');

    const text = await page.content();
    for (const trace of await globexTraces()) expect(text, trace).to.not.contain(trace);
    await screenshot(page, 'console-partner');
    // Asking for another partner in the address changes nothing: a partner's user sees only their own.
    await page.goto(`${t.url}/console/partner?partner=globex`);
    expect(await rowIds(page, 'documents')).to.deep.equal(own.rows.map((r) => r.id));
    const other = await page.content();
    for (const trace of await globexTraces()) expect(other, trace).to.not.contain(trace);
    await context.close();
  });

  it('globex’s document ids give acme’s user the same 404 page as ids that do not exist', async () => {
    const { context, page } = await signedIn('acme.buyer');
    const globexPage = await page.goto(`${t.url}/console/partner/documents/${globex.delivered}`);
    expect(globexPage!.status()).to.equal(404);
    const globexText = (await page.getByTestId('message').textContent())!.replace(globex.delivered!, '<id>');
    const nobody = '01890000-0000-7000-8000-000000000000';
    expect((await page.goto(`${t.url}/console/partner/documents/${nobody}`))!.status()).to.equal(404);
    expect((await page.getByTestId('message').textContent())!.replace(nobody, '<id>')).to.equal(globexText);
    expect((await page.goto(`${t.url}/console/partner/documents/${globex.refusal}`))!.status()).to.equal(404);
    // The staff pages are not theirs either.
    expect((await page.goto(`${t.url}/console/messages/${globex.delivered}`))!.status()).to.equal(403);
    await context.close();
    // And the other way round.
    const g = await signedIn('globex.clerk');
    expect((await g.page.goto(`${t.url}/console/partner/documents/${acme.delivered}`))!.status()).to.equal(404);
    expect((await g.page.goto(`${t.url}/console/partner/documents/${globex.delivered}`))!.status()).to.equal(200);
    await g.context.close();
  });

  it('a document’s own page shows it as sent and what happened to it, without adapters or hub internals', async () => {
    const { context, page } = await signedIn('acme.buyer');
    await page.goto(`${t.url}/console/partner`);
    await Promise.all([page.waitForURL(`${t.url}/console/partner/documents/${acme.delivered}`), page.click(`[data-testid=documents] tr[data-id="${acme.delivered}"] a`)]);
    expect(await page.getByTestId('status').textContent()).to.equal('delivered to sales and inventory');
    const steps = await page.locator('[data-testid=timeline] li').allTextContents();
    expect(steps.map((s) => s.replace(/^\S+ \S+ UTC /, ''))).to.deep.equal(['Received', 'Being processed', `Read: Order 34, ${expectedOf(goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-example.xml')!).lines.length} line(s)`, 'Delivered to sales and inventory']);
    const raw = (await t.hub.store.raw(acme.delivered!))!.toString('utf8');
    const shown = await page.locator('[data-testid=raw] .line').evaluateAll((lines) => lines.map((l) => l.textContent!.slice(l.querySelector('.ln')!.textContent!.length)));
    expect(shown).to.deep.equal(raw.replace(/^\uFEFF/, '').split(/\r?\n/));
    const body = (await page.locator('main').textContent())!;
    for (const internal of [...t.hub.config.adapters.map((a) => a.name), 'transform', 'routed', 'HUB_ERR', 'mappings/', 'globex']) expect(body, internal).to.not.contain(internal);
    await screenshot(page, 'console-partner-document');
    await page.goto(`${t.url}/console/partner/documents/${acme.failed}`);
    expect(await page.locator('[data-testid=timeline] li').last().textContent()).to.contain('Failed: Line 1: we know no item by “0000000000001”');
    await context.close();
  });

  it('validates a document against the partner’s own formats before sending: the problems in words, or that it is fine; nothing is stored', async () => {
    const count = async () => (await t.hub.db.query('SELECT (SELECT count(*) FROM messages)::int + (SELECT count(*) FROM refusals)::int AS n')).rows[0].n;
    const before = await count();
    const { context, page } = await signedIn('acme.buyer');
    const check = async (document: string) => {
      await page.goto(`${t.url}/console/partner`);
      await page.fill('[data-testid=validate-form] [data-testid=document]', document);
      await Promise.all([page.waitForURL(`${t.url}/console/partner/validate`), page.click('[data-testid=validate-form] button[type=submit]')]);
    };
    await check(unknownItems.replace('>4321<', '>4500<'));
    const misses = await page.locator('[data-testid=missing] li').allTextContents();
    expect(misses).to.have.length(2);
    expect(misses[0]).to.match(/^Line 1: we know no item by “0000000000001”, “SN-33”/);
    expect(misses[1]).to.match(/^Line 2: we know no item by “0000000000002”/);
    expect(await page.getByTestId('canonical').count()).to.equal(0);
    await check(notTheirs);
    expect(await page.getByTestId('sender').textContent()).to.contain('(SOMEONE-ELSE) is not one of yours');
    await check(order4321.replace('>4321<', '>4501<'));
    expect(await page.getByTestId('verdict').textContent()).to.contain('The document is fine: we would accept Order 4501');
    // globex's format is not acme's: detected among acme's formats only, it is refused.
    await check(goldenFixtures(['ubl-despatch-advice'])[0]!.bytes.toString('utf8'));
    expect(await page.getByTestId('refused').textContent()).to.contain('is not a document type you may send');
    expect(await count()).to.equal(before);
    const audit = await t.hub.audit.query({ event: 'console.partner.validate', limit: 10 } as never);
    expect(audit.map((a) => a.actor)).to.deep.equal(Array(4).fill('console:acme.buyer'));
    await context.close();
  });

  it('a partner checking an EDI interchange sees each transaction judged against their own formats and party ids, where its 997 or CONTRL puts each problem, and nothing is stored', async () => {
    const stored = async () => (await t.hub.db.query('SELECT (SELECT count(*) FROM messages)::int + (SELECT count(*) FROM refusals)::int + (SELECT count(*) FROM interchanges)::int + (SELECT count(*) FROM partner_mailbox)::int AS n')).rows[0].n;
    const before = await stored();
    const check = async (page: Page, document: string) => {
      await page.goto(`${t.url}/console/partner`);
      await page.fill('[data-testid=validate-form] [data-testid=document]', document);
      await Promise.all([page.waitForURL(`${t.url}/console/partner/validate`), page.click('[data-testid=validate-form] button[type=submit]')]);
    };
    const transaction = (page: Page) => page.getByTestId('transaction');
    const facts = async (page: Page) => Promise.all(['set', 'control-number', 'format', 'number'].map((id) => transaction(page).getByTestId(id).textContent()));
    const acme = await signedIn('acme.buyer');
    await check(acme.page, edi('edifact/orders_d96a_eancom.edi'));
    expect(await acme.page.getByTestId('verdict').textContent()).to.contain('The interchange is fine');
    expect(await facts(acme.page)).to.deep.equal(['ORDERS', 'ME000001', 'Order', 'PO-4711']);
    expect(await acme.page.getByTestId('canonical').count()).to.equal(0);
    expect(await acme.page.locator('[data-testid=acknowledgement]').getAttribute('data-kind')).to.equal('CONTRL');

    await check(acme.page, edi('edifact/orders_d96a_eancom_unt_count.edi'));
    const rows = await acme.page.locator('[data-testid=edi-problems] tbody tr').evaluateAll((trs) => trs.map((tr) => Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.column, td.textContent]))));
    expect(rows.map((r) => [r['segment-position'], r.segment, r.element, r.reference, r.value, r.code])).to.deep.equal([['30', 'UNT', '1', '0074', '29', '29']]);
    expect(await transaction(acme.page).getByTestId('transaction-verdict').textContent()).to.match(/^We would refuse it: it breaks the rules of its transaction set/);
    expect(await acme.page.getByTestId('acknowledgement').textContent()).to.contain("UCM+ME000001+ORDERS:D:96A:UN:EAN008+4+29+UNT+1'");
    await screenshot(acme.page, 'console-partner-edi');

    // Globex's DESADV is not one of acme's formats, and X12 is not acme's syntax: refused as the intake would.
    await check(acme.page, edi('edifact/desadv_d96a_eancom.edi'));
    expect(await transaction(acme.page).getByTestId('transaction-verdict').textContent()).to.contain('Transaction set DESADV version D96A is not one you may send');
    expect(await transaction(acme.page).getByTestId('format').textContent()).to.equal('none of your formats takes it');
    await check(acme.page, edi('x12/node-x12-850.edi'));
    expect(await acme.page.getByTestId('refused').textContent()).to.contain('You may not send X12 to this hub: none of your formats is X12. You may send: XML (Content-Type: application/xml), EDIFACT (Content-Type: application/edifact).');
    const body = (await acme.page.locator('main').textContent())!;
    for (const internal of ['globex', 'x12-customer', 'edifact-desadv', 'HUB_ERR', '.yaml', '.csv']) expect(body, internal).to.not.contain(internal);
    await acme.context.close();

    const xyz = await signedIn('xyz.buyer');
    await check(xyz.page, edi('x12/node-x12-850.edi'));
    expect(await facts(xyz.page)).to.deep.equal(['850', '000000010', 'Order', '08292233294']);
    expect(await xyz.page.getByTestId('acknowledgement').textContent()).to.contain('AK5*A~');
    await check(xyz.page, edi('x12/edited-850-se01.edi'));
    const se = await xyz.page.locator('[data-testid=edi-problems] tbody tr td[data-column=problem]').allTextContents();
    expect(se).to.deep.equal(['SE01 says 34 segments, transaction 000000010 has 33 (ST to SE inclusive)']);
    expect(await xyz.page.getByTestId('acknowledgement').textContent()).to.contain('AK5*R*4~');
    // The same 850 with the items unknown: what to change, in words, for each line at once.
    await check(xyz.page, edi('x12/node-x12-850.edi').replace('*VN*AB3542~', '*VN*ZZ0001~').replace('*VN*RD5322~', '*VN*ZZ0002~'));
    const misses = await xyz.page.locator('[data-testid=missing] li').allTextContents();
    expect(misses.map((m) => m.split(':')[0])).to.deep.equal(['Line 1', 'Line 2']);
    expect(misses[0]).to.contain('we know no item by “ZZ0001”');
    expect((await xyz.page.locator('main').textContent())!).to.not.contain('items.csv').and.not.contain('x12-850.yaml');
    await xyz.context.close();

    expect(await stored()).to.equal(before);
    const audit = await t.hub.audit.query({ event: 'console.partner.validate', limit: 7 } as never);
    expect(audit.map((a) => a.actor)).to.deep.equal([...Array(3).fill('console:xyz.buyer'), ...Array(4).fill('console:acme.buyer')]);
    expect(audit[1]!.detail).to.match(/^partner x12-customer, X12 interchange, \d+ bytes, 1 transaction\(s\): 850 refused \(HUB_ERR_EDI_INVALID\)$/);
  });

  it('ops choose the partner to look at', async () => {
    const { context, page } = await signedIn('olga');
    await page.goto(`${t.url}/console/partner`);
    expect(await page.getByTestId('documents').count()).to.equal(0);
    await page.selectOption('[data-testid=pick-partner] select[name=partner]', 'globex');
    await Promise.all([page.waitForURL(/partner=globex/), page.click('[data-testid=pick-partner] button[type=submit]')]);
    expect(await rowIds(page, 'documents')).to.deep.equal([globex.delivered]);
    expect(await rowIds(page, 'refusals')).to.deep.equal([globex.refusal]);
    expect((await page.goto(`${t.url}/console/partner?partner=nobody`))!.status()).to.equal(400);
    await context.close();
  });
});
