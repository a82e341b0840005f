import { HubError } from '../errors/hub-error.js';

/** What an adapter may add to a classified error. */
export interface AdapterErrorOptions {
  /** The error underneath (kept for the hub log, never shown to a partner). */
  cause?: unknown;
  /** Structured facts for the history and logs, e.g. the target's HTTP status. */
  details?: Record<string, unknown>;
}

/**
 * The target cannot take the delivery now (down, timed out, overloaded, the delivery aborted): the hub retries
 * it with backoff and the same idempotency key. `retryAfterMs` (the target's own Retry-After) replaces the
 * backoff of that attempt, within the hub's bounds.
 */
export function unavailable(message: string, options: AdapterErrorOptions & { retryAfterMs?: number } = {}): HubError {
  const { retryAfterMs, cause, details } = options;
  const all = { ...details, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  return new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', message, { details: all, ...(cause === undefined ? {} : { cause }) });
}

/**
 * The target refuses this document for good (unknown customer, invalid amounts, a 4xx): the message fails at
 * once with this message in its history; retrying cannot help, a corrected document or replay after a fix can.
 */
export function rejected(message: string, options: AdapterErrorOptions = {}): HubError {
  const { cause, details } = options;
  return new HubError('HUB_ERR_ADAPTER_REJECTED', message, { details: details ?? {}, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Throws a retryable HUB_ERR_ADAPTER_UNAVAILABLE when the delivery's signal is aborted (hub shutting down, the
 * hub's delivery timeout): call it before starting work, and between steps of a delivery made of several calls.
 * `signal.throwIfAborted()` would throw a bare AbortError, which says nothing of the target and is no catalog error.
 */
export function throwIfAborted(signal: AbortSignal, where: string): void {
  if (signal.aborted) throw unavailable(`${where}: delivery aborted (hub shutting down or delivery timeout)`, { cause: signal.reason });
}
