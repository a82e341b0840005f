import type { Logger } from 'pino';
import { errorSummary, HubError, isRetryable } from '../errors/hub-error.js';
import { isStoreUnavailable } from '../errors/unavailable.js';
import type { MappingRegistry } from '../mapping/registry.js';
import type { HubQueues } from '../queue/queues.js';
import type { PipelineMetrics } from '../metrics.js';
import type { AttemptInfo } from '../queue/workers.js';
import type { MessageRecord, MessageStore } from '../store/message-store.js';
import { decodeXml } from '../xml/decode.js';
import { transactionTree } from '../formats/edi.js';
import type { Router } from './route.js';
import { buildOutboundDocument, type OutboundDeps } from './outbound.js';

export interface TransformDeps {
  store: MessageStore;
  mappings: MappingRegistry;
  router: Router;
  queues: HubQueues;
  logger: Logger;
  /** Counts each attempt's outcome and time (src/metrics.ts). */
  metrics?: PipelineMetrics;
  /** What the transform of an outbound message (the ERP's, for a partner) needs: its build. */
  outbound?: OutboundDeps;
}

/** Records a final failure: status failed with the reason, history entry, no longer pending. */
export async function failMessage(store: MessageStore, messageId: string, step: string, error: unknown, adapter?: string): Promise<void> {
  const summary = errorSummary(error);
  // Only a message still in flight can fail: a delivered one (a late or stale caller) keeps its status.
  const { changed } = await store.setStatus(messageId, 'failed', {
    entry: { step: `${step}-failed`, ...(adapter ? { adapter } : {}), error: summary },
    error: { code: summary.code, message: summary.message },
    onlyFrom: ['accepted', 'processing'],
  });
  if (!changed) return;
  await store.markTransformed(messageId);
}

/**
 * Parse, map to canonical (checked against its schema inside the mapping registry), resolve routes, then
 * queue one delivery per routed adapter. Deliveries already made (before a replay) are not queued again.
 */
export async function transformMessage(messageId: string, attempt: AttemptInfo, deps: TransformDeps): Promise<void> {
  const { store, logger } = deps;
  const log = logger.child({ messageId });
  const record = await store.get(messageId);
  if (!record) {
    log.warn('transform for an unknown message; dropped');
    return;
  }
  if (record.status !== 'accepted' && record.status !== 'processing') {
    log.info({ status: record.status }, 'transform skipped: message already past it');
    await store.markTransformed(messageId);
    return;
  }
  await store.setStatus(messageId, 'processing', { entry: { step: 'transform', detail: `attempt ${attempt.attempt}` } });
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const raw = await store.raw(messageId);
    if (!raw) throw new HubError('HUB_ERR_INTERNAL', `raw document of ${messageId} missing`, { retryable: false });
    // An inbound document is mapped to canonical and routed to the ERP's adapters; an outbound one (the ERP's
    // canonical document) is built into its partner's format and routed to that partner (src/pipeline/outbound.ts).
    const { canonical, routes, keys, step, detail } = record.direction === 'outbound' ? await outboundStep(messageId, raw, deps) : await inboundStep(record, raw, deps);
    await store.saveCanonical(messageId, canonical, routes, keys);
    await store.addHistory(messageId, { step, detail });
    const delivered = new Set((await store.deliveries(messageId)).filter((d) => d.status === 'delivered').map((d) => d.adapter));
    const toDeliver = Object.keys(routes).filter((adapter) => !delivered.has(adapter));
    await store.addHistory(messageId, {
      step: 'routed',
      detail: Object.entries(routes)
        .map(([adapter, modules]) => `${adapter} (${modules.join(', ')})${delivered.has(adapter) ? ' already delivered' : ''}`)
        .join('; '),
    });
    for (const adapter of toDeliver) {
      await store.setDelivery(messageId, { adapter, status: 'pending', at: new Date().toISOString() });
    }
    for (const adapter of toDeliver) await deps.queues.enqueueDeliver(messageId, adapter, record.replays);
    await store.markTransformed(messageId);
    if (toDeliver.length === 0) await store.setStatus(messageId, 'delivered', { entry: { step: 'delivered', detail: 'every routed adapter already had it' }, onlyFrom: ['processing'] });
    log.info({ routes, lines: canonical.lines.length }, 'transformed and routed');
    deps.metrics?.transformAttempt('mapped', seconds());
  } catch (error) {
    if (isStoreUnavailable(error)) {
      // Not the document's fault: no failure is recorded; BullMQ retries, the sweeper covers what it gives up on.
      log.warn({ err: (error as Error).message }, 'transform interrupted: a store is unavailable');
      deps.metrics?.transformAttempt('interrupted', seconds(), 'HUB_ERR_STORE_UNAVAILABLE');
      throw error;
    }
    const retry = isRetryable(error);
    if (!retry || attempt.last) {
      log.warn({ err: errorSummary(error) }, 'transform failed');
      deps.metrics?.transformAttempt('failed', seconds(), errorSummary(error).code);
      await failMessage(store, messageId, 'transform', error);
    } else {
      deps.metrics?.transformAttempt('retry', seconds(), errorSummary(error).code);
      await store.addHistory(messageId, { step: 'transform-retry', detail: `attempt ${attempt.attempt} failed; will retry`, error: errorSummary(error) });
    }
    throw error;
  }
}

async function inboundStep(record: MessageRecord, raw: Buffer, deps: TransformDeps) {
  const format = deps.mappings.get(record.format);
  const context = { partner: record.partner, messageId: record.id, documentNumber: record.documentNumber };
  const canonical =
    format && format.syntax !== 'xml'
      ? await deps.mappings.mapTree(record.format, transactionTree(format.syntax, raw), context)
      : await deps.mappings.map(record.format, decodeXml(raw), context);
  const routes = await deps.router.resolve(canonical);
  const keys = await deps.mappings.businessKeys(record.format, canonical);
  return { canonical, routes, keys, step: 'mapped', detail: `${canonical.type} ${canonical.documentNumber}, ${canonical.lines.length} line(s)` };
}

async function outboundStep(messageId: string, raw: Buffer, deps: TransformDeps) {
  if (!deps.outbound) throw new HubError('HUB_ERR_CONFIG', `outbound message ${messageId}: this worker process does not build outbound documents`, { retryable: true });
  const built = await buildOutboundDocument(messageId, raw, deps.outbound);
  return { ...built, step: 'built' };
}
