/**
 * The console's outbound page in a real browser (Debian's chromium through playwright-core): the ERP hands over
 * purchase orders through the real hub; ops see each with its state (sent: in globex's mailbox, not yet fetched; failed: a
 * cross-reference missing, with the reason), filter by state in the address, and open one to read the UBL Order
 * built for the supplier as text (escaped, never rendered). Integrators may not open it.
 */
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, signedInPage } from '../helpers/console.js';
import { startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { BEESWAX, handOver, purchaseOrder, unique } from '../helpers/outbound.js';

describe('the console’s outbound page in a real browser', function () {
  this.timeout(180_000);
  let t: TestHub;
  let browser: Browser;
  const passwords = new Map<string, string>();
  const ids: Record<'sent' | 'failed', string> = { sent: '', failed: '' };
  const numbers = { sent: `PO-${unique()}`, failed: `PO-${unique()}` };

  before(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
    for (const [name, role] of [['olga', 'ops'], ['ivan', 'integrator']] as const) passwords.set(name, await addUser(t, name, role));
    for (const [kind, sku] of [['sent', 'SKU-10013'], ['failed', 'SKU-NOT-AT-GLOBEX']] as const) {
      ids[kind] = await handOver(t, purchaseOrder(numbers[kind], { lines: [{ ...BEESWAX, sku }], vendorName: 'Globex <Components> & Co' }));
      await waitForStatus(t, ids[kind]);
    }
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists each outbound document with its state; the state filter in the address shows only those', async () => {
    const { context, page } = await signedInPage(browser, t, 'olga', passwords.get('olga')!);
    try {
      await page.goto(`${t.url}/console/outbound?partner=globex`);
      const state = (id: string) => page.locator(`[data-testid=results] tr[data-id="${id}"] [data-state]`).getAttribute('data-state');
      expect(await state(ids.sent)).to.equal('sent');
      expect(await state(ids.failed)).to.equal('failed');
      await screenshot(page, 'console-outbound');
      await page.goto(`${t.url}/console/outbound?state=failed`);
      const rows = await page.locator('[data-testid=results] tbody tr').evaluateAll((r) => r.map((row) => row.getAttribute('data-id')));
      expect(rows).to.include(ids.failed);
      expect(rows).to.not.include(ids.sent);
      await page.goto(`${t.url}/console/outbound?state=maybe`);
      expect(await page.locator('[data-testid=error]').textContent()).to.contain('state must be one of');
    } finally {
      await context.close();
    }
  });

  it('one document: the UBL Order built for the supplier shown as text, its acknowledgement; a failed one with its reason', async () => {
    const { context, page } = await signedInPage(browser, t, 'olga', passwords.get('olga')!);
    try {
      await page.goto(`${t.url}/console/outbound/${ids.sent}`);
      const body = (await page.locator('[data-testid=body]').textContent())!;
      expect(body).to.contain(`<cbc:ID>${numbers.sent}</cbc:ID>`);
      // The seller's name with < > & is data in the built XML (escaped there) and text on the page: no element made of it.
      expect(body).to.contain('Globex &lt;Components&gt; &amp; Co');
      expect(await page.locator('pre[data-testid=body] *').count()).to.equal(0);
      expect(await page.locator('[data-testid=acknowledgement]').textContent()).to.match(/^http due \d{4}-\d\d-\d\d /);
      await page.goto(`${t.url}/console/outbound/${ids.failed}`);
      expect(await page.locator('[data-testid=error]').textContent()).to.contain('HUB_ERR_LOOKUP_MISSING');
    } finally {
      await context.close();
    }
  });

  it('is for ops only: an integrator gets the refusal page', async () => {
    const { context, page } = await signedInPage(browser, t, 'ivan', passwords.get('ivan')!);
    try {
      const response = await page.goto(`${t.url}/console/outbound`);
      expect(response!.status()).to.equal(403);
    } finally {
      await context.close();
    }
  });
});
