import { HubError, type Order } from 'b2b-hub/adapter-kit';
import { decimal, type TrytonClient } from './json-rpc-client.js';
import { rejected, type MasterData } from './master-data.js';

/** Where a handler finds the ERP and what it needs to know about the delivery. */
export interface HandlerContext {
  client: TrytonClient;
  data: MasterData;
  /** The text every record this delivery creates carries (hub:<message id>), searched before creating. */
  marker: string;
  signal: AbortSignal;
}

export interface SaleRow {
  id: number;
  number: string | null;
  state: string;
  shipments: number[];
}

export const SALE_FIELDS = ['number', 'state', 'shipments'];

/**
 * The note each sale line carries with the customer's order line number, so that an order change finds the
 * line it changes (Tryton's sale lines have no field for the customer's line number).
 */
export function orderLineNote(lineNumber: string): string {
  return `Customer order line: ${lineNumber}`;
}

async function findSale(h: HandlerContext): Promise<SaleRow | undefined> {
  const [sale] = await h.client.searchRead<SaleRow>('sale.sale', [['description', '=', h.marker]], SALE_FIELDS, { limit: 1, signal: h.signal });
  return sale;
}

/**
 * sales: a customer Order becomes a sale (sale.sale) with the customer's order number as reference and the
 * hub marker as description, quoted and (unless options.confirm is false) confirmed. Confirming makes Tryton
 * process it: a customer shipment waits for the goods. Left quoted, a salesperson confirms it in Tryton, and
 * until then the customer's order changes and cancellations apply to it. Each line's note names the
 * customer's line number (orderLineNote). A retry finds the sale by its marker and only finishes what is missing.
 */
export async function deliverSale(order: Order, h: HandlerContext, options: { confirm?: boolean } = {}): Promise<SaleRow> {
  const confirm = options.confirm ?? true;
  let sale = await findSale(h);
  if (!sale) {
    const missingPrice = order.lines.filter((line) => line.price === undefined).map((line) => line.lineNumber);
    if (missingPrice.length) throw rejected(`order ${order.documentNumber}: line(s) ${missingPrice.join(', ')} have no price; a Tryton sale line needs one`);
    const party = await h.data.party(order.buyer.internalId, h.signal);
    if (party.addressId === undefined) throw rejected(`party ${party.code} has no address in Tryton`);
    const products = await h.data.products(order.lines.map((line) => line.sku), h.signal);
    const warehouse = await h.data.warehouse(h.signal);
    const lines = [];
    for (const line of order.lines) {
      const product = products.get(line.sku)!;
      lines.push({
        type: 'line',
        product: product.id,
        quantity: line.quantity,
        unit: await h.data.unit(line.unitCode, h.signal),
        unit_price: decimal(line.price!),
        description: line.description ?? product.name,
        note: orderLineNote(line.lineNumber),
      });
    }
    const values: Record<string, unknown> = {
      party: party.id,
      invoice_address: party.addressId,
      shipment_address: party.addressId,
      warehouse: warehouse.id,
      reference: order.documentNumber,
      description: h.marker,
      comment: order.note ?? null,
      lines: [['create', lines]],
    };
    if (order.currency) values.currency = await h.data.currency(order.currency, h.signal);
    if (party.customerPaymentTermId !== undefined) values.payment_term = party.customerPaymentTermId;
    await h.client.model('sale.sale', 'create', [[values]], { signal: h.signal });
    sale = (await findSale(h))!;
  }
  if (sale.state === 'draft') {
    await h.client.model('sale.sale', 'quote', [[sale.id]], { signal: h.signal });
    sale = (await findSale(h))!;
  }
  if (confirm && sale.state === 'quotation') {
    await h.client.model('sale.sale', 'confirm', [[sale.id]], { signal: h.signal });
    sale = (await findSale(h))!;
  }
  if (sale.state === 'cancelled') throw rejected(`sale ${sale.number ?? sale.id} for this message was cancelled in Tryton`);
  return sale;
}

/**
 * inventory for an Order: reserve the stock of the sale's waiting customer shipments (assign_try). What is
 * not in stock stays waiting, as Tryton does for any sale; the shipment lowers the quantity when it is done.
 */
export async function reserveSale(order: Order, h: HandlerContext): Promise<{ sale: SaleRow; reserved: boolean }> {
  let sale = await findSale(h);
  if (!sale) throw rejected(`order ${order.documentNumber}: no Tryton sale to reserve stock for; route Orders to the sales module of this adapter too`);
  // A sale left quoted (option confirmSales: false) has no shipment yet: Tryton plans it when it is confirmed.
  if (sale.state === 'quotation' || sale.state === 'draft') return { sale, reserved: false };
  // Confirming hands the sale to Tryton's queue, which processes it (plans the shipment) just after.
  for (let wait = 0; sale.state === 'confirmed' && wait < 20; wait++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    sale = (await findSale(h))!;
  }
  if (sale.state === 'confirmed') throw new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', `sale ${sale.number ?? sale.id} is confirmed but Tryton has not processed it yet`);
  const shipments = await h.client.searchRead<{ id: number; state: string }>('stock.shipment.out', [['id', 'in', sale.shipments]], ['state'], { signal: h.signal });
  const waiting = shipments.filter((s) => s.state === 'waiting').map((s) => s.id);
  let reserved = shipments.length > 0 && waiting.length === 0;
  if (waiting.length) reserved = (await h.client.model<boolean>('stock.shipment.out', 'assign_try', [waiting], { signal: h.signal })) === true;
  return { sale, reserved };
}
