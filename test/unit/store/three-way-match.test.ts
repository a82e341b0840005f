/**
 * The three-way match's rules on their own (src/store/three-way-match.ts comparePurchase, priceDeviation): the
 * tolerance (percent, absolute, the larger one), lines matched by order line then SKU, credit notes subtracted,
 * receipts, units and currencies, and a line's status. The real documents through the real hub are in
 * test/integration/three-way-match.test.ts.
 */
import { expect } from 'chai';
import type { CanonicalLine } from '../../../src/canonical/types.js';
import { comparePurchase, EXACT_TOLERANCE, priceDeviation, type MatchRow, type MatchTolerance, type Receipt } from '../../../src/store/three-way-match.js';

const line = (lineNumber: string, sku: string, quantity: number, price?: number, extra: Partial<CanonicalLine> = {}): CanonicalLine => ({ lineNumber, sku, quantity, unitCode: 'C62', ...(price !== undefined ? { price } : {}), ...extra });
let next = 0;
const doc = (document_type: MatchRow['document_type'], lines: CanonicalLine[], currency: string | null = 'EUR'): MatchRow => ({ id: `doc-${++next}`, document_type, document_number: `N${next}`, received_at: new Date('2026-12-01T00:00:00Z'), currency, lines });
const received = (ship: MatchRow): [string, Receipt] => [ship.id, { shipNoticeId: ship.id, documentNumber: ship.document_number, state: 'received', targets: [] }];
const awaiting = (ship: MatchRow): [string, Receipt] => [ship.id, { shipNoticeId: ship.id, documentNumber: ship.document_number, state: 'awaiting-receipt', targets: [] }];
const overdue = { now: Date.parse('2026-12-02T00:00:00Z'), afterMs: 14 * 86_400_000 };
const order = { lines: [line('1', 'A', 10, 2), line('2', 'B', 5, 100)], currency: 'EUR' };

function compare(docs: { ships?: MatchRow[]; receipts?: Array<[string, Receipt]>; invoices?: MatchRow[]; credits?: MatchRow[] }, tolerance: MatchTolerance = EXACT_TOLERANCE) {
  return comparePurchase(order, docs.ships ?? [], new Map(docs.receipts ?? []), docs.invoices ?? [], docs.credits ?? [], tolerance, overdue);
}

describe('three-way match: the rules', () => {
  it('a price is within the tolerance by percent or by the absolute amount, whichever allows more; exact by default', () => {
    expect(priceDeviation(2.01, 2, EXACT_TOLERANCE)).to.equal('above');
    expect(priceDeviation(1.99, 2, EXACT_TOLERANCE)).to.equal('below');
    expect(priceDeviation(2, 2, EXACT_TOLERANCE)).to.equal(undefined);
    expect(priceDeviation(2.04, 2, { quantityPercent: 0, pricePercent: 2 })).to.equal(undefined);
    expect(priceDeviation(2.05, 2, { quantityPercent: 0, pricePercent: 2 })).to.equal('above');
    // 2 % of 0.10 is 0.002: the 0.01 absolute allowance is the larger one.
    expect(priceDeviation(0.11, 0.1, { quantityPercent: 0, pricePercent: 2, priceAbsolute: 0.01 })).to.equal(undefined);
    expect(priceDeviation(0.12, 0.1, { quantityPercent: 0, pricePercent: 2, priceAbsolute: 0.01 })).to.equal('above');
    expect(priceDeviation(0.08, 0.1, { quantityPercent: 0, pricePercent: 2, priceAbsolute: 0.01 })).to.equal('below');
  });

  it('counts shipped, received and invoiced less credited per line, by order line reference, else by SKU; the rest is unmatched', () => {
    const ship = doc('ShipNotice', [line('1', 'A', 10, undefined, { orderLineReference: '1' }), line('2', 'B', 5)]);
    const laterShip = doc('ShipNotice', [line('1', 'B', 1, undefined, { orderLineReference: '2' })]);
    const invoice = doc('Invoice', [line('1', 'A', 10, 2, { orderLineReference: '1' }), line('2', 'B', 5, 100, { orderLineReference: '99' }), line('3', 'Z', 1, 1)]);
    const credit = doc('CreditNote', [line('1', 'A', 4, 2)]);
    const result = compare({ ships: [ship, laterShip], receipts: [received(ship), awaiting(laterShip)], invoices: [invoice], credits: [credit] });
    const [one, two] = result.lines;
    expect([one!.shipped, one!.received, one!.invoiced, one!.credited]).to.deep.equal([10, 10, 6, 4]);
    // Line 2: 5 by SKU (no reference) plus 1 by reference shipped; only the first ASN received; the invoice's
    // reference 99 names no line, so its SKU puts it on line 2.
    expect([two!.shipped, two!.received, two!.invoiced]).to.deep.equal([6, 5, 5]);
    expect(two!.invoiceLines!.map((l) => l.matchedBy)).to.deep.equal(['sku']);
    expect(result.unmatched.map((u) => [u.documentId, u.sku])).to.deep.equal([[invoice.id, 'Z']]);
    expect(one!.match).to.equal('open');
    expect(two!.match).to.equal('matched');
    expect(two!.flags).to.deep.equal(['over-shipped']);
    // An invoice line naming nothing of the order is a disagreement of the match; the second ASN awaits its receipt.
    expect(result.flags).to.deep.equal(['awaiting-receipt', 'three-way-mismatch']);
    expect(result.status).to.equal('flagged');
  });

  it('flags invoiced beyond received and ordered, beyond the quantity tolerance only', () => {
    const ship = doc('ShipNotice', [line('1', 'A', 10, undefined, { orderLineReference: '1' })]);
    const invoice = doc('Invoice', [line('1', 'A', 11, 2, { orderLineReference: '1' })]);
    const exact = compare({ ships: [ship], receipts: [received(ship)], invoices: [invoice] });
    expect(exact.lines[0]!.flags).to.deep.equal(['invoiced-more-than-received', 'invoiced-more-than-ordered']);
    expect(exact.lines[1]!.flags).to.deep.equal(['not-shipped', 'not-invoiced']);
    const tolerant = compare({ ships: [ship], receipts: [received(ship)], invoices: [invoice] }, { quantityPercent: 10, pricePercent: 0 });
    expect(tolerant.lines[0]!.flags).to.deep.equal([]);
    expect(tolerant.lines[0]!.match).to.equal('matched');
    // Nothing received yet: anything invoiced is more than received.
    const unreceived = compare({ ships: [ship], receipts: [awaiting(ship)], invoices: [invoice] }, { quantityPercent: 10, pricePercent: 0 });
    expect(unreceived.lines[0]!.flags).to.deep.equal(['invoiced-more-than-received']);
  });

  it('an invoice in another currency is flagged, its prices not compared; another unit is flagged, not converted', () => {
    const invoice = doc('Invoice', [line('1', 'A', 10, 2.5, { orderLineReference: '1' }), line('2', 'B', 5, 100, { orderLineReference: '2', unitCode: 'KGM' })], 'USD');
    const result = compare({ invoices: [invoice] });
    expect(result.lines[0]!.priceFlags).to.deep.equal(['invoiced-currency-differs']);
    expect(result.lines[1]!.flags).to.include('invoiced-unit-differs');
    expect(result.flags).to.include.members(['currency-differs', 'three-way-mismatch']);
    const euro = compare({ invoices: [{ ...invoice, currency: 'EUR' }] });
    expect(euro.lines[0]!.priceFlags).to.deep.equal(['invoiced-price-above-ordered']);
    expect(euro.lines[0]!.invoiceLines![0]!.flags).to.deep.equal(['invoiced-price-above-ordered']);
  });

  it('is matched only when every received or invoiced line agrees; an order with nothing yet is open', () => {
    expect(compare({}).status).to.equal('open');
    const ship = doc('ShipNotice', [line('1', 'A', 10, undefined, { orderLineReference: '1' })]);
    const invoice = doc('Invoice', [line('1', 'A', 10, 2, { orderLineReference: '1' })]);
    const result = compare({ ships: [ship], receipts: [received(ship)], invoices: [invoice] });
    expect(result.lines.map((l) => l.match)).to.deep.equal(['matched', 'open']);
    expect(result.status).to.equal('matched');
    const partly = compare({ ships: [ship], receipts: [received(ship)], invoices: [doc('Invoice', [line('1', 'A', 6, 2, { orderLineReference: '1' })])] });
    expect(partly.lines[0]!.match).to.equal('open');
    expect(partly.status).to.equal('open');
  });
});
