/**
 * GET /metrics on a real hub (real PostgreSQL, Redis, HTTP): who may scrape, that the counters equal what was
 * posted and what happened to it, that the histograms and gauges are there, that a scrape with Redis killed
 * still answers with what is known and hub_up{store="redis"} 0, and a worker process's own listener.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { expectedOf, goldenFixtures, roundsWithoutDuplicates } from '../helpers/fixtures.js';
import { PrivateRedis } from '../helpers/private-redis.js';
import { call, ROOT, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples of one metric whose labels include `where`. */
function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

function has(samples: Sample[], name: string, where: Record<string, string> = {}): boolean {
  return samples.some((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
}

/** A guard against a scrape that never answers (not a speed check). */
const HANG_GUARD_MS = 20_000;

async function scrape(url: string, token?: string): Promise<{ status: number; contentType: string; samples: Sample[]; text: string }> {
  const response = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(HANG_GUARD_MS) });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', samples: response.status === 200 ? parseExposition(text) : [], text };
}

const TOKEN_ENV = 'HUB_TEST_METRICS_TOKEN';
const TOKEN = 'metrics-test-token-0123456789abcdef0123456789';
const withToken = (extra: Record<string, unknown> = {}) => (c: any) => (c.metrics = { scrapeTokenEnv: TOKEN_ENV, ...extra });

describe('Prometheus metrics at /metrics', function () {
  this.timeout(120_000);
  before(() => {
    process.env[TOKEN_ENV] = TOKEN;
  });
  after(() => {
    delete process.env[TOKEN_ENV];
  });

  describe('on a hub that took real documents', () => {
    let t: TestHub;
    const round = roundsWithoutDuplicates(goldenFixtures())[0]!;
    const ids: string[] = [];
    let posts = 0;

    before(async () => {
      t = await startTestHub({ configure: withToken() });
      for (const fixture of round) {
        const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[fixture.partner], body: fixture.bytes });
        posts++;
        expect(r.status, `${fixture.name}: ${JSON.stringify(r.body)}`).to.equal(202);
        ids.push(r.body.id);
      }
      const duplicate = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[round[0]!.partner], body: round[0]!.bytes });
      posts++;
      expect(duplicate.status).to.equal(200);
      const malformed = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: '<?xml version="1.0"?><Order><ID>1</Order>' });
      posts++;
      expect(malformed.body.code).to.equal('HUB_ERR_XML_MALFORMED');
      const anonymous = await call(t.url, 'POST', '/v1/documents', { body: round[0]!.bytes });
      posts++;
      expect(anonymous.status).to.equal(401);
      for (const id of ids) expect((await waitForStatus(t, id, ['delivered', 'failed'], 30_000)).status).to.equal('delivered');
    });
    after(async () => t?.close());

    it('answers the ops key and the scrape token with the registry content type; 401 without either, 403 for a partner', async () => {
      const ops = await scrape(t.url, t.keys.ops);
      expect(ops.status).to.equal(200);
      expect(ops.contentType).to.match(/^text\/plain; version=0\.0\.4/);
      expect(has(ops.samples, 'hub_documents_total')).to.equal(true);
      const token = await scrape(t.url, TOKEN);
      expect(token.status).to.equal(200);
      expect(has(token.samples, 'hub_documents_total')).to.equal(true);
      expect((await scrape(t.url)).status).to.equal(401);
      const wrong = await scrape(t.url, `${TOKEN}x`);
      expect(wrong.status).to.equal(401);
      expect(JSON.parse(wrong.text).code).to.equal('HUB_ERR_UNAUTHENTICATED');
      expect((await scrape(t.url, t.keys.partners.acme)).status).to.equal(403);
    });

    it('counts documents by partner, canonical type and outcome exactly as posted', async () => {
      const { samples } = await scrape(t.url, TOKEN);
      const expected = new Map<string, number>();
      for (const f of round) expected.set(`${f.partner}|${expectedOf(f).type}`, (expected.get(`${f.partner}|${expectedOf(f).type}`) ?? 0) + 1);
      for (const [key, n] of expected) {
        const [partner, type] = key.split('|') as [string, string];
        expect(total(samples, 'hub_documents_total', { partner, type, outcome: 'accepted' }), key).to.equal(n);
      }
      expect(total(samples, 'hub_documents_total', { outcome: 'accepted' })).to.equal(round.length);
      expect(total(samples, 'hub_documents_total', { partner: round[0]!.partner, type: expectedOf(round[0]!).type, outcome: 'duplicate' })).to.equal(1);
      expect(total(samples, 'hub_documents_total', { partner: 'acme', type: 'unknown', outcome: 'refused', code: 'HUB_ERR_XML_MALFORMED' })).to.equal(1);
      expect(total(samples, 'hub_documents_total', { partner: 'unknown', outcome: 'refused', code: 'HUB_ERR_UNAUTHENTICATED' })).to.equal(1);
      expect(total(samples, 'hub_documents_total')).to.equal(posts);
      expect(total(samples, 'hub_documents_received_total')).to.equal(posts);
      expect(total(samples, 'hub_intake_duration_seconds_count')).to.equal(posts);
      expect(total(samples, 'hub_intake_duration_seconds_count', { outcome: 'accepted' })).to.equal(round.length);
      // Never a message id or a document number in a label.
      for (const s of samples) for (const value of Object.values(s.labels)) expect(ids.some((id) => value.includes(id)), `${s.name} ${value}`).to.equal(false);
    });

    it('counts transform and delivery attempts per adapter and the time to delivered', async () => {
      const deliveries = (await Promise.all(ids.map((id) => t.hub.store.deliveries(id)))).flat().filter((d) => d.status === 'delivered');
      const perAdapter = new Map<string, number>();
      for (const d of deliveries) perAdapter.set(d.adapter, (perAdapter.get(d.adapter) ?? 0) + 1);
      expect([...perAdapter.keys()].sort()).to.deep.equal(['archive', 'outbox']);
      // The last counter moves just after the status a test can see: read until it has caught up, then compare exactly.
      const samples = await waitFor(async () => {
        const s = (await scrape(t.url, TOKEN)).samples;
        return total(s, 'hub_accepted_to_delivered_seconds_count') >= ids.length ? s : undefined;
      }, 'the delivered histogram to count every message');
      expect(total(samples, 'hub_transform_attempts_total', { outcome: 'mapped' })).to.equal(ids.length);
      expect(total(samples, 'hub_transform_duration_seconds_count', { outcome: 'mapped' })).to.equal(ids.length);
      for (const [adapter, n] of perAdapter) {
        expect(total(samples, 'hub_delivery_attempts_total', { adapter, outcome: 'delivered' }), adapter).to.equal(n);
        expect(total(samples, 'hub_delivery_duration_seconds_count', { adapter, outcome: 'delivered' }), adapter).to.equal(n);
      }
      expect(total(samples, 'hub_delivery_attempts_total', { outcome: 'failed' })).to.equal(0);
      expect(total(samples, 'hub_accepted_to_delivered_seconds_count')).to.equal(ids.length);
      for (const type of new Set(round.map((f) => expectedOf(f).type as string))) {
        expect(total(samples, 'hub_accepted_to_delivered_seconds_count', { type }), type).to.equal(round.filter((f) => expectedOf(f).type === type).length);
      }
    });

    it('has store latency, queue depths, outbox gauges, hub_up and the process metrics', async () => {
      const { samples } = await scrape(t.url, TOKEN);
      // Every accepted document was one committed transaction at the intake, and more in the workers.
      expect(total(samples, 'hub_store_query_duration_seconds_count', { operation: 'commit' })).to.be.at.least(ids.length);
      expect(total(samples, 'hub_store_query_duration_seconds_count', { operation: 'transaction' })).to.be.at.least(ids.length);
      expect(total(samples, 'hub_store_query_duration_seconds_count', { operation: 'select' })).to.be.above(0);
      for (const queue of ['transform', 'deliver']) for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(has(samples, 'hub_queue_jobs', { queue, state }), `${queue} ${state}`).to.equal(true);
      expect(total(samples, 'hub_queue_jobs', { queue: 'transform', state: 'completed' })).to.equal(ids.length);
      expect(total(samples, 'hub_up', { store: 'redis' })).to.equal(1);
      expect(total(samples, 'hub_up', { store: 'postgres' })).to.equal(1);
      const { rows } = await t.hub.db.query<{ module: string; n: number }>('SELECT module, count(*) AS n FROM outbox WHERE acked_at IS NULL GROUP BY module');
      expect(rows.length).to.be.above(0);
      for (const r of rows) expect(total(samples, 'hub_outbox_messages', { adapter: 'outbox', module: r.module, state: 'ready' }), r.module).to.equal(r.n);
      expect(has(samples, 'process_cpu_user_seconds_total')).to.equal(true);
      expect(has(samples, 'nodejs_eventloop_lag_seconds')).to.equal(true);
    });

    it('documents every hub_ metric in docs/operations.md, and the Grafana dashboard uses only metrics that exist', async () => {
      const { text } = await scrape(t.url, TOKEN);
      const families = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
      const hubFamilies = [...families].filter((f) => f.startsWith('hub_'));
      expect(hubFamilies.length).to.be.at.least(13);
      const operations = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
      for (const family of hubFamilies) expect(operations, family).to.contain(`| \`${family}\` |`);
      const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'docs/grafana-dashboard.json'), 'utf8'));
      const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((x: any) => x.expr));
      const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:hub|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''))));
      expect(used.size).to.be.at.least(12);
      for (const name of used) expect(families.has(name), `${name} in the dashboard`).to.equal(true);
    });

    it('shows outbox rows an ERP fetch leased as leased', async () => {
      const fetched = await call(t.url, 'GET', '/v1/erp/messages?module=finance&limit=500', { key: t.keys.erp });
      expect(fetched.body.messages.length).to.be.above(0);
      // A reading is reused for a moment: wait for the next one.
      await waitFor(async () => {
        const { samples } = await scrape(t.url, TOKEN);
        return total(samples, 'hub_outbox_messages', { module: 'finance', state: 'leased' }) === fetched.body.messages.length ? true : undefined;
      }, 'the leased finance rows to show');
      const { samples } = await scrape(t.url, TOKEN);
      expect(total(samples, 'hub_outbox_messages', { module: 'finance', state: 'ready' })).to.equal(0);
    });
  });

  it('Redis killed: the scrape still answers, with hub_up{store="redis"} 0, no queue depths and the counters it has', async () => {
    const redis = await PrivateRedis.start();
    const t = await startTestHub({ redisUrl: redis.url, configure: withToken() });
    try {
      const fixture = goldenFixtures(['ubl-order'])[0]!;
      const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: fixture.bytes });
      expect(posted.status).to.equal(202);
      await waitForStatus(t, posted.body.id);
      const before = await scrape(t.url, TOKEN);
      expect(total(before.samples, 'hub_up', { store: 'redis' })).to.equal(1);
      expect(has(before.samples, 'hub_queue_jobs')).to.equal(true);
      await redis.stop('SIGKILL');
      // The reading of a moment ago may still be reused: wait until the scrape has noticed.
      const down = await waitFor(async () => {
        const s = await scrape(t.url, t.keys.ops);
        return s.status === 200 && total(s.samples, 'hub_up', { store: 'redis' }) === 0 ? s : undefined;
      }, 'a scrape that reports Redis down');
      expect(total(down.samples, 'hub_up', { store: 'postgres' })).to.equal(1);
      expect(has(down.samples, 'hub_queue_jobs')).to.equal(false);
      expect(total(down.samples, 'hub_documents_total', { partner: 'acme', type: 'Order', outcome: 'accepted' })).to.equal(1);
      expect(has(down.samples, 'hub_outbox_messages', { adapter: 'outbox', state: 'ready' })).to.equal(true);
      expect((await scrape(t.url, TOKEN)).status).to.equal(200);
      expect((await scrape(t.url)).status).to.equal(401);
    } finally {
      // Back up, and seen back by the hub, before it closes: its workers and queues close only through Redis.
      await redis.restart();
      const back = await waitFor(async () => (total((await scrape(t.url, TOKEN)).samples, 'hub_up', { store: 'redis' }) === 1 ? true : undefined), 'Redis to be back', 30_000).catch(() => false);
      expect(back, 'the scrape reports Redis up again').to.equal(true);
      await t.close();
      await redis.stop();
    }
  });

  it('a worker process serves its own metrics on metrics.port, with the scrape token only', async () => {
    const prefix = `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const api = await startTestHub({ prefix, workers: false });
    const worker = await startTestHub({ prefix, server: false, workers: true, configure: withToken({ port: 0 }) });
    try {
      expect(api.hub.metricsUrl).to.equal(undefined);
      expect(worker.hub.metricsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const fixture = goldenFixtures(['ubl-order'])[0]!;
      const posted = await call(api.url, 'POST', '/v1/documents', { key: api.keys.partners.acme, body: fixture.bytes });
      expect(posted.status).to.equal(202);
      expect((await waitForStatus(api, posted.body.id)).status).to.equal('delivered');
      const samples = await waitFor(async () => {
        const s = (await scrape(worker.hub.metricsUrl!, TOKEN)).samples;
        return total(s, 'hub_accepted_to_delivered_seconds_count') === 1 ? s : undefined;
      }, 'the worker to count the delivery');
      expect(total(samples, 'hub_transform_attempts_total', { outcome: 'mapped' })).to.equal(1);
      expect(total(samples, 'hub_delivery_attempts_total', { outcome: 'delivered' })).to.equal(2);
      expect(total(samples, 'hub_documents_total')).to.equal(0);
      const intake = (await scrape(api.url, api.keys.ops)).samples;
      expect(total(intake, 'hub_documents_total', { outcome: 'accepted' })).to.equal(1);
      expect(total(intake, 'hub_transform_attempts_total')).to.equal(0);
      expect((await scrape(worker.hub.metricsUrl!)).status).to.equal(401);
      expect((await scrape(worker.hub.metricsUrl!, api.keys.ops)).status).to.equal(401);
      expect((await fetch(`${worker.hub.metricsUrl}/v1/documents`, { signal: AbortSignal.timeout(HANG_GUARD_MS) })).status).to.equal(404);
    } finally {
      await worker.close();
      await api.close();
    }
  });
});
