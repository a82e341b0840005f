/**
 * The message specifications the hub validates against: ORDERS, DESADV, INVOIC, ORDCHG and ORDRSP of D.96A and D.01B (the
 * directories of EANCOM 1997 and EANCOM 2002), ORDERS D.96B and INVOIC D.97B (the directories of the real documents
 * in fixtures/edifact/), and CONTRL D:3 (and 2:2) so incoming acknowledgements are read with the same checks.
 */
import { parseStructure, type StructureNode, type ElementDef, type SimpleDef, isComposite } from './structure.js';
import { ORDERS_D96A, ORDERS_D96B, ORDCHG_D96A, INVOIC_D96A, INVOIC_D97B, DESADV_D96A, ORDRSP_D96A } from './structures-d96.js';
import { ORDERS_D01B, ORDCHG_D01B, INVOIC_D01B, DESADV_D01B, CONTRL_V3, ORDRSP_D01B } from './structures-d01b.js';
import { SEGMENTS_D96, SEGMENTS_D01B, SEGMENTS_SERVICE, type SegmentDefs } from './segments.js';

export type { StructureNode, ElementDef, SimpleDef };
export { isComposite };

export interface MessageSpec {
  /** UNH 0065. */
  type: string;
  /** UNH 0052 + 0054 (D96A, D01B, D3). */
  version: string;
  structure: StructureNode[];
  segments: SegmentDefs;
  /** BGM 1001 values this message is read with (code list 1001); others are 14 value not supported. */
  documentNames?: Readonly<Record<string, string>>;
  /** EANCOM subset (UNH 0057) published for this message and directory, for people and detection. */
  eancom?: string;
}

const ORDER_NAMES = { '105': 'purchase order', '220': 'order', '221': 'blanket order', '224': 'rush order', '226': 'call off order', '227': 'consignment order' };
const INVOICE_NAMES = { '380': 'commercial invoice', '381': 'credit note', '383': 'debit note', '384': 'corrected invoice', '385': 'consolidated invoice', '386': 'prepayment invoice', '389': 'self-billed invoice', '393': 'factored invoice' };
const DESADV_NAMES = { '351': 'despatch advice' };
const ORDCHG_NAMES = { '230': 'purchase order change request' };
/** Code list 1001: 231 purchase order response (the code EANCOM's ORDRSP uses). */
const ORDRSP_NAMES = { '231': 'purchase order response' };

function spec(type: string, version: string, text: string, segments: SegmentDefs, documentNames?: Record<string, string>, eancom?: string): MessageSpec {
  return { type, version, structure: parseStructure(text), segments, ...(documentNames ? { documentNames } : {}), ...(eancom ? { eancom } : {}) };
}

const SPECS: MessageSpec[] = [
  spec('ORDERS', 'D96A', ORDERS_D96A, SEGMENTS_D96, ORDER_NAMES, 'EAN008'),
  spec('ORDERS', 'D96B', ORDERS_D96B, SEGMENTS_D96, ORDER_NAMES),
  spec('ORDERS', 'D01B', ORDERS_D01B, SEGMENTS_D01B, ORDER_NAMES, 'EAN010'),
  spec('ORDCHG', 'D96A', ORDCHG_D96A, SEGMENTS_D96, ORDCHG_NAMES, 'EAN004'),
  spec('ORDCHG', 'D01B', ORDCHG_D01B, SEGMENTS_D01B, ORDCHG_NAMES, 'EAN008'),
  spec('INVOIC', 'D96A', INVOIC_D96A, SEGMENTS_D96, INVOICE_NAMES, 'EAN008'),
  spec('INVOIC', 'D97B', INVOIC_D97B, SEGMENTS_D96, INVOICE_NAMES),
  spec('INVOIC', 'D01B', INVOIC_D01B, SEGMENTS_D01B, INVOICE_NAMES, 'EAN010'),
  spec('DESADV', 'D96A', DESADV_D96A, SEGMENTS_D96, DESADV_NAMES, 'EAN005'),
  spec('DESADV', 'D01B', DESADV_D01B, SEGMENTS_D01B, DESADV_NAMES, 'EAN007'),
  spec('ORDRSP', 'D96A', ORDRSP_D96A, SEGMENTS_D96, ORDRSP_NAMES),
  spec('ORDRSP', 'D01B', ORDRSP_D01B, SEGMENTS_D01B, ORDRSP_NAMES),
  spec('CONTRL', 'D3', CONTRL_V3, SEGMENTS_SERVICE),
  spec('CONTRL', '22', CONTRL_V3, SEGMENTS_SERVICE),
];

const BY_KEY = new Map(SPECS.map((s) => [`${s.type}:${s.version}`, s]));

/** The specification of a message type and directory version, or undefined when the hub has none. */
export function messageSpec(type: string, version: string): MessageSpec | undefined {
  return BY_KEY.get(`${type}:${version}`);
}

/** Every message type and version the hub validates, for error messages and docs. */
export function supportedMessages(): string[] {
  return SPECS.map((s) => `${s.type} ${s.version}`);
}

export const SERVICE_SEGMENT_DEFS = SEGMENTS_SERVICE;
