import { HubError } from '../errors/hub-error.js';
import type { HubQueues } from '../queue/queues.js';
import type { MessageStatus, MessageStore } from '../store/message-store.js';

export interface ReplayOptions {
  /**
   * Replay a delivered message too: its deliveries are reset to pending so every routed adapter (or only
   * `adapters`) is called again, with the same idempotency key as the first time.
   */
  force?: boolean;
  /** With force: reset only the deliveries to these adapters (the others stay delivered and are skipped). */
  adapters?: readonly string[];
  /** Replay only from these statuses (a bulk run replays only what it selected); default: every replayable one. */
  from?: readonly MessageStatus[];
  /** The bulk replay run this replay belongs to, named in the message's history. */
  run?: string;
}

/** The words a history entry of a bulk run uses, so a resumed run can tell what it already did. */
export function runMarker(runId: string): string {
  return `bulk replay ${runId}`;
}

/**
 * Sends a message through the pipeline again: a failed one (after a mapping, cross-reference or ERP fix), or
 * one stuck in accepted or processing for longer than `stuckAfterMs` (its work lost), or, with `force`, a
 * delivered one. It is mapped afresh; adapters that already have it are skipped, so a replay never delivers
 * twice, except that force resets the chosen deliveries to pending first: those adapters are called again
 * with the same idempotency key (`<message id>:<adapter>`), so an idempotent target creates nothing twice.
 */
export async function replayMessage(
  messageId: string,
  actor: string,
  deps: { store: MessageStore; queues: HubQueues; stuckAfterMs?: number },
  options: ReplayOptions = {},
): Promise<{ replays: number; forced: boolean }> {
  const record = await deps.store.get(messageId);
  if (!record) throw new HubError('HUB_ERR_NOT_FOUND', `No message ${messageId}.`);
  const stuckAfterMs = deps.stuckAfterMs ?? 60_000;
  const idleMs = Date.now() - Date.parse(record.updatedAt);
  const inFlight = record.status === 'accepted' || record.status === 'processing';
  const allowed = (status: MessageStatus) => !options.from || options.from.includes(status);
  if (!allowed(record.status)) {
    throw new HubError('HUB_ERR_CONFLICT', `Message ${messageId} is ${record.status} now; this replay takes only ${options.from!.join(', ')} messages.`);
  }
  if (inFlight && idleMs < stuckAfterMs) {
    throw new HubError('HUB_ERR_CONFLICT', `Message ${messageId} is ${record.status} (its last step was ${Math.round(idleMs / 1000)} s ago); replay takes failed messages, and ones stuck for more than ${Math.round(stuckAfterMs / 1000)} s.`);
  }
  if (record.status === 'delivered' && !options.force) {
    throw new HubError(
      'HUB_ERR_REPLAY_FORCE_REQUIRED',
      `Message ${messageId} was delivered to ${Object.keys(record.routes ?? {}).join(', ') || 'every routed adapter'}; replaying it sends it to them again. Ask for it explicitly with {"force": true} (the adapters get the same idempotency key, so an idempotent ERP creates nothing twice).`,
    );
  }
  const forced = record.status === 'delivered';
  const replays = record.replays + 1;
  const from: MessageStatus[] = ['failed', ...(inFlight ? (['accepted', 'processing'] as const) : []), ...(forced ? (['delivered'] as const) : [])];
  const by = `requested by ${actor}${options.run ? ` (${runMarker(options.run)})` : ''}`;
  const { changed, current } = await deps.store.setStatus(messageId, 'accepted', {
    onlyFrom: from.filter(allowed),
    entry: { step: 'replayed', detail: `replay ${replays}${forced ? ' (forced: delivered before)' : ''} ${by}` },
    replays,
    error: null,
    transformed: false,
  });
  if (!changed) throw new HubError('HUB_ERR_CONFLICT', `Message ${messageId} is ${current}; only failed messages (and ones stuck in accepted or processing, or delivered ones with force) can be replayed.`);
  const now = new Date().toISOString();
  const reset: string[] = [];
  for (const delivery of await deps.store.deliveries(messageId)) {
    if (delivery.status !== 'delivered') await deps.store.setDelivery(messageId, { ...delivery, status: 'pending', at: now });
    else if (forced && (!options.adapters || options.adapters.includes(delivery.adapter))) {
      await deps.store.resetDelivery(messageId, delivery.adapter);
      reset.push(`${delivery.adapter}${delivery.reference ? ` (was ${delivery.reference})` : ''}`);
    }
  }
  if (reset.length) {
    await deps.store.addHistory(messageId, { step: 'replay-forced', detail: `deliveries reset to pending, to be made again with the same idempotency key: ${reset.join(', ')}` });
  }
  await deps.queues.enqueueTransform(messageId, replays);
  return { replays, forced };
}
