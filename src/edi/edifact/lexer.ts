/**
 * Splits EDIFACT text into segments with the interchange's delimiters: release characters resolved, composites
 * as arrays of components, CR/LF between segments ignored, offsets and lines kept for each segment.
 */
import type { EdiDelimiters, EdiProblem, EdiSegment } from '../types.js';

/** A segment as lexed, with what the checks need beyond EdiSegment. */
export interface LexedSegment extends EdiSegment {
  /** Element positions (1-based) that held a repetition separator (ISO 9735 version 4 only). */
  repeated?: number[];
}

export interface LexResult {
  segments: LexedSegment[];
  problems: EdiProblem[];
}

/** ISO 9735 defaults: level A/C and above (and level B written without UNA in printable characters). */
export const DEFAULT_DELIMITERS: EdiDelimiters = { component: ':', element: '+', decimal: '.', release: '?', segment: "'" };
/** Level B defaults without UNA: IS1 component, IS3 element, IS4 segment terminator; no release character. */
export const LEVEL_B_DELIMITERS: EdiDelimiters = { component: '\x1f', element: '\x1d', decimal: '.', segment: '\x1c' };

export function lex(text: string, from: number, d: EdiDelimiters, lineAt: (offset: number) => number): LexResult {
  const segments: LexedSegment[] = [];
  const problems: EdiProblem[] = [];
  const n = text.length;
  let i = from;
  while (i < n) {
    // Line breaks (and stray spaces) between segments are not part of the data.
    while (i < n && (text[i] === '\r' || text[i] === '\n') && text[i] !== d.segment) i++;
    if (i >= n) break;
    const start = i;
    const elements: string[][] = [];
    let components: string[] = [];
    let value = '';
    let repeated: number[] | undefined;
    let terminated = false;
    while (i < n) {
      const ch = text[i]!;
      if (d.release !== undefined && ch === d.release) {
        if (i + 1 >= n) {
          problems.push({
            level: 'interchange', code: '13', line: lineAt(start),
            message: `the text ends with the release character '${d.release}' and no segment terminator: the last segment is cut off; release a '${d.release}' in data as '${d.release}${d.release}'`,
          });
          i++;
          break;
        }
        value += text[i + 1];
        i += 2;
        continue;
      }
      if (ch === d.segment) { terminated = true; i++; break; }
      if (ch === d.element) { components.push(value); elements.push(components); components = []; value = ''; i++; continue; }
      if (ch === d.component) { components.push(value); value = ''; i++; continue; }
      if (d.repetition !== undefined && ch === d.repetition) {
        (repeated ??= []).push(elements.length);
        // Only the first repetition is kept; the validator reports the others (35).
        components.push(value); value = '';
        while (i < n && text[i] !== d.element && text[i] !== d.segment) i += text[i] === d.release ? 2 : 1;
        continue;
      }
      value += ch;
      i++;
    }
    components.push(value);
    elements.push(components);
    const tag = elements[0]!;
    const id = tag[0]!.trim();
    const seg: LexedSegment = {
      id,
      elements: elements.slice(1).map((c) => (c.length === 1 ? c[0]! : c)),
      start,
      end: i,
      line: lineAt(start),
      ...(repeated ? { repeated: [...new Set(repeated)] } : {}),
    };
    if (!terminated && id !== '') {
      problems.push({
        level: 'interchange', code: '13', segmentId: id, line: seg.line,
        message: `segment ${id} at line ${seg.line} has no segment terminator '${printable(d.segment)}' before the end of the text`,
      });
    }
    if (id === '' && elements.length === 1 && tag.length === 1) continue; // trailing whitespace only
    segments.push(seg);
  }
  return { segments, problems };
}

/** A delimiter as a person reads it in a message. */
export function printable(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return `\\x${code.toString(16).padStart(2, '0')}`;
  return ch;
}

/** Line starts of the text, for 1-based line numbers by offset. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  };
}
