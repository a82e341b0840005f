import { isDatabaseUnavailable } from '../db/database.js';

/** Redis is out of reach (refused, reset, closed, no offline queue), as ioredis and BullMQ report it. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return error.name === 'MaxRetriesPerRequestError' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || /Connection is closed|Stream isn't writeable|Missing key for job/.test(error.message);
}

/**
 * The hub's own stores (PostgreSQL, Redis) are out of reach: the work is fine and must not be failed for it.
 * The pipeline steps rethrow such errors without recording a failure; BullMQ retries, and the sweeper queues
 * again whatever BullMQ gave up on once the stores are back.
 */
export function isStoreUnavailable(error: unknown): boolean {
  return isRedisUnavailable(error) || isDatabaseUnavailable(error);
}
