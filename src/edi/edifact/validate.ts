/**
 * Structural and element validation of one EDIFACT message against its specification (./specs): segment order,
 * segment groups, mandatory segments and repetitions, and per element mandatory/conditional, an/a/n, lengths,
 * decimal notation, code values and the declared character repertoire. Every problem carries CONTRL's 0085 code and
 * its place: segment position (UNH = 1), tag, element and component position, as UCS/UCD report them.
 */
import type { EdiProblem, EdiSegment } from '../types.js';
import type { Repertoire } from './charset.js';
import { type ElementDef, type MessageSpec, type SimpleDef, type StructureNode, isComposite, SERVICE_SEGMENT_DEFS } from './specs/index.js';
import { append } from '../../util/arrays.js';

export interface CheckContext {
  /** The decimal mark the interchange declared (UNA3, or '.'). */
  decimal: string;
  /** ISO 9735 syntax version (UNB 0002): from 4 on, both '.' and ',' are decimal marks. */
  syntaxVersion: number;
  repertoire?: Repertoire;
  syntaxIdentifier: string;
}

/** A segment group instance as matched: its trigger's index and its members in order (segment indexes or groups). */
export interface MatchedGroup {
  tag: string;
  trigger: number;
  children: Array<number | MatchedGroup>;
}

export interface MatchResult {
  /** The message as a group whose children are the top-level segments and groups (trigger -1). */
  root: MatchedGroup;
  problems: EdiProblem[];
}

function where(seg: EdiSegment, position: number): string {
  return `${seg.id} (segment ${position} of the message, line ${seg.line})`;
}

/** Matches the segments (UNH..UNT) to the structure: greedy, deepest open group first, as EDIFACT groups nest. */
export function matchStructure(segments: EdiSegment[], structure: StructureNode[], type: string): MatchResult {
  interface Frame { nodes: StructureNode[]; ci: number; counts: number[]; instance: MatchedGroup; owner?: StructureNode }
  const problems: EdiProblem[] = [];
  const root: MatchedGroup = { tag: '', trigger: -1, children: [] };
  const stack: Frame[] = [{ nodes: structure, ci: 0, counts: structure.map(() => 0), instance: root }];

  const missing = (f: Frame, from: number, to: number, position: number, seg: EdiSegment | undefined): void => {
    for (let m = from; m < to; m++) {
      const node = f.nodes[m]!;
      if (f.counts[m]! >= node.min || node.tag === 'UNT' || node.tag === 'UNH') continue;
      const inGroup = f.owner ? ` in the ${f.owner.tag} group` : '';
      const what = node.members ? `segment group ${node.tag}` : `segment ${node.tag}`;
      problems.push({
        level: 'segment', code: '13', segmentPosition: position, segmentId: node.tag, ...(seg ? { line: seg.line } : {}),
        message: `${type}: mandatory ${what}${inGroup} is missing before segment ${position}${seg ? ` (${seg.id}, line ${seg.line})` : ''}; add it (the message structure requires at least ${node.min})`,
      });
    }
  };

  segments.forEach((seg, k) => {
    const position = k + 1;
    for (let depth = stack.length - 1; depth >= 0; depth--) {
      const f = stack[depth]!;
      let j = -1;
      for (let m = f.ci; m < f.nodes.length; m++) if (f.nodes[m]!.tag === seg.id) { j = m; break; }
      if (j < 0) continue;
      while (stack.length - 1 > depth) {
        const closed = stack.pop()!;
        missing(closed, closed.ci, closed.nodes.length, position, seg);
      }
      missing(f, f.ci, j, position, seg);
      f.ci = j;
      f.counts[j]!++;
      const node = f.nodes[j]!;
      if (f.counts[j]! > node.max) {
        problems.push({
          level: 'segment', code: node.members ? '36' : '35', segmentPosition: position, segmentId: seg.id, line: seg.line,
          message: node.members
            ? `${type}: segment group ${seg.id} at ${where(seg, position)} repeats ${f.counts[j]} times; at most ${node.max} are allowed here`
            : `${type}: segment ${where(seg, position)} repeats ${f.counts[j]} times; at most ${node.max} ${node.max === 1 ? 'is' : 'are'} allowed here`,
        });
      }
      if (node.members) {
        const instance: MatchedGroup = { tag: seg.id, trigger: k, children: [] };
        f.instance.children.push(instance);
        stack.push({ nodes: node.members, ci: 0, counts: node.members.map(() => 0), instance, owner: node });
      } else {
        f.instance.children.push(k);
      }
      return;
    }
    // Not expected anywhere from here on: kept in the current group for the tree, reported.
    stack[stack.length - 1]!.instance.children.push(k);
    problems.push({
      level: 'segment', code: '15', segmentPosition: position, segmentId: seg.id, line: seg.line,
      message: `${type}: segment ${where(seg, position)} is not expected at this place of the message (unknown here, or out of order)`,
    });
  });
  const last = segments.length;
  while (stack.length > 0) {
    const f = stack.pop()!;
    missing(f, f.ci, f.nodes.length, last, segments[last - 1]);
  }
  return { root, problems };
}

function componentsOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

interface Place { seg: EdiSegment; position?: number; element: number; component?: number; level: EdiProblem['level'] }

function problemAt(p: Place, code: string, def: SimpleDef | ElementDef | undefined, value: string | undefined, message: string): EdiProblem {
  return {
    level: p.level, code, message,
    ...(p.position !== undefined ? { segmentPosition: p.position } : {}),
    segmentId: p.seg.id, elementPosition: p.element,
    ...(p.component !== undefined ? { componentPosition: p.component } : {}),
    ...(def ? { elementReference: def.tag } : {}),
    ...(value !== undefined && value !== '' ? { value: value.slice(0, 99) } : {}),
    line: p.seg.line,
  };
}

function label(p: Place, def?: { tag: string }): string {
  const at = p.position !== undefined ? `segment ${p.position} of the message, ` : '';
  const comp = p.component !== undefined ? ` component ${p.component}` : '';
  return `${p.seg.id} (${at}line ${p.seg.line}) element ${p.element}${comp}${def && def.tag ? ` (${def.tag})` : ''}`;
}

/** Checks one value against its definition; returns the problem or undefined. */
function checkValue(value: string, def: SimpleDef, p: Place, ctx: CheckContext): EdiProblem | undefined {
  if (ctx.repertoire) {
    const bad = [...value].filter((c) => !ctx.repertoire!(c));
    if (bad.length > 0) {
      const distinct = [...new Set(bad)];
      const shown = distinct.slice(0, 5).map((c) => `'${c}' (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ') + (distinct.length > 5 ? ` and ${distinct.length - 5} more` : '');
      return problemAt(p, '21', def, value, `${label(p, def)}: ${shown} is not in the character repertoire of ${ctx.syntaxIdentifier}${ctx.syntaxIdentifier === 'UNOA' ? ' (upper case letters, digits, space and . , - ( ) / = \' + : ? ! " % & * ; < >)' : ''}; send the interchange with a syntax identifier that has it (UNOC for Latin-1) or leave it out`);
    }
  }
  let length = [...value].length;
  if (def.type === 'n') {
    const marks = ctx.syntaxVersion >= 4 ? ['.', ','] : [ctx.decimal];
    const other = ctx.decimal === '.' ? ',' : '.';
    if (!/^-?[0-9.,]*$/.test(value) || /^-?$/.test(value)) {
      return problemAt(p, '37', def, value, `${label(p, def)}: '${value}' is not a number (numeric data element: digits, one decimal mark '${ctx.decimal}' and a leading '-' only)`);
    }
    const digits = value.replace(/[-.,]/g, '');
    const markChars = value.replace(/[-0-9]/g, '');
    if (markChars.length > 1 || (markChars.length === 1 && !marks.includes(markChars))) {
      return problemAt(p, '19', def, value, `${label(p, def)}: '${value}' uses the decimal mark '${markChars[0] === other ? other : markChars}' but the interchange declares '${ctx.decimal}'${ctx.syntaxVersion < 4 ? ' (UNA3 or the default \'.\')' : ''}`);
    }
    const body = value.startsWith('-') ? value.slice(1) : value;
    if (markChars.length === 1 && marks.includes(body[0]!)) {
      return problemAt(p, '38', def, value, `${label(p, def)}: '${value}' has no digit in front of the decimal mark (write 0${body})`);
    }
    if (markChars.length === 1 && marks.includes(body[body.length - 1]!)) {
      return problemAt(p, '19', def, value, `${label(p, def)}: '${value}' ends with the decimal mark; leave the mark out or add the decimals`);
    }
    length = digits.length;
  } else if (def.type === 'a' && !/^[\p{L} ]*$/u.test(value)) {
    return problemAt(p, '37', def, value, `${label(p, def)}: '${value}' must be alphabetic (letters only)`);
  }
  if (length > def.maxLength) {
    return problemAt(p, '39', def, value, `${label(p, def)}: '${value}' is ${length} ${def.type === 'n' ? 'digits' : 'characters'} long; at most ${def.maxLength} are allowed (${def.type}${def.minLength === def.maxLength ? '' : '..'}${def.maxLength})`);
  }
  if (length < def.minLength) {
    return problemAt(p, '40', def, value, `${label(p, def)}: '${value}' is ${length} ${def.type === 'n' ? 'digits' : 'characters'} long; exactly ${def.minLength} are required (${def.type}${def.maxLength})`);
  }
  if (def.codes && !def.codes.includes(value)) {
    return problemAt(p, '12', def, value, `${label(p, def)}: '${value}' is not a valid code here (${def.codes.join(', ')})`);
  }
  return undefined;
}

/** Checks the repertoire of every value of a segment that has no definition (structure-only segments). */
function checkRepertoireOnly(seg: EdiSegment, position: number | undefined, level: EdiProblem['level'], ctx: CheckContext): EdiProblem[] {
  const out: EdiProblem[] = [];
  if (!ctx.repertoire) return out;
  seg.elements.forEach((v, e) => {
    const comps = componentsOf(v);
    comps.forEach((c, ci) => {
      const place: Place = { seg, element: e + 1, level, ...(position !== undefined ? { position } : {}), ...(comps.length > 1 ? { component: ci + 1 } : {}) };
      const problem = checkValue(c, { tag: '', mandatory: false, type: 'an', minLength: 0, maxLength: Number.MAX_SAFE_INTEGER }, place, ctx);
      if (problem) { delete problem.elementReference; out.push(problem); }
    });
  });
  return out;
}

/** Element checks of one segment against its definition (or the repertoire only, without one). */
export function checkSegment(seg: EdiSegment & { repeated?: number[] }, defs: ElementDef[] | undefined, position: number | undefined, level: EdiProblem['level'], ctx: CheckContext): EdiProblem[] {
  if (!defs) return checkRepertoireOnly(seg, position, level, ctx);
  const out: EdiProblem[] = [];
  const base = (element: number, component?: number): Place => ({ seg, element, level, ...(position !== undefined ? { position } : {}), ...(component !== undefined ? { component } : {}) });
  defs.forEach((def, e) => {
    const comps = componentsOf(seg.elements[e]);
    if (comps.every((c) => c === '')) {
      if (def.mandatory) out.push(problemAt(base(e + 1), '13', def, undefined, `${label(base(e + 1), def)} is mandatory and missing`));
      return;
    }
    if (seg.repeated?.includes(e + 1)) {
      out.push(problemAt(base(e + 1), '35', def, undefined, `${label(base(e + 1), def)} is repeated (repetition separator), which this element does not allow`));
    }
    if (!isComposite(def)) {
      if (comps.length > 1) {
        out.push(problemAt(base(e + 1, 2), '16', def, comps[1], `${label(base(e + 1), def)} is a simple data element but has ${comps.length} components`));
        return;
      }
      const problem = checkValue(comps[0]!, def, base(e + 1), ctx);
      if (problem) out.push(problem);
      return;
    }
    if (comps.length > def.components.length) {
      out.push(problemAt(base(e + 1, def.components.length + 1), '16', def, comps[def.components.length], `${label(base(e + 1), def)} has ${comps.length} components; ${def.tag} has ${def.components.length}`));
    }
    def.components.forEach((cdef, c) => {
      const value = comps[c] ?? '';
      if (value === '') {
        if (cdef.mandatory) out.push(problemAt(base(e + 1, c + 1), '13', cdef, undefined, `${label(base(e + 1, c + 1), cdef)} is mandatory in ${def.tag} and missing`));
        return;
      }
      const problem = checkValue(value, cdef, base(e + 1, c + 1), ctx);
      if (problem) out.push(problem);
    });
  });
  if (seg.elements.length > defs.length) {
    const extra = seg.elements.length;
    out.push(problemAt(base(defs.length + 1), '16', undefined, undefined, `${seg.id} (${position !== undefined ? `segment ${position} of the message, ` : ''}line ${seg.line}) has ${extra} data elements; it has ${defs.length}`));
  }
  return out;
}

export interface MessageValidation {
  problems: EdiProblem[];
  /** The matched structure, when the message has a specification. */
  match?: MatchResult;
}

/** Validates the segments of one message (UNH..UNT) against its specification (undefined: service segments only). */
export function validateMessage(segments: EdiSegment[], spec: MessageSpec | undefined, ctx: CheckContext): MessageValidation {
  const problems: EdiProblem[] = [];
  let match: MatchResult | undefined;
  if (spec) {
    match = matchStructure(segments, spec.structure, `${spec.type} ${spec.version}`);
    append(problems, match.problems);
  }
  const defs = spec?.segments ?? SERVICE_SEGMENT_DEFS;
  segments.forEach((seg, k) => {
    append(problems, checkSegment(seg, defs[seg.id], k + 1, 'element', ctx));
  });
  if (spec?.documentNames) {
    const k = segments.findIndex((s) => s.id === 'BGM');
    const bgm = segments[k];
    const code = bgm ? componentsOf(bgm.elements[0])[0] : undefined;
    if (bgm && code && !problems.some((p) => p.segmentPosition === k + 1 && p.elementPosition === 1) && spec.documentNames[code] === undefined) {
      problems.push({
        level: 'element', code: '14', segmentPosition: k + 1, segmentId: 'BGM', elementPosition: 1, componentPosition: 1,
        elementReference: '1001', value: code, line: bgm.line,
        message: `BGM (segment ${k + 1}, line ${bgm.line}) document name code '${code}' is not one the hub reads as ${spec.type}: ${Object.entries(spec.documentNames).map(([c, n]) => `${c} ${n}`).join(', ')}`,
      });
    }
  }
  problems.sort((a, b) => (a.segmentPosition ?? 0) - (b.segmentPosition ?? 0) || (a.elementPosition ?? 0) - (b.elementPosition ?? 0) || (a.componentPosition ?? 0) - (b.componentPosition ?? 0));
  return { problems, ...(match ? { match } : {}) };
}
