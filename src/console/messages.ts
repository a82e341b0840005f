import type { Request, Response } from 'express';
import { CANONICAL_TYPES } from '../canonical/types.js';
import { HubError, isHubError } from '../errors/hub-error.js';
import { parseListQuery, type ListQuery } from '../http/list-query.js';
import { replayMessage } from '../pipeline/replay.js';
import { findOrderId, orderChain, type Chain, type ChainDocument } from '../store/chains.js';
import { MESSAGE_STATUSES, type DeliveryRecord, type HistoryEntry, type MessageRecord } from '../store/message-store.js';
import { UUID_PATTERN } from '../util/ids.js';
import { lineProblems, rawDocumentView } from './document-view.js';
import { html, type SafeHtml } from './html.js';
import { bulkReplayForm, bulkReplayHandlers } from './bulk-replay.js';
import { ACTIONS, PAGES } from './pages.js';
import type { ConsoleDeps, ConsoleHandler, ConsoleRoute } from './routes.js';
import { mayUse } from './roles.js';
import { layout, messagePage, type Viewer } from './views.js';
import { pageHref, queryValues, selectField, send, when } from './page-kit.js';

export type MessagePagesDeps = Pick<ConsoleDeps, 'config' | 'db' | 'store' | 'queues' | 'audit'>;

const LIST_PARAMS = ['q', 'partner', 'type', 'status', 'from', 'to', 'limit', 'cursor'] as const;
const REPLAY_ACTION = ACTIONS.find((a) => a.path === '/console/messages/replay')!;
const BULK_REPLAY_ACTION = ACTIONS.find((a) => a.path === '/console/replays')!;

function messageHref(id: string): string {
  return `/console/messages/${id}`;
}

/** The address of a search: only the filters given, so a link stays short and can be bookmarked. */
function searchHref(values: Record<string, string | undefined>): string {
  return pageHref('/console/messages', values);
}

const formValues = (query: Record<string, unknown>) => queryValues(query, LIST_PARAMS);

function searchForm(values: Record<string, string>, partners: readonly string[]): SafeHtml {
  return html`<form class="filters" method="get" action="/console/messages" data-testid="search">
  <label class="wide">Business key <input name="q" value="${values.q ?? ''}" placeholder="order, invoice or party number, message id"></label>
  ${selectField('partner', 'Partner', partners, values.partner)}
  ${selectField('type', 'Type', CANONICAL_TYPES, values.type)}
  ${selectField('status', 'Status', MESSAGE_STATUSES, values.status)}
  <label>From <input name="from" value="${values.from ?? ''}" placeholder="2026-11-01T08:00:00Z"></label>
  <label>To <input name="to" value="${values.to ?? ''}" placeholder="2026-11-02"></label>
  <button type="submit">Search</button>
</form>`;
}

function resultsTable(items: readonly MessageRecord[]): SafeHtml {
  if (!items.length) return html`<p class="message" data-testid="no-results">No message matches this search.</p>`;
  return html`<table class="results" data-testid="results">
<thead><tr><th>Received</th><th>Partner</th><th>Type</th><th>Number</th><th>Status</th><th>Error code</th></tr></thead>
<tbody>${items.map(
    (m) => html`<tr data-id="${m.id}"><td>${when(m.receivedAt)}</td><td>${m.partner}</td><td>${m.documentType}</td><td><a href="${messageHref(m.id)}">${m.documentNumber}</a>${m.revision ? html` <span class="muted">(rev. ${m.revision})</span>` : ''}</td><td><span class="status status-${m.status}">${m.status}</span></td><td>${m.error?.code ?? ''}</td></tr>`,
  )}</tbody>
</table>`;
}

/** GET /console/messages: the search form and one page of results, newest first. */
export function messagesListHandler(deps: MessagePagesDeps): ConsoleHandler {
  const partners = Object.keys(deps.config.partners);
  return async (req, res) => {
    const { viewer, role } = req.console!;
    const raw = req.query as Record<string, unknown>;
    const values = formValues(raw);
    let query: ListQuery;
    let page;
    try {
      query = parseListQuery(raw, LIST_PARAMS, { partners, maxLimit: 200 });
      page = await deps.store.query(query);
    } catch (error) {
      if (!isHubError(error) || error.status !== 400) throw error;
      const content = html`<h1>Messages</h1>${searchForm(values, partners)}<p class="message error" role="alert" data-testid="error">${error.message}</p>`;
      return send(res, 400, layout('Messages', content, viewer));
    }
    const { cursor: _cursor, ...filters } = values;
    const next = page.next ? searchHref({ ...filters, cursor: page.next }) : undefined;
    const content = html`<h1>Messages</h1>
${searchForm(values, partners)}
<p class="muted" data-testid="count">${page.items.length} message${page.items.length === 1 ? '' : 's'}${query.cursor ? ' (a later page)' : ''}, newest first.</p>
${resultsTable(page.items)}
<p class="paging">${query.cursor ? html`<a href="${searchHref(filters)}">First page</a> ` : ''}${next ? html`<a href="${next}" rel="next" data-testid="next">Next page</a>` : ''}</p>
${mayUse(role, BULK_REPLAY_ACTION.audience) ? html`<h2>Bulk replay</h2>${bulkReplayForm(values, viewer)}` : ''}`;
    send(res, 200, layout('Messages', content, viewer));
  };
}

function facts(m: MessageRecord): SafeHtml {
  return html`<dl class="facts" data-testid="facts">
  <dt>Status</dt><dd><span class="status status-${m.status}" data-testid="status">${m.status}</span></dd>
  ${m.error ? html`<dt>Error</dt><dd data-testid="error-code"><code>${m.error.code}</code> ${m.error.message}</dd>` : ''}
  <dt>Partner</dt><dd>${m.partner} (format ${m.format})</dd>
  <dt>Document</dt><dd>${m.documentType} ${m.documentNumber}${m.revision ? html`, revision ${m.revision} of <a href="${messageHref(m.revisionOf!)}">the first</a>` : ''}</dd>
  <dt>Sent by</dt><dd>${m.sendingParty}</dd>
  <dt>Received</dt><dd>${when(m.receivedAt)}</dd>
  <dt>Last change</dt><dd>${when(m.updatedAt)}</dd>
  <dt>Replays</dt><dd data-testid="replays">${m.replays}</dd>
  <dt>Message id</dt><dd><code>${m.id}</code></dd>
</dl>`;
}

function timeline(history: readonly HistoryEntry[]): SafeHtml {
  return html`<ol class="timeline" data-testid="timeline">${history.map(
    (h) => html`<li data-step="${h.step}"><span class="at">${when(h.at)}</span> <strong>${h.step}</strong>${h.status ? html` <span class="status status-${h.status}">${h.status}</span>` : ''}${h.adapter ? html` · ${h.adapter}` : ''}${h.detail ? html` — ${h.detail}` : ''}${h.error
      ? html`<div class="error-text"><code>${h.error.code}</code> ${h.error.message}</div>`
      : ''}</li>`,
  )}</ol>`;
}

function deliveriesTable(deliveries: readonly DeliveryRecord[]): SafeHtml {
  if (!deliveries.length) return html`<p class="muted" data-testid="deliveries">No delivery yet (the message is routed when it is mapped).</p>`;
  return html`<table class="results" data-testid="deliveries"><thead><tr><th>Adapter</th><th>Status</th><th>ERP reference</th><th>At</th><th>Error</th></tr></thead>
<tbody>${deliveries.map((d) => html`<tr data-adapter="${d.adapter}"><td>${d.adapter}</td><td><span class="status status-${d.status}">${d.status}</span></td><td>${d.reference ?? ''}</td><td>${when(d.at)}</td><td>${d.error ?? ''}</td></tr>`)}</tbody></table>`;
}

function chainView(chain: Chain | undefined, selfId: string): SafeHtml {
  if (!chain?.order) return html`<p class="muted" data-testid="chain">Linked to no order the hub has (documents link to orders by number within a partner).</p>`;
  const doc = (d: ChainDocument, role: string) =>
    html`<tr><td>${role}</td><td>${d.id === selfId ? html`<strong>${d.documentType} ${d.documentNumber}</strong> (this one)` : html`<a href="${messageHref(d.id)}">${d.documentType} ${d.documentNumber}</a>`}</td><td><span class="status status-${d.status}">${d.status}</span></td><td>${when(d.receivedAt)}</td></tr>`;
  const rows = [doc(chain.order, 'order'), ...chain.changes.map((d) => doc(d, `change (rev. ${d.revision})`)), ...chain.shipNotices.map((d) => doc(d, 'shipment notice')), ...chain.invoices.map((d) => doc(d, 'invoice'))];
  return html`<div data-testid="chain"><table class="results"><thead><tr><th>Role</th><th>Document</th><th>Status</th><th>Received</th></tr></thead><tbody>${rows}</tbody></table>
${chain.lines.length
    ? html`<table class="results"><thead><tr><th>Line</th><th>Item</th><th>Ordered</th><th>Shipped</th><th>Invoiced</th><th>Flags</th></tr></thead><tbody>${chain.lines.map(
        (l) => html`<tr><td>${l.lineNumber}</td><td>${l.sku}</td><td>${l.ordered} ${l.unitCode}</td><td>${l.shipped}</td><td>${l.invoiced}</td><td>${l.flags.join(', ')}</td></tr>`,
      )}</tbody></table>`
    : ''}
${chain.flags.length ? html`<p class="muted">Chain flags: ${chain.flags.join(', ')}</p>` : ''}
<p><a href="${searchHref({ q: chain.order.documentNumber, partner: chain.order.partner })}">Every message with order number ${chain.order.documentNumber}</a></p></div>`;
}

function replayForm(m: MessageRecord, viewer: Viewer): SafeHtml {
  return html`<form class="replay" method="post" action="/console/messages/replay" data-testid="replay-form"${m.status === 'delivered' ? html` data-confirm="Send this delivered message to its adapters again?"` : ''}>
  <input type="hidden" name="csrf" value="${viewer.csrfToken}">
  <input type="hidden" name="id" value="${m.id}">
  <label><input type="checkbox" name="force" value="yes"> Force: also when it was delivered (its adapters are called again with the same idempotency key)</label>
  <button type="submit">Replay</button>
</form>`;
}

async function messageDetail(deps: MessagePagesDeps, req: Request, res: Response, id: string, notice?: { text: string; error?: boolean }, status = 200): Promise<void> {
  const { viewer, role } = req.console!;
  const record = UUID_PATTERN.test(id) ? await deps.store.get(id) : undefined;
  if (!record) return send(res, 404, messagePage('Not found', `No message ${id}.`, viewer, { href: '/console/messages', label: 'Search messages' }));
  const [history, deliveries, raw, canonical, keys, orderId] = await Promise.all([
    deps.store.history(id),
    deps.store.deliveries(id),
    deps.store.raw(id),
    deps.store.canonical(id),
    deps.store.keys(id),
    findOrderId(deps.db, id),
  ]);
  const chain = orderId ? await orderChain(deps.db, orderId, { tolerance: deps.config.chains.tolerance }) : undefined;
  const problems = lineProblems(history.map((h) => h.error));
  const title = `${record.documentType} ${record.documentNumber}`;
  const content = html`<p><a href="${searchHref({ partner: record.partner })}">Messages of ${record.partner}</a></p>
<h1>${title} <span class="muted">from ${record.partner}</span></h1>
${notice ? html`<p class="message${notice.error ? ' error' : ' notice'}" role="${notice.error ? 'alert' : 'status'}" data-testid="notice">${notice.text}</p>` : ''}
${facts(record)}
${mayUse(role, REPLAY_ACTION.audience) ? replayForm(record, viewer) : ''}
<h2>History</h2>
${timeline(history)}
<h2>Deliveries</h2>
${deliveriesTable(deliveries)}
<h2>Chain</h2>
${chainView(chain, id)}
<h2>Business keys</h2>
<p class="keys">${keys.map((k) => html`<a href="${searchHref({ q: k.value })}" title="${k.kind}">${k.value}</a> `)}</p>
<h2>Raw document</h2>
${raw ? rawDocumentView(raw, problems) : html`<p class="muted" data-testid="raw">The raw document was removed by retention${record.rawRemovedAt ? ` on ${when(record.rawRemovedAt)}` : ''}; the record and canonical document remain.</p>`}
<h2>Canonical document</h2>
${canonical ? html`<pre class="document" data-testid="canonical">${JSON.stringify(canonical, null, 2)}</pre>` : html`<p class="muted" data-testid="canonical">Not mapped${record.error ? ` (${record.error.code})` : ' yet'}.</p>`}`;
  send(res, status, layout(title, content, viewer));
}

/** GET /console/messages/<id>: the message whole; `?replayed=<n>` is the notice after a replay. */
export function messageDetailHandler(deps: MessagePagesDeps): ConsoleHandler {
  return async (req, res) => {
    const replayed = typeof req.query.replayed === 'string' && /^\d{1,6}$/.test(req.query.replayed) ? req.query.replayed : undefined;
    const forced = req.query.forced === 'yes';
    const notice = replayed ? { text: `Replay ${replayed} requested${forced ? ' (forced)' : ''}: the message goes through the pipeline again; this page shows where it is now.` } : undefined;
    await messageDetail(deps, req, res, String(req.params.id), notice);
  };
}

/** POST /console/messages/replay (ops): replays one message; a delivered one only with the force box ticked. */
export function replayHandler(deps: MessagePagesDeps): ConsoleHandler {
  return async (req, res) => {
    const { viewer } = req.console!;
    const form = (req.body ?? {}) as Record<string, unknown>;
    const id = typeof form.id === 'string' ? form.id : '';
    if (!UUID_PATTERN.test(id)) return send(res, 400, messagePage('Replay a message', 'The form names no message (its id is missing or not a message id).', viewer, { href: '/console/messages', label: 'Search messages' }));
    const force = form.force === 'yes';
    try {
      const actor = `console:${viewer.name}`;
      const { replays, forced } = await replayMessage(id, actor, { store: deps.store, queues: deps.queues, stuckAfterMs: deps.config.pipeline.sweepAfterSeconds * 1000 }, { force });
      await deps.audit.record({ event: 'message.replayed', actor, address: req.ip, messageId: id, detail: `replay ${replays}${forced ? ' (forced)' : ''}` });
      res.redirect(303, `${messageHref(id)}?replayed=${replays}${forced ? '&forced=yes' : ''}`);
    } catch (error) {
      if (!(error instanceof HubError) || (error.status !== 404 && error.status !== 409)) throw error;
      const text = error.code === 'HUB_ERR_REPLAY_FORCE_REQUIRED' ? 'This message was delivered: replaying it sends it to its adapters again. Tick “Force” to do that on purpose.' : error.message;
      await messageDetail(deps, req, res, id, { text: `Not replayed. ${text}`, error: true }, error.status);
    }
  };
}

/** The messages pages' routes: the search, a message's page, replay one, bulk replay by filter and its runs. */
export function messageRoutes(deps: MessagePagesDeps): ConsoleRoute[] {
  const messages = PAGES.find((p) => p.path === '/console/messages')!.audience;
  const bulk = bulkReplayHandlers(deps);
  return [
    { method: 'GET', path: '/console/messages', audience: messages, handler: messagesListHandler(deps) },
    { method: 'GET', path: '/console/messages/:id', audience: messages, handler: messageDetailHandler(deps) },
    { method: 'POST', path: REPLAY_ACTION.path, audience: REPLAY_ACTION.audience, handler: replayHandler(deps) },
    { method: 'POST', path: BULK_REPLAY_ACTION.path, audience: BULK_REPLAY_ACTION.audience, handler: bulk.post },
    { method: 'GET', path: '/console/replays/:id', audience: BULK_REPLAY_ACTION.audience, handler: bulk.run },
    { method: 'POST', path: '/console/replays/:id/stop', audience: BULK_REPLAY_ACTION.audience, handler: bulk.stop },
  ];
}
