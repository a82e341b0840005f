/**
 * Mutations of the real fixtures: byte-level (flip, insert, delete, truncate) and structural (duplicate, drop,
 * swap and repeat elements, drop or duplicate closing tags, rename elements and namespaces, change the root,
 * inject DOCTYPEs, rewrite values to huge or NaN-ish strings, change the declared encoding, re-encode).
 * Each mutation is plain data drawn by fast-check, so a run is reproducible from its seed and the saved input
 * says which mutations made it.
 */
import fc from 'fast-check';
import { encode, ENCODINGS, HOSTILE_VALUES, NS, type EncodingName, type FuzzInput } from './generators.js';

/** One element of a (mostly) well-formed document: where it starts and ends, its name and depth. */
interface Span {
  start: number;
  /** End of the start tag. */
  openEnd: number;
  /** Start of the end tag (= openEnd for an empty-element tag). */
  closeStart: number;
  end: number;
  name: string;
  depth: number;
}

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)([^>]*)>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g;

/** Element spans found with a stack over the tags; stops quietly where the document is no longer well-formed. */
export function elementSpans(xml: string): Span[] {
  const spans: Span[] = [];
  const stack: Array<{ name: string; start: number; openEnd: number }> = [];
  TAG.lastIndex = 0;
  for (let m = TAG.exec(xml); m; m = TAG.exec(xml)) {
    if (!m[2]) continue;
    const [whole, slash, name, rest] = m;
    const end = m.index + whole.length;
    if (slash) {
      const open = stack.pop();
      if (!open || open.name !== name) break;
      spans.push({ start: open.start, openEnd: open.openEnd, closeStart: m.index, end, name, depth: stack.length });
    } else if (rest!.endsWith('/')) spans.push({ start: m.index, openEnd: end, closeStart: end, end, name: name!, depth: stack.length });
    else stack.push({ name: name!, start: m.index, openEnd: end });
  }
  return spans.sort((a, b) => a.start - b.start);
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** The document-number element of a fixture: PONumber (hub PO) or the root's first ID child (UBL). */
function numberSpan(spans: Span[]): Span | undefined {
  return spans.find((s) => s.name.endsWith('PONumber')) ?? spans.find((s) => s.depth === 1 && localName(s.name) === 'ID');
}

export type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate'; element: number; times: number }
  | { op: 'drop'; element: number }
  | { op: 'swap'; element: number; other: number }
  | { op: 'drop-close'; element: number }
  | { op: 'duplicate-close'; element: number }
  | { op: 'rename'; element: number; name: string }
  | { op: 'set-text'; element: number; value: string }
  | { op: 'add-attributes'; element: number; count: number }
  | { op: 'namespace'; from: string; to: string }
  | { op: 'root'; name: string }
  | { op: 'doctype'; prolog: string }
  | { op: 'declaration'; encoding: string }
  | { op: 'insert-markup'; element: number; markup: string };

/** Positions are drawn as 32-bit numbers and taken modulo the current length, so they fit any document. */
const position = fc.nat();
const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: position, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
);

const structuralMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('duplicate' as const), element: position, times: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 50, max: 5_000 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), element: position }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('swap' as const), element: position, other: position }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop-close' as const), element: position }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate-close' as const), element: position }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rename' as const), element: position, name: fc.constantFrom('cbc:ID', 'cac:Item', 'cbc:Bogus', 'x', 'cbc:Note', 'cac:OrderLine', 'ext:UBLExtensions') }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set-text' as const), element: position, value: fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.string({ maxLength: 40 }).map((s) => s.replace(/[<&]/g, ''))) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('add-attributes' as const), element: position, count: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 60, max: 3_000 })) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('namespace' as const),
      from: fc.constantFrom(NS.cbc, NS.cac, NS.order, NS.invoice, NS.despatch, NS.po),
      to: fc.constantFrom('', 'urn:x', NS.cbc, NS.cac, NS.order, NS.invoice, NS.despatch, NS.po, `${NS.cbc} `, 'http://www.w3.org/XML/1998/namespace'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('root' as const), name: fc.constantFrom('Order', 'Invoice', 'DespatchAdvice', 'PurchaseOrder', 'CreditNote', 'ubl:Order', 'x:Invoice', 'Orders') }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('doctype' as const),
      prolog: fc.constantFrom('<!DOCTYPE r [<!ENTITY x "y">]>', '<!DOCTYPE r SYSTEM "file:///etc/passwd">', '<!DOCTYPE r>', '<!ENTITY x "y">', `<!DOCTYPE r [<!ENTITY l0 "lol"><!ENTITY l1 "${'&l0;'.repeat(10)}">]>`),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('declaration' as const), encoding: fc.constantFrom('UTF-16', 'ISO-8859-1', 'UTF-7', 'EBCDIC-US', 'US-ASCII', 'UTF-32', 'x-bogus', 'windows-1252', 'utf-8') }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('insert-markup' as const),
      element: position,
      markup: fc.constantFrom('<!-- c -->', '<![CDATA[x]]>', '<?pi x?>', '<!-- -- -->', ']]>', '&x;', '&#0;', '\u0000', '<?xml version="1.0"?>', '<a>', '</a>', '<cbc:Note>n</cbc:Note>'),
    }),
  },
);

export const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(fc.oneof({ weight: 1, arbitrary: byteMutation }, { weight: 3, arbitrary: structuralMutation }), { minLength: 0, maxLength: 4 });

function splice(s: string, start: number, end: number, insert: string): string {
  return s.slice(0, start) + insert + s.slice(end);
}

/** Applies one text-level mutation; a mutation that finds nothing to act on leaves the text as it is. */
function applyText(xml: string, m: Mutation): string {
  const spans = elementSpans(xml);
  const pick = (n: number) => (spans.length ? spans[n % spans.length]! : undefined);
  switch (m.op) {
    case 'duplicate': {
      const s = pick(m.element);
      if (!s || s.depth === 0) return xml;
      return splice(xml, s.end, s.end, xml.slice(s.start, s.end).repeat(m.times));
    }
    case 'drop': {
      const s = pick(m.element);
      return s ? splice(xml, s.start, s.end, '') : xml;
    }
    case 'swap': {
      const a = pick(m.element);
      const siblings = spans.filter((s) => a && s !== a && s.depth === a.depth && (s.end <= a.start || s.start >= a.end));
      const b = siblings.length ? siblings[m.other % siblings.length]! : undefined;
      if (!a || !b) return xml;
      const [first, second] = a.start < b.start ? [a, b] : [b, a];
      return xml.slice(0, first.start) + xml.slice(second.start, second.end) + xml.slice(first.end, second.start) + xml.slice(first.start, first.end) + xml.slice(second.end);
    }
    case 'drop-close': {
      const s = pick(m.element);
      return s && s.closeStart < s.end ? splice(xml, s.closeStart, s.end, '') : xml;
    }
    case 'duplicate-close': {
      const s = pick(m.element);
      return s ? splice(xml, s.end, s.end, `</${s.name}>`) : xml;
    }
    case 'rename': {
      const s = pick(m.element);
      if (!s) return xml;
      const closed = s.closeStart < s.end;
      const withClose = closed ? splice(xml, s.closeStart, s.end, `</${m.name}>`) : xml;
      return splice(withClose, s.start + 1, s.start + 1 + s.name.length, m.name);
    }
    case 'set-text': {
      const leaves = spans.filter((s) => s.closeStart > s.openEnd && !xml.slice(s.openEnd, s.closeStart).includes('<'));
      const s = leaves.length ? leaves[m.element % leaves.length]! : undefined;
      return s ? splice(xml, s.openEnd, s.closeStart, m.value) : xml;
    }
    case 'add-attributes': {
      const s = pick(m.element);
      if (!s) return xml;
      const at = xml[s.openEnd - 2] === '/' ? s.openEnd - 2 : s.openEnd - 1;
      return splice(xml, at, at, Array.from({ length: m.count }, (_, i) => ` fz${i}="${i}"`).join(''));
    }
    case 'namespace':
      return xml.split(`"${m.from}"`).join(`"${m.to}"`);
    case 'root': {
      const root = spans.find((s) => s.depth === 0);
      if (!root) return xml;
      const closed = root.closeStart < root.end;
      const withClose = closed ? splice(xml, root.closeStart, root.end, `</${m.name}>`) : xml;
      return splice(withClose, root.start + 1, root.start + 1 + root.name.length, m.name);
    }
    case 'doctype': {
      const decl = /^(\uFEFF)?<\?xml[^>]*\?>/.exec(xml);
      const at = decl ? decl[0].length : 0;
      return splice(xml, at, at, `\n${m.prolog}\n`);
    }
    case 'declaration': {
      const decl = /^<\?xml[^>]*\?>/.exec(xml);
      const next = `<?xml version="1.0" encoding="${m.encoding}"?>`;
      return decl ? splice(xml, 0, decl[0].length, next) : next + xml;
    }
    case 'insert-markup': {
      const s = pick(m.element);
      return s ? splice(xml, s.openEnd, s.openEnd, m.markup) : xml;
    }
    default:
      return xml;
  }
}

function applyBytes(bytes: Buffer, m: Mutation): Buffer {
  const n = bytes.length;
  if (n === 0) return bytes;
  switch (m.op) {
    case 'flip': {
      const out = Buffer.from(bytes);
      out[m.at % n] = out[m.at % n]! ^ m.mask;
      return out;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, m.at % n), Buffer.from(m.bytes), bytes.subarray(m.at % n)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, m.at % n), bytes.subarray(Math.min(n, (m.at % n) + m.length))]);
    case 'truncate':
      return bytes.subarray(0, m.at % n);
    default:
      return bytes;
  }
}

const BYTE_OPS = new Set(['flip', 'insert', 'delete', 'truncate']);

export interface FixtureSource {
  format: string;
  name: string;
  text: string;
  partner: string;
}

export interface MutatedFixture {
  fixture: FixtureSource;
  mutations: Mutation[];
  encoding: EncodingName;
  renumber: number | null;
}

/**
 * A fixture, usually renumbered (so most survivors are new documents, not duplicates), with 0-4 mutations
 * applied in order (text mutations first, then the encoding, then byte mutations on the encoded bytes).
 */
export function mutatedFixtureArb(fixtures: readonly FixtureSource[]): fc.Arbitrary<MutatedFixture> {
  return fc.record({
    fixture: fc.constantFrom(...fixtures),
    mutations: mutationsArb,
    encoding: fc.oneof({ weight: 8, arbitrary: fc.constant<EncodingName>('utf8') }, { weight: 2, arbitrary: fc.constantFrom(...ENCODINGS.filter((e) => e !== 'declared-unsupported')) }),
    renumber: fc.option(fc.nat(), { freq: 5 }),
  });
}

/** Builds the bytes of a mutated fixture. */
export function applyMutations(m: MutatedFixture, runTag: string): Omit<FuzzInput, 'contentType'> {
  let text = m.fixture.text;
  if (m.renumber !== null) {
    const s = numberSpan(elementSpans(text));
    if (s && s.closeStart > s.openEnd) text = splice(text, s.openEnd, s.closeStart, `FZ-${runTag}-${m.renumber.toString(36)}`);
  }
  for (const mutation of m.mutations) if (!BYTE_OPS.has(mutation.op)) text = applyText(text, mutation);
  // Keep a declaration that names another encoding when the mutation put it there; otherwise encode honestly.
  let bytes = encode(text, m.mutations.some((x) => x.op === 'declaration') ? 'utf8' : m.encoding);
  for (const mutation of m.mutations) if (BYTE_OPS.has(mutation.op)) bytes = applyBytes(bytes, mutation);
  const ops = m.mutations.map((x) => x.op);
  return {
    category: `fixture:${m.fixture.format}${ops.length ? '' : ':intact'}`,
    bytes,
    partner: m.fixture.partner,
    encoding: m.encoding,
    origin: { fixture: `${m.fixture.format}/${m.fixture.name}`, renumbered: m.renumber !== null, mutations: m.mutations },
  };
}
