import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ErrorItem } from '../errors/hub-error.js';

/**
 * The cXML answer to a posted cXML document: `<cXML><Response><Status code text>message</Status></Response></cXML>`,
 * sent with Content-Type text/xml instead of the JSON body, the HTTP status unchanged. cXML clients (Ariba Network,
 * Coupa) read the Status code; it follows the HTTP status model (cXML User's Guide, "Status"):
 * - an accepted document is 201 Accepted: the hub has stored it and maps and delivers it later (cXML: "not yet
 *   processed"), not 200 OK, which says the request was processed; a re-sent document the hub already has is
 *   200 OK (nothing left to do for it);
 * - a refusal carries the HTTP status of its hub error (400, 401, 403, 409, 413, 415, 422, 429, 500, 503) and the
 *   hub's message, error code and problem lines as the Status text content.
 */

/** The cXML version of the DOCTYPE of answers when the request named none the hub knows. */
export const DEFAULT_CXML_VERSION = '1.2.063';
const MEDIA_TYPE = 'text/xml; charset=utf-8';
/** Bytes of the request looked at to tell a cXML document: the prolog (declaration, comments, DOCTYPE) is short. */
const SNIFF_BYTES = 4096;
const MAX_ITEMS = 20;

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface CxmlResponse {
  contentType: string;
  body: string;
}

export interface CxmlReplyOptions {
  /** The request's cXML version (cxmlVersionOf), for the answer's DOCTYPE. Default DEFAULT_CXML_VERSION. */
  version?: string;
  /** payloadID's host part. Default the machine's host name. */
  host?: string;
  /** The time of the answer (its timestamp). Default now. */
  now?: Date;
}

const PROLOG = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*(?:<\?xml[^>]*\?>)?(?:\s+|<!--[\s\S]*?-->|<\?[\s\S]*?\?>)*<(!DOCTYPE\s+cXML\b|cXML[\s>/])/;
const VERSION = /<!DOCTYPE\s+cXML\s+SYSTEM\s+["']https?:\/\/xml\.cxml\.org\/schemas\/cXML\/(\d+\.\d+\.\d+)\/[\w.]+\.dtd["']/i;

/** The first bytes of a body as text, markup at its place in UTF-8, latin1 and UTF-16 (NUL bytes dropped). */
function head(body: Uint8Array): string {
  const bytes = body.subarray(0, SNIFF_BYTES);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return text.replace(/\0/g, '').replace(/^(?:\u00FF\u00FE|\u00FE\u00FF)/, '');
}

/**
 * True when a request body is a cXML document: after the XML declaration, comments and processing instructions
 * comes `<!DOCTYPE cXML` or the `<cXML` root element. Decided from the body alone, so a malformed cXML post or one
 * sent as application/xml or text/plain is still answered in cXML; `contentType` only rules out bodies that
 * cannot be XML (multipart, JSON), whose refusal the client reads as sent.
 */
export function isCxmlRequest(body: Uint8Array | undefined, contentType?: string): boolean {
  if (!body || body.length === 0) return false;
  if (contentType && /^\s*(?:multipart\/|application\/json\b|application\/x-www-form-urlencoded\b)/i.test(contentType)) return false;
  return PROLOG.test(head(body));
}

/** The cXML version a request's DOCTYPE names (1.2.050), or undefined. */
export function cxmlVersionOf(body: Uint8Array | undefined): string | undefined {
  return body ? VERSION.exec(head(body))?.[1] : undefined;
}

function escapeXml(text: string): string {
  // Characters XML 1.0 cannot carry at all are dropped; markup characters escaped.
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A payloadID as cXML recommends: time, process, random, @host; unique across answers and machines. */
export function newPayloadId(now: Date, host: string): string {
  return `${now.getTime()}.${process.pid}.${randomBytes(6).toString('hex')}@${host.replace(/[^\w.-]/g, '') || 'hub'}`;
}

/** ISO 8601 with its offset and without fractions, as cXML writes timestamps: 2024-05-01T10:20:30+00:00. */
function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** The cXML Response document with one Status. */
export function cxmlStatusResponse(code: number, message: string, options: CxmlReplyOptions = {}): CxmlResponse {
  const now = options.now ?? new Date();
  const version = options.version && /^\d+\.\d+\.\d+$/.test(options.version) ? options.version : DEFAULT_CXML_VERSION;
  const text = REASONS[code] ?? (code < 300 ? 'OK' : code < 500 ? 'Bad Request' : 'Internal Server Error');
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/${version}/cXML.dtd">`,
    `<cXML payloadID="${escapeXml(newPayloadId(now, options.host ?? hostname()))}" timestamp="${timestamp(now)}" xml:lang="en-US">`,
    '  <Response>',
    `    <Status code="${code}" text="${escapeXml(text)}" xml:lang="en">${escapeXml(message)}</Status>`,
    '  </Response>',
    '</cXML>',
    '',
  ].join('\n');
  return { contentType: MEDIA_TYPE, body };
}

/** What the intake answered for an accepted document (the JSON body's fields). */
export interface AcceptedDocument {
  id: string;
  documentType: string;
  documentNumber: string;
  duplicate: boolean;
}

/** The answer to an accepted cXML document: 201 Accepted, or 200 OK for one the hub already had. */
export function cxmlAccepted(result: AcceptedDocument, options: CxmlReplyOptions = {}): CxmlResponse {
  const what = `${result.documentType} ${result.documentNumber}`;
  return result.duplicate
    ? cxmlStatusResponse(200, `${what} was already accepted as message ${result.id}; it is not processed again.`, options)
    : cxmlStatusResponse(201, `${what} accepted as message ${result.id}; the hub processes it now.`, options);
}

/** What the error handler knows of a refusal (the problem+json body's fields). */
export interface RefusedDocument {
  status: number;
  code: string;
  detail: string;
  errors?: readonly ErrorItem[];
}

/**
 * The answer to a refused cXML document: the HTTP status as the cXML code, the hub's message as the text, then
 * the error code and each problem (line, element path) on its own line, so a partner's cXML log shows what to fix.
 */
export function cxmlRefused(problem: RefusedDocument, options: CxmlReplyOptions = {}): CxmlResponse {
  const lines = [`${problem.code}: ${problem.detail}`];
  const items = problem.errors ?? [];
  for (const item of items.slice(0, MAX_ITEMS)) {
    const where = [item.line ? `line ${item.line}${item.column ? `:${item.column}` : ''}` : '', item.path ?? ''].filter(Boolean).join(' ');
    lines.push(`${where ? `${where}: ` : ''}${item.message}`);
  }
  if (items.length > MAX_ITEMS) lines.push(`(${items.length - MAX_ITEMS} more problem(s))`);
  return cxmlStatusResponse(problem.status, lines.join('\n'), options);
}
