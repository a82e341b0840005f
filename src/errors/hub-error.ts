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

/**
 * A HubError by what it says, not by which class copy made it: an adapter loaded from elsewhere (its own
 * node_modules, another build) throws its own HubError class, which `instanceof` would not recognise. It is
 * one when it carries a catalog code and a boolean `retryable`.
 */
export function isHubErrorLike(error: unknown): error is Pick<HubError, 'code' | 'message' | 'retryable'> & { errors?: ErrorItem[]; details?: Record<string, unknown> } {
  if (error instanceof HubError) return true;
  const e = error as { code?: unknown; retryable?: unknown; message?: unknown } | null;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && e.code in ERROR_CATALOG && typeof e.retryable === 'boolean' && typeof e.message === 'string';
}

/** Whether the same work may succeed later: the error's own flag, and for anything that is no HubError, yes. */
export function isRetryable(error: unknown): boolean {
  return isHubErrorLike(error) ? error.retryable : true;
}

/** Describes any thrown value for logs and history without leaking a stack to users. */
export function errorSummary(error: unknown): { code: ErrorCode; message: string; errors?: ErrorItem[] } {
  if (isHubErrorLike(error)) {
    const errors = Array.isArray(error.errors) ? error.errors : [];
    return { code: error.code, message: error.message, ...(errors.length ? { errors } : {}) };
  }
  return { code: 'HUB_ERR_INTERNAL', message: 'unexpected error (see the hub log)' };
}
