import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { isStoreUnavailable } from '../errors/unavailable.js';
import { projectRoot } from '../util/project-root.js';
import { LOGIN_COOKIE, readCookies, SESSION_COOKIE, setConsoleCookie } from './cookies.js';
import { consoleRoutes } from './modules.js';
import { ACTIONS, PAGES, type ConsolePage } from './pages.js';
import { verifyAgainstNobody, verifyPassword } from './passwords.js';
import { mayUse, parseRole, type ConsoleRole } from './roles.js';
import { sessionKey, SessionStore, type ConsoleSession } from './session-store.js';
import { SignInLimiter } from './sign-in-limiter.js';
import { UserStore } from './user-store.js';
import type { ConsoleDeps, ConsoleRoute } from './routes.js';
import { homePage, loginPage, messagePage, notBuiltPage, type Viewer } from './views.js';
import { send } from './page-kit.js';

export type { ConsoleDeps } from './routes.js';

/**
 * The console's own policy, replacing the API's `default-src 'none'` for /console only: its stylesheet and
 * script from its own origin, forms posting only to itself, never framed; nothing inline.
 */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const ASSETS_DIR = path.join(projectRoot(), 'src/console/assets');
const ASSET_TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

/**
 * The console's own stylesheets and scripts (every file of src/console/assets, read once at start) and the
 * chart library, Chart.js, served from its npm package: the CSP allows only these.
 */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const file of readdirSync(ASSETS_DIR)) {
    const type = ASSET_TYPES[path.extname(file)];
    if (type) assets.set(file, { type, body: readFileSync(path.join(ASSETS_DIR, file)) });
  }
  const chart = path.join(projectRoot(), 'node_modules/chart.js/dist/chart.umd.min.js');
  assets.set('chart.umd.min.js', { type: ASSET_TYPES['.js']!, body: readFileSync(chart) });
  return assets;
}
const ASSETS = loadAssets();

/**
 * A route's entry in pages.ts: the page or action whose path is the route's path or its prefix (up to a `/` or
 * a `.`). A route must have one, with the same audience, so the tests of pages.ts cover every route.
 */
function entryOf(route: ConsoleRoute): Pick<ConsolePage, 'path' | 'audience'> {
  const entries = route.method === 'GET' ? [...PAGES, ...ACTIONS] : ACTIONS;
  const match = entries
    .filter((e) => route.path === e.path || (e.path !== '/console' && (route.path.startsWith(`${e.path}/`) || route.path.startsWith(`${e.path}.`))))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!match) throw new Error(`console route ${route.method} ${route.path} has no entry in src/console/pages.ts`);
  const same = match.audience.length === route.audience.length && match.audience.every((a) => route.audience.includes(a));
  if (!same) throw new Error(`console route ${route.method} ${route.path}: audience [${route.audience.join(', ')}] differs from its entry ${match.path} [${match.audience.join(', ')}]`);
  return match;
}

const SIGN_IN_FAILED = 'The user name or password is wrong.';
const LOGIN_TOKEN_SECONDS = 3600;

interface SignedIn {
  session: ConsoleSession;
  role: ConsoleRole;
  viewer: Viewer;
}

declare module 'express-serve-static-core' {
  interface Request {
    console?: SignedIn;
  }
}

function sameToken(a: unknown, b: string | undefined): boolean {
  if (typeof a !== 'string' || !b || a.length === 0) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The console under /console: sign-in, sessions, CSRF, the pages of each role. */
export function consoleRouter(deps: ConsoleDeps): Router {
  const { config, audit } = deps;
  const tls = Boolean(config.server.tls);
  const users = new UserStore(deps.db);
  const sessions = new SessionStore(deps.db, config.console);
  const limiter = new SignInLimiter(deps.redis, config.redis.keyPrefix, config.console.signInFailures);
  const routes = consoleRoutes(deps);
  const built = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.path));
  const router = Router();

  router.use((_req, res, next) => {
    res.set('Content-Security-Policy', CONSOLE_CSP);
    // The server time of each answer, for the browser's network panel and the console benchmark: from the
    // request to its headers (a page is built before its headers are written; a stream's first event).
    const started = process.hrtime.bigint();
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
      if (!this.headersSent) this.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)}`);
      return writeHead.apply(this, args);
    } as Response['writeHead'];
    next();
  });
  // The forms that carry a whole document (mapping test, a partner's check before sending) take up to the
  // intake's own limit (a pasted document is URL-encoded, up to 3 bytes a byte); every other form 64 kB.
  router.use(['/mapping-test', '/partner/validate'], express.urlencoded({ extended: false, limit: config.server.bodyLimitBytes * 3 + 65536, parameterLimit: 50 }));
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 }));

  router.get('/assets/:file', (req, res, next) => {
    const asset = ASSETS.get(req.params.file);
    if (!asset) return next();
    res.set('Cache-Control', 'no-cache').type(asset.type).send(asset.body);
  });

  /** The signed-in user of the request's cookie, when the session is live and the role still valid. */
  async function signedIn(req: Request): Promise<SignedIn | undefined> {
    const id = readCookies(req).get(SESSION_COOKIE);
    if (!id) return undefined;
    const session = await sessions.use(id);
    if (!session) return undefined;
    const role = parseRole(session.user.role, config);
    if ('error' in role) return undefined;
    const partnerName = role.kind === 'partner' ? config.partners[role.partnerId]!.name : undefined;
    const pages = PAGES.filter((p) => mayUse(role, p.audience)).map((p) => ({ ...p, built: p.path === '/console' || built.has(p.path) }));
    return { session, role, viewer: { name: session.user.name, role: session.user.role, partnerName, csrfToken: session.csrfToken, pages } };
  }

  function showLogin(req: Request, res: Response, status: number, options: { message?: string; userName?: string } = {}): void {
    const token = randomBytes(32).toString('base64url');
    setConsoleCookie(req, res, LOGIN_COOKIE, token, { tls, maxAgeSeconds: LOGIN_TOKEN_SECONDS });
    send(res, status, loginPage({ csrfToken: token, ...options }));
  }

  function forbiddenCsrf(res: Response, viewer?: Viewer): void {
    send(res, 403, messagePage('Refused', 'This form was not sent from a page of this console (its security token is missing or wrong). Reload the page and try again.', viewer));
  }

  router.get('/login', async (req, res) => {
    if (await signedIn(req)) return res.redirect(303, '/console');
    showLogin(req, res, 200);
  });

  router.post('/login', async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    if (!sameToken(form.csrf, readCookies(req).get(LOGIN_COOKIE))) return forbiddenCsrf(res);
    const userName = typeof form.username === 'string' ? form.username.trim().slice(0, 200) : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const address = req.ip ?? 'unknown';
    const wait = await limiter.blockedFor(userName, address);
    if (wait > 0) {
      await audit.record({ event: 'console.signin.failed', actor: 'anonymous', address, code: 'rate-limited', detail: `user name "${userName}": refused, too many failed sign-ins` });
      res.set('Retry-After', String(wait));
      return showLogin(req, res, 429, { message: `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute(s).`, userName });
    }
    const user = userName ? await users.find(userName) : undefined;
    const role = user ? parseRole(user.role, config) : undefined;
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstNobody(password);
    if (!user || !ok || user.disabled || !role || 'error' in role) {
      const reason = !user ? 'no such user' : !ok ? 'wrong password' : user.disabled ? 'user disabled' : `role ${user.role} no longer valid`;
      const reached = await limiter.failed(userName, address);
      await audit.record({ event: 'console.signin.failed', actor: 'anonymous', address, code: 'credentials', detail: `user name "${userName}": ${reason}` });
      if (reached.userLimitReached || reached.addressLimitReached) {
        const which = [reached.userLimitReached ? `user name "${userName}"` : '', reached.addressLimitReached ? `address ${address}` : ''].filter(Boolean).join(' and ');
        await audit.record({ event: 'rate.limited', actor: 'anonymous', address, detail: `console sign-in: ${which} reached the limit of failed sign-ins` });
      }
      return showLogin(req, res, 401, { message: SIGN_IN_FAILED, userName });
    }
    // A new id at every sign-in (no session fixation); a session this browser still had ends.
    const previous = readCookies(req).get(SESSION_COOKIE);
    if (previous) await sessions.end(sessionKey(previous));
    const { sessionId } = await sessions.create(user.id);
    setConsoleCookie(req, res, LOGIN_COOKIE, '', { tls, maxAgeSeconds: 0 });
    setConsoleCookie(req, res, SESSION_COOKIE, sessionId, { tls, maxAgeSeconds: config.console.sessionMinutes * 60 });
    await audit.record({ event: 'console.signin', actor: `console:${user.name}`, address, detail: `role ${user.role}` });
    res.redirect(303, '/console');
  });

  // Everything below needs a live session: a page redirects to the sign-in, anything else is refused.
  router.use(async (req, res, next) => {
    const found = await signedIn(req);
    if (found) {
      req.console = found;
      return next();
    }
    if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, '/console/login');
    send(res, 401, messagePage('Signed out', 'You are not signed in, or your session has ended.', undefined, { href: '/console/login', label: 'Sign in' }));
  });

  // Every state-changing request of a session carries the session's CSRF token in its form.
  router.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const form = (req.body ?? {}) as Record<string, unknown>;
    if (!sameToken(form.csrf, req.console!.session.csrfToken)) return forbiddenCsrf(res, req.console!.viewer);
    next();
  });

  router.post('/logout', async (req, res) => {
    const { session } = req.console!;
    await sessions.end(session.idSha256);
    setConsoleCookie(req, res, SESSION_COOKIE, '', { tls, maxAgeSeconds: 0 });
    await audit.record({ event: 'console.signout', actor: `console:${session.user.name}`, address: req.ip });
    res.redirect(303, '/console/login');
  });

  /** Whether the signed-in role may use a page or action; if not, the answer is a 403 page, never its data. */
  async function allowed(req: Request, res: Response, page: Pick<ConsolePage, 'audience'>): Promise<boolean> {
    const { role, viewer } = req.console!;
    if (mayUse(role, page.audience)) return true;
    await audit.record({ event: 'auth.forbidden', actor: `console:${viewer.name}`, address: req.ip, detail: `${req.method} ${req.path === '/' ? '/console' : `/console${req.path}`} (role ${viewer.role})` });
    send(res, 403, messagePage('Not for your role', `Your role (${viewer.role}) may not use this page.`, viewer, { href: '/console', label: 'Back to your pages' }));
    return false;
  }

  // The pages' routes (src/console/<page>.ts, listed in modules.ts), each behind the access check of its entry in
  // pages.ts; a page of pages.ts no module serves yet answers 'not built yet' (501) to the roles it is for.
  for (const route of routes) {
    const entry = entryOf(route);
    const method = route.method === 'GET' ? 'get' : 'post';
    router[method](route.path.slice('/console'.length) || '/', async (req, res) => {
      if (await allowed(req, res, entry)) await route.handler(req, res);
    });
  }
  for (const page of PAGES) {
    if (built.has(page.path)) continue;
    router.get(page.path === '/console' ? '/' : page.path.slice('/console'.length), async (req, res) => {
      if (!(await allowed(req, res, page))) return;
      const viewer = req.console!.viewer;
      send(res, page.path === '/console' ? 200 : 501, page.path === '/console' ? homePage(viewer) : notBuiltPage(page, viewer));
    });
  }
  for (const action of ACTIONS) {
    if (routes.some((r) => r.method === 'POST' && r.path === action.path)) continue;
    router.post(action.path.slice('/console'.length), async (req, res) => {
      if (!(await allowed(req, res, action))) return;
      send(res, 501, messagePage(action.title, `${action.title} is not built yet (issue 10).`, req.console!.viewer));
    });
  }

  router.use((req, res) => {
    send(res, 404, messagePage('Not found', 'There is no such page in the console.', req.console?.viewer, { href: '/console', label: 'Back to your pages' }));
  });
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // A body the form parser refused (too large, malformed): the sender's fault, said without details.
      return send(res, status === 413 ? 413 : 400, messagePage('Refused', 'The form could not be read.'));
    }
    const storeDown = isStoreUnavailable(error);
    deps.logger.error({ err: error, method: req.method, url: req.originalUrl }, storeDown ? 'console: store unavailable' : 'console: unexpected error');
    if (res.headersSent) return;
    if (storeDown) res.set('Retry-After', '5');
    send(res, storeDown ? 503 : 500, messagePage(storeDown ? 'Unavailable' : 'Error', storeDown ? 'The hub cannot reach its database right now. Try again in a moment.' : 'The console hit an unexpected error; it has been logged.'));
  });
  return router;
}
