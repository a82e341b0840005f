import type { OrderResponse } from 'b2b-hub/adapter-kit';
import type { PurchaseRow } from './procurement.js';
import type { HandlerContext } from './sales.js';

/**
 * procurement: a supplier's order response (X12 855, UBL OrderResponse, EDIFACT ORDRSP) recorded on the purchase
 * it answers. Tryton's purchase has no field for a supplier's confirmation, so the answer is written as one line
 * of the purchase's comment, where the buyer sees it: the status, and each line the supplier did not simply
 * accept (changed, backordered, rejected) with its confirmed quantity and promised date. The line carries the hub
 * marker, so a retry after a crash or a timeout finds it and writes nothing twice. The purchase itself is not
 * changed: a rejected or changed line is the buyer's decision to act on, in Tryton.
 */
export async function recordOrderResponse(doc: OrderResponse, purchase: PurchaseRow, h: HandlerContext): Promise<string> {
  const [row] = await h.client.searchRead<{ comment: string | null }>('purchase.purchase', [['id', '=', purchase.id]], ['comment'], { limit: 1, signal: h.signal });
  const comment = row?.comment ?? null;
  const name = `purchase.purchase ${purchase.number ?? purchase.id} (id ${purchase.id})`;
  if ((comment ?? '').includes(`[${h.marker}]`)) return `${name}: order response ${doc.documentNumber} already recorded`;
  const line = responseLine(doc, h.marker);
  await h.client.model('purchase.purchase', 'write', [[purchase.id], { comment: comment ? `${comment}\n${line}` : line }], { signal: h.signal });
  return `${name}: order response ${doc.documentNumber} (${doc.status}) recorded`;
}

/** "Supplier order response R-7 of 2026-12-01: accepted-with-changes; line 2 rejected (0 of 2 confirmed) ... [hub:…]". */
export function responseLine(doc: OrderResponse, marker: string): string {
  const notes = doc.lines
    .filter((line) => line.status !== 'accepted' || (line.orderedQuantity !== undefined && line.orderedQuantity !== line.quantity))
    .map((line) => {
      const of = line.orderedQuantity !== undefined ? ` of ${line.orderedQuantity}` : '';
      const date = line.promisedDate ? `, promised ${line.promisedDate}` : '';
      return `line ${line.lineNumber} ${line.status} (${line.quantity}${of} ${line.unitCode} confirmed${date})`;
    });
  const promised = doc.promisedDeliveryDate ? `, delivery promised ${doc.promisedDeliveryDate}` : '';
  return `Supplier order response ${doc.documentNumber} of ${doc.issueDate}: ${doc.status}${promised}${notes.length ? `; ${notes.join('; ')}` : ''} [${marker}]`;
}
