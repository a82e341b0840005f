/**
 * The other acknowledgements of outbound documents through the real hub: an EDIFACT ORDERS to globex (its mailbox)
 * answered by the supplier's CONTRL, posted back through the intake and matched by our UNB 0020 (accepted; a UCM
 * with action 4 rejected); a cXML OrderRequest POSTed to a supplier's HTTPS endpoint answered in the same HTTP
 * exchange by a cXML Response, whose Status code decides (200 acknowledged, 400 rejected with its text).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { buildContrl, readEdifact } from '../../src/edi/edifact/index.js';
import { projectRoot } from '../../src/mapping/paths.js';
import { makePki } from '../helpers/pki.js';
import { PartnerEndpoint } from '../helpers/partner-endpoint.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();
const golden = (format: string, name: string) => JSON.parse(readFileSync(path.join(projectRoot(), 'fixtures', 'outbound', format, name), 'utf8'));

describe('Outbound acknowledgements: EDIFACT CONTRL and cXML Response', function () {
  this.timeout(180_000);
  let t: TestHub;
  let endpoint: PartnerEndpoint;
  /** The cXML Status the supplier's endpoint answers with, by order number (200 unless set). */
  const verdicts = new Map<string, { code: number; text: string }>();

  before(async () => {
    const pki = makePki([]);
    endpoint = await PartnerEndpoint.start(pki);
    endpoint.respond = (request, response) => {
      const number = /orderID="([^"]+)"/.exec(request.body.toString('utf8'))?.[1] ?? '';
      const { code, text } = verdicts.get(number) ?? { code: 200, text: 'OK' };
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">\n<cXML payloadID="r-${number}" timestamp="2026-12-02T10:00:00Z"><Response><Status code="${code}" text="${text}">${code === 200 ? '' : 'Item 5555 is discontinued'}</Status></Response></cXML>`,
      );
    };
    t = await startTestHub({
      configure: (config) => {
        config.partners.globex.outbound.formats = { Order: 'edifact-orders' };
        config.partners.globex.outbound.acknowledgement = { expect: 'contrl', withinHours: 24 };
        config.partners['cxml-supplier'].transport = { type: 'https', url: endpoint.url, caFile: pki.caCert, timeoutMs: 5000 };
        config.partners['cxml-supplier'].outbound.acknowledgement = { expect: 'cxml', withinHours: 24 };
      },
    });
  });
  after(async () => {
    await t?.close();
    await endpoint?.close();
  });

  const handOver = async (document: unknown) => {
    const r = await call(t.url, 'POST', '/v1/erp/documents', { key: t.keys.erp, body: JSON.stringify({ documentId: `po-${unique()}`, document }), contentType: 'application/json' });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect((await waitForStatus(t, r.body.messageId)).status).to.equal('delivered');
    return r.body.messageId as string;
  };
  const state = async (id: string) => (await call(t.url, 'GET', `/v1/ops/outbound/${id}`, { key: t.keys.ops })).body;
  let contrlNumber = 800;

  it('an EDIFACT ORDERS in globex\'s mailbox; its CONTRL (UCI 7) marks it acknowledged, one with UCM action 4 rejected', async () => {
    const ids: string[] = [];
    for (const n of [1, 2]) ids.push(await handOver({ ...golden('edifact-orders', 'orders-d96a-purchase.json'), documentNumber: `PO-${unique()}-${n}` }));
    for (const [index, id] of ids.entries()) {
      const record = await state(id);
      expect(record).to.include({ state: 'sent', syntax: 'edifact' });
      expect(record.acknowledgement).to.include({ expected: 'contrl', status: 'pending' });
      const ic = readEdifact(record.body);
      expect(ic.problems).to.deep.equal([]);
      expect(ic.controlNumber).to.equal(record.controlNumbers.interchange);
      const message = ic.groups[0]!.transactions[0]!;
      expect(message.setId).to.equal('ORDERS');
      expect(message.problems).to.deep.equal([]);
      // The supplier's CONTRL, built as a translator builds it; the second reports an error in the message.
      if (index === 1) message.problems.push({ level: 'segment', code: '13', message: 'a mandatory segment is missing', segmentId: 'DTM', segmentPosition: 3 } as never);
      const contrl = buildContrl(ic, { numbers: { interchange: ++contrlNumber, group: 0, transaction: contrlNumber } });
      const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: Buffer.from(contrl, 'latin1'), contentType: 'application/edifact' });
      expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
      expect(posted.body.transactions.map((x: any) => x.outcome)).to.deep.equal(['acknowledgement']);
    }
    expect((await state(ids[0]!)).state).to.equal('acknowledged');
    const rejected = await state(ids[1]!);
    expect(rejected.state).to.equal('rejected');
    expect(rejected.acknowledgement.detail.kind).to.equal('CONTRL');
    expect(rejected.acknowledgement.detail.message.action).to.equal('4');
  });

  it('a cXML OrderRequest to the supplier\'s endpoint: its Response 200 acknowledges it at once, a Response 400 rejects it with its text', async () => {
    const base = golden('cxml-order-request', 'purchase-cxml-supplier.json');
    const [good, bad] = [`PO-${unique()}`, `PO-${unique()}`];
    verdicts.set(bad, { code: 400, text: 'Bad Request' });
    const ids = [await handOver({ ...base, documentNumber: good }), await handOver({ ...base, documentNumber: bad })];
    const sent = endpoint.received.find((r) => r.body.toString('utf8').includes(`orderID="${good}"`))!;
    expect(sent.headers['content-type']).to.match(/xml/);
    expect(sent.body.toString('utf8')).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<!DOCTYPE cXML SYSTEM "http:\/\/xml.cxml.org\/schemas\/cXML\/1\.2\.0\d\d\/cXML.dtd">/);
    const ok = await state(ids[0]!);
    expect(ok.state).to.equal('acknowledged');
    expect(ok.acknowledgement.detail).to.include({ code: 200, text: 'OK' });
    const refused = await state(ids[1]!);
    expect(refused.state).to.equal('rejected');
    expect(refused.acknowledgement.detail).to.deep.include({ code: 400, text: 'Bad Request', message: 'Item 5555 is discontinued' });
  });
});
