/**
 * Canonical documents: the one shape every partner format is mapped to and every adapter receives.
 * Each type has a JSON Schema in schemas/canonical/ (the source of truth for checking); these types mirror it.
 * Amounts and quantities are JSON numbers as stated in the source (no rounding); dates are ISO 8601 (YYYY-MM-DD).
 */

/** The canonical document types the hub routes. */
export type CanonicalType = 'Order' | 'Invoice' | 'ShipNotice' | 'CreditNote' | 'OrderChange' | 'OrderCancellation' | 'OrderResponse';
export const CANONICAL_TYPES: readonly CanonicalType[] = ['Order', 'Invoice', 'ShipNotice', 'CreditNote', 'OrderChange', 'OrderCancellation', 'OrderResponse'];

/** An identifier as the partner sent it, with its scheme (e.g. GLN "0088") when known. */
export interface PartyIdentifier {
  id: string;
  scheme?: string;
}

/** A trading party, resolved to the ERP's own customer or vendor id through the cross-reference tables. */
export interface Party {
  /** The ERP's id for this party (customer or vendor code), from the party cross-reference. */
  internalId: string;
  /** The identifiers the partner document used for this party. */
  partyIds: PartyIdentifier[];
  name?: string;
}

export interface Address {
  name?: string;
  street?: string;
  additionalStreet?: string;
  city?: string;
  postalCode?: string;
  region?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
}

/** One line of any canonical document. */
export interface CanonicalLine {
  /** The line's number or id as in the source. */
  lineNumber: string;
  /** The ERP's own item code, from the item cross-reference. */
  sku: string;
  /** The buyer's item id, as sent. */
  buyerItemId?: string;
  /** The seller's item id, as sent. */
  sellerItemId?: string;
  /** GTIN (standard item id) when sent. */
  gtin?: string;
  description?: string;
  quantity: number;
  /** UN/ECE Recommendation 20 unit code (e.g. C62, EA, KGM). */
  unitCode: string;
  /** Net price per unit (per price base quantity of 1 unless the source says otherwise). */
  price?: number;
  /** Net line amount as stated in the source. */
  lineAmount?: number;
  /** Order: requested delivery date. */
  requestedDeliveryDate?: string;
  /** ShipNotice: the date the goods were or will be shipped. */
  shippedDate?: string;
  /** Invoice / ShipNotice: the order line this line refers to. */
  orderLineReference?: string;
}

/** Header fields every canonical document has. */
export interface CanonicalHeader {
  type: CanonicalType;
  documentNumber: string;
  issueDate: string;
  currency?: string;
  buyer: Party;
  seller: Party;
  shipTo?: Address;
  /** The buyer's order this document refers to (Invoice, ShipNotice, CreditNote, OrderChange, OrderCancellation). */
  orderReference?: string;
  /** The despatch advice this document refers to (Invoice). */
  despatchReference?: string;
  note?: string;
}

export interface OrderTotals {
  lineTotal?: number;
  taxTotal?: number;
  taxExclusive?: number;
  taxInclusive?: number;
  payableAmount: number;
}

export interface InvoiceTotals {
  lineTotal: number;
  taxExclusive: number;
  taxTotal?: number;
  taxInclusive: number;
  allowanceTotal?: number;
  chargeTotal?: number;
  prepaidAmount?: number;
  payableAmount: number;
}

export interface ShipNoticeTotals {
  lineCount: number;
  /** Sum of shipped quantities over all lines (whatever their units). */
  totalQuantity: number;
}

export interface Order extends CanonicalHeader {
  type: 'Order';
  lines: CanonicalLine[];
  totals: OrderTotals;
}

export interface Invoice extends CanonicalHeader {
  type: 'Invoice';
  currency: string;
  dueDate?: string;
  lines: CanonicalLine[];
  totals: InvoiceTotals;
}

export interface ShipNotice extends CanonicalHeader {
  type: 'ShipNotice';
  /** Actual or expected despatch date. */
  despatchDate?: string;
  lines: CanonicalLine[];
  totals: ShipNoticeTotals;
}

/**
 * A credit note: the seller credits the buyer (a supplier's credit note to us, or ours to a customer).
 * Sign convention: amounts and quantities are stated as the credit note states them, normally positive (UBL
 * CreditNote, EDIFACT INVOIC 381, X12 810 with BIG07 "CR" all state the credited amounts as positive figures);
 * the type CreditNote is what makes them a credit, so a consumer subtracts them (the Tryton adapter books
 * negative quantities, the finance summary lowers payables). A negative figure is a correction of the credit
 * and is kept as stated.
 */
export interface CreditNote extends CanonicalHeader {
  type: 'CreditNote';
  currency: string;
  /** The invoice this credit note credits (UBL BillingReference/InvoiceDocumentReference), when given. */
  invoiceReference?: string;
  /** The issue date of the credited invoice, when given. */
  invoiceReferenceDate?: string;
  /** Why the amount is credited (UBL DiscrepancyResponse, EDIFACT FTX), as the partner wrote it. */
  reason?: string;
  dueDate?: string;
  lines: CanonicalLine[];
  totals: InvoiceTotals;
}

/**
 * What an order change does to one line, as X12 860 POC02 and EDIFACT ORDCHG 1229 express it:
 * add (AI / 1 Added), delete (DI / 2 Deleted), change (CA, QI, QD, PC, CT / 3 Changed),
 * unchanged (NC / 4 No action: the line is repeated for reference only).
 */
export type OrderLineAction = 'add' | 'change' | 'delete' | 'unchanged';
export const ORDER_LINE_ACTIONS: readonly OrderLineAction[] = ['add', 'change', 'delete', 'unchanged'];

/**
 * One line of an order change. `lineNumber` is the order's line number it changes (or the new line's number
 * for add). add and change carry the line as it should now be (quantity, unit, price, date); delete needs
 * only the line number and the item.
 */
export interface OrderChangeLine extends Omit<CanonicalLine, 'quantity' | 'unitCode'> {
  action: OrderLineAction;
  /** The line's quantity after the change (required for add and change). */
  quantity?: number;
  /** UN/ECE Rec 20 unit of the quantity (required for add and change). */
  unitCode?: string;
}

/** A buyer's change to an order it sent before (UBL OrderChange, X12 860, EDIFACT ORDCHG). */
export interface OrderChange extends CanonicalHeader {
  type: 'OrderChange';
  /** The order (its documentNumber) this change applies to. */
  orderReference: string;
  /** The change's sequence number for that order (UBL SequenceNumberID, X12 BCH05, EDIFACT BGM 1004 revision). */
  sequenceNumber?: string;
  /** A new requested delivery date for the whole order (lines may state their own). */
  requestedDeliveryDate?: string;
  /** The changed lines, each with what happens to it; may be empty for a header-only change. */
  lines: OrderChangeLine[];
  /** The order's totals after the change, when stated. */
  totals?: OrderTotals;
}

/** A buyer's cancellation of a whole order (UBL OrderCancellation, X12 860 BCH01 "01", EDIFACT ORDCHG BGM 1225 "1"). */
export interface OrderCancellation extends CanonicalHeader {
  type: 'OrderCancellation';
  /** The order (its documentNumber) that is cancelled. */
  orderReference: string;
  /** Why, as the buyer wrote it (UBL CancellationNote). */
  reason?: string;
  /**
   * Always empty: a cancellation cancels the whole order (cancelling some lines is an OrderChange with delete
   * lines). Kept so that every canonical document has lines for the consumers that count them.
   */
  lines: [];
}

/**
 * The seller's answer to a whole order (X12 855 BAK02, UBL OrderResponseCode UNCL 4343, EDIFACT ORDRSP BGM 1225):
 * acknowledged (received, the decision comes later: UBL AB, X12 AH), accepted (AP; AT, AK, AD), accepted-with-changes
 * (CA; AC, AE), rejected (RE; RJ, RD, RF, RO).
 */
export type OrderResponseStatus = 'acknowledged' | 'accepted' | 'accepted-with-changes' | 'rejected';
export const ORDER_RESPONSE_STATUSES: readonly OrderResponseStatus[] = ['acknowledged', 'accepted', 'accepted-with-changes', 'rejected'];

/**
 * The seller's answer to one line (X12 ACK01, UBL LineStatusCode, EDIFACT ORDRSP LIN 1229): accepted, changed
 * (quantity, price, date or item changed), backordered, rejected.
 */
export type OrderResponseLineStatus = 'accepted' | 'changed' | 'backordered' | 'rejected';

/** One line of an order response. `quantity` is the quantity the seller confirms (0 for a rejected line). */
export interface OrderResponseLine extends Omit<CanonicalLine, 'shippedDate'> {
  status: OrderResponseLineStatus;
  /** The quantity the order asked for, when the response states it. */
  orderedQuantity?: number;
  /** The delivery (or ship) date the seller promises for this line. */
  promisedDate?: string;
}

/**
 * The seller's answer to an order (X12 855, UBL OrderResponse, EDIFACT ORDRSP): a supplier's answer to our purchase,
 * or ours to a customer's order. Canonical rather than passed through, because both directions need it: the
 * procurement module reads a supplier's confirmed quantities and dates, and the ERP's own confirmations go out in
 * each customer's format from this one shape.
 */
export interface OrderResponse extends CanonicalHeader {
  type: 'OrderResponse';
  /** The order (its documentNumber) this response answers. */
  orderReference: string;
  status: OrderResponseStatus;
  /** The delivery date the seller promises for the whole order, when stated. */
  promisedDeliveryDate?: string;
  lines: OrderResponseLine[];
  totals: {
    lineCount: number;
    /** Sum of the confirmed quantities over all lines (whatever their units). */
    totalQuantity: number;
    /** Sum of confirmed quantity times price, when prices are stated. */
    lineTotal?: number;
  };
}

export type CanonicalDocument = Order | Invoice | ShipNotice | CreditNote | OrderChange | OrderCancellation | OrderResponse;
