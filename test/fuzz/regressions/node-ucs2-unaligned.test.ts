/**
 * Regression for the abort of the fuzz run on Node 24.21 ("double free or corruption (!prev)"): the harness
 * decoded inputs as UTF-16 from offset 1 with Buffer#toString, which on Node 24.16-24.21 writes one byte past
 * a heap buffer when the slice starts at an odd address, has an odd length and holds more than 256 code
 * units (docs/upstream/node-ucs2-unaligned-overflow.md). The harness now decodes aligned copies, and the
 * fuzz suite watches every such call in the hub and the harness on every Node.
 */
import { expect } from 'chai';
import { utf16View } from '../runner.js';
import { isUnsafeUtf16Slice, watchUnalignedUtf16 } from '../../helpers/utf16-guard.js';

describe('regression: UTF-16 decodes from an odd address (Node 24.16-24.21 heap overflow)', () => {
  it('the guard sees the overflowing call shape and no other', () => {
    const bytes = Buffer.from('<a>'.repeat(200));
    const guard = watchUnalignedUtf16();
    try {
      Buffer.from(bytes).toString('utf16le'); // aligned, even length
      Buffer.from(bytes).toString('latin1', 1); // not UTF-16
      Buffer.from(bytes).subarray(1, 201).toString('utf16le'); // odd offset, odd length, but 100 units: stack buffer
      Buffer.from(bytes).subarray(1, 599).toString('utf16le'); // odd offset, even length
      // The overflowing shape, twice: recorded, and decoded by the guard from an aligned copy (no overflow).
      const hits = [Buffer.from(bytes).subarray(1).toString('utf16le'), Buffer.from(bytes).toString('ucs2', 1)];
      expect(hits[0]).to.equal(hits[1]);
      expect(hits[0]).to.equal(utf16View(Buffer.from(bytes), 1));
    } finally {
      guard.stop();
    }
    expect(guard.calls.map((c) => c.bytes)).to.deep.equal([599, 599]);
    expect(isUnsafeUtf16Slice(1, 515)).to.equal(true);
    expect(isUnsafeUtf16Slice(1, 513)).to.equal(false);
    expect(isUnsafeUtf16Slice(2, 515)).to.equal(false);
  });

  it("the harness's UTF-16 views read what the direct decode reads, without the unsafe call", () => {
    const text = '<?xml version="1.0"?><!DOCTYPE x><Order>é€😀</Order>'.repeat(20);
    const le = Buffer.concat([Buffer.from([0x20]), Buffer.from(text, 'utf16le'), Buffer.from([0x20])]);
    const guard = watchUnalignedUtf16();
    let views: string[];
    try {
      views = [utf16View(le), utf16View(le, 1), utf16View(Buffer.from(le.subarray(1, le.length - 1)).swap16(), 0, true)];
    } finally {
      guard.stop();
    }
    expect(guard.calls).to.deep.equal([]);
    expect(views[1]).to.equal(text);
    expect(views[2]).to.equal(text);
    expect(views[0]).to.equal(Buffer.from(le).toString('utf16le'));
    expect(utf16View(le.subarray(0, 7))).to.equal(Buffer.from(le.subarray(0, 6)).toString('utf16le'));
  });
});
