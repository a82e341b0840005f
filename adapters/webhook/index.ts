import { readFileSync } from 'node:fs';
import http, { validateHeaderName, validateHeaderValue } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { ERP_MODULES, HubError, type AdapterContext, type AdapterDefinition, type CanonicalDocument, type DeliveryContext } from 'b2b-hub/adapter-kit';
import { answerError, referenceOf, transportError, type AnswerPolicy } from './answers.js';
import { send } from './http-call.js';
import { signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';

/** TLS settings for an https url: a private CA and/or a client certificate. */
export interface WebhookTlsOptions {
  /** PEM file of the CA(s) that signed the target's certificate; unset: Node's public roots. */
  caFile?: string;
  /** PEM client certificate presented to the target (with keyFile). */
  certFile?: string;
  /** PEM private key of certFile (unencrypted; keep it mode 0600). */
  keyFile?: string;
  /** Refuse a certificate that does not chain to the CA or name the host. Only false for a test bench. */
  rejectUnauthorized: boolean;
}

/** Options of the webhook adapter (config: adapters.<name>.options); paths are relative to the project root. */
export interface WebhookOptions {
  /** The endpoint every delivery is sent to (http or https). */
  url: string;
  /** HTTP method of a delivery. */
  method: 'POST' | 'PUT';
  /** Extra static headers (not secrets: they are in the config file); the hub's own headers cannot be set. */
  headers: Record<string, string>;
  /** Env var (or <NAME>_FILE) holding the whole Authorization header value, e.g. "Bearer <token>". */
  authorizationEnv?: string;
  /** Sign every request with X-Hub-Signature; false only where the target cannot check it (then say why). */
  signature: boolean;
  /** Env var (or <NAME>_FILE) holding the HMAC secret shared with the target; required while signing. */
  secretEnv?: string;
  /** Milliseconds a call may take before it is abandoned and retried. */
  timeoutMs: number;
  tls?: WebhookTlsOptions;
  /** Statuses retried with backoff besides every 5xx; another non-2xx fails the message. Never 401/403. */
  retryableStatuses: number[];
  /** Longest Retry-After wait (of a 429 or 503) passed on to the hub's backoff; 0 ignores Retry-After. */
  maxRetryAfterSeconds: number;
  /** Optional URL probed by the ops health check; no health check without it. */
  healthUrl?: string;
  healthMethod: 'GET' | 'HEAD';
}

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const HTTP_URL = '^https?://[^\\s]+$';
/** Headers the adapter sets itself, or that belong to the connection: refused in `headers`. */
const RESERVED_HEADERS = new Set([
  'authorization',
  'content-type',
  'content-length',
  'idempotency-key',
  'host',
  'connection',
  'transfer-encoding',
  'x-hub-message-id',
  TIMESTAMP_HEADER.toLowerCase(),
  SIGNATURE_HEADER.toLowerCase(),
]);
/** Answers longer than this are not read further (the reference is then "HTTP <status>"). */
const MAX_ANSWER_BYTES = 1024 * 1024;
const HEALTH_TIMEOUT_MS = 10_000;
const USER_AGENT = 'b2b-hub-webhook';

/**
 * Generic webhook: each delivery is one signed JSON request `{ messageId, partner, modules, document }` with
 * an Idempotency-Key the target must create once per (docs/adapter-webhook.md). 2xx: delivered; 408, 429, 5xx
 * and no answer: retried (429/503 pass their Retry-After on); any other answer fails the message with the
 * target's words in its history.
 */
const webhook: AdapterDefinition<WebhookOptions> = {
  name: 'webhook',
  modules: ERP_MODULES,
  configSchema: {
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', pattern: HTTP_URL },
      method: { enum: ['POST', 'PUT'], default: 'POST' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
      authorizationEnv: { type: 'string', pattern: ENV_NAME },
      signature: { type: 'boolean', default: true },
      secretEnv: { type: 'string', pattern: ENV_NAME },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 600_000, default: 30_000 },
      tls: {
        type: 'object',
        additionalProperties: false,
        properties: {
          caFile: { type: 'string', minLength: 1 },
          certFile: { type: 'string', minLength: 1 },
          keyFile: { type: 'string', minLength: 1 },
          rejectUnauthorized: { type: 'boolean', default: true },
        },
        dependencies: { certFile: ['keyFile'], keyFile: ['certFile'] },
      },
      retryableStatuses: {
        type: 'array',
        uniqueItems: true,
        // A refused credential stays refused: retrying 401/403 only delays the failure.
        items: { type: 'integer', minimum: 400, maximum: 599, not: { enum: [401, 403] } },
        default: [408, 429, 500, 502, 503, 504],
      },
      maxRetryAfterSeconds: { type: 'integer', minimum: 0, maximum: 86_400, default: 3600 },
      healthUrl: { type: 'string', pattern: HTTP_URL },
      healthMethod: { enum: ['GET', 'HEAD'], default: 'GET' },
    },
    // Signing is the default, and then the secret's env name is required.
    if: { properties: { signature: { const: false } }, required: ['signature'] },
    else: { required: ['secretEnv'] },
  },
  create(options, ctx) {
    const url = new URL(options.url);
    const healthUrl = options.healthUrl ? new URL(options.healthUrl) : undefined;
    const settings = `adapters.${ctx.name}.options`;
    if (options.tls && url.protocol !== 'https:') {
      throw configError(`${settings}.tls`, `set for an http url (${url.origin}); use https`);
    }
    checkHeaders(options.headers, `${settings}.headers`);
    const secret = options.signature ? requiredSecret(ctx, options.secretEnv!, `${settings}.secretEnv`) : undefined;
    const authorization = options.authorizationEnv
      ? requiredSecret(ctx, options.authorizationEnv, `${settings}.authorizationEnv`)
      : undefined;
    const agents = {
      'http:': new http.Agent({ keepAlive: true }),
      'https:': new https.Agent({ keepAlive: true, ...tlsSettings(options.tls, ctx.rootDir, `${settings}.tls`) }),
    };
    const agentFor = (target: URL) => agents[target.protocol as keyof typeof agents];
    // The query string may carry a token: messages name the origin and path only.
    const where = `webhook ${ctx.name}: ${options.method} ${url.origin}${url.pathname}`;
    const policy: AnswerPolicy = {
      retryableStatuses: new Set(options.retryableStatuses),
      maxRetryAfterMs: options.maxRetryAfterSeconds * 1000,
    };
    const staticHeaders: Record<string, string> = { 'User-Agent': USER_AGENT, ...options.headers };
    if (authorization) staticHeaders.Authorization = authorization;

    async function deliver(doc: CanonicalDocument, delivery: DeliveryContext) {
      const { messageId, partner, modules } = delivery;
      const body = Buffer.from(JSON.stringify({ messageId, partner, modules, document: doc }));
      // A fresh timestamp (and signature) per attempt keeps the target's replay window short; the key stays.
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = {
        ...staticHeaders,
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
        'Idempotency-Key': delivery.idempotencyKey,
        'X-Hub-Message-Id': messageId,
        [TIMESTAMP_HEADER]: String(timestamp),
        ...(secret ? { [SIGNATURE_HEADER]: signBody(secret, timestamp, body) } : {}),
      };
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = AbortSignal.any([delivery.signal, timeout]);
      const started = Date.now();
      let answer;
      try {
        const agent = agentFor(url);
        const maxBodyBytes = MAX_ANSWER_BYTES;
        answer = await send(url, { method: options.method, headers, body, agent, signal, maxBodyBytes });
      } catch (error) {
        const why = { timedOut: timeout.aborted, aborted: delivery.signal.aborted, timeoutMs: options.timeoutMs };
        throw transportError(error, where, why);
      }
      if (answer.status < 200 || answer.status > 299) throw answerError(answer, where, policy);
      const reference = referenceOf(answer);
      const ms = Date.now() - started;
      ctx.logger.info({ messageId, modules, status: answer.status, reference, ms }, 'delivered by webhook');
      return { reference };
    }

    async function health() {
      const target = healthUrl!;
      const probe = `${options.healthMethod} ${target.origin}${target.pathname}`;
      const signal = AbortSignal.timeout(Math.min(options.timeoutMs, HEALTH_TIMEOUT_MS));
      try {
        const agent = agentFor(target);
        const request = { method: options.healthMethod, headers: staticHeaders, agent, signal, maxBodyBytes: 1024 };
        const answer = await send(target, request);
        return { ok: answer.status >= 200 && answer.status < 300, detail: `${probe}: HTTP ${answer.status}` };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return { ok: false, detail: `${probe}: ${typeof code === 'string' ? code : (error as Error).message}` };
      }
    }

    return {
      deliver,
      ...(healthUrl ? { health } : {}),
      async close() {
        agents['http:'].destroy();
        agents['https:'].destroy();
      },
    };
  },
};

function configError(setting: string, reason: string, cause?: unknown): HubError {
  return new HubError('HUB_ERR_CONFIG', `${setting}: ${reason}`, cause === undefined ? {} : { cause });
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}

function requiredSecret(ctx: AdapterContext, name: string, setting: string): string {
  let value: string | undefined;
  try {
    value = ctx.secret(name);
  } catch (error) {
    throw configError(setting, `cannot read ${name}_FILE: ${errorCode(error)}`, error);
  }
  if (!value) throw configError(setting, `the secret ${name} (or ${name}_FILE) is not set`);
  return value;
}

function checkHeaders(headers: Record<string, string>, setting: string): void {
  for (const [name, value] of Object.entries(headers)) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      const authorization = name.toLowerCase() === 'authorization';
      const instead = authorization ? '; put the value in an env var named by authorizationEnv' : '';
      throw configError(`${setting}.${name}`, `set by the adapter itself${instead}`);
    }
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (error) {
      throw configError(`${setting}.${name}`, `not a valid HTTP header: ${(error as Error).message}`, error);
    }
  }
}

function tlsSettings(tls: WebhookTlsOptions | undefined, rootDir: string, setting: string): https.AgentOptions {
  if (!tls) return {};
  const read = (key: 'caFile' | 'certFile' | 'keyFile') => {
    const file = tls[key];
    if (!file) return {};
    try {
      // caFile replaces Node's public roots for this adapter: only the private CA is trusted.
      return { [key.replace(/File$/, '')]: readFileSync(path.resolve(rootDir, file)) };
    } catch (error) {
      throw configError(`${setting}.${key}`, `cannot read ${file}: ${errorCode(error)}`, error);
    }
  };
  return { rejectUnauthorized: tls.rejectUnauthorized, ...read('caFile'), ...read('certFile'), ...read('keyFile') };
}

export default webhook;
