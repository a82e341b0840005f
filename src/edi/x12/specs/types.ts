/**
 * How a transaction set's structure is described (X12.5/X12.6 terms): the segment table of the set (segments and
 * loops in order, each with its requirement and maximum use) and a dictionary of segments (each element's
 * reference number, requirement, type and length, and syntax notes). Element rules are written for the elements
 * the hub's mappings read and for every mandatory one; a segment without element rules is only placed.
 */

/** X12 element types: AN string, ID code, N0/N2 implied-decimal numbers, R decimal, DT date, TM time. */
export type ElementType = 'AN' | 'ID' | 'N0' | 'N2' | 'R' | 'DT' | 'TM';

/** M mandatory, O optional, X conditional (governed by a syntax note). */
export type Requirement = 'M' | 'O' | 'X';

export interface ElementRule {
  /** Data element reference number (AK402), or a composite id (C040) for a composite. */
  ref: string;
  req: Requirement;
  type: ElementType;
  min: number;
  max: number;
  /** Name of the code list in specs/codes.ts checked for this ID element; absent: any well-formed code. */
  codes?: string;
}

/**
 * X12 syntax note, as the standard writes it: P (paired: all or none), R (at least one), E (at most one),
 * C (if the first, then all the others), L (if the first, then at least one of the others); positions 2 digits.
 */
export interface SyntaxNote {
  /** As the standard prints it: P0304. */
  text: string;
  kind: 'P' | 'R' | 'E' | 'C' | 'L';
  /** Element positions, 1-based, in the note's order. */
  positions: number[];
}

export interface SegmentRule {
  id: string;
  /** Elements by position (index 0 = element 01); undefined entries are known but unchecked. */
  elements: Array<ElementRule | undefined>;
  /** The number of elements the segment has in the standard (more is AK403 code 3). */
  count: number;
  notes?: SyntaxNote[];
}

/** A segment in a transaction set's table. */
export interface SegmentUse {
  kind: 'segment';
  id: string;
  req: 'M' | 'O';
  max: number;
}

/** A loop: started by its first member (a segment), holding the members in order. */
export interface LoopUse {
  kind: 'loop';
  /** Loop identifier (the id of its first segment, as the X12 tables name loops; AK303). */
  id: string;
  req: 'M' | 'O';
  max: number;
  members: Array<SegmentUse | LoopUse>;
}

export type TableEntry = SegmentUse | LoopUse;

/** One transaction set in one version. */
export interface TransactionSpec {
  setId: string;
  /** '004010' or '005010': the GS08 prefix it applies to. */
  version: string;
  description: string;
  /** The whole table, ST first and SE last. */
  members: TableEntry[];
  /** The segment dictionary for this version. */
  segments: ReadonlyMap<string, SegmentRule>;
}

export const UNBOUNDED = Number.POSITIVE_INFINITY;

export function seg(id: string, req: 'M' | 'O', max: number = 1): SegmentUse {
  return { kind: 'segment', id, req, max };
}

export function loop(id: string, req: 'M' | 'O', max: number, members: TableEntry[]): LoopUse {
  if (members[0]?.kind !== 'segment' || members[0].id !== id) throw new Error(`loop ${id} must start with segment ${id}`);
  return { kind: 'loop', id, req, max, members };
}
