import { HubError, type CanonicalDocument, type Invoice } from 'b2b-hub/adapter-kit';
import { date, decimal } from './json-rpc-client.js';
import { rejected } from './master-data.js';
import type { PurchaseRow } from './procurement.js';
import type { HandlerContext } from './sales.js';

/** The canonical CreditNote (derived here until the adapter kit exports it by name). */
export type CreditNote = Extract<CanonicalDocument, { type: 'CreditNote' }>;

export interface InvoiceRow {
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
  const origins = options.purchase ? await purchaseLineByProduct(options.purchase, h) : new Map<number, number>();
  return deliverSupplierDocument(invoice, h, { sign: 1, taxAccount: options.taxAccount, origin: (productId) => (origins.has(productId) ? `purchase.line,${origins.get(productId)}` : undefined) });
}

/**
 * finance: a supplier CreditNote becomes a supplier credit note the way Tryton's own "Credit" action makes one:
 * an account.invoice of type in whose quantities are the credited ones negated (unit prices as stated), so its
 * total is negative and it lowers what we owe the supplier; the supplier-stated tax negated likewise. When the
 * credit note names the invoice it credits (invoiceReference) and that supplier invoice is in Tryton, each line's
 * origin is the credited invoice's line of the same product, as Tryton's credit sets it; the comment names the
 * invoice either way. Its total must equal -(payableAmount + prepaidAmount), else the draft stays for review and
 * the message is rejected with both totals.
 */
export async function deliverSupplierCreditNote(creditNote: CreditNote, h: HandlerContext, options: { taxAccount: string }): Promise<{ creditNote: InvoiceRow; credited?: InvoiceRow }> {
  const credited = creditNote.invoiceReference ? await findCreditedInvoice(creditNote, h) : undefined;
  const origins = credited ? await invoiceLineByProduct(credited.id, h) : new Map<number, number>();
  const comment = [
    creditNote.invoiceReference ? `Credits supplier invoice ${creditNote.invoiceReference}${creditNote.invoiceReferenceDate ? ` of ${creditNote.invoiceReferenceDate}` : ''}` : undefined,
    creditNote.reason ? `Reason: ${creditNote.reason}` : undefined,
    creditNote.note,
  ].filter((part): part is string => Boolean(part)).join('\n');
  const row = await deliverSupplierDocument(creditNote, h, {
    sign: -1,
    taxAccount: options.taxAccount,
    comment,
    origin: (productId) => (origins.has(productId) ? `account.invoice.line,${origins.get(productId)}` : undefined),
  });
  return { creditNote: row, ...(credited ? { credited } : {}) };
}

/** The supplier's invoice a credit note names (by the supplier's number, our reference), the newest not cancelled. */
async function findCreditedInvoice(creditNote: CreditNote, h: HandlerContext): Promise<InvoiceRow | undefined> {
  const supplier = await h.data.party(creditNote.seller.internalId, h.signal);
  const [row] = await h.client.searchRead<InvoiceRow>(
    'account.invoice',
    [['type', '=', 'in'], ['party', '=', supplier.id], ['reference', '=', creditNote.invoiceReference], ['state', '!=', 'cancelled']],
    INVOICE_FIELDS,
    { limit: 1, order: [['id', 'DESC']], signal: h.signal },
  );
  return row;
}

/** An invoice's line for each product (the first one), to link credit lines to it. */
async function invoiceLineByProduct(invoiceId: number, h: HandlerContext): Promise<Map<number, number>> {
  const lines = await h.client.searchRead<{ id: number; product: number | null }>('account.invoice.line', [['invoice', '=', invoiceId], ['type', '=', 'line']], ['product'], { order: [['sequence', 'ASC'], ['id', 'ASC']], signal: h.signal });
  const out = new Map<number, number>();
  for (const line of lines) if (line.product !== null && !out.has(line.product)) out.set(line.product, line.id);
  return out;
}

interface SupplierDocumentOptions {
  /** 1: an invoice; -1: a credit note (quantities, allowance/charge lines and tax negated). */
  sign: 1 | -1;
  taxAccount: string;
  /** The Tryton origin of the line for a product, when it has one. */
  origin: (productId: number) => string | undefined;
  /** The comment; the document's note when not given. */
  comment?: string;
}

/** Creates (once: found by its marker on a retry), checks the total of, and validates a supplier invoice or credit note. */
async function deliverSupplierDocument(doc: Invoice | CreditNote, h: HandlerContext, options: SupplierDocumentOptions): Promise<InvoiceRow> {
  const what = doc.type === 'CreditNote' ? 'credit note' : 'invoice';
  const { sign } = options;
  let row = await findInvoice(h);
  if (!row) {
    const supplier = await h.data.party(doc.seller.internalId, h.signal);
    if (supplier.payableAccountId === undefined) throw rejected(`supplier ${supplier.code} has no payable account in Tryton`);
    if (supplier.addressId === undefined) throw rejected(`supplier ${supplier.code} has no address in Tryton`);
    const products = await h.data.products(doc.lines.map((line) => line.sku), h.signal);
    const fallbackAccount = [...products.values()].find((p) => p.expenseAccountId !== undefined)?.expenseAccountId;
    const currency = await h.data.currency(doc.currency, h.signal);
    // Nested lines get no defaults from the invoice (a client's on_change would): they must match its domain.
    const common = { invoice_type: 'in', party: supplier.id, currency };
    const lines: Record<string, unknown>[] = [];
    for (const line of doc.lines) {
      const product = products.get(line.sku)!;
      if (line.price === undefined) throw rejected(`${what} ${doc.documentNumber}: line ${line.lineNumber} has no price`);
      if (product.expenseAccountId === undefined) throw rejected(`product ${product.code} has no expense account in Tryton`);
      const origin = options.origin(product.id);
      lines.push({
        ...common,
        type: 'line',
        product: product.id,
        description: line.description ?? product.name,
        quantity: sign * line.quantity,
        unit: await h.data.unit(line.unitCode, h.signal),
        unit_price: decimal(line.price),
        account: product.expenseAccountId,
        ...(origin !== undefined ? { origin } : {}),
      });
    }
    const documentLevel: [string, number | undefined, number][] = [
      ['Allowance (document level)', doc.totals.allowanceTotal, -1],
      ['Charge (document level)', doc.totals.chargeTotal, 1],
    ];
    for (const [description, amount, direction] of documentLevel) {
      if (amount) lines.push({ ...common, type: 'line', description, quantity: sign, unit_price: decimal(direction * amount), account: fallbackAccount });
    }
    const taxes = doc.totals.taxTotal
      ? [{ manual: true, description: 'Tax as stated by the supplier', account: await h.data.taxAccount(options.taxAccount, h.signal), base: decimal(sign * doc.totals.taxExclusive), amount: decimal(sign * doc.totals.taxTotal) }]
      : [];
    const today = new Date().toISOString().slice(0, 10);
    const values: Record<string, unknown> = {
      type: 'in',
      party: supplier.id,
      invoice_address: supplier.addressId,
      account: supplier.payableAccountId,
      journal: await h.data.journal('expense', h.signal),
      currency,
      reference: doc.documentNumber,
      description: h.marker,
      invoice_date: date(doc.issueDate),
      accounting_date: date(today),
      comment: (options.comment ?? doc.note) || null,
      lines: [['create', lines]],
      taxes: [['create', taxes]],
    };
    if (supplier.supplierPaymentTermId !== undefined) values.payment_term = supplier.supplierPaymentTermId;
    await h.client.model('account.invoice', 'create', [[values]], { signal: h.signal });
    row = (await findInvoice(h))!;
  }
  if (row.state === 'draft') {
    // What the supplier claims (or credits) in all: the amount due plus what was paid before (payableAmount
    // already has prepayments deducted and any payable rounding added); a credit note's total is negative.
    const stated = Number((doc.totals.payableAmount + (doc.totals.prepaidAmount ?? 0)).toFixed(6));
    const expected = sign * stated;
    if (!sameAmount(row.total_amount, expected)) {
      throw new HubError('HUB_ERR_ADAPTER_REJECTED', `${what} ${doc.documentNumber}: Tryton total ${row.total_amount} (untaxed ${row.untaxed_amount}, tax ${row.tax_amount}) differs from the ${what}'s total ${expected} (${sign < 0 ? 'credited, so negative: ' : ''}payable ${doc.totals.payableAmount} + prepaid ${doc.totals.prepaidAmount ?? 0}; taxExclusive ${doc.totals.taxExclusive}, taxTotal ${doc.totals.taxTotal ?? 0}); draft supplier ${what} ${row.id} left in Tryton for review`, {
        details: { trytonInvoiceId: row.id, trytonTotal: row.total_amount, canonicalTotal: expected },
      });
    }
    await h.client.model('account.invoice', 'validate_invoice', [[row.id]], { signal: h.signal });
    row = (await findInvoice(h))!;
  }
  if (row.state === 'cancelled') throw rejected(`supplier ${what} ${row.id} for this message was cancelled in Tryton`);
  return row;
}

/** The purchase's line for each product (the first one), to link invoice lines to it. */
async function purchaseLineByProduct(purchase: PurchaseRow, h: HandlerContext): Promise<Map<number, number>> {
  const lines = await h.client.searchRead<{ id: number; product: number | null }>('purchase.line', [['purchase', '=', purchase.id], ['type', '=', 'line']], ['product'], { order: [['sequence', 'ASC'], ['id', 'ASC']], signal: h.signal });
  const out = new Map<number, number>();
  for (const line of lines) if (line.product !== null && !out.has(line.product)) out.set(line.product, line.id);
  return out;
}
