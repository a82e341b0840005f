/**
 * The one catalog of hub error codes. Every error a user can see has a stable code here,
 * an HTTP status, whether a retry can help, and a title. docs/errors.md documents each code;
 * a unit test keeps the two in step.
 */
export interface ErrorSpec {
  /** HTTP status returned when this error ends a request. */
  readonly status: number;
  /** True when the same work may succeed later (ERP down, Redis blip); decides retry in workers. */
  readonly retryable: boolean;
  /** Short, stable, human title. */
  readonly title: string;
}

export const ERROR_CATALOG = {
  /** The request carries no credential, or one the hub does not know. */
  HUB_ERR_UNAUTHENTICATED: { status: 401, retryable: false, title: 'Missing or unknown credential' },
  /** A signed post's X-Hub-Signature or X-Hub-Timestamp is missing, malformed, stale, wrong or replayed. */
  HUB_ERR_SIGNATURE_INVALID: { status: 401, retryable: false, title: 'Invalid request signature' },
  /** The document names a sender that is not one of the authenticated partner's party ids. */
  HUB_ERR_SENDER_MISMATCH: { status: 403, retryable: false, title: 'Sender does not match the partner' },
  /** Too many requests in the current window, per partner or per address. */
  HUB_ERR_RATE_LIMITED: { status: 429, retryable: true, title: 'Too many requests' },
  /** The credential is valid but its role may not use this endpoint or resource. */
  HUB_ERR_FORBIDDEN: { status: 403, retryable: false, title: 'Not allowed for this credential' },
  /** The body is larger than the configured limit. */
  HUB_ERR_PAYLOAD_TOO_LARGE: { status: 413, retryable: false, title: 'Document too large' },
  /** The Content-Type is not an XML media type. */
  HUB_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, title: 'Unsupported media type' },
  /** The body is neither XML nor EDI, or another syntax than its Content-Type says. */
  HUB_ERR_SYNTAX_UNKNOWN: { status: 400, retryable: false, title: 'Unknown document syntax' },
  /** An EDI interchange's envelope is wrong: ISA/GS/IEA/GE or UNB/UNG/UNZ/UNE counts, control numbers, delimiters. */
  HUB_ERR_EDI_ENVELOPE: { status: 400, retryable: false, title: 'EDI envelope error' },
  /** An EDI transaction breaks its transaction set's rules (mandatory segments and elements, lengths, codes). */
  HUB_ERR_EDI_INVALID: { status: 422, retryable: false, title: 'EDI transaction does not follow its rules' },
  /** The sender used this interchange control number before, for other content. */
  HUB_ERR_INTERCHANGE_DUPLICATE: { status: 409, retryable: false, title: 'Interchange control number already used' },
  /** The body is not well-formed XML (or is empty). */
  HUB_ERR_XML_MALFORMED: { status: 400, retryable: false, title: 'Malformed XML' },
  /** The body declares a DOCTYPE or entities, which the hub refuses. */
  HUB_ERR_XML_DOCTYPE_FORBIDDEN: { status: 400, retryable: false, title: 'DOCTYPE and entity declarations are not accepted' },
  /** The document's shape exceeds a limit (nesting depth, element or attribute count, text length). */
  HUB_ERR_XML_LIMIT: { status: 400, retryable: false, title: 'Document exceeds a structural limit' },
  /** The root element and namespace match no document type this partner may send. */
  HUB_ERR_DOCUMENT_TYPE_UNKNOWN: { status: 422, retryable: false, title: 'Unknown document type for this partner' },
  /** The document fails its XSD. */
  HUB_ERR_XSD_INVALID: { status: 422, retryable: false, title: 'Document does not conform to its schema' },
  /**
   * A document the hub built for a partner (outbound) fails its format's XSD or DTD: it is not sent. The errors
   * list each problem with its line in the built document; correct the outbound mapping or the ERP's data.
   */
  HUB_ERR_OUTBOUND_INVALID: { status: 422, retryable: false, title: 'Built document does not conform to its schema' },
  /**
   * The ERP handed over a document the hub cannot tell where to send: no partner (or several) is cross-referenced
   * to its counterparty, the partner named is not sent this type, or the partner has no transport.
   */
  HUB_ERR_OUTBOUND_PARTNER: { status: 422, retryable: false, title: 'No partner to send the document to' },
  /** The document fails its format's DTD (cXML), validated against the hub's local copy of that DTD. */
  HUB_ERR_DTD_INVALID: { status: 422, retryable: false, title: 'Document does not conform to its DTD' },
  /** The document has no document number where its format says to find one. */
  HUB_ERR_DOCUMENT_NUMBER_MISSING: { status: 422, retryable: false, title: 'Document number missing' },
  /** No message with this id (or not one this credential may see). */
  HUB_ERR_NOT_FOUND: { status: 404, retryable: false, title: 'Not found' },
  /** The request is well-formed but its parameters are wrong. */
  HUB_ERR_BAD_REQUEST: { status: 400, retryable: false, title: 'Bad request' },
  /** The same partner, type, sending party and number was already accepted with other content. */
  HUB_ERR_DOCUMENT_CONFLICT: { status: 409, retryable: false, title: 'Document number already used with other content' },
  /** The operation does not fit the message's current state (e.g. replay of a delivered message). */
  HUB_ERR_CONFLICT: { status: 409, retryable: false, title: 'Conflict with the current state' },
  /** A replay would send an already delivered message again; it needs an explicit force. */
  HUB_ERR_REPLAY_FORCE_REQUIRED: { status: 409, retryable: false, title: 'Replay of a delivered message needs force' },
  /** A bulk replay's dry-run token is stale: too old, or the selection it counted has grown since. */
  HUB_ERR_REPLAY_DRY_RUN_STALE: { status: 409, retryable: false, title: 'Bulk replay dry run is stale' },
  /** A mapping file is broken: it does not load, or an expression fails to compile or evaluate. */
  HUB_ERR_MAPPING: { status: 422, retryable: false, title: 'Mapping failed' },
  /** A cross-reference lookup found no entry for a key. */
  HUB_ERR_LOOKUP_MISSING: { status: 422, retryable: false, title: 'Cross-reference entry missing' },
  /** The mapped canonical document does not satisfy its JSON Schema. */
  HUB_ERR_CANONICAL_INVALID: { status: 422, retryable: false, title: 'Canonical document invalid' },
  /** The configuration is invalid; the hub does not start. */
  HUB_ERR_CONFIG: { status: 500, retryable: false, title: 'Invalid configuration' },
  /** No route and adapter take this document. */
  HUB_ERR_NO_ROUTE: { status: 422, retryable: false, title: 'No route for this document' },
  /** An adapter could not deliver now; the delivery is retried with backoff. */
  HUB_ERR_ADAPTER_UNAVAILABLE: { status: 503, retryable: true, title: 'Adapter temporarily unavailable' },
  /** An adapter refused the document for good; retrying cannot help. */
  HUB_ERR_ADAPTER_REJECTED: { status: 422, retryable: false, title: 'Adapter rejected the document' },
  /** A partner transport could not hand the document over now (no answer, timeout, 408, 429, 5xx); the caller retries it. */
  HUB_ERR_TRANSPORT_UNAVAILABLE: { status: 503, retryable: true, title: 'Partner endpoint temporarily unavailable' },
  /** The partner's endpoint refused the document for good (a 4xx other than 408/429, a redirect); retrying cannot help. */
  HUB_ERR_TRANSPORT_REJECTED: { status: 422, retryable: false, title: 'Partner refused the document' },
  /** TLS with the partner failed on a certificate: its certificate does not verify (CA, name, dates) or it refused ours. */
  HUB_ERR_TRANSPORT_TLS: { status: 502, retryable: false, title: 'TLS with the partner failed' },
  /** The work of a message was lost again and again (its worker killed or stalled, Redis lost); failed so it cannot loop. */
  HUB_ERR_PROCESSING_LOST: { status: 500, retryable: false, title: 'Processing lost repeatedly' },
  /** The hub process is shutting down (draining); another process, or this one after its restart, takes the request. */
  HUB_ERR_SHUTTING_DOWN: { status: 503, retryable: true, title: 'Hub shutting down' },
  /** PostgreSQL, Redis or another dependency of the hub itself is unreachable. */
  HUB_ERR_STORE_UNAVAILABLE: { status: 503, retryable: true, title: 'Storage unavailable' },
  HUB_ERR_OVERLOADED: { status: 503, retryable: true, title: 'Hub at capacity' },
  /** An unexpected bug; details are logged, never returned. */
  HUB_ERR_INTERNAL: { status: 500, retryable: true, title: 'Internal error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
