import type { HttpAnswer } from '../../adapters/webhook/http-call.js';
import { excerpt, parseRetryAfter } from '../../adapters/webhook/answers.js';
import { transportRejected, transportTlsFailed, transportUnavailable, type HubError } from '../../src/transports/kit.js';

/**
 * Certificate checks the hub's side of TLS made and the partner's certificate failed (OpenSSL's verify codes
 * as Node names them): the partner's certificate does not chain to the CA, is out of date or names another host.
 */
const VERIFY_CODES = new RegExp(
  '^(UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|' +
    'PATH_LENGTH_EXCEEDED|ERROR_IN_CERT_|ERR_TLS_CERT_ALTNAME_INVALID)',
);
/** Alerts the partner's side sent about our certificate: none given, unknown CA, bad, expired, refused. */
const REFUSED_CERTIFICATE_ALERTS = /^ERR_SSL_\w*ALERT_(\w*CERTIFICATE\w*|UNKNOWN_CA|ACCESS_DENIED)$/;

/** Why a request got no answer, as the transport saw it. */
export interface NoAnswer {
  /** The transport's own timeoutMs ran out. */
  timedOut: boolean;
  /** The caller aborted the send (shutdown, its deadline). */
  aborted: boolean;
  timeoutMs: number;
}

/**
 * A request that got no answer. A certificate failure is HUB_ERR_TRANSPORT_TLS (not retried: the next attempt
 * meets the same certificate); everything else (refused, reset, dropped mid-answer, DNS, timeout, abort, other
 * TLS trouble) is HUB_ERR_TRANSPORT_UNAVAILABLE: the partner may have received the document, and the retry
 * carries the same Idempotency-Key.
 */
export function noAnswerError(error: unknown, where: string, why: NoAnswer): HubError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const details = typeof code === 'string' ? { errorCode: code } : {};
  const message = error instanceof Error ? error.message : String(error);
  if (why.timedOut) return transportUnavailable(`${where}: no answer within ${why.timeoutMs} ms`, { cause: error, details });
  if (why.aborted) return transportUnavailable(`${where}: send aborted (hub shutting down or its deadline)`, { cause: error, details });
  if (typeof code === 'string' && VERIFY_CODES.test(code)) {
    const fix = 'give the CA that signed it in caFile (unset: the system CAs), or ask the partner to fix its certificate';
    const said = `${where}: the partner's TLS certificate does not verify: ${code}: ${message}; ${fix}`;
    return transportTlsFailed(said, { cause: error, details });
  }
  if (typeof code === 'string' && REFUSED_CERTIFICATE_ALERTS.test(code)) {
    const fix = 'configure the client certificate the partner expects (certFile/keyFile or certEnv/keyEnv)';
    return transportTlsFailed(`${where}: the partner refused the hub's TLS client certificate: ${code}; ${fix}`, { cause: error, details });
  }
  let reason = typeof code === 'string' ? code : message;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = `${code} (name not resolved)`;
  else if (code === 'ECONNRESET') reason = `ECONNRESET (${message})`;
  return transportUnavailable(`${where}: ${reason}`, { cause: error, details });
}

/**
 * An answer that is not a 2xx. 408, 429 and every 5xx are HUB_ERR_TRANSPORT_UNAVAILABLE (a 429 or 503 with
 * Retry-After carries details.retryAfterMs, at most maxRetryAfterMs); any other status (4xx, and 3xx: redirects
 * are not followed) is HUB_ERR_TRANSPORT_REJECTED with the start of the partner's answer, so the reason is kept.
 */
export function answerError(answer: HttpAnswer, where: string, maxRetryAfterMs: number, now = Date.now()): HubError {
  const { status } = answer;
  const body = excerpt(answer);
  const said = `${where} answered HTTP ${status}${body ? `: ${body}` : ''}`;
  if (status >= 500 || status === 408 || status === 429) {
    const honoured = (status === 429 || status === 503) && maxRetryAfterMs > 0;
    const asked = honoured ? parseRetryAfter(headerText(answer.headers['retry-after']), now) : undefined;
    if (asked === undefined) return transportUnavailable(said, { details: { status } });
    const retryAfterMs = Math.min(asked, maxRetryAfterMs);
    return transportUnavailable(`${said} (asked to wait ${Math.ceil(retryAfterMs / 1000)} s)`, { details: { status }, retryAfterMs });
  }
  let hint = '';
  if (status >= 300 && status < 400) {
    const location = headerText(answer.headers.location);
    hint = location ? ` (redirect to ${location} not followed: configure that url)` : ' (redirects are not followed)';
  } else if (status === 401 || status === 403) {
    hint = ' (check the credentials: authorizationEnv, the signature secret, the client certificate)';
  }
  return transportRejected(`${said}${hint}`, { details: { status } });
}

export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
