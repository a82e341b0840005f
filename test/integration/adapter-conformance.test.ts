/**
 * The adapter kit's conformance suite (issue 9) run against the four shipped adapters on their real targets
 * (the hub's PostgreSQL, a folder, a recording HTTP ERP, the real Tryton), imported the way an adapter author
 * imports it: by the package name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { CONFORMANCE_CHECKS, formatReport, runConformance, type CheckStatus, type ConformanceReport } from 'b2b-hub/adapter-kit/conformance';
import type { CanonicalDocument, Order } from 'b2b-hub/adapter-kit';
import fileAdapter from '../../adapters/file/index.js';
import outboxAdapter from '../../adapters/outbox/index.js';
import trytonAdapter from '../../adapters/tryton/index.js';
import webhookAdapter from '../../adapters/webhook/index.js';
import { Database } from '../../src/db/database.js';
import { ErpRecorder } from '../helpers/erp-recorder.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { REDIS_URL, startTestHub, waitFor, type TestHub } from '../helpers/test-hub.js';
import { ensureTryton, stopTryton, trytonAdapterConfig, TrytonProbe } from '../helpers/tryton.js';

const abortDuring = CONFORMANCE_CHECKS[4];
const unavailable = CONFORMANCE_CHECKS[5];
const refused = CONFORMANCE_CHECKS[6];

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Asserts each check's status (every check named), printing the report so a failure shows every detail. */
function expectStatuses(report: ConformanceReport, skipped: string[] = []): void {
  console.log(formatReport(report).replace(/^/gm, '      '));
  const got = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
  const want = Object.fromEntries(CONFORMANCE_CHECKS.map((name) => [name, skipped.includes(name) ? 'skipped' : 'passed'] as [string, CheckStatus]));
  expect(got, formatReport(report)).to.deep.equal(want);
  expect(report.passed).to.equal(true);
}

describe('adapter kit: the conformance suite against the shipped adapters', function () {
  this.timeout(120_000);

  describe('outbox (the hub PostgreSQL)', () => {
    let t: TestHub;
    before(async () => {
      t = await startTestHub({ workers: false, server: false });
    });
    after(async () => t?.close());

    it('conforms; a PostgreSQL outage is a store outage and health says not ok', async () => {
      // Outbox rows belong to real hub messages (a foreign key): each delivery gets one accepted by the store.
      const newMessage = async () => {
        const id = randomUUID();
        const raw = Buffer.from(`<Order><ID>${id}</ID></Order>`);
        const sha256 = createHash('sha256').update(raw).digest('hex');
        await t.hub.store.accept({ id, partner: 'acme', format: 'ubl-order', documentType: 'Order', documentNumber: id, sendingParty: '7300010000001', sha256, raw });
        return id;
      };
      const down = new Database({ url: `postgres://hub@127.0.0.1:${await closedPort()}/hub`, schema: 'hub', connectTimeoutMs: 2000 });
      try {
        const report = await runConformance({
          definition: outboxAdapter,
          options: { visibilityTimeoutSeconds: 60 },
          context: { db: t.hub.db, redis: t.hub.redis },
          newMessage,
          probe: {
            async count(delivery) {
              const { rows } = await t.hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE document_id = $1', [delivery.messageId]);
              // One row per module: a delivery for all four modules is one record per module.
              return rows[0]!.n / delivery.modules.length;
            },
          },
          unavailable: { context: { db: down } },
        });
        expectStatuses(report, [abortDuring, refused]);
        expect(report.checks.find((c) => c.name === unavailable)!.detail).to.match(/store outage.*ECONNREFUSED/);
      } finally {
        await down.close();
      }
    });
  });

  describe('file (a folder)', () => {
    it('conforms; an unwritable folder is retryable and health says not ok', async () => {
      const root = mkdtempSync(path.join(tmpdir(), 'hub-conformance-file-'));
      const blocker = path.join(root, 'a-file');
      writeFileSync(blocker, 'not a folder');
      const report = await runConformance({
        definition: fileAdapter,
        options: { dir: 'out', xml: true },
        context: { rootDir: root },
        probe: {
          count: (delivery) => {
            const folder = path.join(root, 'out', 'Order');
            try {
              return readdirSync(folder).filter((f) => f.endsWith(`__${delivery.messageId}.json`)).length;
            } catch {
              return 0;
            }
          },
        },
        unavailable: { options: { dir: path.join(blocker, 'out') } },
      });
      expectStatuses(report, [abortDuring, refused]);
    });
  });

  describe('webhook (a recording HTTP ERP)', () => {
    let recorder: ErpRecorder;
    const secret = 'conformance-secret';
    before(async () => {
      recorder = await ErpRecorder.start({ secret });
    });
    after(async () => recorder?.close());

    it('conforms: one record per key, aborts in flight, 5xx-style outage retryable, 422 not', async () => {
      const nowhere = `http://127.0.0.1:${await closedPort()}`;
      const report = await runConformance({
        definition: webhookAdapter,
        options: { url: `${recorder.url}/orders`, secretEnv: 'CONFORMANCE_WEBHOOK_SECRET', healthUrl: `${recorder.url}/health`, timeoutMs: 60_000 },
        context: { secret: (name) => (name === 'CONFORMANCE_WEBHOOK_SECRET' ? secret : undefined) },
        probe: { count: (delivery) => (recorder.records.has(delivery.idempotencyKey) ? 1 : 0) },
        unavailable: { options: { url: `${nowhere}/orders`, healthUrl: `${nowhere}/health` } },
        rejected: { before: () => recorder.answerNext({ status: 422, body: 'unknown customer' }) },
        slow: {
          // The recorder makes the record on arrival and answers late: the abort comes while the call waits.
          before: () => void (recorder.delayMs = 20_000),
          whenStarted: async (delivery) => {
            await waitFor(async () => (recorder.calls.some((c) => c.headers['idempotency-key'] === delivery.idempotencyKey) ? true : undefined), 'the slow call to arrive');
          },
          after: () => void (recorder.delayMs = 0),
        },
      });
      expectStatuses(report);
    });
  });

  describe('tryton (the real ERP)', function () {
    this.timeout(300_000);
    let startedHere = false;
    let redis: Redis | undefined;

    before(function () {
      const ready = ensureTryton();
      startedHere = ready.started === true;
      if (ready.skip) {
        console.log(`      skipped: ${ready.skip}`);
        this.skip();
      }
    });
    after(() => {
      redis?.disconnect();
      if (startedHere) stopTryton();
    });

    it('conforms: one sale per key, an aborted call is retryable, an unknown customer is refused', async () => {
      const probe = new TrytonProbe();
      redis = new Redis(REDIS_URL);
      const base = JSON.parse(readFileSync(path.join(FIXTURES, 'ubl-order', 'peppol-order-uc1.expected.json'), 'utf8')) as Order;
      const order = (messageId: string): CanonicalDocument => ({ ...base, documentNumber: `CONF-${messageId.slice(0, 8)}` });
      const options = trytonAdapterConfig().options as Record<string, unknown>;
      const report = await runConformance({
        definition: trytonAdapter,
        options,
        modules: ['sales'],
        context: { redis, rootDir: path.resolve(FIXTURES, '..') },
        document: order,
        probe: { count: async (delivery) => (await probe.search('sale.sale', [['description', '=', `hub:${delivery.messageId}`]], ['id'])).length },
        unavailable: { options: { url: `http://127.0.0.1:${await closedPort()}` } },
        rejected: { document: (messageId) => ({ ...order(messageId), buyer: { internalId: 'CUST-NOBODY-KNOWS', partyIds: [] } }) },
      });
      expectStatuses(report, [abortDuring]);
    });
  });
});
