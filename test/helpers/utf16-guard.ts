/**
 * Watches Buffer#toString for the one call shape that corrupts the heap on Node 24.16-24.21: UTF-16 (utf16le,
 * ucs2) of more than 256 code units from an odd address with an odd byte length
 * (docs/upstream/node-ucs2-unaligned-overflow.md). The call is recorded, with where it came from, on every Node,
 * so a test proves on any runtime that neither the hub nor the harness makes it. A recorded call is decoded from
 * an aligned copy instead (same text), so the guard never corrupts the heap of the process it watches.
 */
const UTF16 = new Set(['utf16le', 'utf-16le', 'ucs2', 'ucs-2']);
/** Up to this many code units Node decodes through a stack buffer: no heap write, no corruption. */
const STACK_UNITS = 256;

export interface UnsafeUtf16Call {
  address: 'odd';
  bytes: number;
  stack: string;
}

export interface Utf16Guard {
  readonly calls: UnsafeUtf16Call[];
  stop(): void;
}

/** True for a decode that overflows on the affected Node versions. */
export function isUnsafeUtf16Slice(byteOffset: number, length: number): boolean {
  return byteOffset % 2 === 1 && length % 2 === 1 && length >> 1 > STACK_UNITS;
}

export function watchUnalignedUtf16(): Utf16Guard {
  const original = Buffer.prototype.toString;
  const calls: UnsafeUtf16Call[] = [];
  Buffer.prototype.toString = function (this: Buffer, encoding?: BufferEncoding, start?: number, end?: number) {
    if (typeof encoding === 'string' && UTF16.has(encoding.toLowerCase())) {
      const from = Math.max(0, Math.min(this.length, start ?? 0));
      const to = Math.max(from, Math.min(this.length, end ?? this.length));
      // The address parity: a Buffer's own allocation is at least 8-byte aligned, so byteOffset tells it.
      if (isUnsafeUtf16Slice(this.byteOffset + from, to - from)) {
        calls.push({ address: 'odd', bytes: to - from, stack: new Error().stack?.split('\n').slice(2, 7).join('\n') ?? '' });
        return original.call(Buffer.from(this.subarray(from, to - 1)), 'utf16le');
      }
    }
    return original.call(this, encoding, start, end);
  } as typeof Buffer.prototype.toString;
  return {
    calls,
    stop: () => {
      Buffer.prototype.toString = original;
    },
  };
}
