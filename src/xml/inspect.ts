import type { XmlDocument } from 'libxml2-wasm';
import { HubError } from '../errors/hub-error.js';
import type { FormatDefinition } from '../mapping/registry.js';
import { parseUntrustedXml } from './safe-parse.js';
import type { XmlLimits } from './limits.js';
import type { XsdCache } from './xsd-cache.js';

/** What the hub learns about a document before storing it. */
export interface InspectedDocument {
  format: FormatDefinition;
  documentNumber: string;
  /** Every identifier the document gives for its sending party (format's sender XPath). */
  senderIds: string[];
}

function describeRoot(doc: XmlDocument): string {
  const root = doc.root;
  return root.namespaceUri ? `{${root.namespaceUri}}${root.name}` : root.name;
}

/**
 * The request-path checks, in order: no DOCTYPE/entities, well-formed, root element + namespace among the
 * candidate formats, valid against that format's compiled XSD, document number present.
 */
export function inspectDocument(bytes: Uint8Array, candidates: readonly FormatDefinition[], xsd: XsdCache, limits?: XmlLimits): InspectedDocument {
  const doc = parseUntrustedXml(bytes, limits);
  try {
    const root = doc.root;
    const format = candidates.find((f) => f.rootElement === root.name && f.namespace === (root.namespaceUri ?? ''));
    if (!format) {
      const accepted = candidates.map((f) => `${f.name} (${f.rootElement}${f.namespace ? ` in ${f.namespace}` : ''})`).join(', ');
      throw new HubError('HUB_ERR_DOCUMENT_TYPE_UNKNOWN', `The root element ${describeRoot(doc)} is not a document type you may send. Accepted: ${accepted || 'none configured'}.`, {
        details: { root: root.name, namespace: root.namespaceUri ?? '' },
      });
    }
    const node = doc.get(format.documentNumberXPath, format.namespaces);
    const documentNumber = node?.content.trim() ?? '';
    try {
      xsd.validate(format.schemaPath, doc, `${format.documentType} (${format.name})`);
    } catch (error) {
      // A refusal is easier to find by the number the partner knows it by, when one can be read.
      if (error instanceof HubError) Object.assign(error.details, { format: format.name, documentType: format.documentType, ...(documentNumber ? { documentNumber: documentNumber.slice(0, 200) } : {}) });
      throw error;
    }
    if (!documentNumber) {
      throw new HubError('HUB_ERR_DOCUMENT_NUMBER_MISSING', `The document has no document number at ${format.documentNumberXPath}; it is required to track the document and detect duplicates.`);
    }
    const senderIds = [...new Set(doc.find(format.senderXPath, format.namespaces).map((n) => n.content.trim()).filter(Boolean))];
    return { format, documentNumber, senderIds };
  } finally {
    doc.dispose();
  }
}
