import { validateHeaderName, validateHeaderValue } from 'node:http';
import https from 'node:https';
import { referenceOf } from '../../adapters/webhook/answers.js';
import { send, type HttpAnswer } from '../../adapters/webhook/http-call.js';
import { HubError, throwIfSendAborted, transportRejected, type TransportDefinition } from '../../src/transports/kit.js';
import { answerError, headerText, noAnswerError } from './answers.js';
import { SIGNATURE_ALGORITHMS, signPayload, type SignatureAlgorithm } from './signature.js';
import { agentTlsOptions, probeTls, requiredSecret, type TlsOptions } from './tls.js';

/** How the hub signs each request: an HMAC of "<timestamp>." + body in a header, with the timestamp in another. */
export interface SignatureOptions {
  /** Secret (env var, or <NAME>_FILE) shared with the partner. */
  secretEnv: string;
  algorithm: SignatureAlgorithm;
  /** The header carrying `<algorithm>=<hex>`. */
  header: string;
  /** The header carrying the Unix time in seconds the signature was made at. */
  timestampHeader: string;
}

/** Options of the https transport (config: partners.<id>.transport, besides `type: https`). */
export interface HttpsOptions extends TlsOptions {
  /** The partner's endpoint; every document is POSTed there. Only https. */
  url: string;
  signature?: SignatureOptions;
  /** Secret holding the whole Authorization header value, e.g. "Bearer <token>". */
  authorizationEnv?: string;
  /** Extra static headers (not secrets: they are in the config file); the transport's own headers cannot be set. */
  headers: Record<string, string>;
  /** Milliseconds a request may take, answer included, before it is abandoned (and retried by the caller). */
  timeoutMs: number;
  /** Longest Retry-After wait (of a 429 or 503) passed on to the caller's backoff; 0 ignores Retry-After. */
  maxRetryAfterSeconds: number;
  /** The partner's answer is read up to this many bytes; a longer one is a success without responseBody. */
  maxResponseBytes: number;
}

const ENV_NAME = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } as const;
const FILE = { type: 'string', minLength: 1 } as const;
const HEADER_NAME = { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" } as const;
/** Headers the transport sets itself or that belong to the connection: refused in `headers`. */
const OWN_HEADERS = [
  'authorization',
  'content-type',
  'content-length',
  'idempotency-key',
  'host',
  'connection',
  'transfer-encoding',
  'x-hub-message-id',
];
const USER_AGENT = 'b2b-hub-transport';
const HEALTH_TIMEOUT_MS = 10_000;

/**
 * HTTPS POST of the document's bytes to the partner's endpoint: TLS with the partner's CA or the system CAs,
 * an optional client certificate, an optional HMAC signature, the Idempotency-Key the partner must take once.
 * 2xx: sent, with the partner's answer returned; 408, 429, 5xx and no answer: retryable; another status, or a
 * certificate that does not verify: not (docs/outbound.md, "Partner transports").
 */
const httpsTransport: TransportDefinition<HttpsOptions> = {
  name: 'https',
  configSchema: {
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', pattern: '^https://[^\\s]+$' },
      caFile: FILE,
      certFile: FILE,
      keyFile: FILE,
      certEnv: ENV_NAME,
      keyEnv: ENV_NAME,
      passphraseEnv: ENV_NAME,
      signature: {
        type: 'object',
        additionalProperties: false,
        required: ['secretEnv'],
        properties: {
          secretEnv: ENV_NAME,
          algorithm: { enum: [...SIGNATURE_ALGORITHMS], default: 'sha256' },
          header: { ...HEADER_NAME, default: 'X-Hub-Signature' },
          timestampHeader: { ...HEADER_NAME, default: 'X-Hub-Timestamp' },
        },
      },
      authorizationEnv: ENV_NAME,
      headers: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 600_000, default: 30_000 },
      maxRetryAfterSeconds: { type: 'integer', minimum: 0, maximum: 86_400, default: 3600 },
      maxResponseBytes: { type: 'integer', minimum: 1024, maximum: 16 * 1024 * 1024, default: 1024 * 1024 },
    },
  },
  create(options, context) {
    checkPairs(options, context.setting);
    const url = new URL(options.url);
    const signing = options.signature;
    const reserved = new Set([...OWN_HEADERS, ...(signing ? [signing.header, signing.timestampHeader].map((h) => h.toLowerCase()) : [])]);
    checkHeaders(options.headers, reserved, `${context.setting}.headers`);
    const secret = signing ? requiredSecret(context, signing.secretEnv, `${context.setting}.signature.secretEnv`) : undefined;
    const authorization = options.authorizationEnv
      ? requiredSecret(context, options.authorizationEnv, `${context.setting}.authorizationEnv`)
      : undefined;
    const tlsOptions = agentTlsOptions(options, context);
    const agent = new https.Agent({ keepAlive: true, ...tlsOptions });
    // The query string may carry a token: messages name the origin and path only.
    const where = `https transport of ${context.partner}: POST ${url.origin}${url.pathname}`;
    const staticHeaders: Record<string, string> = { 'User-Agent': USER_AGENT, ...options.headers };
    if (authorization) staticHeaders.Authorization = authorization;
    const maxRetryAfterMs = options.maxRetryAfterSeconds * 1000;

    return {
      async send(document, sending) {
        throwIfSendAborted(sending.signal, where);
        if (document.partner !== context.partner) {
          throw transportRejected(`${where}: document ${document.messageId} is for partner ${document.partner}, not ${context.partner}`);
        }
        const what = `${where}: document ${document.documentType} ${document.documentNumber}`;
        const contentType = checkedContentType(document.contentType, what);
        const body = Buffer.from(document.body, 'utf8');
        // A fresh timestamp (and signature) per attempt keeps the partner's replay window short; the key stays.
        const timestamp = Math.floor(Date.now() / 1000);
        const headers: Record<string, string> = {
          ...staticHeaders,
          'Content-Type': contentType,
          'Content-Length': String(body.length),
          'Idempotency-Key': sending.idempotencyKey,
          'X-Hub-Message-Id': document.messageId,
          ...(signing && secret
            ? { [signing.timestampHeader]: String(timestamp), [signing.header]: signPayload(signing.algorithm, secret, timestamp, body) }
            : {}),
        };
        const timeout = AbortSignal.timeout(options.timeoutMs);
        const signal = AbortSignal.any([sending.signal, timeout]);
        const started = Date.now();
        let answer: HttpAnswer;
        try {
          answer = await send(url, { method: 'POST', headers, body, agent, signal, maxBodyBytes: options.maxResponseBytes });
        } catch (error) {
          throw noAnswerError(error, where, { timedOut: timeout.aborted, aborted: sending.signal.aborted, timeoutMs: options.timeoutMs });
        }
        if (answer.status < 200 || answer.status > 299) throw answerError(answer, where, maxRetryAfterMs);
        const answerType = headerText(answer.headers['content-type']);
        const { messageId, documentType, documentNumber } = document;
        const log = { messageId, documentType, documentNumber, attempt: sending.attempt, status: answer.status, ms: Date.now() - started };
        if (answer.truncated) {
          context.logger.warn({ ...log, maxResponseBytes: options.maxResponseBytes }, 'partner answer longer than maxResponseBytes: not kept');
        }
        context.logger.info(log, 'sent to partner over https');
        const kept = !answer.truncated && answer.body.length > 0;
        return {
          reference: referenceOf(answer),
          status: answer.status,
          ...(kept ? { responseBody: answer.body.toString('utf8') } : {}),
          ...(kept && answerType ? { contentType: answerType } : {}),
        };
      },
      /** Ok when a TLS connection to the partner's host verifies its certificate; no request is sent. */
      health: () => probeTls(url, tlsOptions, Math.min(options.timeoutMs, HEALTH_TIMEOUT_MS)),
      async close() {
        agent.destroy();
      },
    };
  },
};

function configError(setting: string, reason: string): HubError {
  return new HubError('HUB_ERR_CONFIG', `${setting}: ${reason}`);
}

/** A client certificate is a file or a secret, never both, and comes with its key (and the key with it). */
function checkPairs(options: HttpsOptions, setting: string): void {
  if (options.certFile && options.certEnv) throw configError(setting, 'set one of certFile and certEnv, not both');
  if (options.keyFile && options.keyEnv) throw configError(setting, 'set one of keyFile and keyEnv, not both');
  const cert = Boolean(options.certFile || options.certEnv);
  const key = Boolean(options.keyFile || options.keyEnv);
  if (cert && !key) throw configError(setting, 'a client certificate needs its key: set keyFile or keyEnv');
  if (key && !cert) throw configError(setting, 'a key without its client certificate: set certFile or certEnv');
  if (options.passphraseEnv && !key) throw configError(`${setting}.passphraseEnv`, 'set for no key');
}

function checkHeaders(headers: Record<string, string>, reserved: ReadonlySet<string>, setting: string): void {
  for (const [name, value] of Object.entries(headers)) {
    if (reserved.has(name.toLowerCase())) {
      const instead = name.toLowerCase() === 'authorization' ? '; put the value in a secret named by authorizationEnv' : '';
      throw configError(`${setting}.${name}`, `set by the transport itself${instead}`);
    }
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (error) {
      throw configError(`${setting}.${name}`, `not a valid HTTP header: ${(error as Error).message}`);
    }
  }
}

/** The document's media type as a header value; one that cannot be sent is the document's fault, not retried. */
function checkedContentType(contentType: string, what: string): string {
  try {
    if (!contentType.trim()) throw new Error('empty');
    validateHeaderValue('Content-Type', contentType);
    return contentType;
  } catch (error) {
    const reason = `${what}: its contentType ${JSON.stringify(contentType)} cannot be sent as a Content-Type (${(error as Error).message})`;
    throw transportRejected(reason, { cause: error });
  }
}

export default httpsTransport;
