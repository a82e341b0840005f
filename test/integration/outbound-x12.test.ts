/**
 * Outbound X12 through the real hub, to a supplier's HTTPS endpoint (a real node:https server with a test CA): the
 * ERP's purchase order leaves as an X12 850 with its ISA/GS/ST envelope and counts, numbered from x12-supplier's
 * own sequence; the supplier's 997 (posted back through the intake) marks it acknowledged, a 997 with AK5*R rejected
 * with the partner's reasons, none by the deadline overdue. Two hub processes sending at once never reuse a control
 * number. The endpoint down: retried, then failed with the reason; a replay sends the same bytes and control number.
 */
import { expect } from 'chai';
import { build997, readX12 } from '../../src/edi/x12/index.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { PartnerEndpoint } from '../helpers/partner-endpoint.js';
import { call, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { handOver as handOverDocument, purchaseOrder, unique } from '../helpers/outbound.js';

/** A purchase order from us to 1 EDI Source (vendor VEND-X12DEMO: x12-supplier), two widgets. */
const purchase = (number: string) =>
  purchaseOrder(number, {
    vendor: 'VEND-X12DEMO',
    vendorName: '1 EDI Source',
    currency: 'USD',
    lines: [
      { lineNumber: '1', sku: 'SKU-X12-01', description: 'SMALL WIDGET', quantity: 120, unitCode: 'EA', price: 9.25 },
      { lineNumber: '2', sku: 'SKU-X12-02', description: 'MEDIUM WIDGET', quantity: 220, unitCode: 'EA', price: 13.79 },
    ],
  });

describe('Outbound X12: an 850 to the supplier, its 997 back', function () {
  this.timeout(180_000);
  let t: TestHub;
  let second: TestHub | undefined;
  let pki: Pki;
  let endpoint: PartnerEndpoint;
  const WITHIN_HOURS = 0.002; // 7.2 s: long enough to post a 997 in time, short enough to see one overdue

  before(async () => {
    pki = makePki([]);
    endpoint = await PartnerEndpoint.start(pki);
    t = await startTestHub({
      configure: (config) => {
        const supplier = config.partners['x12-supplier'];
        supplier.transport = { type: 'https', url: endpoint.url, caFile: pki.caCert, timeoutMs: 5000 };
        supplier.outbound.acknowledgement = { expect: '997', withinHours: WITHIN_HOURS };
      },
    });
  });
  after(async () => {
    await second?.close();
    await t?.close();
    await endpoint?.close();
  });

  const handOver = (number: string) => handOverDocument(t, purchase(number), `po-${number}`);
  const state = async (id: string) => (await call(t.url, 'GET', `/v1/ops/outbound/${id}`, { key: t.keys.ops })).body;
  const sentTo = (number: string) => endpoint.received.filter((r) => r.body.toString('latin1').includes(`BEG*00*SA*${number}*`));
  /** The supplier's 997 for an 850 it received: built as any X12 translator would, addressed back to us. */
  let ackNumber = 700;
  const ackFor = (x850: string, reject = false) => {
    let text = build997(readX12(x850), { numbers: { interchange: ++ackNumber, group: ackNumber, transaction: ackNumber } });
    if (reject) text = text.replace(/AK5\*A~AK9\*A\*1\*1\*1~SE\*6\*/, 'AK3*PO1*4**8~AK4*3*355*7*ZZ~AK5*R*5~AK9*R*1*1*0~SE*8*');
    return text;
  };
  const postAck = (text: string) => call(t.url, 'POST', '/v1/documents', { key: t.keys.partners['x12-supplier'], body: Buffer.from(text, 'latin1'), contentType: 'application/edi-x12' });

  it('the 850 leaves with its envelope and counts read back clean by the hub\'s own X12 rules; the supplier\'s 997 marks it acknowledged', async () => {
    const number = `PO-${unique()}`;
    const id = await handOver(number);
    expect((await waitForStatus(t, id)).status).to.equal('delivered');
    const [request] = sentTo(number);
    expect(request, 'the endpoint got the 850').to.not.equal(undefined);
    expect(request!.headers['content-type']).to.match(/^application\/edi-x12/);
    const text = request!.body.toString('latin1');
    const ic = readX12(text);
    expect(ic.problems, 'envelope').to.deep.equal([]);
    const [group] = ic.groups;
    expect(group!.problems).to.deep.equal([]);
    const [tx] = group!.transactions;
    expect(tx!.setId).to.equal('850');
    expect(tx!.problems, 'the 850 breaks no rule of its set').to.deep.equal([]);
    // ISA05/06 our company.x12, ISA07/08 the supplier's outbound.x12; SE01 counts ST..SE.
    expect([ic.sender, ic.receiver]).to.deep.equal([{ qualifier: '01', id: '999999999' }, { qualifier: '12', id: '4405197800' }]);
    const se = tx!.segments.find((s) => s.id === 'SE')!;
    expect(Number(se.elements[0])).to.equal(tx!.segments.length);
    const record = await state(id);
    expect(record.controlNumbers.interchange).to.equal(ic.controlNumber);
    expect(record.controlNumbers.group).to.equal(group!.controlNumber);
    expect(record).to.include({ state: 'sent' });
    expect(record.acknowledgement).to.include({ expected: '997', status: 'pending' });

    const answer = await postAck(ackFor(text));
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    expect(answer.body.transactions.map((x: any) => x.outcome)).to.deep.equal(['acknowledgement']);
    const after = await state(id);
    expect(after.state).to.equal('acknowledged');
    expect(after.acknowledgement).to.include({ status: 'accepted' });
    const acks = await call(t.url, 'GET', '/v1/ops/acknowledgements?partner=x12-supplier', { key: t.keys.ops });
    expect(acks.body.acknowledgements[0].matchedInterchangeId).to.equal(id);
  });

  it('a 997 with AK5*R marks it rejected with the partner\'s reasons (AK3/AK4); none by the deadline marks another overdue', async () => {
    const [rejected, late] = [`PO-${unique()}`, `PO-${unique()}`];
    const ids = [await handOver(rejected), await handOver(late)];
    for (const id of ids) await waitForStatus(t, id);
    const answer = await postAck(ackFor(sentTo(rejected)[0]!.body.toString('latin1'), true));
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    const record = await state(ids[0]!);
    expect(record.state).to.equal('rejected');
    expect(record.acknowledgement.status).to.equal('rejected');
    expect(record.acknowledgement.detail).to.deep.include({ kind: '997', setId: '850', status: 'R', codes: ['5'] });
    expect(record.acknowledgement.detail.errors[0]).to.deep.include({ segmentId: 'PO1', segmentPosition: 4, code: '8' });
    // The other: no 997, past its deadline.
    await waitFor(async () => ((await state(ids[1]!)).state === 'overdue' ? true : undefined), 'the document without a 997 to be overdue', 30_000);
    const overdue = await call(t.url, 'GET', '/v1/ops/outbound?partner=x12-supplier&state=overdue', { key: t.keys.ops });
    expect(overdue.body.documents.map((d: any) => d.messageId)).to.include(ids[1]);
    const metrics = await call(t.url, 'GET', '/metrics', { key: t.keys.ops });
    expect(String(metrics.body)).to.match(/hub_outbound_documents\{partner="x12-supplier",state="overdue"\} [1-9]/);
    expect(String(metrics.body)).to.match(/hub_outbound_documents\{partner="x12-supplier",state="rejected"\} [1-9]/);
  });

  it('two hub processes building at once never reuse a control number: every ISA13, GS06 and ST02 once, and the ISA13s 1..n with no gap', async () => {
    // A second hub process (workers only) on the same PostgreSQL schema and Redis prefix: the build jobs go to
    // whichever worker takes them first, so both take numbers from x12-supplier's one sequence at the same time.
    second = await startTestHub({ prefix: t.prefix, server: false, configure: (config) => Object.assign(config.partners['x12-supplier'], { transport: { type: 'https', url: endpoint.url, caFile: pki.caCert, timeoutMs: 5000 } }) });
    const numbers = Array.from({ length: 24 }, () => `PO-${unique()}`);
    const ids = await Promise.all(numbers.map(handOver));
    for (const id of ids) expect((await waitForStatus(t, id, ['delivered', 'failed'], 60_000)).status).to.equal('delivered');
    const { rows } = await t.hub.db.query<{ interchange_number: string; group_number: string; transaction_number: string }>("SELECT interchange_number, group_number, transaction_number FROM outbound_documents WHERE partner = 'x12-supplier'");
    for (const column of ['interchange_number', 'group_number', 'transaction_number'] as const) expect(new Set(rows.map((r) => r[column])).size, column).to.equal(rows.length);
    const isa = rows.map((r) => Number(r.interchange_number)).sort((a, b) => a - b);
    expect(isa).to.deep.equal(Array.from({ length: isa.length }, (_, i) => i + 1));
  });

  it('the endpoint down: retried, then failed with the reason; a replay sends the same bytes with the same control number', async () => {
    const number = `PO-${unique()}`;
    const keep = endpoint.respond;
    endpoint.respond = (_request, response) => response.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
    let id: string;
    try {
      id = await handOver(number);
      const failed = await waitForStatus(t, id, ['failed', 'delivered'], 60_000);
      expect(failed.status).to.equal('failed');
      expect(failed.error.code).to.equal('HUB_ERR_TRANSPORT_UNAVAILABLE');
      expect(failed.history.filter((h: any) => h.step === 'delivery-retry').length).to.be.greaterThan(0);
    } finally {
      endpoint.respond = keep;
    }
    const attempts = sentTo(number);
    expect(attempts.length, 'attempts made while it was down').to.be.greaterThan(1);
    const before = (await state(id)).controlNumbers;
    const replay = await call(t.url, 'POST', `/v1/ops/messages/${id}/replay`, { key: t.keys.ops, body: '{}', contentType: 'application/json' });
    expect(replay.status, JSON.stringify(replay.body)).to.equal(202);
    expect((await waitForStatus(t, id, ['delivered'], 60_000)).status).to.equal('delivered');
    const all = sentTo(number);
    const last = all[all.length - 1]!;
    expect(last.body.equals(attempts[0]!.body), 'the same bytes as the first attempt').to.equal(true);
    expect(new Set(all.map((r) => r.headers['idempotency-key'])).size, 'one idempotency key throughout').to.equal(1);
    expect((await state(id)).controlNumbers).to.deep.equal(before);
    expect(readX12(last.body.toString('latin1')).controlNumber).to.equal(before.interchange);
  });
});
