import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { isStoreUnavailable } from '../../errors/unavailable.js';
import { HubError } from '../../errors/hub-error.js';
import type { HubConfig } from '../../config/types.js';
import type { MappingRegistry } from '../../mapping/registry.js';
import { cxmlRefused, cxmlVersionOf, isCxmlRequest } from '../../xml/cxml-response.js';

/**
 * Whether the answer to a post is a cXML Response instead of JSON: the body is cXML, its partner sends cXML (a
 * format whose root is cXML), and the request does not ask for JSON (Accept: application/json without text/xml).
 */
export function answersInCxml(req: Request, mappings: Pick<MappingRegistry, 'get'>, config: Pick<HubConfig, 'partners'>): boolean {
  if (req.method !== 'POST' || req.principal?.role !== 'partner') return false;
  const partner = config.partners[req.principal.id];
  if (!partner?.formats.some((f) => mappings.get(f)?.rootElement === 'cXML')) return false;
  const accept = (req.get('accept') ?? '').toLowerCase();
  if (accept.includes('application/json') && !accept.includes('xml')) return false;
  return isCxmlRequest(Buffer.isBuffer(req.body) ? req.body : undefined, req.get('content-type'));
}

/**
 * Any error as the HubError the client sees: HubErrors as they are, body-parser errors as 4xx, PostgreSQL or
 * Redis out of reach as 503 (the outcome of a write may be unknown: the detail says a retry is safe), anything
 * else as HUB_ERR_INTERNAL (logged, never echoed).
 */
export function asHubError(error: unknown): { hubError: HubError; unexpected: boolean; storeDown: boolean } {
  if (error instanceof HubError) return { hubError: error, unexpected: false, storeDown: false };
  if (isBodyParserError(error)) return { hubError: fromBodyParser(error), unexpected: false, storeDown: false };
  if (isStoreUnavailable(error)) {
    const hubError = new HubError(
      'HUB_ERR_STORE_UNAVAILABLE',
      'The hub cannot reach its database or queue right now. Send the request again in a moment: if the hub did store your document, the same bytes again answer 200 with the original id, so nothing is accepted twice.',
    );
    return { hubError, unexpected: false, storeDown: true };
  }
  return { hubError: new HubError('HUB_ERR_INTERNAL', 'The hub hit an unexpected error; it has been logged.'), unexpected: true, storeDown: false };
}

/** Sends an error as application/problem+json (RFC 9457). Unexpected errors are logged, never echoed. */
export function problemHandler(logger: Logger, cxml?: { mappings: Pick<MappingRegistry, 'get'>; config: Pick<HubConfig, 'partners'> }) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { hubError, unexpected, storeDown } = asHubError(error);
    if (storeDown) {
      logger.error({ err: error, url: req.originalUrl }, 'store unavailable');
      res.set('Retry-After', '5');
    } else if (hubError.code === 'HUB_ERR_OVERLOADED') {
      logger.warn({ url: req.originalUrl }, 'overloaded: request refused before any work');
      res.set('Retry-After', '2');
    } else if (unexpected) logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unexpected error');
    if (hubError.status >= 500 && error instanceof HubError) logger.error({ err: error }, 'request failed');
    if (cxml && req.path === '/v1/documents' && answersInCxml(req, cxml.mappings, cxml.config)) {
      // A cXML client's refusal in cXML: the HTTP status as the Status code, the hub's words as its text.
      const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
      const reply = cxmlRefused({ status: hubError.status, code: hubError.code, detail: hubError.message, errors: hubError.errors }, { version: cxmlVersionOf(raw) });
      res.status(hubError.status).type(reply.contentType).send(reply.body);
      return;
    }
    const originalId = typeof hubError.details.originalId === 'string' ? hubError.details.originalId : undefined;
    res
      .status(hubError.status)
      .type('application/problem+json')
      .json({
        type: `https://b2b-hub.dev/errors/${hubError.code}`,
        title: hubError.title,
        status: hubError.status,
        code: hubError.code,
        detail: hubError.message,
        instance: req.originalUrl,
        ...(hubError.errors.length ? { errors: hubError.errors } : {}),
        ...(originalId ? { originalId, links: { original: `/v1/documents/${originalId}` } } : {}),
      });
  };
}

/** What the body parser (and zlib under it, for Content-Encoding gzip/deflate/br) throws: a 4xx status, maybe a type. */
interface BodyParserError {
  type?: string;
  status: number;
  limit?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const status = (error as BodyParserError | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function fromBodyParser(error: BodyParserError): HubError {
  if (error.type === 'entity.too.large') return new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', `The document is larger than the limit of ${error.limit} bytes.`);
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') return new HubError('HUB_ERR_UNSUPPORTED_MEDIA_TYPE', 'Unsupported content encoding or charset; send the XML as is or gzip-compressed.');
  return new HubError('HUB_ERR_BAD_REQUEST', 'The request body could not be read: it is cut short or is not in the Content-Encoding the request declares.');
}

/** 404 for every path no route takes, in the same problem shape. */
export function notFound(req: Request, _res: Response, next: NextFunction) {
  next(new HubError('HUB_ERR_NOT_FOUND', `No endpoint ${req.method} ${req.path}.`));
}
