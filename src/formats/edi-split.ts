import type { EdiSyntax } from './edi.js';

/**
 * Several interchanges in one body: partners' translators often batch interchanges into one file (ISA…IEA
 * ISA…IEA, or UNB…UNZ UNB…UNZ, each UNB perhaps with its own UNA). Each is a whole interchange of its own: its
 * own control number, its own duplicate check and acknowledgements. This finds where each one ends, from the
 * delimiters its own header declares, and returns their bytes in order. The bytes are searched as single bytes
 * (the delimiters are ASCII in every character set the hub reads), so the pieces are exact slices of the body.
 * A body with one interchange, or one the splitter cannot follow (no trailer, something else after it), is
 * returned whole: the reader then judges it and says what is wrong.
 */
export function splitInterchanges(syntax: EdiSyntax, body: Buffer): Buffer[] {
  const text = body.toString('latin1');
  const pieces: Buffer[] = [];
  let start = skipSpace(text, 0);
  for (;;) {
    const end = syntax === 'x12' ? x12End(text, start) : edifactEnd(text, start);
    if (end === undefined) break;
    const next = skipSpace(text, end);
    if (next >= text.length) {
      if (pieces.length === 0) return [body];
      pieces.push(body.subarray(start, end));
      return pieces;
    }
    if (!startsInterchange(syntax, text, next)) break;
    pieces.push(body.subarray(start, end));
    start = next;
  }
  return [body];
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}

function startsInterchange(syntax: EdiSyntax, text: string, at: number): boolean {
  return syntax === 'x12' ? text.startsWith('ISA', at) : text.startsWith('UNA', at) || text.startsWith('UNB', at);
}

/** The end (exclusive, after its terminator) of the X12 interchange starting at `start`, from its ISA's delimiters. */
function x12End(text: string, start: number): number | undefined {
  if (!text.startsWith('ISA', start)) return undefined;
  const element = text[start + 3];
  if (element === undefined || /[\sA-Za-z0-9]/.test(element)) return undefined;
  // ISA16 (the component separator) is the character after the 16th element separator; the terminator follows it.
  let at = start + 3; // the first separator; fifteen more to the one before ISA16
  for (let n = 1; n < 16; n++) {
    at = text.indexOf(element, at + 1);
    if (at < 0) return undefined;
  }
  const terminator = text[at + 2];
  if (terminator === undefined) return undefined;
  // The IEA segment: at the start of a segment (after a terminator and any line break), then its own terminator.
  let from = at + 3;
  for (;;) {
    const iea = text.indexOf(`IEA${element}`, from);
    if (iea < 0) return undefined;
    if (afterTerminator(text, iea, terminator)) {
      const close = text.indexOf(terminator, iea);
      return close < 0 ? undefined : close + 1;
    }
    from = iea + 4;
  }
}

/** Whether position `at` starts a segment: the terminator before it, with only line breaks or spaces between. */
function afterTerminator(text: string, at: number, terminator: string): boolean {
  let back = at - 1;
  if (/\s/.test(terminator)) return back >= 0 && /\s/.test(text[back]!);
  while (back >= 0 && /\s/.test(text[back]!)) back--;
  return text[back] === terminator;
}

/** The end (exclusive) of the EDIFACT interchange starting at `start` (UNA or UNB), from its UNA or the defaults. */
function edifactEnd(text: string, start: number): number | undefined {
  let terminator = "'";
  let release = '?';
  let element = '+';
  if (text.startsWith('UNA', start)) {
    element = text[start + 4] ?? '+';
    release = text[start + 6] ?? '?';
    terminator = text[start + 8] ?? "'";
  } else if (!text.startsWith('UNB', start)) return undefined;
  // Walk the segments, honouring the release character, to the UNZ segment's terminator.
  let segmentStart = start;
  for (let at = start; at < text.length; at++) {
    const c = text[at];
    if (c === release) {
      at++;
      continue;
    }
    if (c !== terminator) continue;
    const tag = text.slice(skipSpace(text, segmentStart), skipSpace(text, segmentStart) + 4);
    if (tag === `UNZ${element}`) return at + 1;
    segmentStart = at + 1;
  }
  return undefined;
}
