import { HubError } from '../errors/hub-error.js';
import type { HubQueues } from '../queue/queues.js';
import type { MessageStore } from '../store/message-store.js';

/**
 * Sends a failed message through the pipeline again (after a mapping, cross-reference or ERP fix). It is mapped
 * afresh; adapters that already have it are skipped, so a replay never delivers twice.
 */
export async function replayMessage(messageId: string, actor: string, deps: { store: MessageStore; queues: HubQueues }): Promise<{ replays: number }> {
  const record = await deps.store.get(messageId);
  if (!record) throw new HubError('HUB_ERR_NOT_FOUND', `No message ${messageId}.`);
  const replays = record.replays + 1;
  const { changed, current } = await deps.store.setStatus(messageId, 'accepted', {
    onlyFrom: ['failed'],
    entry: { step: 'replayed', detail: `replay ${replays} requested by ${actor}` },
    replays,
    error: null,
    transformed: false,
  });
  if (!changed) throw new HubError('HUB_ERR_CONFLICT', `Message ${messageId} is ${current}; only failed messages can be replayed.`);
  for (const delivery of await deps.store.deliveries(messageId)) {
    if (delivery.status === 'failed') await deps.store.setDelivery(messageId, { ...delivery, status: 'pending', at: new Date().toISOString() });
  }
  await deps.queues.enqueueTransform(messageId, replays);
  return { replays };
}
