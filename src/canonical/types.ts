/**
 * Canonical documents: the one shape every partner format is mapped to and every adapter receives.
 * Each type has a JSON Schema in schemas/canonical/ (the source of truth for checking); these types mirror it.
 * Amounts and quantities are JSON numbers as stated in the source (no rounding); dates are ISO 8601 (YYYY-MM-DD).
 */

/** The canonical document types the hub routes. */
export type CanonicalType = 'Order' | 'Invoice' | 'ShipNotice';
export const CANONICAL_TYPES: readonly CanonicalType[] = ['Order', 'Invoice', 'ShipNotice'];

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
  /** The buyer's order this document refers to (Invoice, ShipNotice). */
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

export type CanonicalDocument = Order | Invoice | ShipNotice;
