import { HubError } from '../errors/hub-error.js';
import type { HubQueues } from '../queue/queues.js';
import type { MessageStore } from '../store/message-store.js';

/**
 * Sends a message through the pipeline again: a failed one (after a mapping, cross-reference or ERP fix), or
 * one stuck in accepted or processing for longer than `stuckAfterMs` (its work lost). It is mapped afresh;
 * adapters that already have it are skipped, so a replay never delivers twice.
 */
export async function replayMessage(messageId: string, actor: string, deps: { store: MessageStore; queues: HubQueues; stuckAfterMs?: number }): Promise<{ replays: number }> {
  const record = await deps.store.get(messageId);
  if (!record) throw new HubError('HUB_ERR_NOT_FOUND', `No message ${messageId}.`);
  const stuckAfterMs = deps.stuckAfterMs ?? 60_000;
  const idleMs = Date.now() - Date.parse(record.updatedAt);
  const inFlight = record.status === 'accepted' || record.status === 'processing';
  if (inFlight && idleMs < stuckAfterMs) {
    throw new HubError('HUB_ERR_CONFLICT', `Message ${messageId} is ${record.status} (its last step was ${Math.round(idleMs / 1000)} s ago); replay takes failed messages, and ones stuck for more than ${Math.round(stuckAfterMs / 1000)} s.`);
  }
  const replays = record.replays + 1;
  const { changed, current } = await deps.store.setStatus(messageId, 'accepted', {
    onlyFrom: ['failed', ...(inFlight ? (['accepted', 'processing'] as const) : [])],
    entry: { step: 'replayed', detail: `replay ${replays} requested by ${actor}` },
    replays,
    error: null,
    transformed: false,
  });
  if (!changed) throw new HubError('HUB_ERR_CONFLICT', `Message ${messageId} is ${current}; only failed messages (and ones stuck in accepted or processing) can be replayed.`);
  for (const delivery of await deps.store.deliveries(messageId)) {
    if (delivery.status !== 'delivered') await deps.store.setDelivery(messageId, { ...delivery, status: 'pending', at: new Date().toISOString() });
  }
  await deps.queues.enqueueTransform(messageId, replays);
  return { replays };
}
