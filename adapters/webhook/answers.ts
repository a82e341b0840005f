import { HubError } from 'b2b-hub/adapter-kit';
import type { HttpAnswer } from './http-call.js';

/** How much of the target's answer goes into an error message (and so into the message history). */
export const ANSWER_EXCERPT_BYTES = 2048;

/** TLS failures: the channel, not the document, is at fault, so they are retried like an outage. */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO)/;

/** What the classification needs to know about the adapter instance. */
export interface AnswerPolicy {
  /** Statuses retried besides every 5xx (408 and 429 by default). */
  retryableStatuses: ReadonlySet<number>;
  /** Upper bound of a Retry-After wait put in the error's details; 0: Retry-After is ignored. */
  maxRetryAfterMs: number;
}

/**
 * Reads Retry-After: delay-seconds or an HTTP date (RFC 9110 10.2.3), as milliseconds from `now`; undefined
 * when absent or unreadable. A date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The first `bytes` of an answer's body as text, trimmed, with a mark when cut. */
export function excerpt(answer: HttpAnswer, bytes = ANSWER_EXCERPT_BYTES): string {
  const text = answer.body.subarray(0, bytes).toString('utf8').trim();
  return answer.body.length > bytes || answer.truncated ? `${text}…` : text;
}

/** A 2xx answer's reference: its JSON `id` or `reference`, else "HTTP <status>" and the Location if any. */
export function referenceOf(answer: HttpAnswer): string {
  if (!answer.truncated && /\bjson\b/i.test(String(answer.headers['content-type'] ?? ''))) {
    try {
      const parsed: unknown = JSON.parse(answer.body.toString('utf8'));
      if (parsed && typeof parsed === 'object') {
        for (const key of ['id', 'reference'] as const) {
          const value = (parsed as Record<string, unknown>)[key];
          if ((typeof value === 'string' && value !== '') || typeof value === 'number') return String(value);
        }
      }
    } catch {
      // A 2xx whose body is not JSON is still a success; its status names it.
    }
  }
  const location = answer.headers.location;
  return `HTTP ${answer.status}${location ? ` ${location}` : ''}`;
}

/**
 * Turns an answer that is not a 2xx into the HubError the hub acts on: 408, 429, any 5xx and the configured
 * retryable statuses are HUB_ERR_ADAPTER_UNAVAILABLE (retried; 429 and 503 carry details.retryAfterMs from
 * Retry-After); everything else (other 4xx, 401/403 included, and 3xx, which are not followed) is
 * HUB_ERR_ADAPTER_REJECTED with the status and the start of the body, so the reason lands in the history.
 */
export function answerError(answer: HttpAnswer, where: string, policy: AnswerPolicy, now = Date.now()): HubError {
  const { status } = answer;
  const body = excerpt(answer);
  const said = `${where} answered HTTP ${status}${body ? `: ${body}` : ''}`;
  if (status >= 500 || policy.retryableStatuses.has(status)) {
    const details: Record<string, unknown> = { status };
    const honoured = (status === 429 || status === 503) && policy.maxRetryAfterMs > 0;
    const asked = honoured ? parseRetryAfter(headerText(answer.headers['retry-after']), now) : undefined;
    if (asked !== undefined) {
      const waitMs = Math.min(asked, policy.maxRetryAfterMs);
      details.retryAfterMs = waitMs;
      const wait = ` (asked to wait ${Math.ceil(waitMs / 1000)} s)`;
      return new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', `${said}${wait}`, { details });
    }
    return new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', said, { details });
  }
  let hint = '';
  if (status >= 300 && status < 400) {
    const location = headerText(answer.headers.location);
    hint = location ? ` (redirect to ${location} not followed: configure that url)` : ' (redirects are not followed)';
  } else if (status === 401 || status === 403) {
    hint = ' (check the shared secret and credentials of this adapter)';
  }
  return new HubError('HUB_ERR_ADAPTER_REJECTED', `${said}${hint}`, { details: { status } });
}

/** Why a request got no answer, as the caller saw it. */
export interface TransportFailure {
  /** The adapter's own timeoutMs ran out. */
  timedOut: boolean;
  /** The hub aborted the delivery (shutdown, or its own delivery timeout). */
  aborted: boolean;
  timeoutMs: number;
}

/**
 * A request that got no answer: timeout, abort, connection refused or reset, DNS, TLS. All are
 * HUB_ERR_ADAPTER_UNAVAILABLE: the target may have received the request, and the retry carries the same
 * Idempotency-Key.
 */
export function transportError(error: unknown, where: string, why: TransportFailure): HubError {
  const code = (error as { code?: unknown } | undefined)?.code;
  let reason: string;
  if (why.timedOut) reason = `no answer within ${why.timeoutMs} ms`;
  else if (why.aborted) reason = 'delivery aborted (hub shutting down or delivery timeout)';
  else if (typeof code !== 'string') reason = error instanceof Error ? error.message : String(error);
  else if (TLS_CODES.test(code)) reason = `TLS failed: ${code}: ${(error as Error).message}`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = `${code} (name not resolved)`;
  else reason = code;
  const details = typeof code === 'string' ? { errorCode: code } : {};
  return new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', `${where}: ${reason}`, { cause: error, details });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
