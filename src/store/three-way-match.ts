import type { CanonicalLine, CanonicalType } from '../canonical/types.js';
import type { Database } from '../db/database.js';
import type { Chain, ChainDocument, ChainInvoiceLine, ChainLine } from './chains.js';

/**
 * The three-way match of a purchase (our own Order to a supplier, buyer SELF, direction outbound): per order line
 * what we ordered, what the supplier's shipment notices say it shipped, what the ERP booked into stock (received)
 * and what its invoices bill less its credit notes, at which prices; differences beyond the configured tolerance
 * (config chains.tolerance) are flagged. Customers' order chains are compared in chains.ts as before.
 */

/** chains.tolerance: how far quantities and prices may differ before the match flags them (0: exact). */
export interface MatchTolerance {
  /** Percent of the quantity compared against (received, ordered) an invoiced or shipped quantity may exceed it by. */
  readonly quantityPercent: number;
  /** Percent of the ordered price an invoiced price may differ from it by (either way). */
  readonly pricePercent: number;
  /** Amount per unit, in the order's currency, a price may differ by whatever the percent (the larger allowance applies). */
  readonly priceAbsolute?: number;
}

/** No tolerance: every difference is flagged. */
export const EXACT_TOLERANCE: MatchTolerance = Object.freeze({ quantityPercent: 0, pricePercent: 0 });

/** Whether the ERP has booked a shipment notice into stock (src/store/three-way-match.ts receiptsOf). */
export type ReceiptState = 'received' | 'awaiting-receipt' | 'not-routed-to-inventory';

/** One shipment notice of a purchase and whether the ERP has booked it into stock, with each inventory target's word. */
export interface Receipt {
  shipNoticeId: string;
  documentNumber: string;
  state: ReceiptState;
  /** When the last inventory target booked it (received only). */
  receivedAt?: string;
  /**
   * The adapters the shipment notice was routed to for the inventory module: booked when a push adapter's delivery
   * is recorded (its reference is the ERP's record, e.g. Tryton's stock.shipment.in) or, for the outbox, when the
   * ERP acknowledged the inventory message it fetched.
   */
  targets: Array<{ adapter: string; booked: boolean; by: 'delivery' | 'outbox-acknowledgement'; reference?: string; at?: string }>;
}

/** The match of a purchase beside its chain: the tolerance it was judged with, the receipts, the credit notes. */
export interface ThreeWayMatch {
  /** matched: every line received or invoiced agrees; open: nothing disagrees, something is still to come; flagged. */
  status: 'matched' | 'open' | 'flagged';
  tolerance: MatchTolerance;
  /** The order's currency: prices are compared in it; an invoice in another is flagged, not compared. */
  currency?: string;
  receipts: Receipt[];
  /** The supplier's credit notes linked to the order or to one of its invoices (their quantities are subtracted). */
  creditNotes: ChainDocument[];
}

/** Line flags that are the three-way match's disagreements (a line with one is `flagged`). */
export const MATCH_FLAGS: readonly string[] = [
  'invoiced-more-than-received',
  'invoiced-more-than-ordered',
  'shipped-unit-differs',
  'invoiced-unit-differs',
  'invoiced-price-above-ordered',
  'invoiced-price-below-ordered',
  'invoiced-currency-differs',
];

/** What comparePurchase reads of a document: the chain's row (chains.ts) has these fields. */
export interface MatchRow {
  id: string;
  document_type: CanonicalType;
  document_number: string;
  received_at: Date;
  currency: string | null;
  lines: CanonicalLine[] | null;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
/** Whether `actual` exceeds `reference` by more than `percent` of it. */
const exceeds = (actual: number, reference: number, percent: number) => round(actual - reference) > round((Math.abs(reference) * percent) / 100);

/** Whether a price differs from the ordered one beyond the tolerance: above, below or not at all. */
export function priceDeviation(price: number, ordered: number, tolerance: MatchTolerance): 'above' | 'below' | undefined {
  const allowance = Math.max((Math.abs(ordered) * tolerance.pricePercent) / 100, tolerance.priceAbsolute ?? 0);
  const difference = round(price - ordered);
  if (difference > round(allowance)) return 'above';
  if (-difference > round(allowance)) return 'below';
  return undefined;
}

/** A shipment notice with one of its deliveries and, for that adapter, its inventory outbox rows. */
interface ReceiptRow {
  id: string;
  document_number: string;
  routes: Record<string, string[]> | null;
  adapter: string | null;
  status: string | null;
  reference: string | null;
  at: Date | null;
  /** The adapter put it in the outbox for the inventory module (a pull adapter: booked once the ERP acknowledged). */
  pulled: boolean;
  all_acked: boolean;
  acked_at: Date | null;
}

/** How one inventory target stands with a shipment notice: booked by a recorded delivery or the ERP's acknowledgement. */
function targetOf(adapter: string, delivery: ReceiptRow | undefined): Receipt['targets'][number] {
  const reference = delivery?.reference ? { reference: delivery.reference } : {};
  if (delivery?.pulled) {
    const at = delivery.all_acked && delivery.acked_at ? { at: delivery.acked_at.toISOString() } : {};
    return { adapter, booked: delivery.all_acked, by: 'outbox-acknowledgement', ...reference, ...at };
  }
  const booked = delivery?.status === 'delivered';
  return { adapter, booked, by: 'delivery', ...reference, ...(booked && delivery?.at ? { at: delivery.at.toISOString() } : {}) };
}

/**
 * Whether the ERP booked each shipment notice into stock, from the hub's own records: the routes of the shipment
 * notice (the adapters serving the inventory module), their deliveries and, for the outbox, the ERP's
 * acknowledgement of its inventory message. Received means every inventory target has booked it.
 */
export async function receiptsOf(db: Database, shipNoticeIds: readonly string[]): Promise<Map<string, Receipt>> {
  const out = new Map<string, Receipt>();
  if (!shipNoticeIds.length) return out;
  const { rows } = await db.query<ReceiptRow>(
    `SELECT m.id, m.document_number, m.routes, d.adapter, d.status, d.reference, d.at, o.pulled, o.all_acked, o.acked_at
       FROM messages m LEFT JOIN deliveries d ON d.message_id = m.id
       LEFT JOIN LATERAL (SELECT count(*) > 0 AS pulled, bool_and(x.acked_at IS NOT NULL) AS all_acked, max(x.acked_at) AS acked_at
                            FROM outbox x WHERE x.document_id = m.id AND x.adapter = d.adapter AND x.module = 'inventory') o ON true
      WHERE m.id = ANY($1::uuid[])`,
    [shipNoticeIds],
  );
  for (const id of shipNoticeIds) {
    const mine = rows.filter((r) => r.id === id);
    const first = mine[0];
    if (!first) continue;
    const inventoryAdapters = Object.entries(first.routes ?? {}).filter(([, modules]) => modules.includes('inventory'));
    const targets = inventoryAdapters.map(([adapter]) => targetOf(adapter, mine.find((r) => r.adapter === adapter)));
    // Not routed yet (no transform): awaiting; routed without inventory: it will never be received.
    const state: ReceiptState =
      first.routes !== null && !targets.length ? 'not-routed-to-inventory' : targets.length && targets.every((t) => t.booked) ? 'received' : 'awaiting-receipt';
    const last = targets.map((t) => t.at).filter((t): t is string => t !== undefined).sort().pop();
    out.set(id, { shipNoticeId: id, documentNumber: first.document_number, state, ...(state === 'received' && last ? { receivedAt: last } : {}), targets });
  }
  return out;
}

/** The parts of a purchase's chain the match decides: its lines, unmatched lines, flags and the match itself. */
export interface PurchaseComparison {
  lines: ChainLine[];
  unmatched: Chain['unmatched'];
  /** Chain flags the match adds: awaiting-receipt (a state), currency-differs and three-way-mismatch (problems). */
  flags: string[];
  match: ThreeWayMatch;
}

/**
 * Compares a purchase: each shipment notice, invoice and credit note line is counted on the order line it names
 * (orderLineReference), else on the first order line with its SKU, else listed as unmatched. Received is the
 * quantity of the shipment notices the ERP booked (receipts). Quantities in another unit are counted and flagged,
 * not converted. Returns the lines with their flags; chains.ts adds the flags every chain has.
 */
export function comparePurchase(
  order: { lines: CanonicalLine[]; currency?: string },
  ships: readonly MatchRow[],
  receipts: ReadonlyMap<string, Receipt>,
  invoices: readonly MatchRow[],
  creditNotes: readonly MatchRow[],
  tolerance: MatchTolerance,
  overdue: { now: number; afterMs: number },
): Omit<PurchaseComparison, 'match'> & { status: ThreeWayMatch['status'] } {
  const lines = new Map<string, ChainLine>();
  for (const l of order.lines) {
    lines.set(l.lineNumber, {
      lineNumber: l.lineNumber,
      sku: l.sku,
      ...(l.description ? { description: l.description } : {}),
      unitCode: l.unitCode,
      ordered: l.quantity,
      shipped: 0,
      received: 0,
      invoiced: 0,
      credited: 0,
      flags: [],
      prices: { ...(l.price !== undefined ? { ordered: l.price } : {}), invoiced: [] },
      priceFlags: [],
      invoiceLines: [],
      match: 'open',
    });
  }
  const bySku = new Map<string, ChainLine>();
  for (const line of lines.values()) if (!bySku.has(line.sku)) bySku.set(line.sku, line);
  const find = (l: CanonicalLine): { target: ChainLine; by: ChainInvoiceLine['matchedBy'] } | undefined => {
    const byReference = l.orderLineReference !== undefined ? lines.get(l.orderLineReference) : undefined;
    if (byReference) return { target: byReference, by: 'line-reference' };
    const bySkuLine = bySku.get(l.sku);
    return bySkuLine ? { target: bySkuLine, by: 'sku' } : undefined;
  };
  const unmatched: Chain['unmatched'] = [];
  const miss = (doc: MatchRow, l: CanonicalLine) => {
    const reference = l.orderLineReference !== undefined ? { orderLineReference: l.orderLineReference } : {};
    unmatched.push({ documentId: doc.id, documentType: doc.document_type, lineNumber: l.lineNumber, ...reference, sku: l.sku, quantity: l.quantity });
  };
  const addFlag = (list: string[], flag: string) => (list.includes(flag) ? undefined : list.push(flag));
  const firstShipped = new Map<string, Date>();
  for (const doc of ships) {
    const received = receipts.get(doc.id)?.state === 'received';
    for (const l of doc.lines ?? []) {
      const found = find(l);
      if (!found) {
        miss(doc, l);
        continue;
      }
      const { target } = found;
      target.shipped = round(target.shipped + l.quantity);
      if (received) target.received = round(target.received! + l.quantity);
      if (l.unitCode !== target.unitCode) addFlag(target.flags, 'shipped-unit-differs');
      if (!firstShipped.has(target.lineNumber)) firstShipped.set(target.lineNumber, doc.received_at);
    }
  }
  let currencyDiffers = false;
  for (const doc of [...invoices, ...creditNotes]) {
    const credit = doc.document_type === 'CreditNote';
    const otherCurrency = order.currency !== undefined && doc.currency !== null && doc.currency !== order.currency;
    for (const l of doc.lines ?? []) {
      const found = find(l);
      if (!found) {
        miss(doc, l);
        continue;
      }
      const { target, by } = found;
      const lineFlags: string[] = [];
      if (credit) target.credited = round(target.credited! + l.quantity);
      target.invoiced = round(target.invoiced + (credit ? -l.quantity : l.quantity));
      if (l.unitCode !== target.unitCode) {
        addFlag(target.flags, 'invoiced-unit-differs');
        lineFlags.push('invoiced-unit-differs');
      }
      if (!credit && l.price !== undefined) {
        if (!target.prices.invoiced.includes(l.price)) target.prices.invoiced.push(l.price);
        if (otherCurrency) {
          currencyDiffers = true;
          lineFlags.push('invoiced-currency-differs');
        } else if (target.prices.ordered !== undefined) {
          const deviation = priceDeviation(l.price, target.prices.ordered, tolerance);
          if (deviation) lineFlags.push(`invoiced-price-${deviation}-ordered`);
        }
        for (const f of lineFlags) if (f.startsWith('invoiced-price-') || f === 'invoiced-currency-differs') addFlag(target.priceFlags, f);
      }
      target.invoiceLines!.push({
        documentId: doc.id,
        documentType: credit ? 'CreditNote' : 'Invoice',
        documentNumber: doc.document_number,
        lineNumber: l.lineNumber,
        quantity: l.quantity,
        unitCode: l.unitCode,
        ...(l.price !== undefined ? { price: l.price } : {}),
        matchedBy: by,
        flags: lineFlags,
      });
    }
  }
  const invoiced = invoices.length > 0;
  for (const line of lines.values()) {
    const q = tolerance.quantityPercent;
    if (ships.length) {
      if (line.shipped === 0) line.flags.push('not-shipped');
      else if (exceeds(line.ordered, line.shipped, q)) line.flags.push('short-shipped');
      else if (exceeds(line.shipped, line.ordered, q)) line.flags.push('over-shipped');
    }
    const touched = line.invoiceLines!.length > 0;
    if (invoiced && !touched) line.flags.push('not-invoiced');
    if (touched && exceeds(line.invoiced, line.received!, q)) line.flags.push('invoiced-more-than-received');
    if (touched && exceeds(line.invoiced, line.ordered, q)) line.flags.push('invoiced-more-than-ordered');
    const shippedAt = firstShipped.get(line.lineNumber);
    if (line.shipped !== 0 && !touched && shippedAt && overdue.now - shippedAt.getTime() > overdue.afterMs) line.flags.push('invoice-overdue');
    const disagrees = [...line.flags, ...line.priceFlags].some((f) => MATCH_FLAGS.includes(f));
    const agrees = line.received! > 0 && !exceeds(line.received!, line.invoiced, q);
    line.match = disagrees ? 'flagged' : agrees ? 'matched' : 'open';
  }
  const all = [...lines.values()];
  const flags: string[] = [];
  if ([...receipts.values()].some((r) => r.state !== 'received')) flags.push('awaiting-receipt');
  if (currencyDiffers) flags.push('currency-differs');
  const mismatch = all.some((l) => l.match === 'flagged') || unmatched.some((u) => u.documentType !== 'ShipNotice');
  if (mismatch) flags.push('three-way-mismatch');
  const untouched = (l: ChainLine) => l.received === 0 && l.invoiceLines!.length === 0;
  const matched = all.some((l) => l.match === 'matched') && all.every((l) => l.match === 'matched' || untouched(l));
  const status: ThreeWayMatch['status'] = mismatch ? 'flagged' : matched ? 'matched' : 'open';
  return { lines: all, unmatched, flags, status };
}
