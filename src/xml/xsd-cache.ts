import { readFileSync } from 'node:fs';
import { DtdValidator, XmlDocument, XmlDtd, XmlValidateError, XsdValidator, xmlCleanupInputProvider } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';
import { HubError } from '../errors/hub-error.js';
import { displayPath } from '../util/project-root.js';
import { toErrorItems } from './safe-parse.js';

/** Prefixes shown in error messages instead of Clark notation ({namespace}name) for well-known namespaces. */
const KNOWN_PREFIXES: Record<string, string> = {
  'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2': 'cac',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2': 'cbc',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2': 'ext',
};

function shortenNames(message: string): string {
  return message.replace(/\{([^}]+)\}/g, (whole, ns: string) => (KNOWN_PREFIXES[ns] ? `${KNOWN_PREFIXES[ns]}:` : whole));
}

type Validator = { language: 'xsd'; validator: XsdValidator } | { language: 'dtd'; validator: DtdValidator };

/**
 * Compiled validators, one per schema file: XSDs, and DTDs (files ending in .dtd, a format's dtd:), compiled once
 * (at start) and reused for every document. Schema files (and their imports) are read only while compiling;
 * afterwards libxml2 has no file access. A DTD is the hub's own copy: a document's DOCTYPE never chooses it.
 */
export class XsdCache {
  private readonly validators = new Map<string, Validator>();

  /**
   * Compiles every schema not yet compiled; '' (a format without a schema file: EDI) is skipped. Throws
   * HUB_ERR_CONFIG naming the schema that fails.
   */
  compile(schemaPaths: Iterable<string>): void {
    const pending = [...new Set(schemaPaths)].filter((p) => p !== '' && !this.validators.has(p));
    if (pending.length === 0) return;
    xmlRegisterFsInputProviders();
    try {
      for (const schemaPath of pending) this.validators.set(schemaPath, schemaPath.endsWith('.dtd') ? compileDtd(schemaPath) : compileXsd(schemaPath));
    } finally {
      xmlCleanupInputProvider();
    }
  }

  get size(): number {
    return this.validators.size;
  }

  has(schemaPath: string): boolean {
    return this.validators.has(schemaPath);
  }

  /**
   * Validates a parsed document against a compiled schema; throws HUB_ERR_XSD_INVALID (an XSD) or
   * HUB_ERR_DTD_INVALID (a DTD) listing every problem with its line (and, for a DTD, the element's path).
   */
  validate(schemaPath: string, doc: XmlDocument, what: string): void {
    const entry = this.validators.get(schemaPath);
    if (!entry) throw new HubError('HUB_ERR_INTERNAL', `schema not compiled: ${schemaPath}`);
    try {
      entry.validator.validate(doc);
    } catch (error) {
      if (!(error instanceof XmlValidateError)) throw error;
      const shown = displayPath(schemaPath).replace(/^schemas\//, '');
      if (entry.language === 'dtd') {
        const errors = toErrorItems(error.details).map((e, i) => {
          const xpath = (error.details[i] as { xpath?: unknown } | undefined)?.xpath;
          return typeof xpath === 'string' && xpath ? { ...e, path: xpath } : e;
        });
        const first = errors[0];
        throw new HubError('HUB_ERR_DTD_INVALID', `The ${what} does not conform to its DTD ${shown}: ${errors.length} problem(s), first at line ${first?.line ?? '?'}: ${first?.message ?? ''}`, { errors });
      }
      const errors = toErrorItems(error.details).map((e) => ({ ...e, message: shortenNames(e.message) }));
      const first = errors[0];
      throw new HubError('HUB_ERR_XSD_INVALID', `The ${what} does not conform to its schema ${shown}: ${errors.length} problem(s), first at line ${first?.line ?? '?'}: ${first?.message ?? ''}`, { errors });
    }
  }

  dispose(): void {
    for (const entry of this.validators.values()) entry.validator.dispose();
    this.validators.clear();
  }
}

function compileXsd(schemaPath: string): Validator {
  let schemaDoc: XmlDocument | undefined;
  try {
    schemaDoc = XmlDocument.fromBuffer(readFileSync(schemaPath), { url: schemaPath });
    return { language: 'xsd', validator: XsdValidator.fromDoc(schemaDoc) };
  } catch (error) {
    throw new HubError('HUB_ERR_CONFIG', `XSD ${displayPath(schemaPath)} does not compile: ${(error as Error).message.trim()}`);
  } finally {
    schemaDoc?.dispose();
  }
}

function compileDtd(dtdPath: string): Validator {
  try {
    return { language: 'dtd', validator: new DtdValidator(XmlDtd.fromBuffer(readFileSync(dtdPath))) };
  } catch (error) {
    throw new HubError('HUB_ERR_CONFIG', `DTD ${displayPath(dtdPath)} does not compile: ${(error as Error).message.trim()}`);
  }
}
