import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Adapter, DeliveryContext } from '../../src/adapters/contract.js';
import { AdapterRegistry } from '../../src/adapters/registry.js';
import type { Order } from '../../src/canonical/types.js';
import { ADAPTERS_DIR } from '../../src/config/load.js';
import type { HubConfig } from '../../src/config/types.js';
import { HubError } from '../../src/errors/hub-error.js';
import { sampleOrder } from '../../src/kit/conformance.js';
import { ErpRecorder } from '../helpers/erp-recorder.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { call, ROOT, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const SECRET_ENV = 'WEBHOOK_TEST_SECRET';
const WRONG_SECRET_ENV = 'WEBHOOK_TEST_WRONG_SECRET';
const SECRET = randomBytes(32).toString('hex');
process.env[SECRET_ENV] = SECRET;
process.env[WRONG_SECRET_ENV] = randomBytes(32).toString('hex');

const ORDER_FILE = path.join(FIXTURES, 'ubl-order', 'ubl-order-2.1-example.xml');
const ORDER_EXPECTED = JSON.parse(readFileSync(ORDER_FILE.replace(/\.xml$/, '.expected.json'), 'utf8'));

/** The golden UBL order under another number (the same number twice from acme would be a conflict). */
function orderNumbered(number: string): string {
  return readFileSync(ORDER_FILE, 'utf8').replace('<cbc:ID>34</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`);
}

const order: Order = { ...sampleOrder('webhook'), documentNumber: 'PO-1' };

function delivery(key: string, signal = new AbortController().signal): DeliveryContext {
  return { idempotencyKey: key, messageId: key.split(':')[0]!, partner: 'acme', modules: ['sales'], signal };
}

/** Loads a webhook adapter the way the hub does: the real registry, its schema check and defaults included. */
async function webhookRegistry(options: Record<string, unknown>, name = 'erp'): Promise<AdapterRegistry> {
  const config = {
    rootDir: ROOT,
    paths: { adapters: ADAPTERS_DIR, var: tmpdir(), mappings: '' },
    redis: { keyPrefix: 'webhook-test' },
    adapters: [{ name, type: 'webhook', modules: ['sales'], enabled: true, options }],
  } as unknown as HubConfig;
  // The webhook adapter uses neither PostgreSQL nor Redis.
  const logger = pino({ level: 'silent' });
  return AdapterRegistry.create(config, { redis: undefined as never, db: undefined as never, logger });
}

async function webhookAdapter(options: Record<string, unknown>, registries: AdapterRegistry[]): Promise<Adapter> {
  const registry = await webhookRegistry(options);
  registries.push(registry);
  return registry.get('erp')!.adapter;
}

async function refusal(promise: Promise<unknown>): Promise<HubError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected a HubError, got a result');
}

function signatureOf(body: string, timestamp: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

describe('webhook adapter: deliver to a recording ERP', function () {
  this.timeout(30_000);
  let erp: ErpRecorder;
  const registries: AdapterRegistry[] = [];
  const adapter = (extra: Record<string, unknown> = {}) =>
    webhookAdapter({ url: `${erp.url}/orders`, secretEnv: SECRET_ENV, ...extra }, registries);

  before(async () => {
    erp = await ErpRecorder.start({ secret: SECRET });
  });
  afterEach(() => {
    erp.delayMs = 0;
  });
  after(async () => {
    await Promise.all(registries.map((r) => r.close()));
    await erp.close();
  });

  it('posts the signed envelope; the same key twice creates one record and returns the same reference', async () => {
    const webhook = await adapter({ headers: { 'X-Tenant': 'north' } });
    const first = await webhook.deliver(order, delivery('m-twice:erp'));
    const second = await webhook.deliver(order, delivery('m-twice:erp'));
    const record = erp.records.get('m-twice:erp')!;
    expect(first.reference).to.equal(record.id);
    expect(second.reference).to.equal(first.reference);
    expect([...erp.records.values()].filter((r) => r.key === 'm-twice:erp')).to.have.length(1);
    expect(record.repeats).to.equal(1);
    const calls = erp.calls.filter((c) => c.headers['idempotency-key'] === 'm-twice:erp');
    expect(calls.map((c) => [c.status, c.outcome])).to.deep.equal([[201, 'created'], [200, 'repeat']]);
    const sent = calls[0]!;
    expect(sent.method).to.equal('POST');
    expect(sent.path).to.equal('/orders');
    expect(sent.headers['content-type']).to.equal('application/json');
    expect(sent.headers['x-hub-message-id']).to.equal('m-twice');
    expect(sent.headers['x-tenant']).to.equal('north');
    expect(sent.headers['x-hub-signature']).to.equal(signatureOf(sent.body, String(sent.headers['x-hub-timestamp'])));
    expect(sent.json).to.deep.equal({ messageId: 'm-twice', partner: 'acme', modules: ['sales'], document: order });
    expect(sent.headers).to.not.have.property('authorization');
  });

  it('without a JSON id the reference is the status and the Location', async () => {
    const webhook = await adapter();
    erp.answerNext({ status: 202, body: 'queued', headers: { location: '/jobs/77' }, afterCreate: true });
    expect((await webhook.deliver(order, delivery('m-202:erp'))).reference).to.equal('HTTP 202 /jobs/77');
  });

  it('429 and 503 with Retry-After are retryable and carry retryAfterMs, capped by maxRetryAfterSeconds', async () => {
    const webhook = await adapter({ maxRetryAfterSeconds: 120 });
    erp.answerNext({ status: 429, headers: { 'retry-after': '7' } });
    const tooMany = await refusal(webhook.deliver(order, delivery('m-429:erp')));
    expect([tooMany.code, tooMany.retryable]).to.deep.equal(['HUB_ERR_ADAPTER_UNAVAILABLE', true]);
    expect(tooMany.details).to.deep.equal({ status: 429, retryAfterMs: 7000 });

    // An HTTP date 60 s ahead (whole seconds, so allow the second being cut).
    erp.answerNext({ status: 503, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } });
    const later = await refusal(webhook.deliver(order, delivery('m-503:erp')));
    expect(later.code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
    expect(later.details.retryAfterMs).to.be.within(58_000, 60_000);

    erp.answerNext({ status: 503, headers: { 'retry-after': '86400' } });
    const capped = await refusal(webhook.deliver(order, delivery('m-503b:erp')));
    expect(capped.details.retryAfterMs).to.equal(120_000);

    erp.answerNext({ status: 500, body: 'database is locked', headers: { 'retry-after': '5' } });
    const serverError = await refusal(webhook.deliver(order, delivery('m-500:erp')));
    expect(serverError.code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
    expect(serverError.details).to.not.have.property('retryAfterMs');
    expect(serverError.message).to.contain('HTTP 500: database is locked');

    erp.answerNext({ status: 408 }, { status: 507 });
    expect((await refusal(webhook.deliver(order, delivery('m-408:erp')))).code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
    expect((await refusal(webhook.deliver(order, delivery('m-507:erp')))).code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
    expect(erp.records.has('m-429:erp')).to.equal(false);
  });

  it('a 4xx is a rejection naming the status and the first 2 KB of the answer; 401/403 are never retried', async () => {
    const webhook = await adapter({ retryableStatuses: [409, 423] });
    const long = `{"error":"unknown item SKU-9","trace":"${'x'.repeat(5000)}"}`;
    erp.answerNext({ status: 422, body: long });
    const rejected = await refusal(webhook.deliver(order, delivery('m-422:erp')));
    expect([rejected.code, rejected.retryable]).to.deep.equal(['HUB_ERR_ADAPTER_REJECTED', false]);
    expect(rejected.details).to.deep.equal({ status: 422 });
    expect(rejected.message).to.contain(`webhook erp: POST ${erp.url}/orders answered HTTP 422: {"error":"unknown`);
    expect(rejected.message).to.contain(long.slice(0, 2048));
    expect(rejected.message).to.not.contain(long.slice(0, 2049));

    erp.answerNext({ status: 409, body: 'locked by another user' }, { status: 403, body: 'forbidden' });
    expect((await refusal(webhook.deliver(order, delivery('m-409:erp')))).code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
    const forbidden = await refusal(webhook.deliver(order, delivery('m-403:erp')));
    expect([forbidden.code, forbidden.retryable]).to.deep.equal(['HUB_ERR_ADAPTER_REJECTED', false]);

    const wrongSecret = await adapter({ secretEnv: WRONG_SECRET_ENV });
    const unauthorized = await refusal(wrongSecret.deliver(order, delivery('m-401:erp')));
    expect([unauthorized.code, unauthorized.retryable]).to.deep.equal(['HUB_ERR_ADAPTER_REJECTED', false]);
    expect(unauthorized.message).to.contain('HTTP 401: {"error":"X-Hub-Signature does not match"}');
    expect(erp.records.has('m-401:erp')).to.equal(false);
  });

  it('the abort signal stops a slow call; the timeout too; a retry finds the record the slow call made', async () => {
    const webhook = await adapter({ timeoutMs: 300 });
    erp.delayMs = 10_000;
    const controller = new AbortController();
    const pending = refusal(webhook.deliver(order, delivery('m-slow:erp', controller.signal)));
    const arrived = async () => (erp.calls.some((c) => c.headers['x-hub-message-id'] === 'm-slow') ? true : undefined);
    await waitFor(arrived, 'the slow call to arrive');
    controller.abort();
    const aborted = await pending;
    expect([aborted.code, aborted.retryable]).to.deep.equal(['HUB_ERR_ADAPTER_UNAVAILABLE', true]);
    expect(aborted.message).to.contain('delivery aborted');

    const timedOut = await refusal(webhook.deliver(order, delivery('m-slow:erp')));
    expect(timedOut.message).to.contain('no answer within 300 ms');

    erp.delayMs = 0;
    const retried = await webhook.deliver(order, delivery('m-slow:erp'));
    expect(retried.reference).to.equal(erp.records.get('m-slow:erp')!.id);
    expect(erp.records.get('m-slow:erp')!.repeats).to.equal(2);
  });

  it('connection refused is retryable', async () => {
    const down = await ErpRecorder.start({ secret: SECRET });
    const url = down.url;
    await down.close();
    const webhook = await webhookAdapter({ url, secretEnv: SECRET_ENV }, registries);
    const refused = await refusal(webhook.deliver(order, delivery('m-down:erp')));
    expect([refused.code, refused.details.errorCode]).to.deep.equal(['HUB_ERR_ADAPTER_UNAVAILABLE', 'ECONNREFUSED']);
  });

  it('health probes healthUrl when configured and is absent otherwise', async () => {
    expect((await adapter()).health).to.equal(undefined);
    const withHealth = await adapter({ healthUrl: `${erp.url}/health`, healthMethod: 'HEAD' });
    expect(await withHealth.health!()).to.deep.equal({ ok: true, detail: `HEAD ${erp.url}/health: HTTP 200` });
    const probe = erp.calls.at(-1)!;
    expect([probe.method, probe.outcome]).to.deep.equal(['HEAD', 'health']);
    const nowhere = await adapter({ healthUrl: `${erp.url}/missing` });
    expect(await nowhere.health!()).to.deep.equal({ ok: false, detail: `GET ${erp.url}/missing: HTTP 401` });
  });

  it('refuses bad options at start: unknown keys, no secret, reserved headers, tls on http', async () => {
    const startError = (options: Record<string, unknown>) => refusal(webhookRegistry(options));
    const url = `${erp.url}/orders`;
    const signed = { url, secretEnv: SECRET_ENV };
    const unknown = await startError({ ...signed, retries: 3 });
    expect(unknown.code).to.equal('HUB_ERR_CONFIG');
    expect(unknown.message).to.equal('adapters.erp.options: / must NOT have additional properties: retries');
    expect((await startError({ url })).message).to.contain("must have required property 'secretEnv'");
    expect((await startError({ ...signed, url: 'ftp://example.com' })).message).to.contain('/url must match pattern');
    expect((await startError({ ...signed, secretEnv: 'WEBHOOK_TEST_NOT_SET' })).message).to.equal(
      'adapters.erp.options.secretEnv: the secret WEBHOOK_TEST_NOT_SET (or WEBHOOK_TEST_NOT_SET_FILE) is not set',
    );
    expect((await startError({ ...signed, headers: { authorization: 'Bearer x' } })).message).to.contain(
      'adapters.erp.options.headers.authorization: set by the adapter itself',
    );
    const tlsOnHttp = await startError({ ...signed, tls: { caFile: 'ca.crt' } });
    expect(tlsOnHttp.message).to.contain('options.tls: set for an http url');
    const retry401 = await startError({ ...signed, retryableStatuses: [401] });
    expect(retry401.message).to.contain('/retryableStatuses/0 must NOT be valid');
    const halfPair = await startError({ ...signed, url: 'https://127.0.0.1/orders', tls: { certFile: 'c.pem' } });
    expect(halfPair.message).to.contain('must have property keyFile when property certFile is present');
  });

  it('signature: false sends no signature (a signing ERP refuses it); authorizationEnv sends its value', async () => {
    process.env.WEBHOOK_TEST_AUTHORIZATION = 'Bearer erp-token-1';
    const options = { url: `${erp.url}/orders`, signature: false, authorizationEnv: 'WEBHOOK_TEST_AUTHORIZATION' };
    const unsigned = await webhookAdapter(options, registries);
    const refused = await refusal(unsigned.deliver(order, delivery('m-unsigned:erp')));
    expect(refused.message).to.contain('answered HTTP 401: {"error":"X-Hub-Signature does not match"}');
    const sent = erp.calls.at(-1)!;
    expect(sent.headers).to.not.have.property('x-hub-signature');
    expect(sent.headers.authorization).to.equal('Bearer erp-token-1');
  });
});

describe('webhook adapter: https with a test CA and a client certificate', function () {
  this.timeout(30_000);
  let pki: Pki;
  let otherPki: Pki;
  let erp: ErpRecorder;
  const registries: AdapterRegistry[] = [];

  before(async () => {
    pki = makePki(['hub-client']);
    otherPki = makePki([]);
    erp = await ErpRecorder.start({
      secret: SECRET,
      tls: {
        cert: readFileSync(pki.serverCert),
        key: readFileSync(pki.serverKey),
        ca: readFileSync(pki.caCert),
        requestCert: true,
      },
    });
  });
  after(async () => {
    await Promise.all(registries.map((r) => r.close()));
    await erp?.close();
    for (const made of [pki, otherPki]) if (made) rmSync(made.dir, { recursive: true, force: true });
  });

  const clientTls = () => ({
    certFile: path.join(pki.dir, 'hub-client.crt'),
    keyFile: path.join(pki.dir, 'hub-client.key'),
  });
  const overTls = (tls: Record<string, unknown>) =>
    webhookAdapter({ url: `${erp.url}/orders`, secretEnv: SECRET_ENV, tls }, registries);

  it('delivers over https trusting the private CA and presenting the client certificate', async () => {
    const webhook = await overTls({ caFile: pki.caCert, ...clientTls() });
    const result = await webhook.deliver(order, delivery('m-tls:erp'));
    expect(result.reference).to.equal(erp.records.get('m-tls:erp')!.id);
  });

  it('fails (retryable, TLS named) with rejectUnauthorized and a CA that did not sign the server', async () => {
    const webhook = await overTls({ caFile: otherPki.caCert, ...clientTls() });
    const untrusted = await refusal(webhook.deliver(order, delivery('m-wrong-ca:erp')));
    expect(untrusted.code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
    const notTrusted = /TLS failed: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN):/;
    expect(untrusted.message).to.match(notTrusted);
    expect(erp.records.has('m-wrong-ca:erp')).to.equal(false);

    // The public roots do not know the test CA either.
    const publicRoots = await overTls(clientTls());
    expect((await refusal(publicRoots.deliver(order, delivery('m-no-ca:erp')))).message).to.contain('TLS failed');

    // rejectUnauthorized: false (a test bench only) skips the check, and the delivery goes through.
    const lax = await overTls({ caFile: otherPki.caCert, rejectUnauthorized: false, ...clientTls() });
    expect((await lax.deliver(order, delivery('m-lax:erp'))).reference).to.equal(erp.records.get('m-lax:erp')!.id);
  });

  it('without the client certificate the ERP refuses the connection (retryable, nothing created)', async () => {
    const webhook = await overTls({ caFile: pki.caCert });
    const refused = await refusal(webhook.deliver(order, delivery('m-no-cert:erp')));
    expect(refused.code).to.equal('HUB_ERR_ADAPTER_UNAVAILABLE');
    expect(erp.records.has('m-no-cert:erp')).to.equal(false);
  });
});

describe('webhook adapter in a real hub: a UBL order over HTTP to the ERP', function () {
  this.timeout(60_000);
  let erp: ErpRecorder;
  let t: TestHub;
  let number = 0;

  before(async () => {
    erp = await ErpRecorder.start({ secret: SECRET });
    t = await startTestHub({
      configure: (c) => {
        // Backoff 100 ms doubling over 8 attempts: about 12 s of retries, enough for a short outage.
        c.pipeline.attempts = 8;
        c.pipeline.backoffMs = 100;
        const options = { url: `${erp.url}/orders?tenant=north`, secretEnv: SECRET_ENV, timeoutMs: 5000 };
        c.adapters.erp = { type: 'webhook', modules: ['sales', 'inventory'], options };
      },
    });
  });
  after(async () => {
    await t?.close();
    await erp?.close();
  });

  async function post(xml: string): Promise<string> {
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: xml });
    expect(posted.status).to.equal(202);
    return posted.body.id as string;
  }
  const nextOrder = () => orderNumbered(`WH-${Date.now().toString(36)}-${++number}`);
  const callsOf = (id: string) => erp.calls.filter((c) => c.headers['x-hub-message-id'] === id);
  const erpHistory = (view: any, step: string) =>
    view.history.filter((h: any) => h.step === step && h.adapter === 'erp');

  it('reaches the ERP signed, keyed <message id>:<adapter>, with the canonical JSON; delivered with its id', async () => {
    const id = await post(readFileSync(ORDER_FILE, 'utf8'));
    const view = await waitForStatus(t, id);
    expect(view.status).to.equal('delivered');
    const calls = callsOf(id);
    expect(calls).to.have.length(1);
    const sent = calls[0]!;
    expect([sent.status, sent.outcome, sent.path]).to.deep.equal([201, 'created', '/orders?tenant=north']);
    expect(sent.headers['idempotency-key']).to.equal(`${id}:erp`);
    expect(sent.headers['content-type']).to.equal('application/json');
    expect(sent.headers['x-hub-signature']).to.equal(signatureOf(sent.body, String(sent.headers['x-hub-timestamp'])));
    const envelope = { messageId: id, partner: 'acme', modules: ['sales', 'inventory'], document: ORDER_EXPECTED };
    expect(sent.json).to.deep.equal(envelope);
    const record = erp.records.get(`${id}:erp`)!;
    const erpDelivery = view.deliveries.find((d: any) => d.adapter === 'erp');
    expect(erpDelivery).to.include({ status: 'delivered', reference: record.id });
    expect(erpHistory(view, 'delivered')[0].detail).to.equal(`sales, inventory -> ${record.id}`);
  });

  it('a 503 after the ERP made the record is retried: delivered once, one record, the repeat counted', async () => {
    erp.answerNext({ status: 503, body: 'gateway lost the answer', afterCreate: true });
    const id = await post(nextOrder());
    const view = await waitForStatus(t, id);
    expect(view.status).to.equal('delivered');
    expect(callsOf(id).map((c) => [c.status, c.outcome])).to.deep.equal([[503, 'scripted'], [200, 'repeat']]);
    const record = erp.records.get(`${id}:erp`)!;
    expect(record.repeats).to.equal(1);
    expect([...erp.records.values()].filter((r) => r.body?.messageId === id)).to.have.length(1);
    expect(view.deliveries.find((d: any) => d.adapter === 'erp').reference).to.equal(record.id);
    expect(erpHistory(view, 'delivery-retry')).to.have.length(1);
    expect(erpHistory(view, 'delivered')).to.have.length(1);
  });

  it('429 with Retry-After: the retry waits as long as the ERP asked', async () => {
    erp.answerNext({ status: 429, body: 'slow down', headers: { 'retry-after': '1' } });
    const id = await post(nextOrder());
    const view = await waitForStatus(t, id);
    expect(view.status).to.equal('delivered');
    const calls = callsOf(id);
    expect(calls.map((c) => c.status)).to.deep.equal([429, 201]);
    const retry = erpHistory(view, 'delivery-retry')[0];
    expect(retry.error.message).to.contain('answered HTTP 429: slow down (asked to wait 1 s)');
    // The exponential backoff alone would retry after 100 ms; the core's "hub" backoff honours retryAfterMs.
    const why = 'retried before Retry-After: src/queue/workers.ts must honour details.retryAfterMs';
    expect(calls[1]!.at - calls[0]!.at, why).to.be.at.least(1000);
  });

  it("a 400 with a body fails the message at once, with the ERP's answer in its history", async () => {
    const answer = '{"error":"customer CUST-ACME is blocked"}';
    erp.answerNext({ status: 400, body: answer, headers: { 'content-type': 'application/json' } });
    const id = await post(nextOrder());
    const view = await waitForStatus(t, id);
    expect(view.status).to.equal('failed');
    expect(view.error.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    // The query string (it may hold a token) is left out.
    expect(view.error.message).to.equal(`webhook erp: POST ${erp.url}/orders answered HTTP 400: ${answer}`);
    const failedEntry = erpHistory(view, 'delivery-failed');
    expect(failedEntry).to.have.length(1);
    expect(failedEntry[0].error).to.deep.equal({ code: 'HUB_ERR_ADAPTER_REJECTED', message: view.error.message });
    expect(erpHistory(view, 'delivery-retry')).to.have.length(0);
    expect(callsOf(id)).to.have.length(1);
  });

  it('the ERP down for a while, then up: retried through the outage and delivered once', async () => {
    await erp.down();
    const id = await post(nextOrder());
    const during = await waitFor(async () => {
      const r = await call(t.url, 'GET', `/v1/ops/messages/${id}`, { key: t.keys.ops });
      return erpHistory(r.body, 'delivery-retry').length >= 3 ? r.body : undefined;
    }, 'three failed attempts while the ERP is down');
    expect(during.status).to.equal('processing');
    const retry = erpHistory(during, 'delivery-retry')[0];
    const refused = `webhook erp: POST ${erp.url}/orders: ECONNREFUSED`;
    expect(retry.error).to.deep.equal({ code: 'HUB_ERR_ADAPTER_UNAVAILABLE', message: refused });
    expect(callsOf(id)).to.have.length(0);
    await erp.up();
    const view = await waitForStatus(t, id);
    expect(view.status).to.equal('delivered');
    expect(callsOf(id).map((c) => c.outcome)).to.deep.equal(['created']);
    expect(view.deliveries.find((d: any) => d.adapter === 'erp').reference).to.equal(erp.records.get(`${id}:erp`)!.id);
  });
});

describe('webhook adapter in a real hub: a wrong secret', function () {
  this.timeout(60_000);
  let erp: ErpRecorder;
  let t: TestHub;

  before(async () => {
    erp = await ErpRecorder.start({ secret: SECRET });
    t = await startTestHub({
      configure: (c) => {
        c.pipeline.attempts = 5;
        const options = { url: `${erp.url}/orders`, secretEnv: WRONG_SECRET_ENV };
        c.adapters.erp = { type: 'webhook', modules: ['sales'], options };
      },
    });
  });
  after(async () => {
    await t?.close();
    await erp?.close();
  });

  it('is refused by the ERP (401) and fails the message without retrying', async () => {
    const body = orderNumbered('WH-SECRET-1');
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body });
    const view = await waitForStatus(t, posted.body.id);
    expect(view.status).to.equal('failed');
    expect(view.error.code).to.equal('HUB_ERR_ADAPTER_REJECTED');
    expect(view.error.message).to.contain('answered HTTP 401: {"error":"X-Hub-Signature does not match"} (check');
    const retries = view.history.filter((h: any) => h.step === 'delivery-retry' && h.adapter === 'erp');
    expect(retries).to.have.length(0);
    expect(erp.calls.map((c) => [c.status, c.outcome])).to.deep.equal([[401, 'refused']]);
    expect(erp.records.size).to.equal(0);
  });
});
