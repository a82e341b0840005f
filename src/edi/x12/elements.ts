/**
 * Element and syntax-note checks of one placed segment (X12.6): requirement, type, length, characters, code
 * values, and the segment's syntax notes. Each finding is an AK403 code (004010 element 723, 005010 IK403 621).
 */
import type { EdiProblem, EdiSegment } from '../types.js';
import { CODE_LISTS } from './specs/codes.js';
import type { ElementRule, SegmentRule, SyntaxNote } from './specs/types.js';

/** AK403 codes. */
export const ELEMENT_ERROR = {
  mandatoryMissing: '1',
  conditionalMissing: '2',
  tooManyElements: '3',
  tooShort: '4',
  tooLong: '5',
  invalidCharacter: '6',
  invalidCode: '7',
  invalidDate: '8',
  invalidTime: '9',
  exclusionViolated: '10',
  tooManyComponents: '13',
} as const;

/** Characters outside the X12 basic and extended character sets: control characters. */
const INVALID_CHARACTERS = /[\u0000-\u001f\u007f]/;

const elementName = (segmentId: string, position: number): string => `${segmentId}${String(position).padStart(2, '0')}`;

export function isPresent(value: string | string[] | undefined): boolean {
  if (value === undefined) return false;
  return typeof value === 'string' ? value !== '' : value.some((c) => c !== '');
}

/**
 * A date CCYYMMDD, or YYMMDD where the rule allows 6 digits (element 373 before 004010). The century of a YYMMDD
 * date does not change whether it is a real date except for 29 February: a year YY divisible by 4 is a leap year
 * in both 19YY and 20YY, except 00 (2000 is, 1900 is not), taken as 2000 as $date reads it.
 */
function validDate(text: string, rule: ElementRule): boolean {
  if (!/^\d+$/.test(text) || (text.length !== 8 && !(text.length === 6 && rule.min <= 6))) return false;
  const full = text.length === 6 ? `20${text}` : text;
  const year = Number(full.slice(0, 4));
  const month = Number(full.slice(4, 6));
  const day = Number(full.slice(6, 8));
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

function validTime(text: string): boolean {
  const match = /^(\d\d)(\d\d)(?:(\d\d)(\d{1,2})?)?$/.exec(text);
  if (!match) return false;
  return Number(match[1]) < 24 && Number(match[2]) < 60 && (match[3] === undefined || Number(match[3]) < 60);
}

/** The code and a short reason when `value` breaks `rule`, else undefined. */
function checkValue(rule: ElementRule, value: string): { code: string; reason: string } | undefined {
  if (INVALID_CHARACTERS.test(value)) {
    return { code: ELEMENT_ERROR.invalidCharacter, reason: 'contains a control character (a line break or tab inside the value?)' };
  }
  let length = value.length;
  switch (rule.type) {
    case 'N0':
    case 'N2':
      if (!/^-?\d+$/.test(value)) return { code: ELEMENT_ERROR.invalidCharacter, reason: `is not a whole number (type ${rule.type}: digits only, implied decimals)` };
      length = value.replace('-', '').length;
      break;
    case 'R':
      if (!/^-?(?:\d+\.?\d*|\.\d+)$/.test(value)) return { code: ELEMENT_ERROR.invalidCharacter, reason: 'is not a decimal number (type R)' };
      length = value.replace(/[-.]/g, '').length;
      break;
    case 'DT':
      if (!validDate(value, rule)) return { code: ELEMENT_ERROR.invalidDate, reason: rule.min <= 6 ? 'is not a date YYMMDD or CCYYMMDD' : 'is not a date CCYYMMDD' };
      return undefined;
    case 'TM':
      if (!validTime(value)) return { code: ELEMENT_ERROR.invalidTime, reason: 'is not a time HHMM[SS[D..]]' };
      return undefined;
    default:
      break;
  }
  if (length < rule.min) return { code: ELEMENT_ERROR.tooShort, reason: `is ${length} long, at least ${rule.min} expected` };
  if (length > rule.max) return { code: ELEMENT_ERROR.tooLong, reason: `is ${length} long, at most ${rule.max} allowed` };
  if (rule.type === 'ID' && rule.codes) {
    const list = CODE_LISTS[rule.codes];
    if (list && !list.has(value)) return { code: ELEMENT_ERROR.invalidCode, reason: `is not a code of element ${rule.ref}` };
  }
  return undefined;
}

/** Checks one segment's elements against its rule; problems at level 'element', located at the segment. */
export function checkElements(segment: EdiSegment, rule: SegmentRule, position: number, version: string): EdiProblem[] {
  const problems: EdiProblem[] = [];
  const values = segment.elements;
  const at = (elementPosition: number, code: string, message: string, value?: string): void => {
    const ref = rule.elements[elementPosition - 1]?.ref;
    problems.push({
      level: 'element', code, message, segmentPosition: position, segmentId: segment.id, elementPosition,
      ...(ref ? { elementReference: ref } : {}), ...(value !== undefined ? { value: value.slice(0, 99) } : {}), line: segment.line,
    });
  };
  let last = values.length;
  while (last > 0 && !isPresent(values[last - 1])) last--;
  if (last > rule.count) {
    at(rule.count + 1, ELEMENT_ERROR.tooManyElements, `${segment.id} has ${last} elements, the standard defines ${rule.count}`);
  }
  for (let i = 0; i < Math.min(rule.count, values.length); i++) {
    const elementRule = rule.elements[i];
    if (!elementRule) continue;
    const raw = values[i];
    if (!isPresent(raw)) continue;
    let value: string;
    if (Array.isArray(raw)) {
      if (raw.slice(1).some((c) => c !== '')) {
        // AK403 13 (too many components) is a 005010 code; with the 004010 tables (releases before 005010) it is 6.
        at(i + 1, version < '005010' ? ELEMENT_ERROR.invalidCharacter : ELEMENT_ERROR.tooManyComponents,
          `${elementName(segment.id, i + 1)} is a simple element but contains the component separator`, raw.join(''));
        continue;
      }
      value = raw[0]!;
    } else value = raw;
    const found = checkValue(elementRule, value);
    if (found) at(i + 1, found.code, `${elementName(segment.id, i + 1)} "${value.slice(0, 40)}" ${found.reason}`, value);
  }
  for (let i = 0; i < rule.count; i++) {
    const elementRule = rule.elements[i];
    if (elementRule?.req === 'M' && !isPresent(values[i])) {
      at(i + 1, ELEMENT_ERROR.mandatoryMissing, `${elementName(segment.id, i + 1)} (element ${elementRule.ref}) is mandatory and missing`);
    }
  }
  for (const note of rule.notes ?? []) checkNote(note, segment, at);
  return problems.sort((a, b) => a.elementPosition! - b.elementPosition!);
}

function checkNote(note: SyntaxNote, segment: EdiSegment, at: (position: number, code: string, message: string, value?: string) => void): void {
  const { kind, positions, text } = note;
  let presentCount = 0;
  for (const p of positions) if (isPresent(segment.elements[p - 1])) presentCount++;
  if (presentCount === 0 && kind !== 'R') return;
  if (presentCount === positions.length && kind !== 'E') return;
  const present = positions.filter((p) => isPresent(segment.elements[p - 1]));
  const missing = positions.filter((p) => !present.includes(p));
  const names = (): string => positions.map((p) => elementName(segment.id, p)).join(', ');
  switch (kind) {
    case 'P':
      at(missing[0]!, ELEMENT_ERROR.conditionalMissing, `${names()} go together (syntax note ${text}): ${elementName(segment.id, missing[0]!)} is missing`);
      break;
    case 'R':
      if (presentCount === 0) at(positions[0]!, ELEMENT_ERROR.conditionalMissing, `at least one of ${names()} is required (syntax note ${text})`);
      break;
    case 'E':
      if (presentCount > 1) {
        const second = present[1]!;
        at(second, ELEMENT_ERROR.exclusionViolated, `only one of ${names()} may be used (syntax note ${text})`, String(segment.elements[second - 1]));
      }
      break;
    case 'C':
      if (present.includes(positions[0]!)) {
        const first = elementName(segment.id, positions[0]!);
        for (const p of missing) {
          at(p, ELEMENT_ERROR.conditionalMissing, `${elementName(segment.id, p)} is required when ${first} is present (syntax note ${text})`);
        }
      }
      break;
    case 'L':
      if (present.includes(positions[0]!) && presentCount === 1) {
        const others = positions.slice(1).map((p) => elementName(segment.id, p)).join(', ');
        const first = elementName(segment.id, positions[0]!);
        at(positions[1]!, ELEMENT_ERROR.conditionalMissing, `one of ${others} is required when ${first} is present (syntax note ${text})`);
      }
      break;
  }
}
