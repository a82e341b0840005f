import { expect } from 'chai';
import { decodeXml } from '../../../src/xml/decode.js';
import { parseUntrustedXml } from '../../../src/xml/safe-parse.js';
import { HubError } from '../../../src/errors/hub-error.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof HubError ? error.code : 'not a HubError';
  }
  return undefined;
}

describe('xml/safe-parse and decode', () => {
  it('refuses DOCTYPE and ENTITY declarations, also in UTF-16', () => {
    expect(codeOf(() => parseUntrustedXml(Buffer.from('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>')))).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
    expect(codeOf(() => parseUntrustedXml(Buffer.from('<a><!ENTITY x "y"></a>')))).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<!DOCTYPE a><a/>', 'utf16le')]);
    expect(codeOf(() => parseUntrustedXml(utf16))).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
  });

  it('reports malformed XML with its line', () => {
    try {
      parseUntrustedXml(Buffer.from('<a>\n<b>\n</a>'));
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(HubError);
      expect((error as HubError).code).to.equal('HUB_ERR_XML_MALFORMED');
      expect((error as HubError).errors[0]!.line).to.equal(3);
    }
  });

  it('parses a well-formed document and gives its root', () => {
    const doc = parseUntrustedXml(Buffer.from('<r xmlns="urn:x"><c/></r>'));
    try {
      expect(doc.root.name).to.equal('r');
      expect(doc.root.namespaceUri).to.equal('urn:x');
    } finally {
      doc.dispose();
    }
  });

  it('decodes UTF-8 (with and without BOM), UTF-16 with BOM and declared ISO-8859-1', () => {
    expect(decodeXml(Buffer.from('<a>é</a>'))).to.equal('<a>é</a>');
    expect(decodeXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a>é</a>')]))).to.equal('<a>é</a>');
    expect(decodeXml(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>é</a>', 'utf16le')]))).to.equal('<a>é</a>');
    expect(decodeXml(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>', 'latin1'))).to.contain('<a>é</a>');
  });

  it('rejects invalid UTF-8 and unknown encodings', () => {
    expect(codeOf(() => decodeXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c])))).to.equal('HUB_ERR_XML_MALFORMED');
    expect(codeOf(() => decodeXml(Buffer.from('<?xml version="1.0" encoding="X-NOPE"?><a/>')))).to.equal('HUB_ERR_XML_MALFORMED');
  });
});
