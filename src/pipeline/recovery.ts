import type { Logger } from 'pino';
import type { HubQueues } from '../queue/queues.js';
import type { MessageStore } from '../store/message-store.js';

/**
 * Finds messages stored but never transformed (the process died between storing and queueing) and queues
 * them again. Job ids come from the message, so a message whose job does exist is not queued twice.
 */
export async function requeueStalePending(deps: { store: MessageStore; queues: HubQueues; logger: Logger }, olderThanMs: number): Promise<number> {
  const ids = await deps.store.stalePending(olderThanMs);
  for (const id of ids) {
    const record = await deps.store.get(id);
    if (!record || record.status === 'failed' || record.status === 'delivered') {
      await deps.store.markTransformed(id);
      continue;
    }
    await deps.queues.enqueueTransform(id, record.replays);
  }
  if (ids.length) deps.logger.info({ count: ids.length }, 'pending messages checked and queued again');
  return ids.length;
}
