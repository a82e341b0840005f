import type { CanonicalDocument, CanonicalLine, CanonicalType } from '../canonical/types.js';
import type { Database } from '../db/database.js';
import { comparePurchase, EXACT_TOLERANCE, receiptsOf, type MatchTolerance, type ThreeWayMatch } from './three-way-match.js';

/** One document of a chain, as ops see it in the list. */
export interface ChainDocument {
  id: string;
  documentType: CanonicalType;
  documentNumber: string;
  revision: number;
  status: string;
  receivedAt: string;
  partner: string;
  links: { self: string };
}

/** Ordered, shipped and invoiced quantities of one order line, with what disagrees. */
export interface ChainLine {
  lineNumber: string;
  sku: string;
  description?: string;
  unitCode: string;
  ordered: number;
  shipped: number;
  invoiced: number;
  /** Quantity disagreements and missing documents: not-shipped, short-shipped, over-shipped, not-invoiced, invoice-overdue, ... */
  flags: string[];
  /** The order's net price per unit and the distinct prices its invoice lines state. */
  prices: { ordered?: number; invoiced: number[] };
  /**
   * Price disagreements: invoiced-price-differs (an invoice line's price is not the order's); for a purchase,
   * invoiced-price-above-ordered / -below-ordered beyond the tolerance, invoiced-currency-differs.
   */
  priceFlags: string[];
  /** Purchases: the shipped quantity the ERP has booked into stock (the shipment notices received, see Receipt). */
  received?: number;
  /** Purchases: the quantity of the supplier's credit notes, already subtracted from `invoiced`. */
  credited?: number;
  /** Purchases: the line's three-way match: matched, open (something still to come) or flagged. */
  match?: 'matched' | 'open' | 'flagged';
  /** Purchases: every invoice and credit note line counted on this line, with its price and what disagrees. */
  invoiceLines?: ChainInvoiceLine[];
}

/** One invoice or credit note line counted on a purchase's order line. */
export interface ChainInvoiceLine {
  documentId: string;
  documentType: 'Invoice' | 'CreditNote';
  documentNumber: string;
  lineNumber: string;
  quantity: number;
  unitCode: string;
  price?: number;
  /** How it was put on the order line: the order line it names, or (naming none of them) its SKU. */
  matchedBy: 'line-reference' | 'sku';
  /** invoiced-price-above-ordered, invoiced-price-below-ordered, invoiced-currency-differs, invoiced-unit-differs. */
  flags: string[];
}

export interface Chain {
  /** purchase: our own order to a supplier (outbound, buyer SELF), judged by the three-way match; else a customer's. */
  kind: 'customer-order' | 'purchase';
  order: ChainDocument | null;
  /** Later revisions of the order (its changes), oldest first; the newest is the one compared. */
  changes: ChainDocument[];
  shipNotices: ChainDocument[];
  invoices: ChainDocument[];
  lines: ChainLine[];
  /** Lines of shipment notices or invoices that name no line of the order. */
  unmatched: Array<{ documentId: string; documentType: CanonicalType; lineNumber: string; orderLineReference?: string; sku: string; quantity: number }>;
  flags: string[];
  /** Purchases only: the three-way match (ordered, shipped, received, invoiced) and what it was judged with. */
  threeWayMatch?: ThreeWayMatch;
}

/**
 * Days after its first shipment notice a shipped line may go without an invoice before the chain flags it
 * `invoice-overdue` (a candidate for the configuration as console.chainInvoiceDays).
 */
export const CHAIN_INVOICE_DAYS = 14;

/**
 * The chain flags that are problems someone should look at (the console's "flagged only"); `no-shipnotice` and
 * `no-invoice` alone are states of an order still in progress, not problems.
 */
export const CHAIN_PROBLEM_FLAGS: readonly string[] = ['lines-flagged', 'prices-differ', 'invoice-overdue', 'unmatched-lines', 'order-not-mapped', 'order-missing', 'three-way-mismatch', 'currency-differs'];

/** The problem flags of a chain (see CHAIN_PROBLEM_FLAGS). */
export function chainProblems(chain: Pick<Chain, 'flags'>): string[] {
  return chain.flags.filter((f) => CHAIN_PROBLEM_FLAGS.includes(f));
}

export interface ChainOptions {
  /** The time the invoice-overdue flag is judged at (default: now). */
  now?: Date;
  invoiceDays?: number;
  /** The tolerance a purchase's three-way match is judged with (config chains.tolerance; default exact). */
  tolerance?: MatchTolerance;
}

/** Sums without binary noise (0.1 + 0.2): quantities are decimals as the partner stated them. */
const add = (a: number, b: number) => Math.round((a + b) * 1e6) / 1e6;

interface Row {
  id: string;
  document_type: CanonicalType;
  document_number: string;
  revision: number;
  revision_of: string | null;
  status: string;
  received_at: Date;
  partner: string;
  direction: 'inbound' | 'outbound';
  /** The canonical document's buyer.internalId and currency (a purchase is ours: outbound, buyer SELF). */
  buyer_id: string | null;
  currency: string | null;
  /** The canonical document's lines only (the fields a chain compares), null when it is not mapped. */
  lines: CanonicalLine[] | null;
  /** The order (or shipment notice) id this row was found through; absent for order rows. */
  via?: string;
}

function view(r: Row): ChainDocument {
  return { id: r.id, documentType: r.document_type, documentNumber: r.document_number, revision: r.revision, status: r.status, receivedAt: r.received_at.toISOString(), partner: r.partner, links: { self: `/v1/ops/messages/${r.id}` } };
}

/** The record and, of the canonical document, only the line fields a chain compares (not the whole document). */
const COLUMNS = `m.id, m.document_type, m.document_number, m.revision, m.revision_of, m.status, m.received_at, m.partner, m.direction,
  c.canonical->'buyer'->>'internalId' AS buyer_id, c.canonical->>'currency' AS currency,
  CASE WHEN c.message_id IS NULL THEN NULL ELSE coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('lineNumber', l->'lineNumber', 'sku', l->'sku',
    'description', l->'description', 'quantity', l->'quantity', 'unitCode', l->'unitCode', 'price', l->'price', 'orderLineReference', l->'orderLineReference')))
    FROM jsonb_array_elements(c.canonical->'lines') l), '[]'::jsonb) END AS lines`;
const FROM = 'messages m LEFT JOIN message_canonical c ON c.message_id = m.id';

/**
 * The order a document belongs to: itself (its first revision) when it is an order, else the order its links
 * point to (through its shipment notice for an invoice that names only that; through its invoice for a credit
 * note). Undefined when none is linked.
 */
export async function findOrderId(db: Database, id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string; document_type: CanonicalType; revision_of: string | null }>('SELECT id, document_type, revision_of FROM messages WHERE id = $1', [id]);
  const doc = rows[0];
  if (!doc) return undefined;
  if (doc.document_type === 'Order') return doc.revision_of ?? doc.id;
  const linked = await db.query<{ id: string; revision_of: string | null }>(
    `SELECT m.id, m.revision_of FROM document_links l JOIN messages m ON m.id = l.to_id
      WHERE l.from_id = $1 AND m.document_type = 'Order'
     UNION
     SELECT m.id, m.revision_of FROM document_links l JOIN document_links l2 ON l2.from_id = l.to_id JOIN messages m ON m.id = l2.to_id
      WHERE l.from_id = $1 AND l.kind IN ('invoices-shipnotice', 'credits-invoice') AND m.document_type = 'Order'
     UNION
     SELECT m.id, m.revision_of FROM document_links l JOIN document_links l2 ON l2.from_id = l.to_id AND l2.kind = 'invoices-shipnotice'
       JOIN document_links l3 ON l3.from_id = l2.to_id JOIN messages m ON m.id = l3.to_id
      WHERE l.from_id = $1 AND l.kind = 'credits-invoice' AND m.document_type = 'Order'
     ORDER BY 1 LIMIT 1`,
    [id],
  );
  const order = linked.rows[0];
  return order ? (order.revision_of ?? order.id) : undefined;
}

/** The first order with this number from this partner. */
export async function findOrderByNumber(db: Database, partner: string, documentNumber: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM messages WHERE partner = $1 AND document_type = 'Order' AND document_number = $2 ORDER BY revision, received_at LIMIT 1", [partner, documentNumber]);
  return rows[0]?.id;
}

/**
 * The chain of an order: the order, its changes (revisions), the shipment notices and invoices linked to it
 * (an invoice also through the shipment notice it names), and per order line the ordered, shipped and invoiced
 * quantities and prices, with a flag wherever one is missing or they disagree.
 */
export async function orderChain(db: Database, orderId: string, options: ChainOptions = {}): Promise<Chain> {
  return (await orderChains(db, [orderId], options)).get(orderId)!;
}

/**
 * The chains of several orders (by the id of each one's first revision) in four queries whatever their number:
 * the orders and their revisions, the shipment notices, the invoices linked to the orders, and those linked to
 * the shipment notices; each through an index (primary key, messages_by_revision_of, document_links_to). When
 * some are purchases, two more: their credit notes, and the receipts of their shipment notices.
 */
export async function orderChains(db: Database, orderIds: readonly string[], options: ChainOptions = {}): Promise<Map<string, Chain>> {
  const out = new Map<string, Chain>();
  if (!orderIds.length) return out;
  const orderRows = (await db.query<Row>(`SELECT ${COLUMNS} FROM ${FROM} WHERE m.id = ANY($1::uuid[]) OR m.revision_of = ANY($1::uuid[]) ORDER BY m.revision`, [orderIds])).rows;
  const allOrderIds = orderRows.map((r) => r.id);
  const ships = (
    await db.query<Row>(`SELECT ${COLUMNS}, l.to_id AS via FROM document_links l JOIN ${FROM} ON m.id = l.from_id WHERE l.to_id = ANY($1::uuid[]) AND l.kind = 'ships-order' ORDER BY m.received_at, m.id`, [allOrderIds])
  ).rows;
  const invoices = (
    await db.query<Row>(
      `SELECT ${COLUMNS}, l.to_id AS via FROM document_links l JOIN ${FROM} ON m.id = l.from_id
        WHERE (l.to_id = ANY($1::uuid[]) AND l.kind = 'invoices-order') OR (l.to_id = ANY($2::uuid[]) AND l.kind = 'invoices-shipnotice') ORDER BY m.received_at, m.id`,
      [allOrderIds, ships.map((s) => s.id)],
    )
  ).rows;
  const firstOf = (r: Row) => r.revision_of ?? r.id;
  const orderOfRow = new Map(orderRows.map((r) => [r.id, firstOf(r)]));
  const shipOrders = new Map<string, Set<string>>();
  for (const s of ships) {
    const order = orderOfRow.get(s.via!);
    if (order) (shipOrders.get(s.id) ?? shipOrders.set(s.id, new Set()).get(s.id)!).add(order);
  }
  const group = <T extends Row>(rows: T[], orderOf: (r: T) => Iterable<string>) => {
    const byOrder = new Map<string, T[]>();
    for (const r of rows) {
      for (const order of orderOf(r)) {
        const list = byOrder.get(order) ?? byOrder.set(order, []).get(order)!;
        if (!list.some((x) => x.id === r.id)) list.push(r);
      }
    }
    return byOrder;
  };
  const ordersById = group(orderRows, (r) => [firstOf(r)]);
  const shipsById = group(ships, (r) => (orderOfRow.get(r.via!) ? [orderOfRow.get(r.via!)!] : []));
  const invoicesById = group(invoices, (r) => (orderOfRow.has(r.via!) ? [orderOfRow.get(r.via!)!] : [...(shipOrders.get(r.via!) ?? [])]));
  const purchases = new Set(orderRows.filter(isPurchaseRow).map(firstOf));
  const purchaseFacts = purchases.size ? await purchaseFactsOf(db, purchases, orderRows, shipsById, invoicesById, orderOfRow, shipOrders) : undefined;
  for (const id of orderIds) {
    const facts = purchaseFacts && purchases.has(id) ? { creditNotes: purchaseFacts.creditNotes.get(id) ?? [], receipts: purchaseFacts.receipts } : undefined;
    out.set(id, compareChain(ordersById.get(id) ?? [], shipsById.get(id) ?? [], invoicesById.get(id) ?? [], options, facts));
  }
  return out;
}

/** Ours to a supplier: an order the ERP handed over (outbound) with us as the buyer. */
const isPurchaseRow = (r: Row) => r.document_type === 'Order' && r.direction === 'outbound' && r.buyer_id === 'SELF';

/** What the three-way match needs beyond a customer's chain: credit notes (to the order or an invoice) and receipts. */
async function purchaseFactsOf(
  db: Database,
  purchases: ReadonlySet<string>,
  orderRows: readonly Row[],
  shipsById: ReadonlyMap<string, Row[]>,
  invoicesById: ReadonlyMap<string, Row[]>,
  orderOfRow: ReadonlyMap<string, string>,
  shipOrders: ReadonlyMap<string, Set<string>>,
): Promise<{ creditNotes: Map<string, Row[]>; receipts: Awaited<ReturnType<typeof receiptsOf>> }> {
  const purchaseRows = orderRows.filter((r) => purchases.has(r.revision_of ?? r.id)).map((r) => r.id);
  const invoiceOrders = new Map<string, Set<string>>();
  for (const order of purchases) for (const invoice of invoicesById.get(order) ?? []) (invoiceOrders.get(invoice.id) ?? invoiceOrders.set(invoice.id, new Set()).get(invoice.id)!).add(order);
  const credits = (
    await db.query<Row>(
      `SELECT ${COLUMNS}, l.to_id AS via FROM document_links l JOIN ${FROM} ON m.id = l.from_id
        WHERE (l.to_id = ANY($1::uuid[]) AND l.kind = 'credits-order') OR (l.to_id = ANY($2::uuid[]) AND l.kind = 'credits-invoice') ORDER BY m.received_at, m.id`,
      [purchaseRows, [...invoiceOrders.keys()]],
    )
  ).rows;
  const creditNotes = new Map<string, Row[]>();
  for (const c of credits) {
    const orders = orderOfRow.has(c.via!) ? [orderOfRow.get(c.via!)!] : [...(invoiceOrders.get(c.via!) ?? [])];
    for (const order of orders) {
      const list = creditNotes.get(order) ?? creditNotes.set(order, []).get(order)!;
      if (!list.some((x) => x.id === c.id)) list.push(c);
    }
  }
  const shipIds = [...purchases].flatMap((order) => (shipsById.get(order) ?? []).map((s) => s.id)).filter((id) => shipOrders.has(id));
  return { creditNotes, receipts: await receiptsOf(db, shipIds) };
}

const byArrival = (a: Row, b: Row) => a.received_at.getTime() - b.received_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

type PurchaseFacts = { creditNotes: Row[]; receipts: Awaited<ReturnType<typeof receiptsOf>> };

/**
 * One chain from its rows: per order line what was shipped and invoiced, and every disagreement flagged; a
 * purchase (with its facts) by the three-way match (three-way-match.ts).
 */
function compareChain(orderRows: Row[], ships: Row[], invoices: Row[], options: ChainOptions, purchase?: PurchaseFacts): Chain {
  ships.sort(byArrival);
  invoices.sort(byArrival);
  orderRows.sort((a, b) => a.revision - b.revision);
  const order = orderRows[0];
  const flags: string[] = [];
  const kind = purchase ? 'purchase' : 'customer-order';
  if (!order) return { kind, order: null, changes: [], shipNotices: [], invoices: [], lines: [], unmatched: [], flags: ['order-missing'] };
  // The newest revision with a canonical document is the order as it stands now.
  const current = [...orderRows].reverse().find((r) => r.lines) ?? order;
  const orderLines: CanonicalLine[] = current.lines ?? [];
  if (!current.lines) flags.push('order-not-mapped');
  const now = (options.now ?? new Date()).getTime();
  const overdueAfterMs = (options.invoiceDays ?? CHAIN_INVOICE_DAYS) * 86_400_000;
  const documents = { order: view(order), changes: orderRows.slice(1).map(view), shipNotices: ships.map(view), invoices: invoices.map(view) };
  if (purchase) {
    const credits = [...purchase.creditNotes].sort(byArrival);
    const receipts = new Map(ships.flatMap((s) => (purchase.receipts.has(s.id) ? [[s.id, purchase.receipts.get(s.id)!] as const] : [])));
    const tolerance = options.tolerance ?? EXACT_TOLERANCE;
    const currency = current.currency ? { currency: current.currency } : {};
    const compared = comparePurchase({ lines: orderLines, ...currency }, ships, receipts, invoices, credits, tolerance, { now, afterMs: overdueAfterMs });
    const threeWayMatch: ThreeWayMatch = { status: compared.status, tolerance, ...currency, receipts: [...receipts.values()], creditNotes: credits.map(view) };
    const allFlags = [...flags, ...chainFlags(compared.lines, ships, invoices, compared.unmatched), ...compared.flags];
    return { kind, ...documents, lines: compared.lines, unmatched: compared.unmatched, flags: allFlags, threeWayMatch };
  }
  const lines = new Map<string, ChainLine>(
    orderLines.map((l) => [
      l.lineNumber,
      { lineNumber: l.lineNumber, sku: l.sku, ...(l.description ? { description: l.description } : {}), unitCode: l.unitCode, ordered: l.quantity, shipped: 0, invoiced: 0, flags: [], prices: { ...(l.price !== undefined ? { ordered: l.price } : {}), invoiced: [] }, priceFlags: [] },
    ]),
  );
  const firstShipped = new Map<string, Date>();
  const unmatched: Chain['unmatched'] = [];
  const tally = (docs: Row[], field: 'shipped' | 'invoiced') => {
    for (const doc of docs) {
      for (const line of doc.lines ?? []) {
        const target = line.orderLineReference !== undefined ? lines.get(line.orderLineReference) : undefined;
        if (!target) {
          unmatched.push({ documentId: doc.id, documentType: doc.document_type, lineNumber: line.lineNumber, ...(line.orderLineReference !== undefined ? { orderLineReference: line.orderLineReference } : {}), sku: line.sku, quantity: line.quantity });
          continue;
        }
        target[field] = add(target[field], line.quantity);
        if (line.unitCode !== target.unitCode && !target.flags.includes(`${field}-unit-differs`)) target.flags.push(`${field}-unit-differs`);
        if (field === 'shipped' && !firstShipped.has(target.lineNumber)) firstShipped.set(target.lineNumber, doc.received_at);
        if (field === 'invoiced' && line.price !== undefined && !target.prices.invoiced.includes(line.price)) target.prices.invoiced.push(line.price);
      }
    }
  };
  tally(ships, 'shipped');
  tally(invoices, 'invoiced');
  for (const line of lines.values()) {
    if (ships.length) {
      if (line.shipped === 0) line.flags.push('not-shipped');
      else if (line.shipped < line.ordered) line.flags.push('short-shipped');
      else if (line.shipped > line.ordered) line.flags.push('over-shipped');
    }
    if (invoices.length) {
      if (line.invoiced === 0) line.flags.push('not-invoiced');
      else if (line.invoiced !== (ships.length ? line.shipped : line.ordered)) line.flags.push(ships.length ? 'invoiced-differs-from-shipped' : 'invoiced-differs-from-ordered');
    }
    const shippedAt = firstShipped.get(line.lineNumber);
    if (line.shipped !== 0 && line.invoiced === 0 && shippedAt && now - shippedAt.getTime() > overdueAfterMs) line.flags.push('invoice-overdue');
    if (line.prices.ordered !== undefined && line.prices.invoiced.some((p) => p !== line.prices.ordered)) line.priceFlags.push('invoiced-price-differs');
  }
  const all = [...lines.values()];
  return { kind, ...documents, lines: all, unmatched, flags: [...flags, ...chainFlags(all, ships, invoices, unmatched)] };
}

/** The flags every chain has, from its lines: missing documents, unmatched lines, lines and prices that disagree. */
function chainFlags(lines: readonly ChainLine[], ships: readonly Row[], invoices: readonly Row[], unmatched: Chain['unmatched']): string[] {
  const flags: string[] = [];
  if (!ships.length) flags.push('no-shipnotice');
  if (!invoices.length) flags.push('no-invoice');
  if (unmatched.length) flags.push('unmatched-lines');
  if (lines.some((l) => l.flags.length)) flags.push('lines-flagged');
  if (lines.some((l) => l.priceFlags.length)) flags.push('prices-differ');
  if (lines.some((l) => l.flags.includes('invoice-overdue'))) flags.push('invoice-overdue');
  return flags;
}
