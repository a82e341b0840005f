import { checkDocument, type CheckProblem, type DocumentCheck } from '../cli/offline.js';
import type { HubConfig } from '../config/types.js';
import { HubError } from '../errors/hub-error.js';
import { redactForPartner } from '../http/routes/documents.js';
import type { FormatDefinition, MappingRegistry } from '../mapping/registry.js';
import { partnerFormats } from '../pipeline/intake.js';
import type { XsdCache } from '../xml/xsd-cache.js';
import { lineProblems, rawDocumentView } from './document-view.js';
import { html, type SafeHtml } from './html.js';

/**
 * Checking a document without it entering the pipeline, for the mapping test page (integrators, ops) and the
 * partner's validate form: the form's document as bytes, the check of src/cli/offline.ts (the code `hub map`
 * runs), and the result as a page section, in the hub's terms for staff and in the partner's for partners.
 */

export type CheckDeps = { config: Pick<HubConfig, 'partners' | 'limits' | 'server'>; mappings: MappingRegistry; xsd: XsdCache };

/** Who reads a result: staff see codes, files and the canonical JSON; a partner sees what to change, in words. */
export type CheckAudience = 'staff' | 'partner';

/** The document field of a form, as bytes; a 400 HubError saying what is wrong when it is empty or too large. */
export function formDocument(form: Record<string, unknown>, limitBytes: number): Buffer {
  const text = typeof form.document === 'string' ? form.document.replace(/^\uFEFF/, '') : '';
  if (!text.trim()) throw new HubError('HUB_ERR_BAD_REQUEST', 'Paste the document into the text box, or choose its file, then check it.');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > limitBytes) throw new HubError('HUB_ERR_BAD_REQUEST', `The document is ${bytes.length} bytes; the hub takes documents up to ${limitBytes} bytes (server.bodyLimitBytes).`);
  return bytes;
}

/** The formats to detect among: the partner's own (detect), or the one asked for. */
export function candidateFormats(deps: CheckDeps, partnerId: string, format: string, anyLoaded: boolean): FormatDefinition[] {
  const partner = deps.config.partners[partnerId];
  if (!partner) throw new HubError('HUB_ERR_BAD_REQUEST', `Choose one of the partners: ${Object.keys(deps.config.partners).join(', ')}.`);
  const own = partnerFormats(partner, deps.mappings);
  if (!format || format === 'detect') return own;
  const allowed = anyLoaded ? deps.mappings.formats : own;
  const wanted = allowed.find((f) => f.name === format);
  if (!wanted) throw new HubError('HUB_ERR_BAD_REQUEST', `The format "${format}" is not one of ${anyLoaded ? 'the hub’s formats' : `the formats of ${partnerId}`}: choose one of ${allowed.map((f) => f.name).join(', ')}, or detect.`);
  return [wanted];
}

/** Runs the check for a partner's configuration (its party ids and cross-references); stores nothing. */
export function runCheck(deps: CheckDeps, bytes: Buffer, partnerId: string, candidates: readonly FormatDefinition[]): Promise<DocumentCheck> {
  return checkDocument(bytes, deps.config.partners[partnerId]!, candidates, { mappings: deps.mappings, xsd: deps.xsd, limits: deps.config.limits });
}

/** One word for a check's outcome, for the audit log and the page's verdict. */
export function checkOutcome(check: DocumentCheck): string {
  if (check.refused) return `refused (${check.refused.code})`;
  const parts = [check.xsd ? `XSD: ${check.xsd.errors.length} problem(s)` : '', check.number ? 'no number' : '', check.sender ? 'sender not the partner’s' : '', check.mapping ? `${check.mapping.code}${check.mapping.code === 'HUB_ERR_LOOKUP_MISSING' ? `: ${missingReferences(check.mapping).length} missing` : ''}` : ''].filter(Boolean);
  return parts.length ? parts.join('; ') : 'maps';
}

/** A missing cross-reference: the field, the table, the keys looked for, and the lookup's own text. */
export interface MissingReference {
  field: string;
  lookup?: string;
  keys: string[];
  message: string;
}

/** Every missing cross-reference of a HUB_ERR_LOOKUP_MISSING (one or many, see src/mapping/evaluate.ts). */
export function missingReferences(problem: Pick<CheckProblem, 'code' | 'details' | 'errors'>): MissingReference[] {
  if (problem.code !== 'HUB_ERR_LOOKUP_MISSING') return [];
  const d = problem.details;
  const list = Array.isArray(d.missing) ? (d.missing as Array<Record<string, unknown>>) : [{ field: d.field, lookup: d.lookup, key: d.key }];
  return list.map((m, i) => ({
    field: typeof m.field === 'string' ? m.field : '',
    ...(typeof m.lookup === 'string' ? { lookup: m.lookup } : {}),
    keys: ([m.key].flat().filter((k) => typeof k === 'string') as string[]),
    message: problem.errors[i]?.message ?? '',
  }));
}

const LOOKUP_WORDS: Record<string, string> = { items: 'item', parties: 'party', units: 'unit of measure' };

/** Where in the document a canonical field is, for a partner: "Line 2", "The buyer", "The seller". */
export function fieldInWords(field: string): string {
  const line = /^lines\[(\d+)\]/.exec(field);
  if (line) return `Line ${Number(line[1]) + 1}`;
  const head = field.split('.')[0]!;
  return head === 'buyer' ? 'The buyer' : head === 'seller' ? 'The seller' : head === 'shipTo' ? 'The delivery address' : `The field ${field}`;
}

/** A missing cross-reference as a partner can act on it: which line or party, and which ids we do not know. */
export function missInWords(m: Pick<MissingReference, 'field' | 'lookup' | 'keys'>): string {
  const what = (m.lookup && LOOKUP_WORDS[m.lookup]) || 'entry';
  const keys = m.keys.map((k) => `“${k}”`).join(', ');
  return `${fieldInWords(m.field)}: we know no ${what} by ${keys || 'the identifiers it gives'}. Use an identifier we agreed with you${what === 'item' ? ' (the GTIN or our item number)' : ''}, or ask us to add it.`;
}

/**
 * The same, read back from a stored error item (a message's history keeps the lookup's text, not its details):
 * `no entry for key "X" in lookup "items" ...` or `no entry for any of the keys "X", "Y" in lookup "items" ...`.
 */
export function missFromText(path: string, message: string): string | undefined {
  const found = /no entry for (?:key|any of the keys) (.+?) in lookup "([^"]+)"/.exec(message);
  if (!found) return undefined;
  const keys = [...found[1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((k) => k[1]!);
  return missInWords({ field: path, lookup: found[2]!, keys });
}

/** Media types in a text (application/edifact, text/xml): words the partner needs, not hub file names. */
const MEDIA_TYPES = /\b(?:application|text)\/[\w.+-]+/g;

/**
 * A problem's text for its reader: as it is for staff, without the hub's file names for a partner (the media
 * types the intake's refusals name are kept: redactForPartner would take "/xml" of application/xml for a path).
 */
export function problemText(text: string, audience: CheckAudience): string {
  if (audience !== 'partner') return text;
  const kept: string[] = [];
  const masked = text.replace(MEDIA_TYPES, (type) => `\u0000${kept.push(type) - 1}\u0000`);
  return redactForPartner(masked).replace(/\u0000(\d+)\u0000/g, (_, i: string) => kept[Number(i)]!);
}

/** A problem's items as a list: line and column when known, the field path for staff, the text. */
export function itemsList(problem: CheckProblem, audience: CheckAudience, testId: string): SafeHtml {
  const items = problem.errors.length ? problem.errors : [{ message: problem.message }];
  return html`<ul class="problems" data-testid="${testId}">${items.map(
    (e) => html`<li>${e.line ? html`line ${e.line}${e.column ? html`, column ${e.column}` : ''}: ` : ''}${e.path && audience === 'staff' ? html`<code>${e.path}</code>: ` : ''}${problemText(e.message, audience)}</li>`,
  )}</ul>`;
}

/** Every missing cross-reference: a table (field, table, keys) for staff, what to change in words for a partner. */
export function missingTable(misses: readonly MissingReference[], audience: CheckAudience): SafeHtml {
  if (audience === 'partner') return html`<ul class="problems" data-testid="missing">${misses.map((m) => html`<li data-field="${m.field}">${missInWords(m)}</li>`)}</ul>`;
  return html`<table class="results" data-testid="missing"><thead><tr><th>Field</th><th>Table</th><th>Keys looked for</th></tr></thead>
<tbody>${misses.map((m) => html`<tr data-field="${m.field}"><td><code>${m.field}</code></td><td>${m.lookup ?? ''}</td><td>${m.keys.join(', ')}</td></tr>`)}</tbody></table>`;
}

/** The result of a check as a page section (verdict, detected format, XSD, sender, cross-references, JSON). */
export function checkResultView(check: DocumentCheck, bytes: Buffer, audience: CheckAudience): SafeHtml {
  const staff = audience === 'staff';
  const misses = check.mapping ? missingReferences(check.mapping) : [];
  const ok = !check.refused && !check.xsd && !check.number && !check.sender && !check.mapping;
  const verdict = ok
    ? staff
      ? `It maps: ${check.canonical!.type} ${check.canonical!.documentNumber}, ${check.canonical!.lines.length} line(s). Nothing was stored or queued.`
      : `The document is fine: we would accept ${check.format!.documentType} ${check.documentNumber} and could process it. It was not sent; post it to the hub as usual.`
    : check.refused
      ? staff
        ? 'The intake would refuse it before its format is known. Nothing was stored or queued.'
        : 'We would refuse this document as it is; see why below. It was not sent.'
      : staff
        ? 'It does not pass every check; each problem is listed below. Nothing was stored or queued.'
        : 'This document has problems, listed below; correct them before you send it. It was not sent.';
  const lineItems = lineProblems([check.refused, check.xsd].filter((p) => p !== undefined));
  const problems = lineItems.map((p) => ({ ...p, message: problemText(p.message, audience) }));
  return html`<section class="check-result" data-testid="result">
<p class="message${ok ? ' notice' : ' error'}" role="status" data-testid="verdict">${verdict}</p>
<dl class="facts" data-testid="detected">
  <dt>Format</dt><dd data-testid="format">${check.format ? (staff ? `${check.format.name} (${check.format.documentType})` : check.format.documentType) : 'not recognised'}</dd>
  <dt>Number</dt><dd data-testid="number">${check.documentNumber ?? (check.format ? 'none found' : '—')}</dd>
</dl>
${check.refused ? html`<h2>Refused</h2>${staff ? html`<p><code>${check.refused.code}</code></p>` : ''}${itemsList(check.refused, audience, 'refused')}` : ''}
${check.xsd ? html`<h2>Schema (XSD): ${check.xsd.errors.length} problem${check.xsd.errors.length === 1 ? '' : 's'}</h2>${itemsList(check.xsd, audience, 'xsd-errors')}` : check.format && !check.refused ? html`<p class="muted" data-testid="xsd-ok">It conforms to its schema.</p>` : ''}
${check.number ? html`<h2>Document number</h2>${itemsList(check.number, audience, 'number-problem')}` : ''}
${check.sender ? html`<h2>Sender</h2><p class="message error" data-testid="sender">${staff ? check.sender.message : `The ${check.format!.senderParty} party of this document (${check.senderIds.join(', ') || 'none given'}) is not one of yours: send documents only in your own name, with the party ids agreed with us.`}</p>` : ''}
${misses.length
    ? html`<h2>Missing cross-references: ${misses.length}</h2>${missingTable(misses, audience)}`
    : check.mapping
      ? html`<h2>Mapping</h2>${staff ? html`<p><code>${check.mapping.code}</code></p>` : ''}${itemsList(check.mapping, audience, 'mapping-error')}`
      : ''}
${check.canonical && staff ? html`<h2>Canonical document</h2><pre class="document" data-testid="canonical">${JSON.stringify(check.canonical, null, 2)}</pre>` : ''}
${problems.length || check.refused || check.xsd ? html`<h2>The document</h2>${rawDocumentView(bytes, problems)}` : ''}
</section>`;
}

/** File names and types the file picker offers: XML and cXML, X12 and EDIFACT interchanges, plain text. */
const DOCUMENT_FILES = '.xml,.cxml,.edi,.x12,.edifact,.edf,.txt,application/xml,text/xml,application/edi-x12,application/edifact,text/plain';

/** The form's document field (textarea and file picker, which console's mapping-test.js reads into the textarea). */
export function documentField(text: string, limitBytes: number): SafeHtml {
  return html`<label class="document-field">Document (XML or cXML, or an X12 or EDIFACT interchange)
  <textarea name="document" rows="16" spellcheck="false" data-testid="document" data-max-bytes="${limitBytes}" required>${text}</textarea></label>
<label>or its file <input type="file" accept="${DOCUMENT_FILES}" data-testid="file" data-fills="document"></label>
<p class="muted file-note" data-testid="file-note"></p>`;
}
