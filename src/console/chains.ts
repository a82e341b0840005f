import { HubError, isHubError } from '../errors/hub-error.js';
import { CHAIN_INVOICE_DAYS, CHAIN_SCAN_LIMIT, findOrderId, listChains, orderChain, type Chain, type ChainDocument, type ChainListQuery } from '../store/chains.js';
import { UUID_PATTERN } from '../util/ids.js';
import { html, type SafeHtml } from './html.js';
import { PAGES } from './pages.js';
import type { ConsoleDeps, ConsoleHandler, ConsoleRoute } from './routes.js';
import { layout, messagePage } from './views.js';
import { pageHref, send, when } from './page-kit.js';

export type ChainPagesDeps = Pick<ConsoleDeps, 'config' | 'db'>;

const LIST_PARAMS = ['q', 'partner', 'missing', 'flagged', 'limit', 'cursor'] as const;
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
const STYLES = { styles: ['chains.css'] };

/** What each flag means, in the words the page shows beside it. */
export const FLAG_WORDS: Record<string, string> = {
  'not-shipped': 'not shipped',
  'short-shipped': 'shipped less than ordered',
  'over-shipped': 'shipped more than ordered',
  'not-invoiced': 'not invoiced',
  'invoiced-differs-from-shipped': 'invoiced quantity differs from shipped',
  'invoiced-differs-from-ordered': 'invoiced quantity differs from ordered',
  'shipped-unit-differs': 'shipped in another unit',
  'invoiced-unit-differs': 'invoiced in another unit',
  'invoice-overdue': `shipped, not invoiced after ${CHAIN_INVOICE_DAYS} days`,
  'invoiced-price-differs': 'invoiced price differs from the order',
  'no-shipnotice': 'no shipment notice yet',
  'no-invoice': 'no invoice yet',
  'unmatched-lines': 'lines that name no order line',
  'lines-flagged': 'line quantities disagree',
  'prices-differ': 'prices disagree',
  'order-not-mapped': 'the order is not mapped',
  'order-missing': 'the order is missing',
};

/** Flags that say where an order is, not that something is wrong. */
const STATE_FLAGS = ['no-shipnotice', 'no-invoice'];

function flagList(flags: readonly string[], testId = 'flags'): SafeHtml {
  if (!flags.length) return html`<span class="muted">none</span>`;
  return html`<ul class="flags" data-testid="${testId}">${flags.map((f) => html`<li class="flag flag-${STATE_FLAGS.includes(f) ? 'state' : 'problem'}" data-flag="${f}" title="${f}">${FLAG_WORDS[f] ?? f}</li>`)}</ul>`;
}

function listHref(values: Record<string, string | undefined>): string {
  return pageHref('/console/chains', values);
}

/** Reads the list's filters from the address; a bad value is a 400 page naming it. */
function parseQuery(raw: Record<string, unknown>, partners: readonly string[]): ChainListQuery {
  const unknown = Object.keys(raw).filter((k) => !(LIST_PARAMS as readonly string[]).includes(k));
  if (unknown.length) throw new HubError('HUB_ERR_BAD_REQUEST', `Unknown filter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; this page takes ${LIST_PARAMS.join(', ')}.`);
  const one = (name: string): string | undefined => {
    const v = raw[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new HubError('HUB_ERR_BAD_REQUEST', `The filter ${name} must be given once.`);
    return v;
  };
  const partner = one('partner');
  if (partner !== undefined && !partners.includes(partner)) throw new HubError('HUB_ERR_BAD_REQUEST', `partner must be one of ${partners.join(', ')} (got "${partner}").`);
  const missing = one('missing');
  if (missing !== undefined && missing !== 'shipnotice' && missing !== 'invoice') throw new HubError('HUB_ERR_BAD_REQUEST', `missing must be shipnotice or invoice (got "${missing}").`);
  const flagged = one('flagged');
  if (flagged !== undefined && flagged !== 'yes') throw new HubError('HUB_ERR_BAD_REQUEST', `flagged must be yes, or left out (got "${flagged}").`);
  const q = one('q');
  if (q !== undefined && q.length > 512) throw new HubError('HUB_ERR_BAD_REQUEST', 'The order number is longer than any order number (512 characters).');
  const limitText = one('limit');
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new HubError('HUB_ERR_BAD_REQUEST', `limit must be an integer from 1 to ${MAX_LIMIT}.`);
  const cursor = one('cursor');
  return { limit, ...(partner ? { partner } : {}), ...(missing ? { missing } : {}), ...(flagged ? { flagged: true } : {}), ...(q ? { orderNumber: q } : {}), ...(cursor ? { cursor } : {}) };
}

function filterForm(values: Record<string, string>, partners: readonly string[]): SafeHtml {
  return html`<form class="filters" method="get" action="/console/chains" data-testid="chain-filters">
  <label>Order number <input name="q" value="${values.q ?? ''}" placeholder="4321"></label>
  <label>Partner <select name="partner"><option value="">any</option>${partners.map((p) => html`<option value="${p}"${p === values.partner ? ' selected' : ''}>${p}</option>`)}</select></label>
  <label>Missing <select name="missing"><option value="">—</option><option value="shipnotice"${values.missing === 'shipnotice' ? ' selected' : ''}>shipment notice</option><option value="invoice"${values.missing === 'invoice' ? ' selected' : ''}>invoice</option></select></label>
  <label><input type="checkbox" name="flagged" value="yes"${values.flagged === 'yes' ? ' checked' : ''}> Flagged only</label>
  <button type="submit">Show</button>
</form>`;
}

function chainHref(chain: Chain): string {
  return `/console/chains/${chain.order!.id}`;
}

/** Total quantities of a chain, for the list: ordered / shipped / invoiced over its lines. */
function totals(chain: Chain): { ordered: number; shipped: number; invoiced: number } {
  const sum = (f: 'ordered' | 'shipped' | 'invoiced') => Math.round(chain.lines.reduce((s, l) => s + l[f], 0) * 1e6) / 1e6;
  return { ordered: sum('ordered'), shipped: sum('shipped'), invoiced: sum('invoiced') };
}

function listTable(chains: readonly Chain[]): SafeHtml {
  if (!chains.length) return html`<p class="message" data-testid="no-chains">No order matches these filters.</p>`;
  return html`<table class="results chains" data-testid="chains">
<thead><tr><th>Order received</th><th>Partner</th><th>Order</th><th>Changes</th><th>Shipment notices</th><th>Invoices</th><th>Ordered / shipped / invoiced</th><th>Flags</th></tr></thead>
<tbody>${chains.map((c) => {
    const t = totals(c);
    return html`<tr data-id="${c.order!.id}"><td>${when(c.order!.receivedAt)}</td><td>${c.order!.partner}</td><td><a href="${chainHref(c)}">${c.order!.documentNumber}</a></td><td>${c.changes.length}</td><td>${c.shipNotices.length}</td><td>${c.invoices.length}</td><td class="num">${t.ordered} / ${t.shipped} / ${t.invoiced}</td><td>${flagList(c.flags)}</td></tr>`;
  })}</tbody>
</table>`;
}

/** GET /console/chains: recent orders' chains, newest order first, with the filters in the address. */
export function chainListHandler(deps: ChainPagesDeps): ConsoleHandler {
  const partners = Object.keys(deps.config.partners);
  return async (req, res) => {
    const { viewer } = req.console!;
    const raw = req.query as Record<string, unknown>;
    const values: Record<string, string> = {};
    for (const name of LIST_PARAMS) if (typeof raw[name] === 'string') values[name] = raw[name] as string;
    let query: ChainListQuery;
    let page;
    try {
      query = parseQuery(raw, partners);
      page = await listChains(deps.db, query);
    } catch (error) {
      if (!isHubError(error) || error.status !== 400) throw error;
      const content = html`<h1>Order chains</h1>${filterForm(values, partners)}<p class="message error" role="alert" data-testid="error">${error.message} Correct the filter and show again.</p>`;
      return send(res, 400, layout('Order chains', content, viewer, STYLES));
    }
    const { cursor: _cursor, ...filters } = values;
    const next = page.next ? listHref({ ...filters, cursor: page.next }) : undefined;
    const scanNote = query.flagged
      ? html` Looked at ${page.scanned} order${page.scanned === 1 ? '' : 's'}${page.scanLimited ? html` (at most ${CHAIN_SCAN_LIMIT} a page; “Look further” goes on from there)` : ''}.`
      : '';
    const content = html`<h1>Order chains</h1>
<p class="muted">An order with its changes, shipment notices and invoices. Flags: quantities or prices that disagree, lines naming no order line, and a shipped line not invoiced after ${CHAIN_INVOICE_DAYS} days.</p>
${filterForm(values, partners)}
<p class="muted" data-testid="count">${page.chains.length} order${page.chains.length === 1 ? '' : 's'}${query.cursor ? ' (a later page)' : ''}, newest first.${scanNote}</p>
${listTable(page.chains)}
<p class="paging">${query.cursor ? html`<a href="${listHref(filters)}">First page</a> ` : ''}${next ? html`<a href="${next}" rel="next" data-testid="next">${page.scanLimited ? 'Look further' : 'Next page'}</a>` : ''}</p>`;
    send(res, 200, layout('Order chains', content, viewer, STYLES));
  };
}

function documentRow(d: ChainDocument, role: string): SafeHtml {
  return html`<tr data-id="${d.id}" data-role="${role}"><td>${role}</td><td><a href="/console/messages/${d.id}">${d.documentType} ${d.documentNumber}</a>${d.revision ? html` <span class="muted">(rev. ${d.revision})</span>` : ''}</td><td><span class="status status-${d.status}">${d.status}</span></td><td>${when(d.receivedAt)}</td></tr>`;
}

function quantityCell(value: number, flagged: boolean): SafeHtml {
  return html`<td class="num${flagged ? ' disagree' : ''}">${value}</td>`;
}

function chainDetail(chain: Chain): SafeHtml {
  const order = chain.order!;
  const docs = [documentRow(order, 'order'), ...chain.changes.map((d) => documentRow(d, 'change')), ...chain.shipNotices.map((d) => documentRow(d, 'shipment notice')), ...chain.invoices.map((d) => documentRow(d, 'invoice'))];
  const shipFlags = ['not-shipped', 'short-shipped', 'over-shipped', 'shipped-unit-differs'];
  const invoiceFlags = ['not-invoiced', 'invoiced-differs-from-shipped', 'invoiced-differs-from-ordered', 'invoiced-unit-differs', 'invoice-overdue'];
  return html`<dl class="facts" data-testid="chain-facts">
  <dt>Partner</dt><dd>${order.partner}</dd>
  <dt>Order received</dt><dd>${when(order.receivedAt)}</dd>
  <dt>Chain flags</dt><dd>${flagList(chain.flags, 'chain-flags')}</dd>
</dl>
<h2>Documents</h2>
<table class="results" data-testid="documents"><thead><tr><th>Role</th><th>Document</th><th>Status</th><th>Received</th></tr></thead><tbody>${docs}</tbody></table>
${chain.shipNotices.length === 0 ? html`<p class="message" data-testid="missing-shipnotice">No shipment notice has arrived for this order.</p>` : ''}
${chain.invoices.length === 0 ? html`<p class="message${chain.flags.includes('invoice-overdue') ? ' error' : ''}" data-testid="missing-invoice">No invoice has arrived for this order${chain.flags.includes('invoice-overdue') ? html`, though goods were shipped more than ${CHAIN_INVOICE_DAYS} days ago` : ''}.</p>` : ''}
<h2>Lines</h2>
${chain.lines.length
    ? html`<table class="results chain-lines" data-testid="lines"><thead><tr><th>Line</th><th>Item</th><th>Unit</th><th>Ordered</th><th>Shipped</th><th>Invoiced</th><th>Order price</th><th>Invoiced price</th><th>Flags</th></tr></thead><tbody>${chain.lines.map(
        (l) => html`<tr data-line="${l.lineNumber}"><td>${l.lineNumber}</td><td>${l.sku}${l.description ? html` <span class="muted">${l.description}</span>` : ''}</td><td>${l.unitCode}</td><td class="num" data-testid="ordered">${l.ordered}</td>${quantityCell(l.shipped, l.flags.some((f) => shipFlags.includes(f)))}${quantityCell(l.invoiced, l.flags.some((f) => invoiceFlags.includes(f)))}<td class="num">${l.prices.ordered ?? ''}</td><td class="num${l.priceFlags.length ? ' disagree' : ''}">${l.prices.invoiced.join(', ')}</td><td>${flagList([...l.flags, ...l.priceFlags], 'line-flags')}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">The order has no lines the hub could read.</p>`}
${chain.unmatched.length
    ? html`<h2>Lines naming no order line</h2><table class="results" data-testid="unmatched"><thead><tr><th>Document</th><th>Line</th><th>Order line named</th><th>Item</th><th>Quantity</th></tr></thead><tbody>${chain.unmatched.map(
        (u) => html`<tr><td><a href="/console/messages/${u.documentId}">${u.documentType}</a></td><td>${u.lineNumber}</td><td>${u.orderLineReference ?? html`<span class="muted">none</span>`}</td><td>${u.sku}</td><td class="num">${u.quantity}</td></tr>`,
      )}</tbody></table>`
    : ''}`;
}

/** GET /console/chains/<id>: the chain of the order that document id belongs to (the order or any follow-up). */
export function chainDetailHandler(deps: ChainPagesDeps): ConsoleHandler {
  return async (req, res) => {
    const { viewer } = req.console!;
    const id = String(req.params.id);
    const orderId = UUID_PATTERN.test(id) ? await findOrderId(deps.db, id) : undefined;
    const chain = orderId ? await orderChain(deps.db, orderId) : undefined;
    if (!chain?.order) {
      return send(res, 404, messagePage('Not found', `No order chain for ${id}: it is no message id, or the document is linked to no order the hub has (documents link to orders by number within a partner).`, viewer, { href: '/console/chains', label: 'Order chains' }));
    }
    const title = `Order ${chain.order.documentNumber}`;
    const content = html`<p><a href="/console/chains">Order chains</a> · <a href="${listHref({ partner: chain.order.partner })}">of ${chain.order.partner}</a></p>
<h1>${title} <span class="muted">from ${chain.order.partner}</span></h1>
${chainDetail(chain)}`;
    send(res, 200, layout(title, content, viewer, STYLES));
  };
}

/** The chain pages: the list and one chain. */
export function chainRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const audience = PAGES.find((p) => p.path === '/console/chains')!.audience;
  return [
    { method: 'GET', path: '/console/chains', audience, handler: chainListHandler(deps) },
    { method: 'GET', path: '/console/chains/:id', audience, handler: chainDetailHandler(deps) },
  ];
}
