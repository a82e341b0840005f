import type { Logger } from 'pino';
import type { AdapterRegistry } from '../adapters/registry.js';
import type { ErpModule } from '../config/types.js';
import { errorSummary, HubError, isRetryable } from '../errors/hub-error.js';
import { isStoreUnavailable } from '../errors/unavailable.js';
import type { PipelineMetrics } from '../metrics.js';
import type { AttemptInfo } from '../queue/workers.js';
import type { MessageStore } from '../store/message-store.js';
import { failMessage } from './transform.js';
import { partnerSender, targetPartner } from './outbound.js';

export interface DeliverDeps {
  store: MessageStore;
  adapters: AdapterRegistry;
  logger: Logger;
  /** Longest an adapter call may take before it is aborted and retried. */
  timeoutMs?: number;
  /** Counts each attempt's outcome and time, and the time from acceptance to delivered (src/metrics.ts). */
  metrics?: PipelineMetrics;
  /** The partners' transports: the delivery target partner@<id> of an outbound message (src/pipeline/outbound.ts). */
  partners?: Parameters<typeof partnerSender>[0];
}

/** The key an adapter uses to refuse a second copy: the same for every retry and replay of this delivery. */
export function idempotencyKey(messageId: string, adapter: string): string {
  return `${messageId}:${adapter}`;
}

/**
 * Delivers one message to one adapter, once in effect: a delivery already recorded is not made again, and
 * the adapter receives an idempotency key for the window between its success and our record of it.
 */
export async function deliverMessage(messageId: string, adapterName: string, attempt: AttemptInfo, deps: DeliverDeps): Promise<void> {
  const { store, logger } = deps;
  const log = logger.child({ messageId, adapter: adapterName });
  const [record, existing] = await Promise.all([store.get(messageId), store.delivery(messageId, adapterName)]);
  if (!record) return;
  if (existing?.status === 'delivered') {
    log.info('already delivered; skipped');
    return;
  }
  if (record.status !== 'processing') {
    log.info({ status: record.status }, 'delivery skipped: message is not in processing');
    return;
  }
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const partner = targetPartner(adapterName);
    const target = partner ? (deps.partners ? partnerSender(deps.partners, partner) : undefined) : deps.adapters.get(adapterName)?.adapter;
    if (!target) throw new HubError('HUB_ERR_CONFIG', `${partner ? `partner ${partner}'s transport` : `adapter "${adapterName}"`} is not configured in this hub process`, { retryable: true });
    const canonical = await store.canonical(messageId);
    const modules = (record.routes?.[adapterName] ?? []) as ErpModule[];
    if (!canonical) throw new HubError('HUB_ERR_INTERNAL', `canonical document of ${messageId} missing`, { retryable: false });
    const timeout = AbortSignal.timeout(deps.timeoutMs ?? 120_000);
    const signal = AbortSignal.any([attempt.signal, timeout]);
    const result = await target.deliver(canonical, { idempotencyKey: idempotencyKey(messageId, adapterName), messageId, partner: record.partner, modules, signal, attempt: attempt.attempt });
    await store.setDelivery(messageId, { adapter: adapterName, status: 'delivered', reference: result.reference, at: new Date().toISOString() });
    await store.addHistory(messageId, { step: 'delivered', adapter: adapterName, detail: `${modules.join(', ')} -> ${result.reference}` });
    log.info({ reference: result.reference, attempt: attempt.attempt }, 'delivered');
    deps.metrics?.deliveryAttempt(adapterName, 'delivered', seconds());
    const deliveries = await store.deliveries(messageId);
    const routed = Object.keys(record.routes ?? {});
    if (routed.every((name) => deliveries.some((d) => d.adapter === name && d.status === 'delivered'))) {
      const { changed } = await store.setStatus(messageId, 'delivered', { entry: { step: 'complete', detail: `delivered to ${routed.join(', ')}` }, onlyFrom: ['processing'] });
      if (changed) deps.metrics?.delivered(record.documentType, (Date.now() - Date.parse(record.receivedAt)) / 1000);
    }
  } catch (error) {
    if (isStoreUnavailable(error)) {
      // The hub's own store, not the adapter: no failure is recorded (the delivery stays pending for the sweeper).
      log.warn({ err: (error as Error).message }, 'delivery interrupted: a store is unavailable');
      deps.metrics?.deliveryAttempt(adapterName, 'interrupted', seconds(), 'HUB_ERR_STORE_UNAVAILABLE');
      throw error;
    }
    const retry = isRetryable(error);
    const summary = errorSummary(error);
    if (!retry || attempt.last) {
      log.warn({ err: summary, attempt: attempt.attempt }, 'delivery failed for good');
      deps.metrics?.deliveryAttempt(adapterName, 'failed', seconds(), summary.code);
      await store.setDelivery(messageId, { adapter: adapterName, status: 'failed', at: new Date().toISOString(), error: summary.message });
      await failMessage(store, messageId, 'delivery', error, adapterName);
    } else {
      log.info({ err: summary, attempt: attempt.attempt }, 'delivery attempt failed; will retry');
      deps.metrics?.deliveryAttempt(adapterName, 'retry', seconds(), summary.code);
      await store.addHistory(messageId, { step: 'delivery-retry', adapter: adapterName, detail: `attempt ${attempt.attempt} failed; will retry with backoff`, error: summary });
    }
    throw error;
  }
}
