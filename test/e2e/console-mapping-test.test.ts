/**
 * The console's mapping test page in a real browser: a document with several unknown items shows every
 * missing cross-reference at once, an XSD-invalid one its problems with their lines (highlighted in the raw
 * document), an uploaded file is read into the form and maps to its golden canonical JSON, and nothing enters
 * the pipeline (the messages, refusals and history tables and the queues are unchanged). Audited without the
 * document. EDI (real files of fixtures/x12 and fixtures/edifact): each transaction with its set, control number,
 * format, canonical JSON or its problems located as the 997/CONTRL reports them, every missing cross-reference,
 * envelope errors, and the acknowledgement `hub ack` prints; the interchange, acknowledgement and mailbox tables
 * stay unchanged too. Screenshots console-mapping-test, console-mapping-test-x12 and console-mapping-test-edifact.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, hubCli, signedInPage } from '../helpers/console.js';
import { expectedOf, goldenFixtures } from '../helpers/fixtures.js';
import { ROOT, startTestHub, type TestHub } from '../helpers/test-hub.js';

const order4321 = readFileSync(path.join(ROOT, 'fixtures/chain/order-4321.xml'), 'utf8');

const edi = (file: string) => readFileSync(path.join(ROOT, 'fixtures', file), 'latin1');
const ediJson = (file: string) => JSON.parse(readFileSync(path.join(ROOT, 'fixtures', file), 'utf8'));
/** node-x12's 850 with the seller item numbers (PO107/PO111) of its first two lines changed to ones nobody knows. */
const x12UnknownItems = edi('x12/node-x12-850.edi').replace('*VN*AB3542~', '*VN*ZZ0001~').replace('*VN*RD5322~', '*VN*ZZ0002~');

/**
 * An acknowledgement without its preparation date and time, which differ by the minute between two runs: X12
 * ISA09, ISA10, GS04, GS05; EDIFACT UNB S004.
 */
function undated(text: string): string {
  const edifact = /^UN[AB]/.test(text);
  const [terminator, separator] = edifact ? ["'", '+'] : ['~', '*'];
  return text
    .trim()
    .split(terminator)
    .map((segment) => {
      const e = segment.split(separator);
      if (e[0] === 'ISA') e[9] = e[10] = '';
      if (e[0] === 'GS') e[4] = e[5] = '';
      if (e[0] === 'UNB') e[4] = '';
      return e.join(separator);
    })
    .join(terminator);
}

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
    const edi = await t.hub.db.query(
      `SELECT (SELECT count(*) FROM interchanges)::int AS interchanges, (SELECT count(*) FROM acknowledgements)::int AS acknowledgements,
              (SELECT count(*) FROM received_acknowledgements)::int AS received, (SELECT count(*) FROM partner_mailbox)::int AS mailbox,
              (SELECT count(*) FROM control_numbers)::int AS "controlNumbers"`,
    );
    return { tables: { ...rows[0], ...edi.rows[0] }, queues: await t.hub.queues.counts() };
  };

  const mapIt = async (page: Page, partner: string, document: string) => {
    await page.goto(`${t.url}/console/mapping-test`);
    await page.selectOption('[data-testid=partner]', { value: partner });
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

  /** The located problems of a table (edi-problems or envelope-problems) as objects keyed by column. */
  const problemRows = (page: Page, selector: string) =>
    page.locator(`${selector} tbody tr`).evaluateAll((trs) => trs.map((tr) => Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.column, td.textContent]))));
  /** The marked segments of the transaction: position and the segment as sent. */
  const markedSegments = (page: Page) =>
    page.locator('[data-testid=segments] [data-testid=error-segment]').evaluateAll((spans) => spans.map((s) => [s.getAttribute('data-position'), s.textContent!.slice(s.querySelector('.ln')!.textContent!.length)]));
  const acknowledgements = async (page: Page) => {
    const kinds = await page.locator('[data-testid=acknowledgement]').evaluateAll((pres) => pres.map((p) => p.getAttribute('data-kind')));
    return { kinds, text: kinds.length ? (await page.getByTestId('acknowledgement').first().textContent())! : '' };
  };
  /** What `hub ack` prints for a fixture (one acknowledgement). */
  const hubAck = async (file: string, partner?: string) => {
    const r = await hubCli(t, 'ack', path.join(ROOT, 'fixtures', file), ...(partner ? ['--partner', partner] : []));
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  };

  it('an X12 850 with the hub picking its partner maps, transaction by transaction, to its golden JSON; its 997 is the one hub ack prints; nothing enters the pipeline', async () => {
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await mapIt(page, '', edi('x12/node-x12-850.edi'));
    expect(await page.getByTestId('result').getAttribute('data-syntax')).to.equal('x12');
    expect(await page.getByTestId('checked-for').textContent()).to.match(/^x12-customer \(picked by the hub/);
    expect(await page.getByTestId('interchange-control').textContent()).to.equal('000003438');
    expect(await page.getByTestId('envelope-ok').count()).to.equal(1);
    const tx = page.getByTestId('transaction');
    expect(await tx.count()).to.equal(1);
    expect(await tx.getAttribute('data-outcome')).to.equal('taken');
    expect([await tx.getByTestId('set').textContent(), await tx.getByTestId('control-number').textContent(), await tx.getByTestId('format').textContent(), await tx.getByTestId('number').textContent()]).to.deep.equal(['850', '000000010', 'x12-850 (Order)', '08292233294']);
    expect(JSON.parse((await tx.getByTestId('canonical').textContent())!)).to.deep.equal([ediJson('x12/node-x12-850.expected.json')].flat()[0]);
    expect(await tx.getByTestId('edi-problems').count()).to.equal(0);
    expect(await page.getByTestId('verdict').textContent()).to.equal('The intake would take its transaction and it maps. Nothing was stored or queued.');
    const ack = await acknowledgements(page);
    expect(ack.kinds).to.deep.equal(['997']);
    expect(ack.text).to.contain('AK2*850*000000010~AK5*A~AK9*A*1*1*1~');
    expect(undated(ack.text)).to.equal(undated(await hubAck('x12/node-x12-850.edi')));
    await screenshot(page, 'console-mapping-test-x12');
    expect(await pipelineState()).to.deep.equal(before);
    const [audit] = await t.hub.audit.query({ event: 'console.mapping-test', limit: 1 } as never);
    expect(audit!.detail).to.match(/^partner x12-customer, X12 interchange, \d+ bytes, 1 transaction\(s\): 850 maps$/);
    expect(audit!.code ?? null).to.equal(null);
    await context.close();
  });

  it('X12 problems are located as the 997 reports them: edited-850-se01 refused for its SE01 count (AK5 R 4), edited-850-n101 with N1 at position 10, element 1 (data element 98)', async () => {
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await mapIt(page, 'x12-customer', edi('x12/edited-850-se01.edi'));
    const tx = page.getByTestId('transaction');
    expect(await tx.getAttribute('data-outcome')).to.equal('refused');
    expect(await tx.getByTestId('refusal-code').textContent()).to.equal('HUB_ERR_EDI_INVALID');
    expect(await problemRows(page, '[data-testid=edi-problems]')).to.deep.equal([
      { level: 'transaction', code: '4', 'segment-position': '', segment: 'SE', element: '', reference: '', value: '', line: '35', problem: 'SE01 says 34 segments, transaction 000000010 has 33 (ST to SE inclusive)' },
    ]);
    expect(await markedSegments(page)).to.deep.equal([['33', 'SE*34*000000010~']]);
    let ack = await acknowledgements(page);
    expect(ack.text).to.contain('AK2*850*000000010~AK5*R*4~AK9*R*1*1*0~');
    expect(undated(ack.text)).to.equal(undated(await hubAck('x12/edited-850-se01.edi', 'x12-customer')));

    await mapIt(page, 'x12-customer', edi('x12/edited-850-n101.edi'));
    const rows = await problemRows(page, '[data-testid=edi-problems]');
    expect(rows.map((r) => [r.level, r.code, r['segment-position'], r.segment, r.element, r.reference, r.value])).to.deep.equal([
      ['segment', '8', '10', 'N1', '', '', ''],
      ['element', '7', '10', 'N1', '1', '98', 'QQ'],
    ]);
    expect((await markedSegments(page)).map(([position]) => position)).to.deep.equal(['10']);
    ack = await acknowledgements(page);
    expect(ack.text).to.contain('AK3*N1*10**8~AK4*1*98*7*QQ~AK5*R*5~');
    expect(await pipelineState()).to.deep.equal(before);
    await context.close();
  });

  it('an X12 850 naming two unknown items shows both missing cross-references at once; the 997 accepts it (the transform is what fails)', async () => {
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await mapIt(page, 'x12-customer', x12UnknownItems);
    const rows = await page.locator('[data-testid=transaction] [data-testid=missing] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((r) => [r[0], r[1], r[2]!.split(', ')[0]])).to.deep.equal([
      ['lines[0].sku', 'items', 'ZZ0001'],
      ['lines[1].sku', 'items', 'ZZ0002'],
    ]);
    expect(await page.getByTestId('transaction-verdict').textContent()).to.contain('its transform would fail: 2 missing cross-references');
    expect(await page.getByTestId('canonical').count()).to.equal(0);
    expect((await acknowledgements(page)).text).to.contain('AK5*A~');
    expect(await pipelineState()).to.deep.equal(before);
    const [audit] = await t.hub.audit.query({ event: 'console.mapping-test', limit: 1 } as never);
    expect(audit).to.include({ code: 'HUB_ERR_LOOKUP_MISSING' });
    expect(audit!.detail).to.contain('850 HUB_ERR_LOOKUP_MISSING: 2 missing').and.not.contain('ZZ0001');
    await context.close();
  });

  it('an EDIFACT file chosen in the form maps to its golden JSON with its CONTRL; staedi’s bad INVOIC has each element error at its segment position and component, as its CONTRL says', async () => {
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await page.goto(`${t.url}/console/mapping-test`);
    await page.selectOption('[data-testid=partner]', 'acme');
    await page.setInputFiles('[data-testid=file]', path.join(ROOT, 'fixtures/edifact/orders_d96a_eancom.edi'));
    await page.waitForFunction(() => (document.querySelector('[data-testid=document]') as HTMLTextAreaElement).value.length > 0);
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('[data-testid=mapping-test-form] button[type=submit]')]);
    expect(await page.getByTestId('result').getAttribute('data-syntax')).to.equal('edifact');
    const tx = page.getByTestId('transaction');
    expect([await tx.getByTestId('set').textContent(), await tx.getByTestId('control-number').textContent(), await tx.getByTestId('format').textContent(), await tx.getByTestId('number').textContent()]).to.deep.equal(['ORDERS', 'ME000001', 'edifact-orders (Order)', 'PO-4711']);
    expect(JSON.parse((await tx.getByTestId('canonical').textContent())!)).to.deep.equal([ediJson('edifact/orders_d96a_eancom.expected.json')].flat()[0]);
    let ack = await acknowledgements(page);
    expect(ack.kinds).to.deep.equal(['CONTRL']);
    expect(undated(ack.text)).to.equal(undated(await hubAck('edifact/orders_d96a_eancom.edi', 'acme')));

    await mapIt(page, '', edi('edifact/invoic_d97b_bad.edi'));
    expect(await page.getByTestId('checked-for').textContent()).to.match(/^globex /);
    const rows = await problemRows(page, '[data-testid=edi-problems]');
    expect(rows.map((r) => [r['segment-position'], r.segment, r.element, r.reference, r.value, r.code])).to.deep.equal([
      ['5', 'NAD', '1', '3035', 'BYZZ', '39'],
      ['10', 'QTY', '1.2', '6060', '1020A', '37'],
      ['13', 'PRI', '1.2', '5118', '$1.179', '21'],
      ['21', 'UNS', '', '', '', '35'],
    ]);
    expect((await markedSegments(page)).map(([position]) => position)).to.deep.equal(['5', '10', '13', '21']);
    ack = await acknowledgements(page);
    expect(ack.text).to.contain("UCM+00000000000117+INVOIC:D:97B:UN+4'UCS+5'UCD+39+1'UCS+10'UCD+37+1:2'UCS+13'UCD+21+1:2'UCS+21+35'");
    await screenshot(page, 'console-mapping-test-edifact');
    expect(await pipelineState()).to.deep.equal(before);
    await context.close();
  });

  it('an interchange of two groups is judged transaction by transaction: staedi’s two 810s (group 1) taken, its 003010 850 (group 165) refused, one 997 for both groups', async () => {
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await mapIt(page, 'x12-supplier', edi('x12/staedi-invoice810-po850-dual.edi'));
    const transactions = await page.getByTestId('transaction').evaluateAll((sections) => sections.map((x) => [x.getAttribute('data-set'), x.getAttribute('data-control'), x.querySelector('[data-testid=group]')!.textContent, x.getAttribute('data-outcome')]));
    expect(transactions).to.deep.equal([
      ['810', '000000001', '1', 'taken'],
      ['810', '000000002', '1', 'taken'],
      ['850', '000191240', '165', 'refused'],
    ]);
    expect(await page.getByTestId('verdict').textContent()).to.contain('The intake would take 2 of its 3 transactions');
    expect(await page.locator('[data-testid=transaction][data-outcome=taken] [data-testid=canonical]').count()).to.equal(2);
    expect(await page.locator('[data-testid=transaction][data-outcome=refused] [data-testid=refusal-code]').textContent()).to.equal('HUB_ERR_DOCUMENT_TYPE_UNKNOWN');
    const ack = await acknowledgements(page);
    expect(ack.kinds).to.deep.equal(['997']);
    expect(ack.text.match(/~GS\*FA\*/g)).to.have.length(2);
    expect(undated(ack.text)).to.equal(undated(await hubAck('x12/staedi-invoice810-po850-dual.edi', 'x12-supplier')));
    expect(await pipelineState()).to.deep.equal(before);
    await context.close();
  });

  it('envelope errors are shown as such: IEA02 not ISA13 (TA1 001), an ISA09 that is no date (TA1 014), an ISA cut short refused whole', async () => {
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await mapIt(page, 'x12-customer', edi('x12/edited-850-iea02.edi'));
    expect(await problemRows(page, '[data-testid=envelope-problems]')).to.deep.equal([
      { level: 'interchange', code: '001', 'segment-position': '', segment: 'IEA', element: '2', reference: '', value: '', line: '37', problem: 'IEA02 000003439 does not match ISA13 000003438' },
    ]);
    expect(await page.getByTestId('envelope-verdict').textContent()).to.contain('none of its transactions is taken');
    expect(await page.getByTestId('refusal-code').textContent()).to.equal('HUB_ERR_EDI_ENVELOPE');
    expect(await page.locator('[data-testid=transaction] [data-testid=edi-problems]').count()).to.equal(0);
    let ack = await acknowledgements(page);
    expect(ack.kinds).to.deep.equal(['TA1']);
    expect(ack.text).to.contain('TA1*000003438*101127*1719*R*001~');

    // node-x12's 850 with ISA09 101127 -> 101199, not a date.
    await mapIt(page, 'x12-customer', edi('x12/node-x12-850.edi').replace('*101127*1719*U*', '*101199*1719*U*'));
    const rows = await problemRows(page, '[data-testid=envelope-problems]');
    expect(rows.map((r) => [r.level, r.code, r.segment, r.element, r.value])).to.deep.equal([['interchange', '014', 'ISA', '9', '101199']]);
    ack = await acknowledgements(page);
    expect(ack.text).to.contain('TA1*000003438*101199*1719*R*014~');

    await mapIt(page, 'x12-customer', edi('x12/node-x12-850.edi').slice(0, 40));
    expect(await page.getByTestId('verdict').textContent()).to.contain('The intake would refuse it before its format is known');
    expect(await page.locator('[data-testid=result] code').first().textContent()).to.equal('HUB_ERR_EDI_ENVELOPE');
    expect(await page.getByTestId('refused').textContent()).to.match(/the ISA has \d+ of its 16 elements/);
    expect(await page.getByTestId('acknowledgement').count()).to.equal(0);
    expect(await pipelineState()).to.deep.equal(before);
    await context.close();
  });

  it('a batch file is split as the intake splits it (node-x12’s two interchanges, a 997 each), and an ISA read through its deviation is noted (stupidedi’s 107-character ISA: TA1 E 008)', async () => {
    const before = await pipelineState();
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await mapIt(page, 'x12-customer', edi('x12/node-x12-850-fat.edi'));
    expect(await page.getByTestId('result').getAttribute('data-interchanges')).to.equal('2');
    const parts = page.getByTestId('interchange-result');
    expect(await parts.count()).to.equal(2);
    expect(await parts.locator('[data-testid=transaction]').evaluateAll((xs) => xs.map((x) => [x.getAttribute('data-set'), x.getAttribute('data-outcome')]))).to.deep.equal([
      ['850', 'taken'],
      ['850', 'taken'],
    ]);
    const acks = await page.locator('[data-testid=acknowledgement]').evaluateAll((pres) => pres.map((p) => [p.getAttribute('data-kind'), p.textContent!]));
    expect(acks.map(([kind]) => kind)).to.deep.equal(['997', '997']);
    const printed = (await hubAck('x12/node-x12-850-fat.edi', 'x12-customer')).trim().split('\n');
    expect(acks.map(([, text]) => undated(text!))).to.deep.equal(printed.map(undated));

    await mapIt(page, 'x12-customer', edi('x12/stupidedi-850-isa107.edi'));
    expect(await page.getByTestId('envelope-ok').count()).to.equal(1);
    const rows = await problemRows(page, '[data-testid=envelope-warnings]');
    expect(rows.map((r) => [r.level, r.code, r.segment, r.element])).to.deep.equal([['interchange', '008', 'ISA', '8']]);
    const ta1 = await page.locator('[data-testid=acknowledgement][data-kind=TA1]').textContent();
    expect(ta1).to.contain('TA1*000000001*260709*1200*E*008~');
    expect(await pipelineState()).to.deep.equal(before);
    await context.close();
  });

  it('the syntax is told as the intake tells it: X12 for a partner without X12 formats is refused as the intake refuses it; XML with the hub picking is a 400 asking for the partner', async () => {
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await mapIt(page, 'acme', edi('x12/node-x12-850.edi'));
    expect(await page.getByTestId('refused').textContent()).to.contain('You may not send X12 to this hub: none of your formats is X12. You may send: XML (Content-Type: application/xml), EDIFACT (Content-Type: application/edifact).');
    await page.goto(`${t.url}/console/mapping-test`);
    const csrf = await page.inputValue('[data-testid=mapping-test-form] input[name=csrf]');
    const response = await page.request.post(`${t.url}/console/mapping-test`, { form: { csrf, partner: '', format: 'detect', document: order4321 } });
    expect(response.status()).to.equal(400);
    expect(await response.text()).to.contain('The hub picks the partner of an EDI interchange only; for an XML document, choose its partner');
    await context.close();
  });

  it('a file chosen in the form is decoded as the intake decodes EDI: a Latin-1 interchange keeps its accented letters, a UTF-8 one is read as UTF-8', async () => {
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    await page.goto(`${t.url}/console/mapping-test`);
    // The D93A sample (UTF-8, "München") written in Latin-1: one byte 0xFC where UTF-8 has two.
    const latin1 = path.join(tmp, 'invoic-latin1.edi');
    writeFileSync(latin1, Buffer.from(readFileSync(path.join(ROOT, 'fixtures/edifact/invoic_d93a_una.edi'), 'utf8'), 'latin1'));
    const box = () => page.locator('[data-testid=document]').inputValue();
    await page.setInputFiles('[data-testid=file]', latin1);
    await page.waitForFunction(() => (document.querySelector('[data-testid=document]') as HTMLTextAreaElement).value.length > 0);
    expect(await box()).to.contain('München');
    expect(await page.getByTestId('file-note').textContent()).to.contain('Latin-1');
    await page.setInputFiles('[data-testid=file]', path.join(ROOT, 'fixtures/edifact/invoic_d93a_una.edi'));
    await page.waitForFunction(() => document.querySelector('[data-testid=file-note]')?.textContent?.includes('UTF-8'));
    expect(await box()).to.contain('München');
    await context.close();
  });
});
