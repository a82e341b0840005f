/**
 * X12 acknowledgements the hub sends: the 997 Functional Acknowledgment (004010 or 005010), the 999
 * Implementation Acknowledgment (005010X231) and the TA1 Interchange Acknowledgment; and read997 for the 997s and
 * 999s partners send back. One 997/999 transaction set per functional group received, in one interchange
 * addressed back to the sender (ISA05/06 and ISA07/08 swapped), in one FA group per application sender/receiver
 * pair (GS02/GS03 swapped; usually one), with the incoming interchange's delimiters. A 997/999 is only built for
 * an interchange whose envelope was read without problems: otherwise the TA1 says why it was rejected. Written with
 * the envelope builder of the documents the hub sends (envelope.ts); values copied from the partner's interchange
 * have their delimiters turned into spaces first, since X12 has no release character.
 */
import { interchangeWarnings } from '../warnings.js';
import type { OutboundElement, OutboundSegment } from '../outbound-segment.js';
import type { AckNumbers, EdiGroup, EdiInterchange, EdiProblem, EdiTransaction } from '../types.js';
import { buildX12Interchange, type X12GroupInput, type X12InterchangeOptions } from './envelope.js';

export interface AckOptions {
  numbers: AckNumbers;
  /** 997 version; default: 005010 when the interchange is 00501 or later, else 004010. */
  version?: '004010' | '005010';
  /** Date and time of the acknowledgement (ISA09/ISA10, GS04/GS05); default now (UTC). */
  now?: Date;
  /**
   * What a transaction with segment or element errors (and no error of its own envelope) gets in AK501/IK501:
   * R rejected (default), or E accepted with errors, for a partner agreement that processes them anyway.
   */
  segmentErrors?: 'reject' | 'accept';
  /** Written after each segment terminator, for partners that want one segment per line; default none. */
  newline?: '' | '\n' | '\r\n';
}

export interface Ta1Options {
  now?: Date;
  version?: '004010' | '005010';
  newline?: '' | '\n' | '\r\n';
}

type Flavor = '997' | '999';

const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join('') : (value ?? ''));

/**
 * A value copied from the partner's interchange, made safe to carry back: its delimiters and control characters
 * become spaces (X12 has no release character, and the copy only has to show where the problem was).
 */
function clean(ic: EdiInterchange, value: string): string {
  const { element, component, segment, repetition } = ic.delimiters;
  let out = '';
  for (const ch of value) {
    const unsafe = ch === element || ch === component || ch === segment || ch === repetition || ch < ' ' || ch === '\u007f';
    out += unsafe ? ' ' : ch;
  }
  return out;
}

/** A segment of an acknowledgement; undefined elements are empty (trailing ones left out by the writer). */
const segment = (id: string, ...elements: OutboundElement[]): OutboundSegment => ({ id, elements });

/** The envelope of an acknowledgement of `ic`: sender and receiver swapped, our control number, the same usage (P/T). */
function replyEnvelope(ic: EdiInterchange, control: number, version: '004010' | '005010', now: Date, newline: AckOptions['newline']): X12InterchangeOptions {
  const element = (position: number): string => text(ic.header.elements[position - 1]);
  let repetition: string | undefined;
  if (version === '005010') {
    const used = [ic.delimiters.element, ic.delimiters.component, ic.delimiters.segment];
    repetition = ic.delimiters.repetition ?? ['^', '|', '{', '}', '`'].find((c) => !used.includes(c))!;
  }
  // An ID qualifier is two letters or digits (ISA05/ISA07); a broken ISA's is not copied: ZZ (mutually defined).
  const party = (qualifier: string, id: string): { qualifier: string; id: string } => ({
    qualifier: /^[A-Z0-9]{2}$/.test(qualifier.trim()) ? qualifier.trim() : 'ZZ', id: clean(ic, id.trim().slice(0, 15)),
  });
  return {
    sender: party(element(7), element(8)), receiver: party(element(5), element(6)), version: version === '005010' ? '00501' : '00401',
    controlNumber: control, usage: ic.test ? 'T' : 'P', date: now, ...(newline ? { newline } : {}),
    delimiters: { element: ic.delimiters.element, component: ic.delimiters.component, segment: ic.delimiters.segment, ...(repetition ? { repetition } : {}) },
  };
}

function assertTrusted(ic: EdiInterchange, what: string): void {
  if (ic.syntax !== 'x12') throw new TypeError(`a ${what} acknowledges X12 interchanges, this one is ${ic.syntax}`);
  if (ic.problems.length) {
    const codes = [...new Set(ic.problems.map((p) => p.code))].join(', ');
    throw new Error(`interchange ${ic.controlNumber} has envelope problems (TA1 ${codes}): its groups cannot be acknowledged with a ${what}; send a TA1 (buildTA1)`);
  }
}

/** AK501/IK501 and AK502..AK506 for one transaction. */
export function transactionVerdict(tx: EdiTransaction, segmentErrors: 'reject' | 'accept' = 'reject'): { status: 'A' | 'E' | 'R'; codes: string[] } {
  const own = tx.problems.filter((p) => p.level === 'transaction');
  const inSegments = tx.problems.some((p) => p.level === 'segment' || p.level === 'element');
  const codes = [...new Set(own.map((p) => p.code))];
  if (inSegments && !codes.includes('5')) codes.push('5');
  if (!codes.length) return { status: 'A', codes };
  const onlySegments = own.length === 0;
  return { status: onlySegments && segmentErrors === 'accept' ? 'E' : 'R', codes: codes.slice(0, 5) };
}

/**
 * AK901, the counts and the sets' verdicts for one group. A group whose own envelope has a problem (AK905) is
 * rejected as a whole: the hub processes none of its sets, so every AK5 says R and AK904 is 0.
 */
export function groupVerdict(group: EdiGroup, segmentErrors: 'reject' | 'accept' = 'reject'): {
  status: 'A' | 'E' | 'P' | 'R'; included: number; received: number; accepted: number; codes: string[];
  transactions: Array<{ status: 'A' | 'E' | 'R'; codes: string[] }>;
} {
  const codes = [...new Set(group.problems.map((p) => p.code))].slice(0, 5);
  const transactions = group.transactions.map((tx) => {
    const verdict = transactionVerdict(tx, segmentErrors);
    return codes.length ? { status: 'R' as const, codes: verdict.codes } : verdict;
  });
  const accepted = transactions.filter((v) => v.status !== 'R').length;
  const received = group.transactions.length;
  const ge01 = text(group.trailer?.elements[0]);
  const included = /^\d{1,6}$/.test(ge01) ? Number(ge01) : received;
  let status: 'A' | 'E' | 'P' | 'R';
  if (codes.length || accepted === 0) status = 'R';
  else if (accepted < received) status = 'P';
  else status = transactions.some((v) => v.status === 'E') ? 'E' : 'A';
  return { status, included, received, accepted, codes, transactions };
}

/** AK401/IK401 (C030): the element position, and the component position when the problem is inside a composite. */
function elementPosition(problem: EdiProblem): OutboundElement {
  const position = String(problem.elementPosition ?? '');
  return problem.componentPosition ? [position, String(problem.componentPosition)] : position;
}

/** Element codes that carry a copy of the bad data (AK404): a value was there and is wrong. */
const COPY_CODES = new Set(['4', '5', '6', '7', '8', '9', '10', '12', '13']);

function build(flavor: Flavor, ic: EdiInterchange, options: AckOptions): string {
  assertTrusted(ic, flavor);
  const version = flavor === '999' ? '005010' : (options.version ?? (ic.syntaxVersion >= '00501' ? '005010' : '004010'));
  const is5010 = version === '005010';
  const segmentTag = flavor === '999' ? 'IK3' : 'AK3';
  const elementTag = flavor === '999' ? 'IK4' : 'AK4';
  const resultTag = flavor === '999' ? 'IK5' : 'AK5';
  const copy = (value: string): string => clean(ic, value);
  // One FA group per application sender/receiver pair acknowledged (GS02/GS03 swapped), in order of appearance.
  const fa = new Map<string, X12GroupInput & { transactions: X12GroupInput['transactions'][number][] }>();
  let transactionNumber = options.numbers.transaction;
  let groupNumber = options.numbers.group;
  for (const group of ic.groups) {
    const body: OutboundSegment[] = [segment('AK1', copy(group.functionalId), copy(group.controlNumber), is5010 ? copy(group.version) : undefined)];
    const g = groupVerdict(group, options.segmentErrors);
    group.transactions.forEach((tx, index) => {
      const st03 = text(tx.segments[0]?.elements[2]);
      body.push(segment('AK2', copy(tx.setId), copy(tx.controlNumber), is5010 && st03 ? copy(st03) : undefined));
      let ak4InSegment = 0;
      for (const problem of tx.problems) {
        if (problem.level === 'segment') {
          body.push(segment(segmentTag, copy(problem.segmentId ?? ''), String(problem.segmentPosition ?? ''), undefined, problem.code));
          ak4InSegment = 0;
        } else if (problem.level === 'element' && ak4InSegment++ < 99) {
          body.push(segment(elementTag, elementPosition(problem), problem.elementReference, problem.code,
            problem.value !== undefined && COPY_CODES.has(problem.code) ? copy(problem.value).slice(0, 99) : undefined));
        }
      }
      const verdict = g.transactions[index]!;
      body.push(segment(resultTag, verdict.status, ...verdict.codes));
    });
    body.push(segment('AK9', g.status, String(g.included), String(g.received), String(g.accepted), ...g.codes));
    const key = `${group.sender}\u0000${group.receiver}`;
    let target = fa.get(key);
    if (!target) {
      target = { functionalId: 'FA', sender: copy(group.receiver), receiver: copy(group.sender), controlNumber: groupNumber++, version: flavor === '999' ? '005010X231' : version, transactions: [] };
      fa.set(key, target);
    }
    target.transactions.push({ setId: flavor, controlNumber: transactionNumber++, segments: body, ...(flavor === '999' ? { conventionReference: '005010X231' } : {}) });
  }
  return buildX12Interchange(replyEnvelope(ic, options.numbers.interchange, version, options.now ?? new Date(), options.newline), [...fa.values()]);
}

/**
 * The delimiters of a reply: the interchange's own, unless a broken ISA declared two the same (an ISA16 equal to
 * the element separator, say), where a reply in them could not be read: then the usual * > ~ (and ^).
 */
function replyDelimiters(d: EdiInterchange['delimiters']): EdiInterchange['delimiters'] {
  const used = [d.element, d.component, d.segment, ...(d.repetition ? [d.repetition] : [])];
  const distinct = new Set(used).size === used.length && used.every((c) => c.length > 0 && !/[A-Za-z0-9 ]/.test(c));
  return distinct ? d : { element: '*', component: '>', segment: '~', ...(d.repetition ? { repetition: '^' } : {}) };
}

/** The 997 for every functional group of the interchange (AK1, AK2..AK5 per transaction, AK9). */
export function build997(ic: EdiInterchange, options: AckOptions): string {
  return build('997', ic, options);
}

/** The 999 (005010X231) for every functional group: AK1, AK2/IK3/IK4/IK5 per transaction, AK9. */
export function build999(ic: EdiInterchange, options: Omit<AckOptions, 'version'>): string {
  return build('999', ic, options);
}

/**
 * The TA1 for the interchange, in an interchange of its own: TA104 A with TA105 000 when the envelope was read
 * without problems, else R with the first problem's I18 code (the others are in the hub's record).
 */
export function buildTA1(posted: EdiInterchange, numbers: AckNumbers, options: Ta1Options = {}): string {
  const ic = { ...posted, delimiters: replyDelimiters(posted.delimiters) };
  const version = options.version ?? (ic.syntaxVersion >= '00501' ? '005010' : '004010');
  // R with the first problem's note code; E (accepted, errors noted) with the first warning's when the reader read
  // through deviations only (an ISA off its fixed lengths, src/edi/warnings.ts); else A 000.
  const first = ic.problems[0];
  const warning = interchangeWarnings(posted)[0];
  const ta1 = segment('TA1', clean(ic, ic.controlNumber), clean(ic, ic.date), clean(ic, ic.time), first ? 'R' : warning ? 'E' : 'A', first ? first.code : warning ? warning.code : '000');
  return buildX12Interchange(replyEnvelope(ic, numbers.interchange, version, options.now ?? new Date(), options.newline), [], [ta1]);
}

/** One transaction set as a partner's 997/999 reports it. */
export interface AcknowledgedTransaction {
  setId: string;
  controlNumber: string;
  /** AK501 / IK501: A accepted, E accepted with errors, R rejected (M, W, X: rejected for security reasons). */
  status: string;
  /** AK502..AK506 / IK502..IK506. */
  codes: string[];
  /** AK3/IK3 with their AK4/IK4: segment id, position and code; element position (pos or pos.component), ref, code, copy. */
  errors: Array<{
    segmentId: string;
    segmentPosition: number;
    code?: string;
    elements: Array<{ position: string; reference?: string; code: string; value?: string }>;
  }>;
}

/** What a partner's 997 or 999 says about one of our functional groups. */
export interface FunctionalAcknowledgment {
  kind: '997' | '999';
  /** AK101 and AK102: the group acknowledged (our GS01 and GS06). */
  functionalId: string;
  groupControlNumber: string;
  version?: string;
  /** AK901: A, E, P or R. */
  status: string;
  included: number;
  received: number;
  accepted: number;
  /** AK905..AK909. */
  codes: string[];
  transactions: AcknowledgedTransaction[];
}

/** Reads a 997 or 999 transaction a partner sent (to match it to the group and sets we sent). */
export function read997(tx: EdiTransaction): FunctionalAcknowledgment {
  if (tx.setId !== '997' && tx.setId !== '999') throw new TypeError(`transaction ${tx.controlNumber} is a ${tx.setId}, not a 997 or 999`);
  const result: FunctionalAcknowledgment = {
    kind: tx.setId, functionalId: '', groupControlNumber: '', status: '', included: 0, received: 0, accepted: 0, codes: [], transactions: [],
  };
  let current: AcknowledgedTransaction | undefined;
  for (const segment of tx.segments) {
    const v = (position: number): string => text(segment.elements[position - 1]);
    const rest = (from: number): string[] => segment.elements.slice(from - 1).map(text).filter((c) => c !== '');
    switch (segment.id) {
      case 'AK1':
        result.functionalId = v(1);
        result.groupControlNumber = v(2);
        if (v(3)) result.version = v(3);
        break;
      case 'AK2':
        current = { setId: v(1), controlNumber: v(2), status: '', codes: [], errors: [] };
        result.transactions.push(current);
        break;
      case 'AK3':
      case 'IK3':
        current?.errors.push({ segmentId: v(1), segmentPosition: Number(v(2)), ...(v(4) ? { code: v(4) } : {}), elements: [] });
        break;
      case 'AK4':
      case 'IK4': {
        const position = Array.isArray(segment.elements[0]) ? segment.elements[0].filter((c) => c !== '').join('.') : v(1);
        const element = { position, ...(v(2) ? { reference: v(2) } : {}), code: v(3), ...(v(4) ? { value: v(4) } : {}) };
        current?.errors[current.errors.length - 1]?.elements.push(element);
        break;
      }
      case 'AK5':
      case 'IK5':
        if (current) {
          current.status = v(1);
          current.codes = rest(2);
        }
        break;
      case 'AK9':
        result.status = v(1);
        result.included = Number(v(2));
        result.received = Number(v(3));
        result.accepted = Number(v(4));
        result.codes = rest(5);
        break;
      default:
        break;
    }
  }
  return result;
}
