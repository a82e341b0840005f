/**
 * The console's foundation in a real browser (Debian's chromium through playwright-core): users of every role
 * made with the CLI, sign-in, the role × page matrix, failed sign-ins (audited, rate limited), sign-out,
 * session expiry, CSRF, cookie flags and the console's content security policy. Screenshots go to
 * test-output/screenshots/.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLogger } from '../../src/main.js';
import { CONSOLE_CSP } from '../../src/console/router.js';
import { ACTIONS, PAGES } from '../../src/console/pages.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { addUser, hubCli, sessionCookie, signIn } from '../helpers/console.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

const SIGN_IN_FAILED = 'The user name or password is wrong.';

/** Who may open each page, written out here (not read from src/console/pages.ts) so a wrong table goes red. */
const MATRIX: Record<string, string[]> = {
  '/console': ['ops', 'integrator', 'marketing', 'planning', 'finance', 'partner:acme', 'partner:globex'],
  '/console/overview': ['ops'],
  '/console/queues': ['ops'],
  '/console/messages': ['ops', 'integrator'],
  '/console/refusals': ['ops', 'integrator'],
  '/console/outbound': ['ops'],
  '/console/chains': ['ops', 'integrator'],
  '/console/summaries/marketing': ['ops', 'marketing'],
  '/console/summaries/planning': ['ops', 'planning'],
  '/console/summaries/inventory': ['ops', 'planning'],
  '/console/summaries/finance': ['ops', 'finance'],
  '/console/mapping-test': ['ops', 'integrator'],
  '/console/partner': ['ops', 'partner:acme', 'partner:globex'],
};
const ACTION_MATRIX: Record<string, string[]> = {
  '/console/messages/replay': ['ops'],
  '/console/replays': ['ops'],
  '/console/mapping-test': ['ops', 'integrator'],
  '/console/partner/validate': ['ops', 'partner:acme', 'partner:globex'],
};

const USERS: Array<[name: string, role: string]> = [
  ['olga', 'ops'],
  ['ivan', 'integrator'],
  ['maria', 'marketing'],
  ['paul', 'planning'],
  ['fiona', 'finance'],
  ['acme.buyer', 'partner:acme'],
  ['globex.clerk', 'partner:globex'],
];

/** The sign-in form's token and its pre-session cookie, as a browser would get them. */
async function loginForm(t: TestHub, headers: Record<string, string> = {}): Promise<{ token: string; cookie: string; setCookie: string }> {
  const response = await fetch(`${t.url}/console/login`, { headers, redirect: 'manual' });
  const body = await response.text();
  const token = /name="csrf" value="([^"]+)"/.exec(body)![1]!;
  const setCookie = response.headers.get('set-cookie') ?? '';
  return { token, cookie: setCookie.split(';')[0]!, setCookie };
}

/** Posts the sign-in form without a browser (for counting failures quickly); returns the response. */
async function postLogin(t: TestHub, username: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  const form = await loginForm(t, headers);
  return fetch(`${t.url}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: new URLSearchParams({ csrf: form.token, username, password }).toString(),
  });
}

describe('the console in a real browser', function () {
  this.timeout(180_000);
  let t: TestHub;
  let browser: Browser;
  const passwords = new Map<string, string>();
  const logLines: string[] = [];

  before(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await startTestHub({
      workers: false,
      logger: createLogger({ level: 'info', destination }),
      configure: (raw) => {
        raw.server = { ...raw.server, trustProxy: 'loopback' };
        raw.console = { signInFailures: { perUser: { limit: 3, windowSeconds: 600 }, perAddress: { limit: 1000, windowSeconds: 600 } } };
      },
    });
    browser = await launchBrowser();
    for (const [name, role] of USERS) passwords.set(name, await addUser(t, name, role));
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    return { context, page: await context.newPage() };
  }

  describe('hub users', () => {
    it('add prints a generated first password on a line of its own and list shows every user with its role', async () => {
      for (const password of passwords.values()) expect(password).to.match(/^[A-Za-z0-9_-]{24}$/);
      expect(new Set(passwords.values()).size).to.equal(USERS.length);
      const list = await hubCli(t, 'users', 'list');
      expect(list.status, list.stderr).to.equal(0);
      const rows = list.stdout.trim().split('\n').map((l) => l.split('\t').slice(0, 3));
      expect(rows).to.deep.equal([...USERS].sort((a, b) => a[0].localeCompare(b[0])).map(([n, r]) => [n, r, 'active']));
      const { rows: stored } = await t.hub.db.query('SELECT password_hash FROM console_users');
      for (const { password_hash } of stored) expect(password_hash).to.match(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      const added = await t.hub.audit.query({ event: 'console.user.added', limit: 50 });
      expect(added.map((e) => e.detail).sort()).to.deep.equal(USERS.map(([n, r]) => `${n}: role ${r}`).sort());
    });

    it('refuses an unknown role, an unknown partner, a taken name and unknown users, saying which', async () => {
      const role = await hubCli(t, 'users', 'add', 'zed', '--role', 'boss');
      expect(role.status).to.equal(2);
      expect(role.stderr).to.contain('unknown role "boss"');
      const partner = await hubCli(t, 'users', 'add', 'zed', '--role', 'partner:nobody');
      expect(partner.status).to.equal(2);
      expect(partner.stderr).to.contain('no partner "nobody" is configured');
      const noRole = await hubCli(t, 'users', 'add', 'zed');
      expect(noRole.status).to.equal(2);
      expect(noRole.stderr).to.contain('needs --role');
      const taken = await hubCli(t, 'users', 'add', 'OLGA', '--role', 'finance');
      expect(taken.status).to.equal(1);
      expect(taken.stderr).to.contain('exists already');
      for (const action of ['passwd', 'remove']) {
        const unknown = await hubCli(t, 'users', action, 'nobody');
        expect(unknown.status).to.equal(1);
        expect(unknown.stderr).to.contain('no console user "nobody"');
      }
      const { rows } = await t.hub.db.query("SELECT count(*) AS n FROM console_users WHERE lower(name) = 'zed'");
      expect(rows[0].n).to.equal(0);
    });

    it('passwd gives a new password, ends the sessions, and the old password no longer signs in', async () => {
      const first = await addUser(t, 'pat', 'planning');
      const { context, page } = await newPage();
      await signIn(page, t, 'pat', first);
      const second = /^password: (\S+)$/m.exec((await hubCli(t, 'users', 'passwd', 'pat')).stdout)![1]!;
      expect(second).to.not.equal(first);
      await page.goto(`${t.url}/console`);
      expect(page.url()).to.equal(`${t.url}/console/login`);
      expect((await postLogin(t, 'pat', first)).status).to.equal(401);
      const ok = await postLogin(t, 'pat', second);
      expect(ok.status).to.equal(303);
      expect(ok.headers.get('location')).to.equal('/console');
      expect((await t.hub.audit.query({ event: 'console.user.password-changed', limit: 5 }))[0]!.detail).to.equal('pat: new password, sessions ended');
      await context.close();
    });

    it('disable ends the user’s sessions and refuses their sign-ins; enable lets them in again with the same password', async () => {
      const password = await addUser(t, 'dora', 'marketing');
      const { context, page } = await newPage();
      await signIn(page, t, 'dora', password);
      const disabled = await hubCli(t, 'users', 'disable', 'dora');
      expect(disabled.status, disabled.stderr).to.equal(0);
      expect(disabled.stdout).to.contain('disabled console user dora; 1 session(s) ended');
      await page.goto(`${t.url}/console`);
      expect(page.url()).to.equal(`${t.url}/console/login`);
      expect((await postLogin(t, 'dora', password)).status).to.equal(401);
      expect((await hubCli(t, 'users', 'list')).stdout).to.match(/^dora\tmarketing\tdisabled\t/m);
      expect((await hubCli(t, 'users', 'disable', 'dora')).stdout).to.contain('already disabled');
      expect((await t.hub.audit.query({ event: 'console.user.disabled', limit: 5 }))[0]!.detail).to.equal('dora: role marketing, 1 session(s) ended');
      const enabled = await hubCli(t, 'users', 'enable', 'dora');
      expect(enabled.status, enabled.stderr).to.equal(0);
      await signIn(page, t, 'dora', password);
      expect(await page.getByTestId('user-name').textContent()).to.equal('dora');
      expect((await hubCli(t, 'users', 'disable', 'nobody')).status).to.equal(1);
      await context.close();
    });

    it('remove ends the user’s sessions and they can no longer sign in', async () => {
      const password = await addUser(t, 'rita', 'finance');
      const { context, page } = await newPage();
      await signIn(page, t, 'rita', password);
      const removed = await hubCli(t, 'users', 'remove', 'rita');
      expect(removed.status, removed.stderr).to.equal(0);
      expect(removed.stdout).to.contain('1 session(s) ended');
      await page.goto(`${t.url}/console`);
      expect(page.url()).to.equal(`${t.url}/console/login`);
      expect((await postLogin(t, 'rita', password)).status).to.equal(401);
      expect((await t.hub.audit.query({ event: 'console.user.removed', limit: 5 }))[0]!.detail).to.equal('rita: role finance, 1 session(s) ended');
      await context.close();
    });
  });

  describe('sign-in and pages', () => {
    it('the matrix of this test covers every page and action of the console', () => {
      expect(PAGES.map((p) => p.path).sort()).to.deep.equal(Object.keys(MATRIX).sort());
      expect(ACTIONS.map((a) => a.path).sort()).to.deep.equal(Object.keys(ACTION_MATRIX).sort());
    });

    it('a page without a session redirects to the sign-in; the sign-in page has the username and password fields', async () => {
      const { context, page } = await newPage();
      const response = await page.goto(`${t.url}/console/messages`);
      expect(page.url()).to.equal(`${t.url}/console/login`);
      expect(response!.status()).to.equal(200);
      expect(await page.locator('form input[name=username]').count()).to.equal(1);
      expect(await page.locator('form input[name=password][type=password]').count()).to.equal(1);
      await screenshot(page, 'console-login');
      await context.close();
    });

    for (const [name, role] of USERS) {
      it(`${role} signs in and gets exactly the pages of the role; every other page is a 403 page`, async () => {
        const { context, page } = await newPage();
        await signIn(page, t, name, passwords.get(name)!);
        expect(await page.getByTestId('user-name').textContent()).to.equal(name);
        expect(await page.getByTestId('role').textContent()).to.equal(role);
        const nav = await page.locator('nav.pages a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
        expect(nav).to.deep.equal(Object.keys(MATRIX).filter((p) => MATRIX[p]!.includes(role)));
        const notBuilt = await page.locator('nav.pages a.not-built').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
        if (role === 'ops' || role === 'partner:acme') await screenshot(page, `console-home-${role.replace(':', '-')}`);
        for (const [pagePath, roles] of Object.entries(MATRIX)) {
          const response = await page.goto(`${t.url}${pagePath}`);
          const text = await page.locator('main').textContent();
          if (!roles.includes(role)) {
            expect(response!.status(), `${role} ${pagePath}`).to.equal(403);
            expect(text).to.contain(`Your role (${role}) may not use this page.`);
          } else if (!notBuilt.includes(pagePath)) expect(response!.status(), `${role} ${pagePath}`).to.equal(200);
          else {
            expect(response!.status(), `${role} ${pagePath}`).to.equal(501);
            expect(await page.getByTestId('not-built').textContent()).to.contain('not built yet');
          }
        }
        const cookie = await sessionCookie(context);
        await page.goto(`${t.url}/console`);
        const csrf = await page.locator('input[name=csrf]').first().inputValue();
        for (const [actionPath, roles] of Object.entries(ACTION_MATRIX)) {
          const r = await fetch(`${t.url}${actionPath}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(csrf)}` });
          // An allowed role's POST carrying only the CSRF token: 400 from a built action (the form names nothing), 501 from one not built yet.
          if (roles.includes(role)) expect([400, 501], `${role} POST ${actionPath}`).to.include(r.status);
          else expect(r.status, `${role} POST ${actionPath}`).to.equal(403);
        }
        const forbidden = await t.hub.audit.query({ event: 'auth.forbidden', actor: `console:${name}`, limit: 100 });
        const refusedPaths = [...Object.entries(MATRIX).map(([p, r]) => ['GET', p, r] as const), ...Object.entries(ACTION_MATRIX).map(([p, r]) => ['POST', p, r] as const)]
          .filter(([, , roles]) => !roles.includes(role))
          .map(([method, p]) => `${method} ${p} (role ${role})`);
        expect(forbidden.map((e) => e.detail).sort()).to.deep.equal(refusedPaths.sort());
        await context.close();
      });
    }

    it('a partner user sees their own partner’s name and no other partner’s', async () => {
      const { context, page } = await newPage();
      await signIn(page, t, 'acme.buyer', passwords.get('acme.buyer')!);
      const partners = t.hub.config.partners;
      expect(await page.getByTestId('partner').textContent()).to.equal(partners.acme!.name);
      const text = (await page.content()).toLowerCase();
      for (const other of Object.values(partners).filter((p) => p.id !== 'acme')) {
        expect(text).to.not.contain(other.name.toLowerCase());
        expect(text).to.not.contain(other.id);
      }
      await context.close();
    });

    it('pages load the console’s own stylesheet and script under a CSP that refuses inline scripts; the API keeps its own', async () => {
      const { context, page } = await newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') violations.push(m.text());
      });
      await signIn(page, t, 'olga', passwords.get('olga')!);
      const response = await page.goto(`${t.url}/console`);
      expect(response!.headers()['content-security-policy']).to.equal(CONSOLE_CSP);
      expect(CONSOLE_CSP).to.not.contain('unsafe');
      expect(await page.evaluate(() => document.documentElement.dataset.script)).to.equal('loaded');
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).to.equal('rgb(246, 247, 249)');
      expect(await page.locator('nav.pages a[aria-current=page]').getAttribute('href')).to.equal('/console');
      expect(violations).to.deep.equal([]);
      const inline = await page.evaluate(async () => {
        const script = document.createElement('script');
        script.textContent = 'document.body.dataset.inline = "ran"';
        document.head.append(script);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return document.body.dataset.inline ?? 'blocked';
      });
      expect(inline).to.equal('blocked');
      const api = await fetch(`${t.url}/healthz`);
      expect(api.headers.get('content-security-policy')).to.equal("default-src 'none'; frame-ancestors 'none'");
      await context.close();
    });

    it('the session cookie is HttpOnly, SameSite=Strict, Path=/console, expiring, Secure over HTTPS; only its SHA-256 is stored', async () => {
      const plain = await postLogin(t, 'maria', passwords.get('maria')!);
      expect(plain.status).to.equal(303);
      const cookies = plain.headers.getSetCookie();
      const session = cookies.find((c) => c.startsWith('hub_console_session='))!;
      expect(session.split('; ').slice(1).sort()).to.deep.equal(['HttpOnly', `Max-Age=${8 * 60 * 60}`, 'Path=/console', 'SameSite=Strict']);
      const value = session.split(';')[0]!.split('=')[1]!;
      const { rows } = await t.hub.db.query('SELECT id_sha256 FROM console_sessions WHERE id_sha256 = $1 OR id_sha256 = $2', [value, createHash('sha256').update(value).digest('hex')]);
      expect(rows.map((r) => r.id_sha256)).to.deep.equal([createHash('sha256').update(value).digest('hex')]);
      // Through a trusted proxy that terminated TLS (trustProxy: loopback in this test's config).
      const proxied = await postLogin(t, 'maria', passwords.get('maria')!, { 'x-forwarded-proto': 'https' });
      expect(proxied.headers.getSetCookie().find((c) => c.startsWith('hub_console_session='))).to.contain('; Secure');
    });
  });

  describe('failed sign-ins', () => {
    it('a wrong password and an unknown user get the same message and status, and both are audited', async () => {
      const { context, page } = await newPage();
      await page.goto(`${t.url}/console/login`);
      await page.fill('input[name=username]', 'ivan');
      await page.fill('input[name=password]', 'not-the-password');
      const [wrong] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')]);
      expect(wrong.status()).to.equal(401);
      expect(await page.getByTestId('message').textContent()).to.equal(SIGN_IN_FAILED);
      await page.fill('input[name=username]', 'nobody-here');
      await page.fill('input[name=password]', 'whatever');
      const [unknown] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')]);
      expect(unknown.status()).to.equal(401);
      expect(await page.getByTestId('message').textContent()).to.equal(SIGN_IN_FAILED);
      const failed = await t.hub.audit.query({ event: 'console.signin.failed', limit: 50 });
      expect(failed.map((e) => e.detail)).to.include.members(['user name "ivan": wrong password', 'user name "nobody-here": no such user']);
      expect(failed.every((e) => e.actor === 'anonymous' && e.address !== undefined)).to.equal(true);
      const signins = await t.hub.audit.query({ event: 'console.signin', actor: 'console:olga', limit: 50 });
      expect(signins.length).to.be.greaterThan(0);
      await context.close();
    });

    it('after the limit of failures for a user name, even the right password is refused (429) until the window ends; others still sign in', async () => {
      const password = await addUser(t, 'limited', 'marketing');
      for (let i = 0; i < 3; i++) expect((await postLogin(t, 'limited', `wrong-${i}`)).status).to.equal(401);
      const refused = await postLogin(t, 'limited', password);
      expect(refused.status).to.equal(429);
      expect(Number(refused.headers.get('retry-after'))).to.be.greaterThan(0);
      expect(await refused.text()).to.contain('Too many failed sign-ins');
      // Same answer for a name that does not exist, so the limit does not tell which names are users.
      for (let i = 0; i < 3; i++) await postLogin(t, 'ghost', 'x');
      expect((await postLogin(t, 'ghost', 'x')).status).to.equal(429);
      expect((await postLogin(t, 'fiona', passwords.get('fiona')!)).status).to.equal(303);
      const limited = await t.hub.audit.query({ event: 'rate.limited', limit: 10 });
      expect(limited.map((e) => e.detail)).to.include('console sign-in: user name "limited" reached the limit of failed sign-ins');
      const refusedEntries = await t.hub.audit.query({ event: 'console.signin.failed', limit: 100 });
      expect(refusedEntries.filter((e) => e.code === 'rate-limited' && e.detail?.startsWith('user name "limited"'))).to.have.length(1);
    });
  });

  describe('sessions and CSRF', () => {
    it('signing out ends the session: its cookie no longer opens a page', async () => {
      const { context, page } = await newPage();
      await signIn(page, t, 'paul', passwords.get('paul')!);
      const cookie = await sessionCookie(context);
      await Promise.all([page.waitForURL(`${t.url}/console/login`), page.click('form.signout button')]);
      await page.goto(`${t.url}/console`);
      expect(page.url()).to.equal(`${t.url}/console/login`);
      const replayed = await fetch(`${t.url}/console`, { headers: { cookie }, redirect: 'manual' });
      expect(replayed.status).to.equal(303);
      expect(replayed.headers.get('location')).to.equal('/console/login');
      const { rows } = await t.hub.db.query('SELECT count(*) AS n FROM console_sessions WHERE id_sha256 = $1', [createHash('sha256').update(cookie.split('=')[1]!).digest('hex')]);
      expect(rows[0].n).to.equal(0);
      expect((await t.hub.audit.query({ event: 'console.signout', actor: 'console:paul', limit: 5 })).length).to.equal(1);
      await context.close();
    });

    it('an expired session, or one idle too long, sends the browser back to the sign-in', async () => {
      const { context, page } = await newPage();
      await signIn(page, t, 'ivan', passwords.get('ivan')!);
      await t.hub.db.query("UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM console_users WHERE name = 'ivan')");
      await page.goto(`${t.url}/console/messages`);
      expect(page.url()).to.equal(`${t.url}/console/login`);
      await signIn(page, t, 'ivan', passwords.get('ivan')!);
      await page.goto(`${t.url}/console/messages`);
      expect(page.url()).to.equal(`${t.url}/console/messages`);
      await t.hub.db.query("UPDATE console_sessions SET last_seen_at = now() - interval '61 minutes' WHERE user_id = (SELECT id FROM console_users WHERE name = 'ivan')");
      await page.goto(`${t.url}/console/messages`);
      expect(page.url()).to.equal(`${t.url}/console/login`);
      await context.close();
    });

    it('a POST without the session’s token or with a forged one is a 403 page and changes nothing; without a session it is refused', async () => {
      const { context, page } = await newPage();
      await signIn(page, t, 'olga', passwords.get('olga')!);
      const cookie = await sessionCookie(context);
      const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
      const missing = await fetch(`${t.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: form, body: '' });
      expect(missing.status).to.equal(403);
      expect(await missing.text()).to.contain('security token is missing or wrong');
      const forged = await fetch(`${t.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: form, body: 'csrf=forged-token-of-the-same-length-as-a-real-one' });
      expect(forged.status).to.equal(403);
      const action = await fetch(`${t.url}/console/replays`, { method: 'POST', redirect: 'manual', headers: form, body: 'csrf=' });
      expect(action.status).to.equal(403);
      expect((await fetch(`${t.url}/console`, { headers: { cookie }, redirect: 'manual' })).status).to.equal(200);
      const csrf = await page.locator('input[name=csrf]').first().inputValue();
      const noSession = await fetch(`${t.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${csrf}` });
      expect(noSession.status).to.equal(401);
      const real = await fetch(`${t.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: form, body: `csrf=${encodeURIComponent(csrf)}` });
      expect(real.status).to.equal(303);
      await context.close();
    });

    it('signing in again ends the session the browser had and starts one with a new id', async () => {
      const sessionOf = (r: Response) => r.headers.getSetCookie().find((c) => c.startsWith('hub_console_session='))!.split(';')[0]!;
      const first = sessionOf(await postLogin(t, 'fiona', passwords.get('fiona')!));
      const form = await loginForm(t);
      const again = await fetch(`${t.url}/console/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${form.cookie}; ${first}` },
        body: new URLSearchParams({ csrf: form.token, username: 'fiona', password: passwords.get('fiona')! }).toString(),
      });
      const second = sessionOf(again);
      expect(second).to.not.equal(first);
      expect((await fetch(`${t.url}/console`, { headers: { cookie: first }, redirect: 'manual' })).status).to.equal(303);
      expect((await fetch(`${t.url}/console`, { headers: { cookie: second }, redirect: 'manual' })).status).to.equal(200);
    });

    it('the sign-in form is refused without its pre-session token, or with a token other than its cookie’s', async () => {
      const body = new URLSearchParams({ username: 'olga', password: passwords.get('olga')! });
      const bare = await fetch(`${t.url}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
      expect(bare.status).to.equal(403);
      const a = await loginForm(t);
      const b = await loginForm(t);
      body.set('csrf', b.token);
      const crossed = await fetch(`${t.url}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: a.cookie }, body: body.toString() });
      expect(crossed.status).to.equal(403);
      body.set('csrf', a.token);
      const matching = await fetch(`${t.url}/console/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: a.cookie }, body: body.toString() });
      expect(matching.status).to.equal(303);
      expect(a.setCookie).to.contain('HttpOnly').and.contain('SameSite=Strict').and.contain('Path=/console');
    });
  });

  // A suite of its own so mocha runs it after the others (a suite's own tests run before its nested suites).
  describe('afterwards', () => {
    it('no password ever reaches the hub’s log or the audit log', async () => {
      const log = logLines.join('');
      expect(log).to.contain('console.signin');
      const { rows } = await t.hub.db.query("SELECT coalesce(string_agg(coalesce(detail, '') || ' ' || actor, '\n'), '') AS text FROM audit_log");
      for (const password of passwords.values()) {
        expect(log).to.not.contain(password);
        expect(rows[0].text).to.not.contain(password);
      }
    });
  });
});

describe('the console’s limit of failed sign-ins per address', function () {
  this.timeout(60_000);
  let t: TestHub;

  before(async () => {
    t = await startTestHub({ workers: false, configure: (raw) => (raw.console = { signInFailures: { perUser: { limit: 100, windowSeconds: 600 }, perAddress: { limit: 3, windowSeconds: 600 } } }) });
  });
  after(async () => t?.close());

  it('after the limit of failures from one address, every name is refused from it (429)', async () => {
    const password = await addUser(t, 'amy', 'ops');
    for (const name of ['a1', 'a2', 'a3']) expect((await postLogin(t, name, 'guess')).status).to.equal(401);
    expect((await postLogin(t, 'amy', password)).status).to.equal(429);
    const limited = await t.hub.audit.query({ event: 'rate.limited', limit: 5 });
    expect(limited.map((e) => e.detail)).to.deep.equal(['console sign-in: address 127.0.0.1 reached the limit of failed sign-ins']);
  });
});
