import type { Logger } from 'pino';

/**
 * The transport contract: how a document the hub has built for a partner (a UBL Order, an X12 850, a cXML
 * OrderRequest, as text) reaches that partner. The same shape as the ERP adapters' (src/adapters/contract.ts):
 * a definition with a config schema checked at start and a `create` that returns `{ send, close, health? }`,
 * so AS2 or SFTP is one more folder under transports/ and nothing in the core changes.
 */

/** Control numbers the document was enveloped with (X12 ISA13/GS06/ST02, EDIFACT UNB 0020/UNH 0062). */
export interface OutboundControlNumbers {
  readonly interchange?: string;
  readonly group?: string;
  readonly transaction?: string;
}

/** A document built and validated for one partner, ready to leave. */
export interface OutboundDocument {
  /** The hub's id of the outbound message (for logs and the X-Hub-Message-Id header). */
  readonly messageId: string;
  /** The partner it is for (a key of `partners` in the config). */
  readonly partner: string;
  /** What it is, e.g. Order, Invoice, 850. */
  readonly documentType: string;
  readonly documentNumber: string;
  /** Media type of the body, sent as Content-Type (e.g. `application/xml`, `application/edi-x12`). */
  readonly contentType: string;
  /** The document as text; sent as its UTF-8 bytes. */
  readonly body: string;
  readonly controlNumbers?: OutboundControlNumbers;
}

/** One attempt at sending a document. */
export interface SendContext {
  /**
   * Stable across every attempt at the same document (the caller derives it from the message and partner): the
   * partner, or the mailbox, takes the document once per key however often it is sent.
   */
  readonly idempotencyKey: string;
  /** Aborted when the caller gives up (shutdown, its own deadline); send must then stop and throw retryable. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, ... (for logs; the key does not change with it). */
  readonly attempt: number;
}

/** What the partner answered at once. */
export interface SendResult {
  /** Something to find the hand-over by: the mailbox message id, the partner's Location or id, else "HTTP <status>". */
  readonly reference?: string;
  /** The HTTP status of the partner's answer (transports over HTTP). */
  readonly status?: number;
  /**
   * The partner's synchronous answer as text (a cXML Response, a 997 in the HTTP reply), so the caller can match
   * it to the document. Absent when the answer had no body or was longer than the transport reads.
   */
  readonly responseBody?: string;
  /** Content-Type of responseBody. */
  readonly contentType?: string;
}

/**
 * A running transport for one partner. Errors are HubErrors with a catalog code and the catalog's retryable
 * flag, which decides what the caller does: HUB_ERR_TRANSPORT_UNAVAILABLE (and HUB_ERR_STORE_UNAVAILABLE) are
 * retried with backoff and the same idempotency key; HUB_ERR_TRANSPORT_REJECTED and HUB_ERR_TRANSPORT_TLS fail
 * the document with the reason. The transport does not retry by itself.
 */
export interface Transport {
  send(document: OutboundDocument, context: SendContext): Promise<SendResult>;
  /** Releases sockets and other resources; called once at shutdown, must be safe to call again. */
  close(): Promise<void>;
  health?(): Promise<{ ok: boolean; detail?: string }>;
}

/** Where a transport may put documents for its partner to fetch (GET /v1/partner/messages). */
export interface TransportMailbox {
  /**
   * Puts a document in the partner's mailbox once per idempotency key: a second put with the same key adds
   * nothing and returns the first one's id with `created: false`.
   */
  put(message: MailboxDocument, idempotencyKey: string): Promise<{ id: string; created: boolean }>;
  /** Resolves when the mailbox's store answers; rejects when it does not. */
  ping(): Promise<void>;
}

/** A document as it waits in the partner mailbox. */
export interface MailboxDocument {
  readonly documentType: string;
  readonly documentNumber: string;
  readonly contentType: string;
  readonly document: string;
}

/** What the hub gives a transport when it creates it: it never imports the pipeline, queue or store. */
export interface TransportContext {
  /** The partner this transport serves (config: partners.<partner>.transport). */
  readonly partner: string;
  /** Where its options are in the config, for messages: `partners.<partner>.transport`. */
  readonly setting: string;
  readonly logger: Logger;
  /** The project root: relative file paths in options are read from there. */
  readonly rootDir: string;
  /** A secret by name: the file named by <NAME>_FILE, else the env var <NAME>; undefined when neither is set. */
  secret(name: string): string | undefined;
  /** The partner's mailbox (the mailbox transport); scoped to this partner. */
  readonly mailbox: TransportMailbox;
}

/** What a transport folder's index (transports/<name>/index.ts) exports as default. */
export interface TransportDefinition<Options = Record<string, unknown>> {
  /** The transport type, equal to its folder name under transports/ and to `type:` in the config. */
  name: string;
  /** JSON Schema of its options (the transport's config keys other than `type`); checked at start, unknown keys refused. */
  configSchema: Record<string, unknown>;
  create(options: Options, context: TransportContext): Promise<Transport> | Transport;
}
