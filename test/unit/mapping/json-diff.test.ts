import { expect } from 'chai';
import { diffJson } from '../../../src/mapping/registry.js';

describe('diffJson', () => {
  it('is empty for equal documents, whatever the key order', () => {
    expect(diffJson({ a: 1, b: [{ c: 'x' }] }, { b: [{ c: 'x' }], a: 1 })).to.deep.equal([]);
  });

  it('names the path of a changed value with both values', () => {
    const expected = { lines: [{ quantity: 1 }, { quantity: 2 }, { quantity: 5 }] };
    const actual = { lines: [{ quantity: 1 }, { quantity: 2 }, { quantity: 4 }] };
    expect(diffJson(expected, actual)).to.deep.equal(['lines[2].quantity: expected 5, got 4']);
  });

  it('reports missing and unexpected fields', () => {
    expect(diffJson({ a: 1, b: 2 }, { a: 1, c: 3 })).to.deep.equal(['b: expected 2, got nothing (missing)', 'c: unexpected 3']);
  });

  it('reports type changes ("5" is not 5)', () => {
    expect(diffJson({ q: 5 }, { q: '5' })).to.deep.equal(['q: expected 5, got "5" (string instead of number)']);
  });

  it('reports arrays of different length and the extra or missing items', () => {
    expect(diffJson({ l: [1, 2] }, { l: [1, 2, 3] })).to.deep.equal(['l: expected 2 item(s), got 3', 'l[2]: unexpected 3']);
    expect(diffJson({ l: [1, 2] }, { l: [1] })).to.deep.equal(['l: expected 2 item(s), got 1', 'l[1]: expected 2, got nothing (missing)']);
  });

  it('quotes keys that are not identifiers and names the root', () => {
    expect(diffJson({ 'a-b': 1 }, { 'a-b': 2 })).to.deep.equal(['"a-b": expected 1, got 2']);
    expect(diffJson(1, 2)).to.deep.equal(['(root): expected 1, got 2']);
  });
});
