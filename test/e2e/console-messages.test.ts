/**
 * The console's messages pages in a real browser (Debian's chromium through playwright-core): documents posted
 * through the API are found by business key, partner and paging; a message's page shows its raw document,
 * canonical JSON, history, deliveries and chain; ops replay a failed one (and a delivered one only with force),
 * integrators see no replay and are refused it, partners are refused the pages. Screenshots go to
 * test-output/screenshots/.
 */
import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CANONICAL_TYPES } from '../../src/canonical/types.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, sessionCookie, signedInPage } from '../helpers/console.js';
import { expectedOf, goldenFixtures, roundsWithoutDuplicates } from '../helpers/fixtures.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

describe('the console’s messages pages in a real browser', function () {
  this.timeout(180_000);
  let t: TestHub;
  let browser: Browser;
  const passwords = new Map<string, string>();
  /** Posted and delivered in `before`: message id -> document number. */
  const delivered = new Map<string, { number: string; partner: string; type: string }>();
  let archiveDir: string;

  before(async () => {
    // One replay a second, so a bulk run of a few messages is still running when the test stops it.
    t = await startTestHub({ configure: (raw) => (raw.pipeline = { ...raw.pipeline, attempts: 2, backoffMs: 20, bulkReplayPerSecond: 1 }) });
    archiveDir = t.hub.config.adapters.find((a) => a.name === 'archive')!.options.dir as string;
    browser = await launchBrowser();
    for (const [name, role] of [['olga', 'ops'], ['ivan', 'integrator'], ['acme.buyer', 'partner:acme']] as const) passwords.set(name, await addUser(t, name, role));
    const fixtures = [...roundsWithoutDuplicates(goldenFixtures(['ubl-order']))[0]!, ...roundsWithoutDuplicates(goldenFixtures(['ubl-invoice']))[0]!.slice(0, 3)];
    for (const fixture of fixtures) {
      const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[fixture.partner], body: fixture.bytes });
      expect(posted.status, `${fixture.name}: ${JSON.stringify(posted.body)}`).to.equal(202);
      delivered.set(posted.body.id, { number: expectedOf(fixture).documentNumber, partner: fixture.partner, type: expectedOf(fixture).type });
    }
    for (const id of delivered.keys()) expect((await waitForStatus(t, id)).status, id).to.equal('delivered');
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (name: string) => signedInPage(browser, t, name, passwords.get(name)!);

  /** The ids of the rows of the results table, top to bottom. */
  const rowIds = (page: Page) => page.locator('[data-testid=results] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));

  it('a search by document number in the address (?q=) lists exactly the messages carrying that key, with their columns', async () => {
    const { context, page } = await signedIn('ivan');
    const [id, doc] = [...delivered].find(([, d]) => d.number === 'AEG012345')!;
    const response = await page.goto(`${t.url}/console/messages?q=AEG012345`);
    expect(response!.status()).to.equal(200);
    expect(await page.inputValue('form[data-testid=search] input[name=q]')).to.equal('AEG012345');
    const { rows } = await t.hub.db.query('SELECT DISTINCT message_id FROM business_keys WHERE value = $1', ['AEG012345']);
    expect((await rowIds(page)).sort()).to.deep.equal(rows.map((r) => r.message_id).sort());
    const cells = await page.locator(`[data-testid=results] tr[data-id="${id}"] td`).allTextContents();
    const record = (await t.hub.store.get(id))!;
    expect(cells).to.deep.equal([`${record.receivedAt.slice(0, 10)} ${record.receivedAt.slice(11, 19)} UTC`, doc.partner, 'Order', 'AEG012345', 'delivered', '']);
    await screenshot(page, 'console-messages-search');
    // The form is a GET: searching from it puts the filters in the address, so the search can be bookmarked.
    await page.fill('form[data-testid=search] input[name=q]', '34');
    await page.selectOption('form[data-testid=search] select[name=partner]', 'acme');
    await Promise.all([page.waitForURL(/q=34/), page.click('form[data-testid=search] button[type=submit]')]);
    const url = new URL(page.url());
    expect([url.searchParams.get('q'), url.searchParams.get('partner')]).to.deep.equal(['34', 'acme']);
    const expected = [...delivered].filter(([, d]) => d.number === '34' && d.partner === 'acme').map(([i]) => i);
    expect(expected).to.have.length(1);
    expect(await rowIds(page)).to.include(expected[0]);
    await context.close();
  });

  it('pages newest first through the store’s cursor: the next links walk every message of a filter once', async () => {
    const { context, page } = await signedIn('olga');
    await page.goto(`${t.url}/console/messages?partner=acme&limit=2`);
    const seen: string[] = [];
    for (;;) {
      seen.push(...((await rowIds(page)) as string[]));
      const next = page.getByTestId('next');
      if ((await next.count()) === 0) break;
      expect(await next.getAttribute('href')).to.contain('partner=acme').and.contain('limit=2').and.contain('cursor=');
      await Promise.all([page.waitForURL(/cursor=/), next.click()]);
    }
    const { rows } = await t.hub.db.query("SELECT id FROM messages WHERE partner = 'acme' ORDER BY received_at DESC, id DESC");
    expect(seen).to.deep.equal(rows.map((r) => r.id));
    expect(seen.length).to.be.greaterThan(2);
    await context.close();
  });

  it('a bad filter value answers the page with the form and a message saying what is wrong, never a 500', async () => {
    const { context, page } = await signedIn('ivan');
    const cases: Array<[string, string]> = [
      ['type=Banana', `Query parameter type must be one of ${CANONICAL_TYPES.join(', ')} (got "Banana")`],
      ['from=yesterday', 'Query parameter from must be an ISO 8601 time'],
      ['partner=nobody', 'Query parameter partner must be one of'],
      ['cursor=not-a-cursor', 'cursor is not one this hub gave out'],
      ['from=2026-11-02&to=2026-11-01', 'from must be earlier than to'],
      ['colour=blue', 'Unknown query parameter colour'],
    ];
    for (const [query, message] of cases) {
      const response = await page.goto(`${t.url}/console/messages?${query}`);
      expect(response!.status(), query).to.equal(400);
      expect(await page.getByTestId('error').textContent(), query).to.contain(message);
      expect(await page.locator('form[data-testid=search]').count()).to.equal(1);
    }
    await context.close();
  });

  it('a message’s page shows its facts, raw document (escaped), canonical JSON, history, deliveries with references and its chain; no replay for an integrator', async () => {
    const { context, page } = await signedIn('ivan');
    const [id] = [...delivered].find(([, d]) => d.number === 'AEG012345')!;
    await page.goto(`${t.url}/console/messages?q=AEG012345`);
    await Promise.all([page.waitForURL(`${t.url}/console/messages/${id}`), page.click(`[data-testid=results] tr[data-id="${id}"] a`)]);
    expect(await page.getByTestId('status').textContent()).to.equal('delivered');
    const raw = (await t.hub.store.raw(id))!.toString('utf8');
    const shown = await page.locator('[data-testid=raw] .line').evaluateAll((lines) => lines.map((l) => l.textContent!.slice(l.querySelector('.ln')!.textContent!.length)));
    expect(shown).to.deep.equal(raw.replace(/^\uFEFF/, '').split(/\r?\n/));
    expect(await page.locator('[data-testid=raw] [data-testid=error-line]').count()).to.equal(0);
    const canonical = JSON.parse((await page.getByTestId('canonical').textContent())!);
    expect(canonical).to.deep.equal(await t.hub.store.canonical(id));
    const steps = await page.locator('[data-testid=timeline] li').evaluateAll((items) => items.map((li) => li.getAttribute('data-step')));
    expect(steps).to.deep.equal((await t.hub.store.history(id)).map((h) => h.step));
    expect(steps).to.include.members(['accepted', 'delivered']);
    const deliveries = await t.hub.store.deliveries(id);
    expect(deliveries.map((d) => d.adapter).sort()).to.deep.equal(['archive', 'outbox']);
    for (const d of deliveries) {
      const cells = await page.locator(`[data-testid=deliveries] tr[data-adapter="${d.adapter}"] td`).allTextContents();
      expect(cells.slice(0, 3), d.adapter).to.deep.equal([d.adapter, 'delivered', d.reference ?? '']);
    }
    expect(deliveries.some((d) => d.reference)).to.equal(true);
    expect(await page.getByTestId('chain').textContent()).to.contain('Order AEG012345 (this one)');
    expect(await page.getByTestId('replay-form').count()).to.equal(0);
    await screenshot(page, 'console-message');
    await context.close();
  });

  it('ops replay a failed message from its page: the history gains a replayed entry and it is delivered; audited', async () => {
    const order = goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-example.xml')!;
    const bytes = order.bytes.toString('utf8').replace('<cbc:ID>34</cbc:ID>', '<cbc:ID>CONSOLE-REPLAY-1</cbc:ID>');
    // The archive folder's place is taken by a file: every write fails, the message fails after its attempts.
    rmSync(archiveDir, { recursive: true, force: true });
    writeFileSync(archiveDir, 'not a folder');
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: bytes });
    expect(posted.status).to.equal(202);
    expect((await waitForStatus(t, posted.body.id)).status).to.equal('failed');
    const { context, page } = await signedIn('olga');
    await page.goto(`${t.url}/console/messages?q=CONSOLE-REPLAY-1`);
    expect(await page.locator(`[data-testid=results] tr[data-id="${posted.body.id}"] td`).allTextContents()).to.include.members(['failed', 'HUB_ERR_ADAPTER_UNAVAILABLE']);
    await page.goto(`${t.url}/console/messages/${posted.body.id}`);
    expect(await page.getByTestId('status').textContent()).to.equal('failed');
    expect(await page.getByTestId('error-code').textContent()).to.contain('HUB_ERR_ADAPTER_UNAVAILABLE');
    rmSync(archiveDir);
    mkdirSync(archiveDir);
    await Promise.all([page.waitForURL(`${t.url}/console/messages/${posted.body.id}?replayed=1`), page.click('[data-testid=replay-form] button[type=submit]')]);
    expect(await page.getByTestId('notice').textContent()).to.contain('Replay 1 requested');
    expect(await page.locator('[data-testid=timeline] li[data-step=replayed]').count()).to.equal(1);
    expect((await waitForStatus(t, posted.body.id)).status).to.equal('delivered');
    await page.reload();
    expect(await page.getByTestId('status').textContent()).to.equal('delivered');
    expect(await page.getByTestId('replays').textContent()).to.equal('1');
    const audited = await t.hub.audit.query({ event: 'message.replayed', actor: 'console:olga', limit: 10 });
    expect(audited.map((e) => [e.messageId, e.detail])).to.deep.equal([[posted.body.id, 'replay 1']]);
    await context.close();
  });

  it('a delivered message is replayed only with the force box ticked', async () => {
    const [id] = [...delivered].find(([, d]) => d.type === 'Invoice')!;
    const { context, page } = await signedIn('olga');
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${t.url}/console/messages/${id}`);
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('[data-testid=replay-form] button[type=submit]')]);
    expect(refused.status()).to.equal(409);
    expect(await page.getByTestId('notice').textContent()).to.contain('Tick “Force”');
    expect((await t.hub.store.get(id))!.replays).to.equal(0);
    await page.check('[data-testid=replay-form] input[name=force]');
    await Promise.all([page.waitForURL(`${t.url}/console/messages/${id}?replayed=1&forced=yes`), page.click('[data-testid=replay-form] button[type=submit]')]);
    expect((await waitForStatus(t, id)).status).to.equal('delivered');
    const steps = (await t.hub.store.history(id)).map((h) => h.step);
    expect(steps).to.include.members(['replayed', 'replay-forced']);
    await context.close();
  });

  it('an integrator’s replay POST is a 403 page, a POST without the CSRF token is refused, and neither replays', async () => {
    const failed = (await t.hub.store.query({ status: 'failed', limit: 1 })).items[0];
    const [id] = failed ? [failed.id] : [...delivered.keys()];
    const before = (await t.hub.store.get(id!))!.replays;
    for (const [name, withToken, status] of [['ivan', true, 403], ['olga', false, 403]] as const) {
      const { context, page } = await signedIn(name);
      const cookie = await sessionCookie(context);
      await page.goto(`${t.url}/console/messages/${id}`);
      const csrf = await page.locator('input[name=csrf]').first().inputValue();
      const body = new URLSearchParams({ id: id!, force: 'yes', ...(withToken ? { csrf } : {}) }).toString();
      const r = await fetch(`${t.url}/console/messages/replay`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect(r.status, name).to.equal(status);
      expect(await r.text()).to.contain(withToken ? 'may not use this page' : 'security token is missing or wrong');
      await context.close();
    }
    expect((await t.hub.store.get(id!))!.replays).to.equal(before);
  });

  it('a partner’s user gets the 403 page for the messages search and for a message', async () => {
    const { context, page } = await signedIn('acme.buyer');
    const [id] = [...delivered].find(([, d]) => d.partner === 'acme')!;
    for (const address of ['/console/messages?q=AEG012345', `/console/messages/${id}`]) {
      const response = await page.goto(`${t.url}${address}`);
      expect(response!.status(), address).to.equal(403);
      expect(await page.locator('main').textContent()).to.contain('Your role (partner:acme) may not use this page.');
      expect(await page.content()).to.not.contain('AEG012345</a>');
    }
    await context.close();
  });

  it('a bulk replay of the search’s filter starts only from its dry run, which shows the count and a sample; ops only', async () => {
    const order = goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-example.xml')!;
    rmSync(archiveDir, { recursive: true, force: true });
    writeFileSync(archiveDir, 'not a folder');
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order.bytes.toString('utf8').replace('<cbc:ID>34</cbc:ID>', `<cbc:ID>CONSOLE-BULK-${n}</cbc:ID>`) });
      expect(posted.status).to.equal(202);
      ids.push(posted.body.id);
    }
    for (const id of ids) expect((await waitForStatus(t, id)).status).to.equal('failed');
    rmSync(archiveDir);
    mkdirSync(archiveDir);
    const from = (await t.hub.store.get(ids[0]!))!.receivedAt;
    const { context, page } = await signedIn('olga');
    const cookie = await sessionCookie(context);
    page.on('dialog', (dialog) => void dialog.accept());
    // Never without the dry run: a start without its token is refused and starts nothing.
    await page.goto(`${t.url}/console/messages?q=CONSOLE-BULK-1`);
    expect(await page.getByTestId('bulk-replay-note').count()).to.equal(1);
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    const bare = await fetch(`${t.url}/console/replays`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, step: 'start', partner: 'acme', status: 'failed' }).toString() });
    expect(bare.status).to.equal(400);
    expect(await bare.text()).to.contain('A bulk replay starts from its dry run');
    expect((await t.hub.db.query('SELECT count(*)::int AS n FROM replay_runs')).rows[0].n).to.equal(0);

    await page.goto(`${t.url}/console/messages?partner=acme&status=failed&from=${encodeURIComponent(from)}`);
    expect((await rowIds(page)).sort()).to.deep.equal([...ids].sort());
    await Promise.all([page.waitForURL(`${t.url}/console/replays`), page.click('[data-testid=bulk-replay-form] button[type=submit]')]);
    expect(await page.getByTestId('dry-run-count').textContent()).to.match(/^2 messages selected as of .* by \{"partner":"acme","from":"[^"]+","status":\["failed"\]\}\. Nothing has been replayed\.$/);
    expect(await page.locator('[data-testid=sample] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).to.deep.equal(ids);
    for (const id of ids) expect((await t.hub.store.get(id))!.status).to.equal('failed');
    await screenshot(page, 'console-bulk-replay-dry-run');
    await Promise.all([page.waitForURL(/\/console\/replays\/[0-9a-f-]{36}$/), page.click('[data-testid=bulk-replay-confirm] button[type=submit]')]);
    const runId = page.url().split('/').pop()!;
    for (const id of ids) expect((await waitForStatus(t, id, ['delivered'], 30_000)).status).to.equal('delivered');
    for (const id of ids) expect((await t.hub.store.history(id)).filter((h) => h.step === 'replayed').map((h) => h.detail)).to.deep.equal([`replay 1 requested by console:olga (bulk replay ${runId})`]);
    await page.reload();
    expect(await page.getByTestId('run-counts').textContent()).to.match(/^\d replayed, \d skipped of 2 \(the dry run counted 2\)$/);
    await context.close();
    // An integrator sees no bulk replay form and is refused the dry run.
    const integrator = await signedIn('ivan');
    await integrator.page.goto(`${t.url}/console/messages?partner=acme&status=failed`);
    expect(await integrator.page.getByTestId('bulk-replay-form').count()).to.equal(0);
    const token = await integrator.page.locator('input[name=csrf]').first().inputValue();
    const refused = await fetch(`${t.url}/console/replays`, { method: 'POST', redirect: 'manual', headers: { cookie: await sessionCookie(integrator.context), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: token, step: 'dry-run' }).toString() });
    expect(refused.status).to.equal(403);
    expect((await integrator.page.goto(`${t.url}/console/replays/${runId}`))!.status()).to.equal(403);
    expect(await integrator.page.locator('main').textContent()).to.contain('Your role (integrator) may not use this page.');
    await integrator.context.close();
  });

  it('a running bulk replay’s page reloads itself and has a Stop button; stopping keeps what was replayed and replays no more', async () => {
    const { context, page } = await signedIn('olga');
    page.on('dialog', (dialog) => void dialog.accept());
    const acmeDelivered = [...delivered].filter(([, d]) => d.partner === 'acme').map(([id]) => id);
    expect(acmeDelivered.length).to.be.greaterThan(2);
    await page.goto(`${t.url}/console/messages?partner=acme&status=delivered`);
    await page.check('[data-testid=bulk-replay-form] input[name=force]');
    await Promise.all([page.waitForURL(`${t.url}/console/replays`), page.click('[data-testid=bulk-replay-form] button[type=submit]')]);
    const counted = Number(/^(\d+) messages? selected/.exec((await page.getByTestId('dry-run-count').textContent())!)![1]);
    expect(counted).to.be.greaterThanOrEqual(acmeDelivered.length);
    await Promise.all([page.waitForURL(/\/console\/replays\/[0-9a-f-]{36}$/), page.click('[data-testid=bulk-replay-confirm] button[type=submit]')]);
    const runId = page.url().split('/').pop()!;
    expect(await page.getByTestId('run-state').textContent()).to.equal('running');
    expect(await page.getByTestId('refreshing').count()).to.equal(1);
    // The page reloads by itself (console.js, data-refresh-seconds) while the run runs.
    await page.waitForEvent('load', { timeout: 10_000 });
    expect(page.url()).to.equal(`${t.url}/console/replays/${runId}`);
    await screenshot(page, 'console-bulk-replay-run');
    await Promise.all([page.waitForURL(`${t.url}/console/replays/${runId}`), page.click('[data-testid=stop-run] button[type=submit]')]);
    expect(await page.getByTestId('run-state').textContent()).to.equal('stopped');
    expect(await page.getByTestId('stop-run').count()).to.equal(0);
    expect(await page.getByTestId('refreshing').count()).to.equal(0);
    const run = (await t.hub.db.query('SELECT replayed, expected FROM replay_runs WHERE id = $1', [runId])).rows[0];
    expect(run.replayed).to.be.lessThan(run.expected);
    const replayedBefore = (await t.hub.db.query("SELECT count(*)::int AS n FROM message_history WHERE step = 'replayed' AND detail LIKE $1", [`%bulk replay ${runId})`])).rows[0].n;
    expect(replayedBefore).to.equal(run.replayed);
    const entry = (await t.hub.audit.query({ event: 'replay.stopped', limit: 5 }))[0]!;
    expect(entry.actor).to.equal('console:olga');
    expect(entry.detail).to.contain(`run ${runId} stopped by console:olga`);
    // Stopping again says it is stopped already.
    const again = await fetch(`${t.url}/console/replays/${runId}/stop`, { method: 'POST', redirect: 'manual', headers: { cookie: await sessionCookie(context), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: await page.locator('input[name=csrf]').first().inputValue() }).toString() });
    expect(again.status).to.equal(409);
    expect(await again.text()).to.contain('This run is stopped already');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const replayedAfter = (await t.hub.db.query("SELECT count(*)::int AS n FROM message_history WHERE step = 'replayed' AND detail LIKE $1", [`%bulk replay ${runId})`])).rows[0].n;
    expect(replayedAfter, 'replays after the stop').to.equal(replayedBefore);
    await context.close();
  });

  it('the lines of a message’s problems (error items with a line) are highlighted in its raw document', async () => {
    const [id] = [...delivered].find(([, d]) => d.number === 'AEG012345')!;
    // An error item with a line, as an XSD or parse failure records it, written through the store's own call.
    await t.hub.store.addHistory(id, { step: 'transform-failed', error: { code: 'HUB_ERR_XSD_INVALID', message: 'not valid', errors: [{ line: 3, column: 2, message: 'Element <x> is not expected' }, { message: 'no line' }] } });
    const { context, page } = await signedIn('ivan');
    await page.goto(`${t.url}/console/messages/${id}`);
    const marked = await page.locator('[data-testid=raw] [data-testid=error-line] .ln').allTextContents();
    expect(marked).to.deep.equal(['3']);
    expect(await page.getByTestId('problems').textContent()).to.equal('line 3, column 2: Element <x> is not expected');
    await context.close();
  });
});
