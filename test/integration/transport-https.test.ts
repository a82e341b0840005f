/**
 * The https partner transport (transports/https) against a real local HTTPS server with certificates from a
 * throw-away CA: what it trusts, the client certificate, the signature a partner can check, the Idempotency-Key,
 * and which failures it says are worth retrying.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import httpsTransport from '../../transports/https/index.js';
import { signPayload } from '../../transports/https/signature.js';
import { signBody } from '../../adapters/webhook/signature.js';
import type { OutboundDocument, SendContext, Transport } from '../../src/transports/contract.js';
import { TransportRegistry } from '../../src/transports/registry.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { PartnerEndpoint } from '../helpers/partner-endpoint.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { ROOT } from '../helpers/test-hub.js';

const ORDER_XML = readFileSync(path.join(FIXTURES, 'ubl-order/ubl-order-2.1-example.xml'), 'utf8');
const logger = pino({ level: 'silent' });
const noMailbox = () => ({ put: () => Promise.reject(new Error('unused')), ping: () => Promise.reject(new Error('unused')) });

function orderFor(partner = 'globex'): OutboundDocument {
  return { messageId: randomUUID(), partner, documentType: 'Order', documentNumber: '34', contentType: 'application/xml; charset=utf-8', body: ORDER_XML };
}

function sending(overrides: Partial<SendContext> = {}): SendContext {
  return { idempotencyKey: `${randomUUID()}:globex`, signal: new AbortController().signal, attempt: 1, ...overrides };
}

/** A registry holding one partner, globex, with this transport setting; secrets from `secrets`. */
async function transportOf(setting: Record<string, unknown>, secrets: Record<string, string> = {}): Promise<{ transport: Transport; registry: TransportRegistry }> {
  const registry = await TransportRegistry.create(
    { rootDir: ROOT, partners: { globex: { transport: { type: 'https', ...setting } } } },
    { logger, mailbox: noMailbox, secret: (name) => secrets[name] },
  );
  return { transport: registry.get('globex')!, registry };
}

/** What send threw (it must throw). */
async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('send resolved; it should have thrown');
}

describe('transport https: a real HTTPS partner endpoint', function () {
  this.timeout(30_000);
  let pki: Pki;
  let endpoint: PartnerEndpoint;
  const opened: TransportRegistry[] = [];

  before(async () => {
    pki = makePki(['hub', 'stranger']);
    endpoint = await PartnerEndpoint.start(pki);
  });
  beforeEach(() => {
    endpoint.received.length = 0;
    endpoint.documents.clear();
    endpoint.respond = (request, response) => endpoint.keepOnce(request, response);
  });
  after(async () => {
    await Promise.all(opened.map((r) => r.close()));
    await endpoint?.close();
  });

  async function open(setting: Record<string, unknown>, secrets?: Record<string, string>): Promise<Transport> {
    const { transport, registry } = await transportOf({ url: endpoint.url, caFile: pki.caCert, ...setting }, secrets);
    opened.push(registry);
    return transport;
  }

  it('trusting the partner CA: POSTs the document bytes with its Content-Type and keys, and returns the answer', async () => {
    const answer = 'ISA*00*          *00*          *ZZ*GLOBEX         *ZZ*HUB            *261202*0900*U*00401*000000001*0*P*>~';
    endpoint.respond = (_request, response) => response.writeHead(202, { 'content-type': 'application/edi-x12', location: '/receipts/77' }).end(answer);
    const transport = await open({ headers: { 'X-Partner-Account': 'HUB-1' } });
    const document = orderFor();
    const context = sending();
    const result = await transport.send(document, context);
    expect(result).to.deep.equal({ reference: 'HTTP 202 /receipts/77', status: 202, responseBody: answer, contentType: 'application/edi-x12' });
    expect(endpoint.received).to.have.length(1);
    const [got] = endpoint.received;
    expect(got!.method).to.equal('POST');
    expect(got!.path).to.equal('/edi/inbound');
    expect(got!.body.toString('utf8')).to.equal(ORDER_XML);
    expect(got!.headers).to.include({
      'content-type': 'application/xml; charset=utf-8',
      'idempotency-key': context.idempotencyKey,
      'x-hub-message-id': document.messageId,
      'x-partner-account': 'HUB-1',
    });
    expect(got!.headers).to.not.have.property('x-hub-signature');
  });

  it('refuses a partner whose certificate does not chain to the CAs it trusts: HUB_ERR_TRANSPORT_TLS, not retryable', async () => {
    // No caFile: the system CAs, which never signed the test CA's server certificate.
    const { transport, registry } = await transportOf({ url: endpoint.url });
    opened.push(registry);
    const error = await failure(transport.send(orderFor(), sending()));
    expect(error.code, error.message).to.equal('HUB_ERR_TRANSPORT_TLS');
    expect(error.retryable).to.equal(false);
    expect(error.details.errorCode).to.match(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
    expect(error.message).to.contain('globex').and.contain(new URL(endpoint.url).origin);
    // health() sees the same from a bare TLS connection, without sending a document.
    const health = await transport.health!();
    expect(health.ok).to.equal(false);
    expect(health.detail).to.contain(error.details.errorCode);
    // Another CA's certificate as caFile is refused the same way.
    const other = makePki([]);
    const { transport: second, registry: secondRegistry } = await transportOf({ url: endpoint.url, caFile: other.caCert });
    opened.push(secondRegistry);
    expect((await failure(second.send(orderFor(), sending()))).code).to.equal('HUB_ERR_TRANSPORT_TLS');
    expect(endpoint.received).to.have.length(0);
  });

  describe('a partner that requires a client certificate', () => {
    let strict: PartnerEndpoint;
    before(async () => {
      strict = await PartnerEndpoint.start(pki, { requireClientCert: true });
    });
    after(async () => strict?.close());

    it('takes the document when the hub presents one signed by its CA, from files or from *_FILE secrets', async () => {
      const dir = pki.dir;
      const fromFiles = await open({ url: strict.url, certFile: path.join(dir, 'hub.crt'), keyFile: path.join(dir, 'hub.key') });
      expect((await fromFiles.send(orderFor(), sending())).status).to.equal(200);
      // certEnv/keyEnv go through the context's secret(): the registry's default reads <NAME>_FILE from the env.
      process.env.TEST_PARTNER_CERT_FILE = path.join(dir, 'hub.crt');
      process.env.TEST_PARTNER_KEY_FILE = path.join(dir, 'hub.key');
      try {
        const registry = await TransportRegistry.create(
          { rootDir: ROOT, partners: { globex: { transport: { type: 'https', url: strict.url, caFile: pki.caCert, certEnv: 'TEST_PARTNER_CERT', keyEnv: 'TEST_PARTNER_KEY' } } } },
          { logger, mailbox: noMailbox },
        );
        opened.push(registry);
        expect((await registry.get('globex')!.send(orderFor(), sending())).status).to.equal(200);
      } finally {
        delete process.env.TEST_PARTNER_CERT_FILE;
        delete process.env.TEST_PARTNER_KEY_FILE;
      }
      expect(strict.received.map((r) => r.clientCommonName)).to.deep.equal(['hub', 'hub']);
    });

    it('without one, the partner refuses the handshake and the hub says so, without retrying', async () => {
      const bare = await open({ url: strict.url });
      const before = strict.received.length;
      const error = await failure(bare.send(orderFor(), sending()));
      expect(error.code, error.message).to.equal('HUB_ERR_TRANSPORT_TLS');
      expect(error.retryable).to.equal(false);
      expect(error.message).to.contain('client certificate');
      expect(strict.received).to.have.length(before);
    });
  });

  it('signs each request so that the partner can check it with the shared secret', async () => {
    const secret = 'shared-with-globex-0123456789abcdef';
    const transport = await open({ signature: { secretEnv: 'GLOBEX_HMAC', algorithm: 'sha512', header: 'X-Signature' } }, { GLOBEX_HMAC: secret });
    await transport.send(orderFor(), sending());
    const [got] = endpoint.received;
    const timestamp = String(got!.headers['x-hub-timestamp']);
    expect(timestamp).to.match(/^\d{10}$/);
    // The partner's own check, with node:crypto only: HMAC-SHA512 over "<timestamp>." + the bytes it received.
    const expected = `sha512=${createHmac('sha512', secret).update(`${timestamp}.`).update(got!.body).digest('hex')}`;
    expect(got!.headers['x-signature']).to.equal(expected);
    expect(got!.headers).to.not.have.property('x-hub-signature');
  });

  it('signs with sha256 exactly as the webhook adapter does, so one receiver checks both', () => {
    const body = Buffer.from(ORDER_XML);
    expect(signPayload('sha256', 'secret', 1764666000, body)).to.equal(signBody('secret', 1764666000, body));
  });

  it('sends the same Idempotency-Key on every attempt at a document; the partner keeps one copy', async () => {
    let calls = 0;
    endpoint.respond = (request, response) => {
      calls += 1;
      if (calls === 1) response.writeHead(503, { 'retry-after': '7' }).end('maintenance');
      else endpoint.keepOnce(request, response);
    };
    const transport = await open({});
    const document = orderFor();
    const key = `${document.messageId}:globex`;
    const first = await failure(transport.send(document, sending({ idempotencyKey: key, attempt: 1 })));
    expect(first.code).to.equal('HUB_ERR_TRANSPORT_UNAVAILABLE');
    expect(first.retryable).to.equal(true);
    expect(first.details).to.deep.equal({ status: 503, retryAfterMs: 7000 });
    const second = await transport.send(document, sending({ idempotencyKey: key, attempt: 2 }));
    const third = await transport.send(document, sending({ idempotencyKey: key, attempt: 3 }));
    expect(endpoint.received.map((r) => r.headers['idempotency-key'])).to.deep.equal([key, key, key]);
    expect(endpoint.documents.size).to.equal(1);
    expect(second.reference).to.equal(endpoint.documents.get(key)!.id);
    expect(third.reference).to.equal(second.reference);
  });

  it('a 500, a 429 and a connection dropped before the answer are retryable; a 400 and a redirect are not', async () => {
    const transport = await open({});
    const statuses: Array<[number, Record<string, string>, string]> = [
      [500, {}, 'HUB_ERR_TRANSPORT_UNAVAILABLE'],
      [429, { 'retry-after': '30' }, 'HUB_ERR_TRANSPORT_UNAVAILABLE'],
      [408, {}, 'HUB_ERR_TRANSPORT_UNAVAILABLE'],
      [400, {}, 'HUB_ERR_TRANSPORT_REJECTED'],
      [422, {}, 'HUB_ERR_TRANSPORT_REJECTED'],
      [302, { location: 'https://elsewhere.example/in' }, 'HUB_ERR_TRANSPORT_REJECTED'],
    ];
    for (const [status, headers, code] of statuses) {
      endpoint.respond = (_request, response) => response.writeHead(status, headers).end(`answer ${status}: line 3 has no buyer`);
      const error = await failure(transport.send(orderFor(), sending()));
      expect(error.code, `HTTP ${status}: ${error.message}`).to.equal(code);
      expect(error.retryable, `HTTP ${status}`).to.equal(code === 'HUB_ERR_TRANSPORT_UNAVAILABLE');
      expect(error.details.status).to.equal(status);
      expect(error.message).to.contain(`HTTP ${status}`).and.contain('line 3 has no buyer');
    }
    endpoint.respond = (_request, _response, raw) => raw.socket.destroy();
    const dropped = await failure(transport.send(orderFor(), sending()));
    expect(dropped.code, dropped.message).to.equal('HUB_ERR_TRANSPORT_UNAVAILABLE');
    expect(dropped.retryable).to.equal(true);
    expect(dropped.details.errorCode).to.equal('ECONNRESET');
  });

  it('a partner that does not answer within timeoutMs: retryable, and says so', async () => {
    endpoint.respond = () => {};
    const transport = await open({ timeoutMs: 300 });
    const error = await failure(transport.send(orderFor(), sending()));
    expect(error.code).to.equal('HUB_ERR_TRANSPORT_UNAVAILABLE');
    expect(error.retryable).to.equal(true);
    expect(error.message).to.contain('no answer within 300 ms');
  });

  it('a send aborted by the caller stops and is retryable', async () => {
    endpoint.respond = () => {};
    const transport = await open({});
    const controller = new AbortController();
    const pending = failure(transport.send(orderFor(), sending({ signal: controller.signal })));
    while (endpoint.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const error = await pending;
    expect(error.code).to.equal('HUB_ERR_TRANSPORT_UNAVAILABLE');
    expect(error.message).to.contain('aborted');
  });

  it('a document for another partner, or with a Content-Type that cannot be sent, is refused before sending', async () => {
    const transport = await open({});
    const other = await failure(transport.send(orderFor('acme'), sending()));
    expect(other.code).to.equal('HUB_ERR_TRANSPORT_REJECTED');
    const broken = await failure(transport.send({ ...orderFor(), contentType: 'application/xml\r\nX-Injected: 1' }, sending()));
    expect(broken.code).to.equal('HUB_ERR_TRANSPORT_REJECTED');
    expect(endpoint.received).to.have.length(0);
  });

  describe('options, checked at start with the partner and key named', () => {
    const refused = async (setting: Record<string, unknown>, secrets: Record<string, string> = {}): Promise<string> => {
      const error = await failure(transportOf(setting, secrets));
      expect(error.code).to.equal('HUB_ERR_CONFIG');
      return error.message as string;
    };

    it('refuses unknown keys, a plain http url and a missing url', async () => {
      expect(await refused({ url: 'https://partner.example/in', retries: 3 })).to.contain('partners.globex.transport: unknown key retries');
      expect(await refused({ url: 'http://partner.example/in' })).to.contain('partners.globex.transport.url: must match pattern');
      expect(await refused({})).to.contain("partners.globex.transport: must have required property 'url'");
      expect(await refused({ url: 'https://partner.example/in', signature: { secretEnv: 'X', salt: 'y' } })).to.contain('partners.globex.transport.signature: unknown key salt');
      expect(await refused({ url: 'https://partner.example/in', signature: { secretEnv: 'X', algorithm: 'md5' } })).to.contain('partners.globex.transport.signature.algorithm');
    });

    it('refuses a certificate without its key, both a file and a secret, unreadable files and PEM that is not one', async () => {
      expect(await refused({ url: 'https://p.example/', certFile: path.join(pki.dir, 'hub.crt') })).to.contain('partners.globex.transport: a client certificate needs its key');
      expect(await refused({ url: 'https://p.example/', certFile: 'a', certEnv: 'B', keyFile: 'c' })).to.contain('set one of certFile and certEnv');
      expect(await refused({ url: 'https://p.example/', caFile: 'no/such/ca.pem' })).to.match(/partners\.globex\.transport\.caFile: cannot read no\/such\/ca\.pem: ENOENT/);
      const wrongKey = await refused({ url: 'https://p.example/', certFile: path.join(pki.dir, 'hub.crt'), keyFile: path.join(pki.dir, 'stranger.key') });
      expect(wrongKey).to.contain('partners.globex.transport: OpenSSL refuses the TLS material (certFile, keyFile)');
    });

    it('refuses a secret that is not set, and headers the transport sets itself', async () => {
      expect(await refused({ url: 'https://p.example/', signature: { secretEnv: 'GLOBEX_HMAC' } })).to.contain('partners.globex.transport.signature.secretEnv: the secret GLOBEX_HMAC (or GLOBEX_HMAC_FILE) is not set');
      expect(await refused({ url: 'https://p.example/', headers: { 'Idempotency-Key': 'x' } })).to.contain('partners.globex.transport.headers.Idempotency-Key: set by the transport itself');
      expect(await refused({ url: 'https://p.example/', headers: { Authorization: 'Bearer x' } })).to.contain('authorizationEnv');
      const signed = { url: 'https://p.example/', signature: { secretEnv: 'S', header: 'X-Sig' }, headers: { 'x-sig': 'forged' } };
      expect(await refused(signed, { S: 'secret' })).to.contain('headers.x-sig: set by the transport itself');
    });

    it('refuses a type that is no transport, naming the ones there are', async () => {
      const error = await failure(TransportRegistry.create({ rootDir: ROOT, partners: { globex: { transport: { type: 'as2' } } } }, { logger, mailbox: noMailbox }));
      expect(error.code).to.equal('HUB_ERR_CONFIG');
      expect(error.message).to.contain('partners.globex.transport: type as2 is no transport').and.contain('https').and.contain('mailbox');
    });

    it('the shipped definition is the one the registry loads', async () => {
      const { transport } = await transportOf({ url: 'https://p.example/' });
      expect(httpsTransport.name).to.equal('https');
      expect(transport.send).to.be.a('function');
      await transport.close();
    });
  });
});
