import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { HubError } from '../../errors/hub-error.js';

/** Sends an error as application/problem+json (RFC 9457). Unexpected errors are logged, never echoed. */
export function problemHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    let hubError: HubError;
    if (error instanceof HubError) hubError = error;
    else if (isBodyParserError(error)) hubError = fromBodyParser(error);
    else if (isRedisUnavailable(error)) {
      logger.error({ err: error, url: req.originalUrl }, 'redis unavailable');
      res.set('Retry-After', '5');
      hubError = new HubError('HUB_ERR_STORE_UNAVAILABLE', 'The hub cannot reach its store right now; nothing was accepted. Send the document again in a moment.');
    } else {
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unexpected error');
      hubError = new HubError('HUB_ERR_INTERNAL', 'The hub hit an unexpected error; it has been logged.');
    }
    if (hubError.status >= 500 && error instanceof HubError) logger.error({ err: error }, 'request failed');
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
      });
  };
}

function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return error.name === 'MaxRetriesPerRequestError' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || /Connection is closed|Stream isn't writeable/.test(error.message);
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
