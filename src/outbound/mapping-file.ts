import { readFileSync } from 'node:fs';
import path from 'node:path';
import jsonata from 'jsonata';
import YAML, { LineCounter } from 'yaml';
import { CANONICAL_TYPES, type CanonicalType } from '../canonical/types.js';
import { HubError } from '../errors/hub-error.js';
import { cachedTableLoader, JSONATA_BUILTINS, MappingFileProblem, scanAst, type TableLoader } from '../mapping/mapping-file.js';
import type { LookupTable } from '../mapping/lookup-table.js';
import { displayPath } from '../mapping/paths.js';
import { OUTBOUND_FUNCTIONS } from './functions.js';

/**
 * Outbound (reverse) mapping files: mappings/outbound/<format>.yaml turn a canonical document into a partner's
 * document, in the same declarative style as the inbound ones (JSONata expressions over the canonical document,
 * the same cross-reference tables read the other way). An XML format is a template of elements (`document:`); an
 * EDI format a list of segments and loops (`segments:`). docs/outbound.md, "Reverse mappings", is the reference.
 */

export type OutboundSyntax = 'xml' | 'x12' | 'edifact';

/** A compiled expression and where it came from (shown in errors). */
export interface Expr {
  source: string;
  path: string;
  expression: jsonata.Expression;
}

/** One element of an XML template: its text, attributes and children; repeated over `each`, kept only `when`. */
export interface XmlTemplate {
  name: string;
  path: string;
  each?: Expr;
  when?: Expr;
  text?: Expr;
  attributes: ReadonlyArray<readonly [string, Expr]>;
  children: readonly XmlTemplate[];
}

/** An element of an EDI segment template: an expression, empty (null), or a composite of components. */
export type EdiElementTemplate = Expr | null | ReadonlyArray<Expr | null>;

/** A segment of an EDI template, or a loop of segments repeated over `each`. */
export type EdiTemplate =
  | { kind: 'segment'; id: string; path: string; when?: Expr; elements: readonly EdiElementTemplate[] }
  | { kind: 'loop'; path: string; each: Expr; when?: Expr; segments: readonly EdiTemplate[] };

/** The envelope facts of an EDI outbound format: which transaction it is and in which version. */
export interface OutboundEdi {
  /** X12 ST01 (850) or EDIFACT UNH 0065 (ORDERS). */
  transactionSet: string;
  /** X12 GS08 / ST03 (004010, 005010) or EDIFACT version+release (D96A, D01B). */
  version: string;
  /** X12 GS01 functional identifier (PO, PR, SH, IN); EDIFACT: none. */
  functionalGroup?: string;
  /** EDIFACT UNH 0057 association assigned code (EAN008 ...), when used. */
  association?: string;
}

/** A compiled outbound mapping file. */
export interface OutboundMapping {
  name: string;
  file: string;
  description?: string;
  documentType: CanonicalType;
  syntax: OutboundSyntax;
  /** The MIME type of the built document. */
  contentType: string;
  /** XSD or DTD the built document is validated against before it leaves (XML formats). */
  schemaPath?: string;
  schemaLanguage?: 'xsd' | 'dtd';
  /** The DOCTYPE written before the root (cXML): `<!DOCTYPE root SYSTEM "systemId">`. */
  doctypeSystemId?: string;
  tables: ReadonlyMap<string, LookupTable>;
  xml?: { root: XmlTemplate; namespaces: Readonly<Record<string, string>> };
  edi?: OutboundEdi & { segments: readonly EdiTemplate[] };
}

const TOP_LEVEL_KEYS = ['format', 'description', 'direction', 'documentType', 'syntax', 'contentType', 'schema', 'dtd', 'doctype', 'lookups', 'xml', 'document', 'x12', 'edifact', 'segments'];
const CONTENT_TYPES: Record<OutboundSyntax, string> = { xml: 'application/xml', x12: 'application/edi-x12', edifact: 'application/edifact' };
/** Variables every outbound expression sees besides the functions: the whole document, the partner, our company. */
export const OUTBOUND_VARIABLES = ['root', 'partner', 'company'];
const ELEMENT_NAME = /^([A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*$/;
const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;

interface Ctx {
  problem: MappingFileProblem;
  tables: ReadonlyMap<string, LookupTable>;
}

function compile(source: unknown, field: string, yamlPath: (string | number)[], ctx: Ctx): Expr {
  if (typeof source === 'number' || typeof source === 'boolean') source = JSON.stringify(source);
  if (typeof source !== 'string' || source.trim() === '') throw ctx.problem.error(`expected a JSONata expression written as a string (quote constants: "'SA'"), got ${JSON.stringify(source)}`, yamlPath, field);
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source);
  } catch (error) {
    const e = error as { message?: string; position?: number };
    throw ctx.problem.error(`expression ${JSON.stringify(source)} does not compile: ${e.message ?? String(error)}${e.position !== undefined ? ` (at character ${e.position})` : ''}`, yamlPath, field);
  }
  const { called, defined, tables } = scanAst(expression.ast());
  for (const name of called) {
    const known = JSONATA_BUILTINS.has(name) || (OUTBOUND_FUNCTIONS as readonly string[]).includes(name) || defined.has(name) || OUTBOUND_VARIABLES.includes(name);
    if (!known) throw ctx.problem.error(`expression calls $${name}(), which is neither a JSONata function nor an outbound hub function (${OUTBOUND_FUNCTIONS.map((f) => `$${f}`).join(', ')})`, yamlPath, field);
  }
  for (const table of tables) {
    if (!ctx.tables.has(table)) throw ctx.problem.error(`expression uses lookup "${table}", which is not declared under lookups (declared: ${[...ctx.tables.keys()].join(', ') || 'none'})`, yamlPath, field);
  }
  return { source, path: field, expression };
}

/** An element's template: a string (its text), a list (the element repeated, one template each) or a mapping. */
function compileElements(name: string, value: unknown, parent: string, yamlPath: (string | number)[], ctx: Ctx): XmlTemplate[] {
  if (!ELEMENT_NAME.test(name)) throw ctx.problem.error(`"${name}" is not an element name (prefix:local), an attribute (@name), the text (#), $each or $when`, yamlPath);
  const at = parent ? `${parent}/${name}` : name;
  if (Array.isArray(value)) return value.flatMap((item, i) => compileElements(name, item, parent, [...yamlPath, i], ctx));
  if (typeof value === 'string' || typeof value === 'number') return [{ name, path: at, text: compile(value, at, yamlPath, ctx), attributes: [], children: [] }];
  if (!value || typeof value !== 'object') throw ctx.problem.error(`element ${name}: expected an expression, a list or a mapping of its content, got ${JSON.stringify(value)}`, yamlPath, at);
  const spec = value as Record<string, unknown>;
  const attributes: [string, Expr][] = [];
  const children: XmlTemplate[] = [];
  let text: Expr | undefined;
  let each: Expr | undefined;
  let when: Expr | undefined;
  for (const [key, child] of Object.entries(spec)) {
    const childPath = [...yamlPath, key];
    if (key === '$each') each = compile(child, `${at} ($each)`, childPath, ctx);
    else if (key === '$when') when = compile(child, `${at} ($when)`, childPath, ctx);
    else if (key === '#') text = compile(child, at, childPath, ctx);
    else if (key.startsWith('@')) attributes.push([key.slice(1), compile(child, `${at}/${key}`, childPath, ctx)]);
    else children.push(...compileElements(key, child, at, childPath, ctx));
  }
  if (text && children.length) throw ctx.problem.error(`element ${name} has both text (#) and child elements`, yamlPath, at);
  return [{ name, path: at, ...(each ? { each } : {}), ...(when ? { when } : {}), ...(text ? { text } : {}), attributes, children }];
}

function compileSegments(value: unknown, parent: string, yamlPath: (string | number)[], ctx: Ctx): EdiTemplate[] {
  if (!Array.isArray(value)) throw ctx.problem.error('segments must be a list of segments ({ BEG: [elements] }) and loops ({ $each, segments })', yamlPath);
  return value.map((item, i) => {
    const at = [...yamlPath, i];
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw ctx.problem.error('a segment is { ID: [elements] } (with an optional $when); a loop is { $each, segments }', at);
    const spec = item as Record<string, unknown>;
    const when = spec.$when === undefined ? undefined : compile(spec.$when, `${parent}[${i}] ($when)`, [...at, '$when'], ctx);
    if ('segments' in spec || '$each' in spec) {
      const extra = Object.keys(spec).filter((k) => !['$each', '$when', 'segments'].includes(k));
      if (extra.length || spec.$each === undefined) throw ctx.problem.error(`a loop is { $each, segments, $when? } and nothing else (found ${extra.join(', ') || 'no $each'})`, at);
      const path = `${parent}[${i}]`;
      return { kind: 'loop', path, each: compile(spec.$each, `${path} ($each)`, [...at, '$each'], ctx), ...(when ? { when } : {}), segments: compileSegments(spec.segments, path, [...at, 'segments'], ctx) };
    }
    const ids = Object.keys(spec).filter((k) => k !== '$when');
    if (ids.length !== 1 || !SEGMENT_ID.test(ids[0]!)) throw ctx.problem.error(`a segment is one segment id (two or three capitals: BEG, PO1, NAD) with its list of elements; found ${ids.join(', ') || 'none'}`, at);
    const id = ids[0]!;
    const elements = spec[id];
    if (!Array.isArray(elements)) throw ctx.problem.error(`segment ${id}: its elements are a list (null for an empty one)`, [...at, id]);
    const path = `${id}`;
    const compiled = elements.map((element, n): EdiElementTemplate => {
      const where = `${id}${String(n + 1).padStart(2, '0')}`;
      if (element === null) return null;
      if (Array.isArray(element)) return element.map((c, k) => (c === null ? null : compile(c, `${where}-${k + 1}`, [...at, id, n, k], ctx)));
      return compile(element, where, [...at, id, n], ctx);
    });
    return { kind: 'segment', id, path, ...(when ? { when } : {}), elements: compiled };
  });
}

function str(spec: Record<string, unknown>, key: string, problem: MappingFileProblem, yamlPath: (string | number)[] = [key]): string {
  const value = spec[key];
  if (typeof value !== 'string' || value.trim() === '') throw problem.error(`${key} must be a non-empty string`, yamlPath);
  return value;
}

/** Reads, checks and compiles one outbound mapping file; HUB_ERR_CONFIG names the file, line and reason. */
export function loadOutboundMapping(file: string, loadTable: TableLoader = cachedTableLoader()): OutboundMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new HubError('HUB_ERR_CONFIG', `outbound mapping ${displayPath(file)}: file not readable`, { details: { file: displayPath(file) } });
  }
  const lines = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problem = new MappingFileProblem(file, doc, lines);
  if (doc.errors.length) throw problem.error(`not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const spec = doc.toJS() as Record<string, unknown>;
  if (!spec || typeof spec !== 'object') throw problem.error('an outbound mapping file is a YAML mapping');
  const unknown = Object.keys(spec).filter((k) => !TOP_LEVEL_KEYS.includes(k));
  if (unknown.length) throw problem.error(`unknown key(s) ${unknown.join(', ')}; an outbound mapping has ${TOP_LEVEL_KEYS.join(', ')}`, [unknown[0]!]);
  const name = path.basename(file).replace(/\.ya?ml$/, '');
  if (spec.format !== name) throw problem.error(`format must be "${name}", the file's name`, ['format']);
  if (spec.direction !== 'outbound') throw problem.error('direction must be "outbound" (this folder holds the mappings from canonical documents to partner formats)', ['direction']);
  const documentType = str(spec, 'documentType', problem) as CanonicalType;
  if (!CANONICAL_TYPES.includes(documentType)) throw problem.error(`documentType must be one of ${CANONICAL_TYPES.join(', ')}`, ['documentType']);
  const syntax = str(spec, 'syntax', problem) as OutboundSyntax;
  if (!['xml', 'x12', 'edifact'].includes(syntax)) throw problem.error('syntax must be xml, x12 or edifact', ['syntax']);
  const dir = path.dirname(file);
  const tables = new Map<string, LookupTable>();
  const lookups = (spec.lookups ?? {}) as Record<string, unknown>;
  for (const [table, tableFile] of Object.entries(lookups)) {
    if (typeof tableFile !== 'string') throw problem.error(`lookups.${table} must be a file path`, ['lookups', table]);
    tables.set(table, loadTable(table, path.resolve(dir, tableFile)));
  }
  const ctx: Ctx = { problem, tables };
  const base = {
    name,
    file,
    ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
    documentType,
    syntax,
    contentType: typeof spec.contentType === 'string' ? spec.contentType : CONTENT_TYPES[syntax],
    tables,
  };
  if (syntax === 'xml') {
    for (const key of ['x12', 'edifact', 'segments']) if (key in spec) throw problem.error(`${key} is for EDI formats; an XML format has xml and document`, [key]);
    const xml = (spec.xml ?? {}) as Record<string, unknown>;
    const root = str(xml, 'root', problem, ['xml', 'root']);
    const namespaces = (xml.namespaces ?? {}) as Record<string, string>;
    const schemaKey = 'schema' in spec ? 'schema' : 'dtd' in spec ? 'dtd' : undefined;
    if (!schemaKey) throw problem.error('an XML outbound format names the schema (XSD) or dtd its documents are checked against before they leave', []);
    const documentSpec = spec.document;
    if (!documentSpec || typeof documentSpec !== 'object' || Array.isArray(documentSpec)) throw problem.error('document must be a mapping of the root element\'s content', ['document']);
    const [template] = compileElements(root, documentSpec, '', ['document'], ctx);
    const doctype = spec.doctype as { systemId?: unknown } | undefined;
    return {
      ...base,
      schemaPath: path.resolve(dir, str(spec, schemaKey, problem)),
      schemaLanguage: schemaKey === 'schema' ? 'xsd' : 'dtd',
      ...(doctype && typeof doctype.systemId === 'string' ? { doctypeSystemId: doctype.systemId } : {}),
      xml: { root: template!, namespaces },
    };
  }
  const envelope = (spec[syntax] ?? {}) as Record<string, unknown>;
  const edi: OutboundEdi = {
    transactionSet: str(envelope, syntax === 'x12' ? 'transactionSet' : 'message', problem, [syntax]),
    version: str(envelope, 'version', problem, [syntax]),
    ...(typeof envelope.functionalGroup === 'string' ? { functionalGroup: envelope.functionalGroup } : {}),
    ...(typeof envelope.association === 'string' ? { association: envelope.association } : {}),
  };
  if (syntax === 'x12' && !edi.functionalGroup) throw problem.error('x12.functionalGroup (GS01: PO, PR, SH, IN ...) is required', ['x12']);
  return { ...base, edi: { ...edi, segments: compileSegments(spec.segments, '', ['segments'], ctx) } };
}
