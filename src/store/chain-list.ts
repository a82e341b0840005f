import type { Database } from '../db/database.js';
import { chainProblems, orderChains, type Chain, type ChainOptions } from './chains.js';
import { decodeCursor, encodeCursor } from './cursor.js';

/** What the console's chain list asks for: newest orders first, filtered, one page. */
export interface ChainListQuery {
  partner?: string;
  /** Orders with no shipment notice / no invoice linked (directly or, for an invoice, through a shipment notice). */
  missing?: 'shipnotice' | 'invoice';
  /** Only chains with a problem flag (CHAIN_PROBLEM_FLAGS). */
  flagged?: boolean;
  /** The order's own number. */
  orderNumber?: string;
  limit: number;
  /** From the previous page's `next`: continues strictly after the order it names. */
  cursor?: string;
}

export interface ChainListPage {
  chains: Chain[];
  /** Present when there may be more: the cursor of the next page. */
  next?: string;
  /** Orders looked at for this page (with `flagged`, more than it shows). */
  scanned: number;
  /** With `flagged`: the page stopped at CHAIN_SCAN_LIMIT orders looked at before it was full. */
  scanLimited: boolean;
}

/** With "flagged only", orders whose chain is computed per request at most (then the page offers to go on). */
export const CHAIN_SCAN_LIMIT = 400;
const SCAN_BATCH = 100;

/**
 * One page of order chains, newest order first, keyset-paged on (received_at, id) of the orders (first
 * revisions): messages_by_type, or messages_orders_by_partner (migration 008) with a partner, or the
 * business_keys index for an order number. The chains are computed in batches (orderChains: four queries per
 * batch); "flagged only" keeps the chains with a problem and stops after CHAIN_SCAN_LIMIT orders, so a page
 * costs the same however rare problems are, and its `next` continues the scan.
 */
export async function listChains(db: Database, q: ChainListQuery, options: ChainOptions = {}): Promise<ChainListPage> {
  const chains: Chain[] = [];
  let cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
  let scanned = 0;
  for (;;) {
    const batch = q.flagged ? Math.min(SCAN_BATCH, CHAIN_SCAN_LIMIT - scanned) : q.limit + 1;
    const params: unknown[] = [];
    const where = ["m.document_type = 'Order'", 'm.revision = 0'];
    if (q.partner) where.push(`m.partner = $${params.push(q.partner)}`);
    if (q.orderNumber) where.push(`m.id IN (SELECT message_id FROM business_keys WHERE value = $${params.push(q.orderNumber.trim())} AND kind = 'documentNumber')`);
    if (cursor) where.push(`(m.received_at, m.id) < ($${params.push(cursor.at)}::timestamptz, $${params.push(cursor.id)}::uuid)`);
    const revisions = 'SELECT r.id FROM messages r WHERE r.id = m.id OR r.revision_of = m.id';
    if (q.missing === 'shipnotice') where.push(`NOT EXISTS (SELECT 1 FROM document_links l WHERE l.to_id IN (${revisions}) AND l.kind = 'ships-order')`);
    if (q.missing === 'invoice') {
      where.push(`NOT EXISTS (SELECT 1 FROM document_links l WHERE l.to_id IN (${revisions}) AND l.kind = 'invoices-order')`);
      where.push(`NOT EXISTS (SELECT 1 FROM document_links s JOIN document_links i ON i.to_id = s.from_id AND i.kind = 'invoices-shipnotice' WHERE s.to_id IN (${revisions}) AND s.kind = 'ships-order')`);
    }
    const { rows } = await db.query<{ id: string; received_at: Date }>(
      `SELECT m.id, m.received_at FROM messages m WHERE ${where.join(' AND ')} ORDER BY m.received_at DESC, m.id DESC LIMIT $${params.push(batch)}`,
      params,
    );
    if (!q.flagged) {
      const shown = rows.slice(0, q.limit);
      const computed = await orderChains(db, shown.map((r) => r.id), options);
      const last = shown[shown.length - 1];
      return {
        chains: shown.map((r) => computed.get(r.id)!),
        ...(rows.length > q.limit && last ? { next: encodeCursor({ at: last.received_at.toISOString(), id: last.id }) } : {}),
        scanned: shown.length,
        scanLimited: false,
      };
    }
    const computed = await orderChains(db, rows.map((r) => r.id), options);
    let brokeEarly = false;
    for (const [index, row] of rows.entries()) {
      scanned++;
      cursor = { at: row.received_at.toISOString(), id: row.id };
      const chain = computed.get(row.id)!;
      if (chainProblems(chain).length) chains.push(chain);
      if (chains.length === q.limit) {
        brokeEarly = index < rows.length - 1;
        break;
      }
    }
    const exhausted = rows.length < batch;
    const full = chains.length === q.limit;
    const limited = scanned >= CHAIN_SCAN_LIMIT;
    if (full || exhausted || limited) {
      const more = !exhausted || brokeEarly;
      return { chains, ...(more && cursor ? { next: encodeCursor(cursor) } : {}), scanned, scanLimited: limited && !full && !exhausted };
    }
  }
}
