/**
 * EDIFACT envelopes for what the hub sends (ISO 9735 syntax versions 3 and 4): message bodies wrapped in UNH/UNT,
 * optionally in UNG/UNE groups, in one UNB/UNZ interchange, with the UNA when the service characters are not the
 * defaults (or the partner asks for it always). Pure: the control references are passed in
 * (src/edi/control-numbers.ts takes them), the counts are computed here: UNT 0074 segments UNH to UNT, UNE 0060
 * messages in the group, UNZ 0036 messages, or groups when there are groups.
 */
import { HubError } from '../../errors/hub-error.js';
import { writeError, type OutboundSegment, type WriteProblem } from '../outbound-segment.js';
import { edifactDelimiters, edifactSegmentText, needsUna, repertoire, serviceStringAdvice, type EdifactSyntax, type PartnerDelimiters } from './write.js';

/** A party of UNB S002/S003 (or UNG S006/S007): its id (0004/0010) and code qualifier (0007: 14 GLN, ZZZ …). */
export interface EdifactParty {
  id: string;
  qualifier?: string;
  /** 0008/0014 routing address or internal id; rarely used. */
  internal?: string;
}

export interface EdifactInterchangeOptions {
  syntax: EdifactSyntax;
  sender: EdifactParty;
  receiver: EdifactParty;
  /** UNB S004 (YYMMDD in version 3, CCYYMMDD in version 4, HHMM), in UTC. */
  date: Date;
  /** UNB 0020 interchange control reference (an..14). */
  controlReference: number | string;
  /** UNB 0026 application reference (the message type, for partners that route on it). */
  applicationReference?: string;
  /** UNB 0031 = 1: a CONTRL is requested. */
  ackRequested?: boolean;
  /** UNB 0035 = 1: a test interchange. */
  test?: boolean;
  /** UNB 0032 interchange agreement identifier. */
  agreement?: string;
  /** The partner's service characters over the defaults; release or repetition null for none. */
  delimiters?: PartnerDelimiters;
  /** 'auto' (default): UNA only when the characters are not the syntax identifier's defaults; 'always'. */
  una?: 'auto' | 'always';
  /**
   * 'strict' (default): every character checked against the syntax identifier's repertoire. 'off' for a CONTRL,
   * which copies the partner's own references back whatever they hold (and answers unsupported identifiers too).
   */
  characterCheck?: 'strict' | 'off';
  newline?: '' | '\n' | '\r\n';
}

export interface EdifactMessageInput {
  /** UNH 0062 message reference number (an..14). */
  reference: number | string;
  /** UNH S009: 0065 type (ORDERS), 0052 version (D), 0054 release (96A), 0051 agency (UN), 0057 association (EAN008). */
  type: string;
  version?: string;
  release: string;
  agency?: string;
  associationCode?: string;
  /** The body: the segments between UNH and UNT. */
  segments: readonly OutboundSegment[];
}

export interface EdifactGroupInput {
  /** UNG 0038 message group identification (the message type of the group: ORDERS …). */
  functionalId: string;
  sender: EdifactParty;
  receiver: EdifactParty;
  /** UNG 0048 group reference number (an..14). */
  reference: number | string;
  /** UNG 0051 controlling agency (UN) and S008 version/release/association. */
  agency?: string;
  version: string;
  release: string;
  associationCode?: string;
  messages: readonly EdifactMessageInput[];
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function reference(value: number | string, name: string): string {
  const text = String(value);
  if (typeof value === 'number' && (!Number.isInteger(value) || value < 1)) throw new HubError('HUB_ERR_EDI_ENVELOPE', `${name} ${value} is not a control reference`);
  if (text === '' || text.length > 14) throw new HubError('HUB_ERR_EDI_ENVELOPE', `${name} "${text}" must be 1 to 14 characters (an..14)`);
  return text;
}

const party = (p: EdifactParty): string[] => [p.id, p.qualifier ?? '', p.internal ?? ''];

/**
 * One interchange holding `messages` directly, or `groups` of messages (UNG/UNE). Throws HUB_ERR_EDI_INVALID
 * listing every value that cannot be written (service characters without a release character, characters outside
 * the syntax identifier's repertoire), HUB_ERR_EDI_ENVELOPE for a reference that does not fit.
 */
export function buildEdifactInterchange(options: EdifactInterchangeOptions,
  content: { messages: readonly EdifactMessageInput[] } | { groups: readonly EdifactGroupInput[] }): string {
  const version = options.syntax.version ?? 3;
  const d = edifactDelimiters(options.delimiters, version);
  const identifier = options.syntax.identifier;
  const check = options.characterCheck === 'off' ? undefined : repertoire(identifier);
  const end = d.segment + (options.newline ?? '');
  const problems: WriteProblem[] = [];
  const out: string[] = [];
  const write = (segment: OutboundSegment, position: number): void => {
    out.push(edifactSegmentText(segment, d, check, identifier, position, problems) + end);
  };
  const when = options.date;
  const year = version >= 4 ? String(when.getUTCFullYear()) : pad2(when.getUTCFullYear() % 100);
  const s004 = [`${year}${pad2(when.getUTCMonth() + 1)}${pad2(when.getUTCDate())}`, `${pad2(when.getUTCHours())}${pad2(when.getUTCMinutes())}`];
  const interchangeRef = reference(options.controlReference, 'UNB 0020');
  write({ id: 'UNB', elements: [[identifier, String(version)], party(options.sender), party(options.receiver), s004, interchangeRef,
    undefined, options.applicationReference, undefined, options.ackRequested ? '1' : undefined, options.agreement, options.test ? '1' : undefined] }, 1);
  const writeMessage = (message: EdifactMessageInput): void => {
    const ref = reference(message.reference, 'UNH 0062');
    write({ id: 'UNH', elements: [ref, [message.type, message.version ?? 'D', message.release, message.agency ?? 'UN', message.associationCode ?? '']] }, 1);
    message.segments.forEach((segment, i) => write(segment, i + 2));
    write({ id: 'UNT', elements: [String(message.segments.length + 2), ref] }, message.segments.length + 2);
  };
  let count: number;
  if ('groups' in content) {
    for (const group of content.groups) {
      const ref = reference(group.reference, 'UNG 0048');
      write({ id: 'UNG', elements: [group.functionalId, party(group.sender).slice(0, 2), party(group.receiver).slice(0, 2), s004, ref, group.agency ?? 'UN',
        [group.version, group.release, group.associationCode ?? '']] }, 1);
      group.messages.forEach(writeMessage);
      write({ id: 'UNE', elements: [String(group.messages.length), ref] }, 1);
    }
    count = content.groups.length;
  } else {
    content.messages.forEach(writeMessage);
    count = content.messages.length;
  }
  write({ id: 'UNZ', elements: [String(count), interchangeRef] }, 1);
  if (problems.length) throw writeError('EDIFACT', problems);
  const una = options.una === 'always' || needsUna(d, identifier, version) ? serviceStringAdvice(d) + (options.newline ?? '') : '';
  return una + out.join('');
}
