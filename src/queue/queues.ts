import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/types.js';

/** Queue names: one hop to map and route, one job per routed adapter to deliver. */
export const QUEUE_NAMES = { transform: 'transform', deliver: 'deliver' } as const;

/** Job data: ids only. The raw document and the canonical document stay in the message store. */
export interface TransformJob {
  messageId: string;
}
export interface DeliverJob {
  messageId: string;
  adapter: string;
}

/** Attempts, backoff and retention, set once for every job the hub adds. */
export function jobOptions(config: HubConfig): JobsOptions {
  return {
    attempts: config.pipeline.attempts,
    // "hub": exponential from backoffMs, or the wait the target asked for (Retry-After), see workers.ts.
    backoff: { type: 'hub', delay: config.pipeline.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 50_000 },
    removeOnFail: { age: 14 * 24 * 3600 },
  };
}

export function bullPrefix(config: HubConfig): string {
  return `${config.redis.keyPrefix}:q`;
}

/** For the sweeper: replace a finished or failed job of the same id, if the work is (still) not done. */
export interface Revive {
  stillNeeded(): Promise<boolean>;
}

/** The two queues the hub adds jobs to. */
export class HubQueues {
  readonly transform: Queue<TransformJob>;
  readonly deliver: Queue<DeliverJob>;

  constructor(config: HubConfig, connection: ConnectionOptions, logger?: Pick<Logger, 'warn'>) {
    const options = { connection, prefix: bullPrefix(config), defaultJobOptions: jobOptions(config) };
    this.transform = new Queue<TransformJob>(QUEUE_NAMES.transform, options);
    this.deliver = new Queue<DeliverJob>(QUEUE_NAMES.deliver, options);
    // A Queue reports its connection's errors as 'error' events; unheard, one would end the process when Redis
    // restarts (a reset connection). They are logged; the connection comes back by itself.
    for (const queue of [this.transform, this.deliver]) queue.on('error', (error) => logger?.warn({ err: error.message, queue: queue.name }, 'queue connection error'));
  }

  /**
   * Job ids are derived from the message (and its replay count), so adding twice is a no-op. With `revive`
   * (the sweeper, for work PostgreSQL says is unfinished), a job of that id that BullMQ already finished or
   * gave up on (failed after a stall, say) is removed first, so the work really is queued again; a job still
   * waiting, delayed or active is left alone.
   */
  async enqueueTransform(messageId: string, replay: number, options: { revive?: Revive } = {}): Promise<'added' | 'exists' | `replaced ${string}`> {
    return this.add(this.transform, 'transform', { messageId }, replay ? `${messageId}.r${replay}` : messageId, options.revive);
  }

  async enqueueDeliver(messageId: string, adapter: string, replay: number, options: { revive?: Revive } = {}): Promise<'added' | 'exists' | `replaced ${string}`> {
    return this.add(this.deliver, 'deliver', { messageId, adapter }, `${messageId}.${adapter}${replay ? `.r${replay}` : ''}`, options.revive);
  }

  private async add<T>(queue: Queue<T>, name: string, data: T, jobId: string, revive?: Revive): Promise<'added' | 'exists' | `replaced ${string}`> {
    if (revive) {
      const existing = await queue.getJob(jobId);
      if (existing) {
        const state = await existing.getState();
        if (state !== 'failed' && state !== 'completed') return 'exists';
        // What the caller read may predate the job's end: a job that completed has recorded its work, so ask
        // again now, and replace the job only if the work is still not done.
        if (!(await revive.stillNeeded())) return 'exists';
        const reason = state === 'failed' ? `failed job (${(existing.failedReason ?? '').slice(0, 120)})` : 'completed job';
        await existing.remove();
        await (queue as Queue).add(name, data, { jobId });
        return `replaced ${reason}`;
      }
    }
    await (queue as Queue).add(name, data, { jobId });
    return 'added';
  }

  async counts(): Promise<Record<string, Record<string, number>>> {
    const states = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;
    const [transform, deliver] = await Promise.all([this.transform.getJobCounts(...states), this.deliver.getJobCounts(...states)]);
    return { transform, deliver };
  }

  async close(): Promise<void> {
    await Promise.all([this.transform.close(), this.deliver.close()]);
  }
}
