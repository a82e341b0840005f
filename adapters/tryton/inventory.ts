import type { ShipNotice } from 'b2b-hub/adapter-kit';
import { date, decimal } from './json-rpc-client.js';
import { rejected } from './master-data.js';
import type { PurchaseRow } from './procurement.js';
import type { HandlerContext } from './sales.js';

interface ShipmentRow {
  id: number;
  number: string | null;
  state: string;
}

interface MoveRow {
  id: number;
  product: number;
  quantity: number;
  uom: number;
}

/** stock.shipment.in has no free-text field: the marker goes into its reference, after the supplier's number. */
function shipmentReference(notice: ShipNotice, marker: string): string {
  return `${notice.documentNumber} (${marker})`;
}

async function findShipment(notice: ShipNotice, h: HandlerContext): Promise<ShipmentRow | undefined> {
  const [row] = await h.client.searchRead<ShipmentRow>('stock.shipment.in', [['reference', '=', shipmentReference(notice, h.marker)]], ['number', 'state'], { limit: 1, signal: h.signal });
  return row;
}

/**
 * A supplier ShipNotice becomes an incoming shipment (stock.shipment.in). With a purchase (procurement), its
 * moves are the purchase's own pending moves, each set to the shipped quantity (Tryton plans the rest again
 * when it processes the purchase); without, new moves from the supplier at the product's cost price.
 * With inventory, the shipment is received and done: the goods are in the warehouse's storage.
 * A retry finds the shipment by its reference and only finishes its workflow.
 */
export async function deliverShipNotice(notice: ShipNotice, h: HandlerContext, options: { purchase?: PurchaseRow; receive: boolean }): Promise<ShipmentRow> {
  let shipment = await findShipment(notice, h);
  if (!shipment) {
    const supplier = await h.data.party(notice.seller.internalId, h.signal);
    const warehouse = await h.data.warehouse(h.signal);
    const products = await h.data.products(notice.lines.map((line) => line.sku), h.signal);
    const units = await Promise.all(notice.lines.map((line) => h.data.unit(line.unitCode, h.signal)));
    const shipmentId = (
      await h.client.model<number[]>('stock.shipment.in', 'create', [[{ supplier: supplier.id, warehouse: warehouse.id, reference: shipmentReference(notice, h.marker), ...(notice.despatchDate ? { planned_date: date(notice.despatchDate) } : {}) }]], { signal: h.signal })
    )[0]!;
    const shipmentRef = `stock.shipment.in,${shipmentId}`;
    if (options.purchase) {
      const pending = await h.client.searchRead<MoveRow>('stock.move', [['purchase', '=', options.purchase.id], ['state', '=', 'draft'], ['shipment', '=', null]], ['product', 'quantity', 'uom'], { order: [['id', 'ASC']], signal: h.signal });
      const taken = new Set<number>();
      const plan: { move: MoveRow; quantity: number; uom: number }[] = [];
      const notOnPurchase: string[] = [];
      notice.lines.forEach((line, index) => {
        const product = products.get(line.sku)!;
        const move = pending.find((m) => m.product === product.id && !taken.has(m.id));
        if (!move) return notOnPurchase.push(`${line.sku} (line ${line.lineNumber})`);
        taken.add(move.id);
        plan.push({ move, quantity: line.quantity, uom: units[index]! });
      });
      if (notOnPurchase.length) {
        await h.client.model('stock.shipment.in', 'delete', [[shipmentId]], { signal: h.signal });
        throw rejected(`despatch ${notice.documentNumber}: ${notOnPurchase.join(', ')} not pending on purchase ${options.purchase.number ?? options.purchase.id}`);
      }
      for (const { move, quantity, uom } of plan) {
        await h.client.model('stock.move', 'write', [[move.id], { quantity, uom, shipment: shipmentRef, to_location: warehouse.inputId }], { signal: h.signal });
      }
    } else {
      if (supplier.supplierLocationId === undefined) throw rejected(`supplier ${supplier.code} has no supplier location in Tryton`);
      const moves = notice.lines.map((line, index) => {
        const product = products.get(line.sku)!;
        return { product: product.id, quantity: line.quantity, uom: units[index], from_location: supplier.supplierLocationId, to_location: warehouse.inputId, unit_price: decimal(product.costPrice), shipment: shipmentRef };
      });
      await h.client.model('stock.move', 'create', [moves], { signal: h.signal });
    }
    shipment = (await findShipment(notice, h))!;
  }
  if (options.receive) {
    if (shipment.state === 'draft') await h.client.model('stock.shipment.in', 'receive', [[shipment.id]], { signal: h.signal, acceptWarnings: true });
    shipment = (await findShipment(notice, h))!;
    if (shipment.state === 'received') {
      await h.client.model('stock.shipment.in', 'done', [[shipment.id]], { signal: h.signal, acceptWarnings: true });
      shipment = (await findShipment(notice, h))!;
    }
  }
  if (shipment.state === 'cancelled') throw rejected(`incoming shipment ${shipment.number ?? shipment.id} for this message was cancelled in Tryton`);
  return shipment;
}

