import { readFileSync } from 'node:fs';
import { XmlDocument, XmlValidateError, XsdValidator, xmlCleanupInputProvider } from 'libxml2-wasm';
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

/**
 * Compiled XSD validators, one per schema file, compiled once (at start) and reused for every document.
 * Schema files (and their imports) are read only while compiling; afterwards libxml2 has no file access.
 */
export class XsdCache {
  private readonly validators = new Map<string, XsdValidator>();

  /** Compiles every schema not yet compiled. Throws HUB_ERR_CONFIG naming the schema that fails. */
  compile(schemaPaths: Iterable<string>): void {
    const pending = [...new Set(schemaPaths)].filter((p) => !this.validators.has(p));
    if (pending.length === 0) return;
    xmlRegisterFsInputProviders();
    try {
      for (const schemaPath of pending) {
        let schemaDoc: XmlDocument | undefined;
        try {
          schemaDoc = XmlDocument.fromBuffer(readFileSync(schemaPath), { url: schemaPath });
          this.validators.set(schemaPath, XsdValidator.fromDoc(schemaDoc));
        } catch (error) {
          throw new HubError('HUB_ERR_CONFIG', `XSD ${displayPath(schemaPath)} does not compile: ${(error as Error).message.trim()}`);
        } finally {
          schemaDoc?.dispose();
        }
      }
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

  /** Validates a parsed document; throws HUB_ERR_XSD_INVALID listing every problem with its line. */
  validate(schemaPath: string, doc: XmlDocument, what: string): void {
    const validator = this.validators.get(schemaPath);
    if (!validator) throw new HubError('HUB_ERR_INTERNAL', `schema not compiled: ${schemaPath}`);
    try {
      validator.validate(doc);
    } catch (error) {
      if (error instanceof XmlValidateError) {
        const errors = toErrorItems(error.details).map((e) => ({ ...e, message: shortenNames(e.message) }));
        const first = errors[0];
        throw new HubError('HUB_ERR_XSD_INVALID', `The ${what} does not conform to its schema ${displayPath(schemaPath).replace(/^schemas\//, '')}: ${errors.length} problem(s), first at line ${first?.line ?? '?'}: ${first?.message ?? ''}`, { errors });
      }
      throw error;
    }
  }

  dispose(): void {
    for (const validator of this.validators.values()) validator.dispose();
    this.validators.clear();
  }
}
