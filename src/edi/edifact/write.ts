/**
 * Writes EDIFACT segments (ISO 9735) with a partner's service characters: each service character in data is
 * preceded by the release character (ISO 9735 clause 8), every character is checked against the repertoire of the
 * interchange's syntax identifier (UNOA upper case only, UNOB with lower case, UNOC Latin-1 …; charset.ts), and a
 * character outside it is refused with its segment, position, element and component, never replaced. Without a
 * release character (UNA4 a space) a service character in data is refused the same way. Empty trailing elements
 * and components are left out (ISO 9735 clause 7.1: trailing separators are not transmitted).
 */
import { HubError } from '../../errors/hub-error.js';
import { shown, trimTrailing, writeError, type OutboundSegment, type WriteProblem } from '../outbound-segment.js';
import { repertoireOf, SUPPORTED_SYNTAX_IDENTIFIERS, type Repertoire } from './charset.js';

/** Service characters; `release` undefined means none (UNA4 a space), `repetition` is used from syntax version 4. */
export interface EdifactDelimiters {
  component: string;
  element: string;
  decimal: string;
  release?: string;
  repetition?: string;
  segment: string;
}

/** ISO 9735 defaults (no UNA needed): : + . ? and ', with * as the repetition separator of version 4. */
export const EDIFACT_DEFAULT_DELIMITERS: Readonly<Required<EdifactDelimiters>> = Object.freeze({
  component: ':', element: '+', decimal: '.', release: '?', repetition: '*', segment: "'",
});

/** How a partner's interchange is written. */
export interface EdifactSyntax {
  /** UNB 0001: UNOA, UNOB, UNOC … (the repertoire every value is checked against). */
  identifier: string;
  /** UNB 0002: ISO 9735 version 1 to 4 (default 3); from 4 on, CCYYMMDD dates and the repetition separator. */
  version?: 1 | 2 | 3 | 4;
}

const NOT_A_SERVICE_CHARACTER = /[A-Za-z0-9 ]/;

/** A partner's service characters as configured: any of them, null for no release character or repetition separator. */
export type PartnerDelimiters = Partial<Omit<EdifactDelimiters, 'release' | 'repetition'>> & { release?: string | null; repetition?: string | null };

/**
 * The partner's service characters over the defaults, checked: one character each, no letter, digit or space, all
 * different; the decimal mark '.' or ','. `release: null` asks for no release character, `repetition: null` for no
 * repetition separator (UNA5 a space). Before version 4 there is none (UNA5 is reserved).
 */
export function edifactDelimiters(partner: PartnerDelimiters = {}, version = 3): EdifactDelimiters {
  const { release, repetition, ...rest } = partner;
  const d: EdifactDelimiters = { ...EDIFACT_DEFAULT_DELIMITERS, ...rest };
  if (release === null) delete d.release;
  else if (release !== undefined) d.release = release;
  if (repetition === null || version < 4) delete d.repetition;
  else if (repetition !== undefined) d.repetition = repetition;
  const seen = new Map<string, string>();
  for (const name of ['component', 'element', 'release', 'repetition', 'segment'] as const) {
    const ch = d[name];
    if (ch === undefined) continue;
    if ([...ch].length !== 1 || NOT_A_SERVICE_CHARACTER.test(ch)) {
      throw new HubError('HUB_ERR_CONFIG', `EDIFACT ${name} character ${JSON.stringify(ch)} must be one character that is not a letter, digit or space`);
    }
    const other = seen.get(ch);
    if (other) throw new HubError('HUB_ERR_CONFIG', `EDIFACT ${name} character ${shown(ch)} is the same as the ${other} character`);
    seen.set(ch, name);
  }
  if (d.decimal !== '.' && d.decimal !== ',') throw new HubError('HUB_ERR_CONFIG', `EDIFACT decimal mark ${JSON.stringify(d.decimal)} must be '.' or ','`);
  return d;
}

/** The repertoire check of a syntax identifier; an identifier the hub cannot check is refused. */
export function repertoire(identifier: string): Repertoire {
  const check = repertoireOf(identifier);
  if (!check) throw new HubError('HUB_ERR_CONFIG', `EDIFACT syntax identifier "${identifier}" is not one the hub writes (${SUPPORTED_SYNTAX_IDENTIFIERS.join(', ')})`);
  return check;
}

/** The UNA service string advice for these characters (a space for no release character and, before version 4, UNA5). */
export function serviceStringAdvice(d: EdifactDelimiters): string {
  return `UNA${d.component}${d.element}${d.decimal}${d.release ?? ' '}${d.repetition ?? ' '}${d.segment}`;
}

/** Level B (UNOB) defaults without UNA: the information separators IS1, IS3, IS4 and no release character. */
const LEVEL_B_DEFAULTS: EdifactDelimiters = { component: '\x1f', element: '\x1d', decimal: '.', segment: '\x1c' };

/** True when the characters are not the defaults of the syntax identifier, so a partner needs the UNA to read them. */
export function needsUna(d: EdifactDelimiters, identifier: string, version: number): boolean {
  const def: EdifactDelimiters = identifier === 'UNOB' ? LEVEL_B_DEFAULTS : EDIFACT_DEFAULT_DELIMITERS;
  return d.component !== def.component || d.element !== def.element || d.decimal !== def.decimal || d.release !== def.release
    || d.segment !== def.segment || (version >= 4 && identifier !== 'UNOB' && d.repetition !== def.repetition);
}

/** One value escaped, its characters checked; problems are pushed. */
function escapeValue(value: string, d: EdifactDelimiters, check: Repertoire | undefined, identifier: string,
  where: Omit<WriteProblem, 'message'>, problems: WriteProblem[]): string {
  const specials = [d.release, d.component, d.element, d.segment, d.repetition].filter((c): c is string => c !== undefined);
  let out = '';
  const outside = new Set<string>();
  for (const ch of value) {
    if (check && !check(ch)) outside.add(ch);
    if (specials.includes(ch)) {
      if (d.release === undefined) {
        const message = `"${value.slice(0, 60)}" holds the service character ${shown(ch)} and the interchange has no release character `
          + '(UNA4 is a space)';
        problems.push({ ...where, message });
        return value;
      }
      out += d.release;
    }
    out += ch;
  }
  if (outside.size) {
    const list = [...outside].slice(0, 5).map(shown).join(', ');
    const message = `"${value.slice(0, 60)}" has ${list}, outside the character repertoire of ${identifier}; the partner needs a syntax `
      + 'identifier that has it (UNOC for Latin-1) or the data without it';
    problems.push({ ...where, message });
  }
  return out;
}

/**
 * One segment as text (without its terminator); `position` is the segment's position in its message (UNH = 1).
 * `check` is the repertoire of `identifier`; undefined skips the character check (a CONTRL copying back a partner's
 * own references).
 */
export function edifactSegmentText(segment: OutboundSegment, d: EdifactDelimiters, check: Repertoire | undefined, identifier: string,
  position: number, problems: WriteProblem[]): string {
  if (!/^[A-Z]{3}$/.test(segment.id)) {
    problems.push({ segmentId: segment.id, segmentPosition: position, message: `"${segment.id}" is not an EDIFACT segment tag (three upper case letters)` });
  }
  const values = segment.elements.map((element, e) => {
    if (element === undefined) return '';
    const where = { segmentId: segment.id, segmentPosition: position, elementPosition: e + 1 };
    if (typeof element === 'string') return escapeValue(element, d, check, identifier, where, problems);
    const components = element.map((c, i) => escapeValue(c, d, check, identifier, { ...where, componentPosition: i + 1 }, problems));
    return trimTrailing(components).join(d.component);
  });
  return [segment.id, ...trimTrailing(values)].join(d.element);
}

/**
 * Writes segments as EDIFACT text, each followed by the terminator (and the newline asked for). Throws
 * HUB_ERR_EDI_INVALID listing every value that cannot be written. `firstPosition` is the position of the first
 * segment in its message (2 for a body after UNH).
 */
export function writeEdifactSegments(segments: readonly OutboundSegment[], syntax: EdifactSyntax, d: EdifactDelimiters = edifactDelimiters({}, syntax.version ?? 3),
  options: { newline?: '' | '\n' | '\r\n'; firstPosition?: number } = {}): string {
  const problems: WriteProblem[] = [];
  const end = d.segment + (options.newline ?? '');
  const first = options.firstPosition ?? 1;
  const check = repertoire(syntax.identifier);
  const text = segments.map((segment, i) => edifactSegmentText(segment, d, check, syntax.identifier, first + i, problems) + end).join('');
  if (problems.length) throw writeError('EDIFACT', problems);
  return text;
}
