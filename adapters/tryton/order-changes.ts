import { HubError, type CanonicalDocument } from 'b2b-hub/adapter-kit';
import { decimal } from './json-rpc-client.js';
import { rejected } from './master-data.js';
import { orderLineNote, type HandlerContext } from './sales.js';

/** The canonical OrderChange and OrderCancellation (derived here until the adapter kit exports them by name). */
export type OrderChange = Extract<CanonicalDocument, { type: 'OrderChange' }>;
export type OrderCancellation = Extract<CanonicalDocument, { type: 'OrderCancellation' }>;
type ChangeLine = OrderChange['lines'][number];

interface SaleRow {
  id: number;
  number: string | null;
  state: string;
  comment: string | null;
  shipments: number[];
  currency: number;
}

interface SaleLineRow {
  id: number;
  product: number | null;
  quantity: number;
  note: string | null;
}

/** The states in which Tryton lets a sale's lines change (a quotation goes back to draft first) or be cancelled. */
const CHANGEABLE = ['draft', 'quotation'];

const SALE_FIELDS = ['number', 'state', 'comment', 'shipments', 'currency'];

/**
 * The sale an order created, and whether this message was applied to it already. First the sale whose comment
 * carries this message's marker (recordLine: a retry after a crash or a timeout); else the customer's newest
 * sale with the order number as reference (deliverSale sets it). None yet is retryable: the order may still be
 * on its way through the hub (its delivery and the change's run independently); after the delivery attempts
 * the message fails and can be replayed once the order is in Tryton.
 */
async function findOrderSale(doc: OrderChange | OrderCancellation, h: HandlerContext): Promise<{ sale: SaleRow; applied: boolean }> {
  const customer = await h.data.party(doc.buyer.internalId, h.signal);
  const [mine] = await h.client.searchRead<SaleRow>('sale.sale', [['party', '=', customer.id], ['comment', 'ilike', `%[${h.marker}]%`]], SALE_FIELDS, { limit: 1, signal: h.signal });
  if (mine) return { sale: mine, applied: true };
  const [sale] = await h.client.searchRead<SaleRow>('sale.sale', [['party', '=', customer.id], ['reference', '=', doc.orderReference]], SALE_FIELDS, { limit: 1, order: [['id', 'DESC']], signal: h.signal });
  if (sale) return { sale, applied: false };
  const what = doc.type === 'OrderChange' ? 'order change' : 'order cancellation';
  throw new HubError('HUB_ERR_ADAPTER_REJECTED', `${what} ${doc.documentNumber}: no Tryton sale for order ${doc.orderReference} of customer ${customer.code} (retried while the order may still be on its way; replay this message once the order is in Tryton)`, {
    retryable: true,
    details: { orderReference: doc.orderReference, reason: 'sale-not-found' },
  });
}

/** The sale again after a change, by id. */
async function reread(id: number, h: HandlerContext): Promise<SaleRow> {
  const [row] = await h.client.searchRead<SaleRow>('sale.sale', [['id', '=', id]], SALE_FIELDS, { limit: 1, signal: h.signal });
  return row!;
}

/** What a sale past quotation is, in words, to say why it can no longer change: confirmed, being processed, shipped, done. */
async function describeState(sale: SaleRow, h: HandlerContext): Promise<string> {
  if (sale.state === 'cancelled') return 'cancelled';
  if (sale.state === 'done') return 'done (shipped and invoiced)';
  const shipments = sale.shipments.length
    ? await h.client.searchRead<{ state: string }>('stock.shipment.out', [['id', 'in', sale.shipments]], ['state'], { signal: h.signal })
    : [];
  if (shipments.some((s) => s.state === 'done')) return `${sale.state} and already shipped`;
  if (shipments.some((s) => ['packed', 'picked', 'assigned'].includes(s.state))) return `${sale.state}, its shipment already ${shipments.find((s) => ['packed', 'picked', 'assigned'].includes(s.state))!.state}`;
  return sale.state === 'confirmed' ? 'confirmed' : `${sale.state} (confirmed, its shipment planned)`;
}

/** The refusal of a change or cancellation of a sale past quotation: not retried, says what to do instead. */
async function notChangeable(doc: OrderChange | OrderCancellation, sale: SaleRow, h: HandlerContext): Promise<HubError> {
  const state = await describeState(sale, h);
  const name = sale.number ?? `id ${sale.id}`;
  const action = doc.type === 'OrderChange' ? `order change ${doc.documentNumber}` : `order cancellation ${doc.documentNumber}`;
  const todo = sale.state === 'cancelled'
    ? 'nothing is left to change; the customer must send a new order'
    : doc.type === 'OrderChange'
      ? 'agree the change with the customer and make it in Tryton by hand (or have the customer cancel and re-order before the sale is confirmed), then mark this message resolved'
      : 'cancel what is still open in Tryton by hand (the shipment, the invoice) or agree a return with the customer, then mark this message resolved';
  return new HubError('HUB_ERR_ADAPTER_REJECTED', `${action} for order ${doc.orderReference}: Tryton sale ${name} is ${state}; only a draft or quotation sale can be ${doc.type === 'OrderChange' ? 'changed' : 'cancelled'} by the customer. ${todo[0]!.toUpperCase()}${todo.slice(1)}.`, {
    details: { orderReference: doc.orderReference, trytonSaleId: sale.id, trytonSaleState: sale.state, reason: 'sale-not-changeable' },
  });
}

/** The comment line that records a change or cancellation on the sale: the marker makes a retry see it was applied. */
function recordLine(doc: OrderChange | OrderCancellation, h: HandlerContext, extra: string): string {
  const sequence = doc.type === 'OrderChange' && doc.sequenceNumber ? ` (sequence ${doc.sequenceNumber})` : '';
  return `${doc.type === 'OrderChange' ? 'Order change' : 'Order cancellation'} ${doc.documentNumber}${sequence} of ${doc.issueDate}${extra} [${h.marker}]`;
}

function appendComment(comment: string | null, line: string): string {
  return comment ? `${comment}\n${line}` : line;
}

/** The sale line an order change line refers to: the one whose note names the customer's line number, else the only line of its product. */
function targetLine(change: ChangeLine, lines: SaleLineRow[], productId: number): SaleLineRow | undefined {
  const byNote = lines.find((line) => (line.note ?? '').split('\n').includes(orderLineNote(change.lineNumber)));
  if (byNote) return byNote;
  const byProduct = lines.filter((line) => line.product === productId);
  return byProduct.length === 1 ? byProduct[0] : undefined;
}

/**
 * sales: an OrderChange applied to the sale its order created, while that sale is a draft or a quotation (a
 * quotation goes back to draft, is changed and is quoted again): add lines, change a line's quantity, unit,
 * price and item, delete lines. Every line is checked before anything is written, and all of them are
 * written in one call (one Tryton transaction), with a comment line carrying the hub marker: a retry sees it
 * (findOrderSale) and changes nothing twice. A new requested delivery date is recorded in that comment (the sale has no such
 * field). A sale already confirmed, processing, shipped or done is refused, not retried (notChangeable).
 */
export async function applyOrderChange(change: OrderChange, h: HandlerContext): Promise<string> {
  const found = await findOrderSale(change, h);
  let sale = found.sale;
  const name = () => `sale.sale ${sale.number ?? ''} (id ${sale.id}, ${sale.state})`;
  if (found.applied) {
    // Applied before (a retry): only finish the quote if the crash came between the write and the quote.
    const recorded = (sale.comment ?? '').split('\n').find((line) => line.endsWith(`[${h.marker}]`)) ?? '';
    if (sale.state === 'draft' && recorded.includes('; quoted again')) {
      await h.client.model('sale.sale', 'quote', [[sale.id]], { signal: h.signal });
      sale = await reread(sale.id, h);
    }
    return `${name()}: order change ${change.documentNumber} already applied`;
  }
  if (!CHANGEABLE.includes(sale.state)) throw await notChangeable(change, sale, h);

  const lines = await h.client.searchRead<SaleLineRow>('sale.line', [['sale', '=', sale.id], ['type', '=', 'line']], ['product', 'quantity', 'note'], { order: [['sequence', 'ASC'], ['id', 'ASC']], signal: h.signal });
  const products = await h.data.products(change.lines.map((line) => line.sku), h.signal);
  const creates: Record<string, unknown>[] = [];
  const writes: unknown[] = [];
  const deletes: number[] = [];
  const problems: string[] = [];
  const counts = { added: 0, changed: 0, deleted: 0, unchanged: 0 };
  const claimed = new Set<number>();
  for (const line of change.lines) {
    const product = products.get(line.sku)!;
    const target = targetLine(line, lines.filter((l) => !claimed.has(l.id)), product.id);
    if (target) claimed.add(target.id);
    switch (line.action) {
      case 'add': {
        if (target && (target.note ?? '').split('\n').includes(orderLineNote(line.lineNumber))) {
          problems.push(`line ${line.lineNumber} is to be added but the sale already has it`);
          break;
        }
        if (line.price === undefined) {
          problems.push(`added line ${line.lineNumber} has no price; a Tryton sale line needs one`);
          break;
        }
        creates.push({
          type: 'line',
          product: product.id,
          quantity: line.quantity!,
          unit: await h.data.unit(line.unitCode!, h.signal),
          unit_price: decimal(line.price),
          description: line.description ?? product.name,
          note: orderLineNote(line.lineNumber),
        });
        counts.added++;
        break;
      }
      case 'change': {
        if (!target) {
          problems.push(`line ${line.lineNumber} (${line.sku}) is to be changed but the sale has no such line`);
          break;
        }
        const values: Record<string, unknown> = { quantity: line.quantity!, unit: await h.data.unit(line.unitCode!, h.signal), note: orderLineNote(line.lineNumber) };
        if (target.product !== product.id) Object.assign(values, { product: product.id, description: line.description ?? product.name });
        if (line.price !== undefined) values.unit_price = decimal(line.price);
        writes.push('write', [target.id], values);
        counts.changed++;
        break;
      }
      case 'delete': {
        if (!target) {
          problems.push(`line ${line.lineNumber} (${line.sku}) is to be deleted but the sale has no such line`);
          break;
        }
        deletes.push(target.id);
        counts.deleted++;
        break;
      }
      case 'unchanged':
        counts.unchanged++;
        break;
    }
  }
  if (problems.length) {
    throw rejected(`order change ${change.documentNumber} for order ${change.orderReference} does not fit Tryton sale ${sale.number ?? sale.id}: ${problems.join('; ')}. Nothing was changed; correct the change (or the sale in Tryton) and replay`, {
      orderReference: change.orderReference,
      trytonSaleId: sale.id,
      problems,
    });
  }

  const wasQuotation = sale.state === 'quotation';
  const dated = change.requestedDeliveryDate ? `; requested delivery date now ${change.requestedDeliveryDate}` : '';
  const summary = `${counts.added} line(s) added, ${counts.changed} changed, ${counts.deleted} deleted`;
  const comment = appendComment(sale.comment, recordLine(change, h, `: ${summary}${dated}${wasQuotation ? '; quoted again' : ''}`));
  const lineActions: unknown[] = [];
  if (creates.length) lineActions.push(['create', creates]);
  for (let i = 0; i < writes.length; i += 3) lineActions.push([writes[i], writes[i + 1], writes[i + 2]]);
  if (deletes.length) lineActions.push(['delete', deletes]);
  if (wasQuotation) await h.client.model('sale.sale', 'draft', [[sale.id]], { signal: h.signal });
  await h.client.model('sale.sale', 'write', [[sale.id], { comment, ...(lineActions.length ? { lines: lineActions } : {}) }], { signal: h.signal });
  if (wasQuotation) await h.client.model('sale.sale', 'quote', [[sale.id]], { signal: h.signal });
  sale = await reread(sale.id, h);
  return `${name()}: order change ${change.documentNumber} applied, ${summary}`;
}

/**
 * sales: an OrderCancellation cancels the sale its order created while that sale is a draft or a quotation,
 * with the reason in its comment. An already cancelled sale is success (a retry, or cancelled in Tryton too);
 * a sale past quotation is refused, not retried (notChangeable).
 */
export async function cancelOrder(cancellation: OrderCancellation, h: HandlerContext): Promise<string> {
  const found = await findOrderSale(cancellation, h);
  let sale = found.sale;
  const name = () => `sale.sale ${sale.number ?? ''} (id ${sale.id}, ${sale.state})`;
  if (sale.state === 'cancelled') return `${name()}: ${found.applied ? `cancelled by order cancellation ${cancellation.documentNumber}` : 'already cancelled'}`;
  if (!CHANGEABLE.includes(sale.state)) throw await notChangeable(cancellation, sale, h);
  // A retry after the comment was written but before the cancel: the comment is there, only cancel.
  if (!found.applied) {
    const comment = appendComment(sale.comment, recordLine(cancellation, h, cancellation.reason ? `: ${cancellation.reason}` : ''));
    await h.client.model('sale.sale', 'write', [[sale.id], { comment }], { signal: h.signal });
  }
  await h.client.model('sale.sale', 'cancel', [[sale.id]], { signal: h.signal });
  sale = await reread(sale.id, h);
  return `${name()}: cancelled by order cancellation ${cancellation.documentNumber}`;
}
