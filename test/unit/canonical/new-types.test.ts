import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CANONICAL_SCHEMA_FILES, checkCanonical } from '../../../src/canonical/check.js';
import { CANONICAL_TYPES, ORDER_LINE_ACTIONS } from '../../../src/canonical/types.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { projectRoot } from '../../../src/mapping/paths.js';

const root = projectRoot();
const golden = (format: string, name: string): Record<string, any> => JSON.parse(readFileSync(path.join(root, 'fixtures', format, `${name}.expected.json`), 'utf8'));
const schema = (type: keyof typeof CANONICAL_SCHEMA_FILES): Record<string, any> => JSON.parse(readFileSync(path.join(root, 'schemas', 'canonical', CANONICAL_SCHEMA_FILES[type]), 'utf8'));

function problems(doc: unknown): HubError {
  try {
    checkCanonical(doc, { file: 'mappings/x.yaml', document: 'D-1' });
  } catch (error) {
    expect(error).to.be.instanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected checkCanonical to throw');
}

describe('canonical CreditNote, OrderChange, OrderCancellation, OrderResponse', () => {
  it('every canonical type has a schema whose type constant is its name; the new ones are listed after the first three', () => {
    expect(CANONICAL_TYPES).to.deep.equal(['Order', 'Invoice', 'ShipNotice', 'CreditNote', 'OrderChange', 'OrderCancellation', 'OrderResponse']);
    for (const type of CANONICAL_TYPES) expect(schema(type).properties.type, type).to.deep.equal({ const: type });
  });

  it('the existing types are unchanged: Order, Invoice and ShipNotice have no field of the new ones', () => {
    for (const type of ['Order', 'Invoice', 'ShipNotice'] as const) {
      const properties = Object.keys(schema(type).properties);
      for (const field of ['invoiceReference', 'invoiceReferenceDate', 'reason', 'sequenceNumber', 'requestedDeliveryDate']) expect(properties, `${type}.${field}`).to.not.include(field);
    }
  });

  describe('CreditNote', () => {
    const creditNote = golden('ubl-credit-note', 'ubl-credit-note-2.0-example');

    it('accepts a mapped credit note, and negative (correction) lines as stated', () => {
      expect(() => checkCanonical(creditNote)).to.not.throw();
      expect(() => checkCanonical(golden('ubl-credit-note', 'peppol-billing-base-creditnote-correction'))).to.not.throw();
    });

    it('needs a currency and the invoice totals, like an Invoice; the credited invoice reference is optional', () => {
      const { currency: _c, invoiceReference: _i, ...rest } = creditNote;
      const error = problems({ ...rest, totals: { payableAmount: 1 } });
      expect(error.errors).to.have.deep.members([
        { path: 'currency', message: 'is required but missing' },
        { path: 'totals.lineTotal', message: 'is required but missing' },
        { path: 'totals.taxExclusive', message: 'is required but missing' },
        { path: 'totals.taxInclusive', message: 'is required but missing' },
      ]);
      expect(error.message).to.contain('the mapped CreditNote does not satisfy its canonical schema');
    });

    it('refuses an empty invoice reference and a credited invoice date that is not a date', () => {
      const error = problems({ ...creditNote, invoiceReference: '', invoiceReferenceDate: '21.06.2005' });
      expect(error.errors!.map((e) => e.path)).to.have.members(['invoiceReference', 'invoiceReferenceDate', 'invoiceReferenceDate']);
    });
  });

  describe('OrderChange', () => {
    const change = golden('ubl-order-change', 'peppol-order-change-add-delete');

    it('accepts a mapped change with add, change and delete lines', () => {
      expect(() => checkCanonical(change)).to.not.throw();
      expect(change.lines.map((l: { action: string }) => l.action)).to.deep.equal(['delete', 'change', 'add']);
    });

    it('names the order it changes', () => {
      const { orderReference: _o, ...rest } = change;
      expect(problems(rest).errors).to.deep.equal([{ path: 'orderReference', message: 'is required but missing' }]);
    });

    it('add and change lines need a quantity and a unit; delete and unchanged lines do not', () => {
      const strip = (line: Record<string, unknown>) => {
        const { quantity: _q, unitCode: _u, ...rest } = line;
        return rest;
      };
      const lines = [
        { ...strip(change.lines[0]), action: 'delete' },
        { ...strip(change.lines[1]), action: 'change' },
        { ...strip(change.lines[2]), action: 'add' },
        { ...strip(change.lines[1]), lineNumber: '9', action: 'unchanged' },
      ];
      expect(problems({ ...change, lines }).errors).to.have.deep.members([
        { path: 'lines[1].quantity', message: 'is required but missing' },
        { path: 'lines[1].unitCode', message: 'is required but missing' },
        { path: 'lines[2].quantity', message: 'is required but missing' },
        { path: 'lines[2].unitCode', message: 'is required but missing' },
      ]);
    });

    it('an action outside add, change, delete, unchanged is refused naming the allowed ones', () => {
      expect(ORDER_LINE_ACTIONS).to.deep.equal(['add', 'change', 'delete', 'unchanged']);
      const lines = [{ ...change.lines[1], action: 'replace' }];
      expect(problems({ ...change, lines }).errors).to.deep.equal([{ path: 'lines[0].action', message: 'must be one of "add", "change", "delete", "unchanged"' }]);
    });

    it('every line says what happens to it', () => {
      const { action: _a, ...line } = change.lines[1];
      expect(problems({ ...change, lines: [line] }).errors).to.deep.equal([{ path: 'lines[0].action', message: 'is required but missing' }]);
    });
  });

  describe('OrderCancellation', () => {
    const cancellation = golden('ubl-order-cancellation', 'ubl-order-cancellation-2.1-example');

    it('accepts a mapped cancellation: the order it cancels, a reason, no lines', () => {
      expect(() => checkCanonical(cancellation)).to.not.throw();
    });

    it('cancels a whole order: lines must be empty, and it has no totals', () => {
      const error = problems({ ...cancellation, lines: [golden('ubl-order-change', 'peppol-order-change-example').lines[0]], totals: { payableAmount: 1 } });
      expect(error.errors).to.have.deep.members([
        { path: 'lines', message: 'must be empty' },
        { path: 'totals', message: 'is not a field of the canonical document' },
      ]);
    });

    it('names the order it cancels', () => {
      const { orderReference: _o, ...rest } = cancellation;
      expect(problems(rest).errors).to.deep.equal([{ path: 'orderReference', message: 'is required but missing' }]);
    });
  });

  describe('OrderResponse', () => {
    const response = JSON.parse(readFileSync(path.join(root, 'fixtures', 'x12', 'node-x12-855.expected.json'), 'utf8')) as Record<string, any>;

    it('accepts the mapped 855: confirmed quantities, a 0 for a rejected line, the ordered quantity beside', () => {
      expect(() => checkCanonical(response)).to.not.throw();
      expect(response.lines.map((l: any) => [l.status, l.quantity, l.orderedQuantity])).to.deep.equal([['accepted', 3, 3], ['rejected', 0, 2], ['rejected', 0, 1], ['accepted', 2, 2]]);
    });

    it('needs the order it answers, a status of the four, and a status on every line', () => {
      const { orderReference: _o, ...rest } = response;
      const error = problems({ ...rest, status: 'maybe', lines: [{ ...response.lines[0], status: undefined }] });
      expect(error.errors).to.have.deep.members([
        { path: 'orderReference', message: 'is required but missing' },
        { path: 'status', message: 'must be one of "acknowledged", "accepted", "accepted-with-changes", "rejected"' },
        { path: 'lines[0].status', message: 'is required but missing' },
      ]);
    });

    it('has no shippedDate on its lines (a response promises, it does not ship)', () => {
      const error = problems({ ...response, lines: [{ ...response.lines[0], shippedDate: '2026-12-01' }] });
      expect(error.errors).to.deep.equal([{ path: 'lines[0].shippedDate', message: 'is not a field of the canonical document' }]);
    });
  });

  it('an unknown type is refused listing all seven', () => {
    const error = problems({ type: 'DebitNote', documentNumber: 'D-1' });
    expect(error.errors).to.deep.equal([{ path: 'type', message: 'must be one of Order, Invoice, ShipNotice, CreditNote, OrderChange, OrderCancellation, OrderResponse' }]);
  });
});
