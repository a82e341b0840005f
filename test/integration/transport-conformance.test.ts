/**
 * The transport conformance suite (src/transports/conformance.ts) run against every shipped transport on its real
 * target: https against a local HTTPS partner that keeps one document per Idempotency-Key, mailbox against the
 * hub's PostgreSQL. What the outbound sender relies on: a reference for each send, one document per idempotency
 * key, classified errors whose retryable flag is right, health, a clean close. A new transport (AS2, SFTP) adds
 * its entry here.
 */
import { createServer } from 'node:net';
import { expect } from 'chai';
import { pino } from 'pino';
import { Database } from '../../src/db/database.js';
import {
  formatTransportReport,
  runTransportConformance,
  TRANSPORT_CONFORMANCE_CHECKS,
  type TransportConformanceOptions,
  type TransportConformanceReport,
} from '../../src/transports/conformance.js';
import { MailboxWriter } from '../../src/transports/mailbox-writer.js';
import { loadTransportDefinition, TransportRegistry } from '../../src/transports/registry.js';
import httpsTransport from '../../transports/https/index.js';
import mailboxTransport from '../../transports/mailbox/index.js';
import { PartnerEndpoint } from '../helpers/partner-endpoint.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every check passed (none skipped), printing the report so a failure shows every detail. */
function expectConforms(report: TransportConformanceReport): void {
  console.log(formatTransportReport(report).replace(/^/gm, '      '));
  const got = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
  expect(got, formatTransportReport(report)).to.deep.equal(Object.fromEntries(TRANSPORT_CONFORMANCE_CHECKS.map((name) => [name, 'passed'])));
  expect(report.passed).to.equal(true);
}

describe('transport contract: the conformance suite against the shipped transports', function () {
  this.timeout(60_000);
  let pki: Pki;
  let endpoint: PartnerEndpoint;
  let hub: TestHub;
  const down: Database[] = [];

  before(async () => {
    pki = makePki([]);
    endpoint = await PartnerEndpoint.start(pki);
    hub = await startTestHub({ workers: false, server: false });
  });
  after(async () => {
    await Promise.allSettled(down.map((d) => d.close()));
    await endpoint?.close();
    await hub?.close();
  });

  const targets: Record<string, () => Promise<Omit<TransportConformanceOptions, 'context'> & { context?: TransportConformanceOptions['context'] }>> = {
    async https() {
      return {
        definition: httpsTransport,
        options: { url: endpoint.url, caFile: pki.caCert },
        count: (key) => (endpoint.documents.has(key) ? 1 : 0),
        unreachable: { options: { url: `https://127.0.0.1:${await closedPort()}/in` } },
      };
    },
    async mailbox() {
      const unreachable = new Database({ url: `postgres://hub@127.0.0.1:${await closedPort()}/hub`, schema: 'hub', connectTimeoutMs: 2000 });
      down.push(unreachable);
      return {
        definition: mailboxTransport,
        options: {},
        context: { mailbox: new MailboxWriter(hub.hub.db, 'conformance') },
        async count(key) {
          const { rows } = await hub.hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM partner_mailbox WHERE idempotency_key = $1', [key]);
          return rows[0]!.n;
        },
        unreachable: { context: { mailbox: new MailboxWriter(unreachable, 'conformance') } },
      };
    },
  };

  for (const [type, target] of Object.entries(targets)) {
    it(`${type} conforms on its real target`, async () => {
      expectConforms(await runTransportConformance(await target()));
    });

    it(`${type} is the definition the registry loads for type: ${type}`, async () => {
      expect(await loadTransportDefinition(type, 'partners.globex.transport')).to.equal((await target()).definition);
      const registry = await TransportRegistry.create(
        { rootDir: hub.hub.config.rootDir, partners: { globex: { transport: { type, ...(type === 'https' ? { url: endpoint.url, caFile: pki.caCert } : {}) } } } },
        { db: hub.hub.db, logger: pino({ level: 'silent' }) },
      );
      try {
        expect(registry.partners()).to.deep.equal(['globex']);
        expect(await registry.get('globex')!.health!()).to.deep.include({ ok: true });
      } finally {
        await registry.close();
      }
    });
  }
});
