import type { Address, CanonicalDocument, CanonicalLine, Invoice, Order, OrderResponse, ShipNotice } from 'b2b-hub/adapter-kit';
import type { TrytonClient } from './json-rpc-client.js';

/**
 * The canonical documents Tryton's records make, for the watch (watch.ts): a confirmed purchase is our Order to its
 * supplier, a confirmed sale made from a partner's order our OrderResponse, a done customer shipment our ShipNotice,
 * a posted customer invoice our Invoice. Only what does not change once the record is in that state goes in (no
 * comments, no computed dates), so a record written again later makes the same document: the hub takes it as the
 * one it has.
 */

/** A record of a watched model as search_read returns it (dotted fields come back as `field.`: { ... }). */
export type Row = Record<string, any>;

/** What a reader needs: the client, the unit codes and an abort signal. */
export interface ReadContext {
  client: TrytonClient;
  /** Tryton unit symbol -> UN/ECE Rec 20 code (the reverse of the adapter's `units`). */
  unitCodes: ReadonlyMap<string, string>;
  signal: AbortSignal;
}

/** One kind of document the watch reads: the model, which of its records count, the fields, the conversion. */
export interface WatchedKind {
  /** The canonical type it makes (also the name in option watchDocuments). */
  type: 'Order' | 'OrderResponse' | 'ShipNotice' | 'Invoice';
  model: string;
  /** The records that make a document (state and kind), without the cursor's condition. */
  domain: unknown[];
  /** The record's own date field: records dated before the watch began are left alone. */
  dateField: string;
  fields: string[];
  /** The documents of one page of records (some may be skipped: they make none). */
  documents(rows: Row[], context: ReadContext): Promise<Array<{ row: Row; document: CanonicalDocument | undefined }>>;
}

const SELF = { internalId: 'SELF', partyIds: [] };
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
const amount = (value: unknown): number => Number(value ?? 0);
const party = (row: Row | null | undefined) => ({ internalId: String(row?.code ?? ''), partyIds: [], ...(text(row?.name) ? { name: text(row?.name)! } : {}) });
const sumOf = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 1e6) / 1e6;

/** A purchase's or invoice's totals as Tryton computed them: its lines' sum, untaxed, tax and total amounts. */
const invoiceTotals = (own: readonly Row[], row: Row) => ({
  lineTotal: sumOf(own.map((line) => amount(line.amount))),
  taxExclusive: amount(row.untaxed_amount),
  taxTotal: amount(row.tax_amount),
  taxInclusive: amount(row.total_amount),
  payableAmount: amount(row.total_amount),
});

/** The customer's line number a sale line carries in its note (sales.ts orderLineNote), if any. */
function customerLineNumber(note: unknown): string | undefined {
  return typeof note === 'string' ? /Customer order line: (\S+)/.exec(note)?.[1] : undefined;
}

function unitCode(symbol: unknown, context: ReadContext): string {
  const code = typeof symbol === 'string' ? context.unitCodes.get(symbol) : undefined;
  // A unit the adapter has no code for is sent under its symbol: the partner's mapping or schema check names it.
  return code ?? String(symbol ?? '');
}

function read(context: ReadContext, model: string, ids: number[], fields: string[]): Promise<Row[]> {
  if (!ids.length) return Promise.resolve([]);
  return context.client.searchRead<Row>(model, [['id', 'in', ids]], fields, { signal: context.signal });
}

/** Rows by id, in the order of the ids given (the order Tryton lists a record's lines in). */
async function readInOrder(context: ReadContext, model: string, ids: number[], fields: string[]): Promise<Row[]> {
  const byId = new Map((await read(context, model, ids, fields)).map((row) => [row.id as number, row]));
  return ids.map((id) => byId.get(id)).filter((row): row is Row => row !== undefined);
}

/**
 * Sale lines by id with what our documents to the customer say of them: the customer's line number (from the
 * note, else the line's position among its sale's lines) and the sale's reference (the customer's order number).
 */
async function saleLines(context: ReadContext, ids: number[]): Promise<Map<number, { lineNumber: string; position: number; orderReference?: string }>> {
  const lines = await read(context, 'sale.line', ids, ['sale']);
  const saleIds = [...new Set(lines.map((line) => line.sale as number))];
  const sales = await read(context, 'sale.sale', saleIds, ['reference', 'lines']);
  const allLines = byId(await read(context, 'sale.line', sales.flatMap((sale) => sale.lines as number[]), ['type', 'note']));
  const out = new Map<number, { lineNumber: string; position: number; orderReference?: string }>();
  for (const sale of sales) {
    let position = 0;
    for (const id of sale.lines as number[]) {
      const line = allLines.get(id);
      if (line?.type !== 'line') continue;
      position++;
      out.set(id, { lineNumber: customerLineNumber(line.note) ?? String(position), position, ...(text(sale.reference) ? { orderReference: text(sale.reference)! } : {}) });
    }
  }
  return out;
}

/** The fields of a purchase, sale or invoice line the documents take. */
const LINE_FIELDS = ['type', 'product.code', 'description', 'quantity', 'unit.symbol', 'unit_price', 'amount'];
const byId = (rows: Row[]) => new Map(rows.map((row) => [row.id as number, row]));

const originId = (origin: unknown, model: string): number | undefined => {
  const match = typeof origin === 'string' ? new RegExp(`^${model.replace('.', '\\.')},(\\d+)$`).exec(origin) : null;
  return match ? Number(match[1]) : undefined;
};

/** The sale lines some moves or invoice lines come from (their origin). */
const saleLineIds = (rows: Row[]) => rows.map((row) => originId(row.origin, 'sale.line')).filter((id): id is number => id !== undefined);

/** purchase.purchase confirmed (or further) -> our Order to the supplier: buyer SELF, seller its party code. */
const purchases: WatchedKind = {
  type: 'Order',
  model: 'purchase.purchase',
  domain: [['state', 'in', ['confirmed', 'processing', 'done']]],
  dateField: 'purchase_date',
  fields: ['number', 'purchase_date', 'party.code', 'party.name', 'currency.code', 'untaxed_amount', 'tax_amount', 'total_amount', 'lines'],
  async documents(rows, context) {
    const lineIds = rows.flatMap((row) => row.lines as number[]);
    const lines = byId(await read(context, 'purchase.line', lineIds, LINE_FIELDS));
    return rows.map((row) => {
      const own = (row.lines as number[]).map((id) => lines.get(id)).filter((line): line is Row => line?.type === 'line');
      const order: Order = {
        type: 'Order',
        documentNumber: String(row.number),
        issueDate: String(row.purchase_date),
        ...(row['currency.']?.code ? { currency: String(row['currency.'].code) } : {}),
        buyer: SELF,
        seller: party(row['party.']),
        lines: own.map((line, index) => orderLine(line, String(index + 1), context)),
        totals: invoiceTotals(own, row),
      };
      return { row, document: order };
    });
  },
};

function orderLine(line: Row, lineNumber: string, context: ReadContext): CanonicalLine {
  return {
    lineNumber,
    sku: String(line['product.']?.code ?? ''),
    ...(text(line.description) ? { description: text(line.description)! } : {}),
    quantity: Number(line.quantity),
    unitCode: unitCode(line['unit.']?.symbol, context),
    price: amount(line.unit_price),
    lineAmount: amount(line.amount),
  };
}

/**
 * sale.sale confirmed (or further) that the hub made from a partner's Order (description hub:<message id>) -> our
 * OrderResponse, accepted with every line confirmed as the sale has it. A sale a clerk entered answers no partner
 * document: skipped (its shipments and invoices still go out to a customer that is a partner).
 */
const sales: WatchedKind = {
  type: 'OrderResponse',
  model: 'sale.sale',
  domain: [['state', 'in', ['confirmed', 'processing', 'done']]],
  dateField: 'sale_date',
  fields: ['number', 'reference', 'description', 'sale_date', 'party.code', 'party.name', 'currency.code', 'lines'],
  async documents(rows, context) {
    const answered = rows.filter((row) => /^hub:\S+$/.test(String(row.description ?? '')) && text(row.reference));
    const lineIds = answered.flatMap((row) => row.lines as number[]);
    const lines = byId(await read(context, 'sale.line', lineIds, [...LINE_FIELDS, 'note']));
    return rows.map((row) => {
      if (!answered.includes(row)) return { row, document: undefined };
      const own = (row.lines as number[]).map((id) => lines.get(id)).filter((line): line is Row => line?.type === 'line');
      const responseLines = own.map((line, index) => {
        const number = customerLineNumber(line.note) ?? String(index + 1);
        return { ...orderLine(line, number, context), orderLineReference: number, status: 'accepted' as const, orderedQuantity: Number(line.quantity) };
      });
      const response: OrderResponse = {
        type: 'OrderResponse',
        documentNumber: String(row.number),
        issueDate: String(row.sale_date),
        ...(row['currency.']?.code ? { currency: String(row['currency.'].code) } : {}),
        buyer: party(row['party.']),
        seller: SELF,
        orderReference: text(row.reference)!,
        status: 'accepted',
        lines: responseLines,
        totals: {
          lineCount: responseLines.length,
          totalQuantity: sumOf(responseLines.map((line) => line.quantity)),
          lineTotal: sumOf(responseLines.map((line) => line.lineAmount ?? 0)),
        },
      };
      return { row, document: response };
    });
  },
};

function address(row: Row | null | undefined): Address | undefined {
  if (!row) return undefined;
  const out: Address = {
    ...(text(row.party_name ?? row.name) ? { name: text(row.party_name ?? row.name)! } : {}),
    ...(text(row.street) ? { street: text(row.street)!.split('\n')[0]! } : {}),
    ...(text(row.street)?.includes('\n') ? { additionalStreet: text(row.street)!.split('\n').slice(1).join(', ') } : {}),
    ...(text(row.city) ? { city: text(row.city)! } : {}),
    ...(text(row.postal_code) ? { postalCode: text(row.postal_code)! } : {}),
    ...(text(row['country.']?.code) ? { country: text(row['country.'].code)! } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

/** stock.shipment.out done -> our ShipNotice to the customer: seller SELF, orderReference the sale's reference. */
const shipments: WatchedKind = {
  type: 'ShipNotice',
  model: 'stock.shipment.out',
  domain: [['state', '=', 'done']],
  dateField: 'effective_date',
  fields: ['number', 'effective_date', 'customer.code', 'customer.name', 'delivery_address', 'outgoing_moves'],
  async documents(rows, context) {
    const moveIds = rows.flatMap((row) => row.outgoing_moves as number[]);
    const moves = byId(await read(context, 'stock.move', moveIds, ['state', 'product.code', 'product.name', 'quantity', 'uom.symbol', 'origin']));
    const addressIds = rows.map((row) => row.delivery_address as number).filter(Boolean);
    const addresses = byId(await read(context, 'party.address', addressIds, ['party_name', 'name', 'street', 'city', 'postal_code', 'country.code']));
    const origins = await saleLines(context, saleLineIds([...moves.values()]));
    return rows.map((row) => {
      // In the order of the sale's lines (Tryton lists a shipment's moves by its own order), then by move.
      const refOf = (move: Row) => origins.get(originId(move.origin, 'sale.line') ?? -1);
      const own = (row.outgoing_moves as number[])
        .map((id) => moves.get(id))
        .filter((move): move is Row => move?.state === 'done')
        .sort((a, b) => (refOf(a)?.position ?? Infinity) - (refOf(b)?.position ?? Infinity) || (a.id as number) - (b.id as number));
      const refs = own.map(refOf);
      const orderReference = refs.find((ref) => ref?.orderReference)?.orderReference;
      const lines: CanonicalLine[] = own.map((move, index) => ({
        lineNumber: String(index + 1),
        sku: String(move['product.']?.code ?? ''),
        ...(text(move['product.']?.name) ? { description: text(move['product.'].name)! } : {}),
        quantity: Number(move.quantity),
        unitCode: unitCode(move['uom.']?.symbol, context),
        ...(row.effective_date ? { shippedDate: String(row.effective_date) } : {}),
        ...(refs[index]?.lineNumber ? { orderLineReference: refs[index]!.lineNumber } : {}),
      }));
      const shipTo = address(addresses.get(row.delivery_address as number));
      const notice: ShipNotice = {
        type: 'ShipNotice',
        documentNumber: String(row.number),
        issueDate: String(row.effective_date),
        despatchDate: String(row.effective_date),
        buyer: party(row['customer.']),
        seller: SELF,
        ...(shipTo ? { shipTo } : {}),
        ...(orderReference ? { orderReference } : {}),
        lines,
        totals: { lineCount: lines.length, totalQuantity: sumOf(lines.map((line) => line.quantity)) },
      };
      return { row, document: notice };
    });
  },
};

/** account.invoice out, posted (or paid) -> our Invoice to the customer: seller SELF, orderReference the sale's. */
const invoices: WatchedKind = {
  type: 'Invoice',
  model: 'account.invoice',
  domain: [['type', '=', 'out'], ['state', 'in', ['posted', 'paid']]],
  dateField: 'invoice_date',
  fields: ['number', 'reference', 'invoice_date', 'party.code', 'party.name', 'currency.code', 'untaxed_amount', 'tax_amount', 'total_amount', 'lines'],
  async documents(rows, context) {
    const lineIds = rows.flatMap((row) => row.lines as number[]);
    const lines = byId(await read(context, 'account.invoice.line', lineIds, [...LINE_FIELDS, 'origin']));
    const origins = await saleLines(context, saleLineIds([...lines.values()]));
    return rows.map((row) => {
      const own = (row.lines as number[]).map((id) => lines.get(id)).filter((line): line is Row => line?.type === 'line');
      const refs = own.map((line) => origins.get(originId(line.origin, 'sale.line') ?? -1));
      const orderReference = refs.find((ref) => ref?.orderReference)?.orderReference ?? text(row.reference);
      const invoice: Invoice = {
        type: 'Invoice',
        documentNumber: String(row.number),
        issueDate: String(row.invoice_date),
        currency: String(row['currency.']?.code ?? ''),
        buyer: party(row['party.']),
        seller: SELF,
        ...(orderReference ? { orderReference } : {}),
        lines: own.map((line, index) => ({
          ...orderLine(line, String(index + 1), context),
          ...(refs[index]?.lineNumber ? { orderLineReference: refs[index]!.lineNumber } : {}),
        })),
        totals: invoiceTotals(own, row),
      };
      return { row, document: invoice };
    });
  },
};

/** Every kind the watch can read, by the canonical type it makes. */
export const WATCHED_KINDS: Readonly<Record<WatchedKind['type'], WatchedKind>> = { Order: purchases, OrderResponse: sales, ShipNotice: shipments, Invoice: invoices };

/** The reverse of the adapter's unit table: the first UN/ECE code listed for each Tryton symbol. */
export function unitCodesOf(units: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [code, symbol] of Object.entries(units)) if (!out.has(symbol)) out.set(symbol, code);
  return out;
}
