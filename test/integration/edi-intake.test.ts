/**
 * X12 and EDIFACT through the real intake (HTTP, PostgreSQL, Redis, the workers): a partner posts a real
 * interchange and gets its 997 or CONTRL (in the answer when it asks, and in its mailbox), each transaction
 * becomes a message linked to its interchange and is delivered as the canonical document its golden file says;
 * a repeated interchange is a duplicate, a reused control number with other content is refused, a broken
 * envelope gets a TA1 and a refusal, a transaction breaking its set's rules a 997 AK5 R and a refusal naming the
 * segment and element; bodies that are neither XML nor EDI get a 400 naming what the partner may send.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readX12 } from '../../src/edi/x12/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const x12 = (name: string) => readFileSync(path.join(FIXTURES, 'x12', name), 'latin1');
const edifact = (name: string) => readFileSync(path.join(FIXTURES, 'edifact', name), 'latin1');
const expected = (folder: string, name: string) => JSON.parse(readFileSync(path.join(FIXTURES, folder, name), 'utf8'));

/** The 850 of node-x12 with its own interchange control number and order number, so each test has its own. */
function order850(icn: number, number: string): string {
  const control = String(icn).padStart(9, '0');
  return x12('node-x12-850.edi').replace('*000003438*0*P*', `*${control}*0*P*`).replace('IEA*1*000003438', `IEA*1*${control}`).replace('BEG*00*SA*08292233294*', `BEG*00*SA*${number}*`);
}

/** The segments of an X12 text, without the ISA/GS dates and times (ISA09, ISA10, GS04, GS05). */
function segmentsOf(text: string): string[] {
  const ic = readX12(text);
  const e = ic.delimiters.element;
  return [ic.header, ...ic.groups.flatMap((g) => [g.header!, ...g.transactions.flatMap((t) => t.segments)])].filter(Boolean).map((s) => {
    const raw = text.slice(s.start, s.end).replace(/[~\r\n]+$/, '');
    const parts = raw.split(e);
    if (s.id === 'ISA') parts[9] = parts[10] = '';
    if (s.id === 'GS') parts[4] = parts[5] = '';
    return parts.join(e);
  });
}

describe('X12 and EDIFACT at the intake', function () {
  this.timeout(120_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());

  const post = (partner: string, body: string, contentType = 'application/edi-x12', accept?: string) =>
    call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body: Buffer.from(body, 'latin1'), contentType, ...(accept ? { accept } : {}) });

  it('an X12 850 becomes a message linked to its interchange, delivered as its golden canonical document, with a 997 accepting it', async () => {
    const r = await post('x12-customer', x12('node-x12-850.edi'));
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.body.interchange).to.include({ controlNumber: '000003438', status: 'accepted', duplicate: false, transactions: 1, accepted: 1 });
    expect(r.body.transactions).to.have.length(1);
    const [tx] = r.body.transactions;
    expect(tx).to.include({ setId: '850', controlNumber: '000000010', outcome: 'accepted', documentType: 'Order', documentNumber: '08292233294' });
    const message = await waitForStatus(t, tx.id);
    expect(message.status, JSON.stringify(message.history.slice(-2))).to.equal('delivered');
    expect(await t.hub.store.canonical(tx.id)).to.deep.equal(expected('x12', 'node-x12-850.expected.json')[0]);
    const stored = (await t.hub.db.query('SELECT interchange_id FROM messages WHERE id = $1', [tx.id])).rows[0];
    expect(stored.interchange_id).to.equal(r.body.interchange.id);
    // The 997: one group acknowledged (AK1 PO 1421), the 850 accepted (AK2/AK5 A), AK9 A 1 1 1.
    const [ack] = r.body.acknowledgements;
    expect(ack.kind).to.equal('997');
    const segments = segmentsOf(ack.content);
    expect(segments.filter((s) => /^(AK1|AK2|AK5|AK9)\*/.test(s))).to.deep.equal(['AK1*PO*1421', 'AK2*850*000000010', 'AK5*A', 'AK9*A*1*1*1']);
    // Sender and receiver swapped from the 850's ISA.
    expect(segments[0]!.split('*').slice(5, 9)).to.deep.equal(['01', '999999999      ', '12', '4405197800     ']);
    // The partner sees the interchange and its 997.
    const view = await call(t.url, 'GET', `/v1/interchanges/${r.body.interchange.id}`, { key: t.keys.partners['x12-customer'] });
    expect(view.status).to.equal(200);
    expect(view.body.messages.map((m: any) => m.id)).to.deep.equal([tx.id]);
    expect(view.body.acknowledgements.map((a: any) => a.kind)).to.deep.equal(['997']);
    expect((await call(t.url, 'GET', `/v1/interchanges/${r.body.interchange.id}`, { key: t.keys.partners.acme })).status).to.equal(404);
  });

  it('the same interchange again answers 200 with the first outcome and stores nothing new; its control number with other content is refused (409)', async () => {
    const again = await post('x12-customer', x12('node-x12-850.edi'));
    expect(again.status).to.equal(200);
    expect(again.body.interchange.duplicate).to.equal(true);
    expect(again.body.transactions[0].outcome).to.equal('duplicate');
    const counts = (await t.hub.db.query("SELECT (SELECT count(*)::int FROM interchanges WHERE control_number = '000003438') AS i, (SELECT count(*)::int FROM messages WHERE document_number = '08292233294') AS m")).rows[0];
    expect(counts).to.deep.equal({ i: 1, m: 1 });
    const reused = await post('x12-customer', x12('node-x12-850.edi').replace('BEG*00*SA*08292233294*', 'BEG*00*SA*OTHER-1*'));
    expect(reused.status).to.equal(409);
    expect(reused.body.code).to.equal('HUB_ERR_INTERCHANGE_DUPLICATE');
    expect(reused.body.detail).to.contain('Interchange control number 000003438 from 12:4405197800 was already used');
  });

  it('a batch body of several interchanges: each taken on its own (number, duplicate check, 997), listed in order; one reusing a number is refused alone', async () => {
    const batch = [order850(3601, 'EDI-BATCH-1'), order850(3602, 'EDI-BATCH-2'), order850(3601, 'EDI-BATCH-OTHER')].join('\n');
    const r = await post('x12-customer', batch);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.headers.get('content-type')).to.match(/^application\/json/);
    const [first, second, third] = r.body.interchanges;
    expect(r.body.interchanges).to.have.length(3);
    expect(first.interchange).to.include({ controlNumber: '000003601', status: 'accepted', duplicate: false });
    expect(second.interchange).to.include({ controlNumber: '000003602', status: 'accepted', duplicate: false });
    expect(third).to.include({ status: 409, code: 'HUB_ERR_INTERCHANGE_DUPLICATE' });
    expect(third.detail).to.contain('Interchange control number 000003601 from 12:4405197800 was already used');
    for (const answer of [first, second]) {
      expect(segmentsOf(answer.acknowledgements[0].content)).to.include('AK9*A*1*1*1');
      expect((await waitForStatus(t, answer.transactions[0].id)).status).to.equal('delivered');
    }
    const numbers = (await t.hub.db.query("SELECT document_number FROM messages WHERE document_number LIKE 'EDI-BATCH-%' ORDER BY 1")).rows.map((row) => row.document_number);
    expect(numbers).to.deep.equal(['EDI-BATCH-1', 'EDI-BATCH-2']);

    // The real node-x12 batch file: the same interchange twice, taken already by the first test: 200, both duplicates.
    const fat = await post('x12-customer', x12('node-x12-850-fat.edi'));
    expect(fat.status, JSON.stringify(fat.body)).to.equal(200);
    expect(fat.body.interchanges.map((a: any) => [a.interchange.controlNumber, a.interchange.duplicate])).to.deep.equal([['000003438', true], ['000003438', true]]);

    // Asked for the 997s themselves: one per interchange, one after the other.
    const text = await post('x12-customer', [order850(3603, 'EDI-BATCH-3'), order850(3604, 'EDI-BATCH-4')].join('\r\n'), 'application/edi-x12', 'application/edi-x12');
    expect(text.status).to.equal(202);
    expect(String(text.body).match(/AK9\*A\*1\*1\*1/g)).to.have.length(2);
    expect(String(text.body).match(/IEA\*1\*/g)).to.have.length(2);
  });

  it('asked for (Accept: application/edi-x12), the answer is the 997 itself; it is also in the partner mailbox until acknowledged', async () => {
    const r = await post('x12-customer', order850(3501, 'EDI-MAILBOX-1'), 'application/edi-x12', 'application/edi-x12');
    expect(r.status).to.equal(202);
    expect(r.headers.get('content-type')).to.match(/^application\/edi-x12/);
    expect(String(r.body)).to.match(/^ISA\*/);
    expect(segmentsOf(String(r.body))).to.include('AK9*A*1*1*1');
    const box = await call(t.url, 'GET', '/v1/partner/messages?limit=50', { key: t.keys.partners['x12-customer'] });
    expect(box.status).to.equal(200);
    const mine = box.body.messages.filter((m: any) => m.document === String(r.body));
    expect(mine).to.have.length(1);
    expect(mine[0]).to.include({ kind: 'acknowledgement', documentType: '997', contentType: 'application/edi-x12' });
    expect((await call(t.url, 'POST', `/v1/partner/messages/${mine[0].id}/ack`, { key: t.keys.partners.acme })).status).to.equal(404);
    expect((await call(t.url, 'POST', `/v1/partner/messages/${mine[0].id}/ack`, { key: t.keys.partners['x12-customer'] })).status).to.equal(200);
    expect((await call(t.url, 'POST', `/v1/partner/messages/${mine[0].id}/ack`, { key: t.keys.partners['x12-customer'] })).status).to.equal(404);
  });

  it('the 997s the hub sends are numbered per partner, increasing and without gaps', async () => {
    const a = await post('x12-customer', order850(3502, 'EDI-NUMBER-1'));
    const b = await post('x12-customer', order850(3503, 'EDI-NUMBER-2'));
    const icn = (r: any) => Number(readX12(r.body.acknowledgements[0].content).controlNumber);
    expect(icn(b)).to.equal(icn(a) + 1);
  });

  it('a broken envelope (IEA02 is not ISA13) is refused (400) with a TA1 and a refusal; nothing becomes a message', async () => {
    const r = await post('x12-customer', x12('edited-850-iea02.edi').replace('*000003438*0*P*', '*000003530*0*P*').replace(/BEG\*00\*SA\*\d+\*/, 'BEG*00*SA*EDI-BAD-ENVELOPE*'));
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.code).to.equal('HUB_ERR_EDI_ENVELOPE');
    expect(r.body.interchange.status).to.equal('rejected');
    expect(r.body.acknowledgements.map((a: any) => a.kind)).to.deep.equal(['TA1']);
    const ta1 = r.body.acknowledgements[0].content as string;
    expect(ta1.split('~').map((s: string) => s.trim()).find((s: string) => s.startsWith('TA1'))).to.match(/^TA1\*000003530\*\d{6}\*\d{4}\*R\*001$/);
    expect((await t.hub.db.query("SELECT count(*)::int AS n FROM messages WHERE document_number = 'EDI-BAD-ENVELOPE'")).rows[0].n).to.equal(0);
    const refusals = await call(t.url, 'GET', '/v1/refusals?code=HUB_ERR_EDI_ENVELOPE', { key: t.keys.partners['x12-customer'] });
    expect(refusals.body.refusals.length).to.be.greaterThan(0);
  });

  it('a transaction breaking its set (N101 not an entity code) is refused (422): 997 AK5 R with AK3/AK4 naming N1 and its element, and a refusal saying the same', async () => {
    const r = await post('x12-customer', x12('edited-850-n101.edi').replace('*000003438*0*P*', '*000003510*0*P*').replace('IEA*1*000003438', 'IEA*1*000003510'));
    expect(r.status, JSON.stringify(r.body)).to.equal(422);
    // A refusal in the problem shape every refusal has (RFC 9457), with the interchange's own fields beside it.
    expect(r.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(r.body).to.include({ type: 'https://b2b-hub.dev/errors/HUB_ERR_EDI_INVALID', status: 422, code: 'HUB_ERR_EDI_INVALID', instance: '/v1/documents' });
    expect(r.body.title).to.be.a('string').and.not.empty;
    expect(r.body.transactions[0].outcome).to.equal('rejected');
    const segments = segmentsOf(r.body.acknowledgements[0].content);
    expect(segments.filter((s) => /^(AK3|AK4|AK5|AK9)\*/.test(s))).to.deep.equal(['AK3*N1*10**8', 'AK4*1*98*7*QQ', 'AK5*R*5', 'AK9*R*1*1*0']);
    const refusals = await call(t.url, 'GET', '/v1/refusals?code=HUB_ERR_EDI_INVALID', { key: t.keys.partners['x12-customer'] });
    const refusal = refusals.body.refusals[0];
    expect(refusal.errors.map((e: any) => e.message).join(' ')).to.contain('segment N1 (position 10), element 1');
  });

  it('X12 sent as text/plain is recognised; a body that is neither XML nor EDI is a 400 naming what the partner may send', async () => {
    const r = await post('x12-customer', order850(3520, 'EDI-PLAIN-1'), 'text/plain');
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const bad = await post('x12-customer', 'hello, this is not a document', 'text/plain');
    expect(bad.status).to.equal(400);
    expect(bad.body.code).to.equal('HUB_ERR_SYNTAX_UNKNOWN');
    expect(bad.body.detail).to.contain('You may send: X12 (Content-Type: application/edi-x12)');
    const asXml = await post('x12-customer', order850(3521, 'EDI-ASXML-1'), 'application/xml');
    expect(asXml.status).to.equal(400);
    expect(asXml.body.detail).to.contain('The body is X12 but its Content-Type (application/xml) says XML');
    const notHis = await post('acme', order850(3522, 'EDI-NOT-ACME'));
    expect(notHis.status).to.equal(415);
    expect(notHis.body.detail).to.contain('none of your formats is X12');
  });

  it('an EDIFACT ORDERS becomes its golden canonical order, with a CONTRL acknowledging the interchange', async () => {
    const r = await post('acme', edifact('orders_d96a_eancom.edi'), 'application/edifact');
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const [tx] = r.body.transactions;
    expect(tx).to.include({ setId: 'ORDERS', outcome: 'accepted', documentType: 'Order', documentNumber: 'PO-4711' });
    expect((await waitForStatus(t, tx.id)).status).to.equal('delivered');
    expect(await t.hub.store.canonical(tx.id)).to.deep.equal(expected('edifact', 'orders_d96a_eancom.expected.json'));
    const [ack] = r.body.acknowledgements;
    expect(ack.kind).to.equal('CONTRL');
    expect(ack.content).to.match(/UNH\+[^']+\+CONTRL:D:3:UN'/);
    expect(ack.content).to.contain("UCI+ORD000123+5412345000013:14+8711111000015:14+7'");
    expect(ack.content).to.not.contain('UCM+');
  });

  it('a 997 or CONTRL a partner sends is kept with what it acknowledges, is not a message and is not acknowledged back', async () => {
    const fa = readFileSync(path.join(FIXTURES, 'x12', 'expected', 'node-x12-850.997'), 'latin1');
    const r = await post('x12-customer', fa);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.body.transactions).to.have.length(1);
    expect(r.body.transactions[0]).to.include({ setId: '997', outcome: 'acknowledgement', documentNumber: '1421' });
    expect(r.body.acknowledgements).to.deep.equal([]);
    const contrl = readFileSync(path.join(FIXTURES, 'edifact', 'expected', 'orders_d96a_eancom.contrl'), 'latin1');
    const c = await post('globex', contrl, 'application/edifact');
    expect(c.status, JSON.stringify(c.body)).to.equal(202);
    expect(c.body.transactions[0]).to.include({ setId: 'CONTRL', outcome: 'acknowledgement', documentNumber: 'ORD000123' });
    expect(c.body.acknowledgements).to.deep.equal([]);
    const listed = await call(t.url, 'GET', '/v1/ops/acknowledgements?unmatched=true', { key: t.keys.ops });
    expect(listed.status).to.equal(200);
    const mine = listed.body.acknowledgements.map((a: any) => [a.partner, a.kind, a.acknowledges, a.status]);
    expect(mine).to.deep.include.members([
      ['x12-customer', '997', '1421', 'accepted'],
      ['globex', 'CONTRL', 'ORD000123', 'accepted'],
    ]);
    const messages = (await t.hub.db.query('SELECT count(*)::int AS n FROM messages WHERE interchange_id = ANY($1::uuid[])', [[r.body.interchange.id, c.body.interchange.id]])).rows[0].n;
    expect(messages).to.equal(0);
    expect((await call(t.url, 'GET', '/v1/ops/acknowledgements?unmatched=maybe', { key: t.keys.ops })).status).to.equal(400);
  });
});

describe('X12 with an ISA off its fixed lengths at the intake', function () {
  this.timeout(120_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub({
      configure: (config) => {
        // stupidedi's 850 of 107 characters (ISA08 is 16): its placeholder buyer SENDER is a party of x12-customer
        // (config/xref/parties.csv); x12-strict is the same partner configured strict.
        config.partners['x12-customer'].partyIds.push('SENDER');
        config.partners['x12-strict'] = { ...config.partners['x12-customer'], name: 'strict', x12: { strictIsa: true } };
      },
    });
  });
  after(async () => t?.close());

  const post = (partner: string, body: string) => call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body: Buffer.from(body, 'latin1'), contentType: 'application/edi-x12' });
  const file = () => readFileSync(path.join(FIXTURES, 'x12', 'stupidedi-850-isa107.edi'), 'latin1');

  it('is taken with the deviation noted: the interchange lists the warning, the TA1 says E (accepted, errors noted) with note 008, the 997 accepts', async () => {
    const r = await post('x12-customer', file());
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    expect(r.body.interchange.status).to.equal('accepted');
    expect(r.body.interchange.warnings.map((w: any) => [w.code, w.segmentId, w.elementPosition])).to.deep.equal([['008', 'ISA', 8]]);
    const kinds = r.body.acknowledgements.map((a: any) => a.kind);
    expect(kinds).to.deep.equal(['TA1', '997']);
    expect(r.body.acknowledgements[0].content).to.contain('~TA1*000000001*260709*1200*E*008~');
    expect(segmentsOf(r.body.acknowledgements[1].content)).to.include('AK9*A*1*1*1');
    expect((await waitForStatus(t, r.body.transactions[0].id)).status).to.equal('delivered');
  });

  it('a partner configured strict (x12.strictIsa) has it refused as before: 400, TA1 R 008', async () => {
    const r = await post('x12-strict', file());
    expect(r.status, JSON.stringify(r.body)).to.equal(400);
    expect(r.body.code).to.equal('HUB_ERR_EDI_ENVELOPE');
    expect(r.body.acknowledgements[0].content).to.contain('~TA1*000000001*260709*1200*R*008~');
  });
});
