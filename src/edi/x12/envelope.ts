/**
 * X12 envelopes for what the hub sends (X12.5): transaction bodies wrapped in ST/SE, the sets in GS/GE functional
 * groups, the groups in one ISA/IEA interchange. Pure: the control numbers are passed in (src/edi/control-numbers.ts
 * takes them in the caller's transaction), the counts are computed here (SE01 segments ST to SE, GE01 sets,
 * IEA01 groups). The ISA is written at its fixed width of 106 characters: each field padded to its length, a value
 * too long for its field refused rather than cut.
 */
import { HubError } from '../../errors/hub-error.js';
import { writeError, type OutboundSegment, type WriteProblem } from '../outbound-segment.js';
import { x12Delimiters, x12SegmentText, x12Terminator, type Newline, type X12Delimiters } from './write.js';

/** GS01 functional identifier code of each transaction set the hub sends or acknowledges (X12 element 479). */
export const FUNCTIONAL_ID: Readonly<Record<string, string>> = Object.freeze({
  '810': 'IN', '850': 'PO', '855': 'PR', '856': 'SH', '860': 'PC', '997': 'FA', '999': 'FA',
});

/** An interchange party: ISA05/ISA07 qualifier (01 DUNS, 12 phone, ZZ mutually defined …) and ISA06/ISA08 id. */
export interface X12Party {
  qualifier: string;
  id: string;
}

export interface X12InterchangeOptions {
  sender: X12Party;
  receiver: X12Party;
  /** ISA12: 00401, 00501 … From 00402 on, ISA11 carries the repetition separator, before it is U. */
  version: string;
  /** ISA13, 1 to 999999999 (written with 9 digits). */
  controlNumber: number;
  /** ISA14: the sender asks for a TA1; default false. */
  ackRequested?: boolean;
  /** ISA15: P production (default), T test. */
  usage?: 'P' | 'T';
  /** ISA09/ISA10 and GS04/GS05, in UTC. */
  date: Date;
  /** ISA01/ISA02 and ISA03/ISA04; default 00 and ten spaces (no authorization or security information). */
  authorization?: { qualifier: string; value: string };
  security?: { qualifier: string; value: string };
  /** The partner's delimiters over * : ^ ~. */
  delimiters?: Partial<X12Delimiters>;
  newline?: Newline;
}

export interface X12TransactionInput {
  /** ST01: 850, 855, 856, 810 … */
  setId: string;
  /** ST02, 1 to 999999999 (written with at least 4 digits). */
  controlNumber: number;
  /** ST03 implementation convention reference (005010 and later), e.g. 005010X231; absent by default. */
  conventionReference?: string;
  /** The body: the segments between ST and SE. */
  segments: readonly OutboundSegment[];
}

export interface X12GroupInput {
  /** GS01; default from the first set's id (FUNCTIONAL_ID). */
  functionalId?: string;
  /** GS02 / GS03 application sender's and receiver's codes. */
  sender: string;
  receiver: string;
  /** GS06, 1 to 999999999. */
  controlNumber: number;
  /** GS08 version / release / industry identifier code: 004010, 005010, 004010VICS … */
  version: string;
  /** GS07 responsible agency code; default X (ASC X12). */
  agency?: string;
  transactions: readonly X12TransactionInput[];
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function numberText(value: number, name: string, minDigits: number): string {
  if (!Number.isInteger(value) || value < 1 || value > 999_999_999) {
    throw new HubError('HUB_ERR_EDI_ENVELOPE', `${name} ${value} is not a control number from 1 to 999999999`);
  }
  return String(value).padStart(minDigits, '0');
}

/** A fixed-width ISA field: padded with spaces to its length; longer is refused (never cut). */
function fixed(value: string, length: number, name: string): string {
  if (value.length > length) throw new HubError('HUB_ERR_EDI_ENVELOPE', `${name} "${value}" is ${value.length} characters, the ISA field holds ${length}`);
  return value.padEnd(length, ' ');
}

/** The 16 ISA elements (ISA01..ISA16). */
export function isaElements(options: X12InterchangeOptions, d: X12Delimiters): string[] {
  const when = options.date;
  const qualifier = (party: X12Party, name: string): string => {
    if (!/^[A-Z0-9]{2}$/.test(party.qualifier)) {
      throw new HubError('HUB_ERR_EDI_ENVELOPE', `${name} "${party.qualifier}" is not an interchange id qualifier (two letters or digits: 01, 12, ZZ …)`);
    }
    return party.qualifier;
  };
  if (!/^\d{5}$/.test(options.version)) throw new HubError('HUB_ERR_EDI_ENVELOPE', `ISA12 "${options.version}" is not an interchange version (5 digits: 00401, 00501)`);
  if (options.sender.id.trim() === '' || options.receiver.id.trim() === '') throw new HubError('HUB_ERR_EDI_ENVELOPE', 'ISA06 and ISA08 (sender and receiver id) are required');
  const authorization = options.authorization ?? { qualifier: '00', value: '' };
  const security = options.security ?? { qualifier: '00', value: '' };
  return [
    fixed(authorization.qualifier, 2, 'ISA01'), fixed(authorization.value, 10, 'ISA02'),
    fixed(security.qualifier, 2, 'ISA03'), fixed(security.value, 10, 'ISA04'),
    qualifier(options.sender, 'ISA05'), fixed(options.sender.id, 15, 'ISA06'),
    qualifier(options.receiver, 'ISA07'), fixed(options.receiver.id, 15, 'ISA08'),
    `${pad2(when.getUTCFullYear() % 100)}${pad2(when.getUTCMonth() + 1)}${pad2(when.getUTCDate())}`,
    `${pad2(when.getUTCHours())}${pad2(when.getUTCMinutes())}`,
    d.repetition ?? 'U', options.version, numberText(options.controlNumber, 'ISA13', 9),
    options.ackRequested ? '1' : '0', options.usage ?? 'P', d.component,
  ];
}

/** The delimiters of an interchange of this version: a repetition separator only from 00402 on. */
export function interchangeDelimiters(options: Pick<X12InterchangeOptions, 'version' | 'delimiters'>): X12Delimiters {
  return x12Delimiters(options.delimiters, options.version >= '00402');
}

/**
 * One interchange: the ISA, then `interchangeSegments` (TA1s travel between ISA and the first GS), then each group
 * with its sets, then the IEA. Throws HUB_ERR_EDI_INVALID listing every value that cannot be written with these
 * delimiters (segment position counted from ST, as SE01 counts), HUB_ERR_EDI_ENVELOPE for an envelope value that
 * does not fit its field.
 */
export function buildX12Interchange(options: X12InterchangeOptions, groups: readonly X12GroupInput[],
  interchangeSegments: readonly OutboundSegment[] = []): string {
  const d = interchangeDelimiters(options);
  const end = x12Terminator(d, options.newline);
  const problems: WriteProblem[] = [];
  const isa = isaElements(options, d);
  // The ISA is checked like any segment but for ISA11 and ISA16, which are the repetition and component separators.
  x12SegmentText({ id: 'ISA', elements: isa.map((value, i) => (i === 10 || i === 15 ? undefined : value)) }, d, 1, problems);
  const out: string[] = [['ISA', ...isa].join(d.element) + end];
  interchangeSegments.forEach((segment, i) => out.push(x12SegmentText(segment, d, i + 2, problems) + end));
  const when = options.date;
  const ccyymmdd = `${when.getUTCFullYear()}${pad2(when.getUTCMonth() + 1)}${pad2(when.getUTCDate())}`;
  const hhmm = `${pad2(when.getUTCHours())}${pad2(when.getUTCMinutes())}`;
  for (const group of groups) {
    if (group.transactions.length === 0) throw new HubError('HUB_ERR_EDI_ENVELOPE', `group ${group.controlNumber} has no transaction set`);
    const functionalId = group.functionalId ?? FUNCTIONAL_ID[group.transactions[0]!.setId];
    if (!functionalId) {
      throw new HubError('HUB_ERR_EDI_ENVELOPE', `no GS01 functional identifier is known for transaction set ${group.transactions[0]!.setId}; give functionalId`);
    }
    const gs06 = numberText(group.controlNumber, 'GS06', 1);
    const gs = [functionalId, group.sender, group.receiver, ccyymmdd, hhmm, gs06, group.agency ?? 'X', group.version];
    out.push(x12SegmentText({ id: 'GS', elements: gs }, d, 1, problems) + end);
    for (const tx of group.transactions) {
      const st02 = numberText(tx.controlNumber, 'ST02', 4);
      out.push(x12SegmentText({ id: 'ST', elements: [tx.setId, st02, tx.conventionReference] }, d, 1, problems) + end);
      tx.segments.forEach((segment, i) => out.push(x12SegmentText(segment, d, i + 2, problems) + end));
      out.push(x12SegmentText({ id: 'SE', elements: [String(tx.segments.length + 2), st02] }, d, tx.segments.length + 2, problems) + end);
    }
    out.push(x12SegmentText({ id: 'GE', elements: [String(group.transactions.length), gs06] }, d, 1, problems) + end);
  }
  out.push(['IEA', String(groups.length), isa[12]].join(d.element) + end);
  if (problems.length) throw writeError('X12', problems);
  return out.join('');
}
