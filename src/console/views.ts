import { html, type SafeHtml } from './html.js';
import type { ConsolePage, NavPage } from './pages.js';

/** What a page needs to know about who is looking: shown in the header, and the token for its forms. */
export interface Viewer {
  name: string;
  role: string;
  /** The partner's display name, for partner users. */
  partnerName?: string;
  csrfToken: string;
  pages: readonly NavPage[];
}

/** A page's own stylesheets and scripts, by file name under /console/assets/ (besides console.css and console.js). */
export interface PageAssets {
  styles?: readonly string[];
  scripts?: readonly string[];
}

/** The one page frame: the console's own stylesheet and script (CSP: nothing inline), header, nav, content. */
export function layout(title: string, content: SafeHtml, viewer?: Viewer, assets: PageAssets = {}): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · hub console</title>
<link rel="stylesheet" href="/console/assets/console.css">
${(assets.styles ?? []).map((f) => html`<link rel="stylesheet" href="/console/assets/${f}">
`)}<script src="/console/assets/console.js" defer></script>
${(assets.scripts ?? []).map((f) => html`<script src="/console/assets/${f}" defer></script>
`)}
</head>
<body>
<header class="top">
  <a class="brand" href="/console">hub console</a>
  ${viewer
    ? html`<span class="who" data-testid="who">${viewer.name} · ${viewer.partnerName ?? viewer.role}</span>
  <form class="signout" method="post" action="/console/logout">
    <input type="hidden" name="csrf" value="${viewer.csrfToken}">
    <button type="submit">Sign out</button>
  </form>`
    : ''}
</header>
${viewer ? html`<nav class="pages" aria-label="Pages"><ul>${viewer.pages.map((p) => html`<li><a href="${p.path}"${p.built ? '' : html` class="not-built"`}>${p.title}</a></li>`)}</ul></nav>` : ''}
<main>
${content}
</main>
</body>
</html>
`;
}

export function loginPage(options: { csrfToken: string; message?: string; userName?: string }): SafeHtml {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
${options.message ? html`<p class="message error" role="alert" data-testid="message">${options.message}</p>` : ''}
<form class="login" method="post" action="/console/login">
  <input type="hidden" name="csrf" value="${options.csrfToken}">
  <label>User name <input name="username" autocomplete="username" required autofocus value="${options.userName ?? ''}"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

export function homePage(viewer: Viewer): SafeHtml {
  const others = viewer.pages.filter((p) => p.path !== '/console');
  return layout(
    'Home',
    html`<h1>Signed in as <span data-testid="user-name">${viewer.name}</span></h1>
<dl class="facts">
  <dt>Role</dt><dd data-testid="role">${viewer.role}</dd>
  ${viewer.partnerName ? html`<dt>Partner</dt><dd data-testid="partner">${viewer.partnerName}</dd>` : ''}
</dl>
<h2>Your pages</h2>
<ul class="page-list" data-testid="pages">
${others.map((p) => html`<li><a href="${p.path}">${p.title}</a> — ${p.summary}${p.built ? '' : html` <em>(not built yet)</em>`}</li>`)}
</ul>`,
    viewer,
  );
}

export function notBuiltPage(page: ConsolePage, viewer: Viewer): SafeHtml {
  return layout(
    page.title,
    html`<h1>${page.title}</h1>
<p class="message" data-testid="not-built">This page is not built yet: ${page.summary}. It is planned in issue 10 (docs/console.md lists what is built).</p>`,
    viewer,
  );
}

/** A page that only says something: forbidden, signed out, not found, too many attempts, an error. */
export function messagePage(title: string, text: string, viewer?: Viewer, link?: { href: string; label: string }): SafeHtml {
  return layout(title, html`<h1>${title}</h1><p class="message" data-testid="message">${text}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}`, viewer);
}
