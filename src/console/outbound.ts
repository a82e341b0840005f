/**
 * The outbound page (ops): every document the hub sends partners (the ERP's purchase orders, order responses,
 * shipment notices and invoices), by partner and state (queued, sent, acknowledged, rejected, failed, overdue),
 * newest first and keyset-paged; one document with the document built for the partner, its control numbers, when it
 * was sent and what the partner acknowledged (its reasons when it rejected). Replay is the message page's.
 */
import { HubError, isHubError } from '../errors/hub-error.js';
import { parseListQuery } from '../http/list-query.js';
import { OUTBOUND_STATES, type OutboundRecord, type OutboundState, type OutboundStore } from '../store/outbound-store.js';
import { UUID_PATTERN } from '../util/ids.js';
import { html, type SafeHtml } from './html.js';
import { pageHref, queryValues, selectField, send, when } from './page-kit.js';
import { PAGES } from './pages.js';
import type { ConsoleDeps, ConsoleHandler, ConsoleRoute } from './routes.js';
import { layout, messagePage } from './views.js';

export type OutboundPagesDeps = Pick<ConsoleDeps, 'config'> & { outbound?: OutboundStore };

const ASSETS = { styles: ['overview.css'] };
const PARAMS = ['partner', 'state', 'limit', 'cursor'] as const;

function stateBadge(state: OutboundState): SafeHtml {
  const bad = state === 'failed' || state === 'rejected' || state === 'overdue';
  return html`<span class="badge${bad ? ' error-text' : ''}" data-state="${state}">${state}</span>`;
}

function numbers(r: OutboundRecord): string {
  const n = r.controlNumbers;
  return n ? [n.interchange && `ISA/UNB ${n.interchange}`, n.group && `GS ${n.group}`, n.transaction && `ST/UNH ${n.transaction}`].filter(Boolean).join(', ') : '';
}

function acknowledgement(r: OutboundRecord): string {
  const a = r.acknowledgement;
  if (a.status && a.status !== 'pending') return `${a.expected}: ${a.status}${a.at ? ` ${when(a.at)}` : ''}`;
  if (a.status === 'pending') return `${a.expected} due ${when(a.dueAt)}`;
  return `${a.expected} expected once sent`;
}

function table(items: readonly OutboundRecord[]): SafeHtml {
  if (!items.length) return html`<p class="message" data-testid="no-results">No outbound document matches.</p>`;
  return html`<table class="results" data-testid="results">
<thead><tr><th>Handed over</th><th>Partner</th><th>Type</th><th>Number</th><th>Format</th><th>State</th><th>Control numbers</th><th>Sent</th><th>Acknowledgement</th></tr></thead>
<tbody>${items.map(
    (r) => html`<tr data-id="${r.messageId}"><td><a href="/console/outbound/${r.messageId}">${when(r.receivedAt)}</a></td><td>${r.partner}</td><td>${r.documentType}</td><td>${r.documentNumber}</td><td>${r.format}</td><td>${stateBadge(r.state)}</td><td>${numbers(r)}</td><td>${when(r.sentAt)}</td><td>${acknowledgement(r)}</td></tr>`,
  )}</tbody></table>`;
}

function form(values: Record<string, string>, partners: readonly string[]): SafeHtml {
  return html`<form class="filters" method="get" action="/console/outbound" data-testid="search">
  ${selectField('partner', 'Partner', partners, values.partner)}
  ${selectField('state', 'State', OUTBOUND_STATES, values.state)}
  <button type="submit">Show</button>
</form>`;
}

function listHandler(deps: OutboundPagesDeps): ConsoleHandler {
  const partners = Object.keys(deps.config.partners).filter((id) => deps.config.partners[id]!.outbound);
  return async (req, res) => {
    const { viewer } = req.console!;
    const raw = req.query as Record<string, unknown>;
    const values = queryValues(raw, PARAMS);
    if (!deps.outbound) return send(res, 503, messagePage('Outbound', 'This hub process has no outbound store.', viewer));
    let page;
    try {
      const { state, ...rest } = raw;
      const query = parseListQuery(rest, ['partner', 'limit', 'cursor'], { partners: Object.keys(deps.config.partners), maxLimit: 200 });
      if (state !== undefined && state !== '' && !OUTBOUND_STATES.includes(state as OutboundState)) throw new HubError('HUB_ERR_BAD_REQUEST', `state must be one of ${OUTBOUND_STATES.join(', ')}.`);
      page = await deps.outbound.list({ ...(query.partner ? { partner: query.partner } : {}), ...(state ? { state: state as OutboundState } : {}), limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
    } catch (error) {
      if (!isHubError(error) || error.status !== 400) throw error;
      return send(res, 400, layout('Outbound', html`<h1>Outbound</h1>${form(values, partners)}<p class="message error" role="alert" data-testid="error">${error.message}</p>`, viewer, ASSETS));
    }
    const { cursor: _c, ...filters } = values;
    const next = page.next ? pageHref('/console/outbound', { ...filters, cursor: page.next }) : undefined;
    const content = html`<h1>Outbound</h1>
<p class="muted">What the hub sends partners for the ERP, each built once and sent through the partner's transport; overdue: sent, its acknowledgement past the partner's deadline. Replay a failed one from its message page.</p>
${form(values, partners)}
<p class="muted" data-testid="count">${page.items.length} document${page.items.length === 1 ? '' : 's'}, newest first.</p>
${table(page.items)}
<p class="paging">${next ? html`<a href="${next}" rel="next" data-testid="next">Next page</a>` : ''}</p>`;
    send(res, 200, layout('Outbound', content, viewer, ASSETS));
  };
}

function detailHandler(deps: OutboundPagesDeps): ConsoleHandler {
  return async (req, res) => {
    const { viewer } = req.console!;
    const id = String(req.params.id);
    const r = UUID_PATTERN.test(id) && deps.outbound ? await deps.outbound.get(id) : undefined;
    if (!r) return send(res, 404, messagePage('Not found', `No outbound document ${id}.`, viewer, { href: '/console/outbound', label: 'Outbound documents' }));
    const detail = r.acknowledgement.detail === undefined ? '' : JSON.stringify(r.acknowledgement.detail, null, 2);
    const content = html`<p><a href="${pageHref('/console/outbound', { partner: r.partner })}">Outbound to ${r.partner}</a> · <a href="/console/messages/${r.messageId}" data-testid="message">its message (history, replay)</a></p>
<h1>${r.documentType} ${r.documentNumber} <span class="muted">to ${r.partner}</span> ${stateBadge(r.state)}</h1>
<dl class="facts" data-testid="facts">
  <dt>From</dt><dd>${r.source} <code>${r.sourceId}</code>, ${when(r.receivedAt)}</dd>
  <dt>Format</dt><dd>${r.format} (${r.syntax})${r.builtAt ? `, built ${when(r.builtAt)}` : ', not built yet'}</dd>
  ${r.controlNumbers ? html`<dt>Control numbers</dt><dd data-testid="numbers">${numbers(r)}</dd>` : ''}
  <dt>Sent</dt><dd>${r.sentAt ? `${when(r.sentAt)}${r.sendReference ? ` (${r.sendReference})` : ''}` : 'not yet'}</dd>
  <dt>Acknowledgement</dt><dd data-testid="acknowledgement">${acknowledgement(r)}</dd>
  ${r.error ? html`<dt>Error</dt><dd class="error-text" data-testid="error"><code>${r.error.code}</code> ${r.error.message}</dd>` : ''}
</dl>
${detail ? html`<h2>What the partner said</h2><pre data-testid="ack-detail">${detail}</pre>` : ''}
<h2>The document built for ${r.partner}</h2>
${r.body ? html`<pre class="document" data-testid="body">${r.body}</pre>` : html`<p class="muted" data-testid="body">Not built yet${r.error ? ': see the error above' : ''}.</p>`}`;
    send(res, 200, layout(`Outbound ${r.documentNumber}`, content, viewer, ASSETS));
  };
}

/** The outbound page's routes. */
export function outboundRoutes(deps: OutboundPagesDeps): ConsoleRoute[] {
  const audience = PAGES.find((p) => p.path === '/console/outbound')!.audience;
  return [
    { method: 'GET', path: '/console/outbound', audience, handler: listHandler(deps) },
    { method: 'GET', path: '/console/outbound/:id', audience, handler: detailHandler(deps) },
  ];
}
