import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ParseOption, XmlDocument, xmlCleanupInputProvider, xmlRegisterInputProvider } from 'libxml2-wasm';
import { HubError } from '../../../src/errors/hub-error.js';
import { normalizeSystemId, type AcceptedDoctype } from '../../../src/xml/doctype.js';
import { parseUntrustedDocument, parseUntrustedXml } from '../../../src/xml/safe-parse.js';

const ID_050 = 'http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd';
const ID_063 = 'http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd';
const CXML: AcceptedDoctype[] = [{ root: 'cXML', systemIds: [ID_050, ID_063] }];
const BODY = '<cXML payloadID="1@x" timestamp="2024-01-01T00:00:00Z"><Header/></cXML>';

function refusal(xml: string | Buffer, doctypes: AcceptedDoctype[] | 'shape-only' = CXML): HubError {
  try {
    parseUntrustedXml(Buffer.isBuffer(xml) ? xml : Buffer.from(xml), undefined, { doctypes }).dispose();
  } catch (error) {
    expect(error).to.be.instanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected a refusal');
}

describe('xml/doctype: the cXML DOCTYPE line, and nothing else', () => {
  it('accepts <!DOCTYPE cXML SYSTEM "..."> with an id on the allow-list, in either quotes and host case', () => {
    for (const line of [`<!DOCTYPE cXML SYSTEM "${ID_050}">`, `<!DOCTYPE cXML SYSTEM '${ID_063}'>`, '<!DOCTYPE\ncXML\tSYSTEM\n"http://xml.cXML.org/schemas/cXML/1.2.050/cXML.dtd" >']) {
      const { doc, doctype } = parseUntrustedDocument(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<!-- from Ariba -->\n${line}\n${BODY}`), undefined, { doctypes: CXML });
      try {
        expect(doc.root.name).to.equal('cXML');
        expect(doctype?.root).to.equal('cXML');
        expect(doctype?.line).to.equal(3);
      } finally {
        doc.dispose();
      }
    }
    expect(normalizeSystemId('HTTP://XML.cXML.org/schemas/cXML/1.2.050/cXML.dtd')).to.equal('http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd');
  });

  it('accepts a UTF-16 document with the DOCTYPE line', () => {
    const text = `<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE cXML SYSTEM "${ID_050}">\n${BODY}`;
    const doc = parseUntrustedXml(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), undefined, { doctypes: CXML });
    expect(doc.root.name).to.equal('cXML');
    doc.dispose();
  });

  it('keeps refusing every DOCTYPE, with the old message, when no candidate format accepts one', () => {
    const error = refusal(`<!DOCTYPE cXML SYSTEM "${ID_050}">${BODY}`, []);
    expect(error.code).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
    expect(error.message).to.equal('The document contains a <!DOCTYPE declaration at line 1; DOCTYPE and entity declarations are refused. Remove it and send the document again.');
  });

  const cases: Array<[string, string, RegExp]> = [
    ['an internal subset', `<!DOCTYPE cXML SYSTEM "${ID_050}" [<!ELEMENT cXML ANY>]>${BODY}`, /has an internal subset \(\[\.\.\.\]\), which is not accepted/],
    ['an empty internal subset', `<!DOCTYPE cXML SYSTEM "${ID_050}" []>${BODY}`, /has an internal subset/],
    ['an entity declaration in the subset', `<!DOCTYPE cXML SYSTEM "${ID_050}" [<!ENTITY x "y">]><cXML>&x;</cXML>`, /contains a <!ENTITY declaration at line 1; DOCTYPE and entity declarations are refused\. The only DOCTYPE accepted is <!DOCTYPE cXML SYSTEM "<id>">/],
    ['a parameter entity pulling a URL', `<!DOCTYPE cXML [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>${BODY}`, /<!ENTITY declaration/],
    ['an unknown system id', `<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.060/Custom.dtd">${BODY}`, /names system id "http:\/\/xml\.cxml\.org\/schemas\/cXML\/1\.2\.060\/Custom\.dtd", which none of your formats accepts/],
    ['a local file as system id', `<!DOCTYPE cXML SYSTEM "file:///etc/passwd">${BODY}`, /names system id "file:\/\/\/etc\/passwd"/],
    ['a root not on the list', `<!DOCTYPE Index SYSTEM "${ID_063}"><Index/>`, /names root Index \(system id "http:/],
    ['a second DOCTYPE', `<!DOCTYPE cXML SYSTEM "${ID_050}">\n<!DOCTYPE cXML SYSTEM "${ID_063}">${BODY}`, /declares a second <!DOCTYPE at line 2/],
    ['a PUBLIC id', `<!DOCTYPE cXML PUBLIC "-//Ariba//DTD cXML//EN" "${ID_050}">${BODY}`, /has a PUBLIC identifier, which is not accepted/],
    ['no system id', `<!DOCTYPE cXML>${BODY}`, /has a shape other than <!DOCTYPE root SYSTEM "id">/],
    ['an entity reference the DTD would define', `<!DOCTYPE cXML SYSTEM "${ID_050}">\n<cXML>\n&nbsp;</cXML>`, /refers to the entity &nbsp; at line 3; the hub never reads a DTD's entities/],
    ['an entity reference in an attribute', `<!DOCTYPE cXML SYSTEM "${ID_050}"><cXML payloadID="&x;"/>`, /refers to the entity &x;/],
  ];
  for (const [what, xml, message] of cases) {
    it(`refuses a cXML DOCTYPE with ${what}, naming the accepted system ids`, () => {
      const error = refusal(xml);
      expect(error.code).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
      expect(error.status).to.equal(400);
      expect(error.message).to.match(message);
      if (!/entity &/.test(error.message)) expect(error.message).to.contain(`"${ID_050}", "${ID_063}"`);
      expect(error.errors[0]!.line).to.be.a('number');
    });
  }

  it('refuses a DOCTYPE that names another root than the document has', () => {
    const error = refusal(`<!DOCTYPE cXML SYSTEM "${ID_050}"><Order/>`);
    expect(error.message).to.equal('The <!DOCTYPE at line 1 names root cXML, but the root element is Order. Make the DOCTYPE name the root element.');
  });

  it('accepts predefined and character references, and & inside comments and CDATA', () => {
    const doc = parseUntrustedXml(Buffer.from(`<!DOCTYPE cXML SYSTEM "${ID_050}"><!-- &x; --><cXML a="&amp;&#38;"><![CDATA[&y;]]>&lt;&#x41;&quot;</cXML>`), undefined, { doctypes: CXML });
    expect(doc.root.content).to.equal('&y;<A"');
    doc.dispose();
  });

  it("'shape-only' accepts any system id of the one shape but still refuses subsets and entities", () => {
    parseUntrustedXml(Buffer.from(`<!DOCTYPE cXML SYSTEM "http://elsewhere/x.dtd">${BODY}`), undefined, { doctypes: 'shape-only' }).dispose();
    expect(refusal(`<!DOCTYPE cXML SYSTEM "x" [<!ELEMENT cXML ANY>]>${BODY}`, 'shape-only').message).to.contain('internal subset');
    expect(refusal(`<!DOCTYPE cXML SYSTEM "x">${BODY.replace('<Header/>', '&e;')}`, 'shape-only').message).to.contain('&e;');
  });

  describe('never fetches or reads what the DOCTYPE names', () => {
    let server: http.Server;
    let connections = 0;
    let dir: string;
    before(async () => {
      server = http.createServer((_req, res) => res.end('<!ENTITY leak "NET"><!ATTLIST cXML marker CDATA "FROM-NET">'));
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      dir = mkdtempSync(path.join(tmpdir(), 'hub-doctype-'));
      writeFileSync(path.join(dir, 'marker.dtd'), '<!ATTLIST cXML marker CDATA "FROM-FILE">');
    });
    after(async () => {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    it('opens no URL or file (a spy sees every resource libxml2 asks for; a socket sees no connection)', async () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cXML.dtd`;
      const file = path.join(dir, 'marker.dtd');
      const allow: AcceptedDoctype[] = [{ root: 'cXML', systemIds: [url, file, `file://${file}`] }];
      const opened: string[] = [];
      xmlRegisterInputProvider({ match: (name: string) => (opened.push(name), false), open: () => undefined, read: () => -1, close: () => true });
      try {
        for (const id of allow[0]!.systemIds) {
          const doc = parseUntrustedXml(Buffer.from(`<!DOCTYPE cXML SYSTEM "${id}">${BODY}`), undefined, { doctypes: allow });
          // A loaded DTD would have added its default attribute.
          expect(doc.root.attr('marker')).to.equal(null);
          doc.dispose();
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(opened).to.deep.equal([]);
        expect(connections).to.equal(0);
        // Control: asked to load a DTD, libxml2 does go through the spy, so the empty list above means something.
        XmlDocument.fromString(`<!DOCTYPE cXML SYSTEM "${file}"><cXML/>`, { option: ParseOption.XML_PARSE_DTDLOAD }).dispose();
        expect(opened).to.deep.equal([file]);
      } finally {
        xmlCleanupInputProvider();
      }
    });
  });
});
