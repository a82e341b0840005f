import type { Request } from 'express';
import { HubError, isHubError } from '../errors/hub-error.js';
import { redactForPartner } from '../http/routes/documents.js';
import type { AuditEvent } from '../store/audit-log.js';
import type { HistoryEntry, MessageRecord } from '../store/message-store.js';
import type { Refusal } from '../store/refusal-store.js';
import { decodeCursor } from '../store/cursor.js';
import { UUID_PATTERN } from '../util/ids.js';
import { lineProblems, rawDocumentView } from './document-view.js';
import { html, type SafeHtml } from './html.js';
import { checkPosted, postedCode, postedOutcome } from './mapping-test-edi.js';
import { postedResultView } from './mapping-test-edi-view.js';
import { documentField, formDocument, missFromText } from './mapping-test-view.js';
import { ACTIONS, PAGES } from './pages.js';
import type { ConsoleDeps, ConsoleHandler, ConsoleRoute } from './routes.js';
import { layout, messagePage, type Viewer } from './views.js';
import { send } from './page-kit.js';

/** The audit event of a partner's validation. */
export const PARTNER_VALIDATE_EVENT: AuditEvent = 'console.partner.validate';

const PAGE_SIZE = 25;
const ASSETS = { styles: ['mapping-test.css', 'partner.css'], scripts: ['mapping-test.js'] };

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function list(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The ERP modules a message went to (every adapter's, once each), in words. */
function modulesOf(record: MessageRecord): string {
  const modules = [...new Set(Object.values(record.routes ?? {}).flat())];
  return modules.length ? list(modules) : 'our systems';
}

/**
 * Why a message failed, in words its sender can act on: the cross-references it named that we do not know, a
 * value we could not read, or that the problem is ours. Never the hub's file names, adapters or other partners.
 */
export function failureInWords(error: { code: string; message: string; errors?: unknown[] } | undefined): string {
  if (!error) return 'the reason was not recorded';
  const items = (error.errors ?? []) as Array<{ path?: string; message?: string }>;
  switch (error.code) {
    case 'HUB_ERR_LOOKUP_MISSING': {
      const misses = items.map((i) => (i.message ? missFromText(i.path ?? '', i.message) : undefined)).filter((m): m is string => m !== undefined);
      return misses.length ? misses.join(' ') : 'it names an item or party we do not know; ask us which.';
    }
    case 'HUB_ERR_MAPPING':
    case 'HUB_ERR_CANONICAL_INVALID': {
      const detail = items.length ? items.map((i) => i.message ?? '').join('; ') : error.message;
      return `we could not read it into our system: ${redactForPartner(detail)}`;
    }
    case 'HUB_ERR_NO_ROUTE':
    case 'HUB_ERR_ADAPTER_REJECTED':
    case 'HUB_ERR_ADAPTER_UNAVAILABLE':
    case 'HUB_ERR_PROCESSING_LOST':
    case 'HUB_ERR_INTERNAL':
    case 'HUB_ERR_STORE_UNAVAILABLE':
      return 'it could not be passed on to our systems. The problem is on our side and we have been told; you need not send it again.';
    default:
      return redactForPartner(error.message);
  }
}

/** A message's status as its sender reads it. */
export function statusInWords(record: MessageRecord, lastError?: HistoryEntry['error']): string {
  switch (record.status) {
    case 'accepted':
      return 'received';
    case 'processing':
      return 'being processed';
    case 'delivered':
      return `delivered to ${modulesOf(record)}`;
    case 'failed':
      return `failed: ${failureInWords(lastError ?? record.error)}`;
  }
}

/** A refusal's errors in words the sender can act on: the schema's problems with their lines, the earlier document, the party. */
async function refusalInWords(deps: Pick<ConsoleDeps, 'store'>, r: Refusal): Promise<SafeHtml> {
  const items = (r.errors ?? []) as Array<{ line?: number; column?: number; message?: string }>;
  switch (r.code) {
    case 'HUB_ERR_XSD_INVALID':
    case 'HUB_ERR_XML_MALFORMED':
      return html`${r.code === 'HUB_ERR_XSD_INVALID' ? 'It does not conform to its schema' : 'It is not well-formed XML'}:<ul class="problems">${(items.length ? items : [{ message: r.detail }]).map(
        (e) => html`<li>${e.line ? `line ${e.line}${e.column ? `, column ${e.column}` : ''}: ` : ''}${redactForPartner(e.message ?? '')}</li>`,
      )}</ul>`;
    case 'HUB_ERR_DOCUMENT_CONFLICT': {
      const original = r.originalId ? await deps.store.get(r.originalId) : undefined;
      const sent = original && original.partner === r.partner ? ` on ${when(original.receivedAt)}` : ' before';
      return html`The document number ${r.documentNumber ?? ''} was already sent${sent} with other content. To change it, send a change or a new document with its own number; the same bytes again are accepted as the same document.`;
    }
    case 'HUB_ERR_SENDER_MISMATCH': {
      const ids = /\(([^)]*)\) is not one of your party ids/.exec(r.detail)?.[1];
      return html`${ids ? `The sender party ${ids} is not one of yours` : 'The document names no sender party'}: send documents only in your own name, with the party ids agreed with us.`;
    }
    default:
      return html`${redactForPartner(r.detail)}`;
  }
}

/** The partner a request is about: a partner's user always their own; ops the one of `?partner=` (or the form). */
function partnerOf(req: Request, deps: Pick<ConsoleDeps, 'config'>, asked: unknown): string | undefined {
  const { role } = req.console!;
  if (role.kind === 'partner') return role.partnerId;
  if (typeof asked !== 'string' || !asked) return undefined;
  if (!Object.hasOwn(deps.config.partners, asked)) throw new HubError('HUB_ERR_BAD_REQUEST', `No partner "${asked}": choose one of ${Object.keys(deps.config.partners).join(', ')}.`);
  return asked;
}

function pickPartner(deps: Pick<ConsoleDeps, 'config'>, current?: string): SafeHtml {
  return html`<form class="filters" method="get" action="/console/partner" data-testid="pick-partner">
  <label>Partner <select name="partner">${Object.values(deps.config.partners).map((p) => html`<option value="${p.id}"${p.id === current ? ' selected' : ''}>${p.id} — ${p.name}</option>`)}</select></label>
  <button type="submit">Show</button>
</form>`;
}

function validateForm(viewer: Viewer, deps: Pick<ConsoleDeps, 'config' | 'mappings'>, partner: string, staff: boolean, text = ''): SafeHtml {
  const formats = deps.config.partners[partner]!.formats;
  return html`<form class="check" method="post" action="/console/partner/validate" data-testid="validate-form">
  <input type="hidden" name="csrf" value="${viewer.csrfToken}">
  ${staff ? html`<input type="hidden" name="partner" value="${partner}">` : ''}
  <label>Format <select name="format"><option value="detect">detect among your formats</option>${formats.map((f) => html`<option value="${f}">${deps.mappings.get(f)?.documentType ?? f} (${f})</option>`)}</select></label>
  ${documentField(text, deps.config.server.bodyLimitBytes)}
  <button type="submit">Check it (it is not sent)</button>
</form>`;
}

function documentHref(id: string): string {
  return `/console/partner/documents/${id}`;
}

function pageHref(partner: string, staff: boolean, cursors: { cursor?: string; refusals?: string }): string {
  const params = new URLSearchParams();
  if (staff) params.set('partner', partner);
  if (cursors.cursor) params.set('cursor', cursors.cursor);
  if (cursors.refusals) params.set('refusals', cursors.refusals);
  const q = params.toString();
  return `/console/partner${q ? `?${q}` : ''}`;
}

/** The last failure's error of each failed message on a page (the history keeps the error items). */
async function lastErrors(deps: Pick<ConsoleDeps, 'db'>, ids: readonly string[]): Promise<Map<string, HistoryEntry['error']>> {
  if (!ids.length) return new Map();
  const { rows } = await deps.db.query<{ message_id: string; error: HistoryEntry['error'] }>(
    `SELECT DISTINCT ON (message_id) message_id, error FROM message_history WHERE message_id = ANY($1::uuid[]) AND error IS NOT NULL AND step LIKE '%-failed' ORDER BY message_id, id DESC`,
    [ids],
  );
  return new Map(rows.map((r) => [r.message_id, r.error]));
}

/** The partner pages: their documents and refusals, a document's page, and validation before sending. */
export function partnerRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const audience = PAGES.find((p) => p.path === '/console/partner')!.audience;
  const action = ACTIONS.find((a) => a.path === '/console/partner/validate')!;

  const home: ConsoleHandler = async (req, res) => {
    const { viewer, role } = req.console!;
    const staff = role.kind !== 'partner';
    let partner: string | undefined;
    let cursor: string | undefined;
    let refusalCursor: string | undefined;
    try {
      partner = partnerOf(req, deps, req.query.partner);
      cursor = typeof req.query.cursor === 'string' && req.query.cursor ? req.query.cursor : undefined;
      refusalCursor = typeof req.query.refusals === 'string' && req.query.refusals ? req.query.refusals : undefined;
      if (cursor) decodeCursor(cursor);
      if (refusalCursor) decodeCursor(refusalCursor);
    } catch (error) {
      if (!isHubError(error) || error.status !== 400) throw error;
      return send(res, 400, layout('Partner documents', html`<h1>Partner documents</h1>${staff ? pickPartner(deps) : ''}<p class="message error" role="alert" data-testid="error">${error.message}</p>`, viewer, ASSETS));
    }
    if (!partner) {
      return send(res, 200, layout('Partner documents', html`<h1>Partner documents</h1><p class="muted">What a partner’s own users see. Choose the partner.</p>${pickPartner(deps)}`, viewer, ASSETS));
    }
    const [documents, refusals] = await Promise.all([
      deps.store.query({ partner, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }),
      deps.refusals.query({ partner, limit: PAGE_SIZE, ...(refusalCursor ? { cursor: refusalCursor } : {}) }),
    ]);
    const errors = await lastErrors(deps, documents.items.filter((m) => m.status === 'failed').map((m) => m.id));
    const refusalWords = await Promise.all(refusals.items.map((r) => refusalInWords(deps, r)));
    const name = deps.config.partners[partner]!.name;
    const content = html`<h1>Documents of ${name}</h1>
${staff ? pickPartner(deps, partner) : ''}
<h2>Your documents</h2>
${documents.items.length
  ? html`<table class="results" data-testid="documents"><thead><tr><th>Received</th><th>Type</th><th>Number</th><th>Status</th></tr></thead><tbody>${documents.items.map(
      (m) => html`<tr data-id="${m.id}"><td>${when(m.receivedAt)}</td><td>${m.documentType}</td><td><a href="${documentHref(m.id)}">${m.documentNumber}</a></td><td class="status-words status-${m.status}" data-testid="status">${statusInWords(m, errors.get(m.id))}</td></tr>`,
    )}</tbody></table>`
  : html`<p class="muted" data-testid="documents">No documents${cursor ? ' further back' : ' yet'}.</p>`}
<p class="paging">${cursor ? html`<a href="${pageHref(partner, staff, {})}">Newest</a> ` : ''}${documents.next ? html`<a href="${pageHref(partner, staff, { cursor: documents.next })}" data-testid="next-documents">Older documents</a>` : ''}</p>
<h2>Refused documents</h2>
${refusals.items.length
  ? html`<table class="results" data-testid="refusals"><thead><tr><th>Sent</th><th>Type</th><th>Number</th><th>Why it was refused</th></tr></thead><tbody>${refusals.items.map(
      (r, i) => html`<tr data-id="${r.id}"><td>${when(r.receivedAt)}</td><td>${r.documentType ?? ''}</td><td>${r.documentNumber ?? ''}</td><td data-testid="refusal-reason">${refusalWords[i]}</td></tr>`,
    )}</tbody></table>`
  : html`<p class="muted" data-testid="refusals">No refused documents${refusalCursor ? ' further back' : ''}.</p>`}
<p class="paging">${refusals.next ? html`<a href="${pageHref(partner, staff, { refusals: refusals.next })}" data-testid="next-refusals">Older refusals</a>` : ''}</p>
<h2>Check a document before sending it</h2>
<p class="muted">Checked against your formats as the hub would check it (schema, your party ids, the items and parties it names; an X12 or EDIFACT interchange transaction by transaction, with its envelope, the rules of each set and the acknowledgement we would send); it is not sent.</p>
${validateForm(viewer, deps, partner, staff)}`;
    send(res, 200, layout(`Documents of ${name}`, content, viewer, ASSETS));
  };

  const document: ConsoleHandler = async (req, res) => {
    const { viewer, role } = req.console!;
    const id = String(req.params.id);
    const record = UUID_PATTERN.test(id) ? await deps.store.get(id) : undefined;
    // Another partner's document is not found, exactly like one that does not exist.
    if (!record || (role.kind === 'partner' && record.partner !== role.partnerId)) {
      return send(res, 404, messagePage('Not found', `No document ${id} for you.`, viewer, { href: '/console/partner', label: 'Your documents' }));
    }
    const [history, raw] = await Promise.all([deps.store.history(id), deps.store.raw(id)]);
    const lastFailure = [...history].reverse().find((h) => h.error && h.step.endsWith('-failed'))?.error;
    const steps = partnerTimeline(record, history);
    const problems = lineProblems(history.map((h) => h.error)).map((p) => ({ ...p, message: redactForPartner(p.message) }));
    const title = `${record.documentType} ${record.documentNumber}`;
    const staff = role.kind !== 'partner';
    const content = html`<p><a href="${pageHref(record.partner, staff, {})}">Your documents</a></p>
<h1>${title}</h1>
<dl class="facts" data-testid="facts">
  <dt>Status</dt><dd data-testid="status">${statusInWords(record, lastFailure)}</dd>
  <dt>Received</dt><dd>${when(record.receivedAt)}</dd>
  ${record.revision ? html`<dt>Revision</dt><dd>${record.revision}</dd>` : ''}
  <dt>Document id</dt><dd><code>${record.id}</code></dd>
</dl>
<h2>What happened</h2>
<ol class="timeline" data-testid="timeline">${steps.map((s) => html`<li><span class="at">${when(s.at)}</span> ${s.text}</li>`)}</ol>
<h2>The document as you sent it</h2>
${raw ? rawDocumentView(raw, problems) : html`<p class="muted" data-testid="raw">The document itself is no longer kept (removed after the retention period); its record remains.</p>`}`;
    send(res, 200, layout(title, content, viewer, ASSETS));
  };

  const validate: ConsoleHandler = async (req, res) => {
    const { viewer, role } = req.console!;
    const staff = role.kind !== 'partner';
    const form = (req.body ?? {}) as Record<string, unknown>;
    let partner: string | undefined;
    let bytes: Buffer;
    let posted;
    const text = typeof form.document === 'string' ? form.document : '';
    try {
      partner = partnerOf(req, deps, form.partner);
      if (!partner) throw new HubError('HUB_ERR_BAD_REQUEST', 'Choose the partner whose formats the document is checked against.');
      bytes = formDocument(form, deps.config.server.bodyLimitBytes);
      // Only the partner's own formats, party ids and cross-references, whatever the document says it is.
      posted = await checkPosted(deps, bytes, { partner, format: typeof form.format === 'string' ? form.format : 'detect', anyLoaded: false });
    } catch (error) {
      if (!isHubError(error) || error.status !== 400) throw error;
      const retry = partner ? validateForm(viewer, deps, partner, staff, text) : staff ? pickPartner(deps) : '';
      return send(res, 400, layout('Check a document', html`<h1>Check a document</h1><p class="message error" role="alert" data-testid="error">${error.message}</p>${retry}`, viewer, ASSETS));
    }
    const code = postedCode(posted);
    await deps.audit.record({
      event: PARTNER_VALIDATE_EVENT,
      actor: `console:${viewer.name}`,
      address: req.ip,
      ...(code ? { code } : {}),
      detail: `partner ${partner}, ${postedOutcome(posted, bytes)}`,
    });
    const content = html`<p><a href="${pageHref(partner, staff, {})}">Your documents</a></p>
<h1>Check a document</h1>
${postedResultView(posted, bytes, 'partner')}
<h2>Check another</h2>
${validateForm(viewer, deps, partner, staff, text)}`;
    send(res, 200, layout('Check a document', content, viewer, ASSETS));
  };

  return [
    { method: 'GET', path: '/console/partner', audience, handler: home },
    { method: 'GET', path: '/console/partner/documents/:id', audience, handler: document },
    { method: 'POST', path: action.path, audience: action.audience, handler: validate },
  ];
}

/** A message's history for its sender: received, processed, delivered to which modules, failed and why; nothing internal. */
export function partnerTimeline(record: MessageRecord, history: readonly HistoryEntry[]): Array<{ at: string; text: string }> {
  const out: Array<{ at: string; text: string }> = [];
  const push = (at: string, text: string) => {
    if (out[out.length - 1]?.text !== text) out.push({ at, text });
  };
  for (const h of history) {
    if (h.step === 'accepted') push(h.at, 'Received');
    else if (h.step === 'transform') push(h.at, 'Being processed');
    else if (h.step === 'mapped') push(h.at, `Read: ${h.detail ? redactForPartner(h.detail) : 'ok'}`);
    else if (h.step === 'complete' || (h.step === 'delivered' && !h.adapter)) push(h.at, `Delivered to ${modulesOf(record)}`);
    else if (h.step === 'replayed' || h.step === 'replay-forced') push(h.at, 'Processed again by us');
    else if (h.step.endsWith('-failed')) push(h.at, `Failed: ${failureInWords(h.error)}`);
  }
  return out;
}
