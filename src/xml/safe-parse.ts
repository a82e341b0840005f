import { ParseOption, XmlDocument, XmlParseError } from 'libxml2-wasm';
import { HubError, type ErrorItem } from '../errors/hub-error.js';
import { checkDeclarations, type DeclaredDoctype, type DoctypePolicy } from './doctype.js';
import { checkXmlLimits, DEFAULT_XML_LIMITS, type XmlLimits } from './limits.js';

const MAX_REPORTED_ERRORS = 50;
/**
 * No network, no external entity or DTD loading (NO_XXE), no catalog lookups; and, by leaving them out, no
 * DTDLOAD, DTDATTR, DTDVALID or NOENT: an accepted DOCTYPE's system id is never opened and no entity is substituted.
 */
const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NO_SYS_CATALOG;

export interface UntrustedXmlOptions {
  /**
   * The DOCTYPEs accepted (the candidate formats' root elements and DOCTYPE system ids). Default: none; any
   * DOCTYPE is refused. See checkDeclarations for what is refused even then.
   */
  doctypes?: DoctypePolicy;
}

/** The bytes as latin1 text, NUL bytes removed: markup characters at their places, whatever the encoding. */
function markupView(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return bytes.indexOf(0) === -1 ? text : text.replace(/\0/g, '');
}

/** Turns libxml2 diagnostics into error items (line, column when known, message without trailing newline). */
export function toErrorItems(details: ReadonlyArray<{ message: string; line?: number; col?: number }>): ErrorItem[] {
  return details.slice(0, MAX_REPORTED_ERRORS).map((d) => ({
    message: d.message.trim(),
    ...(d.line ? { line: d.line } : {}),
    ...(d.col ? { column: d.col } : {}),
  }));
}

/**
 * Parses posted bytes with libxml2 after refusing every entity declaration and any DOCTYPE but one of the
 * accepted ones (`<!DOCTYPE root SYSTEM "id">` with the id on a candidate format's allow-list), without network
 * or file access, without loading any DTD and without entity substitution. The caller must dispose the document.
 */
export function parseUntrustedXml(bytes: Uint8Array, limits: XmlLimits = DEFAULT_XML_LIMITS, options: UntrustedXmlOptions = {}): XmlDocument {
  return parseUntrustedDocument(bytes, limits, options).doc;
}

/** parseUntrustedXml, also giving the DOCTYPE the document declared (accepted by options.doctypes), if any. */
export function parseUntrustedDocument(bytes: Uint8Array, limits: XmlLimits = DEFAULT_XML_LIMITS, options: UntrustedXmlOptions = {}): { doc: XmlDocument; doctype?: DeclaredDoctype } {
  if (bytes.length === 0) throw new HubError('HUB_ERR_XML_MALFORMED', 'The request body is empty; send the XML document as the body.');
  // The declaration check and the shape limits run on the raw bytes, before any parser sees them. Markup is
  // ASCII in every encoding libxml2 reads; UTF-16 and UCS-4 (with or without a byte-order mark) spell it with
  // NUL bytes between the characters, so those are dropped from this view.
  const probe = markupView(bytes);
  const doctype = checkDeclarations(probe, options.doctypes ?? []);
  checkXmlLimits(probe, limits);
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(bytes, { option: PARSE_OPTIONS });
  } catch (error) {
    if (error instanceof XmlParseError) {
      const errors = toErrorItems(error.details);
      const first = errors[0];
      throw new HubError('HUB_ERR_XML_MALFORMED', `The document is not well-formed XML${first?.line ? ` (line ${first.line})` : ''}: ${first?.message ?? 'parse error'}`, { errors });
    }
    throw error;
  }
  if (doctype) {
    // Validity constraint "Root Element Type": the DOCTYPE names the root element. The allow-list was checked for that name.
    const root = doc.root;
    const rootName = root.prefix ? `${root.prefix}:${root.name}` : root.name;
    if (rootName !== doctype.root) {
      doc.dispose();
      throw new HubError('HUB_ERR_XML_DOCTYPE_FORBIDDEN', `The <!DOCTYPE at line ${doctype.line} names root ${doctype.root}, but the root element is ${rootName}. Make the DOCTYPE name the root element.`, {
        errors: [{ line: doctype.line, message: `<!DOCTYPE ${doctype.root}> does not match the root element ${rootName}` }],
      });
    }
  }
  return doctype ? { doc, doctype } : { doc };
}
