import { ParseOption, XmlDocument, XmlParseError } from 'libxml2-wasm';
import { HubError, type ErrorItem } from '../errors/hub-error.js';
import { checkXmlLimits, DEFAULT_XML_LIMITS, type XmlLimits } from './limits.js';

/** Declarations that would let a document expand entities or pull in external resources. */
const FORBIDDEN_DECLARATION = /<!(DOCTYPE|ENTITY)/;
const MAX_REPORTED_ERRORS = 50;

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
 * Parses posted bytes with libxml2 after refusing any DOCTYPE or entity declaration, without network access
 * and without entity substitution. The caller must dispose the returned document.
 */
export function parseUntrustedXml(bytes: Uint8Array, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlDocument {
  if (bytes.length === 0) throw new HubError('HUB_ERR_XML_MALFORMED', 'The request body is empty; send the XML document as the body.');
  // The declaration check and the shape limits run on the raw bytes, before any parser sees them. Markup is
  // ASCII in every encoding libxml2 reads; UTF-16 and UCS-4 (with or without a byte-order mark) spell it with
  // NUL bytes between the characters, so those are dropped from this view.
  const probe = markupView(bytes);
  const declaration = FORBIDDEN_DECLARATION.exec(probe);
  if (declaration) {
    const line = probe.slice(0, declaration.index).split('\n').length;
    throw new HubError('HUB_ERR_XML_DOCTYPE_FORBIDDEN', `The document contains a <!${declaration[1]} declaration at line ${line}; DOCTYPE and entity declarations are refused. Remove it and send the document again.`, {
      errors: [{ line, message: `<!${declaration[1]} is not accepted` }],
    });
  }
  checkXmlLimits(probe, limits);
  try {
    return XmlDocument.fromBuffer(bytes, { option: ParseOption.XML_PARSE_NONET });
  } catch (error) {
    if (error instanceof XmlParseError) {
      const errors = toErrorItems(error.details);
      const first = errors[0];
      throw new HubError('HUB_ERR_XML_MALFORMED', `The document is not well-formed XML${first?.line ? ` (line ${first.line})` : ''}: ${first?.message ?? 'parse error'}`, { errors });
    }
    throw error;
  }
}
