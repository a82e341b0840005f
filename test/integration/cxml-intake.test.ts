import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { call, ROOT, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { CXML_PARTNERS, CXML_SENDER, cxmlMappingsDir } from '../unit/cxml/cxml-partners.js';

const FIXTURES = path.join(ROOT, 'fixtures', 'cxml');
const read = (file: string) => readFileSync(path.join(FIXTURES, file));

/** The cXML documents as Ariba and Coupa send them (DOCTYPE line and all), through the real intake. */
describe('cXML at the intake (DOCTYPE line, detection by path, DTD)', function () {
  this.timeout(60_000);
  let t: TestHub;
  let mappingsDir: string;
  before(async () => {
    mappingsDir = cxmlMappingsDir();
    t = await startTestHub({
      configure: (c) => {
        // The cXML formats alone (whatever else mappings/ holds), sent by the two cXML partners.
        c.paths.mappings = mappingsDir;
        c.partners = JSON.parse(JSON.stringify(CXML_PARTNERS));
      },
    });
  });
  after(async () => {
    await t?.close();
    rmSync(mappingsDir, { recursive: true, force: true });
  });
  // The hub's JSON view (a client asking for JSON); a cXML client's own answer is tested at the end.
  const post = (body: Buffer | string, partner: string) => call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body, contentType: 'text/xml', accept: 'application/json' });
  const postAsCxmlClient = (body: Buffer | string, partner: string) => call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body, contentType: 'text/xml' });
  const statusOf = (reply: string) => /<Status code="(\d+)"/.exec(reply)?.[1];

  it('answers a cXML client in cXML: 201 for a new document, 200 for the same again, the refusal code otherwise; HTTP status unchanged', async () => {
    const xml = read('cxml-order-request/officeluv-order-request.xml').toString('utf8').replace(/orderID="[^"]*"/, 'orderID="CXML-REPLY-1"');
    const first = await postAsCxmlClient(xml, 'cxml-customer');
    expect(first.status).to.equal(202);
    expect(first.headers.get('content-type')).to.match(/^text\/xml/);
    expect(String(first.body)).to.match(/^<\?xml[^>]*\?>\s*<!DOCTYPE cXML SYSTEM "http:\/\/xml\.cxml\.org\/schemas\/cXML\/[\d.]+\/cXML\.dtd">/);
    expect(statusOf(String(first.body))).to.equal('201');
    const again = await postAsCxmlClient(xml, 'cxml-customer');
    expect([again.status, statusOf(String(again.body))]).to.deep.equal([200, '200']);
    const refused = await postAsCxmlClient(read('cxml-order-request/cxml-php-handling-order-request.xml'), 'cxml-customer');
    expect([refused.status, statusOf(String(refused.body))]).to.deep.equal([400, '400']);
    expect(String(refused.body)).to.contain('HUB_ERR_XML_DOCTYPE_FORBIDDEN');
  });

  it('accepts every sample with an expected canonical document and delivers it as that document', async () => {
    let accepted = 0;
    for (const format of Object.keys(CXML_SENDER)) {
      for (const name of readdirSync(path.join(FIXTURES, format)).filter((n) => n.endsWith('.expected.json'))) {
        const xml = read(`${format}/${name.replace('.expected.json', '.xml')}`);
        const expected = JSON.parse(read(`${format}/${name}`).toString('utf8'));
        const r = await post(xml, CXML_SENDER[format]!);
        expect(r.status, `${name}: ${JSON.stringify(r.body)}`).to.equal(202);
        expect([r.body.documentType, r.body.documentNumber]).to.deep.equal([expected.type, expected.documentNumber]);
        const message = await waitForStatus(t, r.body.id);
        expect(message.status, `${name}: ${JSON.stringify(message.history?.slice(-1))}`).to.equal('delivered');
        expect(message.format).to.equal(format);
        accepted++;
      }
    }
    expect(accepted).to.equal(9);
  });

  it('answers the same bytes again 200 with the original id', async () => {
    const xml = read('cxml-order-request/officeluv-order-request.xml');
    const again = await post(xml, 'cxml-customer');
    expect([again.status, again.body.duplicate]).to.deep.equal([200, true]);
  });

  it('refuses a DOCTYPE not on the allow-list (400), naming the accepted system ids', async () => {
    const r = await post(read('cxml-order-request/cxml-php-handling-order-request.xml'), 'cxml-customer');
    expect([r.status, r.body.code]).to.deep.equal([400, 'HUB_ERR_XML_DOCTYPE_FORBIDDEN']);
    expect(r.body.detail).to.contain('names system id "http://xml.cxml.org/schemas/cXML/1.2.060/Custom.dtd", which none of your formats accepts');
    expect(r.body.detail).to.contain('"http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd"');
    expect(r.body.errors[0].line).to.equal(1); // this sample has the XML declaration and the DOCTYPE on one line
  });

  it('refuses a document failing its DTD (422 HUB_ERR_DTD_INVALID) with the lines of its problems', async () => {
    const xml = read('cxml-order-request/cxml-php-handling-order-request.xml').toString('utf8').replace('1.2.060/Custom.dtd', '1.2.063/cXML.dtd');
    const r = await post(xml, 'cxml-customer');
    expect([r.status, r.body.code]).to.deep.equal([422, 'HUB_ERR_DTD_INVALID']);
    expect(r.body.errors.map((e: { line: number }) => e.line)).to.deep.equal([57, 58, 58, 58]);
  });

  it('tells the kinds apart by path: a ship notice from a customer is not a document type it may send', async () => {
    const notice = read('cxml-ship-notice/cxml-php-sample-ship-notice-request.xml').toString('utf8');
    const withDoctype = await post(notice, 'cxml-customer');
    expect([withDoctype.status, withDoctype.body.code]).to.deep.equal([400, 'HUB_ERR_XML_DOCTYPE_FORBIDDEN']);
    const r = await post(notice.replace(/<!DOCTYPE[^>]*>/, ''), 'cxml-customer');
    expect([r.status, r.body.code]).to.deep.equal([422, 'HUB_ERR_DOCUMENT_TYPE_UNKNOWN']);
    expect(r.body.detail).to.contain('Accepted: cxml-order-request (/cXML/Request/OrderRequest)');
    expect(r.body.detail).to.contain('/cXML/Request/ShipNoticeRequest');
  });

  it('binds the sender: an order whose Header/From is not the partner\'s is refused (403)', async () => {
    const xml = read('cxml-order-request/officeluv-order-request.xml').toString('utf8').replace('<Identity>kasdflkjasdf</Identity>', '<Identity>someone-else</Identity>');
    const r = await post(xml, 'cxml-customer');
    expect([r.status, r.body.code]).to.deep.equal([403, 'HUB_ERR_SENDER_MISMATCH']);
  });
});
