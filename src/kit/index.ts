/**
 * The adapter kit: everything an adapter needs from the hub, and nothing else. Import it as
 * `b2b-hub/adapter-kit` (package.json "exports"); the conformance suite is `b2b-hub/adapter-kit/conformance`.
 * An adapter never imports the hub's other modules: they may change; this surface is kept stable
 * (docs/adapter-kit.md).
 */
export type {
  Adapter,
  AdapterContext,
  AdapterDefinition,
  DeliveryContext,
  DeliveryResult,
  OutboundWatch,
  PulledMessage,
  PullSource,
  WatchedDocument,
  WatchPage,
} from '../adapters/contract.js';
export type {
  Address,
  CanonicalDocument,
  CanonicalHeader,
  CanonicalLine,
  CanonicalType,
  CreditNote,
  Invoice,
  InvoiceTotals,
  Order,
  OrderCancellation,
  OrderChange,
  OrderChangeLine,
  OrderLineAction,
  OrderResponse,
  OrderResponseLine,
  OrderResponseLineStatus,
  OrderResponseStatus,
  OrderTotals,
  Party,
  PartyIdentifier,
  ShipNotice,
  ShipNoticeTotals,
} from '../canonical/types.js';
export { CANONICAL_TYPES, ORDER_RESPONSE_STATUSES } from '../canonical/types.js';
export { ERP_MODULES, type ErpModule } from '../config/schema.js';
export type { Database } from '../db/database.js';
export { ERROR_CATALOG, type ErrorCode, type ErrorSpec } from '../errors/catalog.js';
export { errorSummary, HubError, isHubErrorLike, isRetryable, type ErrorItem } from '../errors/hub-error.js';
export { rejected, throwIfAborted, unavailable, type AdapterErrorOptions } from './errors.js';
