import { CANONICAL_TYPES } from '../canonical/types.js';
import { HubError } from '../errors/hub-error.js';
import { MESSAGE_STATUSES } from '../store/message-store.js';

/** The query parameters a listing takes; anything else is a 400 that names it. */
export type ListParam = 'q' | 'documentNumber' | 'partner' | 'type' | 'status' | 'code' | 'from' | 'to' | 'limit' | 'cursor' | 'missing';

export interface ListQuery {
  q?: string;
  /** The document's own number only (q matches any business key). */
  documentNumber?: string;
  partner?: string;
  documentType?: string;
  status?: string;
  code?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
  missing?: 'shipnotice' | 'invoice';
}

function one(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new HubError('HUB_ERR_BAD_REQUEST', `Query parameter ${name} must be given once, as a plain value.`);
  return value;
}

function time(query: Record<string, unknown>, name: string): string | undefined {
  const value = one(query, name);
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new HubError('HUB_ERR_BAD_REQUEST', `Query parameter ${name} must be an ISO 8601 time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z (got "${value}").`);
  return new Date(ms).toISOString();
}

function choice<T extends string>(query: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const value = one(query, name);
  if (value !== undefined && !allowed.includes(value as T)) throw new HubError('HUB_ERR_BAD_REQUEST', `Query parameter ${name} must be one of ${allowed.join(', ')} (got "${value}").`);
  return value as T | undefined;
}

/** Reads and checks a listing's query: unknown parameters, bad values and a limit out of range are 400s. */
export function parseListQuery(query: Record<string, unknown>, allowed: readonly ListParam[], options: { partners?: readonly string[]; maxLimit?: number } = {}): ListQuery {
  const unknown = Object.keys(query).filter((k) => !(allowed as readonly string[]).includes(k));
  if (unknown.length) {
    const hint = unknown.includes('before') ? ' (paging by "before" was replaced by "cursor": pass the next.cursor of the previous page as it is)' : '';
    throw new HubError('HUB_ERR_BAD_REQUEST', `Unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; this listing takes ${allowed.join(', ')}${hint}.`);
  }
  const maxLimit = options.maxLimit ?? 1000;
  const limitText = one(query, 'limit');
  const limit = limitText === undefined ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new HubError('HUB_ERR_BAD_REQUEST', `limit must be an integer from 1 to ${maxLimit}.`);
  const from = time(query, 'from');
  const to = time(query, 'to');
  if (from && to && from >= to) throw new HubError('HUB_ERR_BAD_REQUEST', 'from must be earlier than to.');
  const q = one(query, 'q');
  if (q !== undefined && q.length > 512) throw new HubError('HUB_ERR_BAD_REQUEST', 'q is longer than any business key (512 characters).');
  const partner = options.partners ? choice(query, 'partner', options.partners) : one(query, 'partner');
  const documentType = choice(query, 'type', CANONICAL_TYPES);
  const status = choice(query, 'status', MESSAGE_STATUSES);
  const missing = choice(query, 'missing', ['shipnotice', 'invoice'] as const);
  const code = one(query, 'code');
  const documentNumber = one(query, 'documentNumber');
  const cursor = one(query, 'cursor');
  return {
    limit,
    ...(q !== undefined ? { q } : {}),
    ...(documentNumber !== undefined ? { documentNumber } : {}),
    ...(partner !== undefined ? { partner } : {}),
    ...(documentType !== undefined ? { documentType } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
    ...(missing !== undefined ? { missing } : {}),
  };
}
