import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CanonicalDocument } from '../canonical/types.js';
import type { ErpModule } from '../config/types.js';
import type { Database } from '../db/database.js';

/** What the hub injects into an adapter; an adapter never imports pipeline, queue or store code. */
export interface AdapterContext {
  /** The configured instance name (e.g. "outbox"). */
  name: string;
  logger: Logger;
  /** The hub's PostgreSQL (its schema), for adapters that keep durable state (the outbox). */
  db: Database;
  /** A Redis connection and a key prefix owned by this adapter instance, for state that may be lost. */
  redis: Redis;
  keyPrefix: string;
  /** Absolute project root, to resolve relative paths in options. */
  rootDir: string;
  /** Absolute var/ directory for runtime files. */
  varDir: string;
  /** Reads a secret by name from the environment (NAME or NAME_FILE). */
  secret(name: string): string | undefined;
}

/** Everything the hub knows about the message being delivered. */
export interface DeliveryContext {
  /** Stable for a message and adapter: retries and replays reuse it, so the target can refuse a second copy. */
  idempotencyKey: string;
  messageId: string;
  partner: string;
  /** The ERP modules this delivery is for (those of the adapter's modules the message was routed to). */
  modules: ErpModule[];
  /** Aborted when the hub is shutting down or the delivery times out. */
  signal: AbortSignal;
  /** 1 for the first attempt at this delivery, 2 for the first retry ... (for logs; the key does not change). */
  attempt?: number;
}

/** The result of a delivery: the ERP-side reference(s) of what was created. */
export interface DeliveryResult {
  reference: string;
}

/** A running adapter instance. deliver must be idempotent on ctx.idempotencyKey. */
export interface Adapter {
  /**
   * Delivers one canonical document. Throw HubError HUB_ERR_ADAPTER_UNAVAILABLE (retried with backoff) when
   * the target is down, HUB_ERR_ADAPTER_REJECTED (not retried) when it refuses the document for good.
   */
  deliver(doc: CanonicalDocument, ctx: DeliveryContext): Promise<DeliveryResult>;
  close(): Promise<void>;
  health?(): Promise<{ ok: boolean; detail?: string }>;
  /** Adapters the ERP pulls from (the outbox) also expose this. */
  pull?: PullSource;
  /** Adapters that watch the ERP for the documents that go out to partners (src/pipeline/erp-watch.ts). */
  outbound?: OutboundWatch;
}

/** A document the ERP made for a partner, as an adapter watching the ERP found it. */
export interface WatchedDocument {
  /** The ERP's own id of the record it was made from (e.g. `purchase.purchase,42`): the hub takes each once. */
  sourceId: string;
  /** The partner it goes to, when the adapter knows; else the hub finds it by the party cross-reference. */
  partner?: string;
  /** The canonical document (ours: buyer or seller is SELF). */
  document: CanonicalDocument;
}

/** One poll's answer: what was found after the cursor, and the cursor to keep once those are stored. */
export interface WatchPage {
  documents: WatchedDocument[];
  /** Opaque to the hub: stored only after every document of the page is stored, and handed to the next poll. */
  cursor: string;
  /** More is waiting beyond this page: the hub polls again at once instead of after the interval. */
  more?: boolean;
  /** Records looked at and deliberately not handed over (for the log), e.g. a sale no partner's order made. */
  skipped?: number;
}

/**
 * Watching the ERP for outgoing documents. poll is called by one hub process at a time, every intervalSeconds, with
 * the cursor of the last page the hub stored (undefined the first time): it must return the documents after it.
 * A poll repeated with the same cursor (a crash before the cursor was stored) may return the same documents again:
 * the hub takes each sourceId once. Throw HUB_ERR_ADAPTER_UNAVAILABLE when the ERP cannot be read: the poll is
 * repeated at the next interval with the same cursor.
 */
export interface OutboundWatch {
  /** Seconds between polls. */
  intervalSeconds: number;
  poll(cursor: string | undefined, signal: AbortSignal): Promise<WatchPage>;
}

/** A message the ERP pulls. */
export interface PulledMessage {
  id: string;
  documentId: string;
  type: string;
  module: ErpModule;
  /** How many times this message has been handed out, this time included. */
  deliveryCount: number;
  /** Until when this hand-out is reserved for the caller; unacknowledged, it is handed out again after. */
  leaseExpiresAt: string;
  canonical: CanonicalDocument;
}

/** Pull interface: fetch leases messages for a visibility timeout; ack removes them for good. */
export interface PullSource {
  fetch(module: ErpModule, limit: number): Promise<PulledMessage[]>;
  /** Returns false when no such message is outstanding (unknown id or already acknowledged). */
  ack(id: string): Promise<boolean>;
  /** Counts for ops: ready (available now), leased (handed out, not yet acknowledged). */
  stats(module: ErpModule): Promise<{ ready: number; leased: number }>;
}

/** What an adapter folder's index exports as default. */
export interface AdapterDefinition<Options = Record<string, unknown>> {
  /** The adapter type, equal to its folder name under adapters/. */
  name: string;
  /** The ERP modules this kind of adapter can serve. */
  modules: readonly ErpModule[];
  /** JSON Schema of its options; checked at start, unknown keys rejected. */
  configSchema: Record<string, unknown>;
  create(options: Options, ctx: AdapterContext): Promise<Adapter> | Adapter;
}
