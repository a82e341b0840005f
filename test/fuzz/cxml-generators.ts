/**
 * Fuzz inputs for cXML bodies: the real cXML fixtures with their DOCTYPE line replaced by an allowed, a foreign
 * or a hostile one (internal subsets, entities, PUBLIC ids, second DOCTYPEs, local files and URLs that a listening
 * socket watches), then mutated (entity references, declarations and markup spliced in, cuts) and encoded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ROOT } from '../helpers/test-hub.js';
import { encode, encodingArb } from './generators.js';

export const CXML_FIXTURES = path.join(ROOT, 'fixtures', 'cxml');

/** Every cXML fixture: its format folder, its name, its text. */
export function cxmlSources(): Array<{ format: string; name: string; text: string }> {
  return readdirSync(CXML_FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(path.join(CXML_FIXTURES, d.name)).filter((n) => n.endsWith('.xml')).map((name) => ({ format: d.name, name, text: readFileSync(path.join(CXML_FIXTURES, d.name, name), 'utf8') })));
}

/** Where a fuzz DOCTYPE may point: the watched socket and file the test adds to the allow-lists, and worse. */
export interface Targets {
  /** Allowed ids of every format (real ones plus the watched ones). */
  allowed: readonly string[];
  /** The allowed ids of each format (a ShipNoticeRequest names Fulfill.dtd, an OrderRequest cXML.dtd). */
  allowedByFormat: Readonly<Record<string, readonly string[]>>;
  /** http URL of the listening socket (allowed, so an accepted document names it). */
  socketUrl: string;
  /** A local file with a marker (allowed too). */
  markerFile: string;
}

const DOCTYPE_LINE = /<!DOCTYPE[^>]*>/;

function hostCase(id: string, flip: boolean): string {
  return flip ? id.replace('xml.cxml.org', 'xml.cXML.org').replace(/^http:/, 'HTTP:') : id;
}

/** DOCTYPE variants, each with what it does to the body (an entity reference to insert, or none). */
export function doctypeArb(t: Targets, format: string): fc.Arbitrary<{ kind: string; doctype: string; use?: string }> {
  const own = t.allowedByFormat[format] ?? t.allowed;
  // Mostly the format's own ids; now and then another format's (refused by the detected format's list).
  const id = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: fc.constantFrom(...t.allowed) });
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(id, fc.boolean(), fc.constantFrom(' ', '\n', '\t', '  \r\n')).map(([i, flip, ws]) => ({ kind: 'allowed', doctype: `<!DOCTYPE${ws}cXML${ws}SYSTEM${ws}"${hostCase(i, flip)}"${ws === ' ' ? '' : ws}>` })) },
    { weight: 1, arbitrary: id.map((i) => ({ kind: 'allowed-single-quotes', doctype: `<!DOCTYPE cXML SYSTEM '${i}'>` })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none', doctype: '' }) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(
          'http://xml.cxml.org/schemas/cXML/1.2.060/Custom.dtd',
          'http://xml.cxml.org/schemas/cXML/1.2.050/cxml.dtd',
          'http://xml.cxml.org/schemas/cXML/1.2.050/../../../etc/passwd',
          'https://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd ',
          'file:///etc/passwd',
          '/etc/hostname',
          'http://127.0.0.1:1/cXML.dtd',
          'cXML.dtd',
          '',
        )
        .map((i) => ({ kind: 'foreign-id', doctype: `<!DOCTYPE cXML SYSTEM "${i}">` })),
    },
    {
      weight: 4,
      arbitrary: fc.tuple(id, fc.constantFrom(t.socketUrl, `file://${t.markerFile}`, 'file:///etc/passwd')).chain(([i, uri]) =>
        fc.constantFrom(
          { kind: 'subset-entity', doctype: `<!DOCTYPE cXML SYSTEM "${i}" [<!ENTITY x SYSTEM "${uri}">]>`, use: '&x;' },
          { kind: 'subset-pe', doctype: `<!DOCTYPE cXML SYSTEM "${i}" [<!ENTITY % p SYSTEM "${uri}"> %p;]>` },
          { kind: 'subset-internal', doctype: `<!DOCTYPE cXML SYSTEM "${i}" [<!ENTITY x "<injected/>">]>`, use: '&x;' },
          { kind: 'subset-attlist', doctype: `<!DOCTYPE cXML SYSTEM "${i}" [<!ATTLIST cXML marker CDATA "SUBSET">]>` },
          { kind: 'subset-empty', doctype: `<!DOCTYPE cXML SYSTEM "${i}" []>` },
          { kind: 'laughs', doctype: `<!DOCTYPE cXML SYSTEM "${i}" [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>`, use: '&c;' },
          { kind: 'public', doctype: `<!DOCTYPE cXML PUBLIC "-//Ariba//DTD cXML 1.2//EN" "${i}">` },
          { kind: 'public-only', doctype: '<!DOCTYPE cXML PUBLIC "-//Ariba//DTD cXML 1.2//EN">' },
          { kind: 'second-doctype', doctype: `<!DOCTYPE cXML SYSTEM "${i}">\n<!DOCTYPE cXML SYSTEM "${uri}">` },
          { kind: 'entity-outside', doctype: `<!DOCTYPE cXML SYSTEM "${i}">\n<!ENTITY x "y">`, use: '&x;' },
          { kind: 'other-root', doctype: `<!DOCTYPE Index SYSTEM "${i}">` },
          { kind: 'lowercase-root', doctype: `<!DOCTYPE cxml SYSTEM "${i}">` },
          { kind: 'lowercase-keyword', doctype: `<!doctype cXML SYSTEM "${i}">` },
          { kind: 'no-space', doctype: `<!DOCTYPE cXML SYSTEM"${i}">` },
          { kind: 'unterminated', doctype: `<!DOCTYPE cXML SYSTEM "${i}` },
          { kind: 'in-comment', doctype: `<!-- <!DOCTYPE cXML SYSTEM "${uri}" [<!ENTITY x "y">]> -->` },
          { kind: 'undeclared-reference', doctype: `<!DOCTYPE cXML SYSTEM "${i}">`, use: '&nbsp;' },
        ),
      ),
    },
  );
}

/** A splice into the body: where (0..1 of its length) and what. */
const spliceArb = fc.tuple(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom('&x;', '&amp;', '&#60;', '&#x26;', '&', '<!ENTITY x "y">', '<!DOCTYPE cXML SYSTEM "x">', '<![CDATA[&x;]]>', '<!-- &x; -->', '<?pi &x;?>', ']]>', '<', '"', "'", '\u0000', '\uFEFF'),
);

export interface CxmlFuzzInput {
  kind: string;
  source: string;
  format: string;
  bytes: Buffer;
}

/** A cXML fixture with a DOCTYPE variant, 0-3 splices, maybe cut short, in one of the encodings. */
export function cxmlInputArb(t: Targets): fc.Arbitrary<CxmlFuzzInput> {
  const sources = cxmlSources();
  const splicesArb = fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(spliceArb, { minLength: 1, maxLength: 3 }) });
  const whereArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('before-root', 'after-decl-line') }, { weight: 1, arbitrary: fc.constant('after-root') });
  return fc
    .constantFrom(...sources)
    .chain((source) => fc.tuple(fc.constant(source), doctypeArb(t, source.format), splicesArb, fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.double({ min: 0.05, max: 1, noNaN: true }) }), encodingArb, whereArb))
    .map(([source, d, splices, cut, encoding, where]) => {
      let text = source.text.replace(DOCTYPE_LINE, '');
      if (where === 'after-root') text = `${text.trimEnd()}\n${d.doctype}\n`;
      else text = text.replace(/(<\?xml[^>]*\?>)?\s*/, (decl) => `${decl.trim()}${where === 'after-decl-line' ? '' : '\n'}${d.doctype}\n`);
      if (d.use) text = text.replace('<Header>', `<Header>${d.use}`);
      for (const [at, what] of splices) {
        const i = Math.floor(at * text.length);
        text = text.slice(0, i) + what + text.slice(i);
      }
      if (cut !== null) text = text.slice(0, Math.max(1, Math.floor(cut * text.length)));
      return { kind: `${d.kind}${where === 'after-root' ? '+after-root' : ''}${splices.length ? `+${splices.length}splices` : ''}${cut !== null ? '+cut' : ''}/${encoding}`, source: source.name, format: source.format, bytes: encode(text, encoding) };
    });
}

/**
 * True when a body's only declaration is one DOCTYPE of exactly `<!DOCTYPE cXML SYSTEM "<allowed id>">` (host
 * case aside) and it has no entity declaration, in every view a parser could read it in. Written apart from
 * src/xml/doctype.ts, so the fuzz test does not check the code with itself.
 */
export function onlyAllowedDoctype(bytes: Buffer, allowed: readonly string[]): boolean {
  const lower = (id: string) => id.replace(/^[a-z]+:\/\/[^/]*/i, (s) => s.toLowerCase());
  const ids = new Set(allowed.map(lower));
  const views = [bytes.toString('latin1').replace(/\0/g, '')];
  return views.every((view) => {
    if (view.includes('<!ENTITY')) return false;
    const all = view.match(/<!DOCTYPE/g) ?? [];
    if (all.length === 0) return true;
    if (all.length > 1) return false;
    const m = /<!DOCTYPE[ \t\r\n]+cXML[ \t\r\n]+SYSTEM[ \t\r\n]+(?:"([^"]*)"|'([^']*)')[ \t\r\n]*>/.exec(view);
    return m !== null && ids.has(lower(m[1] ?? m[2] ?? ''));
  });
}
