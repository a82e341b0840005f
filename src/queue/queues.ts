import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
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

/** The two queues the hub adds jobs to. */
export class HubQueues {
  readonly transform: Queue<TransformJob>;
  readonly deliver: Queue<DeliverJob>;

  constructor(config: HubConfig, connection: ConnectionOptions) {
    const options = { connection, prefix: bullPrefix(config), defaultJobOptions: jobOptions(config) };
    this.transform = new Queue<TransformJob>(QUEUE_NAMES.transform, options);
    this.deliver = new Queue<DeliverJob>(QUEUE_NAMES.deliver, options);
  }

  /** Job ids are derived from the message (and its replay count), so adding twice is a no-op. */
  async enqueueTransform(messageId: string, replay: number): Promise<void> {
    await this.transform.add('transform', { messageId }, { jobId: replay ? `${messageId}.r${replay}` : messageId });
  }

  async enqueueDeliver(messageId: string, adapter: string, replay: number): Promise<void> {
    await this.deliver.add('deliver', { messageId, adapter }, { jobId: `${messageId}.${adapter}${replay ? `.r${replay}` : ''}` });
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
