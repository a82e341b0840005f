import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { cxmlMappingsDir } from './cxml-partners.js';
import path from 'node:path';
import { expect } from 'chai';
import { HubError } from '../../../src/errors/hub-error.js';
import { loadMappings, type MappingRegistry } from '../../../src/mapping/registry.js';
import { inspectDocument } from '../../../src/xml/inspect.js';
import { parseUntrustedXml } from '../../../src/xml/safe-parse.js';
import { XsdCache } from '../../../src/xml/xsd-cache.js';
import { ROOT } from '../../helpers/test-hub.js';

const FIXTURES = path.join(ROOT, 'fixtures', 'cxml');
const SCHEMAS = path.join(ROOT, 'schemas', 'cxml');
const DECLARED = /<!DOCTYPE cXML SYSTEM "http:\/\/xml\.cxml\.org\/schemas\/cXML\/([\d.]+)\/(\w+\.dtd)">/i;

describe('cXML DTDs: the hub validates against its own copies', function () {
  this.timeout(30_000);
  let registry: MappingRegistry;
  const cache = new XsdCache();
  before(async () => {
    const dir = cxmlMappingsDir();
    try {
      registry = await loadMappings({ mappingsDir: dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const dtds = readdirSync(SCHEMAS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.dtd')).map((f) => path.join(SCHEMAS, f));
    cache.compile(dtds);
  });
  after(() => cache.dispose());

  it('ships the DTD of every system id on the three formats\' allow-lists, and each compiles', () => {
    for (const name of ['cxml-order-request', 'cxml-ship-notice', 'cxml-invoice-detail']) {
      const format = registry.get(name)!;
      expect(format.schemaLanguage, name).to.equal('dtd');
      expect(cache.has(format.schemaPath), name).to.equal(true);
      for (const id of format.doctypeSystemIds) {
        const [, version, file] = /\/cXML\/([\d.]+)\/(\w+\.dtd)$/.exec(id)!;
        expect(cache.has(path.join(SCHEMAS, version!, file!)), id).to.equal(true);
      }
    }
  });

  it('every accepted fixture is valid against the DTD of the version it declares and against the newest copy its format uses', () => {
    let checked = 0;
    for (const format of ['cxml-order-request', 'cxml-ship-notice', 'cxml-invoice-detail']) {
      const definition = registry.get(format)!;
      for (const name of readdirSync(path.join(FIXTURES, format)).filter((n) => n.endsWith('.xml'))) {
        const text = readFileSync(path.join(FIXTURES, format, name), 'utf8');
        const [, version, file] = DECLARED.exec(text)!;
        const own = path.join(SCHEMAS, version!, file!);
        if (!cache.has(own)) continue; // a version the hub does not accept (the 1.2.060 Custom.dtd order): refused for its DOCTYPE
        const doc = parseUntrustedXml(Buffer.from(text), undefined, { doctypes: 'shape-only' });
        try {
          cache.validate(own, doc, name);
          cache.validate(definition.schemaPath, doc, name);
          checked++;
        } finally {
          doc.dispose();
        }
      }
    }
    expect(checked).to.equal(10);
  });

  it('refuses a real order that fails the DTD (HUB_ERR_DTD_INVALID, 422) with every problem\'s line and element path', () => {
    // cxml-php's Handling fixture uses PaymentReference, which cXML 1.2.063 does not declare; its DOCTYPE
    // (1.2.060/Custom.dtd) is not accepted, so it is given an accepted one here to reach the DTD.
    const text = readFileSync(path.join(FIXTURES, 'cxml-order-request', 'cxml-php-handling-order-request.xml'), 'utf8').replace(DECLARED, '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">');
    const xsd = new XsdCache();
    xsd.compile(registry.formats.map((f) => f.schemaPath));
    try {
      inspectDocument(Buffer.from(text), [registry.get('cxml-order-request')!], xsd);
      expect.fail('should be refused');
    } catch (error) {
      const e = error as HubError;
      if (!(e instanceof HubError)) throw e;
      expect(e.code).to.equal('HUB_ERR_DTD_INVALID');
      expect(e.status).to.equal(422);
      expect(e.message, e.message).to.match(/^The Order \(cxml-order-request\) does not conform to its DTD cxml\/1\.2\.063\/cXML\.dtd: 4 problem\(s\), first at line 57: Element Payment content does not follow the DTD/);
      // Read off the document: <Payment> is on line 57, <PaymentReference method="cc" provider="stripe"> on 58.
      const ref = '/cXML/Request/OrderRequest/OrderRequestHeader/Payment/PaymentReference';
      expect(e.errors.map((i) => [i.line, i.path, i.message])).to.deep.equal([
        [57, '/cXML/Request/OrderRequest/OrderRequestHeader/Payment', 'Element Payment content does not follow the DTD, expecting (PCard), got (PaymentReference )'],
        [58, ref, 'No declaration for element PaymentReference'],
        [58, ref, 'No declaration for attribute method of element PaymentReference'],
        [58, ref, 'No declaration for attribute provider of element PaymentReference'],
      ]);
      expect(e.details).to.include({ format: 'cxml-order-request', documentNumber: 'acme-1-1' });
    } finally {
      xsd.dispose();
    }
  });

  it('refuses a ShipNoticeRequest whose DOCTYPE names cXML.dtd (an OrderRequest\'s), naming Fulfill.dtd', () => {
    const text = readFileSync(path.join(FIXTURES, 'cxml-ship-notice', 'cxml-php-sample-ship-notice-request.xml'), 'utf8').replace('1.2.050/Fulfill.dtd', '1.2.050/cXML.dtd');
    const candidates = [registry.get('cxml-order-request')!, registry.get('cxml-ship-notice')!];
    const error = (() => {
      try {
        inspectDocument(Buffer.from(text), candidates, cache);
      } catch (e) {
        return e as HubError;
      }
      return undefined;
    })();
    expect(error?.code).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
    expect(error?.message).to.contain('which the format cxml-ship-notice does not accept. Accepted for cxml-ship-notice: "http://xml.cxml.org/schemas/cXML/1.2.050/Fulfill.dtd"');
  });
});
