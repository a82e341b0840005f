import type { ErrorCode } from '../errors/catalog.js';
import type { LookupTable } from './lookup-table.js';
import { displayPath } from './paths.js';

/**
 * The functions a mapping expression may call besides JSONata's own (docs/mapping.md documents each).
 * They throw MappingFunctionError; the evaluator adds file, field and document and turns it into a HubError.
 */
export class MappingFunctionError extends Error {
  constructor(
    readonly code: Extract<ErrorCode, 'HUB_ERR_MAPPING' | 'HUB_ERR_LOOKUP_MISSING'>,
    reason: string,
    readonly details: { lookup?: string; key?: string | string[] } = {},
  ) {
    super(reason);
    this.name = 'MappingFunctionError';
  }
}

/** Names of the custom functions, for the load-time check of function names. */
export const CUSTOM_FUNCTIONS = ['text', 'texts', 'num', 'date', 'lookup', 'lookupOr', 'lookupFirst', 'ids', 'decimalSum', 'fail'] as const;

/** Names the mapping file uses for its lookup tables (`items`, `parties`, ...) mapped to loaded tables. */
export type LookupTables = ReadonlyMap<string, LookupTable>;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:(?:T[\d:.]+)?(?:Z|[+-]\d{2}:\d{2})?)$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
/**
 * YYMMDD, the X12 date before 004010 (element 373, DT 6/6). The century follows the POSIX strptime %y window
 * (IEEE Std 1003.1): 69-99 are 1969-1999, 00-68 are 2000-2068. Fixed, not sliding, so a document maps the same
 * whenever it is mapped again.
 */
const SHORT_DATE = /^(\d{2})(\d{2})(\d{2})$/;
const century = (yy: string): string => (Number(yy) >= 69 ? `19${yy}` : `20${yy}`);

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isElementWithChildren(value: Record<string, unknown>): boolean {
  return Object.keys(value).some((key) => !key.startsWith('_'));
}

/** Text of one node; undefined for nothing or an empty element. */
function textOf(value: unknown, fn: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    if (value.length === 1) return textOf(value[0], fn);
    throw new MappingFunctionError('HUB_ERR_MAPPING', `$${fn}() got ${value.length} elements where one was expected; pick one (e.g. [0]) or use $texts()`);
  }
  if (typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if ('_text' in node) return textOf(node._text, fn);
    if (isElementWithChildren(node)) throw new MappingFunctionError('HUB_ERR_MAPPING', `$${fn}() got an element with child elements (${Object.keys(node).filter((k) => !k.startsWith('_')).slice(0, 3).join(', ')}), not a text value`);
    return undefined;
  }
  throw new MappingFunctionError('HUB_ERR_MAPPING', `$${fn}() cannot read text from ${describe(value)}`);
}

function nodes(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.flatMap((v) => nodes(v)) : [value];
}

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

/** Exact decimal sum of decimal strings/numbers (no binary floating-point drift: 4.25 + 5.97 = 10.22). */
function decimalSum(values: unknown[]): number {
  let scale = 0;
  const parts: string[] = [];
  for (const value of values) {
    const text = typeof value === 'number' ? String(value) : textOf(value, 'decimalSum');
    if (text === undefined) continue;
    if (!DECIMAL.test(text)) throw new MappingFunctionError('HUB_ERR_MAPPING', `$decimalSum() got ${describe(text)}, which is not a decimal number`);
    parts.push(text);
    scale = Math.max(scale, (text.split('.')[1] ?? '').length);
  }
  let total = 0n;
  for (const text of parts) {
    const negative = text.startsWith('-');
    const [whole = '0', fraction = ''] = text.replace(/^[+-]/, '').split('.');
    const scaled = BigInt((whole || '0') + fraction.padEnd(scale, '0'));
    total += negative ? -scaled : scaled;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return Number((negative ? '-' : '') + text);
}

/** JSONata's own $lookup(object, key), kept for objects: $lookup is overloaded on its first argument. */
function objectLookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const found = input.map((item) => objectLookup(item, key)).filter((v) => v !== undefined).flat();
    return found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
  }
  if (input && typeof input === 'object') return (input as Record<string, unknown>)[key];
  return undefined;
}

/**
 * What a lookup that finds no entry does instead of throwing: record the miss and give a stand-in value, so a
 * mapping run goes on and reports every missing cross-reference at once (src/mapping/evaluate.ts).
 */
export type MissingEntryHandler = (miss: MappingFunctionError) => string;

/**
 * Builds the custom functions for one document: they see the partner it came from and the mapping's tables.
 * Without `onMissing`, a lookup with no entry throws HUB_ERR_LOOKUP_MISSING at once.
 */
export function mappingFunctions(tables: LookupTables, partner: string, onMissing?: MissingEntryHandler): Record<string, (...args: never[]) => unknown> {
  const missing = (error: MappingFunctionError): string => {
    if (!onMissing) throw error;
    return onMissing(error);
  };
  const table = (name: unknown, fn: string): LookupTable => {
    const found = typeof name === 'string' ? tables.get(name) : undefined;
    if (!found) throw new MappingFunctionError('HUB_ERR_MAPPING', `$${fn}() names lookup ${describe(name)}, which this mapping does not declare under lookups (declared: ${[...tables.keys()].join(', ') || 'none'})`);
    return found;
  };
  const where = (t: LookupTable): string => `lookup "${t.name}" (${displayPath(t.file)}) for partner ${partner}`;

  const functions = {
    text: (value: unknown): string | undefined => textOf(value, 'text'),
    texts: (value: unknown, separator?: unknown): string[] | string | undefined => {
      const texts = nodes(value).map((n) => textOf(n, 'texts')).filter((t): t is string => t !== undefined);
      if (separator === undefined) return texts;
      return texts.length ? texts.join(String(separator)) : undefined;
    },
    num: (value: unknown): number | undefined => {
      const text = textOf(value, 'num');
      if (text === undefined) return undefined;
      if (!NUMBER.test(text)) throw new MappingFunctionError('HUB_ERR_MAPPING', `$num() got ${describe(text)}, which is not a number`);
      return Number(text);
    },
    // `centuryDigits`: the two century digits sent beside a YYMMDD date (X12 DTM05, element 624, before 004010);
    // anything else there (004010's DTM05 is a format qualifier such as D8) leaves the window to decide.
    date: (value: unknown, centuryDigits?: unknown): string | undefined => {
      const text = textOf(value, 'date');
      if (text === undefined) return undefined;
      const short = SHORT_DATE.exec(text);
      const given = typeof centuryDigits === 'string' && /^\d{2}$/.test(centuryDigits) ? centuryDigits : undefined;
      const year = (yy: string): string => (given ? `${given}${yy}` : century(yy));
      const match = ISO_DATE.exec(text) ?? COMPACT_DATE.exec(text) ?? (short ? [text, year(short[1]!), short[2]!, short[3]!] : null);
      if (!match || !validDate(match[1]!, match[2]!, match[3]!)) {
        throw new MappingFunctionError('HUB_ERR_MAPPING', `$date() got ${describe(text)}, which is not a date (YYYY-MM-DD, an xs:date or xs:dateTime, YYYYMMDD or YYMMDD)`);
      }
      return `${match[1]}-${match[2]}-${match[3]}`;
    },
    lookup: (name: unknown, key: unknown): unknown => {
      if (typeof name !== 'string') return objectLookup(name, String(key));
      const t = table(name, 'lookup');
      const text = textOf(key, 'lookup');
      if (text === undefined) throw new MappingFunctionError('HUB_ERR_MAPPING', `the document has no value to look up in ${where(t)}`, { lookup: name });
      const value = t.get(text, partner);
      if (value === undefined) return missing(new MappingFunctionError('HUB_ERR_LOOKUP_MISSING', `no entry for key "${text}" in ${where(t)}`, { lookup: name, key: text }));
      return value;
    },
    lookupOr: (name: unknown, key: unknown, fallback: unknown): unknown => {
      const t = table(name, 'lookupOr');
      const text = textOf(key, 'lookupOr');
      return (text === undefined ? undefined : t.get(text, partner)) ?? fallback;
    },
    lookupFirst: (name: unknown, keys: unknown): string => {
      const t = table(name, 'lookupFirst');
      const candidates = [...new Set(nodes(keys).map((k) => textOf(k, 'lookupFirst')).filter((k): k is string => k !== undefined))];
      if (candidates.length === 0) throw new MappingFunctionError('HUB_ERR_MAPPING', `the document has none of the identifiers this field is looked up by, in ${where(t)}`, { lookup: String(name) });
      for (const key of candidates) {
        const value = t.get(key, partner);
        if (value !== undefined) return value;
      }
      const shown = candidates.map((k) => `"${k}"`).join(', ');
      return missing(
        new MappingFunctionError('HUB_ERR_LOOKUP_MISSING', `no entry for ${candidates.length === 1 ? 'key' : 'any of the keys'} ${shown} in ${where(t)}`, {
          lookup: String(name),
          key: candidates.length === 1 ? candidates[0]! : candidates,
        }),
      );
    },
    ids: (value: unknown): { id: string; scheme?: string }[] => {
      const seen = new Set<string>();
      const out: { id: string; scheme?: string }[] = [];
      for (const node of nodes(value)) {
        const id = textOf(node, 'ids');
        if (id === undefined) continue;
        const rawScheme = node && typeof node === 'object' ? (node as Record<string, unknown>)._schemeID : undefined;
        const scheme = typeof rawScheme === 'string' && rawScheme !== '' ? rawScheme : undefined;
        const identity = `${scheme ?? ''}\u0000${id}`;
        if (seen.has(identity)) continue;
        seen.add(identity);
        out.push(scheme === undefined ? { id } : { id, scheme });
      }
      return out;
    },
    decimalSum: (values: unknown): number => decimalSum(nodes(values)),
    fail: (message: unknown): never => {
      throw new MappingFunctionError('HUB_ERR_MAPPING', typeof message === 'string' ? message : `$fail(${describe(message)})`);
    },
  } satisfies Record<(typeof CUSTOM_FUNCTIONS)[number], (...args: never[]) => unknown>;
  return functions;
}
