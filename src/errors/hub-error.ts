import { ERROR_CATALOG, type ErrorCode } from './catalog.js';

/** One problem inside an error, e.g. one XSD violation with its position. */
export interface ErrorItem {
  message: string;
  line?: number;
  column?: number;
  /** A field path (canonical or mapping) the problem is about. */
  path?: string;
}

/** The only error type the hub throws on purpose. Anything else is a bug (HUB_ERR_INTERNAL). */
export class HubError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly errors: ErrorItem[];
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, detail: string, options: { errors?: ErrorItem[]; details?: Record<string, unknown>; retryable?: boolean; cause?: unknown } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    const spec = ERROR_CATALOG[code];
    this.name = 'HubError';
    this.code = code;
    this.status = spec.status;
    this.retryable = options.retryable ?? spec.retryable;
    this.errors = options.errors ?? [];
    this.details = options.details ?? {};
  }

  get title(): string {
    return ERROR_CATALOG[this.code].title;
  }
}

export function isHubError(error: unknown): error is HubError {
  return error instanceof HubError;
}

/** Describes any thrown value for logs and history without leaking a stack to users. */
export function errorSummary(error: unknown): { code: ErrorCode; message: string; errors?: ErrorItem[] } {
  if (error instanceof HubError) {
    return { code: error.code, message: error.message, ...(error.errors.length ? { errors: error.errors } : {}) };
  }
  return { code: 'HUB_ERR_INTERNAL', message: 'unexpected error (see the hub log)' };
}
