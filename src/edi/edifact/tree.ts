/**
 * The mapping tree of one EDIFACT message (EdiTree in ../types.ts): the envelope's UNB (and UNG) and the message's
 * segments by tag, each an array of segment objects keyed `<tag><2-digit position>` (NAD01, NAD02 …), composites as
 * arrays of components, release characters resolved. Segment groups nest under their trigger segment:
 * `NAD: [{ NAD01, NAD02: [...], RFF: [{ RFF01 }], CTA: [...] }]`, `LIN: [{ LIN01, QTY: [...], PRI: [...] }]`. The
 * summary section after UNS is nested under it (`UNS: [{ UNS01, MOA: [...], CNT: [...] }]`), so a header ALC or TAX
 * group is never confused with a summary one. A message without a specification is flat (every segment at the top).
 */
import type { EdiSegment, EdiTree } from '../types.js';
import type { MatchedGroup } from './validate.js';

/** The object of one segment's elements. */
export function segmentObject(seg: EdiSegment): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  seg.elements.forEach((v, i) => {
    out[`${seg.id}${String(i + 1).padStart(2, '0')}`] = typeof v === 'string' ? v : [...v];
  });
  return out;
}

function push(target: Record<string, unknown>, key: string, value: unknown): void {
  const list = (target[key] as unknown[] | undefined) ?? [];
  list.push(value);
  target[key] = list;
}

function fill(target: Record<string, unknown>, group: MatchedGroup, segments: EdiSegment[]): void {
  let into = target;
  for (const child of group.children) {
    if (typeof child === 'number') {
      const seg = segments[child]!;
      if (group.trigger === -1 && seg.id === 'UNS') {
        const uns = segmentObject(seg);
        push(target, 'UNS', uns);
        into = uns;
        continue;
      }
      if (seg.id === 'UNT') { push(target, 'UNT', segmentObject(seg)); continue; }
      push(into, seg.id, segmentObject(seg));
    } else {
      const obj = segmentObject(segments[child.trigger]!);
      fill(obj, child, segments);
      push(into, child.tag, obj);
    }
  }
}

/** Builds the tree of one message from its segments and, when it has a specification, its matched structure. */
export function buildTree(envelope: { UNB: EdiSegment; UNG?: EdiSegment }, segments: EdiSegment[], match?: MatchedGroup): EdiTree {
  const tree: Record<string, unknown> = { UNB: [segmentObject(envelope.UNB)] };
  if (envelope.UNG) tree.UNG = [segmentObject(envelope.UNG)];
  const root: MatchedGroup = match ?? { tag: '', trigger: -1, children: segments.map((_, i) => i) };
  fill(tree, root, segments);
  return tree;
}
