import { HubError, isHubError } from '../errors/hub-error.js';
import { CHAIN_SCAN_LIMIT, listChains, type ChainListQuery } from '../store/chain-list.js';
import { CHAIN_INVOICE_DAYS, findOrderId, orderChain, type Chain, type ChainDocument, type ChainLine } from '../store/chains.js';
import type { MatchTolerance, Receipt } from '../store/three-way-match.js';
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
  'invoiced-more-than-received': 'invoiced more than received',
  'invoiced-more-than-ordered': 'invoiced more than ordered',
  'invoiced-price-above-ordered': 'invoiced price above the order’s',
  'invoiced-price-below-ordered': 'invoiced price below the order’s',
  'invoiced-currency-differs': 'invoiced in another currency',
  'awaiting-receipt': 'shipped, not yet received in the ERP',
  'currency-differs': 'an invoice in another currency',
  'three-way-mismatch': 'three-way match disagrees',
};

/** Flags that say where an order is, not that something is wrong. */
const STATE_FLAGS = ['no-shipnotice', 'no-invoice', 'awaiting-receipt'];

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
    const purchase = c.kind === 'purchase' ? html` <span class="muted" data-testid="purchase">purchase</span>` : '';
    return html`<tr data-id="${c.order!.id}" data-kind="${c.kind}"><td>${when(c.order!.receivedAt)}</td><td>${c.order!.partner}</td><td><a href="${chainHref(c)}">${c.order!.documentNumber}</a>${purchase}</td><td>${c.changes.length}</td><td>${c.shipNotices.length}</td><td>${c.invoices.length}</td><td class="num">${t.ordered} / ${t.shipped} / ${t.invoiced}</td><td>${flagList(c.flags)}</td></tr>`;
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
      page = await listChains(deps.db, query, { tolerance: deps.config.chains.tolerance });
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
<p class="muted">An order with its changes, shipment notices and invoices; a purchase (ours to a supplier) with its three-way match. Flags: quantities or prices that disagree, lines naming no order line, and a shipped line not invoiced after ${CHAIN_INVOICE_DAYS} days.</p>
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
  const credits = chain.threeWayMatch?.creditNotes ?? [];
  const docs = [
    documentRow(order, chain.kind === 'purchase' ? 'purchase' : 'order'),
    ...chain.changes.map((d) => documentRow(d, 'change')),
    ...chain.shipNotices.map((d) => documentRow(d, 'shipment notice')),
    ...chain.invoices.map((d) => documentRow(d, 'invoice')),
    ...credits.map((d) => documentRow(d, 'credit note')),
  ];
  const shipFlags = ['not-shipped', 'short-shipped', 'over-shipped', 'shipped-unit-differs'];
  const invoiceFlags = ['not-invoiced', 'invoiced-differs-from-shipped', 'invoiced-differs-from-ordered', 'invoiced-unit-differs', 'invoice-overdue'];
  return html`<dl class="facts" data-testid="chain-facts">
  <dt>${chain.kind === 'purchase' ? 'Supplier' : 'Partner'}</dt><dd>${order.partner}</dd>
  <dt>${chain.kind === 'purchase' ? 'Handed over by the ERP' : 'Order received'}</dt><dd>${when(order.receivedAt)}</dd>
  <dt>Chain flags</dt><dd>${flagList(chain.flags, 'chain-flags')}</dd>
</dl>
<h2>Documents</h2>
<table class="results" data-testid="documents"><thead><tr><th>Role</th><th>Document</th><th>Status</th><th>Received</th></tr></thead><tbody>${docs}</tbody></table>
${chain.shipNotices.length === 0 ? html`<p class="message" data-testid="missing-shipnotice">No shipment notice has arrived for this order.</p>` : ''}
${chain.invoices.length === 0 ? html`<p class="message${chain.flags.includes('invoice-overdue') ? ' error' : ''}" data-testid="missing-invoice">No invoice has arrived for this order${chain.flags.includes('invoice-overdue') ? html`, though goods were shipped more than ${CHAIN_INVOICE_DAYS} days ago` : ''}.</p>` : ''}
${chain.kind === 'purchase' ? threeWayMatchView(chain) : html`<h2>Lines</h2>
${chain.lines.length
    ? html`<table class="results chain-lines" data-testid="lines"><thead><tr><th>Line</th><th>Item</th><th>Unit</th><th>Ordered</th><th>Shipped</th><th>Invoiced</th><th>Order price</th><th>Invoiced price</th><th>Flags</th></tr></thead><tbody>${chain.lines.map(
        (l) => html`<tr data-line="${l.lineNumber}"><td>${l.lineNumber}</td><td>${l.sku}${l.description ? html` <span class="muted">${l.description}</span>` : ''}</td><td>${l.unitCode}</td><td class="num" data-testid="ordered">${l.ordered}</td>${quantityCell(l.shipped, l.flags.some((f) => shipFlags.includes(f)))}${quantityCell(l.invoiced, l.flags.some((f) => invoiceFlags.includes(f)))}<td class="num">${l.prices.ordered ?? ''}</td><td class="num${l.priceFlags.length ? ' disagree' : ''}">${l.prices.invoiced.join(', ')}</td><td>${flagList([...l.flags, ...l.priceFlags], 'line-flags')}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">The order has no lines the hub could read.</p>`}`}
${chain.unmatched.length
    ? html`<h2>Lines naming no order line</h2><table class="results" data-testid="unmatched"><thead><tr><th>Document</th><th>Line</th><th>Order line named</th><th>Item</th><th>Quantity</th></tr></thead><tbody>${chain.unmatched.map(
        (u) => html`<tr><td><a href="/console/messages/${u.documentId}">${u.documentType}</a></td><td>${u.lineNumber}</td><td>${u.orderLineReference ?? html`<span class="muted">none</span>`}</td><td>${u.sku}</td><td class="num">${u.quantity}</td></tr>`,
      )}</tbody></table>`
    : ''}`;
}

/** The cells of a purchase line each flag marks as disagreeing: the figures that do not agree with each other. */
const MATCH_CELLS: Record<string, readonly string[]> = {
  'not-shipped': ['shipped'],
  'short-shipped': ['shipped'],
  'over-shipped': ['shipped'],
  'shipped-unit-differs': ['shipped'],
  'not-invoiced': ['invoiced'],
  'invoice-overdue': ['invoiced'],
  'invoiced-unit-differs': ['invoiced'],
  'invoiced-more-than-received': ['received', 'invoiced'],
  'invoiced-more-than-ordered': ['ordered', 'invoiced'],
  'invoiced-price-above-ordered': ['invoiced-price'],
  'invoiced-price-below-ordered': ['invoiced-price'],
  'invoiced-currency-differs': ['invoiced-price'],
};

function toleranceWords(t: MatchTolerance): string {
  const quantity = t.quantityPercent ? `quantities within ${t.quantityPercent} %` : 'quantities exact';
  const price = t.pricePercent || t.priceAbsolute ? `prices within ${[t.pricePercent ? `${t.pricePercent} %` : '', t.priceAbsolute ? `${t.priceAbsolute} a unit` : ''].filter(Boolean).join(' or ')}` : 'prices exact';
  return `${quantity}, ${price} (chains.tolerance)`;
}

const RECEIPT_WORDS: Record<Receipt['state'], string> = { received: 'received', 'awaiting-receipt': 'not yet received', 'not-routed-to-inventory': 'not routed to the inventory module' };

/** A purchase's three-way match: per line ordered, shipped, received, invoiced and prices, the cells that disagree marked. */
function threeWayMatchView(chain: Chain): SafeHtml {
  const match = chain.threeWayMatch!;
  const cell = (line: ChainLine, name: string, value: unknown): SafeHtml => {
    const flagged = [...line.flags, ...line.priceFlags].some((f) => MATCH_CELLS[f]?.includes(name));
    return html`<td class="num${flagged ? ' disagree' : ''}" data-cell="${name}"${flagged ? ' data-flagged="yes"' : ''}>${value}</td>`;
  };
  const receipts = match.receipts.map(
    (r) => html`<tr data-id="${r.shipNoticeId}"><td><a href="/console/messages/${r.shipNoticeId}">${r.documentNumber}</a></td><td class="receipt-${r.state}" data-state="${r.state}">${RECEIPT_WORDS[r.state]}${r.receivedAt ? html` <span class="muted">${when(r.receivedAt)}</span>` : ''}</td><td>${r.targets.map((x) => html`${x.adapter}: ${x.booked ? (x.reference ?? 'booked') : x.by === 'outbox-acknowledgement' ? 'not acknowledged by the ERP' : 'not delivered'}<br>`)}</td></tr>`,
  );
  const invoiceLines = chain.lines.flatMap((l) =>
    (l.invoiceLines ?? []).map(
      (i) => html`<tr data-line="${l.lineNumber}" data-document="${i.documentId}"><td>${l.lineNumber}</td><td><a href="/console/messages/${i.documentId}">${i.documentType === 'CreditNote' ? 'credit note' : 'invoice'} ${i.documentNumber}</a> line ${i.lineNumber}</td><td>${i.matchedBy === 'sku' ? 'by item' : 'by order line'}</td><td class="num">${i.documentType === 'CreditNote' ? -i.quantity : i.quantity} ${i.unitCode}</td><td class="num${i.flags.some((f) => MATCH_CELLS[f]?.includes('invoiced-price')) ? ' disagree' : ''}">${i.price ?? ''}</td><td>${flagList(i.flags, 'invoice-line-flags')}</td></tr>`,
    ),
  );
  return html`<h2>Three-way match</h2>
<p data-testid="match-status">Match: <span class="match match-${match.status}">${match.status}</span> <span class="muted">· ${toleranceWords(match.tolerance)}${match.currency ? ` · prices in ${match.currency}` : ''}</span></p>
${chain.lines.length
    ? html`<table class="results chain-lines" data-testid="three-way-match"><thead><tr><th>Line</th><th>Item</th><th>Unit</th><th>Ordered</th><th>Shipped</th><th>Received</th><th>Invoiced</th><th>Credited</th><th>Order price</th><th>Invoiced price</th><th>Match</th><th>Flags</th></tr></thead><tbody>${chain.lines.map(
        (l) => html`<tr data-line="${l.lineNumber}" data-match="${l.match ?? ''}"><td>${l.lineNumber}</td><td>${l.sku}${l.description ? html` <span class="muted">${l.description}</span>` : ''}</td><td>${l.unitCode}</td>${cell(l, 'ordered', l.ordered)}${cell(l, 'shipped', l.shipped)}${cell(l, 'received', l.received ?? 0)}${cell(l, 'invoiced', l.invoiced)}<td class="num" data-cell="credited">${l.credited ?? 0}</td><td class="num" data-cell="ordered-price">${l.prices.ordered ?? ''}</td>${cell(l, 'invoiced-price', l.prices.invoiced.join(', '))}<td><span class="match match-${l.match}">${l.match}</span></td><td>${flagList([...l.flags, ...l.priceFlags], 'line-flags')}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">The purchase has no lines the hub could read.</p>`}
<p class="muted">Received is what the ERP booked into stock: a shipment notice counts once every adapter serving the inventory module has it (the outbox: once the ERP acknowledged it). Invoiced is the invoices less the credit notes.</p>
${match.receipts.length ? html`<h3>Receipts</h3><table class="results" data-testid="receipts"><thead><tr><th>Shipment notice</th><th>In the ERP</th><th>Inventory targets</th></tr></thead><tbody>${receipts}</tbody></table>` : ''}
${invoiceLines.length ? html`<h3>Invoice and credit note lines</h3><table class="results" data-testid="invoice-lines"><thead><tr><th>Line</th><th>Document line</th><th>Matched</th><th>Quantity</th><th>Price</th><th>Flags</th></tr></thead><tbody>${invoiceLines}</tbody></table>` : ''}`;
}

/** GET /console/chains/<id>: the chain of the order that document id belongs to (the order or any follow-up). */
export function chainDetailHandler(deps: ChainPagesDeps): ConsoleHandler {
  return async (req, res) => {
    const { viewer } = req.console!;
    const id = String(req.params.id);
    const orderId = UUID_PATTERN.test(id) ? await findOrderId(deps.db, id) : undefined;
    const chain = orderId ? await orderChain(deps.db, orderId, { tolerance: deps.config.chains.tolerance }) : undefined;
    if (!chain?.order) {
      return send(res, 404, messagePage('Not found', `No order chain for ${id}: it is no message id, or the document is linked to no order the hub has (documents link to orders by number within a partner).`, viewer, { href: '/console/chains', label: 'Order chains' }));
    }
    const purchase = chain.kind === 'purchase';
    const title = `${purchase ? 'Purchase' : 'Order'} ${chain.order.documentNumber}`;
    const content = html`<p><a href="/console/chains">Order chains</a> · <a href="${listHref({ partner: chain.order.partner })}">of ${chain.order.partner}</a></p>
<h1>${title} <span class="muted">${purchase ? 'to' : 'from'} ${chain.order.partner}</span></h1>
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
