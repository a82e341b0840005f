import { CANONICAL_TYPES } from '../../../src/canonical/types.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { checkCanonical } from '../../../src/canonical/check.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { projectRoot } from '../../../src/mapping/paths.js';

const order = JSON.parse(readFileSync(path.join(projectRoot(), 'fixtures', 'ubl-order', 'peppol-order-example.expected.json'), 'utf8')) as Record<string, unknown>;

function problems(doc: unknown): HubError {
  try {
    checkCanonical(doc, { file: 'mappings/x.yaml', document: '34' });
  } catch (error) {
    expect(error).to.be.instanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected checkCanonical to throw');
}

describe('checkCanonical', () => {
  it('accepts a valid document', () => {
    expect(() => checkCanonical(order)).to.not.throw();
  });

  it('lists every problem with its path', () => {
    const lines = (order.lines as Record<string, unknown>[]).map((l) => ({ ...l }));
    lines[1]!.quantity = '15';
    delete lines[0]!.sku;
    const error = problems({ ...order, lines, issueDate: '01.09.2018', extra: 1, currency: 'nok' });
    expect(error.code).to.equal('HUB_ERR_CANONICAL_INVALID');
    expect(error.errors).to.have.deep.members([
      { path: 'extra', message: 'is not a field of the canonical document' },
      { path: 'issueDate', message: 'must match pattern "^\\d{4}-\\d{2}-\\d{2}$"' },
      { path: 'issueDate', message: 'must match format "date"' },
      { path: 'currency', message: 'must match pattern "^[A-Z]{3}$"' },
      { path: 'lines[0].sku', message: 'is required but missing' },
      { path: 'lines[1].quantity', message: 'must be number' },
    ]);
    expect(error.message).to.match(/^mappings\/x\.yaml, field \w.*; the mapped Order does not satisfy its canonical schema \(and 5 more problems\) — document 34$/);
  });

  it('refuses an impossible date and a missing total', () => {
    const error = problems({ ...order, issueDate: '2018-02-30', totals: {} });
    expect(error.errors).to.deep.equal([
      { path: 'issueDate', message: 'must match format "date"' },
      { path: 'totals.payableAmount', message: 'is required but missing' },
    ]);
  });

  it('refuses an unknown type', () => {
    const error = problems({ ...order, type: 'Quote' });
    expect(error.errors).to.deep.equal([{ path: 'type', message: `must be one of ${CANONICAL_TYPES.join(', ')}` }]);
  });
});
