/**
 * Writes X12 segments with a partner's delimiters (X12.5/X12.6). X12 has no release character: a value holding
 * the element, component or repetition separator or the segment terminator cannot be sent as it is, so it is an
 * error naming the segment, its position and the element, never stripped or replaced (a changed order number is
 * worse than a refused document). Control characters are refused the same way (X12.6 basic and extended character
 * sets have none, and a line break in a value would end the segment for partners reading one segment per line).
 * Empty trailing elements and components are left out (X12.6: trailing separators are not transmitted).
 */
import { HubError } from '../../errors/hub-error.js';
import { shown, trimTrailing, writeError, type OutboundSegment, type WriteProblem } from '../outbound-segment.js';

/** The delimiters of an X12 interchange; `repetition` only for ISA12 00402 and later (ISA11). */
export interface X12Delimiters {
  element: string;
  component: string;
  repetition?: string;
  segment: string;
}

/** The hub's defaults when a partner says nothing: * : ^ ~. */
export const X12_DEFAULT_DELIMITERS: Readonly<Required<X12Delimiters>> = Object.freeze({ element: '*', component: ':', repetition: '^', segment: '~' });

/** A line break written after each terminator, for partners that want one segment per line; default none. */
export type Newline = '' | '\n' | '\r\n';

/** What the reader (isa.ts) refuses as a separator: letters, digits and white space (a terminator may be a line break). */
const NOT_A_SEPARATOR = /[A-Za-z0-9\s]/;
const NOT_A_TERMINATOR = /[A-Za-z0-9 \t]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The partner's delimiters over the defaults, checked as the reader checks an ISA: one character each, no letter or
 * digit, no white space (but a line break as the terminator), all different; information separators such as
 * \x1d are allowed, as some partners use them. `repetition: false` leaves the repetition separator out (ISA12
 * before 00402, where ISA11 is U).
 */
export function x12Delimiters(partner: Partial<X12Delimiters> = {}, repetition = true): X12Delimiters {
  const d = { ...X12_DEFAULT_DELIMITERS, ...partner };
  const used: Array<[string, string]> = [['element', d.element], ['component', d.component], ['segment', d.segment]];
  if (repetition) used.push(['repetition', d.repetition]);
  const seen = new Map<string, string>();
  for (const [name, ch] of used) {
    if (typeof ch !== 'string' || [...ch].length !== 1 || (name === 'segment' ? NOT_A_TERMINATOR : NOT_A_SEPARATOR).test(ch)) {
      throw new HubError('HUB_ERR_CONFIG',
        `X12 ${name} delimiter ${JSON.stringify(ch)} must be one character that is not a letter, digit or white space`);
    }
    const other = seen.get(ch);
    if (other) throw new HubError('HUB_ERR_CONFIG', `X12 ${name} delimiter ${shown(ch)} is the same character as the ${other} delimiter`);
    seen.set(ch, name);
  }
  return { element: d.element, component: d.component, segment: d.segment, ...(repetition ? { repetition: d.repetition } : {}) };
}

/** The terminator as written: with the line break asked for, unless the terminator is a line break itself. */
export function x12Terminator(d: X12Delimiters, newline: string | undefined): string {
  return d.segment === '\n' || d.segment === '\r' ? d.segment : d.segment + (newline ?? '');
}

/** Checks one value, pushing a problem for each delimiter or control character it holds. */
function checkValue(value: string, d: X12Delimiters, where: Omit<WriteProblem, 'message'>, problems: WriteProblem[]): void {
  const names: Array<[string | undefined, string]> = [[d.element, 'element separator'], [d.component, 'component separator'],
    [d.repetition, 'repetition separator'], [d.segment, 'segment terminator']];
  for (const [ch, name] of names) {
    if (ch !== undefined && value.includes(ch)) {
      problems.push({
        ...where,
        message: `"${value.slice(0, 60)}" holds the ${name} ${shown(ch)}; X12 has no release character, so the value must not `
          + 'contain it (ask the partner for other delimiters, or change the data)',
      });
    }
  }
  const control = CONTROL.exec(value);
  if (control && !names.some(([ch]) => ch === control[0])) {
    const message = `"${value.slice(0, 60)}" holds the control character ${shown(control[0])} (a line break or tab?), which X12 does not allow in data`;
    problems.push({ ...where, message });
  }
}

/**
 * One segment as text (without its terminator); problems are pushed, not thrown, so a whole document's are listed.
 * `position` is the segment's position for the messages (ST = 1).
 */
export function x12SegmentText(segment: OutboundSegment, d: X12Delimiters, position: number, problems: WriteProblem[]): string {
  if (!/^[A-Z][A-Z0-9]{1,2}$/.test(segment.id)) {
    const message = `"${segment.id}" is not an X12 segment id (2 or 3 upper case letters or digits, a letter first)`;
    problems.push({ segmentId: segment.id, segmentPosition: position, message });
  }
  const values = segment.elements.map((element, e) => {
    if (element === undefined) return '';
    const where = { segmentId: segment.id, segmentPosition: position, elementPosition: e + 1 };
    if (typeof element === 'string') {
      checkValue(element, d, where, problems);
      return element;
    }
    element.forEach((component, c) => checkValue(component, d, { ...where, componentPosition: c + 1 }, problems));
    return trimTrailing([...element]).join(d.component);
  });
  return [segment.id, ...trimTrailing(values)].join(d.element);
}

/**
 * Writes segments as X12 text with delimiters from x12Delimiters, each followed by the terminator (and the newline
 * asked for). Throws
 * HUB_ERR_EDI_INVALID listing every value that cannot be written. `firstPosition` is the position of the first
 * segment in its transaction (2 for a body after ST), for the messages.
 */
export function writeX12Segments(segments: readonly OutboundSegment[], d: X12Delimiters = x12Delimiters(),
  options: { newline?: Newline; firstPosition?: number } = {}): string {
  const problems: WriteProblem[] = [];
  const end = x12Terminator(d, options.newline);
  const first = options.firstPosition ?? 1;
  const text = segments.map((segment, i) => x12SegmentText(segment, d, first + i, problems) + end).join('');
  if (problems.length) throw writeError('X12', problems);
  return text;
}
