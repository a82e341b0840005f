import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/types.js';
import { isHubErrorLike } from '../errors/hub-error.js';
import { bullPrefix, QUEUE_NAMES, type DeliverJob, type TransformJob } from './queues.js';

/** What a processor learns about the attempt it runs. */
export interface AttemptInfo {
  /** 1 for the first attempt. */
  attempt: number;
  /** True when no further attempt follows if this one fails with a retryable error. */
  last: boolean;
  signal: AbortSignal;
}

export interface Processors {
  transform(data: TransformJob, attempt: AttemptInfo): Promise<void>;
  deliver(data: DeliverJob, attempt: AttemptInfo): Promise<void>;
}

function wrap<T>(process: (data: T, attempt: AttemptInfo) => Promise<void>, logger: Logger) {
  return async (job: Job<T>, _token?: string, signal?: AbortSignal) => {
    const attempts = job.opts.attempts ?? 1;
    const info: AttemptInfo = { attempt: job.attemptsMade + 1, last: job.attemptsMade + 1 >= attempts, signal: signal ?? new AbortController().signal };
    try {
      await process(job.data, info);
    } catch (error) {
      // A non-retryable failure must not be retried by BullMQ: the processor has already recorded it.
      // Decided by the error's code and flag, not by its class (an adapter may bring its own copy of HubError).
      if (isHubErrorLike(error) && !error.retryable) throw new UnrecoverableError(`${error.code}: ${error.message}`);
      if (!isHubErrorLike(error)) logger.error({ err: error, jobId: job.id }, 'unexpected error in job');
      throw error;
    }
  };
}

/** The longest wait a target may ask for with Retry-After before the hub retries anyway. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The retry delay of the "hub" backoff: exponential from `baseMs` (baseMs x 2^(attempt-1)), unless the error
 * says how long the target asked to wait (an adapter's HubError with details.retryAfterMs, from a 429 or 503
 * Retry-After), which is then honoured (at least baseMs, at most an hour).
 */
export function hubBackoff(baseMs: number) {
  return (attemptsMade: number, _type?: string, err?: Error): number => {
    const asked = (err as { details?: { retryAfterMs?: unknown } } | undefined)?.details?.retryAfterMs;
    if (typeof asked === 'number' && Number.isFinite(asked) && asked > 0) return Math.min(Math.max(asked, baseMs), MAX_RETRY_AFTER_MS);
    return baseMs * 2 ** Math.max(0, attemptsMade - 1);
  };
}

/** Starts the transform and deliver workers; returns them so the caller can close them. */
export function startWorkers(config: HubConfig, connection: ConnectionOptions, processors: Processors, logger: Logger): Worker[] {
  // BullMQ renews a running job's lock every lockDuration / 2, so a long adapter call keeps it; a job is taken for
  // stalled only when its worker stops renewing (killed, or its event loop blocked for longer than the lock).
  const lockDuration = config.pipeline.lockSeconds * 1000;
  const common = { connection, prefix: bullPrefix(config), lockDuration, stalledInterval: lockDuration, settings: { backoffStrategy: hubBackoff(config.pipeline.backoffMs) } };
  const workers = [
    new Worker<TransformJob>(QUEUE_NAMES.transform, wrap(processors.transform, logger), { ...common, concurrency: config.pipeline.transformConcurrency }),
    new Worker<DeliverJob>(QUEUE_NAMES.deliver, wrap(processors.deliver, logger), { ...common, concurrency: config.pipeline.deliverConcurrency }),
  ];
  for (const worker of workers) {
    worker.on('error', (error) => logger.error({ err: error, queue: worker.name }, 'worker error'));
  }
  return workers;
}
