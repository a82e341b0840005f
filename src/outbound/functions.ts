import { MappingFunctionError } from '../mapping/functions.js';
import type { LookupTable } from '../mapping/lookup-table.js';
import { displayPath } from '../mapping/paths.js';

/** The hub functions an outbound mapping may call, besides JSONata's own. */
export const OUTBOUND_FUNCTIONS = ['partnerKey', 'partnerKeyOr', 'sharedKey', 'ediDate', 'ediTime', 'fail'] as const;

/** What a reverse lookup that finds no key does instead of throwing: record the miss, give a stand-in (evaluate.ts). */
export type MissHandler = (miss: MappingFunctionError) => string;

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new MappingFunctionError('HUB_ERR_MAPPING', `expected a text or a number, got ${JSON.stringify(value)}`);
}

function pattern(value: unknown, fn: string): RegExp | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new MappingFunctionError('HUB_ERR_MAPPING', `$${fn}()'s pattern must be a regular expression written as a string, got ${JSON.stringify(value)}`);
  try {
    return new RegExp(value);
  } catch (error) {
    throw new MappingFunctionError('HUB_ERR_MAPPING', `$${fn}()'s pattern ${JSON.stringify(value)} is not a regular expression: ${(error as Error).message}`);
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The functions of one outbound run: the cross-reference tables read the other way for the partner the document
 * goes to (our SKU -> the partner's item number, our party -> the partner's id), and the EDI date forms.
 */
export function outboundFunctions(tables: ReadonlyMap<string, LookupTable>, partner: string, onMissing: MissHandler): Record<string, (...args: never[]) => unknown> {
  const table = (name: unknown, fn: string): LookupTable => {
    const found = typeof name === 'string' ? tables.get(name) : undefined;
    if (!found) throw new MappingFunctionError('HUB_ERR_MAPPING', `$${fn}() names lookup ${JSON.stringify(name)}, which this mapping does not declare under lookups (declared: ${[...tables.keys()].join(', ') || 'none'})`);
    return found;
  };
  /** The first key for our value, in file order, among the partner's own rows (or the shared ones), matching the pattern. */
  const find = (name: unknown, value: unknown, re: RegExp | undefined, fn: string, shared: boolean): { t: LookupTable; ours: string | undefined; key: string | undefined } => {
    const t = table(name, fn);
    const ours = text(value);
    if (ours === undefined) return { t, ours, key: undefined };
    const key = t.keysFor(ours, partner).find((k) => k.shared === shared && (!re || re.test(k.key)))?.key;
    return { t, ours, key };
  };
  const where = (t: LookupTable): string => `lookup "${t.name}" (${displayPath(t.file)}) for partner ${partner}`;
  return {
    /** The partner's own id for our value (its rows of the table: its item number for our SKU, its id for our party). */
    partnerKey: (name: unknown, value: unknown, re?: unknown): string | undefined => {
      const { t, ours, key } = find(name, value, pattern(re, 'partnerKey'), 'partnerKey', false);
      if (ours === undefined) return undefined;
      if (key !== undefined) return key;
      return onMissing(
        new MappingFunctionError('HUB_ERR_LOOKUP_MISSING', `no key for our value "${ours}"${re ? ` matching /${String(re)}/` : ''} in ${where(t)}: add a row with the partner's own id for it`, { lookup: String(name), key: ours }),
      );
    },
    partnerKeyOr: (name: unknown, value: unknown, fallback: unknown, re?: unknown): unknown => find(name, value, pattern(re, 'partnerKeyOr'), 'partnerKeyOr', false).key ?? fallback,
    /** A key shared by every partner for our value (a GTIN for our SKU), when the table has one; nothing otherwise. */
    sharedKey: (name: unknown, value: unknown, re?: unknown): string | undefined => find(name, value, pattern(re, 'sharedKey'), 'sharedKey', true).key,
    /** 2026-12-02 -> 20261202 (CCYYMMDD, X12 DT 8 and EDIFACT 102) or 261202 (YYMMDD). */
    ediDate: (value: unknown, form?: unknown): string | undefined => {
      const date = text(value);
      if (date === undefined) return undefined;
      const m = ISO_DATE.exec(date);
      if (!m) throw new MappingFunctionError('HUB_ERR_MAPPING', `$ediDate() got ${JSON.stringify(date)}, which is not a date (YYYY-MM-DD)`);
      if (form === undefined || form === 'CCYYMMDD') return `${m[1]}${m[2]}${m[3]}`;
      if (form === 'YYMMDD') return `${m[1]!.slice(2)}${m[2]}${m[3]}`;
      throw new MappingFunctionError('HUB_ERR_MAPPING', `$ediDate()'s form must be 'CCYYMMDD' or 'YYMMDD', got ${JSON.stringify(form)}`);
    },
    /** An ISO date-time (or now when none) -> HHMM, in UTC. */
    ediTime: (value: unknown): string => {
      const at = value === undefined ? new Date() : new Date(String(value));
      if (Number.isNaN(at.getTime())) throw new MappingFunctionError('HUB_ERR_MAPPING', `$ediTime() got ${JSON.stringify(value)}, which is not a date-time`);
      return at.toISOString().slice(11, 16).replace(':', '');
    },
    fail: (message: unknown): never => {
      throw new MappingFunctionError('HUB_ERR_MAPPING', typeof message === 'string' ? message : `$fail(${JSON.stringify(message)})`);
    },
  };
}
