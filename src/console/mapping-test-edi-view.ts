import type { EdiProblem } from '../edi/types.js';
import { interchangeWarnings } from '../edi/warnings.js';
import { html, type SafeHtml } from './html.js';
import type { InterchangeCheck, PostedCheck, TransactionCheck } from './mapping-test-edi.js';
import { checkResultView, itemsList, missingReferences, missingTable, problemText, type CheckAudience } from './mapping-test-view.js';

/**
 * The result of a checked interchange as a page section, for staff (formats, error codes, canonical JSON) and for
 * a partner (in their words): the envelope and its problems, each transaction with its set, control number,
 * format, number, its problems located as its 997/999 or CONTRL reports them (segment position and id, element,
 * the standard's code), its missing cross-references and its segments, then the acknowledgements the hub would
 * send. A document that is not an interchange is shown by checkResultView.
 */

const LABEL = { x12: 'X12', edifact: 'EDIFACT' } as const;

/** A checked post as a page section, whichever its syntax; a batch of interchanges one section each. */
export function postedResultView(posted: PostedCheck, bytes: Buffer, audience: CheckAudience): SafeHtml {
  if (posted.kind === 'document') return checkResultView(posted.check, bytes, audience);
  const [only] = posted.pieces;
  if (posted.pieces.length === 1 && only && 'check' in only) return interchangeResultView(only.check, audience);
  const staff = audience === 'staff';
  return html`<section class="check-result" data-testid="result" data-syntax="${posted.syntax}" data-interchanges="${posted.pieces.length}">
<p class="message notice" role="status" data-testid="batch">${posted.pieces.length} interchanges in this file, each judged on its own as the intake judges a batch (its own control number, envelope and acknowledgements).${staff ? ' Nothing was stored or queued.' : ' It was not sent.'}</p>
${posted.pieces.map((piece, i) => html`<h2>Interchange ${i + 1} of ${posted.pieces.length}</h2>
${'check' in piece ? interchangeResultView(piece.check, audience, 'interchange-result') : checkResultView({ senderIds: [], refused: piece.refused }, piece.bytes, audience)}`)}
</section>`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function elementOf(p: EdiProblem): string {
  return p.elementPosition ? `${p.elementPosition}${p.componentPosition ? `.${p.componentPosition}` : ''}` : '';
}

/** Problems located: level, the standard's code, segment position and id, element (and component), reference, value, line. */
function problemsTable(problems: readonly EdiProblem[], audience: CheckAudience, testId: string): SafeHtml {
  return html`<table class="results" data-testid="${testId}"><thead><tr><th>Level</th><th>Code</th><th>Segment position</th><th>Segment</th><th>Element</th><th>Data element</th><th>Value</th><th>Line</th><th>Problem</th></tr></thead>
<tbody>${problems.map(
    (p) => html`<tr data-level="${p.level}"><td data-column="level">${p.level}</td><td data-column="code">${p.code}</td><td data-column="segment-position">${p.segmentPosition ?? ''}</td><td data-column="segment">${p.segmentId ?? ''}</td><td data-column="element">${elementOf(p)}</td><td data-column="reference">${p.elementReference ?? ''}</td><td data-column="value">${p.value ?? ''}</td><td data-column="line">${p.line ?? ''}</td><td data-column="problem">${problemText(p.message, audience)}</td></tr>`,
  )}</tbody></table>`;
}

/** Why a refused transaction is refused, in one sentence (its problems are listed below it). */
function refusalWords(t: TransactionCheck, audience: CheckAudience): string {
  const { code, detail } = t.refusal!;
  if (code === 'HUB_ERR_EDI_ENVELOPE') return 'its interchange’s or group’s envelope is wrong (see Envelope above); no transaction of it is taken.';
  if (code === 'HUB_ERR_EDI_INVALID') return `it breaks the rules of its transaction set: ${plural(t.problems.length, 'problem')}, listed below.`;
  return problemText(t.problems[0]?.message ?? detail, audience);
}

function transactionVerdict(t: TransactionCheck, audience: CheckAudience): { ok: boolean; text: string } {
  const staff = audience === 'staff';
  const misses = t.mapping ? missingReferences(t.mapping).length : 0;
  const mappingWords = t.mapping ? (misses ? `${plural(misses, 'missing cross-reference')}, listed below` : 'its mapping fails, see below') : '';
  if (t.outcome === 'acknowledgement') {
    return { ok: true, text: staff ? `A ${t.setId} from the partner: the hub keeps it with what it acknowledges; it is not a message, not mapped and not acknowledged.` : `An acknowledgement (${t.setId}): we keep it; it is not a document to process.` };
  }
  if (t.refusal) {
    const also = t.mapping ? ` Its mapping also has problems: ${mappingWords}.` : '';
    return { ok: false, text: `${staff ? 'The intake would refuse it' : 'We would refuse it'}: ${refusalWords(t, audience)}${also}` };
  }
  if (t.mapping) {
    return { ok: false, text: staff ? `The intake would take it (its acknowledgement accepts it), but its transform would fail: ${mappingWords}.` : `We would accept it, but could not process it: ${mappingWords}.` };
  }
  return {
    ok: true,
    text: staff ? `Taken as ${t.format!.name}: it maps, ${t.canonical!.type} ${t.canonical!.documentNumber}, ${plural(t.canonical!.lines.length, 'line')}.` : `Fine: we would accept ${t.format!.documentType} ${t.documentNumber} and could process it.`,
  };
}

/** The segments of a transaction, numbered by position (the header is 1), those with a problem marked. */
function segmentsView(t: TransactionCheck, text: string): SafeHtml {
  const segments = t.transaction.segments;
  const marked = new Map<number, EdiProblem[]>();
  for (const p of t.problems) {
    // By position when the problem has one, else by the segment's id on its line (an X12 SE01 count, say).
    const positions = p.segmentPosition ? [p.segmentPosition] : segments.flatMap((s, i) => (s.id === p.segmentId && s.line === p.line ? [i + 1] : []));
    for (const position of positions) marked.set(position, [...(marked.get(position) ?? []), p]);
  }
  const rows = segments.map((s, i) => {
    const problems = marked.get(i + 1);
    const title = problems?.map((p) => p.message).join('\n');
    return html`<span class="line${problems ? ' error-line' : ''}"${problems ? html` data-testid="error-segment" data-position="${i + 1}" title="${title}"` : ''}><span class="ln">${i + 1}</span>${text.slice(s.start, s.end).replace(/[\r\n]+$/, '')}</span>\n`;
  });
  return html`<details${marked.size ? ' open' : ''}><summary>The transaction as sent: ${plural(segments.length, 'segment')}, numbered by position${marked.size ? `; ${plural(marked.size, 'segment')} with problems marked` : ''}</summary><pre class="document" data-testid="segments">${rows}</pre></details>`;
}

function transactionView(t: TransactionCheck, check: InterchangeCheck, audience: CheckAudience): SafeHtml {
  const staff = audience === 'staff';
  const verdict = transactionVerdict(t, audience);
  const misses = t.mapping ? missingReferences(t.mapping) : [];
  const located = t.refusal?.code === 'HUB_ERR_EDI_ENVELOPE' ? [] : t.problems;
  return html`<section class="transaction" data-testid="transaction" data-set="${t.setId}" data-control="${t.controlNumber}" data-outcome="${t.outcome}">
<h3>${t.setId} ${t.controlNumber}</h3>
<p class="message${verdict.ok ? ' notice' : ' error'}" data-testid="transaction-verdict">${verdict.text}</p>
<dl class="facts">
  <dt>Transaction set</dt><dd data-testid="set">${t.setId}</dd>
  <dt>Control number</dt><dd data-testid="control-number">${t.controlNumber}</dd>
  ${t.group ? html`<dt>Group</dt><dd data-testid="group">${t.group}</dd>` : ''}
  <dt>Version</dt><dd data-testid="version">${t.version}</dd>
  <dt>Format</dt><dd data-testid="format">${t.format ? (staff ? `${t.format.name} (${t.format.documentType})` : t.format.documentType) : t.outcome === 'acknowledgement' ? 'an acknowledgement' : t.refusal?.code === 'HUB_ERR_EDI_ENVELOPE' ? 'not looked for (the envelope is wrong)' : `none of ${staff ? 'the partner’s' : 'your'} formats takes it`}</dd>
  <dt>Number</dt><dd data-testid="number">${t.documentNumber ?? '—'}</dd>
</dl>
${t.refusal && staff ? html`<p><code data-testid="refusal-code">${t.refusal.code}</code></p>` : ''}
${located.length ? html`<h4>${plural(located.length, 'problem')}, as the ${check.syntax === 'x12' ? '997' : 'CONTRL'} reports them</h4>${problemsTable(located, audience, 'edi-problems')}` : ''}
${misses.length
    ? html`<h4>Missing cross-references: ${misses.length}</h4>${missingTable(misses, audience)}`
    : t.mapping
      ? html`<h4>Mapping</h4>${staff ? html`<p><code>${t.mapping.code}</code></p>` : ''}${itemsList(t.mapping, audience, 'mapping-error')}`
      : ''}
${t.canonical && staff ? html`<h4>Canonical document${t.refusal ? ' (what its mapping gives; the intake would refuse it)' : ''}</h4><pre class="document" data-testid="canonical">${JSON.stringify(t.canonical, null, 2)}</pre>` : ''}
${segmentsView(t, check.text)}
</section>`;
}

/** An acknowledgement's segments each on its own row, its text unchanged (the rows add no characters). */
function acknowledgementView(kind: string, content: string): SafeHtml {
  const una = content.startsWith('UNA');
  const terminator = una ? content[8]! : content.startsWith('UNB') ? "'" : (content[105] ?? '~');
  const release = una ? content[6]! : content.startsWith('UNB') ? '?' : '';
  const segments: string[] = [];
  let start = 0;
  for (let i = 0; i < content.length; i++) {
    if (content[i] === release) i++;
    else if (content[i] === terminator) {
      let end = i + 1;
      while (content[end] === '\r' || content[end] === '\n') end++;
      segments.push(content.slice(start, end));
      start = end;
      i = end - 1;
    }
  }
  if (start < content.length) segments.push(content.slice(start));
  return html`<h3>${kind}</h3><pre class="document" data-testid="acknowledgement" data-kind="${kind}">${segments.map((s) => html`<span class="line">${s}</span>`)}</pre>`;
}

function verdictOf(check: InterchangeCheck, audience: CheckAudience): { ok: boolean; text: string } {
  const staff = audience === 'staff';
  const ts = check.transactions;
  const taken = ts.filter((t) => t.outcome !== 'refused').length;
  const ok = ts.length > 0 && ts.every((t) => !t.refusal && !t.mapping);
  if (check.interchange.problems.length) {
    return { ok: false, text: staff ? 'The interchange’s envelope is wrong: the intake would take none of its transactions. Nothing was stored or queued.' : 'The envelope of this interchange is wrong, so we would take none of its transactions; see below. It was not sent.' };
  }
  if (!ts.length) return { ok: false, text: staff ? 'The interchange holds no transaction. Nothing was stored or queued.' : 'This interchange holds no transaction. It was not sent.' };
  if (ok) {
    return { ok, text: staff ? `The intake would take ${ts.length === 1 ? 'its transaction' : `all ${ts.length} transactions`} and ${ts.length === 1 ? 'it maps' : 'each maps'}. Nothing was stored or queued.` : 'The interchange is fine: we would accept every transaction in it and could process them. It was not sent; post it to the hub as usual.' };
  }
  const one = ts.length === 1;
  const judged = taken === 0 ? (one ? 'refuse its transaction' : `refuse all ${ts.length} transactions`) : taken < ts.length ? `take ${taken} of its ${ts.length} transactions` : one ? 'take its transaction, but its transform would fail' : `take all ${ts.length} transactions, but not all of them map`;
  return { ok, text: staff ? `The intake would ${judged}; each problem is listed below. Nothing was stored or queued.` : 'This interchange has problems, listed below per transaction; correct them before you send it. It was not sent.' };
}

/** A checked interchange as a page section (the page's result, or one interchange of a batch). */
export function interchangeResultView(check: InterchangeCheck, audience: CheckAudience, testId = 'result'): SafeHtml {
  const staff = audience === 'staff';
  const ic = check.interchange;
  const verdict = verdictOf(check, audience);
  const envelope = [...ic.problems, ...ic.groups.flatMap((g) => g.problems)];
  const warnings = interchangeWarnings(ic);
  const party = (p: { qualifier: string; id: string }) => `${p.qualifier.trim()}:${p.id.trim()}`;
  return html`<section class="check-result" data-testid="${testId}" data-syntax="${check.syntax}">
<p class="message${verdict.ok ? ' notice' : ' error'}" role="status" data-testid="verdict">${verdict.text}</p>
<dl class="facts" data-testid="interchange">
  <dt>Syntax</dt><dd data-testid="syntax">${LABEL[check.syntax]} ${ic.syntaxVersion}</dd>
  ${staff ? html`<dt>Checked for</dt><dd data-testid="checked-for">${check.partner}${check.partnerPicked ? ' (picked by the hub: the first partner whose formats take the first transaction, as hub ack does)' : ''}</dd>` : ''}
  <dt>Interchange</dt><dd data-testid="interchange-control">${ic.controlNumber}</dd>
  <dt>Sender</dt><dd>${party(ic.sender)}</dd>
  <dt>Receiver</dt><dd>${party(ic.receiver)}</dd>
  <dt>Prepared</dt><dd>${ic.date} ${ic.time}${ic.test ? ' (test)' : ''}</dd>
  <dt>Transactions</dt><dd data-testid="transaction-count">${ic.groups.reduce((n, g) => n + g.transactions.length, 0)}${check.syntax === 'x12' || ic.groups.some((g) => g.header) ? ` in ${plural(ic.groups.length, 'group')}` : ''}</dd>
</dl>
${envelope.length
    ? html`<h2>Envelope: ${plural(envelope.length, 'problem')}</h2>
<p class="message error" role="alert" data-testid="envelope-verdict">${ic.problems.length ? 'The interchange’s envelope is wrong' : 'A group’s envelope is wrong'}: ${ic.problems.length ? 'none of its transactions is taken' : 'none of that group’s transactions is taken'}${check.syntax === 'x12' && ic.problems.length ? '; the TA1 below says why' : ''}.</p>
${problemsTable(envelope, audience, 'envelope-problems')}`
    : html`<p class="muted" data-testid="envelope-ok">The envelope is right: its counts and control numbers agree.</p>`}
${warnings.length
    ? html`<h2>Envelope: ${plural(warnings.length, 'deviation')} read through</h2>
<p class="message" data-testid="envelope-warnings-verdict">${staff ? 'Taken with each deviation noted: its TA1 says E (accepted, errors noted) with the code below; a partner configured strict (partners.<id>.x12.strictIsa) would have it refused.' : 'We take it, and note each deviation below so that your translator can fix it.'}</p>
${problemsTable(warnings, audience, 'envelope-warnings')}`
    : ''}
<h2>Transactions: ${check.transactions.length}</h2>
${check.transactions.map((t) => transactionView(t, check, audience))}
<h2>Acknowledgements the hub would send</h2>
${check.acknowledgements.length
    ? html`<p class="muted">${staff ? 'Built as the intake builds them (the same function as hub ack), with control numbers 1: the hub numbers its own per partner when it sends them.' : 'What we would answer, except for its control numbers (we number our own).'}</p>${check.acknowledgements.map((a) => acknowledgementView(a.kind, a.content))}`
    : html`<p class="muted" data-testid="no-acknowledgement">${staff ? `The partner is configured for no acknowledgement of this interchange (partners.${check.partner}.acknowledgements).` : 'We send no acknowledgement for it.'}</p>`}
</section>`;
}
