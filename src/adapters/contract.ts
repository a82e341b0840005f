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
