import { HubError } from '../errors/hub-error.js';

/** What a transport may add to a classified error. */
export interface TransportErrorOptions {
  /** The error underneath (kept for the hub log, never shown to a partner). */
  cause?: unknown;
  /** Structured facts for the history and logs: the partner's HTTP status, the socket's error code. */
  details?: Record<string, unknown>;
}

function withCause(options: TransportErrorOptions): { cause?: unknown } {
  return options.cause === undefined ? {} : { cause: options.cause };
}

/**
 * The partner cannot take the document now (no answer, timeout, 408, 429, 5xx, the send aborted): the caller
 * retries with backoff and the same idempotency key. `retryAfterMs` (the partner's Retry-After) replaces the
 * backoff of that attempt, within the caller's bounds.
 */
export function transportUnavailable(message: string, options: TransportErrorOptions & { retryAfterMs?: number } = {}): HubError {
  const details = { ...options.details, ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }) };
  return new HubError('HUB_ERR_TRANSPORT_UNAVAILABLE', message, { details, ...withCause(options) });
}

/** The partner refuses this document for good (a 4xx): the document fails with this message; a retry cannot help. */
export function transportRejected(message: string, options: TransportErrorOptions = {}): HubError {
  return new HubError('HUB_ERR_TRANSPORT_REJECTED', message, { details: options.details ?? {}, ...withCause(options) });
}

/** TLS failed on a certificate (the partner's does not verify, or ours is refused): not retried, ops must fix it. */
export function transportTlsFailed(message: string, options: TransportErrorOptions = {}): HubError {
  return new HubError('HUB_ERR_TRANSPORT_TLS', message, { details: options.details ?? {}, ...withCause(options) });
}

/** Throws a retryable HUB_ERR_TRANSPORT_UNAVAILABLE when the send's signal is aborted: call it before starting work. */
export function throwIfSendAborted(signal: AbortSignal, where: string): void {
  if (signal.aborted) throw transportUnavailable(`${where}: send aborted (hub shutting down or its deadline)`, { cause: signal.reason });
}
