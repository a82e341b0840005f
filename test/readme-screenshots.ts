/**
 * The README's console screenshots, made the way a user would see them: a hub on the demo config (its own
 * schema and Redis prefix, dropped at the end), the demo partners posting 150 real documents (the golden
 * fixtures, each with its own number and an issue date over the last 30 days) and a few refused ones, an ops
 * user signed in through the form in Debian's chromium, and the overview and the sales summary saved as
 * docs/images/console-overview.png and docs/images/console-summary.png.
 * Usage: npm run screenshots
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveDatabaseUrl } from '../src/db/embedded.js';
import { createLogger } from '../src/main.js';
import { resolveRedisUrl } from '../src/redis/connect.js';
import { replaceNumber, templates } from './chaos/partner.js';
import { launchBrowser } from './helpers/browser.js';
import { addUser, signedInPage } from './helpers/console.js';
import { expectedOf, goldenFixtures, FIXTURES } from './helpers/fixtures.js';
import { call, ROOT, startTestHub, waitFor } from './helpers/test-hub.js';

const DOCUMENTS = 150;
const IMAGES = path.join(ROOT, 'docs/images');

const varDir = process.env.HUB_VAR_DIR ?? path.join(ROOT, 'var');
process.env.REDIS_URL = await resolveRedisUrl(process.env.REDIS_URL, varDir, createLogger({ level: 'warn' }));
process.env.DATABASE_URL = await resolveDatabaseUrl(process.env.DATABASE_URL, varDir, createLogger({ level: 'warn' }));

const t = await startTestHub();
const browser = await launchBrowser();
try {
  const issueDates = new Map(goldenFixtures().map((f) => [f.name, String(expectedOf(f).issueDate)]));
  const all = templates();
  const day = 86_400_000;
  let accepted = 0;
  for (let i = 0; i < DOCUMENTS; i++) {
    const template = all[i % all.length]!;
    let body = replaceNumber(template, `DEMO-${String(i + 1).padStart(4, '0')}`);
    if (!body) continue;
    const issued = issueDates.get(template.name);
    const date = new Date(Date.now() - Math.floor((i * 30 * day) / DOCUMENTS)).toISOString().slice(0, 10);
    if (issued) body = body.replace(`>${issued}<`, `>${date}<`);
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[template.partner], body });
    if (posted.status === 202) accepted++;
  }
  // A few refusals, as partners send them: documents that fail their schema.
  const invalid = path.join(FIXTURES, 'invalid');
  for (const file of readdirSync(invalid).filter((f) => f.endsWith('.xml')).slice(0, 6)) {
    await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: readFileSync(path.join(invalid, file)) });
    await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: '<Order>not UBL</Order>' });
  }
  await waitFor(async () => {
    const { rows } = await t.hub.db.query("SELECT count(*)::int AS n FROM messages WHERE status IN ('accepted', 'processing')");
    return rows[0].n === 0 ? true : undefined;
  }, 'every document delivered or failed', 120_000);
  console.log(`${accepted} documents accepted and processed`);
  const password = await addUser(t, 'olga', 'ops');
  const { context, page } = await signedInPage(browser, t, 'olga', password);
  await page.setViewportSize({ width: 1360, height: 1150 });
  const since = new Date(Date.now() - 31 * day).toISOString().slice(0, 10);
  mkdirSync(IMAGES, { recursive: true });
  for (const [address, file] of [
    ['/console/overview', 'console-overview.png'],
    [`/console/summaries/marketing?from=${since}`, 'console-summary.png'],
  ] as const) {
    const response = await page.goto(`${t.url}${address}`);
    if (response?.status() !== 200) throw new Error(`${address} answered ${response?.status()}`);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(6000); // the charts' first draw, the overview's first poll with the adapters' health
    await page.screenshot({ path: path.join(IMAGES, file) });
    console.log(`saved docs/images/${file}`);
  }
  await context.close();
} finally {
  await browser.close();
  await t.close();
}
