/**
 * The tree a mapping reads for one X12 transaction (src/edi/types.ts, EdiTree): `ISA` and `GS` of its envelope,
 * then the transaction's segments and loops as validate.ts placed them. A segment is an object of its present
 * elements keyed `<id><2-digit position>` (empty elements are absent keys, so a JSONata path gives nothing for
 * them); a composite is the array of its components. ISA values are trimmed of their fixed-length padding.
 */
import type { EdiSegment, EdiTree } from '../types.js';

/** Element keys per segment id (BEG01, BEG02 …), made once: a tree has tens of thousands of them. */
const KEYS = new Map<string, string[]>();
function keyOf(id: string, index: number): string {
  let keys = KEYS.get(id);
  if (!keys) KEYS.set(id, (keys = []));
  return (keys[index] ??= `${id}${String(index + 1).padStart(2, '0')}`);
}

export function segmentObject(segment: EdiSegment, trim = false): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const { elements } = segment;
  for (let index = 0; index < elements.length; index++) {
    const value = elements[index]!;
    if (typeof value === 'string') {
      const text = trim ? value.trim() : value;
      if (text !== '') object[keyOf(segment.id, index)] = text;
    } else if (value.some((c) => c !== '')) object[keyOf(segment.id, index)] = value;
  }
  return object;
}

/** A transaction's tree without a table: every segment at the top, in order (sets the hub has no spec for). */
export function flatTree(segments: EdiSegment[]): EdiTree {
  const tree: Record<string, unknown[]> = {};
  for (const segment of segments) (tree[segment.id] ??= []).push(segmentObject(segment));
  return tree;
}

/** The full tree: the envelope's ISA and GS first, then the transaction's own tree. */
export function withEnvelope(isa: EdiSegment, gs: EdiSegment | undefined, body: EdiTree): EdiTree {
  return { ISA: [segmentObject(isa, true)], ...(gs ? { GS: [segmentObject(gs)] } : {}), ...body };
}
