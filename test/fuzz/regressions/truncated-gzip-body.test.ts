/**
 * Found by the fuzzer (npm run fuzz): a body sent with Content-Encoding: gzip that is cut short (or is not gzip
 * at all) makes zlib fail inside the body parser with "unexpected end of file" (code Z_BUF_ERROR, status 400,
 * but no body-parser `type`). The problem handler only recognises body-parser errors by `type`, so it answers
 * 500 HUB_ERR_INTERNAL and logs an "unexpected error" for what is the client's mistake.
 */
import zlib from 'node:zlib';
import { expect } from 'chai';
import { goldenFixtures } from '../../helpers/fixtures.js';
import { call, startTestHub, type TestHub } from '../../helpers/test-hub.js';

describe('regression (fuzz): broken compressed bodies', function () {
  this.timeout(60_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());

  const postEncoded = async (body: Buffer, encoding: string) => {
    const r = await fetch(`${t.url}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.keys.partners.acme}`, 'content-type': 'application/xml', 'content-encoding': encoding },
      body: new Uint8Array(body),
    });
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as { code: string } };
  };

  const order = () => goldenFixtures(['ubl-order'])[0]!.bytes;

  it('answers a truncated gzip body with a 4xx problem, not 500', async () => {
    const gz = zlib.gzipSync(order());
    const r = await postEncoded(gz.subarray(0, gz.length >> 1), 'gzip');
    expect(r.status).to.equal(400);
    expect(r.type).to.match(/^application\/problem\+json/);
    expect(r.body.code).to.equal('HUB_ERR_BAD_REQUEST');
  });

  it('answers a body that is not gzip at all, sent as gzip, with a 4xx problem', async () => {
    const r = await postEncoded(order(), 'gzip');
    expect(r.status).to.equal(400);
    expect(r.body.code).to.equal('HUB_ERR_BAD_REQUEST');
  });

  it('still accepts a whole gzip body and still refuses a gzip bomb with 413', async () => {
    const whole = await postEncoded(zlib.gzipSync(order()), 'gzip');
    expect(whole.status).to.be.oneOf([200, 202]);
    const bomb = await postEncoded(zlib.gzipSync(Buffer.alloc(32 * 2 ** 20)), 'gzip');
    expect(bomb.status).to.equal(413);
    expect(bomb.body.code).to.equal('HUB_ERR_PAYLOAD_TOO_LARGE');
  });

  it('keeps the /v1/documents problem shape for a sanity check', async () => {
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: '<a' });
    expect(r.status).to.equal(400);
  });
});
