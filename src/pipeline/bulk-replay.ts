import { abortableSleep } from '../util/sleep.js';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { CANONICAL_TYPES } from '../canonical/types.js';
import type { HubConfig } from '../config/types.js';
import { ERROR_CATALOG } from '../errors/catalog.js';
import { errorSummary, HubError, isHubErrorLike } from '../errors/hub-error.js';
import { isStoreUnavailable } from '../errors/unavailable.js';
import type { HubQueues } from '../queue/queues.js';
import type { AuditLog } from '../store/audit-log.js';
import { MESSAGE_STATUSES, type MessageStatus, type MessageStore } from '../store/message-store.js';
import { ReplayRunStore, type ReplayCandidate, type ReplayFilter, type ReplayRun } from '../store/replay-runs.js';
import { uuidv7 } from '../util/ids.js';
import { replayMessage, runMarker } from './replay.js';

/** How long a dry run's token may be used to start the run it counted. */
export const DRY_RUN_VALID_MS = 60 * 60 * 1000;

const FILTER_KEYS = ['partner', 'type', 'from', 'to', 'errorCode', 'adapter', 'status'] as const;

/** What the filter may name: the configured partners and adapters. */
export interface FilterContext {
  partners: readonly string[];
  adapters: readonly string[];
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new HubError('HUB_ERR_BAD_REQUEST', `filter.${name} must be a string (got ${JSON.stringify(value)}).`);
  return value;
}

function oneOf(value: unknown, name: string, allowed: readonly string[], what: string): string | undefined {
  const v = text(value, name);
  if (v !== undefined && !allowed.includes(v)) throw new HubError('HUB_ERR_BAD_REQUEST', `filter.${name} "${v}" is not ${what}; it must be one of ${allowed.join(', ')}.`);
  return v;
}

function time(value: unknown, name: string): string | undefined {
  const v = text(value, name);
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new HubError('HUB_ERR_BAD_REQUEST', `filter.${name} must be an ISO 8601 time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z (got "${v}").`);
  return new Date(ms).toISOString();
}

/**
 * Reads and checks a bulk replay's filter: unknown keys and values that name nothing the hub has are 400s
 * that say what is allowed. Status defaults to failed (failed and delivered with force); delivered without
 * force is refused with HUB_ERR_REPLAY_FORCE_REQUIRED.
 */
export function parseReplayFilter(input: unknown, force: boolean, context: FilterContext): ReplayFilter {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new HubError('HUB_ERR_BAD_REQUEST', 'filter must be an object, e.g. {"partner": "acme", "type": "Order", "errorCode": "HUB_ERR_ADAPTER_UNAVAILABLE"}.');
  const raw = input as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => !(FILTER_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new HubError('HUB_ERR_BAD_REQUEST', `Unknown filter key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; a bulk replay filters by ${FILTER_KEYS.join(', ')}.`);
  const partner = oneOf(raw.partner, 'partner', context.partners, 'a configured partner');
  const type = oneOf(raw.type, 'type', CANONICAL_TYPES, 'a canonical document type');
  const adapter = oneOf(raw.adapter, 'adapter', context.adapters, 'a configured adapter');
  const from = time(raw.from, 'from');
  const to = time(raw.to, 'to');
  if (from && to && from >= to) throw new HubError('HUB_ERR_BAD_REQUEST', 'filter.from must be earlier than filter.to.');
  const errorCode = text(raw.errorCode, 'errorCode');
  if (errorCode !== undefined && !Object.hasOwn(ERROR_CATALOG, errorCode)) {
    throw new HubError('HUB_ERR_BAD_REQUEST', `filter.errorCode "${errorCode}" is not a hub error code (docs/errors.md lists them, e.g. HUB_ERR_ADAPTER_UNAVAILABLE).`);
  }
  const given = raw.status === undefined || raw.status === null ? [] : Array.isArray(raw.status) ? raw.status : [raw.status];
  for (const s of given) {
    if (typeof s !== 'string' || !MESSAGE_STATUSES.includes(s as MessageStatus)) {
      throw new HubError('HUB_ERR_BAD_REQUEST', `filter.status ${JSON.stringify(s)} is not a message status; it must be one or more of ${MESSAGE_STATUSES.join(', ')} (accepted and processing take messages stuck past pipeline.sweepAfterSeconds).`);
    }
  }
  const status = [...new Set(given.length ? (given as MessageStatus[]) : force ? (['failed', 'delivered'] as const) : (['failed'] as const))].sort();
  if (status.includes('delivered') && !force) {
    throw new HubError('HUB_ERR_REPLAY_FORCE_REQUIRED', 'filter.status includes delivered: replaying delivered messages sends them to the ERP again; ask for it explicitly with "force": true.');
  }
  if (errorCode && !status.includes('failed')) throw new HubError('HUB_ERR_BAD_REQUEST', 'filter.errorCode applies to failed messages only; add failed to filter.status or drop errorCode.');
  return { ...(partner ? { partner } : {}), ...(type ? { type } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}), ...(errorCode ? { errorCode } : {}), ...(adapter ? { adapter } : {}), status };
}

/** What a dry run fixes: the filter, force, the time it looked and how many it found. */
interface Plan {
  v: 1;
  filter: ReplayFilter;
  force: boolean;
  asOf: string;
  count: number;
}

const checksum = (payload: string) => createHash('sha256').update(`b2b-hub bulk replay\n${payload}`).digest('base64url').slice(0, 22);

/**
 * The token a dry run returns and the run must echo: the plan itself (so the run replays exactly what was
 * counted) with a checksum against a token mangled on its way. It is not a credential: starting a run still
 * takes the ops role, and a token only ever narrows what is replayed.
 */
export function encodePlan(plan: Plan): string {
  const payload = Buffer.from(JSON.stringify(plan)).toString('base64url');
  return `${payload}.${checksum(payload)}`;
}

export function decodePlan(token: unknown): Plan {
  const bad = () => new HubError('HUB_ERR_BAD_REQUEST', 'token is not a bulk replay dry-run token: pass the token of POST /v1/ops/replays/dry-run as it was returned.');
  if (typeof token !== 'string' || token.length > 8192) throw bad();
  const [payload, sum, extra] = token.split('.');
  if (!payload || !sum || extra !== undefined || checksum(payload) !== sum) throw bad();
  try {
    const plan = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Plan;
    if (plan.v !== 1 || typeof plan.count !== 'number' || typeof plan.asOf !== 'string' || !plan.filter || !Array.isArray(plan.filter.status)) throw bad();
    return plan;
  } catch {
    throw bad();
  }
}

export interface BulkReplayDeps {
  store: MessageStore;
  runs: ReplayRunStore;
  queues: HubQueues;
  audit: AuditLog;
  /** pipeline.sweepAfterSeconds in ms: how long accepted/processing must be unchanged to count as stuck. */
  stuckAfterMs: number;
  /** pipeline.bulkReplayPerSecond: the most messages a second all bulk replays together replay. */
  ratePerSecond: number;
  /** pipeline.bulkReplayMaxMessages: the most messages one run may take. */
  maxMessages: number;
}

export interface DryRun {
  dryRun: true;
  count: number;
  filter: ReplayFilter;
  force: boolean;
  asOf: string;
  expiresAt: string;
  sample: ReplayCandidate[];
  /** Echo it to POST /v1/ops/replays to replay exactly what was counted. */
  token: string;
}

/** Counts what a filter selects now and shows the first of them, oldest first; nothing is changed. */
export async function dryRun(filter: ReplayFilter, force: boolean, sampleSize: number, actor: string, deps: BulkReplayDeps): Promise<DryRun> {
  const asOf = await deps.runs.now();
  const count = await deps.runs.count(filter, asOf, deps.stuckAfterMs);
  if (count > deps.maxMessages) {
    throw new HubError('HUB_ERR_BAD_REQUEST', `The filter selects ${count} messages, more than one bulk replay takes (pipeline.bulkReplayMaxMessages = ${deps.maxMessages}); narrow it (partner, type, from/to, errorCode, adapter) and run it in parts.`);
  }
  const sample = await deps.runs.sample(filter, asOf, deps.stuckAfterMs, sampleSize);
  await deps.audit.record({ event: 'replay.dry-run', actor, detail: `${count} message(s) selected by ${JSON.stringify(filter)}${force ? ', force' : ''}` });
  return { dryRun: true, count, filter, force, asOf, expiresAt: new Date(Date.parse(asOf) + DRY_RUN_VALID_MS).toISOString(), sample, token: encodePlan({ v: 1, filter, force, asOf, count }) };
}

/**
 * Starts a durable run from a dry run's token: its messages are fixed now, from the selection as of the dry
 * run (only messages unchanged since); fewer is fine (some were replayed or removed meanwhile), more is
 * refused with HUB_ERR_REPLAY_DRY_RUN_STALE, as is a token older than DRY_RUN_VALID_MS.
 */
export async function startRun(token: unknown, options: { ratePerSecond?: number }, actor: string, deps: BulkReplayDeps, context: FilterContext): Promise<ReplayRun> {
  const plan = decodePlan(token);
  // The filter is checked again: the configuration may have changed since the dry run.
  const filter = parseReplayFilter(plan.filter, plan.force, context);
  const ageMs = Date.parse(await deps.runs.now()) - Date.parse(plan.asOf);
  if (ageMs > DRY_RUN_VALID_MS) {
    throw new HubError('HUB_ERR_REPLAY_DRY_RUN_STALE', `The dry run is ${Math.round(ageMs / 60_000)} minutes old (a token is good for ${DRY_RUN_VALID_MS / 60_000}); run the dry run again to see what it selects now.`);
  }
  if (plan.count === 0) throw new HubError('HUB_ERR_BAD_REQUEST', 'The dry run selected no message; there is nothing to replay.');
  const rate = options.ratePerSecond ?? deps.ratePerSecond;
  if (typeof rate !== 'number' || !(rate > 0) || rate > deps.ratePerSecond) {
    throw new HubError('HUB_ERR_BAD_REQUEST', `ratePerSecond must be a number above 0 and at most ${deps.ratePerSecond} (pipeline.bulkReplayPerSecond).`);
  }
  const id = uuidv7();
  const { run, found } = await deps.runs.create({ id, filter, force: plan.force, requestedBy: actor, counted: plan.count, ratePerSecond: rate, asOf: plan.asOf }, deps.stuckAfterMs);
  if (!run) {
    throw new HubError('HUB_ERR_REPLAY_DRY_RUN_STALE', `The selection now holds ${found} messages, more than the ${plan.count} the dry run counted; nothing was started. Run the dry run again and check what it selects.`);
  }
  await deps.audit.record({ event: 'replay.started', actor, detail: `run ${run.id}: ${run.expected} message(s) (dry run counted ${plan.count}) by ${JSON.stringify(filter)}${plan.force ? ', force' : ''}, ${rate}/s` });
  return run;
}

const sleep = abortableSleep;

/**
 * Works through running bulk replays in the background, in every worker process; one process at a time
 * (the one holding the 'bulk-replay' advisory lock) does the work, so the rate is for the whole hub and a
 * process that dies hands the runs to the next one that polls. Each message is replayed in a transaction
 * holding its run's row: a stop waits for it, and a crash before its commit leaves the item to do again, which
 * then finds the run's own history entry and counts it without a second replay.
 */
export class BulkReplayRunner {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly deps: BulkReplayDeps & { logger: Logger },
    private readonly pollMs = 1000,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      try {
        await this.deps.store.withLock('bulk-replay', () => this.drain());
      } catch (error) {
        this.deps.logger.warn({ err: errorSummary(error), message: (error as Error).message }, 'bulk replay runner: will try again');
      }
      await sleep(this.pollMs, signal);
    }
  }

  private async drain(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      const run = await this.deps.runs.nextRunning();
      if (!run) return;
      await this.work(run);
    }
  }

  private async work(run: ReplayRun): Promise<void> {
    const { signal } = this.abort;
    const log = this.deps.logger.child({ replayRun: run.id });
    const intervalMs = 1000 / Math.min(run.ratePerSecond, this.deps.ratePerSecond);
    while (!signal.aborted) {
      const started = Date.now();
      let outcome: 'continue' | 'stopped' | 'done';
      try {
        outcome = await this.deps.runs.step(run.id, (item, current) => this.replayOne(item.messageId, current));
      } catch (error) {
        if (isStoreUnavailable(error)) throw error;
        // A bug, not a message's state: the run stops with the reason instead of looping on it.
        log.error({ err: error }, 'bulk replay run failed');
        await this.deps.runs.fail(run.id, `${errorSummary(error).code}: ${(error as Error).message}`);
        return;
      }
      if (outcome !== 'continue') {
        if (outcome === 'done') {
          const finished = await this.deps.runs.get(run.id);
          await this.deps.audit.record({ event: 'replay.finished', actor: 'hub', detail: `run ${run.id}: ${finished?.replayed} replayed, ${finished?.skipped} skipped of ${finished?.expected}` });
          log.info({ replayed: finished?.replayed, skipped: finished?.skipped }, 'bulk replay run done');
        }
        return;
      }
      await sleep(intervalMs - (Date.now() - started), signal);
    }
  }

  private async replayOne(messageId: string, run: ReplayRun): Promise<{ outcome: 'replayed' | 'skipped'; detail: string }> {
    const marker = runMarker(run.id);
    if (await this.deps.runs.alreadyReplayed(messageId, marker)) {
      // The step that replayed it crashed before its commit: count it, and queue its transform once more
      // (the job id is the same, so this adds nothing if the first enqueue got through).
      const record = await this.deps.store.get(messageId);
      if (record && record.status === 'accepted') await this.deps.queues.enqueueTransform(messageId, record.replays);
      return { outcome: 'replayed', detail: 'replayed before the hub restarted' };
    }
    try {
      const { replays, forced } = await replayMessage(messageId, run.requestedBy, this.deps, {
        force: run.force,
        from: run.filter.status,
        run: run.id,
        ...(run.filter.adapter ? { adapters: [run.filter.adapter] } : {}),
      });
      await this.deps.audit.record({ event: 'message.replayed', actor: run.requestedBy, messageId, detail: `replay ${replays}${forced ? ' (forced)' : ''}, ${marker}` });
      return { outcome: 'replayed', detail: `replay ${replays}${forced ? ' (forced)' : ''}` };
    } catch (error) {
      // The message moved on since the run started (replayed alone, delivered, removed): skipped, with why.
      if (isHubErrorLike(error) && !isStoreUnavailable(error)) return { outcome: 'skipped', detail: `${error.code}: ${error.message}` };
      throw error;
    }
  }
}

/** The bulk replay's dependencies from the configuration and the hub's stores. */
export function bulkReplayDeps(config: HubConfig, deps: { store: MessageStore; queues: HubQueues; audit: AuditLog }): BulkReplayDeps {
  return {
    ...deps,
    runs: new ReplayRunStore(deps.store.db),
    stuckAfterMs: config.pipeline.sweepAfterSeconds * 1000,
    ratePerSecond: config.pipeline.bulkReplayPerSecond,
    maxMessages: config.pipeline.bulkReplayMaxMessages,
  };
}
