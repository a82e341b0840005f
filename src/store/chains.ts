import type { CanonicalDocument, CanonicalLine, CanonicalType } from '../canonical/types.js';
import type { Database } from '../db/database.js';

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
  flags: string[];
}

export interface Chain {
  order: ChainDocument | null;
  /** Later revisions of the order (its changes), oldest first; the newest is the one compared. */
  changes: ChainDocument[];
  shipNotices: ChainDocument[];
  invoices: ChainDocument[];
  lines: ChainLine[];
  /** Lines of shipment notices or invoices that name no line of the order. */
  unmatched: Array<{ documentId: string; documentType: CanonicalType; lineNumber: string; orderLineReference?: string; sku: string; quantity: number }>;
  flags: string[];
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
  canonical: CanonicalDocument | null;
}

function view(r: Row): ChainDocument {
  return { id: r.id, documentType: r.document_type, documentNumber: r.document_number, revision: r.revision, status: r.status, receivedAt: r.received_at.toISOString(), partner: r.partner, links: { self: `/v1/ops/messages/${r.id}` } };
}

const SELECT = `SELECT m.id, m.document_type, m.document_number, m.revision, m.revision_of, m.status, m.received_at, m.partner, c.canonical
  FROM messages m LEFT JOIN message_canonical c ON c.message_id = m.id`;

/**
 * The order a document belongs to: itself (its first revision) when it is an order, else the order its links
 * point to (through its shipment notice for an invoice that names only that). Undefined when none is linked.
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
      WHERE l.from_id = $1 AND l.kind = 'invoices-shipnotice' AND m.document_type = 'Order'
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
 * quantities, with a flag wherever one is missing or they disagree.
 */
export async function orderChain(db: Database, orderId: string): Promise<Chain> {
  const orderRows = (await db.query<Row>(`${SELECT} WHERE m.id = $1 OR m.revision_of = $1 ORDER BY m.revision`, [orderId])).rows;
  const ids = orderRows.map((r) => r.id);
  const ships = (await db.query<Row>(`${SELECT} WHERE m.id IN (SELECT from_id FROM document_links WHERE to_id = ANY($1) AND kind = 'ships-order') ORDER BY m.received_at, m.id`, [ids])).rows;
  const invoices = (
    await db.query<Row>(
      `${SELECT} WHERE m.id IN (SELECT from_id FROM document_links WHERE to_id = ANY($1) AND kind = 'invoices-order'
                               UNION SELECT from_id FROM document_links WHERE to_id = ANY($2) AND kind = 'invoices-shipnotice') ORDER BY m.received_at, m.id`,
      [ids, ships.map((s) => s.id)],
    )
  ).rows;
  const order = orderRows[0];
  const flags: string[] = [];
  if (!order) return { order: null, changes: [], shipNotices: [], invoices: [], lines: [], unmatched: [], flags: ['order-missing'] };
  // The newest revision with a canonical document is the order as it stands now.
  const current = [...orderRows].reverse().find((r) => r.canonical) ?? order;
  const orderLines: CanonicalLine[] = current.canonical?.lines ?? [];
  if (!current.canonical) flags.push('order-not-mapped');
  const lines = new Map<string, ChainLine>(
    orderLines.map((l) => [l.lineNumber, { lineNumber: l.lineNumber, sku: l.sku, ...(l.description ? { description: l.description } : {}), unitCode: l.unitCode, ordered: l.quantity, shipped: 0, invoiced: 0, flags: [] }]),
  );
  const unmatched: Chain['unmatched'] = [];
  const tally = (docs: Row[], field: 'shipped' | 'invoiced') => {
    for (const doc of docs) {
      for (const line of doc.canonical?.lines ?? []) {
        const target = line.orderLineReference !== undefined ? lines.get(line.orderLineReference) : undefined;
        if (!target) {
          unmatched.push({ documentId: doc.id, documentType: doc.document_type, lineNumber: line.lineNumber, ...(line.orderLineReference !== undefined ? { orderLineReference: line.orderLineReference } : {}), sku: line.sku, quantity: line.quantity });
          continue;
        }
        target[field] = add(target[field], line.quantity);
        if (line.unitCode !== target.unitCode && !target.flags.includes(`${field}-unit-differs`)) target.flags.push(`${field}-unit-differs`);
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
  }
  if (!ships.length) flags.push('no-shipnotice');
  if (!invoices.length) flags.push('no-invoice');
  if (unmatched.length) flags.push('unmatched-lines');
  if ([...lines.values()].some((l) => l.flags.length)) flags.push('lines-flagged');
  return {
    order: view(order),
    changes: orderRows.slice(1).map(view),
    shipNotices: ships.map(view),
    invoices: invoices.map(view),
    lines: [...lines.values()],
    unmatched,
    flags,
  };
}
