/**
 * The chaos suite: real hub processes (intake and workers) on a PostgreSQL and a Redis of the suite's own,
 * partners posting thousands of real documents, an ERP (a webhook recorder and an outbox puller) that records
 * every call, and faults while the documents flow: workers killed with SIGKILL again and again, Redis stopped
 * and killed, Redis wiped, PostgreSQL restarted (fast and immediate), the ERP down, intake processes restarted
 * with SIGTERM. At the end it checks from the ERP's side that every document a partner got a 202 (or a 200
 * duplicate) for reached every adapter it was routed to, once, and that nothing else reached the ERP.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ErpRecorder } from '../helpers/erp-recorder.js';
import { PrivatePostgres } from '../helpers/private-postgres.js';
import { PrivateRedis } from '../helpers/private-redis.js';
import { demoConfig } from '../helpers/test-hub.js';
import { HubCluster } from './cluster.js';
import { OutboxPuller } from './erp-puller.js';
import { Partners, templates, type PostEvent, type SentDocument, type Template } from './partner.js';

export interface ChaosOptions {
  documents: number;
  /** Documents started per second (open loop: on a schedule, not after the previous answer). */
  ratePerSecond: number;
  intakes: number;
  workers: number;
  /** Mean seconds between two worker kills (each SIGKILL at a random moment around it). */
  killEverySeconds: number;
  erpOutageSeconds: number;
  /** How long Redis and PostgreSQL stay down when they are stopped. */
  storeDownSeconds: number;
  drainTimeoutSeconds: number;
  /** Where logs go; a temporary folder (removed when all is well) unless given. */
  dir?: string;
  log?: (line: string) => void;
}

export const FULL: ChaosOptions = { documents: 5000, ratePerSecond: 40, intakes: 2, workers: 3, killEverySeconds: 8, erpOutageSeconds: 30, storeDownSeconds: 4, drainTimeoutSeconds: 600 };
export const SHORT: ChaosOptions = { documents: 600, ratePerSecond: 12, intakes: 2, workers: 3, killEverySeconds: 4, erpOutageSeconds: 6, storeDownSeconds: 2, drainTimeoutSeconds: 300 };

export interface FaultRecord {
  kind: 'worker-kill' | 'worker-term' | 'redis-stop' | 'redis-kill' | 'redis-wipe' | 'postgres-fast' | 'postgres-immediate' | 'erp-outage' | 'intake-term';
  label: string;
  start: number;
  end: number;
}

export interface FaultCost {
  fault: FaultRecord;
  /** Non-2xx answers and failed requests the partners saw from the fault's start to 5 s after its end, by kind. */
  partnerErrors: Record<string, number>;
  /** From the first to the last 503 (or refused connection) the partners saw in that time; 0 when none. */
  unavailableMs: number;
}

export interface ChaosReport {
  documents: number;
  accepted: number;
  /** Final answer 200 duplicate after an earlier attempt failed: the hub had stored it but its answer was lost. */
  storedButUnanswered: number;
  refused: Array<{ status: number; code?: string; count: number }>;
  gaveUp: number;
  delivered: number;
  lost: Array<{ id: string; status: string; error?: string; missing: string[] }>;
  erpCreatedTwice: number;
  outboxReceivedTwice: number;
  webhookRepeats: number;
  repeatReasons: Record<string, number>;
  outboxHandedOutAgain: number;
  deliveredNeverAccepted: number;
  /** Documents in the hub's store that no partner got an id for. */
  storedNeverConfirmed: number;
  serverErrors: number;
  drainMs: number;
  postingMs: number;
  faults: FaultCost[];
  counts: Record<FaultRecord['kind'], number>;
  worstUnavailable: { ms: number; fault?: string };
  logDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'hub-chaos-'));
  // The private PostgreSQL runs as the postgres user when this runs as root: it must get through to stores/.
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o711);
  mkdirSync(path.join(dir, 'var'), { recursive: true });
  const postgres = await PrivatePostgres.start(path.join(dir, 'stores'));
  const redis = await PrivateRedis.start({ appendOnlyDir: mkdtempSync(path.join(dir, 'redis-')) });
  const secret = 'chaos-erp-secret-0123456789abcdef';
  const recorder = await ErpRecorder.start({ secret });
  const t0 = performance.now();
  const clock = () => performance.now() - t0;

  const config = demoConfig();
  config.rateLimits = { perPartner: { limit: 10_000_000, windowSeconds: 60 }, perAddress: { limit: 10_000_000, windowSeconds: 60 } };
  // Short sweeps and locks so a run ends in minutes; the defaults (60 s, 30 s) behave the same, only slower.
  config.pipeline = { ...config.pipeline, attempts: 10, backoffMs: 500, sweepAfterSeconds: 5, sweepIntervalSeconds: 2, lockSeconds: 10 };
  config.server = { ...config.server, shutdownGraceSeconds: 10 };
  config.retention = { ...(config.retention ?? {}), intervalMinutes: 0 };
  const allModules = ['sales', 'procurement', 'inventory', 'finance'];
  config.adapters = {
    outbox: { type: 'outbox', modules: allModules, options: { visibilityTimeoutSeconds: 30 } },
    erp: { type: 'webhook', modules: allModules, options: { url: `${recorder.url}/orders`, secretEnv: 'CHAOS_ERP_SECRET', timeoutMs: 5000 } },
  };
  const env = { ...process.env, DATABASE_URL: postgres.url, REDIS_URL: redis.url, HUB_DB_SCHEMA: 'chaos', HUB_KEY_PREFIX: 'chaos', CHAOS_ERP_SECRET: secret };
  const cluster = new HubCluster(dir, env, config);
  const faults: FaultRecord[] = [];
  const puller = new OutboxPuller(
    () => cluster.intakes().filter((p) => p.ready).map((p) => ({ base: p.base! })),
    () => cluster.keys?.erp,
  );
  let report: ChaosReport | undefined;
  try {
    for (let i = 1; i <= options.intakes; i++) await cluster.startIntake(`intake-${i}`);
    for (let i = 0; i < options.workers; i++) await cluster.startWorker();
    log(`chaos: ${options.intakes} intake and ${options.workers} worker processes on PostgreSQL ${postgres.dataDir} and Redis ${redis.url}; logs in ${cluster.logFile}`);
    puller.start();
    const partners = new Partners(
      () => cluster.intakes().filter((p) => p.ready).map((p) => ({ name: p.name, base: p.base! })),
      () => cluster.keys.partners,
      clock,
      { timeoutMs: 15_000, giveUpAfterMs: 120_000 },
    );

    // The first round: one copy of every fixture, to keep those whose number the hub reads where we put it.
    const tag = Date.now().toString(36).toUpperCase();
    const usable: Template[] = [];
    for (const [t, template] of templates().entries()) {
      const doc = await partners.send(template, `CH${tag}-T${t}`);
      if (doc.outcome === 'accepted' && doc.documentNumber === doc.number) usable.push(template);
      else log(`chaos: fixture ${template.format}/${template.name} left out (${doc.outcome} ${doc.status ?? ''} ${doc.code ?? ''}, number read ${doc.documentNumber ?? '-'})`);
    }
    if (usable.length === 0) throw new Error('no fixture could be posted with a number of its own');
    const firstRound = partners.documents.length;

    // Documents flow while faults happen.
    const postingMs = ((options.documents - firstRound) / options.ratePerSecond) * 1000;
    const startedPosting = clock();
    let posting = true;
    let flowEnded = 0;
    const sends: Array<Promise<SentDocument>> = [];
    const flow = (async () => {
      for (let i = 0; i < options.documents - firstRound; i++) {
        const wait = startedPosting + (i * 1000) / options.ratePerSecond - clock();
        if (wait > 0) await sleep(wait);
        sends.push(partners.send(usable[i % usable.length]!, `CH${tag}-${i}`));
      }
      await Promise.all(sends);
      posting = false;
      flowEnded = clock();
    })();

    const fault = async (kind: FaultRecord['kind'], label: string, act: () => Promise<void>) => {
      const record: FaultRecord = { kind, label, start: clock(), end: 0 };
      faults.push(record);
      await act();
      record.end = clock();
      log(`chaos: ${(record.start / 1000).toFixed(1)} s ${label} (${((record.end - record.start) / 1000).toFixed(1)} s)`);
    };
    const replacements: Array<Promise<unknown>> = [];
    const killer = (async () => {
      await sleep(options.killEverySeconds * 500);
      while (posting) {
        // A worker still starting is not a victim: killing it would only make its start fail and be retried.
        const alive = cluster.workers().filter((w) => w.ready);
        const victim = alive[Math.floor(Math.random() * alive.length)];
        if (victim) {
          await fault('worker-kill', `SIGKILL ${victim.name}`, async () => void (await cluster.signal(victim, 'SIGKILL')));
          // The process manager starts it again a second later (and again until it runs: PostgreSQL may be down).
          replacements.push(sleep(1000).then(() => cluster.startWorkerUntilUp()));
        }
        await sleep(options.killEverySeconds * (0.5 + Math.random()) * 1000);
      }
    })();
    const at = async (fraction: number) => {
      const wait = startedPosting + fraction * postingMs - clock();
      if (wait > 0) await sleep(wait);
    };
    const down = options.storeDownSeconds * 1000;
    const plan = (async () => {
      await at(0.08);
      await fault('redis-stop', `Redis stopped (SIGTERM) for ${options.storeDownSeconds} s, restarted with its append-only file`, async () => {
        await redis.stop('SIGTERM');
        await sleep(down);
        await redis.restart();
      });
      await at(0.2);
      await fault('postgres-fast', `PostgreSQL fast shutdown for ${options.storeDownSeconds} s, restarted`, async () => {
        postgres.stop('fast');
        await sleep(down);
        await postgres.start();
      });
      await at(0.3);
      await fault('erp-outage', `ERP down for ${options.erpOutageSeconds} s (webhook refuses connections, outbox not pulled)`, async () => {
        await recorder.down();
        puller.paused = true;
        await sleep(options.erpOutageSeconds * 1000);
        await recorder.up();
        puller.paused = false;
      });
      await at(0.45);
      await fault('redis-kill', `Redis killed (SIGKILL) for ${options.storeDownSeconds} s, restarted`, async () => {
        await redis.stop('SIGKILL');
        await sleep(down);
        await redis.restart();
      });
      await at(0.62);
      await fault('redis-wipe', 'Redis wiped (FLUSHALL): every job and queue gone', () => redis.flushAll());
      await at(0.72);
      await fault('postgres-immediate', `PostgreSQL immediate shutdown (a crash) for ${options.storeDownSeconds} s, recovered`, async () => {
        postgres.stop('immediate');
        await sleep(down);
        await postgres.start();
      });
      await at(0.82);
      for (const intake of cluster.intakes()) {
        await fault('intake-term', `SIGTERM ${intake.name} (rolling restart), started again`, async () => {
          const code = await cluster.signal(intake, 'SIGTERM');
          if (code !== 0) log(`chaos: ${intake.name} exited with ${code} after SIGTERM`);
          await cluster.startIntakeUntilUp(intake.name);
        });
      }
      await at(0.9);
      const worker = cluster.workers()[0];
      if (worker) {
        await fault('worker-term', `SIGTERM ${worker.name} (graceful stop), a new one started`, async () => {
          const code = await cluster.signal(worker, 'SIGTERM');
          if (code !== 0) log(`chaos: ${worker.name} exited with ${code} after SIGTERM`);
          await cluster.startWorkerUntilUp();
        });
      }
    })();
    await Promise.all([flow, plan, killer]);
    await Promise.all(replacements);

    // Documents the partners gave up on: sent once more now that all is up. A 200 means the hub had stored it.
    let storedButUnanswered = partners.documents.filter((d) => d.outcome === 'duplicate' && d.attempts > 1).length;
    for (const doc of partners.documents.filter((d) => d.outcome === 'gave-up')) {
      await partners.resend(doc);
      if (doc.outcome === 'duplicate') storedButUnanswered++;
    }

    // Drain: until nothing is in flight in the hub and the ERP has everything the hub routed.
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    try {
      const accepted = new Map(partners.documents.filter((d) => d.id && (d.outcome === 'accepted' || d.outcome === 'duplicate')).map((d) => [d.id!, d]));
      // From the moment the last partner had its answer and the last fault was over.
      const drainStarted = Math.max(flowEnded, ...faults.map((f) => f.end));
      let state = await erpState(db, accepted, recorder, puller, Object.keys(config.adapters));
      const deadline = clock() + options.drainTimeoutSeconds * 1000;
      while ((state.inFlight > 0 || state.lost.length > 0) && clock() < deadline) {
        await sleep(1000);
        state = await erpState(db, accepted, recorder, puller, Object.keys(config.adapters));
        if (state.inFlight === 0 && state.lost.every((l) => l.status === 'failed')) break;
      }
      const drainMs = clock() - drainStarted;
      await puller.stop();

      const webhookByMessage = new Map<string, number>();
      for (const record of recorder.records.values()) {
        const id = record.key.slice(0, record.key.lastIndexOf(':'));
        webhookByMessage.set(id, (webhookByMessage.get(id) ?? 0) + 1);
      }
      const erpCreatedTwice = [...webhookByMessage.values()].filter((n) => n > 1).length;
      const outboxReceivedTwice = [...puller.received.values()].filter((ids) => ids.size > 1).length;
      const neverAccepted = new Set([...webhookByMessage.keys(), ...puller.documents().keys()].filter((id) => !accepted.has(id)));
      const storedIds = (await db.query<{ id: string }>('SELECT id FROM chaos.messages')).rows.map((r) => r.id);

      // Why a call with the same key came again: the fault in whose shadow the first call was made (the one
      // that started last before it, up to a lock period and a sweep after its end).
      const repeatReasons: Record<string, number> = {};
      for (const record of recorder.records.values()) {
        if (record.repeats === 0) continue;
        const first = recorder.calls.find((c) => c.recordId === record.id)!;
        const cause = latestFault(faults, first.at, config.pipeline.lockSeconds * 1000 + 10_000, () => true);
        const reason = cause ? cause.kind : 'no fault nearby';
        repeatReasons[reason] = (repeatReasons[reason] ?? 0) + record.repeats;
      }

      const costs = faultCosts(faults, partners.events);
      const worst = costs.reduce((w, c) => (c.unavailableMs > w.ms ? { ms: c.unavailableMs, fault: c.fault.label } : w), { ms: 0 } as { ms: number; fault?: string });
      const counts = Object.fromEntries(['worker-kill', 'worker-term', 'redis-stop', 'redis-kill', 'redis-wipe', 'postgres-fast', 'postgres-immediate', 'erp-outage', 'intake-term'].map((k) => [k, faults.filter((f) => f.kind === k).length])) as ChaosReport['counts'];
      const refused = new Map<string, { status: number; code?: string; count: number }>();
      for (const d of partners.documents.filter((x) => x.outcome === 'refused')) {
        const key = `${d.status}|${d.code}`;
        refused.set(key, { status: d.status!, ...(d.code ? { code: d.code } : {}), count: (refused.get(key)?.count ?? 0) + 1 });
      }
      report = {
        documents: partners.documents.length,
        accepted: accepted.size,
        storedButUnanswered,
        refused: [...refused.values()],
        gaveUp: partners.documents.filter((d) => d.outcome === 'gave-up').length,
        delivered: accepted.size - state.lost.length,
        lost: state.lost,
        erpCreatedTwice,
        outboxReceivedTwice,
        webhookRepeats: recorder.repeats,
        repeatReasons,
        outboxHandedOutAgain: [...puller.handedOut.values()].reduce((sum, n) => sum + n - 1, 0),
        deliveredNeverAccepted: neverAccepted.size,
        storedNeverConfirmed: storedIds.filter((id) => !accepted.has(id)).length,
        serverErrors: partners.events.filter((e) => e.status >= 500 && e.status !== 503).length,
        drainMs,
        postingMs: flowEnded - startedPosting,
        faults: costs,
        counts,
        worstUnavailable: worst,
        logDir: dir,
      };
    } finally {
      await db.end();
    }
    return report;
  } finally {
    await puller.stop();
    await cluster.stopAll();
    await recorder.close();
    await redis.stop();
    postgres.stop('fast');
    if (!options.dir && report && report.lost.length === 0 && report.erpCreatedTwice === 0 && report.deliveredNeverAccepted === 0) rmSync(dir, { recursive: true, force: true });
  }
}

/** What the ERP has of each accepted document, against what the hub routed; and what is still in flight. */
async function erpState(db: pg.Client, accepted: Map<string, SentDocument>, recorder: ErpRecorder, puller: OutboxPuller, adapters: readonly string[]) {
  const { rows } = await db.query<{ id: string; status: string; routes: Record<string, string[]> | null; error: { code?: string } | null }>('SELECT id, status, routes, error FROM chaos.messages');
  const byId = new Map(rows.map((r) => [r.id, r]));
  const outbox = puller.documents();
  const lost: ChaosReport['lost'] = [];
  for (const id of accepted.keys()) {
    const row = byId.get(id);
    const missing: string[] = [];
    if (!row) missing.push('not in the hub store');
    else {
      for (const adapter of adapters) {
        const modules = row.routes?.[adapter];
        if (!modules) missing.push(`${adapter}: not routed`);
        else if (adapter === 'erp' && !recorder.records.has(`${id}:erp`)) missing.push('erp: no webhook record');
        else if (adapter === 'outbox') for (const m of modules) if (!outbox.get(id)?.includes(m as never)) missing.push(`outbox: ${m} not pulled`);
      }
    }
    if (missing.length) lost.push({ id, status: row?.status ?? 'absent', ...(row?.error?.code ? { error: row.error.code } : {}), missing });
  }
  return { inFlight: rows.filter((r) => r.status === 'accepted' || r.status === 'processing').length, lost };
}

/** The fault that started last at or before `at` and ended no more than `afterMs` before it. */
function latestFault(faults: readonly FaultRecord[], at: number, afterMs: number, which: (f: FaultRecord) => boolean): FaultRecord | undefined {
  let best: FaultRecord | undefined;
  for (const f of faults) if (which(f) && f.start <= at && at <= f.end + afterMs && (!best || f.start > best.start)) best = f;
  return best;
}

/**
 * Each error a partner saw, charged to one fault: the store, ERP or intake fault that started last before
 * it (up to 10 s after that fault's end); a worker kill only when no such fault was near (partners talk to
 * intake processes, so a worker kill alone should cost them nothing).
 */
function faultCosts(faults: readonly FaultRecord[], events: readonly PostEvent[]): FaultCost[] {
  const costs = new Map(faults.map((f) => [f, { fault: f, partnerErrors: {} as Record<string, number>, times: [] as number[] }]));
  const unattributed = { fault: { kind: 'worker-kill', label: 'no fault nearby', start: 0, end: 0 } as FaultRecord, partnerErrors: {} as Record<string, number>, times: [] as number[] };
  for (const e of events) {
    if (e.status === 202 || e.status === 200) continue;
    const fault = latestFault(faults, e.at, 10_000, (f) => !f.kind.startsWith('worker-')) ?? latestFault(faults, e.at, 5000, () => true);
    const cost = fault ? costs.get(fault)! : unattributed;
    const kind = e.status ? `${e.status}${e.code ? ` ${e.code}` : ''}` : (e.error ?? 'network');
    cost.partnerErrors[kind] = (cost.partnerErrors[kind] ?? 0) + 1;
    if (e.status === 503 || e.status === 0) cost.times.push(e.at);
  }
  const all = [...costs.values(), ...(unattributed.times.length || Object.keys(unattributed.partnerErrors).length ? [unattributed] : [])];
  return all.map(({ fault, partnerErrors, times }) => ({ fault, partnerErrors, unavailableMs: times.length ? Math.max(...times) - Math.min(...times) : 0 }));
}

/** The report as a reader wants it: the verdict first, then every fault with its cost. */
export function printReport(report: ChaosReport, log: (line: string) => void = (l) => console.log(l)): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const c = report.counts;
  log('');
  log(`faults: ${c['worker-kill']} worker SIGKILLs, ${c['worker-term']} worker SIGTERM, ${c['redis-stop'] + c['redis-kill']} Redis restarts (${c['redis-kill']} SIGKILL), ${c['redis-wipe']} Redis wipe, ${c['postgres-fast'] + c['postgres-immediate']} PostgreSQL restarts (${c['postgres-immediate']} immediate), ${c['erp-outage']} ERP outage, ${c['intake-term']} intake SIGTERMs`);
  const rows: Array<[string, string]> = [
    ['documents posted', String(report.documents)],
    ['accepted (202, or 200 with the original id)', String(report.accepted)],
    ['  of which stored but the answer lost (a retry got 200 duplicate)', String(report.storedButUnanswered)],
    ['refused', report.refused.map((r) => `${r.count} × ${r.status} ${r.code ?? ''}`).join(', ') || '0'],
    ['partners gave up (no answer in 120 s, even at the end)', String(report.gaveUp)],
    ['delivered to every routed adapter', String(report.delivered)],
    ['LOST (accepted, not at the ERP)', String(report.lost.length)],
    ['ERP records created twice (webhook)', String(report.erpCreatedTwice)],
    ['outbox messages made twice for one document and module', String(report.outboxReceivedTwice)],
    ['deliveries for documents never accepted', String(report.deliveredNeverAccepted)],
    ['documents stored that no partner got an id for', String(report.storedNeverConfirmed)],
    ['webhook calls repeated (same Idempotency-Key; the ERP made nothing new)', `${report.webhookRepeats}${report.webhookRepeats ? ` (${Object.entries(report.repeatReasons).map(([k, v]) => `${v} near ${k}`).join(', ')})` : ''}`],
    ['outbox messages handed out again (ack lost or lease ran out; the ERP dedupes by id)', String(report.outboxHandedOutAgain)],
    ['500s and other 5xx but 503 seen by partners', String(report.serverErrors)],
    ['posting took', s(report.postingMs)],
    ['backlog drained in (after the last fault and the last answer)', s(report.drainMs)],
    ['worst 503 window', `${s(report.worstUnavailable.ms)}${report.worstUnavailable.fault ? ` (${report.worstUnavailable.fault})` : ''}`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) log(`${k.padEnd(width)}  ${v}`);
  log('');
  log('what each fault cost the partners (each error charged to the store, ERP or intake fault just before it):');
  for (const cost of report.faults) {
    const errors = Object.entries(cost.partnerErrors).map(([k, v]) => `${v} × ${k}`).join(', ') || 'no errors';
    log(`  ${s(cost.fault.start).padStart(7)}  ${cost.fault.label}: ${errors}${cost.unavailableMs ? `; 503/refused for ${s(cost.unavailableMs)}` : ''}`);
  }
  for (const l of report.lost.slice(0, 20)) log(`  lost ${l.id}: ${l.status}${l.error ? ` ${l.error}` : ''}; ${l.missing.join('; ')}`);
  log(`logs: ${report.logDir}`);
}
