import type { Logger } from 'pino';
import type { HubQueues } from '../queue/queues.js';
import type { MessageStore } from '../store/message-store.js';

/**
 * Queues again, from PostgreSQL, the work that Redis lost or never got: messages accepted but never
 * transformed (a crash between commit and enqueue, Redis down, Redis wiped) and pending deliveries of
 * messages in processing (their jobs lost with Redis). Job ids come from the message, so work whose job
 * still exists is not queued twice, and a delivery that did happen is skipped by the deliver step.
 */
export async function requeueStalled(deps: { store: MessageStore; queues: HubQueues; logger: Logger }, olderThanMs: number): Promise<{ transforms: number; deliveries: number }> {
  const { transforms, deliveries } = await deps.store.stalled(olderThanMs);
  for (const t of transforms) {
    await deps.queues.enqueueTransform(t.id, t.replays);
    await deps.store.touchMessage(t.id);
  }
  for (const d of deliveries) {
    await deps.queues.enqueueDeliver(d.id, d.adapter, d.replays);
    await deps.store.touchDelivery(d.id, d.adapter);
  }
  if (transforms.length || deliveries.length) deps.logger.info({ transforms: transforms.length, deliveries: deliveries.length }, 'stalled work found in PostgreSQL and queued again');
  return { transforms: transforms.length, deliveries: deliveries.length };
}
