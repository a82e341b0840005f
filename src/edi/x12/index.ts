/** The X12 syntax of the hub: read an interchange (envelopes, validation, mapping trees) and acknowledge it. */
export { readX12, INTERCHANGE_ERROR, GROUP_ERROR, TRANSACTION_ERROR } from './read.js';
export { build997, build999, buildTA1, read997, transactionVerdict, groupVerdict } from './ack.js';
export type { AckOptions, Ta1Options, FunctionalAcknowledgment, AcknowledgedTransaction } from './ack.js';
export { SEGMENT_ERROR } from './validate.js';
export { ELEMENT_ERROR } from './elements.js';
export { transactionSpec, SUPPORTED_VERSIONS } from './specs/transactions.js';
