import { HubError } from '../errors/hub-error.js';

/** Bounds on a document's shape, checked before any XML parser sees it. */
export interface XmlLimits {
  /** Deepest element nesting. */
  maxDepth: number;
  /** Elements in the whole document. */
  maxElements: number;
  /** Attributes (namespace declarations included) on one element. */
  maxAttributes: number;
  /** Characters in one text node, CDATA section or attribute value. */
  maxTextLength: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({ maxDepth: 64, maxElements: 100_000, maxAttributes: 64, maxTextLength: 4 * 1024 * 1024 });

const LT = 60;
const GT = 62;
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const EQUALS = 61;
const DQUOTE = 34;
const SQUOTE = 39;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function exceeded(text: string, index: number, what: string, limit: number): never {
  const line = lineAt(text, index);
  throw new HubError('HUB_ERR_XML_LIMIT', `The document exceeds the hub's limit of ${limit} ${what} (at line ${line}).`, { errors: [{ line, message: `more than ${limit} ${what}` }] });
}

/**
 * One linear pass over the markup view of the document (its bytes as latin1, NUL bytes dropped) that
 * enforces depth, element count, attributes per element and text length. It does not judge well-formedness
 * (the parser does that next); it only stops documents whose shape alone would cost too much.
 */
export function checkXmlLimits(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  const n = text.length;
  let depth = 0;
  let elements = 0;
  let i = 0;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end - i > limits.maxTextLength) exceeded(text, i, 'characters in one text node', limits.maxTextLength);
    if (lt === -1) return;
    const next = text.charCodeAt(lt + 1);
    if (next === BANG) {
      if (text.startsWith('<!--', lt)) {
        const close = text.indexOf('-->', lt + 4);
        if (close === -1) return;
        if (close - lt > limits.maxTextLength) exceeded(text, lt, 'characters in one comment', limits.maxTextLength);
        i = close + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const close = text.indexOf(']]>', lt + 9);
        if (close === -1) return;
        if (close - lt > limits.maxTextLength) exceeded(text, lt, 'characters in one CDATA section', limits.maxTextLength);
        i = close + 3;
      } else i = lt + 2;
      continue;
    }
    if (next === QUESTION) {
      const close = text.indexOf('?>', lt + 2);
      if (close === -1) return;
      i = close + 2;
      continue;
    }
    if (next === SLASH) {
      depth--;
      const close = text.indexOf('>', lt);
      if (close === -1) return;
      i = close + 1;
      continue;
    }
    if (++elements > limits.maxElements) exceeded(text, lt, 'elements', limits.maxElements);
    let attributes = 0;
    let quote = 0;
    let valueStart = 0;
    let j = lt + 1;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (quote) {
        if (c === quote) {
          quote = 0;
          if (j - valueStart > limits.maxTextLength) exceeded(text, valueStart, 'characters in one attribute value', limits.maxTextLength);
        }
      } else if (c === DQUOTE || c === SQUOTE) {
        quote = c;
        valueStart = j;
      } else if (c === EQUALS) {
        if (++attributes > limits.maxAttributes) exceeded(text, lt, 'attributes on one element', limits.maxAttributes);
      } else if (c === GT) break;
      else if (c === LT) break;
    }
    if (j >= n) return;
    if (text.charCodeAt(j - 1) !== SLASH && ++depth > limits.maxDepth) exceeded(text, lt, 'levels of element nesting', limits.maxDepth);
    i = text.charCodeAt(j) === GT ? j + 1 : j;
  }
}
