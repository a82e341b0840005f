/**
 * fast-check arbitraries for hostile XML-ish input: random bytes and text, random well-formed trees,
 * UBL-like documents, hostile constructs (DOCTYPE/ENTITY variants, deep nesting, attribute floods, long text,
 * CDATA/comment/PI edge cases, invalid UTF-8, NUL bytes, namespace tricks) and encodings (BOMs, UTF-16 with and
 * without BOM, declared encodings that lie). Mutations of the real fixtures live in mutators.ts.
 */
import fc from 'fast-check';

/** One fuzz input: the bytes plus how they are sent (intake) or mapped (`hub map`). */
export interface FuzzInput {
  /** Generator family, for the counts (e.g. `hostile:doctype`, `fixture:ubl-order`). */
  category: string;
  bytes: Buffer;
  /** Partner whose key posts it (intake). */
  partner: string;
  /** Content-Type header; null sends none. */
  contentType: string | null;
  /** Content-Encoding header and how the body is encoded on the wire (intake only). */
  contentEncoding?: 'gzip' | 'gzip-broken' | 'gzip-bomb' | 'deflate' | 'br' | 'bogus';
  /** How the text was encoded (see ENCODINGS); absent for raw bytes. */
  encoding?: string;
  /** Where it came from (fixture and mutations), saved with a failing input. */
  origin?: unknown;
  /** `hub map --mapping <format>`: the format to map with instead of detecting it. */
  format?: string;
}

export const PARTNERS = ['acme', 'globex', 'initech'] as const;
export const FORMATS = ['ubl-order', 'ubl-invoice', 'ubl-despatch-advice', 'hub-po'] as const;

export const NS = {
  order: 'urn:oasis:names:specification:ubl:schema:xsd:Order-2',
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  despatch: 'urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2',
  po: 'urn:b2b-hub:purchase-order:1.0',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  ext: 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2',
};

/** Values that break number parsing, schema types and JSON: huge, NaN-ish, locale digits, empty, markup. */
export const HOSTILE_VALUES = [
  '1e309', '-1e309', 'NaN', 'Infinity', '-Infinity', '-0', '0x1F', '1_000', '9'.repeat(400), `0.${'0'.repeat(300)}1`, '1e-400',
  '', ' ', '\t\n', '١٢٣', '１２３', '12,50', '--5', '+5', '5.', '.5', '1E5', '99999999999999999999999999.99', '-99999999999999999999',
  '&amp;', '&#x31;', '&#0;', '&#xD800;', '&#x110000;', '&lt;script&gt;', '<![CDATA[42]]>', '\u0000', '\uFFFE', '\u202E1', '__proto__',
  'constructor', '{"$": 1}', '$eval("1")', 'null', 'undefined', 'true', '2024-02-30', '0000-00-00', '9999-12-31T99:99:99', 'x'.repeat(70_000),
];

const UNSAFE_TEXT_BYTES = fc.string({ unit: 'binary', maxLength: 40 });

/** Names: mostly valid XML names, sometimes prefixed, sometimes invalid. */
export const xmlName = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('cac', 'cbc', 'ext', 'p', 'xml', 'xmlns', 'a1', ''), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9]{0,8}$/)).map(([p, n]) => `${p}:${n}`) },
  { weight: 1, arbitrary: fc.constantFrom('1abc', '-x', 'a b', 'a:b:c', ':a', 'a:', '\u00e9l\u00e9ment', '\u4e2d\u6587', 'x\u0000y', 'xmlns', 'xml', 'ID', 'Order', 'Invoice') },
);

const textContent = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 30 }).map(escapeText) },
  { weight: 1, arbitrary: UNSAFE_TEXT_BYTES },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
);

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

type Tree = { name: string; attrs: Array<[string, string]>; children: Array<Tree | string> };

/** Random trees, serialised mostly well-formed; children include text, CDATA, comments and PIs. */
export const xmlTree: fc.Arbitrary<string> = fc
  .letrec<{ node: Tree; child: Tree | string }>((tie) => ({
    node: fc.record({
      name: xmlName,
      attrs: fc.array(fc.tuple(xmlName, fc.string({ maxLength: 20 })), { maxLength: 5 }),
      children: fc.array(tie('child'), { maxLength: 5 }),
    }),
    child: fc.oneof(
      // At maxDepth oneof takes its first arbitrary: text, so trees stay finite.
      { maxDepth: 5, depthSize: 'small', depthIdentifier: 'tree' },
      { weight: 3, arbitrary: textContent },
      { weight: 3, arbitrary: tie('node') },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `<![CDATA[${s}]]>`) },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `<!--${s}-->`) },
      { weight: 1, arbitrary: fc.tuple(xmlName, fc.string({ maxLength: 20 })).map(([t, s]) => `<?${t} ${s}?>`) },
    ),
  }))
  .node.chain((tree) => fc.tuple(fc.constant(tree), fc.boolean(), fc.constantFrom('', NS.order, NS.invoice, NS.despatch, NS.po, 'urn:x')).map(([t, decl, ns]) => {
    const serialise = (n: Tree | string, top: boolean): string => {
      if (typeof n === 'string') return n;
      const attrs = n.attrs.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('') + (top && ns ? ` xmlns="${ns}"` : '');
      return n.children.length ? `<${n.name}${attrs}>${n.children.map((c) => serialise(c, false)).join('')}</${n.name}>` : `<${n.name}${attrs}/>`;
    };
    return `${decl ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''}${serialise(t, true)}`;
  }));

const UBL_ROOTS: Array<{ root: string; ns: string; partner: string }> = [
  { root: 'Order', ns: NS.order, partner: 'acme' },
  { root: 'Invoice', ns: NS.invoice, partner: 'globex' },
  { root: 'DespatchAdvice', ns: NS.despatch, partner: 'globex' },
];
const UBL_LEAVES = ['cbc:ID', 'cbc:IssueDate', 'cbc:UBLVersionID', 'cbc:CustomizationID', 'cbc:ProfileID', 'cbc:DocumentCurrencyCode', 'cbc:Note', 'cbc:LineExtensionAmount', 'cbc:PayableAmount', 'cbc:Quantity', 'cbc:InvoicedQuantity', 'cbc:Name', 'cbc:EndpointID'];
const UBL_AGGREGATES = ['cac:OrderLine', 'cac:LineItem', 'cac:InvoiceLine', 'cac:Item', 'cac:Price', 'cac:AccountingSupplierParty', 'cac:AccountingCustomerParty', 'cac:BuyerCustomerParty', 'cac:Party', 'cac:LegalMonetaryTotal', 'cac:DespatchLine', 'cac:TaxTotal'];

/** UBL-like documents: a real root and namespaces, then plausible UBL elements in random order with random values. */
export const ublLike: fc.Arbitrary<{ xml: string; partner: string }> = fc
  .record({
    root: fc.constantFrom(...UBL_ROOTS),
    id: fc.oneof(fc.stringMatching(/^[A-Z0-9-]{1,12}$/), fc.constantFrom(...HOSTILE_VALUES)),
    body: fc.array(
      fc.oneof(
        fc.tuple(fc.constantFrom(...UBL_LEAVES), textContent, fc.option(fc.constantFrom('currencyCode="EUR"', 'unitCode="EA"', 'schemeID="0088"', 'currencyID="1e309"'))).map(
          ([n, v, a]) => `<${n}${a ? ` ${a}` : ''}>${v}</${n}>`,
        ),
        fc.tuple(fc.constantFrom(...UBL_AGGREGATES), fc.array(fc.tuple(fc.constantFrom(...UBL_LEAVES), textContent), { maxLength: 6 })).map(
          ([n, kids]) => `<${n}>${kids.map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</${n}>`,
        ),
      ),
      { maxLength: 25 },
    ),
    prefix: fc.constantFrom('', 'ubl:', 'ns0:'),
  })
  .map(({ root, id, body, prefix }) => {
    const xmlns = prefix ? `xmlns:${prefix.slice(0, -1)}="${root.ns}"` : `xmlns="${root.ns}"`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<${prefix}${root.root} ${xmlns} xmlns:cac="${NS.cac}" xmlns:cbc="${NS.cbc}">\n<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>${id}</cbc:ID>${body.join('\n')}</${prefix}${root.root}>`;
    return { xml, partner: root.partner };
  });

/** Internal-subset bodies for DOCTYPE variants. */
function billionLaughs(levels: number, fan: number): string {
  let subset = '<!ENTITY l0 "lol">';
  for (let i = 1; i <= levels; i++) subset += `<!ENTITY l${i} "${`&l${i - 1};`.repeat(fan)}">`;
  return subset;
}

const DOCTYPES: fc.Arbitrary<{ prolog: string; use: string }> = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 })).map(([levels, fan]) => ({ prolog: `<!DOCTYPE lolz [${billionLaughs(levels, fan)}]>`, use: `&l${levels};` })),
  fc.integer({ min: 1_000, max: 60_000 }).map((n) => ({ prolog: `<!DOCTYPE q [<!ENTITY a "${'a'.repeat(n)}">]>`, use: '&a;'.repeat(Math.min(n, 20_000)) })),
  fc.constantFrom('file:///etc/passwd', 'file:///etc/hostname', 'http://127.0.0.1:1/x', 'https://example.invalid/x.dtd', '/proc/self/environ', 'expect://id', 'php://filter/resource=x').chain((uri) =>
    fc.constantFrom(
      { prolog: `<!DOCTYPE r [<!ENTITY x SYSTEM "${uri}">]>`, use: '&x;' },
      { prolog: `<!DOCTYPE r SYSTEM "${uri}">`, use: '' },
      { prolog: `<!DOCTYPE r PUBLIC "-//X//DTD X//EN" "${uri}">`, use: '' },
      { prolog: `<!DOCTYPE r [<!ENTITY % p SYSTEM "${uri}"> %p;]>`, use: '' },
      { prolog: `<!DOCTYPE r [<!ENTITY % p "<!ENTITY x SYSTEM '${uri}'>"> %p;]>`, use: '&x;' },
    ),
  ),
  fc.constantFrom(
    { prolog: '<!DOCTYPE r>', use: '' },
    { prolog: '<!DOCTYPE r []>', use: '' },
    { prolog: '<!ENTITY x "y">', use: '&x;' },
    { prolog: '<!DOCTYPE r [<!ELEMENT r ANY><!ATTLIST r a CDATA "default">]>', use: '' },
    { prolog: '<!DOCTYPE r [<!ENTITY x "<injected/>">]>', use: '&x;' },
    { prolog: '<!doctype r [<!ENTITY x "y">]>', use: '&x;' },
    { prolog: '<! DOCTYPE r>', use: '' },
    { prolog: '<!DOCTYPE\tr\n[\n<!ENTITY\nx\n"y">\n]>', use: '&x;' },
    { prolog: '<!--<!DOCTYPE in a comment-->', use: '' },
    { prolog: '<!DOCTYPE r [<!ENTITY x "&#38;#60;y/>">]>', use: '&x;' },
  ),
);

/** Hostile constructs: each an XML-ish string (encoded later). */
const hostileXml: fc.Arbitrary<{ kind: string; xml: string }> = fc.oneof(
  fc.tuple(DOCTYPES, fc.constantFrom(...UBL_ROOTS), fc.constantFrom('before', 'after-decl', 'after-root', 'inside')).map(([d, r, where]) => {
    const root = (inner: string) => `<${r.root} xmlns="${r.ns}" xmlns:cbc="${NS.cbc}"><cbc:ID>${d.use || 'X1'}</cbc:ID>${inner}</${r.root}>`;
    const decl = '<?xml version="1.0" encoding="UTF-8"?>';
    const xml = where === 'before' ? `${d.prolog}${decl}${root('')}` : where === 'after-root' ? `${decl}${root('')}${d.prolog}` : where === 'inside' ? `${decl}${root(d.prolog)}` : `${decl}\n${d.prolog}\n${root('')}`;
    return { kind: 'doctype', xml };
  }),
  fc.tuple(fc.integer({ min: 30, max: 20_000 }), fc.constantFrom('a', 'cbc:X', 'x')).map(([depth, n]) => ({ kind: 'deep', xml: `<r xmlns:cbc="${NS.cbc}">${`<${n}>`.repeat(depth)}x${`</${n}>`.repeat(depth)}</r>` })),
  fc.integer({ min: 30, max: 20_000 }).map((depth) => ({ kind: 'deep-unclosed', xml: `<r>${'<a>'.repeat(depth)}` })),
  fc.integer({ min: 1_000, max: 150_000 }).map((n) => ({ kind: 'many-elements', xml: `<r>${'<a/>'.repeat(n)}</r>` })),
  fc.tuple(fc.integer({ min: 10, max: 20_000 }), fc.boolean()).map(([n, ns]) => ({
    kind: 'many-attributes',
    xml: `<r ${Array.from({ length: n }, (_, i) => (ns ? `xmlns:p${i}="urn:${i}"` : `a${i}="${i}"`)).join(' ')}/>`,
  })),
  fc.integer({ min: 2, max: 5_000 }).map((n) => ({ kind: 'duplicate-attributes', xml: `<r ${'a="1" '.repeat(n)}/>` })),
  fc.tuple(fc.constantFrom(1_000, 100_000, 1_000_000, 4 * 1024 * 1024 + 1), fc.constantFrom('text', 'attr', 'cdata', 'comment', 'pi', 'name')).map(([len, where]) => {
    const big = 'x'.repeat(len);
    const xml =
      where === 'text' ? `<r>${big}</r>` : where === 'attr' ? `<r a="${big}"/>` : where === 'cdata' ? `<r><![CDATA[${big}]]></r>` : where === 'comment' ? `<r><!--${big}--></r>` : where === 'pi' ? `<r><?pi ${big}?></r>` : `<${big}/>`;
    return { kind: `long-${where}`, xml };
  }),
  fc.constantFrom(
    '<r><![CDATA[unterminated</r>', '<r><!-- unterminated</r>', '<r><?pi unterminated</r>', '<r>]]></r>', '<r><!-- a -- b --></r>', '<r><!---></r>', '<r><![CDATA[]]]]><![CDATA[>]]></r>',
    '<r><?xml version="1.0"?></r>', '<?xml version="1.0"?><?xml version="1.0"?><r/>', ' <?xml version="1.0"?><r/>', '<?xml version="2.0"?><r/>', '<?xml encoding="UTF-8"?><r/>',
    '<?xml version="1.0" standalone="maybe"?><r/>', '<r/><r/>', '<r>', '</r>', '<', '<>', '<r a=1/>', '<r a="<"/>', '<r a="&"/>', '<r>&unknown;</r>', '<r>&#0;</r>', '<r>&#x110000;</r>', '<r>&#xD800;</r>',
    `<r>${'&#x41;'.repeat(50_000)}</r>`, `<r>${'&amp;'.repeat(50_000)}</r>`, '<r xmlns:p="urn:a" xmlns:p="urn:b"/>', '<p:r/>', '<r xmlns:xml="urn:not-xml"/>', '<r xmlns:xmlns="urn:x"/>', '<r xmlns:p=""/>',
    '<xmlns:r/>', `<Order xmlns="${NS.order}" xmlns:cbc="${NS.invoice}"><cbc:ID>1</cbc:ID></Order>`, `<cbc:ID xmlns:cbc="${NS.cbc}">1</cbc:ID>`, `<Invoice xmlns="${NS.order}"/>`, `<Order xmlns="${NS.order} "/>`,
    `<Order xmlns="${NS.order.toUpperCase()}"/>`, '<r>\u0000</r>', '<r\u0000/>', '\u0000<r/>', '<r>\u0001\u0008\u000B\u001F</r>', '<r>\uFFFE\uFFFF</r>', '<?xml version="1.0"?>\u0000',
  ).map((xml) => ({ kind: 'edge', xml })),
  fc.tuple(fc.integer({ min: 1, max: 2_000 }), fc.constantFrom('cac', 'cbc', 'a', 'ns0', 'xml')).map(([n, p]) => ({
    kind: 'namespaces',
    xml: `<${p === 'xml' ? 'r' : `${p}:r`} ${p === 'xml' ? '' : `xmlns:${p}="${NS.cbc}"`}>${Array.from({ length: Math.min(n, 200) }, (_, i) => `<q${i % 7}:x xmlns:q${i % 7}="urn:${i}"/>`).join('')}</${p === 'xml' ? 'r' : `${p}:r`}>`,
  })),
);

/** Raw bytes that are not valid UTF-8, or contain NULs, spliced into an otherwise plausible document. */
const INVALID_UTF8: number[][] = [[0x80], [0xbf], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe], [0xff], [0xc3], [0xe2, 0x82], [0x00], [0x00, 0x00, 0x00]];
const invalidBytes: fc.Arbitrary<{ kind: string; bytes: Buffer }> = fc
  .tuple(fc.constantFrom(...INVALID_UTF8), fc.constantFrom('root', 'text', 'attr', 'name', 'decl', 'start'), fc.constantFrom(...UBL_ROOTS))
  .map(([seq, where, r]) => {
    const b = Buffer.from(seq);
    const parts = (before: string, after: string) => Buffer.concat([Buffer.from(before), b, Buffer.from(after)]);
    const root = `<${r.root} xmlns="${r.ns}" xmlns:cbc="${NS.cbc}">`;
    const end = `</${r.root}>`;
    const bytes =
      where === 'start' ? parts('', `${root}<cbc:ID>1</cbc:ID>${end}`)
      : where === 'decl' ? parts('<?xml version="1.0" encoding="UTF-8', `"?>${root}<cbc:ID>1</cbc:ID>${end}`)
      : where === 'name' ? parts(`${root}<cbc:I`, `D>1</cbc:ID>${end}`)
      : where === 'attr' ? parts(`${root}<cbc:ID schemeID="`, `">1</cbc:ID>${end}`)
      : where === 'text' ? parts(`${root}<cbc:ID>1`, `</cbc:ID>${end}`)
      : parts(`<${r.root} xmlns="${r.ns}"`, `/>`);
    return { kind: 'invalid-utf8', bytes };
  });

/** How a document's text becomes bytes: the encodings and declarations a partner might send, honest or not. */
export const ENCODINGS = ['utf8', 'utf8-bom', 'utf16le-bom', 'utf16be-bom', 'utf16le-nobom', 'utf16be-nobom', 'latin1-declared', 'declared-utf16-but-utf8', 'declared-unsupported', 'utf32-bom', 'utf8-bom-declared-utf16'] as const;
export type EncodingName = (typeof ENCODINGS)[number];

const XML_DECL = /^<\?xml[^>]*\?>/;

function withDeclaration(xml: string, encoding: string): string {
  const decl = `<?xml version="1.0" encoding="${encoding}"?>`;
  return XML_DECL.test(xml) ? xml.replace(XML_DECL, decl) : decl + xml;
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  return le.swap16();
}

/** Encodes text as one of ENCODINGS (declarations are rewritten to match, or deliberately not). */
export function encode(xml: string, encoding: EncodingName, extra = 'UTF-7'): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(xml);
    case 'utf8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]);
    case 'utf16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withDeclaration(xml, 'UTF-16'), 'utf16le')]);
    case 'utf16be-bom':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(withDeclaration(xml, 'UTF-16'))]);
    case 'utf16le-nobom':
      return Buffer.from(withDeclaration(xml, 'UTF-16'), 'utf16le');
    case 'utf16be-nobom':
      return utf16be(withDeclaration(xml, 'UTF-16'));
    case 'latin1-declared':
      return Buffer.from(withDeclaration(xml, 'ISO-8859-1'), 'latin1');
    case 'declared-utf16-but-utf8':
      return Buffer.from(withDeclaration(xml, 'UTF-16'));
    case 'declared-unsupported':
      return Buffer.from(withDeclaration(xml, extra));
    case 'utf32-bom': {
      const chars = [...withDeclaration(xml, 'UTF-32')];
      const out = Buffer.alloc(4 + chars.length * 4);
      out.writeUInt32LE(0xfeff, 0);
      chars.forEach((c, i) => out.writeUInt32LE(c.codePointAt(0)!, 4 + i * 4));
      return out;
    }
    case 'utf8-bom-declared-utf16':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(withDeclaration(xml, 'UTF-16'))]);
  }
}

/** Mostly UTF-8; the rest spread over every other encoding. */
export const encodingArb: fc.Arbitrary<EncodingName> = fc.oneof({ weight: 6, arbitrary: fc.constant<EncodingName>('utf8') }, { weight: 4, arbitrary: fc.constantFrom(...ENCODINGS) });
const unsupportedLabel = fc.constantFrom('UTF-7', 'EBCDIC-US', 'IBM037', 'UTF-32', 'UCS-2', 'x-unknown', 'SHIFT_JIS', 'windows-1252', 'ISO-2022-JP', 'utf-8 ', 'UTF8', 'ascii', 'US-ASCII', 'GB18030', 'replacement', '');

/** Content types: mostly XML, sometimes something the hub must answer 415 to, sometimes none. */
export const contentTypeArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/xml') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'text/xml', 'application/xml; charset=utf-8', 'application/xml; charset=utf-16', 'text/xml; charset=iso-8859-1', 'application/ubl+xml', 'application/xml; charset=bogus',
      'APPLICATION/XML', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'xml', '*/*', 'application/xml, text/xml', ';', 'application/problem+json',
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Occasionally a Content-Encoding, including a compressed body that inflates beyond the size limit (zip bomb). */
export const contentEncodingArb: fc.Arbitrary<FuzzInput['contentEncoding']> = fc.oneof(
  { weight: 30, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<FuzzInput['contentEncoding']>('gzip', 'gzip-broken', 'gzip-bomb', 'deflate', 'br', 'bogus') },
);

const partnerArb = fc.constantFrom(...PARTNERS);

function input(category: string, bytes: Buffer, partner: string, encoding?: string): Omit<FuzzInput, 'contentType'> {
  return { category, bytes, partner, ...(encoding ? { encoding } : {}) };
}

/** Every generated (non-fixture) family, as inputs without transport details. */
export const generatedInputArb: fc.Arbitrary<Omit<FuzzInput, 'contentType'>> = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 2048 }), partnerArb).map(([b, p]) => input('random:bytes', Buffer.from(b), p)) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ unit: 'binary', maxLength: 512 }), partnerArb).map(([s, p]) => input('random:text', Buffer.from(`<${s}`), p)) },
  { weight: 4, arbitrary: fc.tuple(xmlTree, encodingArb, unsupportedLabel, partnerArb).map(([x, e, l, p]) => input('tree', encode(x, e, l), p, e)) },
  { weight: 4, arbitrary: fc.tuple(ublLike, encodingArb, unsupportedLabel).map(([u, e, l]) => input('ubl-like', encode(u.xml, e, l), u.partner, e)) },
  { weight: 6, arbitrary: fc.tuple(hostileXml, encodingArb, unsupportedLabel, partnerArb).map(([h, e, l, p]) => input(`hostile:${h.kind}`, encode(h.xml, e, l), p, e)) },
  { weight: 2, arbitrary: fc.tuple(invalidBytes, partnerArb).map(([i, p]) => input(`hostile:${i.kind}`, i.bytes, p)) },
);
