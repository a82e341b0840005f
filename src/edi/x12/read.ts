/**
 * Reads an X12 interchange: the ISA's delimiters (isa.ts), the segments, the ISA/GS/ST envelopes with their
 * trailers' counts and control numbers, and each transaction validated against its set's table with its mapping
 * tree. Every problem is an EdiProblem with the standard's code (TA1 I18, AK905, AK502, AK304, AK403);
 * EdiSyntaxError only when the text is not X12 or no ISA can be read at all.
 *
 * Why our own reader and not node-x12, x12-parser or another package: none of them reports problems located with
 * the standard's acknowledgement codes (they throw or drop data), node-x12's 997 is not a valid 997 (no AK2/AK5
 * per transaction and counts that do not follow the group), and an ISA that is not 106 characters long, which real
 * partners send, is a crash for the fixed-offset readers. The syntax itself is small (X12.5/X12.6).
 */
import { EdiSyntaxError, type EdiDelimiters, type EdiGroup, type EdiProblem, type EdiSegment, type EdiTransaction } from '../types.js';
import { INTERCHANGE_ERROR, interchangeProblem, readIsa } from './isa.js';
import { baseVersion, READ_VERSIONS, transactionSpec } from './specs/transactions.js';
import { flatTree, withEnvelope } from './tree.js';
import { validateTransaction } from './validate.js';
import { append } from '../../util/arrays.js';
import type { EdiInterchangeRead } from '../warnings.js';

export { INTERCHANGE_ERROR } from './isa.js';

/** AK905 functional group codes. */
export const GROUP_ERROR = {
  notSupported: '1',
  versionNotSupported: '2',
  trailerMissing: '3',
  controlNumberMismatch: '4',
  transactionCountMismatch: '5',
  controlNumberSyntax: '6',
} as const;

/** AK502 transaction set codes. */
export const TRANSACTION_ERROR = {
  notSupported: '1',
  trailerMissing: '2',
  controlNumberMismatch: '3',
  segmentCountMismatch: '4',
  segmentsInError: '5',
  invalidSetId: '6',
  invalidControlNumber: '7',
  conventionReference: '19',
  controlNumberNotUnique: '23',
} as const;

/** Finds the 1-based line of an offset; offsets are asked in increasing order. */
function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    for (; at < offset; at++) if (text.charCodeAt(at) === 10) line++;
    return line;
  };
}

/** Splits the text after the ISA into segments (CR/LF after a terminator is not part of the next segment). */
function readSegments(text: string, from: number, delimiters: EdiDelimiters, lineOf: (offset: number) => number): EdiSegment[] {
  const segments: EdiSegment[] = [];
  const { segment: terminator, element, component } = delimiters;
  let pos = from;
  while (pos < text.length) {
    const code = text.charCodeAt(pos);
    if (code === 10 || code === 13) {
      pos++;
      continue;
    }
    let end = text.indexOf(terminator, pos);
    if (end === -1) end = text.length;
    const raw = text.slice(pos, end);
    if (raw.trim() === '') break;
    const parts: Array<string | string[]> = raw.split(element);
    const id = parts.shift() as string;
    for (let i = 0; i < parts.length; i++) {
      const value = parts[i] as string;
      if (value.includes(component)) parts[i] = value.split(component);
    }
    segments.push({ id, elements: parts, start: pos, end: Math.min(end + 1, text.length), line: lineOf(pos) });
    pos = end + 1;
  }
  return segments;
}

const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join('') : (value ?? ''));

/** Transaction problems in acknowledgement order: the set's own first, then segment by segment. */
function byKind(a: EdiProblem, b: EdiProblem): number {
  const rank = (p: EdiProblem): number => (p.level === 'transaction' ? 0 : 1);
  const segmentFirst = (p: EdiProblem): number => (p.level === 'segment' ? 0 : 1);
  return rank(a) - rank(b) || (a.segmentPosition ?? 0) - (b.segmentPosition ?? 0) || segmentFirst(a) - segmentFirst(b);
}

interface OpenGroup {
  group: EdiGroup;
  header: EdiSegment;
  controlNumbers: Set<string>;
}

/** Closes a transaction: its trailer's checks, its validation against its set's table, and its tree. */
function finishTransaction(isa: EdiSegment, owner: OpenGroup, segments: EdiSegment[], se: EdiSegment | undefined, next: EdiSegment | undefined): EdiTransaction {
  const st = segments[0]!;
  const problems: EdiProblem[] = [];
  const setId = text(st.elements[0]);
  const controlNumber = text(st.elements[1]);
  const version = text(owner.header.elements[7]);
  const at = (code: string, message: string, segment: EdiSegment): void => {
    problems.push({ level: 'transaction', code, message, segmentId: segment.id, line: segment.line });
  };
  if (!/^\d{3}$/.test(setId)) at(TRANSACTION_ERROR.invalidSetId, `ST01 "${setId}" is not a transaction set identifier`, st);
  if (!/^.{4,9}$/.test(controlNumber)) {
    at(TRANSACTION_ERROR.invalidControlNumber, `ST02 "${controlNumber}" is not a control number (4 to 9 characters)`, st);
  } else if (owner.controlNumbers.has(controlNumber)) {
    at(TRANSACTION_ERROR.controlNumberNotUnique, `ST02 ${controlNumber} is used twice in group ${owner.group.controlNumber}`, st);
  }
  owner.controlNumbers.add(controlNumber);
  if (!se) {
    const where = next ? `: ${next.id} at line ${next.line} comes first` : ': the text ends';
    at(TRANSACTION_ERROR.trailerMissing, `transaction ${setId} ${controlNumber} (line ${st.line}) has no SE${where}`, next ?? st);
  } else {
    const count = text(se.elements[0]);
    if (!/^\d+$/.test(count) || Number(count) !== segments.length) {
      at(TRANSACTION_ERROR.segmentCountMismatch,
        `SE01 says ${count} segments, transaction ${controlNumber} has ${segments.length} (ST to SE inclusive)`, se);
    }
    const seNumber = text(se.elements[1]);
    if (seNumber !== controlNumber) at(TRANSACTION_ERROR.controlNumberMismatch, `SE02 ${seNumber} does not match ST02 ${controlNumber}`, se);
  }
  const st03 = text(st.elements[2]);
  if (st03 && version >= '005010' && baseVersion(version) && st03 !== version) {
    at(TRANSACTION_ERROR.conventionReference, `ST03 ${st03} differs from the group's version GS08 ${version}`, st);
  }
  const spec = transactionSpec(setId, version);
  let body;
  if (spec) {
    // Segment and element problems make AK502 5 (one or more segments in error) in the acknowledgement.
    const result = validateTransaction(segments, spec);
    append(problems, result.problems);
    body = result.tree;
  } else {
    at(TRANSACTION_ERROR.notSupported, baseVersion(version)
      ? `transaction set ${setId} is not one the hub reads (850, 855, 856, 860, 810, 997)`
      : `version ${version} is not supported (${READ_VERSIONS} are): transaction ${setId} ${controlNumber} is not validated`, st);
    body = flatTree(segments);
  }
  return {
    setId, controlNumber, version, segments, start: st.start, end: segments[segments.length - 1]!.end,
    problems: problems.sort(byKind), tree: withEnvelope(isa, owner.header, body),
  };
}

/** Closes a group: its trailer's count and control number, its control number's form and its version. */
function finishGroup(open: OpenGroup, ge: EdiSegment | undefined, next: EdiSegment | undefined): EdiGroup {
  const g = open.group;
  const at = (code: string, message: string, segment: EdiSegment): void => {
    g.problems.push({ level: 'group', code, message, segmentId: segment.id, line: segment.line });
  };
  if (!/^\d{1,9}$/.test(g.controlNumber)) {
    at(GROUP_ERROR.controlNumberSyntax, `GS06 "${g.controlNumber}" is not a group control number (1 to 9 digits)`, open.header);
  }
  if (!baseVersion(g.version)) {
    at(GROUP_ERROR.versionNotSupported, `GS08 ${g.version} is not a version the hub reads (${READ_VERSIONS})`, open.header);
  }
  if (!ge) {
    const where = next ? `: ${next.id} at line ${next.line} comes first` : ': the text ends';
    at(GROUP_ERROR.trailerMissing, `group ${g.controlNumber} (line ${open.header.line}) has no GE${where}`, next ?? open.header);
  } else {
    g.trailer = ge;
    const count = text(ge.elements[0]);
    if (!/^\d+$/.test(count) || Number(count) !== g.transactions.length) {
      at(GROUP_ERROR.transactionCountMismatch, `GE01 says ${count} transaction sets, group ${g.controlNumber} has ${g.transactions.length}`, ge);
    }
    const number = text(ge.elements[1]);
    if (number !== g.controlNumber) at(GROUP_ERROR.controlNumberMismatch, `GE02 ${number} does not match GS06 ${g.controlNumber}`, ge);
  }
  return g;
}

function openGroup(gs: EdiSegment): OpenGroup {
  const e = (position: number): string => text(gs.elements[position - 1]);
  return {
    header: gs, controlNumbers: new Set(),
    group: { functionalId: e(1), sender: e(2), receiver: e(3), controlNumber: e(6), version: e(8), header: gs, transactions: [], problems: [] },
  };
}

/**
 * Reads one X12 interchange. Throws EdiSyntaxError only when the text is not X12 or its ISA cannot be read.
 * `warnings` holds the ISA deviations read through (isa.ts): the interchange is taken with them (TA1 E).
 */
export function readX12(input: string): EdiInterchangeRead {
  let begin = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (begin < input.length && /\s/.test(input[begin]!)) begin++;
  if (begin >= input.length) {
    const message = 'the document is empty; an X12 interchange starts with ISA';
    throw new EdiSyntaxError(message, interchangeProblem(INTERCHANGE_ERROR.prematureEnd, message));
  }
  if (input.slice(begin, begin + 3) !== 'ISA') {
    const message = `not an X12 interchange: it starts with ${JSON.stringify(input.slice(begin, begin + 20))}, an X12 interchange starts with ISA`;
    throw new EdiSyntaxError(message, interchangeProblem(INTERCHANGE_ERROR.invalidContent, message));
  }
  const lineOf = lineCounter(input);
  const { isa, delimiters, problems, warnings } = readIsa(input, begin, lineOf(begin));
  const segments = readSegments(input, isa.end, delimiters, lineOf);
  const groups: EdiGroup[] = [];
  let group: OpenGroup | undefined;
  let transaction: EdiSegment[] | undefined;
  let iea: EdiSegment | undefined;
  /** After an ST outside any group: its segments are skipped up to its SE. */
  let skipping = false;
  const misplaced = (segment: EdiSegment, message: string): void => {
    problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidControlStructure, message, segment));
  };
  const closeTransaction = (se: EdiSegment | undefined, next: EdiSegment | undefined): void => {
    group!.group.transactions.push(finishTransaction(isa, group!, transaction!, se, next));
    transaction = undefined;
  };
  const closeGroup = (ge: EdiSegment | undefined, next: EdiSegment | undefined): void => {
    groups.push(finishGroup(group!, ge, next));
    group = undefined;
  };

  for (const segment of segments) {
    if (iea) {
      const message = segment.id === 'ISA'
        ? `a second interchange starts at line ${segment.line}; send one interchange (ISA to IEA) per document`
        : `${segment.id} at line ${segment.line} comes after IEA, which ends the interchange`;
      problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidContent, message, segment));
      break;
    }
    if (skipping && !['SE', 'GS', 'GE', 'IEA', 'ISA'].includes(segment.id)) continue;
    switch (segment.id) {
      case 'ISA':
        misplaced(segment, `an ISA at line ${segment.line} inside the interchange: IEA missing before it?`);
        break;
      case 'GS':
        if (transaction) closeTransaction(undefined, segment);
        if (group) closeGroup(undefined, segment);
        skipping = false;
        group = openGroup(segment);
        continue;
      case 'ST':
        if (transaction) closeTransaction(undefined, segment);
        if (!group) {
          misplaced(segment, `ST at line ${segment.line} is outside a functional group (no GS before it)`);
          skipping = true;
          continue;
        }
        transaction = [segment];
        continue;
      case 'SE':
        if (skipping) skipping = false;
        else if (!transaction) misplaced(segment, `SE at line ${segment.line} has no ST before it`);
        else {
          transaction.push(segment);
          closeTransaction(segment, undefined);
        }
        continue;
      case 'GE':
        if (transaction) closeTransaction(undefined, segment);
        skipping = false;
        if (!group) misplaced(segment, `GE at line ${segment.line} has no GS before it`);
        else closeGroup(segment, undefined);
        continue;
      case 'IEA':
        if (transaction) closeTransaction(undefined, segment);
        if (group) closeGroup(undefined, segment);
        iea = segment;
        continue;
      default:
        if (transaction) transaction.push(segment);
        // A TA1 may travel between ISA and the first GS; anything else outside a set is misplaced.
        else if (segment.id !== 'TA1' || group) {
          misplaced(segment, `${segment.id} at line ${segment.line} is outside a transaction set (between ${group ? 'GS and ST' : 'ISA and GS'})`);
        }
        continue;
    }
    break;
  }
  if (transaction) closeTransaction(undefined, undefined);
  if (group) closeGroup(undefined, undefined);
  // ISA values without their padding (isa.ts noted any field off its length).
  const value = (position: number): string => text(isa.elements[position - 1]).trim();
  const controlNumber = value(13);
  if (!iea) {
    const last = segments[segments.length - 1];
    const where = last ? ` (it ends with ${last.id} at line ${last.line})` : '';
    problems.push(interchangeProblem(INTERCHANGE_ERROR.prematureEnd, `the interchange has no IEA${where}: the transmission is incomplete`));
  } else {
    const count = text(iea.elements[0]);
    if (!/^\d+$/.test(count) || Number(count) !== groups.length) {
      problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidGroupCount,
        `IEA01 says ${count} functional groups, the interchange has ${groups.length}`, iea, 1));
    }
    const number = text(iea.elements[1]);
    if (number !== controlNumber) {
      problems.push(interchangeProblem(INTERCHANGE_ERROR.controlNumberMismatch, `IEA02 ${number} does not match ISA13 ${controlNumber}`, iea, 2));
    }
  }
  return {
    syntax: 'x12',
    syntaxVersion: value(12),
    controlNumber,
    sender: { qualifier: value(5), id: value(6).trim() },
    receiver: { qualifier: value(7), id: value(8).trim() },
    date: value(9),
    time: value(10),
    test: value(15) === 'T',
    ackRequested: value(14) === '1',
    delimiters,
    header: isa,
    groups,
    problems,
    warnings,
  };
}
