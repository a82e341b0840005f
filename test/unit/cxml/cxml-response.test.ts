import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { DtdValidator, XmlDocument, XmlDtd } from 'libxml2-wasm';
import { cxmlAccepted, cxmlRefused, cxmlStatusResponse, cxmlVersionOf, isCxmlRequest } from '../../../src/xml/cxml-response.js';
import { ROOT } from '../../helpers/test-hub.js';

const NOW = new Date('2024-05-01T10:20:30.456Z');
const OPTIONS = { now: NOW, host: 'hub.example.com', version: '1.2.050' };
const order = readFileSync(path.join(ROOT, 'fixtures/cxml/cxml-order-request/cxml-php-sample-order-request.xml'));

/** The payloadID is random; the rest is fixed. */
const withoutPayloadId = (body: string) => body.replace(/payloadID="\d+\.\d+\.[0-9a-f]{12}@hub\.example\.com"/, 'payloadID="X"');

describe('cXML response (src/xml/cxml-response.ts)', () => {
  let validator: DtdValidator;
  before(() => {
    validator = new DtdValidator(XmlDtd.fromBuffer(readFileSync(path.join(ROOT, 'schemas/cxml/1.2.063/cXML.dtd'))));
  });
  after(() => validator.dispose());

  it('answers an accepted document 201 Accepted, written by hand from the cXML User\'s Guide (Response, Status)', () => {
    const reply = cxmlAccepted({ id: '0190c3a1-7b2e-7c3d-9e8f-0a1b2c3d4e5f', documentType: 'Order', documentNumber: 'DO1234', duplicate: false }, OPTIONS);
    expect(reply.contentType).to.equal('text/xml; charset=utf-8');
    expect(withoutPayloadId(reply.body)).to.equal(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">
<cXML payloadID="X" timestamp="2024-05-01T10:20:30+00:00" xml:lang="en-US">
  <Response>
    <Status code="201" text="Accepted" xml:lang="en">Order DO1234 accepted as message 0190c3a1-7b2e-7c3d-9e8f-0a1b2c3d4e5f; the hub processes it now.</Status>
  </Response>
</cXML>
`);
  });

  it('answers a re-sent document 200 OK, naming the message it already is', () => {
    const reply = cxmlAccepted({ id: 'm-1', documentType: 'Invoice', documentNumber: '3495', duplicate: true }, OPTIONS);
    expect(reply.body).to.contain('<Status code="200" text="OK" xml:lang="en">Invoice 3495 was already accepted as message m-1; it is not processed again.</Status>');
  });

  it('answers each refusal with its HTTP status as the code, the hub error code, and each problem\'s line and element path', () => {
    const reply = cxmlRefused(
      {
        status: 422,
        code: 'HUB_ERR_DTD_INVALID',
        detail: 'The Order (cxml-order-request) does not conform to its DTD cxml/1.2.063/cXML.dtd: 2 problem(s), first at line 57: Element Payment content does not follow the DTD',
        errors: [
          { line: 57, path: '/cXML/Request/OrderRequest/OrderRequestHeader/Payment', message: 'Element Payment content does not follow the DTD, expecting (PCard), got (PaymentReference )' },
          { line: 58, column: 3, message: 'No declaration for element <PaymentReference> & "friends"' },
        ],
      },
      OPTIONS,
    );
    expect(reply.body).to.contain(`<Status code="422" text="Unprocessable Entity" xml:lang="en">HUB_ERR_DTD_INVALID: The Order (cxml-order-request) does not conform to its DTD cxml/1.2.063/cXML.dtd: 2 problem(s), first at line 57: Element Payment content does not follow the DTD
line 57 /cXML/Request/OrderRequest/OrderRequestHeader/Payment: Element Payment content does not follow the DTD, expecting (PCard), got (PaymentReference )
line 58:3: No declaration for element &lt;PaymentReference&gt; &amp; &quot;friends&quot;</Status>`);
    const codes: Array<[number, string]> = [
      [400, 'Bad Request'],
      [401, 'Unauthorized'],
      [403, 'Forbidden'],
      [409, 'Conflict'],
      [413, 'Payload Too Large'],
      [415, 'Unsupported Media Type'],
      [429, 'Too Many Requests'],
      [500, 'Internal Server Error'],
      [503, 'Service Unavailable'],
    ];
    for (const [status, text] of codes) {
      expect(cxmlRefused({ status, code: 'HUB_ERR_X', detail: 'd' }, OPTIONS).body).to.contain(`<Status code="${status}" text="${text}" xml:lang="en">HUB_ERR_X: d</Status>`);
    }
  });

  it('writes answers that are valid against cXML.dtd and well-formed whatever the message holds', () => {
    const messages = ['plain', 'a]]>b <![CDATA[ & </Status> "quoted" \u0000\u0007 control', '\uD83D\uDE00 emoji and \uFFFE non-character', 'x'.repeat(10_000)];
    for (const message of messages) {
      for (const reply of [cxmlStatusResponse(400, message), cxmlRefused({ status: 500, code: 'HUB_ERR_INTERNAL', detail: message, errors: Array.from({ length: 30 }, (_, i) => ({ line: i + 1, message })) })]) {
        const doc = XmlDocument.fromString(reply.body);
        try {
          validator.validate(doc);
          expect(doc.get('/cXML/Response/Status/@code')?.content).to.match(/^(400|500)$/);
        } finally {
          doc.dispose();
        }
      }
    }
    expect(cxmlRefused({ status: 400, code: 'C', detail: 'd', errors: Array.from({ length: 25 }, () => ({ message: 'm' })) }).body).to.contain('(5 more problem(s))');
  });

  it('gives every answer its own payloadID, and an ISO 8601 timestamp with offset', () => {
    const a = cxmlStatusResponse(201, 'x', { now: NOW, host: 'h' }).body;
    const b = cxmlStatusResponse(201, 'x', { now: NOW, host: 'h' }).body;
    const id = (s: string) => /payloadID="([^"]+)"/.exec(s)![1];
    expect(id(a)).to.match(new RegExp(`^${NOW.getTime()}\\.${process.pid}\\.[0-9a-f]{12}@h$`));
    expect(id(a)).not.to.equal(id(b));
    expect(a).to.contain('timestamp="2024-05-01T10:20:30+00:00"');
    expect(cxmlStatusResponse(200, 'x', { now: NOW, version: '../../etc' }).body).to.contain('/cXML/1.2.063/cXML.dtd');
  });

  it('tells a cXML request by its DOCTYPE or root, in UTF-8, with a BOM or in UTF-16, and reads its version', () => {
    expect(isCxmlRequest(order, 'text/xml')).to.equal(true);
    expect(cxmlVersionOf(order)).to.equal('1.2.050');
    expect(isCxmlRequest(Buffer.from('<?xml version="1.0"?>\n<!-- c -->\n<cXML payloadID="1"><Request>'), 'application/xml')).to.equal(true);
    expect(isCxmlRequest(Buffer.from('\uFEFF<cXML/>'))).to.equal(true);
    expect(isCxmlRequest(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<?xml version="1.0" encoding="UTF-16"?><cXML/>', 'utf16le')]))).to.equal(true);
    expect(isCxmlRequest(Buffer.from('<cXML'), 'text/xml')).to.equal(false, 'not even a tag');
    expect(isCxmlRequest(Buffer.from('<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><cXML/></Order>'))).to.equal(false);
    expect(isCxmlRequest(Buffer.from('<cXMLish/>'))).to.equal(false);
    expect(isCxmlRequest(Buffer.from('UNA:+.? \'UNB+UNOC:3'))).to.equal(false);
    expect(isCxmlRequest(order, 'multipart/form-data; boundary=x')).to.equal(false);
    expect(isCxmlRequest(Buffer.alloc(0))).to.equal(false);
    expect(isCxmlRequest(undefined)).to.equal(false);
    expect(cxmlVersionOf(Buffer.from('<cXML/>'))).to.equal(undefined);
  });
});
