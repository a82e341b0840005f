import type { Request, Response } from 'express';
import { HubError } from '../errors/hub-error.js';
import { decodeCursor, encodeCursor } from '../store/cursor.js';
import { GROUPINGS, SummaryStore, type DateRange, type DocumentFilter, type Grouping, type SummaryDocument } from '../store/summaries.js';
import { UUID_PATTERN } from '../util/ids.js';
import { html, type SafeHtml } from './html.js';
import type { ConsoleDeps, ConsoleHandler, ConsoleRoute } from './routes.js';
import { DEPARTMENTS, periodsOf, type Cell, type Department, type DocumentsLink, type Summary, type SummaryTable } from './summaries-departments.js';
import { layout, messagePage, type Viewer } from './views.js';
import { send, when } from './page-kit.js';

/**
 * The department summaries (issue 10, page 5): /console/summaries/<department> with its chart and tables,
 * <department>.csv for each table, and the documents behind each row (<department>/documents, read-only, and
 * one document's record and canonical JSON at <department>/documents/<id>), limited to the department's kinds.
 * Figures come from src/store/summaries.ts (daily rollups); the filters are in the address.
 */

/** The default range: the last 90 days, today included. */
export const DEFAULT_DAYS = 90;
/** The most periods one page groups (a chart of more bars is unreadable; choose a coarser grouping). */
export const MAX_PERIODS = 1000;
/** The most rows a table shows on the page; its CSV has them all. */
export const MAX_TABLE_ROWS = 500;
/** The documents-behind list, one page. */
export const DOCUMENTS_PAGE = 100;

const ASSETS = { styles: ['summaries.css'], scripts: ['chart.umd.min.js', 'summaries.js'] };
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const bad = (message: string) => new HubError('HUB_ERR_BAD_REQUEST', message);

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** One query parameter: absent, or given once as text. */
function param(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw bad(`Query parameter ${name} must be given once, as a plain value.`);
  return value;
}

function date(query: Record<string, unknown>, name: string): string | undefined {
  const value = param(query, name);
  if (value === undefined) return undefined;
  const valid = DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
  if (!valid) throw bad(`Query parameter ${name} must be a calendar date as YYYY-MM-DD, e.g. ${today()} (got "${value}").`);
  return value;
}

function onlyKnown(query: Record<string, unknown>, known: readonly string[]): void {
  for (const name of Object.keys(query)) if (!known.includes(name)) throw bad(`Unknown query parameter ${name}: this page takes ${known.join(', ')}.`);
}

/** from/to on the issue date (both included; default the last 90 days) and the grouping (default by day). */
export function parseRange(query: Record<string, unknown>): { range: DateRange; by: Grouping } {
  const to = date(query, 'to') ?? today();
  const from = date(query, 'from') ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) throw bad(`from (${from}) must not be later than to (${to}).`);
  const byText = param(query, 'by') ?? 'day';
  if (!(GROUPINGS as readonly string[]).includes(byText)) throw bad(`Query parameter by must be one of ${GROUPINGS.join(', ')} (got "${byText}").`);
  const by = byText as Grouping;
  const periods = periodsOf({ from, to }, by === 'day' ? 'day' : by).length;
  if (periods > MAX_PERIODS) {
    const coarser = by === 'day' ? 'week or month' : 'month';
    throw bad(`This range has ${periods} ${by}s, more than the ${MAX_PERIODS} one page groups: choose by=${by === 'month' ? 'month over a shorter range' : coarser}, or a shorter range.`);
  }
  return { range: { from, to }, by };
}

function href(path: string, values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) params.set(name, value);
  const query = params.toString();
  return `${path}${query ? `?${query}` : ''}`;
}

function documentsHref(dept: Department, link: DocumentsLink): string {
  return href(`${dept.path}/documents`, { kind: link.kind, from: link.from, to: link.to, sku: link.sku, unit: link.unit, party: link.party, currency: link.currency, due: link.due });
}

function rangeForm(dept: Department, values: Record<string, string | undefined>): SafeHtml {
  return html`<form class="filters" method="get" action="${dept.path}" data-testid="range">
  <label>Issued from <input type="date" name="from" value="${values.from ?? ''}"></label>
  <label>to <input type="date" name="to" value="${values.to ?? ''}"></label>
  <label>By <select name="by">${GROUPINGS.map((g) => html`<option value="${g}"${g === (values.by ?? 'day') ? ' selected' : ''}>${g}</option>`)}</select></label>
  <button type="submit">Show</button>
</form>`;
}

function cell(dept: Department, c: Cell): SafeHtml {
  const content = c.documents ? html`<a href="${documentsHref(dept, c.documents)}" data-testid="documents-link">${c.text}</a>` : c.text;
  return html`<td${c.numeric ? html` class="num"` : ''}>${content}</td>`;
}

function tableView(dept: Department, table: SummaryTable, query: { from: string; to: string; by: Grouping }): SafeHtml {
  const csv = href(`${dept.path}.csv`, { table: table.id, from: query.from, to: query.to, by: query.by });
  const shown = table.rows.slice(0, MAX_TABLE_ROWS);
  return html`<section class="summary-table" data-table="${table.id}">
<h2>${table.title} <a class="csv" href="${csv}" data-testid="csv-${table.id}" download>CSV</a></h2>
${table.rows.length
    ? html`<table class="results summary" data-testid="table-${table.id}">
<thead><tr>${table.columns.map((c, i) => html`<th${table.rows[0]?.[i]?.numeric ? html` class="num"` : ''}>${c}</th>`)}</tr></thead>
<tbody>${shown.map((row) => html`<tr>${row.map((c) => cell(dept, c))}</tr>`)}</tbody>
</table>${table.rows.length > shown.length ? html`<p class="muted">The first ${shown.length} of ${table.rows.length} rows; the CSV has them all.</p>` : ''}`
    : html`<p class="muted" data-testid="empty-${table.id}">${table.empty}</p>`}
</section>`;
}

function summaryPage(dept: Department, summary: Summary, query: { from: string; to: string; by: Grouping }, viewer: Viewer): SafeHtml {
  const chart = JSON.stringify(summary.chart);
  const content = html`<h1>${dept.title}</h1>
<p class="muted">${summary.intro}</p>
${rangeForm(dept, query)}
<p class="muted" data-testid="range-text">Issued ${query.from} to ${query.to} (both included), by ${query.by}.</p>
${summary.notes.map((note) => html`<p class="message notice" data-testid="note">${note}</p>`)}
<figure class="chart">
  <figcaption>${summary.chart.title}</figcaption>
  <div class="chart-box"><canvas data-testid="chart" data-chart="${chart}" aria-label="${summary.chart.title}" role="img"></canvas></div>
</figure>
${summary.tables.map((table) => tableView(dept, table, query))}`;
  return layout(dept.title, content, viewer, ASSETS);
}

function errorPage(dept: Department, message: string, values: Record<string, string | undefined>, viewer: Viewer): SafeHtml {
  return layout(
    dept.title,
    html`<h1>${dept.title}</h1>${rangeForm(dept, values)}<p class="message error" role="alert" data-testid="error">${message} Change the filter above and show it again.</p>`,
    viewer,
    ASSETS,
  );
}

function rawValues(query: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of ['from', 'to', 'by']) if (typeof query[name] === 'string') out[name] = query[name] as string;
  return out;
}

/** A CSV field: quoted when it must be; a text beginning with = + - @ (a spreadsheet formula) gets a leading '. */
export function csvField(text: string): string {
  const plainNumber = /^-?\d+(\.\d+)?$/.test(text);
  const guarded = !plainNumber && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) || /^\s|\s$/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** A table as CSV (RFC 4180, CRLF line ends): its header, then every row (not only those the page shows). */
export function tableCsv(table: SummaryTable): string {
  return [table.columns, ...table.rows.map((row) => row.map((c) => c.text))].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function summaryHandler(deps: ConsoleDeps, dept: Department): ConsoleHandler {
  const store = new SummaryStore(deps.db);
  return async (req, res) => {
    const { viewer } = req.console!;
    const query = req.query as Record<string, unknown>;
    let parsed;
    try {
      onlyKnown(query, ['from', 'to', 'by']);
      parsed = parseRange(query);
    } catch (error) {
      if (!(error instanceof HubError) || error.status !== 400) throw error;
      return send(res, 400, errorPage(dept, error.message, rawValues(query), viewer));
    }
    const summary = await dept.build(store, parsed.range, parsed.by, today());
    send(res, 200, summaryPage(dept, summary, { ...parsed.range, by: parsed.by }, viewer));
  };
}

function csvHandler(deps: ConsoleDeps, dept: Department): ConsoleHandler {
  const store = new SummaryStore(deps.db);
  return async (req, res) => {
    const { viewer } = req.console!;
    const query = req.query as Record<string, unknown>;
    let parsed;
    let tableId: string;
    try {
      onlyKnown(query, ['table', 'from', 'to', 'by']);
      parsed = parseRange(query);
      tableId = param(query, 'table') ?? '';
    } catch (error) {
      if (!(error instanceof HubError) || error.status !== 400) throw error;
      return send(res, 400, errorPage(dept, error.message, rawValues(query), viewer));
    }
    const summary = await dept.build(store, parsed.range, parsed.by, today());
    const table = summary.tables.find((t) => t.id === tableId);
    if (!table) {
      const ids = summary.tables.map((t) => t.id).join(', ');
      return send(res, 400, errorPage(dept, `Query parameter table must name one of this summary's tables: ${ids} (got "${tableId}").`, rawValues(query), viewer));
    }
    const name = `${dept.id}-${table.id}-${parsed.range.from}-to-${parsed.range.to}${table.id === 'periods' || dept.id === 'finance' ? `-by-${parsed.by}` : ''}.csv`;
    res.status(200).set('Content-Disposition', `attachment; filename="${name}"`).type('text/csv; charset=utf-8').send(tableCsv(table));
  };
}

/** The documents-behind filter from the address: a kind of the department, a range, what the row fixed. */
function parseDocumentFilter(dept: Department, query: Record<string, unknown>): DocumentFilter {
  onlyKnown(query, ['kind', 'from', 'to', 'sku', 'unit', 'party', 'currency', 'due', 'cursor']);
  const kind = param(query, 'kind');
  if (!kind || !(dept.kinds as readonly string[]).includes(kind)) throw bad(`Query parameter kind must be one of ${dept.kinds.join(', ')} (the documents of this summary; got "${kind ?? ''}").`);
  const { range } = parseRange({ from: query.from, to: query.to, by: 'month' });
  const due = param(query, 'due');
  if (due !== undefined && due !== 'none') date(query, 'due');
  const cursor = param(query, 'cursor');
  let after: DocumentFilter['after'];
  if (cursor) {
    const c = decodeCursor(cursor);
    if (!DATE.test(c.at)) throw bad('cursor is not one this hub gave out; use the "next" link of the previous page as it is.');
    after = { day: c.at, id: c.id };
  }
  const text = (name: string) => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw bad(`Query parameter ${name} must be given once, as a plain value.`);
    return value; // '' is a value here: a document without a currency has currency ''.
  };
  const filter: DocumentFilter = { kind: kind as DocumentFilter['kind'], ...range, limit: DOCUMENTS_PAGE };
  for (const name of ['sku', 'unit', 'party', 'currency'] as const) {
    const value = text(name);
    if (value !== undefined) filter[name] = value;
  }
  if (due !== undefined) filter.due = due;
  if (after) filter.after = after;
  return filter;
}

function documentsTable(dept: Department, items: readonly SummaryDocument[], partners: ConsoleDeps['config']['partners']): SafeHtml {
  if (!items.length) return html`<p class="message" data-testid="no-documents">No document matches.</p>`;
  return html`<table class="results" data-testid="documents">
<thead><tr><th>Issued</th><th>Type</th><th>Number</th><th>Partner</th><th>Counterparty</th><th>Currency</th><th>Total</th><th>Net</th><th>Lines</th><th>Quantity</th><th>Due</th></tr></thead>
<tbody>${items.map(
    (d) => html`<tr data-id="${d.messageId}"><td>${d.day}</td><td>${d.documentType}</td><td><a href="${dept.path}/documents/${d.messageId}">${d.documentNumber}</a></td><td>${partners[d.partner]?.name ?? d.partner}</td><td>${d.party}${d.partyName ? html` <span class="muted">${d.partyName}</span>` : ''}</td><td>${d.currency}</td><td class="num">${d.total ?? ''}</td><td class="num">${d.net}</td><td class="num">${d.lines}</td><td class="num">${d.quantity}</td><td>${d.dueDate ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

function filterText(f: DocumentFilter): string {
  const parts = [`${f.kind} documents issued ${f.from} to ${f.to}`];
  if (f.party !== undefined) parts.push(`counterparty ${f.party}`);
  if (f.sku !== undefined) parts.push(`item ${f.sku}${f.unit !== undefined ? ` (${f.unit})` : ''}`);
  else if (f.unit !== undefined) parts.push(`unit ${f.unit}`);
  if (f.currency !== undefined) parts.push(`currency ${f.currency || '(none)'}`);
  if (f.due !== undefined) parts.push(f.due === 'none' ? 'no due date' : `due ${f.due}`);
  return parts.join(', ');
}

function documentsHandler(deps: ConsoleDeps, dept: Department): ConsoleHandler {
  const store = new SummaryStore(deps.db);
  return async (req, res) => {
    const { viewer } = req.console!;
    const query = req.query as Record<string, unknown>;
    let filter: DocumentFilter;
    try {
      filter = parseDocumentFilter(dept, query);
    } catch (error) {
      if (!(error instanceof HubError) || error.status !== 400) throw error;
      return send(res, 400, messagePage(`${dept.title}: documents`, `${error.message} Follow a link of the summary's tables to list the documents a row sums.`, viewer, { href: dept.path, label: `Back to the ${dept.title.toLowerCase()}` }));
    }
    const page = await store.documents(filter);
    const last = page.items[page.items.length - 1];
    const { after: _after, limit: _limit, ...kept } = filter;
    const keptValues = Object.fromEntries(Object.entries(kept).map(([k, v]) => [k, String(v)]));
    const next = page.more && last ? href(`${dept.path}/documents`, { ...keptValues, cursor: encodeCursor({ at: last.day, id: last.messageId }) }) : undefined;
    const back = href(dept.path, { from: filter.from, to: filter.to });
    const content = html`<p><a href="${back}">Back to the ${dept.title.toLowerCase()}</a></p>
<h1>${dept.title}: documents</h1>
<p class="muted" data-testid="filter">${filterText(filter)}. Read-only; newest first.</p>
${documentsTable(dept, page.items, deps.config.partners)}
<p class="paging">${filter.after ? html`<a href="${href(`${dept.path}/documents`, keptValues)}">First page</a> ` : ''}${next ? html`<a href="${next}" rel="next" data-testid="next">Next page</a>` : ''}</p>`;
    send(res, 200, layout(`${dept.title}: documents`, content, viewer, { styles: ASSETS.styles }));
  };
}

function documentHandler(deps: ConsoleDeps, dept: Department): ConsoleHandler {
  const store = new SummaryStore(deps.db);
  return async (req: Request, res: Response) => {
    const { viewer } = req.console!;
    const id = String(req.params.id);
    const counted = UUID_PATTERN.test(id) ? await store.document(id) : undefined;
    // Only the documents this summary sums: another department's (or a superseded revision) is not found here.
    if (!counted || !dept.kinds.includes(counted.kind)) {
      return send(res, 404, messagePage('Not found', `No document ${id} among the ${dept.kinds.join(' and ')} documents of this summary.`, viewer, { href: dept.path, label: `Back to the ${dept.title.toLowerCase()}` }));
    }
    const [record, canonical] = await Promise.all([deps.store.get(id), deps.store.canonical(id)]);
    const title = `${counted.documentType} ${counted.documentNumber}`;
    const list = href(`${dept.path}/documents`, { kind: counted.kind, from: counted.day, to: counted.day });
    const content = html`<p><a href="${list}">Documents of ${counted.day}</a> · <a href="${dept.path}">Back to the ${dept.title.toLowerCase()}</a></p>
<h1>${title} <span class="muted">${counted.kind}</span></h1>
<dl class="facts" data-testid="facts">
  <dt>Kind</dt><dd data-testid="kind">${counted.kind}</dd>
  <dt>Issued</dt><dd>${counted.day}</dd>
  <dt>Partner</dt><dd>${deps.config.partners[counted.partner]?.name ?? counted.partner}</dd>
  <dt>Counterparty</dt><dd>${counted.party}${counted.partyName ? ` (${counted.partyName})` : ''}</dd>
  <dt>Total</dt><dd>${counted.total ?? '—'} ${counted.currency}</dd>
  ${counted.dueDate ? html`<dt>Due</dt><dd>${counted.dueDate}</dd>` : ''}
  ${record
    ? html`<dt>Status</dt><dd><span class="status status-${record.status}" data-testid="status">${record.status}</span></dd>
  <dt>Received</dt><dd>${when(record.receivedAt)}</dd>
  ${record.revision ? html`<dt>Revision</dt><dd>${record.revision} (the latest: it replaces the earlier ones in the summaries)</dd>` : ''}
  <dt>Message id</dt><dd><code>${record.id}</code></dd>`
    : ''}
</dl>
<h2>Canonical document</h2>
<pre class="document" data-testid="canonical">${JSON.stringify(canonical ?? null, null, 2)}</pre>`;
    send(res, 200, layout(title, content, viewer, { styles: ASSETS.styles }));
  };
}

/** Each department's summary, its CSV, the documents behind it and one document, for the audience of its page. */
export function summaryRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return DEPARTMENTS.flatMap((dept) => [
    { method: 'GET' as const, path: dept.path, audience: dept.audience, handler: summaryHandler(deps, dept) },
    { method: 'GET' as const, path: `${dept.path}.csv`, audience: dept.audience, handler: csvHandler(deps, dept) },
    { method: 'GET' as const, path: `${dept.path}/documents`, audience: dept.audience, handler: documentsHandler(deps, dept) },
    { method: 'GET' as const, path: `${dept.path}/documents/:id`, audience: dept.audience, handler: documentHandler(deps, dept) },
  ]);
}
