import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import jsonata from 'jsonata';
import YAML, { LineCounter, isMap } from 'yaml';
import { CANONICAL_TYPES, type CanonicalType } from '../canonical/types.js';
import { HubError } from '../errors/hub-error.js';
import { CUSTOM_FUNCTIONS } from './functions.js';
import { loadLookupTable, type LookupTable } from './lookup-table.js';
import { displayPath } from './paths.js';
import type { EdiFormat, FormatDefinition, FormatSyntax, SchemaLanguage } from './registry.js';

/** A compiled field of the `canonical:` tree. `path` is the field as shown in errors (`lines[].sku`). */
export type FieldNode =
  | { kind: 'expression'; path: string; source: string; expression: jsonata.Expression }
  | { kind: 'object'; path: string; fields: ReadonlyArray<readonly [string, FieldNode]> }
  | { kind: 'each'; path: string; source: string; each: jsonata.Expression; fields: ReadonlyArray<readonly [string, FieldNode]> };

/** A mapping file, checked and compiled: the format it defines, its lookup tables and its field tree. */
export interface CompiledMapping extends FormatDefinition {
  description?: string;
  tables: ReadonlyMap<string, LookupTable>;
  canonical: ReadonlyArray<readonly [string, FieldNode]>;
  /** kind -> JSONata over the canonical document, giving a string or a list of strings (business keys). */
  businessKeys: ReadonlyArray<{ kind: string; source: string; expression: jsonata.Expression }>;
}

/** The key kinds the hub itself reads: links and the chain view are made from these. */
export const STANDARD_KEY_KINDS = ['documentNumber', 'orderReference', 'despatchReference', 'buyerId', 'sellerId', 'buyerPartyId', 'sellerPartyId'] as const;

const TOP_LEVEL_KEYS = ['format', 'description', 'syntax', 'documentType', 'detect', 'schema', 'dtd', 'doctype', 'documentNumber', 'sender', 'lookups', 'canonical', 'businessKeys'];
const DETECT_KEYS = ['root', 'namespace', 'path'];
const EDI_DETECT_KEYS = ['transactionSet', 'versions', 'when'];
const SYNTAX_NAMES: readonly FormatSyntax[] = ['xml', 'x12', 'edifact'];
const DOCTYPE_KEYS = ['systemIds'];
/** An absolute element path of local names, e.g. /cXML/Request/OrderRequest. */
const ELEMENT_PATH = /^(\/[A-Za-z_][\w.-]*)+$/;
/** A DOCTYPE system id as written between its quotes: no quotes, whitespace or control characters. */
const SYSTEM_ID = /^[^\s"'<>\u0000-\u001f\u007f]{1,500}$/;
/** Variables the evaluator binds for every expression besides the functions. */
export const BOUND_VARIABLES = ['root', 'partner'];
export const JSONATA_BUILTINS = new Set(
  ('sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim pad match contains replace split join ' +
    'formatNumber formatBase formatInteger parseInteger number floor ceil round abs sqrt power random boolean not map zip filter single reduce sift ' +
    'keys lookup append exists spread merge reverse each error assert type sort shuffle distinct base64encode base64decode encodeUrlComponent encodeUrl ' +
    'decodeUrlComponent decodeUrl eval toMillis fromMillis clone now millis').split(' '),
);
const LOOKUP_FUNCTIONS = new Set(['lookup', 'lookupOr', 'lookupFirst', 'partnerKey', 'partnerKeyOr', 'sharedKey']);

/** Loads one lookup table once even when several mappings use it. */
export type TableLoader = (name: string, file: string) => LookupTable;

export function cachedTableLoader(): TableLoader {
  const cache = new Map<string, LookupTable>();
  return (name, file) => {
    const key = `${name}\u0000${file}`;
    let table = cache.get(key);
    if (!table) {
      table = loadLookupTable(name, file);
      cache.set(key, table);
    }
    return table;
  };
}

/** What a load-time problem is about, so the message can name the field and the YAML line. */
export class MappingFileProblem {
  constructor(
    readonly file: string,
    private readonly doc: YAML.Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  error(reason: string, yamlPath: (string | number)[] = [], field?: string): HubError {
    const node = yamlPath.length ? this.doc.getIn(yamlPath, true) : undefined;
    const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
    const line = offset === undefined ? undefined : this.lines.linePos(offset).line;
    const where = `${displayPath(this.file)}${line ? ` (line ${line})` : ''}`;
    return new HubError('HUB_ERR_CONFIG', `mapping ${where}${field ? `, field ${field}` : ''}: ${reason}`, {
      details: { file: displayPath(this.file), ...(field ? { field } : {}), ...(line ? { line } : {}) },
      ...(field ? { errors: [{ path: field, message: reason, ...(line ? { line } : {}) }] } : {}),
    });
  }
}

interface AstNode {
  type?: string;
  value?: unknown;
  procedure?: AstNode;
  arguments?: AstNode[];
  lhs?: unknown;
  [key: string]: unknown;
}

/** Every function called, every variable assigned or taken as a lambda parameter, every lookup table named. */
export function scanAst(root: unknown): { called: Set<string>; defined: Set<string>; tables: Set<string>; dynamicTable: string | undefined } {
  const called = new Set<string>();
  const defined = new Set<string>();
  const tables = new Set<string>();
  let dynamicTable: string | undefined;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const node = value as AstNode;
    if ((node.type === 'function' || node.type === 'partial') && node.procedure?.type === 'variable' && typeof node.procedure.value === 'string') {
      const name = node.procedure.value;
      called.add(name);
      if (LOOKUP_FUNCTIONS.has(name)) {
        const first = node.arguments?.[0];
        if (first?.type === 'string' && typeof first.value === 'string') tables.add(first.value);
        else if (name !== 'lookup') dynamicTable = name;
      }
    }
    if (node.type === 'bind' && (node.lhs as AstNode | undefined)?.type === 'variable') defined.add(String((node.lhs as AstNode).value));
    if (node.type === 'lambda') for (const arg of node.arguments ?? []) if (arg.type === 'variable') defined.add(String(arg.value));
    for (const child of Object.values(node)) if (child && typeof child === 'object') visit(child);
  };
  visit(root);
  return { called, defined, tables, dynamicTable };
}

interface CompileContext {
  problem: MappingFileProblem;
  tables: ReadonlyMap<string, LookupTable>;
  documentType: CanonicalType;
}

function compileExpression(source: string, field: string, yamlPath: (string | number)[], ctx: CompileContext): jsonata.Expression {
  let expression: jsonata.Expression;
  try {
    expression = jsonata(source);
  } catch (error) {
    const e = error as { message?: string; position?: number; code?: string };
    throw ctx.problem.error(`expression ${JSON.stringify(source)} does not compile: ${e.message ?? String(error)}${e.position !== undefined ? ` (at character ${e.position})` : ''}`, yamlPath, field);
  }
  const { called, defined, tables, dynamicTable } = scanAst(expression.ast());
  for (const name of called) {
    const known = JSONATA_BUILTINS.has(name) || (CUSTOM_FUNCTIONS as readonly string[]).includes(name) || defined.has(name) || BOUND_VARIABLES.includes(name);
    if (!known) throw ctx.problem.error(`expression calls $${name}(), which is neither a JSONata function nor a hub function (${CUSTOM_FUNCTIONS.map((f) => `$${f}`).join(', ')})`, yamlPath, field);
  }
  if (dynamicTable) throw ctx.problem.error(`$${dynamicTable}() must name its lookup table as a literal string, e.g. $${dynamicTable}('items', ...)`, yamlPath, field);
  for (const table of tables) {
    if (!ctx.tables.has(table)) throw ctx.problem.error(`expression uses lookup "${table}", which is not declared under lookups (declared: ${[...ctx.tables.keys()].join(', ') || 'none'})`, yamlPath, field);
  }
  return expression;
}

function compileFields(value: unknown, parentPath: string, yamlPath: (string | number)[], ctx: CompileContext): [string, FieldNode][] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw ctx.problem.error('expected a mapping of field names to expressions', yamlPath, parentPath || undefined);
  return Object.entries(value as Record<string, unknown>).map(([key, child]) => {
    const fieldPath = parentPath ? `${parentPath}.${key}` : key;
    return [key, compileField(child, fieldPath, [...yamlPath, key], ctx)] as [string, FieldNode];
  });
}

function compileField(value: unknown, fieldPath: string, yamlPath: (string | number)[], ctx: CompileContext): FieldNode {
  if (typeof value === 'string') {
    if (value.trim() === '') throw ctx.problem.error('empty expression', yamlPath, fieldPath);
    return { kind: 'expression', path: fieldPath, source: value, expression: compileExpression(value, fieldPath, yamlPath, ctx) };
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const spec = value as Record<string, unknown>;
    if ('each' in spec || 'fields' in spec) {
      const extra = Object.keys(spec).filter((k) => k !== 'each' && k !== 'fields');
      if (typeof spec.each !== 'string' || !spec.fields || extra.length) {
        throw ctx.problem.error('a list field is { each: <expression giving the source elements>, fields: { ... } } and nothing else', yamlPath, fieldPath);
      }
      const itemPath = `${fieldPath}[]`;
      return {
        kind: 'each',
        path: fieldPath,
        source: spec.each,
        each: compileExpression(spec.each, `${fieldPath} (each)`, [...yamlPath, 'each'], ctx),
        fields: compileFields(spec.fields, itemPath, [...yamlPath, 'fields'], ctx),
      };
    }
    return { kind: 'object', path: fieldPath, fields: compileFields(value, fieldPath, yamlPath, ctx) };
  }
  throw ctx.problem.error(`a field is a JSONata expression written as a string (quote constants: "'SELF'"), a nested mapping, or { each, fields }; got ${JSON.stringify(value)}`, yamlPath, fieldPath);
}

function requireString(record: Record<string, unknown>, key: string, problem: MappingFileProblem, yamlPath: string[], allowEmpty = false): string {
  const value = record[key];
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) throw problem.error(`${yamlPath.concat(key).join('.')} must be a${allowEmpty ? '' : ' non-empty'} string`, yamlPath.length ? yamlPath : [key]);
  return value;
}

/** Reads, checks and compiles one mapping file. Throws HUB_ERR_CONFIG naming the file, the field and the reason. */
export function loadMappingFile(file: string, loadTable: TableLoader = cachedTableLoader()): CompiledMapping {
  const lines = new LineCounter();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new HubError('HUB_ERR_CONFIG', `mapping ${displayPath(file)}: file not readable`, { details: { file: displayPath(file) } });
  }
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problem = new MappingFileProblem(file, doc, lines);
  if (doc.errors.length) {
    const first = doc.errors[0]!;
    throw problem.error(`not valid YAML: ${first.message.split('\n')[0]} (line ${first.linePos?.[0]?.line ?? '?'})`);
  }
  if (!isMap(doc.contents)) throw problem.error('expected a YAML mapping at the top level');
  const data = doc.toJS() as Record<string, unknown>;
  const unknown = Object.keys(data).filter((k) => !TOP_LEVEL_KEYS.includes(k));
  if (unknown.length) throw problem.error(`unknown key(s) ${unknown.join(', ')}; allowed: ${TOP_LEVEL_KEYS.join(', ')}`, [unknown[0]!]);

  const name = path.basename(file).replace(/\.ya?ml$/, '');
  const format = requireString(data, 'format', problem, []);
  if (format !== name) throw problem.error(`format is "${format}" but the file is named ${path.basename(file)}; they must match`, ['format']);
  const documentType = data.documentType as CanonicalType;
  if (!CANONICAL_TYPES.includes(documentType)) throw problem.error(`documentType must be one of ${CANONICAL_TYPES.join(', ')}`, ['documentType']);

  const syntax = (data.syntax ?? 'xml') as FormatSyntax;
  if (!SYNTAX_NAMES.includes(syntax)) throw problem.error(`syntax must be one of ${SYNTAX_NAMES.join(', ')} (xml when absent)`, ['syntax']);
  if (syntax !== 'xml') return loadEdiMapping(file, data, syntax, name, documentType, problem, loadTable);

  const detect = (data.detect ?? {}) as Record<string, unknown>;
  if (typeof detect !== 'object' || Array.isArray(detect)) throw problem.error('detect must be a mapping with root (and namespace, path)', ['detect']);
  const unknownDetect = Object.keys(detect).filter((k) => !DETECT_KEYS.includes(k));
  if (unknownDetect.length) throw problem.error(`unknown key(s) detect.${unknownDetect.join(', detect.')}; allowed: ${DETECT_KEYS.join(', ')}`, ['detect', unknownDetect[0]!]);
  const rootElement = requireString(detect, 'root', problem, ['detect']);
  const namespace = detect.namespace === undefined ? '' : requireString(detect, 'namespace', problem, ['detect'], true);
  let detectPath: string | undefined;
  if (detect.path !== undefined) {
    detectPath = requireString(detect, 'path', problem, ['detect']);
    if (!ELEMENT_PATH.test(detectPath)) {
      throw problem.error(`detect.path ${JSON.stringify(detectPath)} must be an absolute path of element names, e.g. /cXML/Request/OrderRequest`, ['detect', 'path']);
    }
    const first = detectPath.split('/')[1];
    if (first !== rootElement) throw problem.error(`detect.path starts at ${first} but detect.root is ${rootElement}; the path starts at the root element`, ['detect', 'path']);
  }

  if ((data.schema === undefined) === (data.dtd === undefined)) {
    throw problem.error('declare exactly one of schema (an XSD file) or dtd (a DTD file), relative to the mapping file', data.schema === undefined ? [] : ['dtd']);
  }
  const schemaLanguage: SchemaLanguage = data.dtd === undefined ? 'xsd' : 'dtd';
  const schemaKey = schemaLanguage === 'xsd' ? 'schema' : 'dtd';
  const schemaPath = path.resolve(path.dirname(file), requireString(data, schemaKey, problem, []));
  if (!existsSync(schemaPath)) throw problem.error(`${schemaKey} ${displayPath(schemaPath)} does not exist`, [schemaKey]);
  if (schemaLanguage === 'dtd' && !schemaPath.endsWith('.dtd')) throw problem.error(`dtd ${displayPath(schemaPath)} must be a .dtd file`, ['dtd']);
  if (schemaLanguage === 'xsd' && schemaPath.endsWith('.dtd')) throw problem.error(`schema ${displayPath(schemaPath)} is a DTD: declare it as dtd: instead of schema:`, ['schema']);

  let doctypeSystemIds: readonly string[] = [];
  if (data.doctype !== undefined) {
    if (schemaLanguage !== 'dtd') {
      throw problem.error('doctype is only for formats validated by a DTD (dtd:); XSD-validated documents are accepted without a DOCTYPE', ['doctype']);
    }
    const doctype = data.doctype as Record<string, unknown>;
    if (!doctype || typeof doctype !== 'object' || Array.isArray(doctype)) throw problem.error('doctype must be a mapping with systemIds', ['doctype']);
    const unknownDoctype = Object.keys(doctype).filter((k) => !DOCTYPE_KEYS.includes(k));
    if (unknownDoctype.length) throw problem.error(`unknown key(s) doctype.${unknownDoctype.join(', doctype.')}; allowed: ${DOCTYPE_KEYS.join(', ')}`, ['doctype', unknownDoctype[0]!]);
    const ids = doctype.systemIds;
    if (!Array.isArray(ids) || ids.length === 0) throw problem.error('doctype.systemIds must be a non-empty list of the DOCTYPE system ids this format accepts', ['doctype', 'systemIds']);
    ids.forEach((id, index) => {
      if (typeof id !== 'string' || !SYSTEM_ID.test(id)) {
        throw problem.error(`doctype.systemIds[${index}] must be a system id as written in the DOCTYPE (no quotes, spaces or control characters), got ${JSON.stringify(id)}`, ['doctype', 'systemIds', index]);
      }
    });
    doctypeSystemIds = Object.freeze([...new Set(ids as string[])]);
  }

  const documentNumber = (data.documentNumber ?? {}) as Record<string, unknown>;
  const documentNumberXPath = requireString(documentNumber, 'xpath', problem, ['documentNumber']);
  const namespaces = (documentNumber.namespaces ?? {}) as Record<string, unknown>;
  if (typeof namespaces !== 'object' || Array.isArray(namespaces) || Object.values(namespaces).some((v) => typeof v !== 'string')) {
    throw problem.error('documentNumber.namespaces must map prefixes to namespace URIs', ['documentNumber', 'namespaces']);
  }
  for (const [, prefix] of documentNumberXPath.matchAll(/(?<![\w.-])([A-Za-z_][\w.-]*):(?!:)/g)) {
    if (!(prefix! in namespaces)) throw problem.error(`documentNumber.xpath uses prefix ${prefix}: which documentNumber.namespaces does not declare`, ['documentNumber', 'xpath']);
  }

  const sender = (data.sender ?? {}) as Record<string, unknown>;
  const senderParty = sender.party;
  if (senderParty !== 'buyer' && senderParty !== 'seller') throw problem.error('sender.party must be buyer or seller: the party of the document that sends it', ['sender', 'party']);
  const senderXPath = requireString(sender, 'xpath', problem, ['sender']);
  for (const [, prefix] of senderXPath.matchAll(/(?<![\w.-])([A-Za-z_][\w.-]*):(?!:)/g)) {
    if (!(prefix! in namespaces)) throw problem.error(`sender.xpath uses prefix ${prefix}: which documentNumber.namespaces does not declare`, ['sender', 'xpath']);
  }

  const { tables, canonical, businessKeys } = compileBody(data, documentType, problem, loadTable);

  return {
    name,
    file,
    ...(typeof data.description === 'string' ? { description: data.description } : {}),
    documentType,
    syntax,
    rootElement,
    namespace,
    ...(detectPath ? { detectPath } : {}),
    schemaPath,
    schemaLanguage,
    doctypeSystemIds,
    documentNumberXPath,
    senderXPath,
    senderParty,
    namespaces: namespaces as Record<string, string>,
    tables,
    canonical,
    businessKeys,
  };
}

/** The parts every mapping file has, whatever its syntax: lookup tables, the canonical field tree, business keys. */
function compileBody(data: Record<string, unknown>, documentType: CanonicalType, problem: MappingFileProblem, loadTable: TableLoader): Pick<CompiledMapping, 'tables' | 'canonical' | 'businessKeys'> {
  const file = problem.file;
  const tables = new Map<string, LookupTable>();
  const lookups = (data.lookups ?? {}) as Record<string, unknown>;
  if (typeof lookups !== 'object' || Array.isArray(lookups)) throw problem.error('lookups must map table names to files', ['lookups']);
  for (const [tableName, tableFile] of Object.entries(lookups)) {
    if (typeof tableFile !== 'string') throw problem.error(`lookups.${tableName} must be a file path`, ['lookups', tableName]);
    const tablePath = path.resolve(path.dirname(file), tableFile);
    try {
      tables.set(tableName, loadTable(tableName, tablePath));
    } catch (error) {
      if (error instanceof HubError) throw problem.error(`lookup "${tableName}": ${error.message}`, ['lookups', tableName]);
      throw error;
    }
  }

  if (!data.canonical) throw problem.error('canonical (the field tree) is missing');
  const ctx: CompileContext = { problem, tables, documentType };
  const canonical = compileFields(data.canonical, '', ['canonical'], ctx);
  if (canonical.some(([key]) => key === 'type')) throw problem.error('canonical.type is set from documentType; remove it', ['canonical', 'type'], 'type');

  const keySpec = data.businessKeys;
  if (!keySpec || typeof keySpec !== 'object' || Array.isArray(keySpec)) {
    throw problem.error(`businessKeys is missing: map each key kind (${STANDARD_KEY_KINDS.join(', ')}, or your own) to a JSONata expression over the canonical document`);
  }
  if (!('documentNumber' in keySpec)) throw problem.error('businessKeys.documentNumber is missing: every document is found by its own number', ['businessKeys']);
  const businessKeys = Object.entries(keySpec as Record<string, unknown>).map(([kind, source]) => {
    if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(kind)) throw problem.error(`business key kind "${kind}" must be a name of letters and digits`, ['businessKeys', kind]);
    if (typeof source !== 'string' || !source.trim()) throw problem.error(`businessKeys.${kind} must be a JSONata expression over the canonical document`, ['businessKeys', kind]);
    return { kind, source, expression: compileExpression(source, `businessKeys.${kind}`, ['businessKeys', kind], { ...ctx, tables: new Map() }) };
  });

  return { tables, canonical, businessKeys };
}

/**
 * An EDI format's mapping file (syntax: x12 or edifact): detect by transaction set or message type, versions and
 * an optional condition; the number and the sender's ids as JSONata over the transaction's tree
 * (documentNumber.path, sender.path); no schema (the transaction set's rules check the document).
 */
function loadEdiMapping(file: string, data: Record<string, unknown>, syntax: FormatSyntax, name: string, documentType: CanonicalType, problem: MappingFileProblem, loadTable: TableLoader): CompiledMapping {
  for (const key of ['schema', 'dtd', 'doctype']) {
    if (data[key] !== undefined) throw problem.error(`${key} is for XML formats; an ${syntax} document is checked against its transaction set's rules`, [key]);
  }
  const detect = (data.detect ?? {}) as Record<string, unknown>;
  if (typeof detect !== 'object' || Array.isArray(detect)) throw problem.error('detect must be a mapping with transactionSet (and versions, when)', ['detect']);
  const unknownDetect = Object.keys(detect).filter((k) => !EDI_DETECT_KEYS.includes(k));
  if (unknownDetect.length) throw problem.error(`unknown key(s) detect.${unknownDetect.join(', detect.')}; an ${syntax} format allows ${EDI_DETECT_KEYS.join(', ')}`, ['detect', unknownDetect[0]!]);
  const transactionSet = String(detect.transactionSet ?? '').trim();
  if (!/^[A-Z0-9]{2,6}$/.test(transactionSet)) throw problem.error(`detect.transactionSet must be the ${syntax === 'x12' ? 'X12 transaction set id (ST01), e.g. 850' : 'EDIFACT message type (UNH 0065), e.g. ORDERS'}`, ['detect', 'transactionSet']);
  const versions = detect.versions === undefined ? [] : detect.versions;
  if (!Array.isArray(versions) || versions.some((v) => typeof v !== 'string' && typeof v !== 'number')) throw problem.error('detect.versions must be a list of versions, e.g. [004010, 005010] or [D96A, D01B]', ['detect', 'versions']);
  const ctx: CompileContext = { problem, tables: new Map(), documentType };
  const treeExpression = (source: unknown, field: string, yamlPath: (string | number)[]) => {
    if (typeof source !== 'string' || !source.trim()) throw problem.error(`${field} must be a JSONata expression over the transaction's tree`, yamlPath);
    return { source, ...compileTreeExpression(compileExpression(source, field, yamlPath, ctx)) };
  };
  const documentNumber = (data.documentNumber ?? {}) as Record<string, unknown>;
  const sender = (data.sender ?? {}) as Record<string, unknown>;
  const senderParty = sender.party;
  if (senderParty !== 'buyer' && senderParty !== 'seller') throw problem.error('sender.party must be buyer or seller: the party of the document that sends it', ['sender', 'party']);
  const edi: EdiFormat = Object.freeze({
    transactionSet,
    versions: Object.freeze(versions.map(String)),
    ...(detect.when !== undefined ? { when: treeExpression(detect.when, 'detect.when', ['detect', 'when']) } : {}),
    documentNumber: treeExpression(documentNumber.path, 'documentNumber.path', ['documentNumber', 'path']),
    sender: treeExpression(sender.path, 'sender.path', ['sender', 'path']),
  });
  const { tables, canonical, businessKeys } = compileBody(data, documentType, problem, loadTable);
  return {
    name,
    file,
    ...(typeof data.description === 'string' ? { description: data.description } : {}),
    documentType,
    syntax,
    edi,
    rootElement: '',
    namespace: '',
    schemaPath: '',
    schemaLanguage: 'xsd',
    doctypeSystemIds: [],
    documentNumberXPath: '',
    senderXPath: '',
    senderParty,
    namespaces: {},
    tables,
    canonical,
    businessKeys,
  };
}

/** A compiled expression evaluated over a tree with the bound variables ($root) set, as the canonical fields are. */
function compileTreeExpression(expression: jsonata.Expression): { evaluate(tree: unknown): Promise<unknown> } {
  return { evaluate: (tree) => expression.evaluate(tree, { root: tree, partner: '' }) };
}
