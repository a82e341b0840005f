/**
 * What the EDI writers take: a segment to send as its id and its elements, a composite as its components. The
 * reverse mappings produce these for one transaction body; the envelope builders add the header and trailer
 * segments around them. A segment the readers produced (EdiSegment) is one too, so a read document can be
 * written again.
 */
import { HubError, type ErrorItem } from '../errors/hub-error.js';

/** One element: a simple value, a composite as its components (in order), or undefined for an empty element. */
export type OutboundElement = string | readonly string[] | undefined;

/** One segment to write: its id (tag) and its elements from position 1 on. */
export interface OutboundSegment {
  id: string;
  elements: readonly OutboundElement[];
}

/** Where a value that cannot be written is: the segment (position counted from the transaction header) and element. */
export interface WriteProblem {
  segmentId: string;
  /** 1-based position of the segment, counted as the trailer counts (ST or UNH = 1) when the writer knows it. */
  segmentPosition: number;
  /** 1-based element position; absent for a problem of the segment id itself. */
  elementPosition?: number;
  /** 1-based component position inside a composite. */
  componentPosition?: number;
  message: string;
}

/** The element's name as the standards print it: N102, or N102-1 for the first component of a composite. */
export function elementName(problem: Pick<WriteProblem, 'segmentId' | 'elementPosition' | 'componentPosition'>): string {
  if (problem.elementPosition === undefined) return problem.segmentId;
  const element = `${problem.segmentId}${String(problem.elementPosition).padStart(2, '0')}`;
  return problem.componentPosition === undefined ? element : `${element}-${problem.componentPosition}`;
}

/** A character as a person reads it in a message: printable as itself, else its code point. */
export function shown(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
}

/**
 * The error for values a writer refused: every problem listed with its place, so the mapping's author sees all of
 * them at once. Not retryable: the same document fails the same way until its data or the partner's delimiters change.
 */
export function writeError(syntax: 'X12' | 'EDIFACT', problems: WriteProblem[]): HubError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  const errors: ErrorItem[] = problems.map((p) => ({ message: `segment ${p.segmentPosition} ${elementName(p)}: ${p.message}`, path: elementName(p) }));
  return new HubError('HUB_ERR_EDI_INVALID',
    `the ${syntax} document cannot be written: segment ${first.segmentPosition} ${elementName(first)}: ${first.message}${more}`,
    { errors, details: { direction: 'outbound', problems } });
}

/** Drops empty trailing components of a composite and empty trailing elements of a segment, as both standards require. */
export function trimTrailing(values: string[]): string[] {
  let end = values.length;
  while (end > 0 && values[end - 1] === '') end--;
  return end === values.length ? values : values.slice(0, end);
}
