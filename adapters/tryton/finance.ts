import { HubError, type Invoice } from 'b2b-hub/adapter-kit';
import { date, decimal } from './json-rpc-client.js';
import { rejected } from './master-data.js';
import type { PurchaseRow } from './procurement.js';
import type { HandlerContext } from './sales.js';

interface InvoiceRow {
  id: number;
  number: string | null;
  state: string;
  total_amount: string;
  untaxed_amount: string;
  tax_amount: string;
}

const INVOICE_FIELDS = ['number', 'state', 'total_amount', 'untaxed_amount', 'tax_amount'];

async function findInvoice(h: HandlerContext): Promise<InvoiceRow | undefined> {
  const [row] = await h.client.searchRead<InvoiceRow>('account.invoice', [['type', '=', 'in'], ['description', '=', h.marker]], INVOICE_FIELDS, { limit: 1, signal: h.signal });
  return row;
}

/** Exact decimal comparison in cents-of-cents: amounts are compared as stated, never rounded to agree. */
function sameAmount(a: string | number, b: string | number): boolean {
  return Math.round(Number(a) * 10000) === Math.round(Number(b) * 10000);
}

/**
 * finance: a supplier Invoice becomes a supplier invoice (account.invoice, type in): the supplier's number as
 * reference, the hub marker as description, invoice date = issue date, accounting date = today (the day it
 * is booked), one line per canonical line, document-level allowance and charge as lines, and the tax the
 * supplier stated as a manual tax line. Its total must equal the canonical payableAmount + prepaidAmount; then it is
 * validated. A mismatch leaves the draft in Tryton for an accountant and rejects the message with both totals.
 */
export async function deliverSupplierInvoice(invoice: Invoice, h: HandlerContext, options: { purchase?: PurchaseRow; taxAccount: string }): Promise<InvoiceRow> {
  let row = await findInvoice(h);
  if (!row) {
    const supplier = await h.data.party(invoice.seller.internalId, h.signal);
    if (supplier.payableAccountId === undefined) throw rejected(`supplier ${supplier.code} has no payable account in Tryton`);
    if (supplier.addressId === undefined) throw rejected(`supplier ${supplier.code} has no address in Tryton`);
    const products = await h.data.products(invoice.lines.map((line) => line.sku), h.signal);
    const origins = options.purchase ? await purchaseLineByProduct(options.purchase, h) : new Map<number, number>();
    const fallbackAccount = [...products.values()].find((p) => p.expenseAccountId !== undefined)?.expenseAccountId;
    const currency = await h.data.currency(invoice.currency, h.signal);
    // Nested lines get no defaults from the invoice (a client's on_change would): they must match its domain.
    const common = { invoice_type: 'in', party: supplier.id, currency };
    const lines: Record<string, unknown>[] = [];
    for (const line of invoice.lines) {
      const product = products.get(line.sku)!;
      if (line.price === undefined) throw rejected(`invoice ${invoice.documentNumber}: line ${line.lineNumber} has no price`);
      if (product.expenseAccountId === undefined) throw rejected(`product ${product.code} has no expense account in Tryton`);
      const origin = origins.get(product.id);
      lines.push({
        ...common,
        type: 'line',
        product: product.id,
        description: line.description ?? product.name,
        quantity: line.quantity,
        unit: await h.data.unit(line.unitCode, h.signal),
        unit_price: decimal(line.price),
        account: product.expenseAccountId,
        ...(origin !== undefined ? { origin: `purchase.line,${origin}` } : {}),
      });
    }
    const documentLevel: [string, number | undefined, number][] = [
      ['Allowance (document level)', invoice.totals.allowanceTotal, -1],
      ['Charge (document level)', invoice.totals.chargeTotal, 1],
    ];
    for (const [description, amount, sign] of documentLevel) {
      if (amount) lines.push({ ...common, type: 'line', description, quantity: 1, unit_price: decimal(sign * amount), account: fallbackAccount });
    }
    const taxes = invoice.totals.taxTotal
      ? [{ manual: true, description: 'Tax as stated by the supplier', account: await h.data.taxAccount(options.taxAccount, h.signal), base: decimal(invoice.totals.taxExclusive), amount: decimal(invoice.totals.taxTotal) }]
      : [];
    const today = new Date().toISOString().slice(0, 10);
    const values: Record<string, unknown> = {
      type: 'in',
      party: supplier.id,
      invoice_address: supplier.addressId,
      account: supplier.payableAccountId,
      journal: await h.data.journal('expense', h.signal),
      currency,
      reference: invoice.documentNumber,
      description: h.marker,
      invoice_date: date(invoice.issueDate),
      accounting_date: date(today),
      comment: invoice.note ?? null,
      lines: [['create', lines]],
      taxes: [['create', taxes]],
    };
    if (supplier.supplierPaymentTermId !== undefined) values.payment_term = supplier.supplierPaymentTermId;
    await h.client.model('account.invoice', 'create', [[values]], { signal: h.signal });
    row = (await findInvoice(h))!;
  }
  if (row.state === 'draft') {
    // What the supplier claims in all: the amount due plus what was paid before (payableAmount already
    // has prepayments deducted and any payable rounding added).
    const expected = Number((invoice.totals.payableAmount + (invoice.totals.prepaidAmount ?? 0)).toFixed(6));
    if (!sameAmount(row.total_amount, expected)) {
      throw new HubError('HUB_ERR_ADAPTER_REJECTED', `invoice ${invoice.documentNumber}: Tryton total ${row.total_amount} (untaxed ${row.untaxed_amount}, tax ${row.tax_amount}) differs from the invoice's total ${expected} (payable ${invoice.totals.payableAmount} + prepaid ${invoice.totals.prepaidAmount ?? 0}; taxExclusive ${invoice.totals.taxExclusive}, taxTotal ${invoice.totals.taxTotal ?? 0}); draft supplier invoice ${row.id} left in Tryton for review`, {
        details: { trytonInvoiceId: row.id, trytonTotal: row.total_amount, canonicalTotal: expected },
      });
    }
    await h.client.model('account.invoice', 'validate_invoice', [[row.id]], { signal: h.signal });
    row = (await findInvoice(h))!;
  }
  if (row.state === 'cancelled') throw rejected(`supplier invoice ${row.id} for this message was cancelled in Tryton`);
  return row;
}

/** The purchase's line for each product (the first one), to link invoice lines to it. */
async function purchaseLineByProduct(purchase: PurchaseRow, h: HandlerContext): Promise<Map<number, number>> {
  const lines = await h.client.searchRead<{ id: number; product: number | null }>('purchase.line', [['purchase', '=', purchase.id], ['type', '=', 'line']], ['product'], { order: [['sequence', 'ASC'], ['id', 'ASC']], signal: h.signal });
  const out = new Map<number, number>();
  for (const line of lines) if (line.product !== null && !out.has(line.product)) out.set(line.product, line.id);
  return out;
}
