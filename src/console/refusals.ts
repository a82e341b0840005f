/**
 * The refusals pages (ops, integrator): documents the intake refused, searched by partner, error code, time and
 * document number (the filters in the address, so a search can be bookmarked), newest first and keyset-paged by
 * the refusal store's cursor (refusals_by_time / _by_partner / _by_code / _by_number); a refusal's page with its
 * errors, status and code, the bytes as posted (the error lines highlighted) and the message it points to.
 */
import { CANONICAL_TYPES } from '../canonical/types.js';
import { ERROR_CATALOG } from '../errors/catalog.js';
import { HubError, isHubError } from '../errors/hub-error.js';
import { parseListQuery, type ListQuery } from '../http/list-query.js';
import type { Refusal } from '../store/refusal-store.js';
import { UUID_PATTERN } from '../util/ids.js';
import { lineProblems, rawDocumentView } from './document-view.js';
import { html, type SafeHtml } from './html.js';
import { PAGES } from './pages.js';
import type { ConsoleDeps, ConsoleHandler, ConsoleRoute } from './routes.js';
import { layout, messagePage } from './views.js';
import { pageHref, queryValues, selectField, send, when } from './page-kit.js';

export type RefusalPagesDeps = Pick<ConsoleDeps, 'config' | 'refusals'>;

const LIST_PARAMS = ['q', 'partner', 'type', 'code', 'from', 'to', 'limit', 'cursor'] as const;
/** The codes a refusal can carry: the catalog's 4xx codes (5xx answers are not stored as refusals). */
export const REFUSAL_CODES = Object.entries(ERROR_CATALOG)
  .filter(([, spec]) => spec.status >= 400 && spec.status < 500)
  .map(([code]) => code)
  .sort();
const ASSETS = { styles: ['overview.css'] };

/** The address of a search: only the filters given. */
export function refusalsHref(values: Record<string, string | undefined>): string {
  return pageHref('/console/refusals', values);
}

const formValues = (query: Record<string, unknown>) => queryValues(query, LIST_PARAMS);

function searchForm(values: Record<string, string>, partners: readonly string[]): SafeHtml {
  return html`<form class="filters" method="get" action="/console/refusals" data-testid="search">
  <label class="wide">Document number <input name="q" value="${values.q ?? ''}" placeholder="the number the document carried, or a message or refusal id"></label>
  ${selectField('partner', 'Partner', partners, values.partner)}
  ${selectField('code', 'Error code', REFUSAL_CODES, values.code)}
  ${selectField('type', 'Type', CANONICAL_TYPES, values.type)}
  <label>From <input name="from" value="${values.from ?? ''}" placeholder="2026-11-01T08:00:00Z"></label>
  <label>To <input name="to" value="${values.to ?? ''}" placeholder="2026-11-02"></label>
  <button type="submit">Search</button>
</form>`;
}

function firstProblem(r: Refusal): string {
  const first = (r.errors ?? [])[0] as { message?: unknown; line?: unknown } | undefined;
  if (first && typeof first.message === 'string') return `${typeof first.line === 'number' ? `line ${first.line}: ` : ''}${first.message}`;
  return r.detail;
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function resultsTable(items: readonly Refusal[]): SafeHtml {
  if (!items.length) return html`<p class="message" data-testid="no-results">No refusal matches this search.</p>`;
  return html`<table class="results refusals" data-testid="results">
<thead><tr><th>Received</th><th>Partner</th><th>Code</th><th>Status</th><th>Type</th><th>Number</th><th>Problem</th></tr></thead>
<tbody>${items.map(
    (r) => html`<tr data-id="${r.id}"><td><a href="/console/refusals/${r.id}">${when(r.receivedAt)}</a></td><td>${r.partner}</td><td><code>${r.code}</code></td><td>${r.httpStatus}</td><td>${r.documentType ?? ''}</td><td>${r.documentNumber ?? ''}</td><td class="error-text">${clip(firstProblem(r), 200)}${(r.errors?.length ?? 0) > 1 ? html` <span class="muted">(+${r.errors!.length - 1} more)</span>` : ''}</td></tr>`,
  )}</tbody>
</table>`;
}

/** GET /console/refusals: the search form and one page of refusals, newest first. */
function listHandler(deps: RefusalPagesDeps): ConsoleHandler {
  const partners = Object.keys(deps.config.partners);
  return async (req, res) => {
    const { viewer } = req.console!;
    const raw = req.query as Record<string, unknown>;
    const values = formValues(raw);
    let query: ListQuery;
    let page;
    try {
      query = parseListQuery(raw, LIST_PARAMS, { partners, maxLimit: 200 });
      if (query.code && !REFUSAL_CODES.includes(query.code)) throw new HubError('HUB_ERR_BAD_REQUEST', `Query parameter code must be one of the refusal codes (${REFUSAL_CODES.join(', ')}); got "${query.code}".`);
      page = await deps.refusals.query(query);
    } catch (error) {
      if (!isHubError(error) || error.status !== 400) throw error;
      const content = html`<h1>Refusals</h1>${searchForm(values, partners)}<p class="message error" role="alert" data-testid="error">${error.message}</p>`;
      return send(res, 400, layout('Refusals', content, viewer, ASSETS));
    }
    const { cursor: _cursor, ...filters } = values;
    const next = page.next ? refusalsHref({ ...filters, cursor: page.next }) : undefined;
    const content = html`<h1>Refusals</h1>
<p class="muted">Documents the intake refused (bad XML, schema errors, wrong sender, a number already used with other content …), kept with the bytes as posted for ${deps.config.retention.refusalDays} days.</p>
${searchForm(values, partners)}
<p class="muted" data-testid="count">${page.items.length} refusal${page.items.length === 1 ? '' : 's'}${query.cursor ? ' (a later page)' : ''}, newest first.</p>
${resultsTable(page.items)}
<p class="paging">${query.cursor ? html`<a href="${refusalsHref(filters)}">First page</a> ` : ''}${next ? html`<a href="${next}" rel="next" data-testid="next">Next page</a>` : ''}</p>`;
    send(res, 200, layout('Refusals', content, viewer, ASSETS));
  };
}

function errorsTable(errors: readonly unknown[]): SafeHtml {
  if (!errors.length) return html`<p class="muted" data-testid="errors">No itemised errors: the detail above says what was wrong.</p>`;
  return html`<table class="results" data-testid="errors"><thead><tr><th>Line</th><th>Column</th><th>Path</th><th>Message</th></tr></thead>
<tbody>${errors.map((item) => {
    const e = (item ?? {}) as { line?: unknown; column?: unknown; path?: unknown; message?: unknown };
    const text = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? String(v) : '');
    return html`<tr><td>${text(e.line)}</td><td>${text(e.column)}</td><td>${text(e.path)}</td><td class="error-text">${typeof e.message === 'string' ? e.message : JSON.stringify(item)}</td></tr>`;
  })}</tbody></table>`;
}

/** GET /console/refusals/<id>: one refusal whole. */
function detailHandler(deps: RefusalPagesDeps): ConsoleHandler {
  return async (req, res) => {
    const { viewer } = req.console!;
    const id = String(req.params.id);
    const refusal = UUID_PATTERN.test(id) ? await deps.refusals.get(id) : undefined;
    if (!refusal) return send(res, 404, messagePage('Not found', `No refusal ${id} (refusals are kept ${deps.config.retention.refusalDays} days).`, viewer, { href: '/console/refusals', label: 'Search refusals' }));
    const raw = await deps.refusals.raw(id);
    const errors = refusal.errors ?? [];
    const problems = lineProblems([{ errors }]);
    const title = ERROR_CATALOG[refusal.code as keyof typeof ERROR_CATALOG]?.title;
    const heading = refusal.documentNumber ? `${refusal.documentType ?? 'Document'} ${refusal.documentNumber}` : 'Refused document';
    const content = html`<p><a href="${refusalsHref({ partner: refusal.partner })}">Refusals of ${refusal.partner}</a>${refusal.documentNumber ? html` · <a href="${refusalsHref({ q: refusal.documentNumber, partner: refusal.partner })}" data-testid="same-number">every refusal of number ${refusal.documentNumber}</a>` : ''}</p>
<h1>${heading} <span class="muted">refused, from ${refusal.partner}</span></h1>
<dl class="facts" data-testid="facts">
  <dt>Code</dt><dd><code data-testid="code">${refusal.code}</code>${title ? ` — ${title}` : ''}</dd>
  <dt>HTTP status</dt><dd data-testid="http-status">${refusal.httpStatus}</dd>
  <dt>Detail</dt><dd class="error-text" data-testid="detail">${refusal.detail}</dd>
  <dt>Received</dt><dd>${when(refusal.receivedAt)}</dd>
  <dt>Partner</dt><dd>${refusal.partner}${refusal.address ? html` <span class="muted">from ${refusal.address}</span>` : ''}</dd>
  ${refusal.format ? html`<dt>Format</dt><dd>${refusal.format}</dd>` : ''}
  ${refusal.documentType || refusal.documentNumber ? html`<dt>Document</dt><dd>${refusal.documentType ?? ''} ${refusal.documentNumber ?? html`<span class="muted">number not read</span>`}</dd>` : ''}
  ${refusal.originalId
    ? html`<dt>Already accepted</dt><dd data-testid="original"><a href="/console/messages/${refusal.originalId}">the message that already has this number</a> (this post carried other content under it)</dd>`
    : ''}
  <dt>Content type</dt><dd>${refusal.contentType ?? html`<span class="muted">none given</span>`}</dd>
  <dt>Size</dt><dd>${refusal.size.toLocaleString('en-US')} bytes${raw && raw.bytes.length ? html` · <a href="/console/refusals/${refusal.id}/raw" download>download as posted</a>` : ''}</dd>
  <dt>Refusal id</dt><dd><code>${refusal.id}</code></dd>
</dl>
<h2>Errors</h2>
${errorsTable(errors)}
<h2>The document as posted</h2>
${raw && raw.bytes.length ? rawDocumentView(raw.bytes, problems) : html`<p class="muted" data-testid="raw">The post had no body${raw ? '' : ' (or its bytes were removed)'}.</p>`}`;
    send(res, 200, layout(`Refusal ${heading}`, content, viewer, ASSETS));
  };
}

/** GET /console/refusals/<id>/raw: the bytes as posted, as a download (never shown as a page of their own). */
function rawHandler(deps: RefusalPagesDeps): ConsoleHandler {
  return async (req, res) => {
    const id = String(req.params.id);
    const raw = UUID_PATTERN.test(id) ? await deps.refusals.raw(id) : undefined;
    if (!raw) return send(res, 404, messagePage('Not found', `No refusal ${id}.`, req.console!.viewer, { href: '/console/refusals', label: 'Search refusals' }));
    res.type('application/octet-stream').set('Content-Disposition', `attachment; filename="refusal-${id}.xml"`).set('X-Content-Type-Options', 'nosniff').send(raw.bytes);
  };
}

/** The refusals pages' routes. */
export function refusalRoutes(deps: RefusalPagesDeps): ConsoleRoute[] {
  const audience = PAGES.find((p) => p.path === '/console/refusals')!.audience;
  return [
    { method: 'GET', path: '/console/refusals', audience, handler: listHandler(deps) },
    { method: 'GET', path: '/console/refusals/:id', audience, handler: detailHandler(deps) },
    { method: 'GET', path: '/console/refusals/:id/raw', audience, handler: rawHandler(deps) },
  ];
}
