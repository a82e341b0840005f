/**
 * What the hub's outbound EDI is built with, in one import: the segment writers, the envelope builders, the control
 * numbers and the check before a document leaves (docs/outbound.md, "EDI out").
 */
export type { OutboundElement, OutboundSegment, WriteProblem } from './outbound-segment.js';
export { X12_DEFAULT_DELIMITERS, x12Delimiters, writeX12Segments, type X12Delimiters, type Newline } from './x12/write.js';
export { buildX12Interchange, FUNCTIONAL_ID, type X12InterchangeOptions, type X12GroupInput, type X12TransactionInput, type X12Party } from './x12/envelope.js';
export { EDIFACT_DEFAULT_DELIMITERS, edifactDelimiters, writeEdifactSegments, type EdifactDelimiters, type EdifactSyntax } from './edifact/write.js';
export { buildEdifactInterchange, type EdifactInterchangeOptions, type EdifactGroupInput, type EdifactMessageInput, type EdifactParty } from './edifact/envelope.js';
export { allocateInterchangeNumbers, takeControlNumbers, type ControlNumbers, type ControlNumberKind } from './control-numbers.js';
export { assertOutboundValid, checkOutbound, type OutboundProblem } from './check-outbound.js';
