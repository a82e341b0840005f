/**
 * Found by the EDI fuzz (test/fuzz/edi-fuzz.test.ts, seed 20261211 / 20261222 / 20261233), each cut down by hand to
 * the smallest input that shows it. Every test here fails until its bug is fixed in src/ (they were written against
 * commit 88c54d8 and fail there):
 *  1. a NUL byte in an envelope value (X12 ISA13, EDIFACT UNZ 0020) is 500 HUB_ERR_INTERNAL: PostgreSQL refuses
 *     0x00 in a text column and \u0000 in jsonb (InterchangeStore.record: the problems' `value`/`message`, the
 *     control number; RefusalStore.record: the detail), the driver's error reaches the problem handler;
 *  2. an interchange with a few hundred thousand segments, well under the 5 MiB body limit, is 500: readX12 and
 *     readEdifact throw RangeError (Maximum call stack size exceeded) from `problems.push(...list)` with a list of
 *     that many problems (src/edi/x12/read.ts finishTransaction, src/edi/edifact/validate.ts validateMessage);
 *  3. the TA1 the hub answers to a broken ISA copies the partner's envelope values into its own ISA as they came: an
 *     ISA16 that is the element separator, an ISA05/ISA07 qualifier that is not one ("1 "), so the hub's own
 *     acknowledgement is not a valid interchange by its own reader.
 * The inputs are in fixtures/fuzz-regressions/ (derived from fixtures/x12/node-x12-850.edi and
 * fixtures/edifact/orders_d96a_eancom.edi, see SOURCES.md there); the big ones are built here from the fixtures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readEdifact } from '../../../src/edi/edifact/index.js';
import { EdiSyntaxError } from '../../../src/edi/types.js';
import { readX12 } from '../../../src/edi/x12/index.js';
import { call, ROOT, startTestHub, type TestHub } from '../../helpers/test-hub.js';

const regression = (name: string) => readFileSync(path.join(ROOT, 'fixtures/fuzz-regressions', name));
const fixture = (dir: string, name: string) => readFileSync(path.join(ROOT, 'fixtures', dir, name), 'latin1');

/** node-x12-856.edi with its first HL repeated 400,000 times (3.2 MB, under the 5 MiB body limit). */
function manyHl(): string {
  const text = fixture('x12', 'node-x12-856.edi');
  return text.replace('HL*1**S~', 'HL*1**S~'.repeat(400_000));
}

/** orders_d96a_eancom.edi with its first QTY repeated 200,000 times (2.8 MB). */
function manyQty(): string {
  const text = fixture('edifact', 'orders_d96a_eancom.edi');
  const qty = /QTY\+[^']*'/.exec(text)![0];
  return text.replace(qty, qty.repeat(200_000));
}

/** Reads a text; only EdiSyntaxError may come out (then undefined). */
function readsOrRefuses(read: (text: string) => unknown, text: string): void {
  try {
    read(text);
  } catch (error) {
    if (!(error instanceof EdiSyntaxError)) throw error;
  }
}

describe('regression (EDI fuzz): the readers with hundreds of thousands of segments', function () {
  this.timeout(60_000);

  it('readX12 reads an 856 with 400,000 HL segments (3.2 MB) without a RangeError', () => {
    expect(() => readsOrRefuses(readX12, manyHl())).not.to.throw();
  });

  it('readEdifact reads an ORDERS with 200,000 QTY segments (2.8 MB) without a RangeError', () => {
    expect(() => readsOrRefuses(readEdifact, manyQty())).not.to.throw();
  });
});

describe('regression (EDI fuzz): the intake', function () {
  this.timeout(120_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());

  const post = (partner: string, body: Buffer | string, contentType: string, accept?: string) =>
    call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body: typeof body === 'string' ? Buffer.from(body, 'latin1') : body, contentType, ...(accept ? { accept } : {}) });

  it('a NUL in ISA13 is a 400 naming the envelope, not a 500', async () => {
    const r = await post('x12-customer', regression('edi-x12-nul-in-isa13.edi'), 'application/edi-x12');
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).to.equal(400);
    expect(r.body.code).to.equal('HUB_ERR_EDI_ENVELOPE');
  });

  it('a NUL in the UNZ interchange reference is a 400 naming the envelope, not a 500', async () => {
    const r = await post('acme', regression('edi-edifact-nul-in-unz-reference.edi'), 'application/edifact');
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).to.equal(400);
    expect(r.body.code).to.equal('HUB_ERR_EDI_ENVELOPE');
  });

  it('an X12 interchange with 400,000 segments under the body limit is answered 4xx, not 500', async () => {
    const r = await post('x12-supplier', manyHl(), 'application/edi-x12');
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).to.be.within(400, 499);
  });

  it('an EDIFACT interchange with 200,000 segments under the body limit is answered 4xx, not 500', async () => {
    const r = await post('acme', manyQty(), 'application/edifact');
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).to.be.within(400, 499);
  });

  it('the TA1 for an ISA whose ISA16 is the element separator is itself a readable interchange', async () => {
    const r = await post('x12-customer', regression('edi-x12-isa16-is-element-separator.edi'), 'application/edi-x12', 'application/edi-x12');
    expect(r.status).to.equal(400);
    expect(r.headers.get('content-type')).to.match(/^application\/edi-x12/);
    const ta1 = String(r.body);
    expect(ta1).to.match(/TA1\*000007001\*/); // the TA1 answers the posted interchange (ISA13 000007001)
    const read = readX12(ta1);
    expect(read.problems.filter((p) => p.level === 'interchange').map((p) => p.message)).to.deep.equal([]);
  });

  it('the TA1 for an ISA whose receiver qualifier ISA07 is not one ("1 ") has valid qualifiers of its own', async () => {
    const r = await post('x12-customer', regression('edi-x12-isa07-invalid-qualifier.edi'), 'application/edi-x12', 'application/edi-x12');
    expect(r.status).to.equal(400);
    expect(r.headers.get('content-type')).to.match(/^application\/edi-x12/);
    const ta1 = String(r.body);
    expect(ta1).to.match(/TA1\*000007002\*/);
    const read = readX12(ta1);
    expect(read.problems.filter((p) => p.level === 'interchange').map((p) => p.message)).to.deep.equal([]);
  });
});
