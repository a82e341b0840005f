/**
 * The mailbox partner transport (transports/mailbox) on the real PostgreSQL of a test hub: a document is put
 * once per idempotency key, and the partner fetches it with its own key through the HTTP API and acknowledges it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import type { OutboundDocument, SendContext, Transport } from '../../src/transports/contract.js';
import { TransportRegistry } from '../../src/transports/registry.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { call, demoConfig, startTestHub, type TestHub } from '../helpers/test-hub.js';

const ORDER_XML = readFileSync(path.join(FIXTURES, 'ubl-order/ubl-order-2.1-example.xml'), 'utf8');

function orderFor(number: string): OutboundDocument {
  return { messageId: randomUUID(), partner: 'globex', documentType: 'Order', documentNumber: number, contentType: 'application/xml', body: ORDER_XML };
}

function sending(idempotencyKey: string, attempt = 1): SendContext {
  return { idempotencyKey, signal: new AbortController().signal, attempt };
}

describe('transport mailbox: the partner mailbox in PostgreSQL', function () {
  this.timeout(60_000);
  let t: TestHub;
  let registry: TransportRegistry;
  let mailbox: Transport;

  before(async () => {
    t = await startTestHub({
      workers: false,
      configure: (config) => {
        config.partners.globex.transport = { type: 'mailbox' };
      },
    });
    registry = await TransportRegistry.create({ rootDir: t.hub.config.rootDir, partners: { globex: { transport: { type: 'mailbox' } } } }, { db: t.hub.db, logger: t.hub.logger });
    mailbox = registry.get('globex')!;
  });
  after(async () => {
    await registry?.close();
    await t?.close();
  });

  const rowsFor = async (key: string) =>
    (await t.hub.db.query<{ id: string; kind: string; document: string | null }>('SELECT id, kind, document FROM partner_mailbox WHERE idempotency_key = $1', [key])).rows;
  const fetchAs = async (partner: string) => {
    const r = await call(t.url, 'GET', '/v1/partner/messages?limit=50', { key: t.keys.partners[partner] });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body.messages as any[];
  };

  it('the same key twice, or twice at once, is one mailbox row; another key is another row', async () => {
    const document = orderFor('PO-ONCE-1');
    const key = `${document.messageId}:globex`;
    const first = await mailbox.send(document, sending(key, 1));
    const again = await mailbox.send(document, sending(key, 2));
    expect(again.reference).to.equal(first.reference);
    expect(await rowsFor(key)).to.have.length(1);

    const racing = orderFor('PO-ONCE-2');
    const racingKey = `${racing.messageId}:globex`;
    const results = await Promise.all([1, 2, 3, 4].map((attempt) => mailbox.send(racing, sending(racingKey, attempt))));
    const rows = await rowsFor(racingKey);
    expect(rows).to.have.length(1);
    expect(new Set(results.map((r) => r.reference))).to.deep.equal(new Set([rows[0]!.id]));

    const other = orderFor('PO-ONCE-1');
    const otherResult = await mailbox.send(other, sending(`${other.messageId}:globex`));
    expect(otherResult.reference).to.not.equal(first.reference);
  });

  it('the partner fetches it with its key as { id, documentType, documentNumber, contentType, document }, acks it, and a late retry adds nothing', async () => {
    for (const m of await fetchAs('globex')) await call(t.url, 'POST', `/v1/partner/messages/${m.id}/ack`, { key: t.keys.partners.globex });
    const document = orderFor('PO-FETCH-1');
    const key = `${document.messageId}:globex`;
    const { reference } = await mailbox.send(document, sending(key));

    expect((await fetchAs('acme')).map((m) => m.id)).to.not.include(reference);
    const fetched = await fetchAs('globex');
    expect(fetched).to.have.length(1);
    expect(fetched[0]).to.include({ id: reference, kind: 'document', documentType: 'Order', documentNumber: 'PO-FETCH-1', contentType: 'application/xml', document: ORDER_XML });

    expect((await call(t.url, 'POST', `/v1/partner/messages/${reference}/ack`, { key: t.keys.partners.acme })).status).to.equal(404);
    expect((await call(t.url, 'POST', `/v1/partner/messages/${reference}/ack`, { key: t.keys.partners.globex })).status).to.equal(200);
    // The sender retries after the partner's ack (it crashed before recording its success): nothing comes back.
    expect((await mailbox.send(document, sending(key, 2))).reference).to.equal(reference);
    expect(await fetchAs('globex')).to.deep.equal([]);
    const rows = await rowsFor(key);
    expect(rows).to.have.length(1);
    expect(rows[0]!.document).to.equal(null);
  });

  it('refuses a document for another partner and a send already aborted, and says it is healthy', async () => {
    const error = await mailbox.send({ ...orderFor('PO-X'), partner: 'acme' }, sending(randomUUID())).catch((e) => e);
    expect(error.code).to.equal('HUB_ERR_TRANSPORT_REJECTED');
    const controller = new AbortController();
    controller.abort();
    const aborted = await mailbox.send(orderFor('PO-Y'), { idempotencyKey: randomUUID(), signal: controller.signal, attempt: 1 }).catch((e) => e);
    expect(aborted.code).to.equal('HUB_ERR_TRANSPORT_UNAVAILABLE');
    expect(aborted.retryable).to.equal(true);
    expect(await mailbox.health!()).to.deep.equal({ ok: true });
  });

  it('the loaded config carries partners.<id>.transport to the registry', async () => {
    expect(t.hub.config.partners.globex!.transport).to.deep.equal({ type: 'mailbox' });
    const fromConfig = await TransportRegistry.create(t.hub.config, { db: t.hub.db, logger: t.hub.logger });
    try {
      expect(fromConfig.partners()).to.include('globex');
      const document = orderFor('PO-CONFIG-1');
      const { reference } = await fromConfig.get('globex')!.send(document, sending(`${document.messageId}:globex`));
      expect((await rowsFor(`${document.messageId}:globex`)).map((r) => r.id)).to.deep.equal([reference]);
    } finally {
      await fromConfig.close();
    }
  });

  it('the config takes partners.<id>.transport, refuses one without a type, and refuses options the mailbox has not', async () => {
    // The test hub above started with globex's transport set; a setting without type stops the start.
    const raw = demoConfig();
    raw.partners.globex.transport = { url: 'https://globex.example/in' };
    const file = path.join(t.varDir, 'bad-transport.yaml');
    writeFileSync(file, stringify(raw));
    const error = (() => {
      try {
        loadConfig({ file, env: {} });
      } catch (e) {
        return e as any;
      }
      return undefined;
    })();
    expect(error?.code).to.equal('HUB_ERR_CONFIG');
    expect(error.message).to.contain("/partners/globex/transport must have required property 'type'");
    const refused = await TransportRegistry.create({ rootDir: t.hub.config.rootDir, partners: { globex: { transport: { type: 'mailbox', visibilityTimeoutSeconds: 5 } } } }, { db: t.hub.db, logger: t.hub.logger }).catch((e) => e);
    expect(refused.code).to.equal('HUB_ERR_CONFIG');
    expect(refused.message).to.contain('partners.globex.transport: unknown key visibilityTimeoutSeconds');
  });
});
