/**
 * fast-check arbitraries for X12 and EDIFACT bodies, derived from the real fixtures (fixtures/x12, fixtures/edifact):
 * each fixture is read into its delimiters and segments, renumbered (interchange control number and document
 * number, so an intact survivor is a new interchange and a new document, not a 409), then changed by 0-4 mutations
 * (delimiters, segments dropped, duplicated, reordered or multiplied, counts and control numbers corrupted,
 * oversized elements, random bytes, nested or unterminated envelopes, an ISA of the wrong length, a trailing
 * release character, line endings, UTF-8/Latin-1 mixes, truncation, binary noise); beside them a few generated
 * bodies (empty, only a header, random bytes after ISA/UNA/UNB). Each body comes with the partner that would send
 * it, a Content-Type (mostly the right one, sometimes text/plain or a wrong one) and sometimes an Accept asking
 * for the acknowledgement itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { readEdifact } from '../../src/edi/edifact/index.js';
import { EdiSyntaxError, type EdiInterchange, type EdiProblem } from '../../src/edi/types.js';
import { readX12 } from '../../src/edi/x12/index.js';
import { ROOT } from '../helpers/test-hub.js';
import type { FuzzInput } from './generators.js';

export type EdiSyntaxName = 'x12' | 'edifact';

/** A real fixture as a mutation source. */
export interface EdiSource {
  syntax: EdiSyntaxName;
  name: string;
  /** The fixture's bytes, one character per byte (latin1). */
  text: string;
  /** The demo partner (config/hub.yaml) that sends this transaction set. */
  partner: string;
}

/** One fuzzed EDI post. `bytes` is what is sent; `syntax` is what it was made from (none: generated noise). */
export interface EdiFuzzInput extends FuzzInput {
  syntax: EdiSyntaxName | 'none';
  /** Accept header; the EDI media type asks for the acknowledgement text itself. */
  accept?: string;
}

export const EDI_MEDIA: Record<EdiSyntaxName, string> = { x12: 'application/edi-x12', edifact: 'application/edifact' };

/** The demo partner of a transaction set (X12 ST01, EDIFACT UNH 0065); undefined: none of them sends it. */
function partnerOf(syntax: EdiSyntaxName, text: string): string {
  if (syntax === 'x12') {
    const set = /(?:^|[\s~'!^\x85|])ST[^A-Za-z0-9\s](\d{3})/.exec(text)?.[1];
    return set === '856' || set === '810' ? 'x12-supplier' : 'x12-customer';
  }
  const type = /UNH[^A-Za-z0-9][^'+]*[+:\x1d]([A-Z]{6})/.exec(text)?.[1];
  return type === 'DESADV' || type === 'INVOIC' ? 'globex' : 'acme';
}

/** Every *.edi fixture of fixtures/x12 and fixtures/edifact (expected/ holds acknowledgements, not inputs). */
export function ediSources(): EdiSource[] {
  const out: EdiSource[] = [];
  for (const syntax of ['x12', 'edifact'] as const) {
    const dir = path.join(ROOT, 'fixtures', syntax);
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.edi')).sort()) {
      const text = readFileSync(path.join(dir, name)).toString('latin1');
      out.push({ syntax, name, text, partner: partnerOf(syntax, text) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// A fixture as delimiters and segments

interface Delims {
  segment: string;
  element: string;
  component: string;
  repetition?: string;
  release?: string;
  decimal?: string;
}

/** A body as segments (terminators and line breaks taken off), with the delimiters it was written with. */
export interface Parsed {
  syntax: EdiSyntaxName;
  /** What comes before the first segment: the UNA (EDIFACT) or nothing. */
  prefix: string;
  segments: string[];
  d: Delims;
}

function parseX12(text: string): Parsed {
  const begin = Math.max(0, text.indexOf('ISA'));
  const element = text[begin + 3] ?? '*';
  let at = begin + 3;
  for (let n = 0; n < 15 && at >= 0; n++) at = text.indexOf(element, at + 1);
  const component = text[at + 1] ?? ':';
  const segment = text[at + 2] ?? '~';
  const isa = text.slice(begin, at + 2).split(element);
  const repetition = (isa[12] ?? '') >= '00402' && isa[11]?.length === 1 ? isa[11] : undefined;
  const segments = text.slice(begin).split(segment).map((s) => s.replace(/^[\r\n]+/, '')).filter((s) => s.length > 0 && !/^\s+$/.test(s));
  return { syntax: 'x12', prefix: '', segments, d: { segment, element, component, ...(repetition ? { repetition } : {}) } };
}

function parseEdifact(text: string): Parsed {
  const una = text.startsWith('UNA') ? text.slice(0, 9) : '';
  const d: Delims = una
    ? { component: una[3]!, element: una[4]!, decimal: una[5]!, release: una[6]!, ...(una[7] !== ' ' ? { repetition: una[7]! } : {}), segment: una[8]! }
    : { component: ':', element: '+', decimal: '.', release: '?', segment: "'" };
  const segments: string[] = [];
  let current = '';
  for (let i = una.length; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === d.release && i + 1 < text.length) {
      current += ch + text[++i]!;
      continue;
    }
    if (ch === d.segment) {
      segments.push(current.replace(/^[\r\n]+/, ''));
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.replace(/[\r\n\s]+/g, '')) segments.push(current.replace(/^[\r\n]+/, ''));
  return { syntax: 'edifact', prefix: una, segments: segments.filter((s) => s.length > 0), d };
}

export function parseEdi(source: Pick<EdiSource, 'syntax' | 'text'>): Parsed {
  return source.syntax === 'x12' ? parseX12(source.text) : parseEdifact(source.text);
}

export function serialize(p: Parsed): string {
  return p.prefix + p.segments.map((s) => s + p.d.segment).join('');
}

const idOf = (p: Parsed, segment: string): string => segment.split(p.d.element, 1)[0]!;

/** The segment with element `position` (1-based) set to `value`, adding empty elements as needed. */
function setElement(p: Parsed, segment: string, position: number, value: string): string {
  const parts = segment.split(p.d.element);
  while (parts.length <= position) parts.push('');
  parts[position] = value;
  return parts.join(p.d.element);
}

function elementOf(p: Parsed, segment: string, position: number): string {
  return segment.split(p.d.element)[position] ?? '';
}

function mapSegments(p: Parsed, ids: readonly string[], change: (segment: string) => string): Parsed {
  return { ...p, segments: p.segments.map((s) => (ids.includes(idOf(p, s)) ? change(s) : s)) };
}

/**
 * A new interchange and a new document: ISA13/IEA02 (X12) or UNB/UNZ 0020 (EDIFACT) from `n`, and the document
 * number (BEG03, BSN02, BIG02; BGM 1004) suffixed with it, so an intact fixture is accepted, not a conflict.
 */
export function renumber(p: Parsed, n: number): Parsed {
  const tag = n.toString(36).toUpperCase();
  if (p.syntax === 'x12') {
    const control = String(n % 1_000_000_000).padStart(9, '0');
    let out = mapSegments(p, ['ISA'], (s) => setElement(p, s, 13, control));
    out = mapSegments(out, ['IEA'], (s) => setElement(p, s, 2, control));
    out = mapSegments(out, ['BEG'], (s) => setElement(p, s, 3, `${elementOf(p, s, 3).slice(0, 12)}-${tag}`));
    out = mapSegments(out, ['BSN', 'BIG'], (s) => setElement(p, s, 2, `${elementOf(p, s, 2).slice(0, 12)}-${tag}`));
    return out;
  }
  const reference = `F${tag}`;
  let out = mapSegments(p, ['UNB'], (s) => setElement(p, s, 5, reference));
  out = mapSegments(out, ['UNZ'], (s) => setElement(p, s, 2, reference));
  out = mapSegments(out, ['BGM'], (s) => setElement(p, s, 2, `${elementOf(p, s, 2).split(p.d.component)[0]!.slice(0, 20)}-${tag}`));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations: a name (for the counts and the saved origin) and what it does. Structural ones work on the segments,
// textual ones on the finished text (one character per byte).

export interface EdiMutation {
  name: string;
  segments?: (p: Parsed) => Parsed;
  text?: (text: string, p: Parsed) => string;
}

/** The largest body the demo hub takes (config/hub.yaml server.bodyLimitBytes). */
export const BODY_LIMIT = 5 * 2 ** 20;

const pick = <T>(list: readonly T[], at: number): T => list[Math.abs(at) % list.length]!;

/** Characters a partner could declare as separators: the usual ones, control characters, and some that are data. */
const SEPARATOR_POOL = ['*', '|', '^', '~', '!', '@', '#', '%', '&', '+', ':', ';', '<', '>', '?', '\\', '/', "'", '`', '\x1c', '\x1d', '\x1e', '\x1f', '\x07', '\x85', '\xa7', ' ', '\n', 'A', '0', '*'];

/** Replaces every occurrence of the old separators by the new ones in one pass (a translation, not a chain). */
function translate(text: string, mapping: Map<string, string>): string {
  let out = '';
  for (const ch of text) out += mapping.get(ch) ?? ch;
  return out;
}

const changeDelimiters = fc
  .record({ segment: fc.constantFrom(...SEPARATOR_POOL), element: fc.constantFrom(...SEPARATOR_POOL), component: fc.constantFrom(...SEPARATOR_POOL), repetition: fc.constantFrom(...SEPARATOR_POOL), una: fc.nat(9) })
  .map(
    (n): EdiMutation => ({
      name: 'delimiters',
      segments: (p) => {
        const mapping = new Map<string, string>([[p.d.element, n.element], [p.d.component, n.component]]);
        if (p.d.repetition) mapping.set(p.d.repetition, n.repetition);
        const d: Delims = { ...p.d, segment: n.segment, element: n.element, component: n.component, ...(p.d.repetition ? { repetition: n.repetition } : {}) };
        const segments = p.segments.map((s) => translate(s, mapping));
        if (p.syntax === 'x12') return { ...p, d, segments };
        // EDIFACT: the UNA declares them, or is missing, cut short, doubled, or declares something else.
        const rel = p.d.release ?? '?';
        const una = `UNA${n.component}${n.element}${p.d.decimal ?? '.'}${rel}${n.una === 7 ? n.repetition : ' '}${n.segment}`;
        const prefix = [una, una, una, '', 'UNA', `UNA${n.component}${n.element}`, una + una, `UNA${n.component}${n.element}x${rel} ${n.segment}`, `UNA${n.component}${n.component}.${rel} ${n.segment}`, una][n.una]!;
        return { ...p, d, segments, prefix };
      },
    }),
  );

const segmentIndex = fc.nat();

const dropSegment = segmentIndex.map((i): EdiMutation => ({ name: 'drop-segment', segments: (p) => ({ ...p, segments: p.segments.filter((_, j) => j !== i % p.segments.length) }) }));

const duplicateSegment = fc.tuple(segmentIndex, fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 50, max: 5_000 }))).map(
  ([i, times]): EdiMutation => ({
    name: times > 3 ? 'duplicate-segment-many' : 'duplicate-segment',
    segments: (p) => {
      const k = i % p.segments.length;
      return { ...p, segments: [...p.segments.slice(0, k + 1), ...Array<string>(times).fill(p.segments[k]!), ...p.segments.slice(k + 1)] };
    },
  }),
);

const reorderSegments = fc.tuple(segmentIndex, segmentIndex, fc.boolean()).map(
  ([i, j, swap]): EdiMutation => ({
    name: swap ? 'swap-segments' : 'move-segment',
    segments: (p) => {
      const s = [...p.segments];
      const a = i % s.length;
      const b = j % s.length;
      if (swap) [s[a], s[b]] = [s[b]!, s[a]!];
      else s.splice(b, 0, ...s.splice(a, 1));
      return { ...p, segments: s };
    },
  }),
);

const BAD_NUMBERS = ['0', '-1', '1', '2', '99999999999999999999999', '1e3', '0x10', 'abc', '', ' 1', '1.5', '00000000000000000001', '٣', '１'];
const TRAILERS: Record<EdiSyntaxName, readonly string[]> = { x12: ['SE', 'GE', 'IEA'], edifact: ['UNT', 'UNE', 'UNZ'] };
const corruptCount = fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...BAD_NUMBERS), fc.nat({ max: 100_000 }).map(String))).map(
  ([t, value]): EdiMutation => ({ name: 'count', segments: (p) => mapSegments(p, [pick(TRAILERS[p.syntax], t)], (s) => setElement(p, s, 1, value)) }),
);

/** [segment id, element position] of every control number. */
const CONTROLS: Record<EdiSyntaxName, ReadonlyArray<[string, number]>> = {
  x12: [['ISA', 13], ['IEA', 2], ['GS', 6], ['GE', 2], ['ST', 2], ['SE', 2], ['ST', 1]],
  edifact: [['UNB', 5], ['UNZ', 2], ['UNG', 5], ['UNE', 2], ['UNH', 1], ['UNT', 2], ['UNH', 2]],
};
const corruptControl = fc.tuple(fc.nat(), fc.oneof(fc.constantFrom('', 'X', '0', '000000000', '1234567890123', 'A'.repeat(40), '-5', '12 34', '\x00'), fc.nat().map(String))).map(
  ([c, value]): EdiMutation => ({
    name: 'control-number',
    segments: (p) => {
      const [id, position] = pick(CONTROLS[p.syntax], c);
      return mapSegments(p, [id], (s) => setElement(p, s, position, value));
    },
  }),
);

const oversizedElement = fc.tuple(segmentIndex, fc.integer({ min: 1, max: 12 }), fc.constantFrom(100, 1_000, 10_000, 100_000, 1_000_000), fc.constantFrom('X', '9', ' ', 'é')).map(
  ([i, position, size, ch]): EdiMutation => ({
    name: `oversized-element-${size}`,
    segments: (p) => {
      const k = i % p.segments.length;
      return { ...p, segments: p.segments.map((s, j) => (j === k ? setElement(p, s, position, ch.repeat(size)) : s)) };
    },
  }),
);

const randomBytesInSegment = fc.tuple(segmentIndex, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 40 })).map(
  ([i, at, bytes]): EdiMutation => ({
    name: 'bytes-in-segment',
    segments: (p) => {
      const k = i % p.segments.length;
      const noise = Buffer.from(bytes).toString('latin1');
      return { ...p, segments: p.segments.map((s, j) => (j === k ? s.slice(0, at % (s.length + 1)) + noise + s.slice(at % (s.length + 1)) : s)) };
    },
  }),
);

const HEADERS: Record<EdiSyntaxName, readonly string[]> = { x12: ['ISA', 'GS', 'ST'], edifact: ['UNB', 'UNG', 'UNH'] };
const nestEnvelope = fc.tuple(fc.nat(), segmentIndex, fc.integer({ min: 1, max: 3 })).map(
  ([h, at, times]): EdiMutation => ({
    name: 'nested-envelope',
    segments: (p) => {
      const id = pick(HEADERS[p.syntax], h);
      const header = p.segments.find((s) => idOf(p, s) === id) ?? `${id}${p.d.element}1`;
      const k = at % (p.segments.length + 1);
      return { ...p, segments: [...p.segments.slice(0, k), ...Array<string>(times).fill(header), ...p.segments.slice(k)] };
    },
  }),
);

const unterminated = fc.nat().map((t): EdiMutation => ({
  name: 'unterminated-envelope',
  segments: (p) => {
    const id = pick(TRAILERS[p.syntax], t);
    return { ...p, segments: p.segments.filter((s) => idOf(p, s) !== id) };
  },
}));

/** ISA06/ISA08 (or another fixed-length field) padded or cut, so the ISA is not 106 characters. */
const isaLength = fc.tuple(fc.constantFrom(1, 2, 5, 6, 8, 9, 10, 13, 16), fc.integer({ min: -20, max: 40 }).filter((n) => n !== 0)).map(
  ([position, delta]): EdiMutation => ({
    name: 'isa-length',
    segments: (p) => {
      if (p.syntax !== 'x12') return p;
      return mapSegments(p, ['ISA'], (s) => {
        const value = elementOf(p, s, position);
        return setElement(p, s, position, delta > 0 ? value + ' '.repeat(delta) : value.slice(0, Math.max(0, value.length + delta)));
      });
    },
  }),
);

const emptySegment = fc.tuple(segmentIndex, fc.boolean()).map(
  ([i, bare]): EdiMutation => ({
    name: 'empty-elements',
    segments: (p) => {
      const k = i % p.segments.length;
      return { ...p, segments: p.segments.map((s, j) => (j === k ? (bare ? idOf(p, s) : s.split(p.d.element).map((e, n) => (n === 0 ? e : '')).join(p.d.element)) : s)) };
    },
  }),
);

/** The line items (or any detail segment) repeated until the body is near, at or over the body limit. */
const manySegments = fc.tuple(fc.constantFrom(1_000, 10_000, 50_000, 200_000), fc.constantFrom(0.5, 0.95, 1.02)).map(
  ([count, fill]): EdiMutation => ({
    name: fill > 1 ? 'many-segments-over-limit' : `many-segments-${count}`,
    segments: (p) => {
      const details = ['PO1', 'IT1', 'HL', 'LIN', 'QTY', 'PID', 'REF'];
      const k = Math.max(0, p.segments.findIndex((s) => details.includes(idOf(p, s))));
      const seg = p.segments[k]!;
      const size = serialize(p).length;
      const fit = Math.max(1, Math.floor((BODY_LIMIT * fill - size) / (seg.length + 1)));
      const times = fill > 1 ? fit : Math.min(count, fit);
      return { ...p, segments: [...p.segments.slice(0, k + 1), ...Array<string>(times).fill(seg), ...p.segments.slice(k + 1)] };
    },
  }),
);

const truncate = fc.double({ min: 0, max: 1, noNaN: true }).map((f): EdiMutation => ({ name: 'truncate', text: (t) => t.slice(0, Math.floor(t.length * f)) }));

const binaryNoise = fc.tuple(fc.nat(), fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.constantFrom(new Uint8Array([0]), new Uint8Array([0xff, 0xfe]), new Uint8Array([0xef, 0xbb, 0xbf]), new Uint8Array([0xc3])))).map(
  ([at, bytes]): EdiMutation => ({
    name: 'binary-noise',
    text: (t) => {
      const k = at % (t.length + 1);
      return t.slice(0, k) + Buffer.from(bytes).toString('latin1') + t.slice(k);
    },
  }),
);

/** A release character as the last thing (EDIFACT: the final terminator escaped), or a dangling separator. */
const releaseAtEnd = fc.constantFrom('escape-terminator', 'append-release', 'append-element', 'double-release').map(
  (how): EdiMutation => ({
    name: `release-at-end:${how}`,
    text: (t, p) => {
      const rel = p.d.release ?? '?';
      if (how === 'escape-terminator') return t.endsWith(p.d.segment) ? t.slice(0, -1) + rel + p.d.segment : t + rel;
      if (how === 'append-release') return t + rel;
      if (how === 'double-release') return t + rel + rel + rel;
      return t + p.d.element;
    },
  }),
);

const lineEndings = fc.array(fc.constantFrom('', '\r\n', '\n', '\r', '\n\r', '\r\r\n', ' \n'), { minLength: 1, maxLength: 8 }).map(
  (breaks): EdiMutation => ({ name: 'line-endings', segments: (p) => ({ ...p, segments: p.segments.map((s, i) => (i === 0 ? s : breaks[i % breaks.length] + s)) }) }),
);

/** UTF-8 and Latin-1 in one body (the hub decodes UTF-8 when it is valid, else Latin-1), a BOM, or UTF-16. */
const charsetMix = fc.tuple(fc.constantFrom('mix', 'utf8-all', 'bom', 'utf16le', 'nul-bytes', 'unoy'), segmentIndex).map(
  ([how, i]): EdiMutation => ({
    name: `charset:${how}`,
    text: (t, p) => {
      if (how === 'bom') return `\xef\xbb\xbf${t}`;
      if (how === 'utf8-all') return Buffer.from(`${t}Zürich ÄÖÜ ß €`, 'utf8').toString('latin1');
      if (how === 'utf16le') return Buffer.from(t, 'utf16le').toString('latin1');
      if (how === 'nul-bytes') return t.split('').join('\x00');
      if (how === 'unoy') return t.replace(/UNO[A-Z]/, 'UNOY').replace(/UNOY:\d/, 'UNOY:4');
      const segments = t.split(p.d.segment);
      const k = i % Math.max(1, segments.length);
      // One segment with UTF-8 é (C3 A9), another with Latin-1 é (E9): valid neither as UTF-8 nor as one charset.
      return segments.map((s, j) => (j === k ? `${s}\xc3\xa9` : j === k + 1 ? `${s}\xe9` : s)).join(p.d.segment);
    },
  }),
);

export const ediMutationArb: fc.Arbitrary<EdiMutation> = fc.oneof(
  { weight: 3, arbitrary: changeDelimiters },
  { weight: 3, arbitrary: dropSegment },
  { weight: 3, arbitrary: duplicateSegment },
  { weight: 3, arbitrary: reorderSegments },
  { weight: 3, arbitrary: corruptCount },
  { weight: 3, arbitrary: corruptControl },
  { weight: 2, arbitrary: oversizedElement },
  { weight: 3, arbitrary: randomBytesInSegment },
  { weight: 2, arbitrary: nestEnvelope },
  { weight: 2, arbitrary: unterminated },
  { weight: 2, arbitrary: isaLength },
  { weight: 2, arbitrary: emptySegment },
  { weight: 1, arbitrary: manySegments },
  { weight: 3, arbitrary: truncate },
  { weight: 2, arbitrary: binaryNoise },
  { weight: 2, arbitrary: releaseAtEnd },
  { weight: 2, arbitrary: lineEndings },
  { weight: 2, arbitrary: charsetMix },
);

/** Applies the mutations in order: segment ones to the parsed body, text ones to the text so far. */
export function applyEdiMutations(p: Parsed, mutations: readonly EdiMutation[]): string {
  let current = p;
  let text: string | undefined;
  for (const m of mutations) {
    if (m.segments && text === undefined && current.segments.length) current = m.segments(current);
    else if (m.text) text = m.text(text ?? serialize(current), current);
  }
  return text ?? serialize(current);
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies made from nothing

const generatedText = fc.oneof(
  fc.constantFrom('', ' ', '\r\n', '\t\n  ', 'ISA', 'ISA*', 'UNA', 'UNA:+.? ', "UNA:+.? '", 'UNB', 'UNB+', "UNB+UNOC:3'", 'ISA*00*', `ISA${'*'.repeat(15)}`, `ISA${'*'.repeat(16)}:~`, `ISA${'*'.repeat(16)}~~`, "UNA:+.? 'UNA:+.? '", 'ISA*00*          *00*          *ZZ*A              *ZZ*B              *261202*0341*U*00401*000000001*0*P*>~IEA*0*000000001~'),
  fc.tuple(fc.constantFrom('ISA', 'ISA*', 'UNA', "UNA:+.? '", 'UNB+', 'ISA|'), fc.uint8Array({ maxLength: 2_000 })).map(([head, bytes]) => head + Buffer.from(bytes).toString('latin1')),
  fc.tuple(fc.constantFrom('x12', 'edifact'), fc.array(fc.tuple(fc.stringMatching(/^[A-Z][A-Z0-9]{1,2}$/), fc.array(fc.string({ maxLength: 12 }), { maxLength: 8 })), { maxLength: 60 })).map(([syntax, segs]) => {
    const [e, t] = syntax === 'x12' ? ['*', '~'] : ['+', "'"];
    const head = syntax === 'x12' ? 'ISA*00*          *00*          *ZZ*A              *ZZ*B              *261202*0341*U*00401*000000002*0*P*>~' : "UNA:+.? 'UNB+UNOC:3+A+B+261202:0341+R1'";
    return head + segs.map(([id, els]) => [id, ...els].join(e) + t).join('');
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// Transport

const OTHER_PARTNER: Record<EdiSyntaxName, readonly string[]> = { x12: ['acme', 'initech', 'x12-supplier', 'x12-customer'], edifact: ['x12-customer', 'initech', 'acme', 'globex'] };

function contentTypeArb(syntax: EdiSyntaxName | 'none'): fc.Arbitrary<string | null> {
  const right = syntax === 'none' ? 'application/edi-x12' : EDI_MEDIA[syntax];
  const wrong = syntax === 'x12' ? 'application/edifact' : 'application/edi-x12';
  return fc.oneof(
    { weight: 70, arbitrary: fc.constant(right) },
    { weight: 10, arbitrary: fc.constant('text/plain') },
    { weight: 4, arbitrary: fc.constantFrom(`${right}; charset=utf-8`, `${right}; charset=iso-8859-1`, right.toUpperCase(), 'text/plain; charset=us-ascii') },
    { weight: 6, arbitrary: fc.constant(wrong) },
    { weight: 3, arbitrary: fc.constantFrom('application/xml', 'application/octet-stream', 'application/json', 'application/edi-consent') },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

function acceptArb(syntax: EdiSyntaxName | 'none'): fc.Arbitrary<string | undefined> {
  const media = syntax === 'edifact' ? 'application/edifact' : 'application/edi-x12';
  return fc.oneof({ weight: 70, arbitrary: fc.constant(undefined) }, { weight: 25, arbitrary: fc.constant(media) }, { weight: 5, arbitrary: fc.constantFrom('application/json', '*/*', `${media}, application/json;q=0.5`) });
}

/** A mutated fixture, renumbered so an intact one is a new interchange and a new document. */
function fixtureInputArb(sources: readonly EdiSource[]): fc.Arbitrary<EdiFuzzInput> {
  const parsed = sources.map((s) => ({ source: s, parsed: parseEdi(s) }));
  return fc
    .record({
      which: fc.nat({ max: parsed.length - 1 }),
      number: fc.integer({ min: 1, max: 999_999_999 }),
      mutations: fc.oneof({ weight: 1, arbitrary: fc.constant([] as EdiMutation[]) }, { weight: 3, arbitrary: fc.array(ediMutationArb, { minLength: 1, maxLength: 4 }) }),
      /** 0 (one time in ten): posted by a partner that does not send this set, or no EDI at all. */
      otherPartner: fc.nat({ max: 9 }),
    })
    .chain((r) => {
      const { source, parsed: p } = parsed[r.which]!;
      return fc.tuple(contentTypeArb(source.syntax), acceptArb(source.syntax)).map(([contentType, accept]): EdiFuzzInput => {
        const text = applyEdiMutations(renumber(p, r.number), r.mutations);
        const partner = r.otherPartner === 0 ? pick(OTHER_PARTNER[source.syntax], r.number) : source.partner;
        const names = r.mutations.map((m) => m.name);
        return {
          category: `${source.syntax}:${names.length ? names[0]!.replace(/-\d+$/, '') : 'intact'}`,
          bytes: Buffer.from(text, 'latin1'),
          partner,
          contentType,
          syntax: source.syntax,
          ...(accept ? { accept } : {}),
          origin: { fixture: `${source.syntax}/${source.name}`, number: r.number, mutations: names },
        };
      });
    });
}

function generatedInputArb(): fc.Arbitrary<EdiFuzzInput> {
  return fc.tuple(generatedText, fc.constantFrom('x12', 'edifact') as fc.Arbitrary<EdiSyntaxName>, fc.nat()).chain(([text, syntax, p]) =>
    fc.tuple(contentTypeArb(syntax), acceptArb(syntax)).map(([contentType, accept]): EdiFuzzInput => ({
      category: 'generated',
      bytes: Buffer.from(text, 'latin1'),
      partner: pick(OTHER_PARTNER[syntax], p),
      contentType,
      syntax: 'none',
      ...(accept ? { accept } : {}),
      origin: { generated: text.slice(0, 80) },
    })),
  );
}

/** Every EDI post: about 85% mutated (or intact, renumbered) fixtures, 15% bodies made from nothing. */
export function ediInputArb(sources: readonly EdiSource[] = ediSources()): fc.Arbitrary<EdiFuzzInput> {
  return fc.oneof({ weight: 85, arbitrary: fixtureInputArb(sources) }, { weight: 15, arbitrary: generatedInputArb() });
}

/** Only the text, for the readers: mutated fixtures of one syntax and generated bodies. */
export function ediTextArb(syntax: EdiSyntaxName, sources: readonly EdiSource[] = ediSources()): fc.Arbitrary<string> {
  const mine = sources.filter((s) => s.syntax === syntax).map((s) => parseEdi(s));
  return fc.oneof(
    { weight: 85, arbitrary: fc.tuple(fc.nat({ max: mine.length - 1 }), fc.array(ediMutationArb, { maxLength: 4 })).map(([i, ms]) => applyEdiMutations(mine[i]!, ms)) },
    { weight: 15, arbitrary: generatedText },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Judging an answer (kept beside the generators so edi-fuzz.test.ts and the long run, runner.ts, judge alike)

/** One answer of the intake: the status, the Content-Type and the body's bytes. */
export interface EdiAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

const READERS: Record<EdiSyntaxName, (text: string) => EdiInterchange> = { x12: readX12, edifact: readEdifact };
const LEVELS = new Set(['interchange', 'group', 'transaction', 'segment', 'element']);

/** Every problem of an interchange, its groups and its transactions. */
export function allProblems(ic: EdiInterchange): EdiProblem[] {
  return [...ic.problems, ...ic.groups.flatMap((g) => [...g.problems, ...g.transactions.flatMap((t) => t.problems)])];
}

/** A problem without a known level, a code or a message, if there is one (as JSON, for the report). */
export function badProblem(problems: readonly EdiProblem[]): string | undefined {
  const bad = problems.find((p) => !LEVELS.has(p.level) || typeof p.code !== 'string' || !p.code || typeof p.message !== 'string' || !p.message.trim());
  return bad ? JSON.stringify(bad).slice(0, 300) : undefined;
}

/**
 * Reads a text with the syntax's reader: the interchange, or the EdiSyntaxError it threw (whose problem must be
 * whole: a broken one is thrown as an Error). Anything else a reader throws goes on: that is a crash.
 */
export function readEdi(syntax: EdiSyntaxName, text: string): EdiInterchange | EdiSyntaxError {
  try {
    return READERS[syntax](text);
  } catch (error) {
    if (!(error instanceof EdiSyntaxError)) throw error;
    const bad = badProblem([error.problem]);
    if (bad) throw new Error(`EdiSyntaxError "${error.message}" with a problem lacking level/code/message: ${bad}`);
    return error;
  }
}

/**
 * The interchanges of an acknowledgement answer: X12 may hold a TA1 interchange and a 997 interchange one after the
 * other (split where an ISA follows the first one's segment terminator); EDIFACT is one CONTRL interchange.
 */
export function splitInterchanges(syntax: EdiSyntaxName, text: string): string[] {
  if (syntax === 'edifact' || !text.startsWith('ISA')) return [text];
  const element = text[3]!;
  let at = 3;
  for (let n = 0; n < 15 && at >= 0; n++) at = text.indexOf(element, at + 1);
  const terminator = text[at + 2];
  if (at < 0 || terminator === undefined) return [text];
  const escaped = terminator.replace(/[.*+?^$(){}|[\]\\]/g, (c) => `\\${c}`);
  return text.split(new RegExp(`(?<=${escaped}[\\r\\n]*)(?=ISA)`)).filter((p) => p.trim());
}

/** A stack frame or a server path in an answer, unless the input itself holds it (echoed back). */
const LEAKS = [/\bat [^\n"]*\.[cm]?[jt]s:\d+/, /node_modules/, /\/work\//, /dist\//, /file:\/\//];

/**
 * What is wrong with one answer to an EDI post, if anything: a 5xx; a stack frame or server path; an acknowledgement
 * (application/edi-x12, application/edifact) the request did not ask for, or one the hub's own reader cannot read
 * back without envelope problems; a body that is not JSON; an interchange answer whose status does not follow its
 * transactions (202: one accepted; 200: none accepted, one duplicate; 400/422: all rejected, with a code); a 4xx
 * that is neither that nor problem+json. `accepted` collects the ids of the messages the answer says were taken.
 */
export function judgeEdiAnswer(input: EdiFuzzInput, answer: EdiAnswer, accepted: string[]): string | undefined {
  const text = answer.body.toString('utf8');
  if (answer.status >= 500) return `HTTP ${answer.status}: ${text.slice(0, 300)}`;
  const sent = input.bytes.toString('latin1');
  for (const pattern of LEAKS) {
    const found = pattern.exec(text)?.[0];
    if (found && !sent.includes(found) && !input.bytes.toString('utf8').includes(found)) return `the answer contains "${found}": ${text.slice(0, 300)}`;
  }
  const media = (Object.keys(EDI_MEDIA) as EdiSyntaxName[]).find((s) => answer.contentType.toLowerCase().startsWith(EDI_MEDIA[s]));
  if (media) {
    if (!(input.accept ?? '').toLowerCase().includes(EDI_MEDIA[media])) return `HTTP ${answer.status} answered in ${answer.contentType} though the request did not ask for it (Accept: ${input.accept ?? 'none'})`;
    if (![200, 202, 400, 422].includes(answer.status)) return `an acknowledgement with HTTP ${answer.status}`;
    // The text as the hub encoded it (Express writes a string as UTF-8 and says so in the charset).
    const charset = /charset=([\w-]+)/i.exec(answer.contentType)?.[1]?.toLowerCase() ?? 'utf-8';
    const ack = answer.body.toString(charset === 'utf-8' || charset === 'utf8' ? 'utf8' : 'latin1');
    const parts = splitInterchanges(media, ack);
    if (!parts.length || !ack.trim()) return `an empty ${media} acknowledgement (HTTP ${answer.status})`;
    for (const part of parts) {
      let read: EdiInterchange | EdiSyntaxError;
      try {
        read = readEdi(media, part);
      } catch (error) {
        return `reading the hub's own acknowledgement threw ${String(error).slice(0, 200)}`;
      }
      if (read instanceof EdiSyntaxError) return `the hub's own acknowledgement does not read back: ${read.message}: ${part.slice(0, 200)}`;
      const envelope = read.problems.filter((p) => p.level === 'interchange');
      if (envelope.length) return `the hub's own acknowledgement has envelope problems (${envelope.map((p) => p.message).join('; ')}): ${part.slice(0, 200)}`;
    }
    return undefined;
  }
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return `HTTP ${answer.status} ${answer.contentType}, not JSON: ${text.slice(0, 200)}`;
  }
  // A batch body's answer: one answer per interchange, each judged as a lone one would be (its own status derived).
  if (body && typeof body === 'object' && Array.isArray(body.interchanges)) {
    if (!/^application\/(problem\+)?json/.test(answer.contentType)) return `a batch answer as ${answer.contentType}`;
    const statuses: number[] = [];
    for (const part of body.interchanges) {
      if (part && part.interchange) {
        const taken = part.transactions.filter((t: { outcome: string }) => t.outcome === 'accepted').length;
        const own = part.interchange.status === 'rejected' ? part.status : part.interchange.duplicate || !taken ? 200 : 202;
        const wrong = judgeInterchangeBody(part, own, accepted);
        if (wrong) return `in a batch answer: ${wrong}`;
        statuses.push(own);
      } else if (part && typeof part.code === 'string' && part.code.startsWith('HUB_ERR_') && typeof part.status === 'number' && typeof part.detail === 'string') statuses.push(part.status);
      else return `a batch answer's part that is neither an interchange answer nor a problem: ${JSON.stringify(part).slice(0, 200)}`;
    }
    const expected = statuses.includes(202) ? 202 : statuses.includes(200) ? 200 : statuses[0];
    return answer.status === expected ? undefined : `a batch answer with HTTP ${answer.status} for parts ${statuses.join(', ')}`;
  }
  if (body && typeof body === 'object' && body.interchange && Array.isArray(body.transactions)) {
    const type = answer.status >= 400 ? /^application\/problem\+json/ : /^application\/json/;
    if (!type.test(answer.contentType)) return `an interchange answer with HTTP ${answer.status} as ${answer.contentType}`;
    return judgeInterchangeBody(body, answer.status, accepted);
  }
  if (answer.status >= 400) {
    if (!/^application\/problem\+json/.test(answer.contentType)) return `HTTP ${answer.status} as ${answer.contentType}`;
    if (typeof body.code !== 'string' || !body.code.startsWith('HUB_ERR_') || body.status !== answer.status || typeof body.type !== 'string' || typeof body.title !== 'string' || typeof body.detail !== 'string') {
      return `a problem without code/status/type/title/detail: ${text.slice(0, 200)}`;
    }
    return undefined;
  }
  // A body that sniffed as XML (binary noise put a "<" first) is answered as an XML document.
  if ((answer.status === 202 || answer.status === 200) && typeof body.id === 'string' && typeof body.documentType === 'string') {
    if (answer.status === 202) accepted.push(body.id);
    return undefined;
  }
  return `HTTP ${answer.status}: ${text.slice(0, 200)}`;
}

/** What is wrong with one interchange's answer for the status it has (202, 200, 400/422), if anything. */
function judgeInterchangeBody(body: any, status: number, accepted: string[]): string | undefined {
  const outcomes: string[] = body.transactions.map((t: { outcome: string }) => t.outcome);
  const taken = body.transactions.filter((t: { outcome: string; id?: string }) => t.outcome === 'accepted');
  if (status === 202) {
    if (!taken.length) return `HTTP 202 but no transaction accepted: ${outcomes.join(', ')}`;
  } else if (status === 200) {
    if (taken.length || !outcomes.includes('duplicate')) return `HTTP 200 but the transactions are ${outcomes.join(', ') || 'none'}`;
  } else if (status === 400 || status === 422) {
    if (outcomes.some((o) => o !== 'rejected')) return `HTTP ${status} but the transactions are ${outcomes.join(', ')}`;
    if (typeof body.code !== 'string' || !/^HUB_ERR_EDI_/.test(body.code) || typeof body.detail !== 'string' || body.status !== status || typeof body.type !== 'string' || typeof body.title !== 'string') {
      return `HTTP ${status} interchange answer without the problem fields (type, title, status, code, detail): ${JSON.stringify(body).slice(0, 200)}`;
    }
  } else return `an interchange answer with HTTP ${status}`;
  for (const t of taken) {
    if (typeof t.id !== 'string') return `an accepted transaction without an id: ${JSON.stringify(t).slice(0, 200)}`;
    accepted.push(t.id);
  }
  return undefined;
}
