import { ParseOption, XmlDocument } from 'libxml2-wasm';
import { html, type SafeHtml } from './html.js';

/** A problem of a document at a line (and column), as XSD and parse errors report them. */
export interface LineProblem {
  line: number;
  column?: number;
  message: string;
}

/** The raw bytes as text: UTF-16 when they start with its byte-order mark, UTF-8 otherwise. */
export function documentText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

/**
 * Indents XML that came on one or two lines (libxml2's own serializer, blanks dropped); undefined when the text
 * is not well-formed XML. The document was accepted by the intake's safe parser (no DOCTYPE, within limits).
 */
export function indentXml(text: string): string | undefined {
  if (/<!(DOCTYPE|ENTITY)/.test(text)) return undefined;
  let doc: XmlDocument | undefined;
  try {
    doc = XmlDocument.fromString(text, { option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NOBLANKS });
    return doc.toString({ format: true, noDeclaration: !text.startsWith('<?xml') }).trimEnd();
  } catch {
    return undefined;
  } finally {
    doc?.dispose();
  }
}

/**
 * The raw document for reading: as posted, one numbered line each, when it already has lines (so the line
 * numbers of XSD errors point at the right line, which is highlighted); indented first when it came on one or
 * two lines, its problems then listed above it (their line numbers are those of the document as posted).
 */
export function rawDocumentView(bytes: Buffer, problems: readonly LineProblem[]): SafeHtml {
  const text = documentText(bytes);
  const postedLines = text.split(/\r?\n/);
  const indented = postedLines.length <= 2 ? indentXml(text) : undefined;
  const lines = indented === undefined ? postedLines : indented.split('\n');
  const byLine = new Map<number, LineProblem[]>();
  if (indented === undefined) for (const p of problems) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p]);
  const rows = lines.map((line, i) => {
    const marks = byLine.get(i + 1);
    const title = marks?.map((p) => `${p.column ? `column ${p.column}: ` : ''}${p.message}`).join('\n');
    return html`<span class="line${marks ? ' error-line' : ''}"${marks ? html` data-testid="error-line" title="${title}"` : ''}><span class="ln">${i + 1}</span>${line}</span>\n`;
  });
  return html`${indented !== undefined ? html`<p class="note">Indented for reading: the document came on ${postedLines.length === 1 ? 'one line' : 'two lines'}.${problems.length ? ' The problems below give lines of the document as posted.' : ''}</p>` : ''}
${problems.length
    ? html`<ul class="problems" data-testid="problems">${problems.map((p) => html`<li>line ${p.line}${p.column ? html`, column ${p.column}` : ''}: ${p.message}</li>`)}</ul>`
    : ''}
<pre class="document" data-testid="raw">${rows}</pre>`;
}

/** The line problems of error items anywhere in a message's history (XSD and parse errors carry a line). */
export function lineProblems(errors: ReadonlyArray<{ errors?: unknown[] } | undefined>): LineProblem[] {
  const out: LineProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    for (const item of error?.errors ?? []) {
      const e = item as { line?: unknown; column?: unknown; message?: unknown } | null;
      if (!e || typeof e.line !== 'number' || !Number.isInteger(e.line) || e.line < 1) continue;
      const problem: LineProblem = { line: e.line, ...(typeof e.column === 'number' ? { column: e.column } : {}), message: typeof e.message === 'string' ? e.message : 'error' };
      const key = `${problem.line}:${problem.column ?? ''}:${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(problem);
    }
  }
  return out.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
}
