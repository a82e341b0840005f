import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { HubError } from '../errors/hub-error.js';
import { displayPath } from './paths.js';

/**
 * A cross-reference table: key -> value, each row optionally scoped to one partner. A row with a partner
 * applies only to documents from that partner and wins over a row without one, which applies to all.
 *
 * Files: CSV with a header row holding `key` and `value` (and optionally `partner`; other columns, such as
 * `name`, are for people and ignored), lines starting with `#` are comments. Or YAML: either a mapping
 * `key: value` (all partners) or a list of rows `{ key, value, partner? }`.
 */
export class LookupTable {
  private readonly shared = new Map<string, string>();
  private readonly byPartner = new Map<string, Map<string, string>>();

  constructor(
    /** Name the mappings use, e.g. `items`. */
    readonly name: string,
    /** Absolute path of the table file. */
    readonly file: string,
  ) {}

  /** Adds a row; returns false when the same partner + key is already there. */
  add(key: string, value: string, partner?: string): boolean {
    let rows = this.shared;
    if (partner) {
      rows = this.byPartner.get(partner) ?? new Map<string, string>();
      this.byPartner.set(partner, rows);
    }
    if (rows.has(key)) return false;
    rows.set(key, value);
    return true;
  }

  /**
   * The table read the other way (outbound: our SKU -> the partner's item number): the keys whose value is
   * `value` as seen by the partner, its own rows first, then the shared ones, each group in file order.
   */
  keysFor(value: string, partner: string): { key: string; shared: boolean }[] {
    const own = [...(this.byPartner.get(partner) ?? new Map<string, string>())].filter(([, v]) => v === value).map(([key]) => ({ key, shared: false }));
    const shared = [...this.shared].filter(([key, v]) => v === value && !this.byPartner.get(partner)?.has(key)).map(([key]) => ({ key, shared: true }));
    return [...own, ...shared];
  }

  /** The value for a key as seen by a partner, or undefined. */
  get(key: string, partner: string): string | undefined {
    return this.byPartner.get(partner)?.get(key) ?? this.shared.get(key);
  }

  get size(): number {
    let n = this.shared.size;
    for (const rows of this.byPartner.values()) n += rows.size;
    return n;
  }
}

function configError(file: string, reason: string): HubError {
  return new HubError('HUB_ERR_CONFIG', `lookup table ${displayPath(file)}: ${reason}`, { details: { file: displayPath(file) } });
}

/** Splits CSV text into records (RFC 4180: quoted fields, "" escapes, commas and newlines inside quotes). */
function parseCsv(text: string, file: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let atFieldStart = true;
  const endRecord = (): void => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0]!.trim() === '';
    const comment = fields[0]!.trimStart().startsWith('#');
    if (!blank && !comment) records.push({ line: recordLine, fields: fields.map((f) => f.trim()) });
    fields = [];
    field = '';
    atFieldStart = true;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      atFieldStart = true;
    } else if (c === '\n') {
      endRecord();
      line++;
      recordLine = line;
    } else if (c !== '\r') {
      field += c;
      if (c !== ' ' && c !== '\t') atFieldStart = false;
    }
  }
  if (quoted) throw configError(file, `unterminated quoted field starting on line ${recordLine}`);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

function fromCsv(table: LookupTable, text: string): void {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''), table.file);
  if (!header) throw configError(table.file, 'empty file (expected a header row with key,value and optionally partner)');
  const column = (name: string): number => header.fields.findIndex((f) => f.toLowerCase() === name);
  const keyAt = column('key');
  const valueAt = column('value');
  const partnerAt = column('partner');
  if (keyAt < 0 || valueAt < 0) throw configError(table.file, `the header row must name the columns key and value (found: ${header.fields.join(', ')})`);
  for (const row of rows) {
    if (row.fields.length !== header.fields.length) {
      throw configError(table.file, `line ${row.line} has ${row.fields.length} column(s), the header has ${header.fields.length}`);
    }
    const key = row.fields[keyAt]!;
    const value = row.fields[valueAt]!;
    const partner = partnerAt >= 0 ? row.fields[partnerAt]! : '';
    if (!key) throw configError(table.file, `line ${row.line}: empty key`);
    if (!value) throw configError(table.file, `line ${row.line}: empty value for key "${key}"`);
    if (!table.add(key, value, partner || undefined)) {
      throw configError(table.file, `line ${row.line}: duplicate key "${key}"${partner ? ` for partner ${partner}` : ' (for all partners)'}`);
    }
  }
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function fromYaml(table: LookupTable, text: string): void {
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (error) {
    throw configError(table.file, `not valid YAML: ${(error as Error).message}`);
  }
  if (Array.isArray(data)) {
    data.forEach((row: unknown, index) => {
      const r = (row ?? {}) as Record<string, unknown>;
      const key = scalar(r.key);
      const value = scalar(r.value);
      const partner = r.partner === undefined ? undefined : scalar(r.partner);
      if (!key || !value) throw configError(table.file, `row ${index + 1} needs a key and a value`);
      if (!table.add(key, value, partner || undefined)) throw configError(table.file, `row ${index + 1}: duplicate key "${key}"${partner ? ` for partner ${partner}` : ''}`);
    });
    return;
  }
  if (data && typeof data === 'object') {
    for (const [key, raw] of Object.entries(data)) {
      const value = scalar(raw);
      if (!value) throw configError(table.file, `key "${key}" needs a text value`);
      table.add(key, value);
    }
    return;
  }
  throw configError(table.file, 'expected a mapping of key: value, or a list of rows { key, value, partner }');
}

/** Reads and checks a lookup table file (.csv, .yaml or .yml). Throws HUB_ERR_CONFIG naming the file and reason. */
export function loadLookupTable(name: string, file: string): LookupTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw configError(file, 'file not found or not readable');
  }
  const table = new LookupTable(name, file);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') fromCsv(table, text);
  else if (ext === '.yaml' || ext === '.yml') fromYaml(table, text);
  else throw configError(file, 'unsupported file type (use .csv, .yaml or .yml)');
  return table;
}
