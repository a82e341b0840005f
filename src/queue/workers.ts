import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/types.js';
import { HubError } from '../errors/hub-error.js';
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
      if (error instanceof HubError && !error.retryable) throw new UnrecoverableError(`${error.code}: ${error.message}`);
      if (!(error instanceof HubError)) logger.error({ err: error, jobId: job.id }, 'unexpected error in job');
      throw error;
    }
  };
}

/** Starts the transform and deliver workers; returns them so the caller can close them. */
export function startWorkers(config: HubConfig, connection: ConnectionOptions, processors: Processors, logger: Logger): Worker[] {
  const common = { connection, prefix: bullPrefix(config) };
  const workers = [
    new Worker<TransformJob>(QUEUE_NAMES.transform, wrap(processors.transform, logger), { ...common, concurrency: config.pipeline.transformConcurrency }),
    new Worker<DeliverJob>(QUEUE_NAMES.deliver, wrap(processors.deliver, logger), { ...common, concurrency: config.pipeline.deliverConcurrency }),
  ];
  for (const worker of workers) {
    worker.on('error', (error) => logger.error({ err: error, queue: worker.name }, 'worker error'));
  }
  return workers;
}
