import { expect } from 'chai';
import { ParseOption, XmlDocument, xmlCleanupInputProvider, xmlRegisterInputProvider } from 'libxml2-wasm';
import { call, startTestHub, type TestHub } from '../helpers/test-hub.js';
import { goldenFixtures } from '../helpers/fixtures.js';

describe('hostile XML at the intake', function () {
  this.timeout(30_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());
  const post = (body: string | Buffer, key = t.keys.partners.acme) => call(t.url, 'POST', '/v1/documents', { key, body });
  const po = () => goldenFixtures(['hub-po']).find((f) => f.name === 'initech-minimal.xml')!;

  it('refuses external entities (XXE), parameter entities and quadratic blow-up before any parser runs', async () => {
    const attacks = [
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]><r/>',
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "${'x'.repeat(50_000)}">]><r>${'&a;'.repeat(1000)}</r>`,
      '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>',
    ];
    for (const attack of attacks) {
      const r = await post(attack);
      expect(r.status).to.equal(400);
      expect(r.body.code).to.equal('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
    }
  });

  it('opens no file or URL while checking a document, whatever it points to', async () => {
    const opened: string[] = [];
    // A spy that sees every resource libxml2 tries to open; it serves none of them.
    xmlRegisterInputProvider({ match: (name: string) => (opened.push(name), false), open: () => undefined, read: () => -1, close: () => true });
    try {
      const pointing = `<?xml version="1.0"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" xmlns:xi="http://www.w3.org/2001/XInclude"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:oasis:names:specification:ubl:schema:xsd:Order-2 file:///etc/evil.xsd"
  xsi:noNamespaceSchemaLocation="http://127.0.0.1:9/evil.xsd"><xi:include href="file:///etc/passwd"/></Order>`;
      const r = await post(pointing);
      expect(r.status).to.equal(422);
      expect(r.body.code).to.equal('HUB_ERR_XSD_INVALID');
      expect(opened).to.deep.equal([]);
      // Control: the spy does see a load when libxml2 is asked to make one, so the empty list above means something.
      XmlDocument.fromString('<!DOCTYPE r SYSTEM "file:///etc/control.dtd"><r/>', { option: ParseOption.XML_PARSE_DTDLOAD }).dispose();
      expect(opened).to.deep.equal(['file:///etc/control.dtd']);
    } finally {
      xmlCleanupInputProvider();
    }
  });

  it('refuses documents beyond the depth, element, attribute and text limits (400, with the line)', async () => {
    const deep = `<PurchaseOrder xmlns="urn:b2b-hub:purchase-order:1.0">${'<x>'.repeat(100)}${'</x>'.repeat(100)}</PurchaseOrder>`;
    const r = await post(deep, t.keys.partners.initech);
    expect(r.status).to.equal(400);
    expect(r.body.code).to.equal('HUB_ERR_XML_LIMIT');
    expect(r.body.errors[0].line).to.equal(1);
    const wide = `<PurchaseOrder xmlns="urn:b2b-hub:purchase-order:1.0" ${Array.from({ length: 100 }, (_, i) => `a${i}="1"`).join(' ')}/>`;
    expect((await post(wide, t.keys.partners.initech)).body.code).to.equal('HUB_ERR_XML_LIMIT');
  });

  it('accepts UTF-16 with a byte-order mark and a declared ISO-8859-1 document; refuses invalid bytes and unknown encodings', async () => {
    const text = po().bytes.toString('utf8').replace('INI-PO-7', 'INI-PO-UTF16');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')]);
    const a = await post(utf16, t.keys.partners.initech);
    expect(a.status, JSON.stringify(a.body)).to.equal(202);
    const latin1 = Buffer.from(text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace('INI-PO-UTF16', 'INI-PO-LATIN1').replace('Red stapler', 'Red st\u00e4pler'), 'latin1');
    const b = await post(latin1, t.keys.partners.initech);
    expect(b.status, JSON.stringify(b.body)).to.equal(202);
    const view = await call(t.url, 'GET', `/v1/documents/${b.body.id}`, { key: t.keys.partners.initech });
    expect(view.status).to.equal(200);
    const invalid = Buffer.concat([Buffer.from(text.replace('INI-PO-UTF16', 'INI-PO-BAD').slice(0, 300)), Buffer.from([0xc3, 0x28]), Buffer.from(text.slice(300))]);
    const c = await post(invalid, t.keys.partners.initech);
    expect([c.status, c.body.code]).to.deep.equal([400, 'HUB_ERR_XML_MALFORMED']);
    const unknown = await post(text.replace('encoding="UTF-8"', 'encoding="X-MARTIAN"'), t.keys.partners.initech);
    expect([unknown.status, unknown.body.code]).to.deep.equal([400, 'HUB_ERR_XML_MALFORMED']);
    expect(unknown.body.detail).to.contain('X-MARTIAN'.toLowerCase());
  });
});
