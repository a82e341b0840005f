/**
 * readEdifact: one EDIFACT interchange (ISO 9735 syntax versions 1-4) read into the shapes of ../types.ts.
 * UNA service string advice or the defaults; UNB/UNZ with the control reference and count; optional UNG/UNE groups;
 * UNH/UNT messages with their segment count and reference; the declared character repertoire; then each message
 * validated against its specification (./validate.ts) and turned into its mapping tree (./tree.ts). Every problem
 * is an EdiProblem with CONTRL's 0085 code; EdiSyntaxError only when the text is not EDIFACT at all.
 */
import { EdiSyntaxError, type EdiDelimiters, type EdiGroup, type EdiInterchange, type EdiProblem, type EdiSegment, type EdiTransaction } from '../types.js';
import { repertoireOf, SUPPORTED_SYNTAX_IDENTIFIERS } from './charset.js';
import { DEFAULT_DELIMITERS, LEVEL_B_DELIMITERS, lex, lineIndex, printable, type LexedSegment } from './lexer.js';
import { messageSpec, supportedMessages } from './specs/index.js';
import { parseSegmentDefs } from './specs/structure.js';
import { buildTree } from './tree.js';
import { checkSegment, validateMessage, type CheckContext } from './validate.js';
import { append } from '../../util/arrays.js';

export interface ReadEdifactOptions {
  /**
   * 'strict' (default) reports every character outside the declared repertoire (0085 code 21): UNOA is upper case
   * only. 'off' skips the check for partners known to send lower case under UNOA.
   */
  characterCheck?: 'strict' | 'off';
}

/** The envelope segments (ISO 9735 version 3 element lists; version 4 adds elements at the end, read alike). */
const ENVELOPE = parseSegmentDefs({
  UNB: 'S001 M [0001 M a4, 0002 M n1, 0080 C an..6, 0133 C an..3] | S002 M [0004 M an..35, 0007 C an..4, 0008 C an..14] | S003 M [0010 M an..35, 0007 C an..4, 0014 C an..14] | S004 M [0017 M n..8, 0019 M n4] | 0020 M an..14 | S005 C [0022 M an..14, 0025 C an2] | 0026 C an..14 | 0029 C a1 | 0031 C n1 | 0032 C an..35 | 0035 C n1',
  UNZ: '0036 M n..6 | 0020 M an..14',
  UNG: '0038 M an..6 | S006 M [0040 M an..35, 0007 C an..4] | S007 M [0044 M an..35, 0007 C an..4] | S004 M [0017 M n..8, 0019 M n4] | 0048 M an..14 | 0051 C an..2 | S008 C [0052 M an..3, 0054 M an..3, 0057 C an..6] | 0058 C an..14',
  UNE: '0060 M n..6 | 0048 M an..14',
});

function comp(seg: EdiSegment | undefined, element: number, component = 1): string {
  const v = seg?.elements[element - 1];
  if (v === undefined) return '';
  return typeof v === 'string' ? (component === 1 ? v : '') : (v[component - 1] ?? '');
}

function envelopeProblem(level: EdiProblem['level'], code: string, seg: EdiSegment | undefined, segmentId: string, element: number | undefined, message: string, elementReference?: string): EdiProblem {
  return {
    level, code, message, segmentId,
    ...(element !== undefined ? { elementPosition: element } : {}),
    ...(elementReference ? { elementReference } : {}),
    ...(seg ? { line: seg.line } : {}),
  };
}

/** Reads the UNA service string advice: component, element, decimal, release, repetition (reserved in v3), terminator. */
function readUna(text: string, at: number, problems: EdiProblem[]): EdiDelimiters {
  const s = text.slice(at + 3, at + 9);
  if (s.length < 6) {
    throw new EdiSyntaxError('EDIFACT: the UNA service string advice is cut off (it needs 6 characters after "UNA")', {
      level: 'interchange', code: '13', segmentId: 'UNA', message: 'UNA needs 6 characters: component, element separator, decimal mark, release, reserved (repetition), segment terminator',
    });
  }
  const [component, element, decimal, release, repetition, segment] = [...s] as [string, string, string, string, string, string];
  const d: EdiDelimiters = { component, element, decimal, segment };
  if (release !== ' ') d.release = release;
  if (repetition !== ' ') d.repetition = repetition;
  const named: Array<[string, string]> = [['component data element separator (UNA1)', component], ['data element separator (UNA2)', element], ['release character (UNA4)', release], ['segment terminator (UNA6)', segment]];
  if (repetition !== ' ') named.push(['repetition separator (UNA5)', repetition]);
  const seen = new Map<string, string>();
  for (const [name, ch] of named) {
    if (ch === ' ' && name.startsWith('release')) continue;
    if (/[A-Za-z0-9 ]/.test(ch)) {
      problems.push({ level: 'interchange', code: '20', segmentId: 'UNA', message: `UNA: the ${name} is '${printable(ch)}', a letter, digit or space, which cannot be a service character` });
    }
    const other = seen.get(ch);
    if (other) problems.push({ level: 'interchange', code: '20', segmentId: 'UNA', message: `UNA: the ${name} '${printable(ch)}' is the same character as the ${other}` });
    seen.set(ch, name);
  }
  if (decimal !== '.' && decimal !== ',') {
    problems.push({ level: 'interchange', code: '19', segmentId: 'UNA', message: `UNA: the decimal mark (UNA3) is '${printable(decimal)}'; it must be '.' or ','` });
    d.decimal = '.';
  }
  return d;
}

/**
 * Directories read with a neighbour's specification. INVOIC D.93A with D.96A's: the segments the INVOIC mappings
 * read (BGM, DTM, RFF, NAD, CUX, PAT, LIN, PIA, IMD, QTY, MOA, PRI, TAX, ALC, UNS, CNT) keep their tags, composites
 * (C002 in BGM, C507 in DTM, C186 in QTY, C516 in MOA, C509 in PRI, C082/C080/C059 in NAD) and element order from
 * D.93A to D.96A, which added optional segments, groups and codes a D.93A message does not send; staedi's D.93A
 * sample (fixtures/edifact/invoic_d93a_una.edi) places in D.96A's structure without one structure problem. The
 * message keeps its own version (D93A), so a mapping takes it only when its detect.versions names D93A.
 */
const READ_WITH: Readonly<Record<string, string>> = { 'INVOIC:D93A': 'D96A' };

function specFor(type: string, version: string): ReturnType<typeof messageSpec> {
  return messageSpec(type, version) ?? (READ_WITH[`${type}:${version}`] ? messageSpec(type, READ_WITH[`${type}:${version}`]!) : undefined);
}

export function readEdifact(text: string, options: ReadEdifactOptions = {}): EdiInterchange {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let at = 0;
  while (at < src.length && /\s/.test(src[at]!)) at++;
  const head = src.slice(at, at + 3);
  if (head !== 'UNA' && head !== 'UNB') {
    throw new EdiSyntaxError(`not EDIFACT: the text starts with "${src.slice(at, at + 10).replace(/\s+/g, ' ')}", not with UNA or UNB`, {
      level: 'interchange', code: '22', message: 'an EDIFACT interchange starts with the service string advice UNA or the interchange header UNB', line: 1,
    });
  }
  const problems: EdiProblem[] = [];
  const lineAt = lineIndex(src);
  let delimiters: EdiDelimiters;
  let from: number;
  let hadUna = false;
  if (head === 'UNA') {
    delimiters = readUna(src, at, problems);
    from = at + 9;
    hadUna = true;
  } else {
    const sep = src[at + 3];
    if (sep === LEVEL_B_DELIMITERS.element) delimiters = { ...LEVEL_B_DELIMITERS };
    else if (sep === DEFAULT_DELIMITERS.element) delimiters = { ...DEFAULT_DELIMITERS };
    else {
      throw new EdiSyntaxError(`not EDIFACT: UNB is followed by "${printable(sep ?? '')}" and there is no UNA to declare it as the data element separator`, {
        level: 'interchange', code: '20', segmentId: 'UNB', line: lineAt(at), message: "without UNA the data element separator is '+' (or IS3 for UNOB)",
      });
    }
    from = at;
  }
  const lexed = lex(src, from, delimiters, lineAt);
  append(problems, lexed.problems);
  const segs = lexed.segments;
  const unb = segs[0];
  if (!unb || unb.id !== 'UNB') {
    throw new EdiSyntaxError(`not EDIFACT: after UNA the first segment is ${unb ? `"${unb.id}"` : 'missing'}, not the interchange header UNB`, {
      level: 'interchange', code: '13', segmentId: 'UNB', message: 'the interchange header UNB must follow UNA', ...(unb ? { line: unb.line } : {}),
    });
  }

  // UNB: syntax identifier and version first, since the rest is checked with them.
  const syntaxIdentifier = comp(unb, 1, 1);
  const syntaxVersionText = comp(unb, 1, 2);
  const syntaxVersion = Number(syntaxVersionText);
  const repertoire = repertoireOf(syntaxIdentifier);
  if (!repertoire) {
    problems.push(envelopeProblem('interchange', '2', unb, 'UNB', 1, `UNB syntax identifier '${syntaxIdentifier}' is not supported; the hub reads ${SUPPORTED_SYNTAX_IDENTIFIERS.join(', ')}`, '0001'));
  }
  if (!/^[1-4]$/.test(syntaxVersionText)) {
    problems.push(envelopeProblem('interchange', '2', unb, 'UNB', 1, `UNB syntax version '${syntaxVersionText}' is not supported; the hub reads ISO 9735 versions 1 to 4`, '0002'));
  }
  if (syntaxVersion < 4 && delimiters.repetition !== undefined) delete delimiters.repetition; // UNA5 is reserved before v4
  const ctx: CheckContext = {
    decimal: delimiters.decimal ?? '.',
    syntaxVersion: Number.isFinite(syntaxVersion) ? syntaxVersion : 3,
    syntaxIdentifier,
    ...(repertoire && options.characterCheck !== 'off' ? { repertoire } : {}),
  };
  append(problems, checkSegment(unb, ENVELOPE.UNB, undefined, 'interchange', ctx));

  const interchangeRef = comp(unb, 5);
  const groups: EdiGroup[] = [];
  let bare: EdiGroup | undefined;
  let openGroup: EdiGroup | undefined;
  let groupCount = 0;
  let messageCount = 0;
  let unz: LexedSegment | undefined;
  const references = new Map<string, number>();
  let k = 1;

  const readMessage = (): EdiTransaction => {
    const startIndex = k;
    const unh = segs[k]!;
    const body: LexedSegment[] = [unh];
    k++;
    let unt: LexedSegment | undefined;
    while (k < segs.length) {
      const s = segs[k]!;
      if (s.id === 'UNT') { body.push(s); unt = s; k++; break; }
      if (s.id === 'UNH' || s.id === 'UNZ' || s.id === 'UNE' || s.id === 'UNG') break;
      body.push(s);
      k++;
    }
    const tp: EdiProblem[] = [];
    const ref = comp(unh, 1);
    const type = comp(unh, 2, 1);
    const version = `${comp(unh, 2, 2)}${comp(unh, 2, 3)}`;
    const association = comp(unh, 2, 5);
    const spec = specFor(type, version);
    const validation = validateMessage(body, spec, ctx);
    if (!spec && type !== '') {
      tp.push({
        level: 'transaction', code: '14', segmentPosition: 1, segmentId: 'UNH', elementPosition: 2, componentPosition: messageSpecTypeKnown(type) ? 2 : 1,
        elementReference: messageSpecTypeKnown(type) ? '0054' : '0065', value: `${type}:${comp(unh, 2, 2)}:${comp(unh, 2, 3)}`, line: unh.line,
        message: `message ${ref}: ${type} ${version} is not a message the hub validates (${supportedMessages().join(', ')}); it is read without structure checks and rejected`,
      });
    }
    if (!unt) {
      tp.push({
        level: 'transaction', code: '13', segmentPosition: body.length, segmentId: 'UNT', line: body[body.length - 1]!.line,
        message: `message ${ref} (UNH at line ${unh.line}) has no message trailer UNT before ${segs[k] ? `${segs[k]!.id} at line ${segs[k]!.line}` : 'the end of the text'}`,
      });
    } else {
      const count = comp(unt, 1);
      if (/^\d+$/.test(count) && Number(count) !== body.length) {
        tp.push({
          level: 'transaction', code: '29', segmentPosition: body.length, segmentId: 'UNT', elementPosition: 1, elementReference: '0074', value: count, line: unt.line,
          message: `message ${ref}: UNT says ${count} segments, the message has ${body.length} (UNH to UNT inclusive)`,
        });
      }
      const untRef = comp(unt, 2);
      if (untRef !== ref) {
        tp.push({
          level: 'transaction', code: '28', segmentPosition: body.length, segmentId: 'UNT', elementPosition: 2, elementReference: '0062', value: untRef, line: unt.line,
          message: `message ${ref}: UNT message reference '${untRef}' does not match UNH '${ref}'`,
        });
      }
    }
    if (ref !== '') {
      const firstLine = references.get(ref);
      if (firstLine !== undefined) {
        tp.push({
          level: 'transaction', code: '26', segmentPosition: 1, segmentId: 'UNH', elementPosition: 1, elementReference: '0062', value: ref, line: unh.line,
          message: `message reference '${ref}' (line ${unh.line}) was already used by the message at line ${firstLine} of this interchange`,
        });
      } else references.set(ref, unh.line);
    }
    const last = body[body.length - 1]!;
    return {
      setId: type,
      controlNumber: ref,
      version,
      ...(association ? { associationCode: association } : {}),
      segments: body.map(stripLexed),
      start: unh.start,
      end: last.end,
      problems: [...tp, ...validation.problems],
      tree: buildTree({ UNB: stripLexed(unb), ...(openGroup?.header ? { UNG: openGroup.header } : {}) }, body.map(stripLexed), validation.match?.root),
    } satisfies EdiTransaction & { start: number };
    void startIndex;
  };

  while (k < segs.length) {
    const s = segs[k]!;
    if (s.id === 'UNH') {
      const tx = readMessage();
      messageCount++;
      if (openGroup) openGroup.transactions.push(tx);
      else {
        if (!bare) {
          bare = { functionalId: '', controlNumber: '', version: '', sender: '', receiver: '', transactions: [], problems: [] };
          groups.push(bare);
          if (groupCount > 0) problems.push(envelopeProblem('interchange', '30', s, 'UNH', undefined, `messages outside UNG/UNE (from line ${s.line}) in an interchange that also has functional groups`));
        }
        bare.transactions.push(tx);
      }
      continue;
    }
    if (s.id === 'UNG') {
      if (openGroup) openGroup.problems.push(envelopeProblem('group', '13', s, 'UNE', undefined, `group ${openGroup.controlNumber} has no UNE before the next UNG at line ${s.line}`));
      if (bare && groupCount === 0) problems.push(envelopeProblem('interchange', '30', s, 'UNG', undefined, `a functional group (UNG at line ${s.line}) after messages outside any group`));
      groupCount++;
      const header = stripLexed(s);
      openGroup = {
        functionalId: comp(s, 1), controlNumber: comp(s, 5), version: `${comp(s, 7, 1)}${comp(s, 7, 2)}`,
        sender: comp(s, 2, 1), receiver: comp(s, 3, 1), header, transactions: [], problems: checkSegment(s, ENVELOPE.UNG, undefined, 'group', ctx),
      };
      groups.push(openGroup);
      k++;
      continue;
    }
    if (s.id === 'UNE') {
      if (!openGroup) {
        problems.push(envelopeProblem('interchange', '33', s, 'UNE', undefined, `UNE at line ${s.line} closes no group (no UNG before it)`));
      } else {
        append(openGroup.problems, checkSegment(s, ENVELOPE.UNE, undefined, 'group', ctx));
        const count = comp(s, 1);
        if (/^\d+$/.test(count) && Number(count) !== openGroup.transactions.length) {
          openGroup.problems.push(envelopeProblem('group', '29', s, 'UNE', 1, `group ${openGroup.controlNumber}: UNE says ${count} messages, the group has ${openGroup.transactions.length}`, '0060'));
        }
        if (comp(s, 2) !== openGroup.controlNumber) {
          openGroup.problems.push(envelopeProblem('group', '28', s, 'UNE', 2, `group reference in UNE '${comp(s, 2)}' does not match UNG '${openGroup.controlNumber}'`, '0048'));
        }
        if (openGroup.transactions.length === 0) openGroup.problems.push(envelopeProblem('group', '32', s, 'UNG', undefined, `group ${openGroup.controlNumber} holds no message`));
        openGroup = undefined;
      }
      k++;
      continue;
    }
    if (s.id === 'UNZ') {
      unz = s;
      k++;
      if (k < segs.length) {
        problems.push(envelopeProblem('interchange', '33', segs[k], segs[k]!.id, undefined, `segment ${segs[k]!.id} at line ${segs[k]!.line} comes after the interchange trailer UNZ`));
      }
      break;
    }
    problems.push(envelopeProblem('interchange', s.id.startsWith('UN') && s.id !== 'UNS' ? '22' : '33', s, s.id, undefined,
      s.id.startsWith('UN') && s.id !== 'UNS' ? `'${s.id}' at line ${s.line} is not a service segment tag the interchange may hold here` : `segment ${s.id} at line ${s.line} is outside any message (no UNH before it)`));
    k++;
  }
  if (openGroup) openGroup.problems.push(envelopeProblem('group', '13', undefined, 'UNE', undefined, `group ${openGroup.controlNumber} has no group trailer UNE`));

  if (!unz) {
    problems.push(envelopeProblem('interchange', '13', undefined, 'UNZ', undefined, `the interchange ${interchangeRef} has no interchange trailer UNZ`));
  } else {
    append(problems, checkSegment(unz, ENVELOPE.UNZ, undefined, 'interchange', ctx));
    const count = comp(unz, 1);
    const expected = groupCount > 0 ? groupCount : messageCount;
    if (/^\d+$/.test(count) && Number(count) !== expected) {
      problems.push(envelopeProblem('interchange', '29', unz, 'UNZ', 1, `UNZ says ${count} ${groupCount > 0 ? 'groups' : 'messages'}, the interchange has ${expected}`, '0036'));
    }
    if (comp(unz, 2) !== interchangeRef) {
      problems.push(envelopeProblem('interchange', '28', unz, 'UNZ', 2, `UNZ interchange control reference '${comp(unz, 2)}' does not match UNB '${interchangeRef}'`, '0020'));
    }
  }
  if (messageCount === 0) problems.push(envelopeProblem('interchange', '32', unb, 'UNB', undefined, `the interchange ${interchangeRef} holds no message`));

  return {
    syntax: 'edifact',
    syntaxVersion: `${syntaxIdentifier}:${syntaxVersionText}`,
    controlNumber: interchangeRef,
    sender: { qualifier: comp(unb, 2, 2), id: comp(unb, 2, 1) },
    receiver: { qualifier: comp(unb, 3, 2), id: comp(unb, 3, 1) },
    date: comp(unb, 4, 1),
    time: comp(unb, 4, 2),
    test: comp(unb, 11) === '1',
    ackRequested: comp(unb, 9) === '1',
    delimiters,
    header: stripLexed(unb),
    groups,
    problems,
    ...(hadUna ? { serviceStringAdvice: src.slice(at, at + 9) } : {}),
  } as EdiInterchange;
}

function messageSpecTypeKnown(type: string): boolean {
  return supportedMessages().some((m) => m.startsWith(`${type} `));
}

function stripLexed(s: LexedSegment): EdiSegment {
  return { id: s.id, elements: s.elements, start: s.start, end: s.end, line: s.line };
}

/** The UNA string the interchange was sent with, when it had one (for a CONTRL written the same way). */
export function serviceStringAdvice(ic: EdiInterchange): string | undefined {
  return (ic as EdiInterchange & { serviceStringAdvice?: string }).serviceStringAdvice;
}
