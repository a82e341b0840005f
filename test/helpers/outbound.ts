/**
 * What the outbound tests share: a purchase order as the ERP hands it over (us, SELF, buying from a vendor), its
 * hand-over through POST /v1/erp/documents, and unique document numbers.
 */
import { expect } from 'chai';
import { call, type TestHub } from './test-hub.js';

export interface PurchaseLine {
  lineNumber: string;
  sku: string;
  description?: string;
  quantity: number;
  unitCode: string;
  price: number;
}

/** A new number for each document, so no hand-over is a duplicate of another test's. */
export const unique = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

/** The default purchase: 40 kg of beeswax (SKU-10013: globex's item 17589683) at 1.25 from globex's vendor VEND-GLOBEX. */
export const BEESWAX: PurchaseLine = { lineNumber: '1', sku: 'SKU-10013', description: 'beeswax', quantity: 40, unitCode: 'KGM', price: 1.25 };

/** A canonical purchase Order from us to a vendor; totals are the lines' sum. */
export function purchaseOrder(number: string, options: { lines?: PurchaseLine[]; vendor?: string; vendorName?: string; currency?: string } = {}) {
  const lines = (options.lines ?? [BEESWAX]).map((line) => ({ ...line }));
  const total = Math.round(lines.reduce((sum, l) => sum + l.quantity * l.price, 0) * 100) / 100;
  return {
    type: 'Order' as const,
    documentNumber: number,
    issueDate: '2026-12-02',
    currency: options.currency ?? 'EUR',
    buyer: { internalId: 'SELF', partyIds: [] },
    seller: { internalId: options.vendor ?? 'VEND-GLOBEX', partyIds: [], name: options.vendorName ?? 'Globex Components' },
    lines,
    totals: { lineTotal: total, payableAmount: total },
  };
}

/** Hands a document over as the ERP does; expects 202 and returns the outbound message id. */
export async function handOver(t: TestHub, document: unknown, documentId = `po-${unique()}`): Promise<string> {
  const r = await call(t.url, 'POST', '/v1/erp/documents', { key: t.keys.erp, body: JSON.stringify({ documentId, document }), contentType: 'application/json' });
  expect(r.status, JSON.stringify(r.body)).to.equal(202);
  return r.body.messageId as string;
}
