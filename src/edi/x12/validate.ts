/**
 * Structural validation of one X12 transaction against its set's table (specs/): each segment is placed in the
 * table, entering and repeating loops as the standard's segment order allows, and the mapping tree is built on
 * the way. Findings are AK304 codes (segment) and, through elements.ts, AK403 codes (element).
 */
import type { EdiProblem, EdiSegment, EdiTree } from '../types.js';
import { checkElements } from './elements.js';
import { KNOWN_SEGMENT_IDS } from './specs/transactions.js';
import type { LoopUse, TableEntry, TransactionSpec } from './specs/types.js';
import { segmentObject } from './tree.js';
import { append } from '../../util/arrays.js';

/** AK304 codes. */
export const SEGMENT_ERROR = {
  unrecognized: '1',
  unexpected: '2',
  mandatoryMissing: '3',
  loopOverMax: '4',
  exceedsMaxUse: '5',
  notInTransactionSet: '6',
  outOfSequence: '7',
  elementErrors: '8',
} as const;

interface Frame {
  entries: TableEntry[];
  /** The entry matched last (-1: none yet). */
  index: number;
  counts: number[];
  loop?: LoopUse;
  /** The tree node segments of this frame are added to. */
  node: Record<string, unknown>;
}

const firstId = (entry: TableEntry): string => entry.id;

/** Per table (or loop) level: where each segment id starts an entry, in order; built once per level. */
const entryIndex = new WeakMap<TableEntry[], Map<string, number[]>>();
function positionsOf(entries: TableEntry[], id: string): number[] | undefined {
  let index = entryIndex.get(entries);
  if (!index) {
    index = new Map();
    entries.forEach((entry, i) => {
      const list = index!.get(entry.id);
      if (list) list.push(i);
      else index!.set(entry.id, [i]);
    });
    entryIndex.set(entries, index);
  }
  return index.get(id);
}
const describe = (entry: TableEntry): string => (entry.kind === 'loop' ? `loop ${entry.id}` : `segment ${entry.id}`);

function push(node: Record<string, unknown>, key: string, value: unknown): void {
  const list = node[key] as unknown[] | undefined;
  if (list) list.push(value);
  else node[key] = [value];
}

/**
 * Places the segments (ST first, SE last when present) in the spec's table and checks each placed segment's
 * elements. Returns the problems (segment problems with their element problems after them) and the tree of the
 * transaction's own segments (no envelope).
 */
export function validateTransaction(segments: EdiSegment[], spec: TransactionSpec): { problems: EdiProblem[]; tree: EdiTree } {
  const problems: EdiProblem[] = [];
  const tree: Record<string, unknown> = {};
  const stack: Frame[] = [{ entries: spec.members, index: -1, counts: new Array(spec.members.length).fill(0), node: tree }];

  const segmentProblem = (position: number, segment: EdiSegment, code: string, message: string, segmentId = segment.id): void => {
    problems.push({ level: 'segment', code, message, segmentPosition: position, segmentId, line: segment.line });
  };

  /** Mandatory entries of `frame` after `from` (exclusive) and before `to` (exclusive) that never occurred. */
  const missingBetween = (frame: Frame, from: number, to: number, position: number, segment: EdiSegment): void => {
    for (let i = from + 1; i < to; i++) {
      const entry = frame.entries[i]!;
      if (entry.req === 'M' && frame.counts[i] === 0) {
        const where = frame.loop ? ` in loop ${frame.loop.id}` : '';
        segmentProblem(position, segment, SEGMENT_ERROR.mandatoryMissing,
          `mandatory ${describe(entry)}${where} is missing before ${segment.id} at position ${position}`, firstId(entry));
      }
    }
  };

  segments.forEach((segment, index) => {
    const position = index + 1;
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(segment.id)) {
      segmentProblem(position, segment, SEGMENT_ERROR.unrecognized, `"${segment.id.slice(0, 20)}" is not a segment id`);
      return;
    }
    let found: { depth: number; index: number } | undefined;
    for (let depth = stack.length - 1; depth >= 0 && !found; depth--) {
      const frame = stack[depth]!;
      // In a loop, its first segment again starts the loop's next occurrence: the parent frame handles that.
      const start = frame.loop ? Math.max(frame.index, 1) : Math.max(frame.index, 0);
      const at = positionsOf(frame.entries, segment.id)?.find((i) => i >= start);
      if (at !== undefined) found = { depth, index: at };
    }
    if (!found) {
      const known = KNOWN_SEGMENT_IDS.has(segment.id) || spec.segments.has(segment.id);
      segmentProblem(position, segment, known ? SEGMENT_ERROR.unexpected : SEGMENT_ERROR.unrecognized, known
        ? `${segment.id} at position ${position} is not expected here in a ${spec.setId} (out of order, or not part of this set)`
        : `${segment.id} at position ${position} is not a segment of the ${spec.setId} ${spec.version}`);
      push(stack[stack.length - 1]!.node, segment.id, segmentObject(segment));
      return;
    }
    while (stack.length - 1 > found.depth) {
      const frame = stack.pop()!;
      missingBetween(frame, frame.index, frame.entries.length, position, segment);
    }
    const frame = stack[found.depth]!;
    missingBetween(frame, frame.index, found.index, position, segment);
    frame.index = found.index;
    const entry = frame.entries[found.index]!;
    const count = ++frame.counts[found.index]!;
    if (count > entry.max) {
      if (entry.kind === 'loop') {
        segmentProblem(position, segment, SEGMENT_ERROR.loopOverMax, `loop ${entry.id} occurs ${count} times, at most ${entry.max} allowed`);
      } else {
        segmentProblem(position, segment, SEGMENT_ERROR.exceedsMaxUse, `${segment.id} occurs ${count} times here, at most ${entry.max} allowed`);
      }
    }
    const object = segmentObject(segment);
    if (entry.kind === 'loop') {
      const counts = new Array(entry.members.length).fill(0);
      counts[0] = 1;
      push(frame.node, entry.id, object);
      stack.push({ entries: entry.members, index: 0, counts, loop: entry, node: object });
    } else {
      push(frame.node, segment.id, object);
    }
    const rule = spec.segments.get(segment.id);
    if (rule) {
      const elementProblems = checkElements(segment, rule, position, spec.version);
      if (elementProblems.length) {
        const list = [...new Set(elementProblems.map((p) => `${p.segmentId}${String(p.elementPosition).padStart(2, '0')}`))].join(', ');
        segmentProblem(position, segment, SEGMENT_ERROR.elementErrors, `${segment.id} at position ${position} has data element errors (${list})`);
        append(problems, elementProblems);
      }
    }
  });

  // The end: what is still open must have had its mandatory entries (SE itself is the reader's concern).
  const last = segments[segments.length - 1];
  if (last) {
    const endsWithSe = last.id === 'SE';
    while (stack.length) {
      const frame = stack.pop()!;
      const to = stack.length === 0 && !endsWithSe ? frame.entries.length - 1 : frame.entries.length;
      missingBetween(frame, frame.index, to, segments.length, last);
    }
  }
  return { problems, tree };
}
