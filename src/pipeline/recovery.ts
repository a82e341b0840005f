import type { Logger } from 'pino';
import { HubError } from '../errors/hub-error.js';
import type { HubQueues } from '../queue/queues.js';
import type { MessageStore } from '../store/message-store.js';
import { failMessage } from './transform.js';

export interface SweepResult {
  transforms: number;
  deliveries: number;
  /** Messages whose deliveries were all done but whose status was not (a crash between the two). */
  completed: number;
  /** Messages given up on: their work was lost more often than pipeline.attempts. */
  failed: number;
}

/**
 * Queues again, from PostgreSQL, the work that Redis lost, never got, or gave up on without the hub
 * recording why: messages accepted or in processing whose transform never finished, and pending deliveries of
 * messages in processing (their jobs lost with Redis, or failed by BullMQ after a stall when a worker was
 * killed). A job BullMQ finished or failed under the same id is replaced (`revive`), a job still waiting or
 * running is left alone, and a delivery that did happen is skipped by the deliver step. A message whose work
 * had to be queued again more than `maxRequeues` times is failed with HUB_ERR_PROCESSING_LOST (a document
 * that kills its worker must not loop for ever); replay it once the cause is fixed. Messages whose deliveries
 * are all recorded but whose status was not moved (a crash between the two) are completed.
 */
export async function requeueStalled(deps: { store: MessageStore; queues: HubQueues; logger: Logger }, olderThanMs: number, maxRequeues = 8): Promise<SweepResult> {
  // One sweep at a time across every hub process on this database: two sweeps reading the same list would
  // queue the same work twice and count it twice.
  const locked = await deps.store.withLock('sweep', () => sweepOnce(deps, olderThanMs, maxRequeues));
  return locked ?? { transforms: 0, deliveries: 0, completed: 0, failed: 0 };
}

async function sweepOnce(deps: { store: MessageStore; queues: HubQueues; logger: Logger }, olderThanMs: number, maxRequeues: number): Promise<SweepResult> {
  const { store, queues, logger } = deps;
  const { transforms, deliveries, settled } = await store.stalled(olderThanMs);
  const result: SweepResult = { transforms: 0, deliveries: 0, completed: 0, failed: 0 };
  const giveUp = async (id: string, what: string, requeues: number) => {
    const error = new HubError('HUB_ERR_PROCESSING_LOST', `The ${what} of this message was queued again ${requeues} times after its job was lost (a worker killed or stalled, or Redis lost); it is failed so it cannot loop. Check the workers' logs, then replay it.`);
    await failMessage(store, id, what === 'transform' ? 'transform' : 'delivery', error);
    result.failed++;
  };
  for (const t of transforms) {
    if (t.requeues >= maxRequeues) {
      await giveUp(t.id, 'transform', t.requeues);
      continue;
    }
    const queued = await queues.enqueueTransform(t.id, t.replays, { revive: { stillNeeded: () => store.needsTransform(t.id) } });
    if (queued !== 'exists') {
      const found = queued === 'added' ? 'no job in the queue' : `a ${queued.slice('replaced '.length)}`;
      await store.addHistory(t.id, { step: 'requeued', detail: `transform queued again by the sweeper: unfinished for ${Math.round(olderThanMs / 1000)} s, ${found}` });
      result.transforms++;
    }
    await store.touchMessage(t.id);
  }
  for (const d of deliveries) {
    if (d.requeues >= maxRequeues) {
      await giveUp(d.id, `delivery to ${d.adapter}`, d.requeues);
      continue;
    }
    const queued = await queues.enqueueDeliver(d.id, d.adapter, d.replays, { revive: { stillNeeded: () => store.needsDelivery(d.id, d.adapter) } });
    if (queued !== 'exists') {
      const found = queued === 'added' ? 'no job in the queue' : `a ${queued.slice('replaced '.length)}`;
      await store.addHistory(d.id, { step: 'requeued', adapter: d.adapter, detail: `delivery queued again by the sweeper: pending for ${Math.round(olderThanMs / 1000)} s, ${found}` });
      result.deliveries++;
    }
    await store.touchDelivery(d.id, d.adapter);
  }
  for (const m of settled) {
    if (m.failed.length) {
      await failMessage(store, m.id, 'delivery', new HubError('HUB_ERR_ADAPTER_REJECTED', `delivery to ${m.failed.join(', ')} failed (recorded before the hub stopped)`), m.failed[0]);
      result.failed++;
    } else {
      const { changed } = await store.setStatus(m.id, 'delivered', { entry: { step: 'complete', detail: 'every routed adapter has it (completed by the sweeper)' }, onlyFrom: ['processing'] });
      if (changed) result.completed++;
    }
  }
  if (result.transforms || result.deliveries || result.completed || result.failed) logger.info(result, 'stalled work found in PostgreSQL and handled');
  return result;
}
