/**
 * CONTRL (syntax and service report, ISO 9735 / UN CONTRL D:3) for an interchange read by readEdifact, built from the
 * same problems the intake judged it by; and readContrl for an incoming CONTRL.
 *
 * What it reports follows the message's own rule for action code 0083 = 7 ("this level acknowledged, next lower level
 * acknowledged if not explicitly rejected"): one UCI for the interchange, and a UCM only for each message that is
 * rejected (action 4), with a UCS per segment in error and a UCD per element in error. Accepted messages get no UCM:
 * the UCI's 7 acknowledges them. An envelope error rejects the interchange (UCI 4 with 0085, the service segment tag
 * and the element position) and, by the same rule, everything in it, so no UCM follows. With UNG groups, a UCF is
 * written for each group that is rejected or holds rejected messages.
 */
import type { OutboundElement, OutboundSegment } from '../outbound-segment.js';
import type { AckNumbers, EdiDelimiters, EdiGroup, EdiInterchange, EdiParty, EdiProblem, EdiTransaction } from '../types.js';
import { buildEdifactInterchange } from './envelope.js';
import { DEFAULT_DELIMITERS } from './lexer.js';
import { serviceStringAdvice } from './read.js';

export interface BuildContrlOptions {
  numbers: AckNumbers;
  /** Preparation date and time of the CONTRL (UNB S004); tests fix it. */
  now?: Date;
}

/** UCS repetitions per UCM and UCD per UCS that CONTRL D:3 allows. */
const MAX_UCS = 999;
const MAX_UCD = 99;

type Seg = (tag: string, ...elements: OutboundElement[]) => void;

/**
 * The service characters of the reply: the interchange's own, unless its UNA declared unusable ones (a letter,
 * digit or space, or two the same), where a reply in them could not be read: then ISO 9735's defaults.
 */
function replyDelimiters(d: EdiDelimiters): EdiDelimiters {
  const used = [d.component, d.element, d.segment, ...(d.release ? [d.release] : []), ...(d.repetition ? [d.repetition] : [])];
  const usable = new Set(used).size === used.length && used.every((c) => c.length === 1 && !/[A-Za-z0-9 ]/.test(c));
  return usable ? d : DEFAULT_DELIMITERS;
}

export function buildContrl(ic: EdiInterchange, options: BuildContrlOptions): string {
  const body: OutboundSegment[] = [];
  const seg: Seg = (tag, ...elements) => void body.push({ id: tag, elements });
  const party = (p: EdiParty): string[] => [p.id, p.qualifier];
  const [syntaxId, syntaxVersion = '3'] = ic.syntaxVersion.split(':');
  const v4 = syntaxVersion === '4';

  const envelope = ic.problems[0];
  seg('UCI', ic.controlNumber, party(ic.sender), party(ic.receiver), envelope ? '4' : '7', ...errorElements(envelope));
  if (!envelope) {
    const grouped = ic.groups.some((g) => g.header !== undefined);
    for (const group of ic.groups) {
      const rejected = group.transactions.filter((t) => t.problems.length > 0);
      if (group.header) {
        if (group.problems.length === 0 && rejected.length === 0) continue;
        const groupError = group.problems[0];
        seg('UCF', group.controlNumber, [group.sender, comp(group, 2, 2)], [group.receiver, comp(group, 3, 2)], groupError ? '4' : '7', ...errorElements(groupError));
        if (groupError) continue;
      } else if (grouped && rejected.length === 0) continue;
      for (const tx of rejected) writeUcm(tx, seg);
    }
  }
  const own = ic.delimiters ?? DEFAULT_DELIMITERS;
  const d = replyDelimiters(own);
  const una = d === own && serviceStringAdvice(ic) !== undefined;
  // Without a UNA a version 4 partner reads the default repetition separator '*'; with one, what its UNA5 said.
  const repetition = d.repetition ?? (una ? null : undefined);
  return buildEdifactInterchange({
    // The syntax version as the partner wrote it (1 to 4); the partner's identifier even when the hub cannot check it.
    syntax: { identifier: syntaxId || 'UNOA', version: (Number(syntaxVersion) || 3) as 1 | 2 | 3 | 4 },
    sender: { id: ic.receiver.id, qualifier: ic.receiver.qualifier }, receiver: { id: ic.sender.id, qualifier: ic.sender.qualifier },
    date: options.now ?? new Date(), controlReference: String(options.numbers.interchange), test: ic.test,
    delimiters: { ...d, decimal: d.decimal ?? '.', release: d.release ?? null, repetition }, una: una ? 'always' : 'auto', characterCheck: 'off',
  }, { messages: [{ reference: String(options.numbers.transaction), type: 'CONTRL', version: v4 ? '4' : 'D', release: v4 ? '1' : '3', agency: 'UN', segments: body }] });
}

function comp(group: EdiGroup, element: number, component: number): string {
  const v = group.header?.elements[element - 1];
  if (v === undefined) return '';
  return typeof v === 'string' ? (component === 1 ? v : '') : (v[component - 1] ?? '');
}

/** 0085, 0013 (the service segment in error) and S011 (element position, component position) of UCI/UCF/UCM. */
function errorElements(p: EdiProblem | undefined): OutboundElement[] {
  if (!p) return [];
  const tag = p.segmentId && /^UN[ABGHEZTS]$/.test(p.segmentId) ? p.segmentId : undefined;
  const s011 = p.elementPosition !== undefined ? [String(p.elementPosition), p.componentPosition !== undefined ? String(p.componentPosition) : ''] : undefined;
  return [p.code, tag, s011];
}

function writeUcm(tx: EdiTransaction, seg: Seg): void {
  const unh = tx.segments[0];
  const s009 = unh?.elements[1];
  const identifier = typeof s009 === 'string' ? [s009] : s009 ? [...s009] : [tx.setId];
  const isHeaderTrailer = (p: EdiProblem): boolean => p.level === 'transaction' || p.segmentId === 'UNH' || p.segmentId === 'UNT';
  const own = tx.problems.find(isHeaderTrailer);
  seg('UCM', tx.controlNumber, identifier, '4', ...errorElements(own));
  const bySegment = new Map<number, EdiProblem[]>();
  for (const p of tx.problems) {
    if (isHeaderTrailer(p) || p.segmentPosition === undefined) continue;
    const list = bySegment.get(p.segmentPosition) ?? [];
    list.push(p);
    bySegment.set(p.segmentPosition, list);
  }
  const positions = [...bySegment.keys()].sort((a, b) => a - b).slice(0, MAX_UCS);
  for (const position of positions) {
    const list = bySegment.get(position)!;
    const segmentLevel = list.find((p) => p.elementPosition === undefined);
    seg('UCS', String(position), segmentLevel?.code);
    for (const p of list.filter((q) => q.elementPosition !== undefined).slice(0, MAX_UCD)) {
      seg('UCD', p.code, [String(p.elementPosition), p.componentPosition !== undefined ? String(p.componentPosition) : '']);
    }
  }
}

/** What an error element triple of UCI/UCF/UCM says. */
export interface ContrlError {
  /** 0085 syntax error code. */
  code?: string;
  /** 0013 service segment tag. */
  segmentTag?: string;
  elementPosition?: number;
  componentPosition?: number;
}

export interface ContrlMessageReport extends ContrlError {
  reference: string;
  type: string;
  version: string;
  associationCode?: string;
  /** '4' rejected, '7' acknowledged. */
  action: string;
  segments: Array<{ position: number; code?: string; elements: Array<{ code: string; elementPosition: number; componentPosition?: number }> }>;
}

export interface ContrlReport {
  /** The interchange acknowledged or rejected (UCI). */
  interchange: ContrlError & { reference: string; sender: EdiParty; receiver: EdiParty; action: string };
  groups: Array<ContrlError & { reference: string; action: string; messages: ContrlMessageReport[] }>;
  /** Messages reported outside any UCF (interchanges without groups). */
  messages: ContrlMessageReport[];
  /** In words: 'accepted' (7, nothing rejected), 'rejected' (UCI 4), 'partly rejected', or 'received' (8). */
  outcome: 'accepted' | 'rejected' | 'partly rejected' | 'received';
}

function el(seg: { elements: Array<string | string[]> }, element: number, component = 1): string {
  const v = seg.elements[element - 1];
  if (v === undefined) return '';
  return typeof v === 'string' ? (component === 1 ? v : '') : (v[component - 1] ?? '');
}

function errorOf(seg: { elements: Array<string | string[]> }, first: number): ContrlError {
  const code = el(seg, first);
  const tag = el(seg, first + 1);
  const position = el(seg, first + 2, 1);
  const component = el(seg, first + 2, 2);
  return {
    ...(code ? { code } : {}),
    ...(tag ? { segmentTag: tag } : {}),
    ...(position ? { elementPosition: Number(position) } : {}),
    ...(component ? { componentPosition: Number(component) } : {}),
  };
}

/** Reads an incoming CONTRL message (as readEdifact gives it) into what it acknowledges or rejects. */
export function readContrl(message: EdiTransaction): ContrlReport {
  if (message.setId !== 'CONTRL') throw new Error(`readContrl: message ${message.controlNumber} is ${message.setId}, not CONTRL`);
  let interchange: ContrlReport['interchange'] | undefined;
  const groups: ContrlReport['groups'] = [];
  const messages: ContrlMessageReport[] = [];
  let currentGroup: ContrlReport['groups'][number] | undefined;
  let currentMessage: ContrlMessageReport | undefined;
  let currentSegment: ContrlMessageReport['segments'][number] | undefined;
  for (const s of message.segments) {
    if (s.id === 'UCI') {
      interchange = {
        reference: el(s, 1), sender: { id: el(s, 2, 1), qualifier: el(s, 2, 2) }, receiver: { id: el(s, 3, 1), qualifier: el(s, 3, 2) },
        action: el(s, 4), ...errorOf(s, 5),
      };
    } else if (s.id === 'UCF') {
      currentGroup = { reference: el(s, 1), action: el(s, 4), ...errorOf(s, 5), messages: [] };
      groups.push(currentGroup);
      currentMessage = undefined;
    } else if (s.id === 'UCM') {
      const association = el(s, 2, 5);
      currentMessage = {
        reference: el(s, 1), type: el(s, 2, 1), version: `${el(s, 2, 2)}${el(s, 2, 3)}`, ...(association ? { associationCode: association } : {}),
        action: el(s, 3), ...errorOf(s, 4), segments: [],
      };
      (currentGroup ? currentGroup.messages : messages).push(currentMessage);
      currentSegment = undefined;
    } else if (s.id === 'UCS' && currentMessage) {
      const code = el(s, 2);
      currentSegment = { position: Number(el(s, 1)), ...(code ? { code } : {}), elements: [] };
      currentMessage.segments.push(currentSegment);
    } else if (s.id === 'UCD' && currentSegment) {
      const component = el(s, 2, 2);
      currentSegment.elements.push({ code: el(s, 1), elementPosition: Number(el(s, 2, 1)), ...(component ? { componentPosition: Number(component) } : {}) });
    }
  }
  if (!interchange) throw new Error(`readContrl: CONTRL ${message.controlNumber} has no UCI`);
  const all = [...messages, ...groups.flatMap((g) => g.messages)];
  const outcome: ContrlReport['outcome'] = interchange.action === '4' ? 'rejected' : interchange.action === '8' ? 'received'
    : all.some((m) => m.action === '4') || groups.some((g) => g.action === '4') ? 'partly rejected' : 'accepted';
  return { interchange, groups, messages, outcome };
}
