/**
 * The ISA interchange header: read by its element separator (the character after "ISA"), so an ISA that is not
 * the fixed 106 characters real partners sometimes send is still read. The component separator is ISA16, the
 * segment terminator the next character, the repetition separator ISA11 from version 00402.
 *
 * What a mature translator takes and notes, the reader takes and notes: a field off its fixed length whose value
 * is whole once its padding is trimmed (ISA02/04/06/08 short or over-padded, ISA08 of 16 with a trailing space),
 * and a line break between two elements (tolerated as whitespace, as line breaks after segment terminators are).
 * Each is a warning with its TA1 I18 note code (TA104 E: accepted, errors noted), never a rejection. What makes
 * the header unreliable stays a problem (TA104 R): a value that does not fit its field even without padding, a
 * line break inside a value, a date, time, version, control number or indicator that is not one.
 */
import { EdiSyntaxError, type EdiDelimiters, type EdiProblem, type EdiSegment } from '../types.js';

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

/** ISA element: its fixed length, the TA1 code of a bad value, and its name. */
const ISA_FIELDS: Array<[length: number, code: string, name: string]> = [
  [2, '010', 'authorization information qualifier'], [10, '011', 'authorization information'],
  [2, '012', 'security information qualifier'], [10, '013', 'security information'],
  [2, '005', 'sender id qualifier'], [15, '006', 'sender id'], [2, '007', 'receiver id qualifier'], [15, '008', 'receiver id'],
  [6, '014', 'date YYMMDD'], [4, '015', 'time HHMM'], [1, '016', 'standards identifier / repetition separator'],
  [5, '017', 'version'], [9, '018', 'control number'], [1, '019', 'acknowledgment requested'], [1, '020', 'usage indicator'],
  [1, '027', 'component element separator'],
];

/** Characters that cannot be delimiters. */
const NOT_A_DELIMITER = /[A-Za-z0-9\s]/;

export function interchangeProblem(code: string, message: string, segment?: EdiSegment, elementPosition?: number): EdiProblem {
  return {
    level: 'interchange', code, message,
    ...(segment ? { segmentId: segment.id, line: segment.line } : {}), ...(elementPosition ? { elementPosition } : {}),
  };
}

const isaName = (position: number): string => `ISA${String(position).padStart(2, '0')}`;

function validYymmdd(value: string): boolean {
  if (!/^\d{6}$/.test(value)) return false;
  const month = Number(value.slice(2, 4));
  const day = Number(value.slice(4));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

export interface IsaRead {
  isa: EdiSegment;
  delimiters: EdiDelimiters;
  /** What makes the header unreliable (TA1 R with the first one's code). */
  problems: EdiProblem[];
  /** Deviations from the fixed layout the reader undid (TA1 E, the same I18 note codes): see the file's head. */
  warnings: EdiProblem[];
}

/** ISA02, ISA04, ISA06, ISA08: the AN fields padded with spaces to their fixed length. */
const PADDED = new Set([2, 4, 6, 8]);
/** A line break at either end of a value: between two elements of an ISA broken over lines. */
const EDGE_LINE_BREAKS = /^[\r\n]+|[\r\n]+$/g;

/** Reads the ISA starting at `begin`. Throws EdiSyntaxError when no ISA can be read (no usable delimiters). */
export function readIsa(text: string, begin: number, line: number): IsaRead {
  const element = text[begin + 3];
  const fail = (code: string, message: string): never => {
    throw new EdiSyntaxError(message, interchangeProblem(code, message));
  };
  if (element === undefined || NOT_A_DELIMITER.test(element)) {
    fail(INTERCHANGE_ERROR.invalidElementSeparator, `the character after "ISA" (${JSON.stringify(element ?? '')}) cannot be an `
      + 'element separator; an X12 interchange starts "ISA*00*..."');
  }
  const separators: number[] = [];
  for (let i = begin + 3; i < text.length && i < begin + 400 && separators.length < 16; i++) if (text[i] === element) separators.push(i);
  if (separators.length < 16) {
    fail(INTERCHANGE_ERROR.prematureEnd, `the ISA has ${separators.length} of its 16 elements (separator ${JSON.stringify(element)}); `
      + 'the interchange header is incomplete');
  }
  const last = separators[15]!;
  const component = text[last + 1];
  const terminator = text[last + 2];
  if (component === undefined || terminator === undefined) {
    fail(INTERCHANGE_ERROR.prematureEnd, 'the text ends inside the ISA (no ISA16 or segment terminator)');
  }
  if (/[A-Za-z0-9]/.test(terminator!) || terminator === element || terminator === component) {
    fail(INTERCHANGE_ERROR.invalidSegmentTerminator, `the character after ISA16 (${JSON.stringify(terminator)}) cannot be a segment `
      + 'terminator; ISA16 must be one character followed by the terminator');
  }
  const read = separators.map((at, i) => (i < 15 ? text.slice(at + 1, separators[i + 1]) : component!));
  // Line breaks between elements are whitespace; the values keep their padding (the tree trims it).
  const values = read.map((value) => value.replace(EDGE_LINE_BREAKS, ''));
  const isa: EdiSegment = { id: 'ISA', elements: values, start: begin, end: last + 3, line };
  const problems: EdiProblem[] = [];
  const warnings: EdiProblem[] = [];
  const note = (into: EdiProblem[], position: number, message: string): void => {
    const code = ISA_FIELDS[position - 1]![1];
    into.push({ ...interchangeProblem(code, message, isa, position), value: read[position - 1]!.slice(0, 99) });
  };
  const bad = (position: number, message: string): void => note(problems, position, message);
  const length = last + 3 - begin;
  ISA_FIELDS.forEach(([fixed, , name], i) => {
    const raw = read[i]!;
    const value = values[i]!;
    const field = `${isaName(i + 1)} (${name})`;
    if (/[\r\n]/.test(value)) {
      bad(i + 1, `${field} has a line break inside its value; a line break may only come between elements or after the terminator`);
      return;
    }
    const lineBreak = value !== raw ? ' (a line break beside it read as whitespace)' : '';
    if (value.length === fixed) {
      if (lineBreak) note(warnings, i + 1, `${field} is followed or preceded by a line break, read as whitespace between elements`);
      return;
    }
    const trimmed = value.trim();
    const whole = PADDED.has(i + 1) ? trimmed.length <= fixed : trimmed.length === fixed;
    const size = `${field} is ${value.length} characters${lineBreak}, the standard fixes ${fixed}`;
    if (whole) {
      note(warnings, i + 1, `${size}; read as "${trimmed}" (the ISA is ${length} characters instead of 106: the sender should pad each field to its length)`);
    } else {
      bad(i + 1, `${size}, and "${trimmed.slice(0, 40)}" does not fit it even without padding; the ISA is ${length} characters instead of 106`);
    }
  });
  const check = (position: number, ok: boolean, what: string): void => {
    if (!ok && !problems.some((p) => p.elementPosition === position)) bad(position, `${isaName(position)} "${values[position - 1]}" ${what}`);
  };
  const v = (position: number): string => values[position - 1]!.trim();
  check(1, /^(00|01|02|03|04|05|06)$/.test(v(1)), 'is not an authorization information qualifier (00-06)');
  check(3, /^(00|01)$/.test(v(3)), 'is not a security information qualifier (00 or 01)');
  check(5, /^[A-Z0-9]{2}$/.test(v(5)), 'is not an interchange id qualifier');
  check(6, v(6).trim() !== '', 'is empty: the sender id is required');
  check(7, /^[A-Z0-9]{2}$/.test(v(7)), 'is not an interchange id qualifier');
  check(8, v(8).trim() !== '', 'is empty: the receiver id is required');
  check(9, validYymmdd(v(9)), 'is not a date YYMMDD');
  check(10, /^([01]\d|2[0-3])[0-5]\d$/.test(v(10)), 'is not a time HHMM');
  check(12, /^\d{5}$/.test(v(12)), 'is not an interchange control version number (5 digits, 00401, 00501 …)');
  check(13, /^\d{9}$/.test(v(13)), 'is not a control number of 9 digits');
  check(14, /^[01]$/.test(v(14)), 'must be 0 (no TA1 requested) or 1 (TA1 requested)');
  check(15, /^[PT]$/.test(v(15)), 'must be P (production) or T (test)');
  check(16, !NOT_A_DELIMITER.test(component!) && component !== element,
    'cannot be the component separator (a letter, digit, space or the element separator)');
  const delimiters: EdiDelimiters = { segment: terminator!, element: element!, component: component! };
  const version = v(12);
  if (version >= '00402') {
    const repetition = v(11);
    const usable = repetition.length === 1 && !NOT_A_DELIMITER.test(repetition) && ![element, component, terminator].includes(repetition);
    if (usable) delimiters.repetition = repetition;
    else check(11, false, `cannot be the repetition separator that ISA12 ${version} requires`);
  } else {
    check(11, v(11) === 'U', 'must be U (U.S. EDI Community of ASC X12) before version 00402');
  }
  return { isa, delimiters, problems, warnings };
}
