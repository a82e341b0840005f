import { readdirSync } from 'node:fs';
import path from 'node:path';
import { checkCanonical } from '../canonical/check.js';
import type { CanonicalDocument, CanonicalType } from '../canonical/types.js';
import { HubError } from '../errors/hub-error.js';
import { evaluateMapping, peekDocumentNumber } from './evaluate.js';
import { cachedTableLoader, loadMappingFile, type CompiledMapping } from './mapping-file.js';
import { parseDocument } from './parse.js';
import { displayPath } from './paths.js';

export { diffJson } from './json-diff.js';

/** The language of a format's schema file. */
export type SchemaLanguage = 'xsd' | 'dtd';

/** The syntax a format's documents come in (src/formats/syntax.ts). */
export type FormatSyntax = 'xml' | 'x12' | 'edifact';

/**
 * How an EDI format (syntax x12 or edifact) is recognised and numbered: by its transaction set or message
 * type, its versions and an optional condition over the transaction's tree; its number and its sender's ids are
 * JSONata over that tree (the EDI rules of the transaction set replace the XSD).
 */
export interface EdiFormat {
  /** X12 ST01 (e.g. 850) or EDIFACT UNH message type (e.g. ORDERS). */
  transactionSet: string;
  /** Versions accepted, each a prefix of X12 GS08 (004010, 005010) or of EDIFACT's version+release (D96A, D01B); empty: any. */
  versions: readonly string[];
  /** detect.when: a JSONata condition over the tree (e.g. an 810 whose BIG07 is CR is a credit note). */
  when?: { source: string; evaluate(tree: unknown): Promise<unknown> };
  documentNumber: { source: string; evaluate(tree: unknown): Promise<unknown> };
  sender: { source: string; evaluate(tree: unknown): Promise<unknown> };
}

/** One partner document format: how to recognise it, validate it, number it and map it (one mapping file). */
export interface FormatDefinition {
  /** Format id = mapping file basename without .yaml, e.g. 'ubl-order'. */
  name: string;
  /** Absolute path of the mapping file. */
  file: string;
  documentType: CanonicalType;
  /** xml (the fields below: root, namespace, schema, XPaths) or an EDI syntax (`edi`; the XML fields are empty). */
  syntax: FormatSyntax;
  edi?: EdiFormat;
  /** Root element local name, e.g. 'Order'. */
  rootElement: string;
  /** Root namespace URI ('' when none). */
  namespace: string;
  /**
   * Absolute element path that must exist for the format to match, beside root and namespace (detect.path), e.g.
   * '/cXML/Request/OrderRequest': steps are element local names. Absent: root and namespace decide alone.
   */
  detectPath?: string;
  /** Absolute path of the XSD (schema:) or DTD (dtd:) the document is validated against, declared relative to the mapping file. */
  schemaPath: string;
  /** Which language schemaPath is written in: 'xsd' (schema:) or 'dtd' (dtd:). */
  schemaLanguage: SchemaLanguage;
  /**
   * DOCTYPE system ids this format accepts (doctype.systemIds; DTD formats only), e.g.
   * 'http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd'. Nothing is ever fetched from them: the document is validated
   * against schemaPath. Empty: a DOCTYPE is refused.
   */
  doctypeSystemIds: readonly string[];
  /** XPath 1.0 to the document number, e.g. '/*\/cbc:ID'. */
  documentNumberXPath: string;
  /** XPath 1.0 selecting every identifier of the sending party (checked against the partner's party ids). */
  senderXPath: string;
  /** The party of the document that sends it: buyer (orders) or seller (invoices, despatch advices). */
  senderParty: 'buyer' | 'seller';
  /** Prefixes used in documentNumberXPath and senderXPath. */
  namespaces: Record<string, string>;
}

/** Who sent the document being mapped: the partner scopes cross-reference lookups; the rest names it in errors. */
export interface MappingContext {
  partner: string;
  messageId?: string;
  documentNumber?: string;
}

function definitionOf(mapping: CompiledMapping): FormatDefinition {
  const { name, file, documentType, rootElement, namespace, detectPath, schemaPath, schemaLanguage, doctypeSystemIds } = mapping;
  const { documentNumberXPath, senderXPath, senderParty, namespaces, syntax, edi } = mapping;
  return Object.freeze({
    name,
    file,
    documentType,
    syntax,
    ...(edi ? { edi } : {}),
    rootElement,
    namespace,
    ...(detectPath ? { detectPath } : {}),
    schemaPath,
    schemaLanguage,
    doctypeSystemIds: Object.freeze([...doctypeSystemIds]),
    documentNumberXPath,
    senderXPath,
    senderParty,
    namespaces: Object.freeze({ ...namespaces }),
  });
}

/** Every loaded format and its compiled mapping; built by loadMappings at start, read-only afterwards. */
export class MappingRegistry {
  readonly formats: readonly FormatDefinition[];
  private readonly mappings: ReadonlyMap<string, CompiledMapping>;

  constructor(mappings: readonly CompiledMapping[]) {
    this.mappings = new Map(mappings.map((m) => [m.name, m]));
    this.formats = Object.freeze(mappings.map(definitionOf));
  }

  get(name: string): FormatDefinition | undefined {
    return this.formats.find((f) => f.name === name);
  }

  /**
   * Maps a well-formed (already XSD-valid) document of this format to its canonical document, checked against its JSON Schema.
   * Throws HubError HUB_ERR_MAPPING (expression failed, or evaluated to something wrong), HUB_ERR_LOOKUP_MISSING, HUB_ERR_CANONICAL_INVALID.
   */
  async map(format: string, xml: string, ctx: MappingContext): Promise<CanonicalDocument> {
    const mapping = this.mappings.get(format);
    if (!mapping) throw new HubError('HUB_ERR_MAPPING', `no mapping for format ${format}; known: ${[...this.mappings.keys()].join(', ')}`, { details: { format } });
    const file = displayPath(mapping.file);
    let root: unknown;
    let rootName: string;
    try {
      ({ root, rootName } = parseDocument(xml));
    } catch (error) {
      throw new HubError('HUB_ERR_MAPPING', `${file}: the document could not be read for mapping: ${(error as Error).message}${ctx.documentNumber ? ` — document ${ctx.documentNumber}` : ''}`, {
        details: { file, ...(ctx.documentNumber ? { document: ctx.documentNumber } : {}), ...(ctx.messageId ? { messageId: ctx.messageId } : {}) },
      });
    }
    const document = ctx.documentNumber ?? (await peekDocumentNumber(mapping, root, ctx.partner)) ?? '(no number)';
    if (rootName !== mapping.rootElement) {
      throw new HubError('HUB_ERR_MAPPING', `${file}: expects a ${mapping.rootElement} document, got root element ${rootName} — document ${document}`, {
        details: { file, document, ...(ctx.messageId ? { messageId: ctx.messageId } : {}) },
      });
    }
    const canonical = await evaluateMapping(mapping, root, { partner: ctx.partner, document, ...(ctx.messageId ? { messageId: ctx.messageId } : {}) });
    try {
      checkCanonical(canonical, { file, document });
    } catch (error) {
      if (error instanceof HubError && ctx.messageId) error.details.messageId = ctx.messageId;
      throw error;
    }
    return canonical;
  }

  /**
   * Maps an EDI transaction's tree (src/edi/types.ts EdiTree) of this format to its canonical document, checked
   * against its JSON Schema; the same errors as map().
   */
  async mapTree(format: string, tree: unknown, ctx: MappingContext): Promise<CanonicalDocument> {
    const mapping = this.mappings.get(format);
    if (!mapping) throw new HubError('HUB_ERR_MAPPING', `no mapping for format ${format}; known: ${[...this.mappings.keys()].join(', ')}`, { details: { format } });
    const file = displayPath(mapping.file);
    const document = ctx.documentNumber ?? String((await mapping.edi?.documentNumber.evaluate(tree).catch(() => undefined)) ?? '(no number)');
    const canonical = await evaluateMapping(mapping, tree, { partner: ctx.partner, document, ...(ctx.messageId ? { messageId: ctx.messageId } : {}) });
    try {
      checkCanonical(canonical, { file, document });
    } catch (error) {
      if (error instanceof HubError && ctx.messageId) error.details.messageId = ctx.messageId;
      throw error;
    }
    return canonical;
  }

  /** The business keys a mapping declares, evaluated over its canonical document (strings, arrays flattened). */
  async businessKeys(format: string, canonical: CanonicalDocument): Promise<Array<{ kind: string; value: string }>> {
    const mapping = this.mappings.get(format);
    if (!mapping) return [];
    const out: Array<{ kind: string; value: string }> = [];
    for (const key of mapping.businessKeys) {
      let value: unknown;
      try {
        value = await key.expression.evaluate(canonical);
      } catch (error) {
        throw new HubError('HUB_ERR_MAPPING', `${displayPath(mapping.file)}: businessKeys.${key.kind} failed: ${(error as Error).message}`, { details: { file: displayPath(mapping.file) } });
      }
      for (const v of [value].flat(Infinity)) if (typeof v === 'string' || typeof v === 'number') out.push({ kind: key.kind, value: String(v) });
    }
    return out;
  }
}

/**
 * Loads and checks every mapping file (mappingsDir/*.yaml) and lookup table at start: every JSONata expression
 * compiles, every referenced lookup is declared and parses, the XSD or DTD file exists. Several formats may share a root
 * element (partner variants of UBL Order): detection picks among the formats the sending partner may use.
 * Throws HubError HUB_ERR_CONFIG naming file and reason.
 */
export async function loadMappings(options: { mappingsDir: string }): Promise<MappingRegistry> {
  const dir = path.resolve(options.mappingsDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    throw new HubError('HUB_ERR_CONFIG', `mappings folder ${displayPath(dir)} does not exist or is not readable`);
  }
  if (names.length === 0) throw new HubError('HUB_ERR_CONFIG', `mappings folder ${displayPath(dir)} holds no mapping files (*.yaml)`);
  const loadTable = cachedTableLoader();
  const mappings = names.map((name) => loadMappingFile(path.join(dir, name), loadTable));
  return new MappingRegistry(mappings);
}
