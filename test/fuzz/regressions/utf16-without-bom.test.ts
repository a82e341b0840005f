/**
 * Found by the fuzzer (npm run fuzz): a document in UTF-16 without a byte-order mark, but with an XML declaration
 * (`<?xml version="1.0" encoding="UTF-16"?>`), which libxml2 detects and parses (XML 1.0 appendix F).
 *  1. The DOCTYPE/ENTITY check and the shape limits read the bytes as latin1, where `<!DOCTYPE` is
 *     `<\0!\0D\0...`: the check never matches, libxml2 parses the internal subset and substitutes internal
 *     entities (the document number becomes "INI-PO-7INJECTED"), then XsdValidator.validate throws a plain
 *     XmlError: 500 HUB_ERR_INTERNAL at the intake, and `hub map` crashes with a non-HubError.
 *     With a DOCTYPE whose entities are declared but not used, the document passes every check and is
 *     accepted: 202 for a document with a DOCTYPE.
 *  2. Without a DOCTYPE the document is valid and accepted (202), but decodeXml (transform, `hub map`) decoded
 *     it as UTF-8, so every accepted UTF-16-without-BOM document failed later with HUB_ERR_MAPPING. Fixed in
 *     decode.ts (commit 88a07ff, appendix F detection); the tests below keep it fixed.
 */
import path from 'node:path';
import { expect } from 'chai';
import { OfflineMapper } from '../../../src/cli/offline.js';
import { loadConfig } from '../../../src/config/load.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { decodeXml } from '../../../src/xml/decode.js';
import { parseUntrustedXml } from '../../../src/xml/safe-parse.js';
import { goldenFixtures } from '../../helpers/fixtures.js';
import { call, ROOT, startTestHub, waitForStatus, type TestHub } from '../../helpers/test-hub.js';

const DECL = '<?xml version="1.0" encoding="UTF-16"?>';
const utf16le = (text: string) => Buffer.from(text, 'utf16le');
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
const withDeclaration = (xml: string) => xml.replace(/^<\?xml[^>]*\?>/, DECL);

function hubPo(): string {
  return goldenFixtures(['hub-po']).find((f) => f.name === 'initech-minimal.xml')!.bytes.toString('utf8');
}

/** The minimal hub PO in UTF-16 (no BOM) with an internal entity spliced into its document number. */
function poWithEntity(): string {
  return withDeclaration(hubPo())
    .replace(DECL, `${DECL}\n<!DOCTYPE PurchaseOrder [<!ENTITY x "INJECTED">]>`)
    .replace(/<PONumber>([^<]*)</, '<PONumber>$1&x;<');
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('regression (fuzz): UTF-16 without a byte-order mark', function () {
  this.timeout(60_000);

  for (const [name, encodeAs] of [['LE', utf16le], ['BE', utf16be]] as const) {
    it(`refuses a DOCTYPE in UTF-16${name} without BOM before libxml2 parses it`, () => {
      const error = thrown(() => parseUntrustedXml(encodeAs(poWithEntity())).dispose());
      expect(error).to.be.instanceOf(HubError);
      expect((error as HubError).code).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
    });
  }

  it('decodes UTF-16 without BOM the way libxml2 reads it (declaration + 3C 00 3F 00)', () => {
    const text = withDeclaration(hubPo());
    expect(decodeXml(utf16le(text))).to.equal(text);
    expect(decodeXml(utf16be(text))).to.equal(text);
  });

  describe('hub map', () => {
    let mapper: OfflineMapper;
    before(async () => {
      mapper = await OfflineMapper.create(loadConfig({ file: path.join(ROOT, 'config/hub.yaml'), env: {} }));
    });
    after(() => mapper?.close());

    it('throws a HubError (not XmlError) for the DOCTYPE variant', async () => {
      let error: unknown;
      await mapper.map(utf16le(poWithEntity())).catch((e) => (error = e));
      expect(error).to.be.instanceOf(HubError);
    });

    it('maps a UTF-16 document without BOM to the same canonical document as its UTF-8 original', async () => {
      const original = await mapper.map(Buffer.from(hubPo()));
      const utf16 = await mapper.map(utf16le(withDeclaration(hubPo())));
      expect(utf16.canonical).to.deep.equal(original.canonical);
    });
  });

  describe('intake', () => {
    let t: TestHub;
    before(async () => {
      t = await startTestHub();
    });
    after(async () => t?.close());

    it('answers the DOCTYPE variant with 400 HUB_ERR_XML_DOCTYPE_FORBIDDEN, not 500', async () => {
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.initech, body: utf16be(poWithEntity()) });
      expect(r.status).to.equal(400);
      expect(r.body.code).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
    });

    it('refuses a UTF-16 document without BOM whose DOCTYPE declares an entity it never uses (not 202)', async () => {
      const body = utf16le(withDeclaration(hubPo()).replace(DECL, `${DECL}\n<!DOCTYPE PurchaseOrder [<!ENTITY x "unused">]>`));
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.initech, body });
      expect(r.status).to.equal(400);
      expect(r.body.code).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
    });

    it('delivers an accepted UTF-16 document without BOM (or refuses it at once; never 202 then failed)', async () => {
      const text = withDeclaration(hubPo()).replace(/<PONumber>[^<]*</, '<PONumber>UTF16-NOBOM-1<');
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.initech, body: utf16le(text) });
      if (r.status !== 202) {
        expect(r.status).to.be.within(400, 499);
        return;
      }
      const view = await waitForStatus(t, r.body.id);
      expect(view.error?.code).to.equal(undefined);
      expect(view.status).to.equal('delivered');
    });
  });
});
