/**
 * Everything a transport (transports/<name>/index.ts) needs from the hub, and nothing else: the contract, the
 * classified errors and HubError. A transport imports this module only, never the pipeline, queue or store, so
 * the core can change under it (the adapters' kit, src/kit/index.ts, is the model).
 */
export type {
  MailboxDocument,
  OutboundControlNumbers,
  OutboundDocument,
  SendContext,
  SendResult,
  Transport,
  TransportContext,
  TransportDefinition,
  TransportMailbox,
} from './contract.js';
export { HubError, isHubErrorLike } from '../errors/hub-error.js';
export { throwIfSendAborted, transportRejected, transportTlsFailed, transportUnavailable, type TransportErrorOptions } from './errors.js';
