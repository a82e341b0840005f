import type { Redis } from 'ioredis';
import { HubError } from 'b2b-hub/adapter-kit';
import type { HandlerContext } from './sales.js';

export interface PurchaseRow {
  id: number;
  number: string | null;
  reference: string | null;
  state: string;
  lines: number[];
}

/** How long an unknown purchase reference is retried before the message fails (0: fail at once). */
export interface UnknownPurchasePolicy {
  retrySeconds: number;
  redis: Redis;
  keyPrefix: string;
  messageId: string;
}

/**
 * procurement: the confirmed purchase (purchase.purchase) a supplier document refers to, by Tryton number or
 * by the purchase's reference, from that supplier. A reference that matches none is an error, never a silent
 * success: HUB_ERR_ADAPTER_REJECTED, retried only within policy.retrySeconds of its first attempt (a clerk
 * may not have entered or confirmed the purchase yet), failed after that (replay once it is entered).
 */
export async function findPurchase(reference: string | undefined, supplierId: number, documentNumber: string, h: HandlerContext, policy: UnknownPurchasePolicy): Promise<PurchaseRow> {
  if (!reference) throw new HubError('HUB_ERR_ADAPTER_REJECTED', `document ${documentNumber} names no purchase (orderReference) to link to`);
  const rows = await h.client.searchRead<PurchaseRow>(
    'purchase.purchase',
    [['party', '=', supplierId], ['state', 'in', ['confirmed', 'processing', 'done']], ['OR', [['number', '=', reference]], [['reference', '=', reference]]]],
    ['number', 'reference', 'state', 'lines'],
    { order: [['id', 'DESC']], signal: h.signal },
  );
  const purchase = rows.find((row) => row.number === reference) ?? rows[0];
  if (purchase) return purchase;
  const key = `${policy.keyPrefix}:unknown-purchase:${policy.messageId}`;
  let retryable = false;
  if (policy.retrySeconds > 0) {
    await policy.redis.set(key, String(Date.now()), 'EX', policy.retrySeconds * 2 + 60, 'NX');
    const first = Number(await policy.redis.get(key));
    retryable = Date.now() - first < policy.retrySeconds * 1000;
  }
  throw new HubError('HUB_ERR_ADAPTER_REJECTED', `document ${documentNumber}: no confirmed Tryton purchase numbered or referenced "${reference}" from this supplier${retryable ? ` (retried for up to ${policy.retrySeconds} s)` : ''}`, { retryable, details: { orderReference: reference } });
}
