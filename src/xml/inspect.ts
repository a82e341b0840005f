import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { HubError } from '../errors/hub-error.js';
import type { FormatDefinition } from '../mapping/registry.js';
import type { AcceptedDoctype } from './doctype.js';
import { normalizeSystemId } from './doctype.js';
import { parseUntrustedDocument } from './safe-parse.js';
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

/** detect.path as XPath over local names: /cXML/Request/OrderRequest -> /*[local-name()='cXML']/*[local-name()='Request']/... */
function pathXPath(detectPath: string): string {
  return detectPath.split('/').slice(1).map((step) => `/*[local-name()='${step}']`).join('');
}

/** The DOCTYPEs the candidate formats accept, for the parser's check. */
export function acceptedDoctypes(candidates: readonly FormatDefinition[]): AcceptedDoctype[] {
  return candidates.filter((f) => f.doctypeSystemIds.length > 0).map((f) => ({ root: f.rootElement, systemIds: f.doctypeSystemIds }));
}

/** The candidates this document is: root element and namespace, then detect.path when the format has one. */
function detectFormat(doc: XmlDocument, candidates: readonly FormatDefinition[]): FormatDefinition {
  const root = doc.root;
  const byRoot = candidates.filter((f) => f.rootElement === root.name && f.namespace === (root.namespaceUri ?? ''));
  const format = byRoot.find((f) => !f.detectPath || doc.get(pathXPath(f.detectPath)) !== null);
  if (format) return format;
  if (byRoot.length === 0) {
    const accepted = candidates.map((f) => `${f.name} (${f.rootElement}${f.namespace ? ` in ${f.namespace}` : ''})`).join(', ');
    throw new HubError('HUB_ERR_DOCUMENT_TYPE_UNKNOWN', `The root element ${describeRoot(doc)} is not a document type you may send. Accepted: ${accepted || 'none configured'}.`, {
      details: { root: root.name, namespace: root.namespaceUri ?? '' },
    });
  }
  // The root is right but no format's path is there (a cXML PunchOutSetupRequest to a partner sending orders).
  const depth = Math.max(...byRoot.map((f) => f.detectPath!.split('/').length - 1));
  const found = doc
    .find(`/*${'/*'.repeat(depth - 1)}`)
    .slice(0, 8)
    .map((node) => {
      const steps: string[] = [];
      for (let n: XmlElement | null = node as XmlElement; n; n = n.parent) steps.unshift(n.name);
      return `/${steps.join('/')}`;
    });
  const accepted = byRoot.map((f) => `${f.name} (${f.detectPath})`).join(', ');
  throw new HubError(
    'HUB_ERR_DOCUMENT_TYPE_UNKNOWN',
    `This ${root.name} document is not a document type you may send: none of the paths your formats expect is in it. Accepted: ${accepted}. The document has ${found.join(', ') || 'no elements that deep'}.`,
    { details: { root: root.name, namespace: root.namespaceUri ?? '', paths: found } },
  );
}

/**
 * The request-path checks, in order: no entity declarations and no DOCTYPE but an accepted one, well-formed,
 * root element + namespace (+ detect.path) among the candidate formats, the DOCTYPE's system id on that format's
 * allow-list, valid against that format's compiled XSD or DTD, document number present.
 */
export function inspectDocument(bytes: Uint8Array, candidates: readonly FormatDefinition[], xsd: XsdCache, limits?: XmlLimits): InspectedDocument {
  const { doc, doctype } = parseUntrustedDocument(bytes, limits, { doctypes: acceptedDoctypes(candidates) });
  try {
    const format = detectFormat(doc, candidates);
    if (doctype && !format.doctypeSystemIds.some((id) => normalizeSystemId(id) === normalizeSystemId(doctype.systemId))) {
      // Accepted by another candidate's list (an OrderRequest's cXML.dtd on a ShipNoticeRequest, which needs Fulfill.dtd).
      throw new HubError(
        'HUB_ERR_XML_DOCTYPE_FORBIDDEN',
        `The <!DOCTYPE at line ${doctype.line} names system id "${doctype.systemId}", which the format ${format.name} does not accept. Accepted for ${format.name}: ${format.doctypeSystemIds.map((id) => `"${id}"`).join(', ') || 'no DOCTYPE'}.`,
        { errors: [{ line: doctype.line, message: `<!DOCTYPE ${doctype.root} SYSTEM "${doctype.systemId}" is not on the allow-list of ${format.name}` }], details: { format: format.name } },
      );
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
