/**
 * The transport contract (src/transports/contract.ts), checked the same way against every shipped transport on
 * its real target: https against a local HTTPS partner that keeps one document per Idempotency-Key, mailbox
 * against the hub's PostgreSQL. What the outbound pipeline will rely on: a reference for each send, one document
 * per idempotency key, classified errors whose retryable flag is right, a clean close. A new transport (AS2,
 * SFTP) adds its entry to TARGETS.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { expect } from 'chai';
import { pino } from 'pino';
import { Database } from '../../src/db/database.js';
import { ERROR_CATALOG } from '../../src/errors/catalog.js';
import type { OutboundDocument, SendContext, Transport } from '../../src/transports/contract.js';
import { checkTransportDefinition, loadTransportDefinition, TransportRegistry, type TransportRegistryDeps } from '../../src/transports/registry.js';
import httpsTransport from '../../transports/https/index.js';
import mailboxTransport from '../../transports/mailbox/index.js';
import { PartnerEndpoint } from '../helpers/partner-endpoint.js';
import { makePki } from '../helpers/pki.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

const logger = pino({ level: 'silent' });

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One transport on its real target, as the contract checks see it. */
interface Target {
  /** The module's default export, as the test imported it. */
  definition: unknown;
  /** partners.globex.transport while the target is up. */
  setting: Record<string, unknown>;
  deps: TransportRegistryDeps;
  /** The same transport with its target out of reach. */
  unreachable(): Promise<{ setting: Record<string, unknown>; deps: TransportRegistryDeps }>;
  /** How many documents the target holds for an idempotency key. */
  count(idempotencyKey: string): Promise<number>;
}

let hub: TestHub;
let endpoint: PartnerEndpoint;
const downDatabases: Database[] = [];

const TARGETS: Record<string, () => Target> = {
  https: () => ({
    definition: httpsTransport,
    setting: { type: 'https', url: endpoint.url, caFile: PKI.caCert },
    deps: { logger },
    async unreachable() {
      return { setting: { type: 'https', url: `https://127.0.0.1:${await closedPort()}/in`, caFile: PKI.caCert }, deps: { logger } };
    },
    async count(key) {
      return endpoint.documents.has(key) ? 1 : 0;
    },
  }),
  mailbox: () => ({
    definition: mailboxTransport,
    setting: { type: 'mailbox' },
    deps: { db: hub.hub.db, logger },
    async unreachable() {
      const down = new Database({ url: `postgres://hub@127.0.0.1:${await closedPort()}/hub`, schema: 'hub', connectTimeoutMs: 2000 });
      downDatabases.push(down);
      return { setting: { type: 'mailbox' }, deps: { db: down, logger } };
    },
    async count(key) {
      const { rows } = await hub.hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM partner_mailbox WHERE idempotency_key = $1', [key]);
      return rows[0]!.n;
    },
  }),
};

let PKI: ReturnType<typeof makePki>;

function document(partner = 'globex'): OutboundDocument {
  const messageId = randomUUID();
  return { messageId, partner, documentType: 'Order', documentNumber: `PO-${messageId.slice(0, 8)}`, contentType: 'application/xml', body: `<Order><ID>${messageId}</ID></Order>` };
}

function sending(idempotencyKey: string, signal = new AbortController().signal, attempt = 1): SendContext {
  return { idempotencyKey, signal, attempt };
}

async function thrown(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('send resolved; it should have thrown');
}

/** A classified error: a catalog code, and the catalog's retryable flag as the caller reads it. */
function expectClassified(error: any, retryable: boolean): void {
  expect(error?.code, String(error?.stack ?? error)).to.be.oneOf(Object.keys(ERROR_CATALOG));
  expect(error.retryable, `${error.code}: ${error.message}`).to.equal(retryable);
  expect(error.message).to.be.a('string').and.not.equal('');
}

describe('transport contract: every shipped transport on its real target', function () {
  this.timeout(60_000);
  const registries: TransportRegistry[] = [];

  before(async () => {
    PKI = makePki([]);
    endpoint = await PartnerEndpoint.start(PKI);
    hub = await startTestHub({ workers: false, server: false });
  });
  after(async () => {
    await Promise.allSettled(registries.map((r) => r.close()));
    await Promise.allSettled(downDatabases.map((d) => d.close()));
    await endpoint?.close();
    await hub?.close();
  });

  async function open(setting: Record<string, unknown>, deps: TransportRegistryDeps): Promise<Transport> {
    const registry = await TransportRegistry.create({ rootDir: hub.hub.config.rootDir, partners: { globex: { transport: setting as { type: string } } } }, deps);
    registries.push(registry);
    const transport = registry.get('globex');
    expect(transport, 'the registry holds the partner transport').to.not.equal(undefined);
    return transport!;
  }

  for (const [type, make] of Object.entries(TARGETS)) {
    describe(type, () => {
      let target: Target;
      let transport: Transport;
      before(async () => {
        target = make();
        transport = await open(target.setting, target.deps);
      });

      it('is the definition found under transports/ by its type, and a valid one', async () => {
        const loaded = await loadTransportDefinition(type, `partners.globex.transport`);
        expect(loaded).to.equal(target.definition);
        expect(checkTransportDefinition(loaded, type, type).name).to.equal(type);
      });

      it('same key twice: one document at the partner, the same reference', async () => {
        const doc = document();
        const key = `${doc.messageId}:globex`;
        const first = await transport.send(doc, sending(key, undefined, 1));
        const second = await transport.send(doc, sending(key, undefined, 2));
        expect(first.reference).to.be.a('string').and.not.equal('');
        expect(second.reference).to.equal(first.reference);
        expect(await target.count(key)).to.equal(1);
      });

      it('another key: a document of its own', async () => {
        const a = document();
        const b = document();
        const ra = await transport.send(a, sending(`${a.messageId}:globex`));
        const rb = await transport.send(b, sending(`${b.messageId}:globex`));
        expect(ra.reference).to.not.equal(rb.reference);
        expect(await target.count(`${b.messageId}:globex`)).to.equal(1);
      });

      it('aborted before the send: retryable, nothing at the partner; the retry makes one document', async () => {
        const doc = document();
        const key = `${doc.messageId}:globex`;
        const controller = new AbortController();
        controller.abort();
        expectClassified(await thrown(transport.send(doc, sending(key, controller.signal))), true);
        expect(await target.count(key)).to.equal(0);
        await transport.send(doc, sending(key, undefined, 2));
        expect(await target.count(key)).to.equal(1);
      });

      it('target out of reach: a retryable classified error, and health not ok', async () => {
        const { setting, deps } = await target.unreachable();
        const down = await open(setting, deps);
        expectClassified(await thrown(down.send(document(), sending(randomUUID()))), true);
        expect(await down.health!()).to.deep.include({ ok: false });
      });

      it('a document for another partner: not retryable, nothing at the partner', async () => {
        const doc = document('acme');
        const key = `${doc.messageId}:globex`;
        expectClassified(await thrown(transport.send(doc, sending(key))), false);
        expect(await target.count(key)).to.equal(0);
      });

      it('health is { ok: true } while the target is up', async () => {
        // Optional in the contract; both shipped transports have one.
        expect(transport.health).to.be.a('function');
        expect(await transport.health!()).to.deep.include({ ok: true });
      });

      it('close resolves, and again', async () => {
        const own = await open(target.setting, target.deps);
        await own.close();
        await own.close();
      });
    });
  }
});
