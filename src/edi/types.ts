/**
 * The shapes every EDI syntax of the hub produces (src/edi/x12, src/edi/edifact): an interchange read from the
 * posted text with its groups and transactions (messages, in EDIFACT's words), every problem found with where it
 * is, and per transaction the tree a mapping file reads. The format layer (src/formats/) turns these into the
 * hub's messages and acknowledgements; nothing here touches the store.
 */

/** Where a problem is: the envelope, a group, a transaction, or a segment/element inside a transaction. */
export type EdiLevel = 'interchange' | 'group' | 'transaction' | 'segment' | 'element';

/**
 * One problem, located. `code` is the standard's own code so an acknowledgement can carry it as it is:
 * X12 TA1 I18 (interchange), AK905/AK502 (group/transaction), AK304 (segment), AK403 (element);
 * EDIFACT CONTRL 0085 (syntax error, code list 0085). `message` says it in words a partner's integrator acts on.
 */
export interface EdiProblem {
  level: EdiLevel;
  code: string;
  message: string;
  /** Position of the segment counted from the transaction's header (ST or UNH = 1), as AK302 / UCS 0096 want. */
  segmentPosition?: number;
  segmentId?: string;
  /** Element position in the segment (1-based), and component position in a composite (1-based). */
  elementPosition?: number;
  componentPosition?: number;
  /** The X12 data element reference number or EDIFACT data element tag, when known (AK404 / UCD). */
  elementReference?: string;
  /** A copy of the bad value, cut to 99 characters (AK404 copy). */
  value?: string;
  /** 1-based line of the posted text where the segment starts, for people (not for acknowledgements). */
  line?: number;
}

/** A segment as read: its id (tag) and its elements; a composite element is an array of its components. */
export interface EdiSegment {
  id: string;
  elements: Array<string | string[]>;
  /** Offsets of the segment in the posted text (start inclusive, end exclusive, the terminator included). */
  start: number;
  end: number;
  line: number;
}

/** The delimiters an interchange declared (X12 ISA, EDIFACT UNA or the defaults). */
export interface EdiDelimiters {
  segment: string;
  element: string;
  component: string;
  /** X12 repetition separator (ISA11 from 00402/00501), EDIFACT repetition (UNA5). */
  repetition?: string;
  /** EDIFACT release character (UNA6). */
  release?: string;
  /** EDIFACT decimal mark (UNA4). */
  decimal?: string;
}

/**
 * The tree a mapping file reads for one transaction (docs/mapping.md): the envelope's segments (`ISA`, `GS` or
 * `UNB`, `UNG`) and the transaction's, each key a segment id holding an array of segments in order; a segment is
 * an object of its elements keyed `<id><2-digit position>` (e.g. `BEG03`, `NAD02`), a composite as an array of its
 * components (strings; an empty component is ""); absent trailing elements are absent keys. A loop is keyed by its
 * first segment and holds that segment's elements and its member segments and loops (e.g. `PO1: [{ PO101, PO102,
 * PID: [ ... ] }]`, `LIN: [{ LIN01, QTY: [ ... ], PRI: [ ... ] }]`); X12 856 HL loops are kept flat in order with
 * their HL01/HL02/HL03 ids, so a mapping selects `HL[HL03 = 'I']`.
 */
export type EdiTree = Record<string, unknown>;

export interface EdiTransaction {
  /** X12 ST01 (850, 856 …) or EDIFACT UNH 0065 (ORDERS, DESADV …). */
  setId: string;
  /** ST02 / UNH 0062. */
  controlNumber: string;
  /** X12 GS08 (004010, 005010X…); EDIFACT version+release+agency (D96A, D01B) and association code (EAN008 …). */
  version: string;
  associationCode?: string;
  segments: EdiSegment[];
  /** Offsets of the transaction in the posted text (header to trailer, terminators included). */
  start: number;
  end: number;
  /** Problems of this transaction (its structure, its trailer's count and control number, its elements). */
  problems: EdiProblem[];
  /** The tree for its mapping; built even when there are problems, as far as the segments allow. */
  tree: EdiTree;
}

export interface EdiGroup {
  /** X12 GS01 (PO, SH, IN, PC, PR); EDIFACT UNG 0038 (absent without UNG). */
  functionalId: string;
  controlNumber: string;
  version: string;
  sender: string;
  receiver: string;
  /** The header segment (GS / UNG), absent for EDIFACT messages without UNG. */
  header?: EdiSegment;
  /** The trailer segment (GE / UNE) as read, absent when missing; its count goes into AK902 as sent. */
  trailer?: EdiSegment;
  transactions: EdiTransaction[];
  /** Problems of the group's envelope (GE01 count, GE02 control number, UNE …). */
  problems: EdiProblem[];
}

/** Party of an envelope: qualifier (ISA05 / UNB 0007) and id (ISA06 / UNB 0004). */
export interface EdiParty {
  qualifier: string;
  id: string;
}

export interface EdiInterchange {
  syntax: 'x12' | 'edifact';
  /** X12 ISA12 (00401, 00501); EDIFACT syntax identifier and version (UNOC:3). */
  syntaxVersion: string;
  controlNumber: string;
  sender: EdiParty;
  receiver: EdiParty;
  /** Preparation date and time as sent (X12 ISA09/ISA10 YYMMDD HHMM; EDIFACT UNB 0017/0019). */
  date: string;
  time: string;
  /** X12 ISA15 P/T; EDIFACT UNB 0035 '1' = test. */
  test: boolean;
  /** X12 ISA14: the sender asks for a TA1. */
  ackRequested: boolean;
  delimiters: EdiDelimiters;
  /** The header segment (ISA / UNB). */
  header: EdiSegment;
  groups: EdiGroup[];
  /** Problems of the interchange's envelope (IEA counts and control number, UNZ, delimiters, syntax identifier). */
  problems: EdiProblem[];
  /** Deviations the reader read through (src/edi/warnings.ts): the interchange is taken, its TA1 says E. */
  warnings?: EdiProblem[];
}

/**
 * Thrown by a parser only when the text is not that syntax at all (no ISA / UNA-UNB where it must start), or so
 * broken that no envelope can be read (e.g. an ISA shorter than its fixed length with no usable delimiters). Any
 * other problem is an EdiProblem in the result.
 */
export class EdiSyntaxError extends Error {
  constructor(
    message: string,
    readonly problem: EdiProblem,
  ) {
    super(message);
    this.name = 'EdiSyntaxError';
  }
}

/** Control numbers the hub assigns to an acknowledgement it sends (kept per partner in PostgreSQL). */
export interface AckNumbers {
  interchange: number;
  group: number;
  transaction: number;
}
