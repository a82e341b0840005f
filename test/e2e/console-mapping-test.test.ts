/**
 * The console's mapping test page in a real browser: a document with several unknown items shows every
 * missing cross-reference at once, an XSD-invalid one its problems with their lines (highlighted in the raw
 * document), an uploaded file is read into the form and maps to its golden canonical JSON, and nothing enters
 * the pipeline (the messages, refusals and history tables and the queues are unchanged). Audited without the
 * document. Screenshot console-mapping-test.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, signedInPage } from '../helpers/console.js';
import { expectedOf, goldenFixtures } from '../helpers/fixtures.js';
import { ROOT, startTestHub, type TestHub } from '../helpers/test-hub.js';

const order4321 = readFileSync(path.join(ROOT, 'fixtures/chain/order-4321.xml'), 'utf8');

/** The chain's order with the GTINs of its three lines replaced by ones no cross-reference knows. */
const unknownItems = order4321.replace('>05704066204093<', '>0000000000001<').replace('>08722700575887<', '>0000000000002<').replace('>08722700577584<', '>0000000000003<');
/** The chain's order with an issue date and a quantity its schema refuses, on lines 9 and 106. */
const invalid = order4321.replace('<cbc:IssueDate>2013-07-01</cbc:IssueDate>', '<cbc:IssueDate>yesterday</cbc:IssueDate>').replace('unitCodeListID="UNECERec20">10</cbc:Quantity>', 'unitCodeListID="UNECERec20">ten</cbc:Quantity>');

describe('the console’s mapping test page in a real browser', function () {
  this.timeout(120_000);
  let t: TestHub;
  let browser: Browser;
  let tmp: string;
  const passwords = new Map<string, string>();

  before(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
    tmp = mkdtempSync(path.join(tmpdir(), 'mapping-test-'));
    for (const [name, role] of [['ivan', 'integrator'], ['acme.buyer', 'partner:acme']] as const) passwords.set(name, await addUser(t, name, role));
    expect(unknownItems).to.not.equal(order4321);
    expect(invalid.split('\n')[8]).to.contain('yesterday');
    expect(invalid.split('\n')[105]).to.contain('>ten<');
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** What the pipeline holds: rows of its tables and jobs of its queues. */
  const pipelineState = async () => {
    const { rows } = await t.hub.db.query(
      `SELECT (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM refusals)::int AS refusals,
              (SELECT count(*) FROM message_history)::int AS history, (SELECT count(*) FROM outbox)::int AS outbox`,
    );
    return { tables: rows[0], queues: await t.hub.queues.counts() };
  };

  const mapIt = async (page: Page, partner: string, document: string) => {
    await page.goto(`${t.url}/console/mapping-test`);
    await page.selectOption('[data-testid=partner]', partner);
    await page.fill('[data-testid=document]', document);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/console/mapping-test') && r.request().method() === 'POST'), page.click('[data-testid=mapping-test-form] button[type=submit]')]);
    await page.getByTestId('result').waitFor();
  };

  it('a document with three unknown items shows all three missing cross-references at once, and enters nothing', async () => {
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await mapIt(page, 'acme', unknownItems);
    expect(await page.getByTestId('format').textContent()).to.equal('ubl-order (Order)');
    expect(await page.getByTestId('number').textContent()).to.equal('4321');
    expect(await page.getByTestId('xsd-ok').count()).to.equal(1);
    const rows = await page.locator('[data-testid=missing] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((r) => r.slice(0, 2))).to.deep.equal([
      ['lines[0].sku', 'items'],
      ['lines[1].sku', 'items'],
      ['lines[2].sku', 'items'],
    ]);
    expect(rows.map((r) => r[2]!.split(', ')[0])).to.deep.equal(['0000000000001', '0000000000002', '0000000000003']);
    expect(await page.getByTestId('canonical').count()).to.equal(0);
    expect(await page.getByTestId('sender').count()).to.equal(0);
    // The form keeps what was checked, to correct and check again.
    expect(await page.inputValue('[data-testid=document]')).to.equal(unknownItems);
    await screenshot(page, 'console-mapping-test');
    expect(await pipelineState()).to.deep.equal(before);
    const audit = await t.hub.audit.query({ event: 'console.mapping-test', limit: 10 } as never);
    expect(audit).to.have.length(1);
    expect(audit[0]).to.include({ actor: 'console:ivan', code: 'HUB_ERR_LOOKUP_MISSING' });
    expect(audit[0]!.detail).to.contain('partner acme, format ubl-order').and.contain('3 missing').and.not.contain('<').and.not.contain('0000000000001');
    await context.close();
  });

  it('an XSD-invalid document shows every schema problem with its line, highlighted in the document', async () => {
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await mapIt(page, 'acme', invalid);
    const problems = await page.locator('[data-testid=xsd-errors] li').allTextContents();
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^line 9(, column \d+)?: .*IssueDate.*yesterday/);
    expect(problems[1]).to.match(/^line 106(, column \d+)?: .*Quantity.*ten/);
    const marked = await page.locator('[data-testid=raw] [data-testid=error-line] .ln').allTextContents();
    expect(marked).to.deep.equal(['9', '106']);
    expect(await page.getByTestId('verdict').textContent()).to.contain('Nothing was stored or queued');
    expect(await pipelineState()).to.deep.equal(before);
    await context.close();
  });

  it('a file chosen in the form is read into it and maps to its golden canonical JSON', async () => {
    const fixture = goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-example.xml')!;
    const file = path.join(tmp, 'order.xml');
    writeFileSync(file, fixture.bytes);
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await page.goto(`${t.url}/console/mapping-test`);
    await page.selectOption('[data-testid=partner]', 'acme');
    await page.setInputFiles('[data-testid=file]', file);
    await page.waitForFunction(() => (document.querySelector('[data-testid=document]') as HTMLTextAreaElement).value.length > 0);
    expect(await page.inputValue('[data-testid=document]')).to.equal(fixture.bytes.toString('utf8').replace(/^\uFEFF/, ''));
    expect(await page.getByTestId('file-note').textContent()).to.contain('Read order.xml');
    await page.selectOption('[data-testid=format-select]', 'ubl-order');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('[data-testid=mapping-test-form] button[type=submit]')]);
    const canonical = JSON.parse((await page.getByTestId('canonical').textContent())!);
    expect(canonical).to.deep.equal(expectedOf(fixture));
    expect(await page.getByTestId('verdict').textContent()).to.contain('It maps: Order');
    expect(await pipelineState()).to.deep.equal(before);
    await context.close();
  });

  it('a format the hub does not have is a 400 page saying which it has; a partner’s user is refused the page and the action', async () => {
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await page.goto(`${t.url}/console/mapping-test`);
    const csrf = await page.inputValue('[data-testid=mapping-test-form] input[name=csrf]');
    const response = await page.request.post(`${t.url}/console/mapping-test`, { form: { csrf, partner: 'acme', format: 'no-such-format', document: order4321 } });
    expect(response.status()).to.equal(400);
    const known = t.hub.mappings.formats.map((f) => f.name).join(', ');
    expect(await response.text()).to.contain(`The format &quot;no-such-format&quot; is not one of the hub’s formats: choose one of ${known}, or detect.`);
    await context.close();
    const partner = await signedInPage(browser, t, 'acme.buyer', passwords.get('acme.buyer')!);
    expect((await partner.page.goto(`${t.url}/console/mapping-test`))!.status()).to.equal(403);
    await partner.page.goto(`${t.url}/console/partner`);
    const partnerCsrf = await partner.page.inputValue('[data-testid=validate-form] input[name=csrf]');
    const refused = await partner.page.request.post(`${t.url}/console/mapping-test`, { form: { csrf: partnerCsrf, partner: 'acme', format: 'detect', document: order4321 } });
    expect(refused.status()).to.equal(403);
    await partner.context.close();
  });
});
