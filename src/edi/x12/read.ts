/**
 * Reads an X12 interchange: the ISA's delimiters, the segments, the ISA/GS/ST envelopes with their trailers'
 * counts and control numbers, and each transaction validated against its set's table with its mapping tree.
 * Every problem is an EdiProblem with the standard's code (TA1 I18, AK905, AK502, AK304, AK403); EdiSyntaxError
 * only when the text is not X12 or no ISA can be read at all.
 *
 * Why our own reader and not node-x12, x12-parser or another package: none of them reports problems located with
 * the standard's acknowledgement codes (they throw or drop data), node-x12's 997 is not a valid 997 (no AK2/AK5
 * per transaction and counts that do not follow the group), and an ISA that is not 106 characters long, which real
 * partners send, is a crash for the fixed-offset readers. The syntax itself is small (X12.5/X12.6).
 */
import { EdiSyntaxError, type EdiDelimiters, type EdiGroup, type EdiInterchange, type EdiProblem, type EdiSegment, type EdiTransaction } from '../types.js';
import { baseVersion, transactionSpec } from './specs/transactions.js';
import { flatTree, withEnvelope } from './tree.js';
import { validateTransaction } from './validate.js';

/** TA1 I18 interchange note codes. */
export const INTERCHANGE_ERROR = {
  controlNumberMismatch: '001',
  standardNotSupported: '002',
  versionNotSupported: '003',
  invalidSegmentTerminator: '004',
  invalidSenderQualifier: '005',
  invalidSenderId: '006',
  invalidReceiverQualifier: '007',
  invalidReceiverId: '008',
  invalidAuthorizationQualifier: '010',
  invalidAuthorizationValue: '011',
  invalidSecurityQualifier: '012',
  invalidSecurityValue: '013',
  invalidDate: '014',
  invalidTime: '015',
  invalidStandardsIdentifier: '016',
  invalidVersion: '017',
  invalidControlNumber: '018',
  invalidAckRequested: '019',
  invalidTestIndicator: '020',
  invalidGroupCount: '021',
  invalidControlStructure: '022',
  prematureEnd: '023',
  invalidContent: '024',
  invalidElementSeparator: '026',
  invalidComponentSeparator: '027',
} as const;

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

/** ISA element: its fixed length and the TA1 code of a bad value. */
const ISA_FIELDS: Array<[length: number, code: string, name: string]> = [
  [2, '010', 'authorization information qualifier'], [10, '011', 'authorization information'],
  [2, '012', 'security information qualifier'], [10, '013', 'security information'],
  [2, '005', 'sender id qualifier'], [15, '006', 'sender id'], [2, '007', 'receiver id qualifier'], [15, '008', 'receiver id'],
  [6, '014', 'date YYMMDD'], [4, '015', 'time HHMM'], [1, '016', 'standards identifier / repetition separator'],
  [5, '017', 'version'], [9, '018', 'control number'], [1, '019', 'acknowledgment requested'], [1, '020', 'usage indicator'],
  [1, '027', 'component element separator'],
];

/** Finds the 1-based line of an offset; offsets are asked in increasing order. */
function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    for (; at < offset; at++) if (text.charCodeAt(at) === 10) line++;
    return line;
  };
}

const isaName = (position: number): string => `ISA${String(position).padStart(2, '0')}`;

function interchangeProblem(code: string, message: string, segment?: EdiSegment, elementPosition?: number): EdiProblem {
  return {
    level: 'interchange', code, message,
    ...(segment ? { segmentId: segment.id, line: segment.line } : {}), ...(elementPosition ? { elementPosition } : {}),
  };
}

/** Reads the ISA by its element separator, whatever its length; the problems of its fields. */
function readIsa(text: string, begin: number, lineOf: (offset: number) => number): { isa: EdiSegment; delimiters: EdiDelimiters; problems: EdiProblem[] } {
  const element = text[begin + 3];
  const fail = (code: string, message: string): never => {
    throw new EdiSyntaxError(message, interchangeProblem(code, message));
  };
  if (element === undefined || /[A-Za-z0-9\s]/.test(element)) {
    fail(INTERCHANGE_ERROR.invalidElementSeparator, `the character after "ISA" (${JSON.stringify(element ?? '')}) cannot be an element separator; an X12 interchange starts "ISA*00*..."`);
  }
  const separators: number[] = [];
  for (let i = begin + 3; i < text.length && i < begin + 400 && separators.length < 16; i++) if (text[i] === element) separators.push(i);
  if (separators.length < 16) {
    fail(INTERCHANGE_ERROR.prematureEnd, `the ISA has ${separators.length} of its 16 elements (separator ${JSON.stringify(element)}); the interchange header is incomplete`);
  }
  const last = separators[15]!;
  const component = text[last + 1];
  const terminator = text[last + 2];
  if (component === undefined || terminator === undefined) fail(INTERCHANGE_ERROR.prematureEnd, 'the text ends inside the ISA (no ISA16 or segment terminator)');
  if (/[A-Za-z0-9]/.test(terminator!) || terminator === element || terminator === component) {
    fail(INTERCHANGE_ERROR.invalidSegmentTerminator, `the character after ISA16 (${JSON.stringify(terminator)}) cannot be a segment terminator; ISA16 must be one character followed by the terminator`);
  }
  const values = separators.map((at, i) => (i < 15 ? text.slice(at + 1, separators[i + 1]) : component!));
  const isa: EdiSegment = { id: 'ISA', elements: values, start: begin, end: last + 3, line: lineOf(begin) };
  const problems: EdiProblem[] = [];
  const bad = (position: number, message: string): void => {
    problems.push({ ...interchangeProblem(ISA_FIELDS[position - 1]![1], message, isa, position), value: values[position - 1]!.slice(0, 99) });
  };
  const length = last + 3 - begin;
  if (length !== 106) {
    ISA_FIELDS.forEach(([fixed, , name], i) => {
      const value = values[i]!;
      if (value.length !== fixed) {
        bad(i + 1, `${isaName(i + 1)} (${name}) is ${value.length} characters, the standard fixes ${fixed}${/[\r\n]/.test(value) ? ' (it contains a line break)' : ''}; the ISA is ${length} characters instead of 106, pad each field to its length`);
      }
    });
  }
  const check = (position: number, ok: boolean, what: string): void => {
    if (!ok && !problems.some((p) => p.elementPosition === position)) bad(position, `${isaName(position)} "${values[position - 1]}" ${what}`);
  };
  const v = (position: number): string => values[position - 1]!;
  check(1, /^(00|01|02|03|04|05|06)$/.test(v(1)), 'is not an authorization information qualifier (00-06)');
  check(3, /^(00|01)$/.test(v(3)), 'is not a security information qualifier (00 or 01)');
  check(5, /^[A-Z0-9]{2}$/.test(v(5)), 'is not an interchange id qualifier');
  check(6, v(6).trim() !== '', 'is empty: the sender id is required');
  check(7, /^[A-Z0-9]{2}$/.test(v(7)), 'is not an interchange id qualifier');
  check(8, v(8).trim() !== '', 'is empty: the receiver id is required');
  check(9, /^\d{6}$/.test(v(9)) && Number(v(9).slice(2, 4)) >= 1 && Number(v(9).slice(2, 4)) <= 12 && Number(v(9).slice(4)) >= 1 && Number(v(9).slice(4)) <= 31, 'is not a date YYMMDD');
  check(10, /^([01]\d|2[0-3])[0-5]\d$/.test(v(10)), 'is not a time HHMM');
  check(12, /^\d{5}$/.test(v(12)), 'is not an interchange control version number (5 digits, 00401, 00501 …)');
  check(13, /^\d{9}$/.test(v(13)), 'is not a control number of 9 digits');
  check(14, /^[01]$/.test(v(14)), 'must be 0 (no TA1 requested) or 1 (TA1 requested)');
  check(15, /^[PT]$/.test(v(15)), 'must be P (production) or T (test)');
  check(16, !/[A-Za-z0-9\s]/.test(component!) && component !== element, 'cannot be the component separator (a letter, digit, space or the element separator)');
  const delimiters: EdiDelimiters = { segment: terminator!, element: element!, component: component! };
  const version = v(12);
  if (version >= '00402') {
    const repetition = v(11);
    if (repetition.length === 1 && !/[A-Za-z0-9\s]/.test(repetition) && ![element, component, terminator].includes(repetition)) delimiters.repetition = repetition;
    else check(11, false, `cannot be the repetition separator that ISA12 ${version} requires`);
  } else {
    check(11, v(11) === 'U', 'must be U (U.S. EDI Community of ASC X12) before version 00402');
  }
  return { isa, delimiters, problems };
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
    const parts = raw.split(element);
    const elements = parts.slice(1).map((value) => (value.includes(component) ? value.split(component) : value));
    segments.push({ id: parts[0]!, elements, start: pos, end: Math.min(end + 1, text.length), line: lineOf(pos) });
    pos = end + 1;
  }
  return segments;
}

const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join('') : (value ?? ''));

interface OpenTransaction {
  st: EdiSegment;
  segments: EdiSegment[];
}
interface OpenGroup {
  group: EdiGroup;
  header: EdiSegment;
  controlNumbers: Set<string>;
}

/** Reads one X12 interchange. Throws EdiSyntaxError only when the text is not X12 or its ISA cannot be read. */
export function readX12(input: string): EdiInterchange {
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
  const { isa, delimiters, problems } = readIsa(input, begin, lineOf);
  const segments = readSegments(input, isa.end, delimiters, lineOf);
  const groups: EdiGroup[] = [];
  let group: OpenGroup | undefined;
  let transaction: OpenTransaction | undefined;
  let iea: EdiSegment | undefined;
  let skipping = false;

  const closeTransaction = (se: EdiSegment | undefined, next: EdiSegment | undefined): void => {
    const open = transaction!;
    transaction = undefined;
    const { st } = open;
    const txProblems: EdiProblem[] = [];
    const setId = text(st.elements[0]);
    const controlNumber = text(st.elements[1]);
    const owner = group!;
    const version = text(owner.header.elements[7]);
    const at = (code: string, message: string, segment: EdiSegment): void => {
      txProblems.push({ level: 'transaction', code, message, segmentId: segment.id, line: segment.line });
    };
    if (!/^\d{3}$/.test(setId)) at(TRANSACTION_ERROR.invalidSetId, `ST01 "${setId}" is not a transaction set identifier`, st);
    if (!/^.{4,9}$/.test(controlNumber)) at(TRANSACTION_ERROR.invalidControlNumber, `ST02 "${controlNumber}" is not a control number (4 to 9 characters)`, st);
    else if (owner.controlNumbers.has(controlNumber)) {
      at(TRANSACTION_ERROR.controlNumberNotUnique, `ST02 ${controlNumber} is used twice in group ${owner.group.controlNumber}`, st);
    }
    owner.controlNumbers.add(controlNumber);
    if (!se) {
      at(TRANSACTION_ERROR.trailerMissing, `transaction ${setId} ${controlNumber} (line ${st.line}) has no SE${next ? `: ${next.id} at line ${next.line} comes first` : ': the text ends'}`, next ?? st);
    } else {
      const count = text(se.elements[0]);
      if (count !== String(open.segments.length) && Number(count) !== open.segments.length) {
        at(TRANSACTION_ERROR.segmentCountMismatch, `SE01 says ${count} segments, transaction ${controlNumber} has ${open.segments.length} (ST to SE inclusive)`, se);
      }
      const seNumber = text(se.elements[1]);
      if (seNumber !== controlNumber) at(TRANSACTION_ERROR.controlNumberMismatch, `SE02 ${seNumber} does not match ST02 ${controlNumber}`, se);
    }
    const st03 = text(st.elements[2]);
    if (st03 && baseVersion(version) === '005010' && st03 !== version) {
      at(TRANSACTION_ERROR.conventionReference, `ST03 ${st03} differs from the group's version GS08 ${version}`, st);
    }
    const spec = transactionSpec(setId, version);
    let body;
    if (spec) {
      const result = validateTransaction(open.segments, spec);
      // Segment and element problems make AK502 5 (one or more segments in error) in the acknowledgement.
      txProblems.push(...result.problems);
      body = result.tree;
    } else {
      if (baseVersion(version)) at(TRANSACTION_ERROR.notSupported, `transaction set ${setId} is not one the hub reads (850, 855, 856, 860, 810, 997)`, st);
      else at(TRANSACTION_ERROR.notSupported, `version ${version} is not supported (004010 and 005010 are): transaction ${setId} ${controlNumber} is not validated`, st);
      body = flatTree(open.segments);
    }
    const lastSegment = open.segments[open.segments.length - 1]!;
    const tx: EdiTransaction = {
      setId, controlNumber, version, segments: open.segments, start: st.start, end: lastSegment.end,
      problems: txProblems.sort(byKind), tree: withEnvelope(isa, owner.header, body),
    };
    owner.group.transactions.push(tx);
  };

  const closeGroup = (ge: EdiSegment | undefined, next: EdiSegment | undefined): void => {
    const open = group!;
    group = undefined;
    const g = open.group;
    const at = (code: string, message: string, segment: EdiSegment): void => {
      g.problems.push({ level: 'group', code, message, segmentId: segment.id, line: segment.line });
    };
    if (!/^\d{1,9}$/.test(g.controlNumber)) at(GROUP_ERROR.controlNumberSyntax, `GS06 "${g.controlNumber}" is not a group control number (1 to 9 digits)`, open.header);
    if (!baseVersion(g.version)) {
      at(GROUP_ERROR.versionNotSupported, `GS08 ${g.version} is not a version the hub reads (004010…, 005010…)`, open.header);
    }
    if (!ge) {
      at(GROUP_ERROR.trailerMissing, `group ${g.controlNumber} (line ${open.header.line}) has no GE${next ? `: ${next.id} at line ${next.line} comes first` : ': the text ends'}`, next ?? open.header);
    } else {
      g.trailer = ge;
      const count = text(ge.elements[0]);
      if (Number(count) !== g.transactions.length || !/^\d+$/.test(count)) {
        at(GROUP_ERROR.transactionCountMismatch, `GE01 says ${count} transaction sets, group ${g.controlNumber} has ${g.transactions.length}`, ge);
      }
      const number = text(ge.elements[1]);
      if (number !== g.controlNumber) at(GROUP_ERROR.controlNumberMismatch, `GE02 ${number} does not match GS06 ${g.controlNumber}`, ge);
    }
    groups.push(g);
  };

  for (const segment of segments) {
    if (iea) {
      const message = segment.id === 'ISA'
        ? `a second interchange starts at line ${segment.line}; send one interchange (ISA to IEA) per document`
        : `${segment.id} at line ${segment.line} comes after IEA, which ends the interchange`;
      problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidContent, message, segment));
      break;
    }
    if (skipping && segment.id !== 'SE' && !['GS', 'GE', 'IEA', 'ISA'].includes(segment.id)) continue;
    switch (segment.id) {
      case 'ISA':
        problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidControlStructure, `an ISA at line ${segment.line} inside the interchange: IEA missing before it?`, segment));
        break;
      case 'GS':
        if (transaction) closeTransaction(undefined, segment);
        if (group) closeGroup(undefined, segment);
        skipping = false;
        group = {
          header: segment, controlNumbers: new Set(),
          group: {
            functionalId: text(segment.elements[0]), sender: text(segment.elements[1]), receiver: text(segment.elements[2]),
            controlNumber: text(segment.elements[5]), version: text(segment.elements[7]), header: segment, transactions: [], problems: [],
          },
        };
        continue;
      case 'ST':
        if (transaction) closeTransaction(undefined, segment);
        if (!group) {
          problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidControlStructure, `ST at line ${segment.line} is outside a functional group (no GS before it)`, segment));
          skipping = true;
          continue;
        }
        transaction = { st: segment, segments: [segment] };
        continue;
      case 'SE':
        if (skipping) {
          skipping = false;
          continue;
        }
        if (!transaction) {
          problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidControlStructure, `SE at line ${segment.line} has no ST before it`, segment));
          continue;
        }
        transaction.segments.push(segment);
        closeTransaction(segment, undefined);
        continue;
      case 'GE':
        if (transaction) closeTransaction(undefined, segment);
        skipping = false;
        if (!group) {
          problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidControlStructure, `GE at line ${segment.line} has no GS before it`, segment));
          continue;
        }
        closeGroup(segment, undefined);
        continue;
      case 'IEA':
        if (transaction) closeTransaction(undefined, segment);
        if (group) closeGroup(undefined, segment);
        iea = segment;
        continue;
      default:
        if (transaction) {
          transaction.segments.push(segment);
          continue;
        }
        // A TA1 may travel between ISA and the first GS; anything else there is misplaced.
        if (segment.id === 'TA1' && !group) continue;
        problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidControlStructure,
          `${segment.id} at line ${segment.line} is outside a transaction set (between ${group ? 'GS and ST' : 'ISA and GS'})`, segment));
    }
    if (segment.id === 'ISA') break;
  }
  const lastSegment = segments[segments.length - 1];
  if (transaction) closeTransaction(undefined, undefined);
  if (group) closeGroup(undefined, undefined);
  const controlNumber = text(isa.elements[12]);
  if (!iea) {
    problems.push(interchangeProblem(INTERCHANGE_ERROR.prematureEnd, `the interchange has no IEA${lastSegment ? ` (it ends with ${lastSegment.id} at line ${lastSegment.line})` : ''}: the transmission is incomplete`));
  } else {
    const count = text(iea.elements[0]);
    if (Number(count) !== groups.length || !/^\d+$/.test(count)) {
      problems.push(interchangeProblem(INTERCHANGE_ERROR.invalidGroupCount, `IEA01 says ${count} functional groups, the interchange has ${groups.length}`, iea, 1));
    }
    const number = text(iea.elements[1]);
    if (number !== controlNumber) {
      problems.push(interchangeProblem(INTERCHANGE_ERROR.controlNumberMismatch, `IEA02 ${number} does not match ISA13 ${controlNumber}`, iea, 2));
    }
  }
  const value = (position: number): string => text(isa.elements[position - 1]);
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
  };
}

/** Transaction problems in acknowledgement order: the set's own first, then segment by segment. */
function byKind(a: EdiProblem, b: EdiProblem): number {
  const rank = (p: EdiProblem): number => (p.level === 'transaction' ? 0 : 1);
  return rank(a) - rank(b) || (a.segmentPosition ?? 0) - (b.segmentPosition ?? 0) || (a.level === 'segment' ? 0 : 1) - (b.level === 'segment' ? 0 : 1);
}
