import { HubError } from '../errors/hub-error.js';

/**
 * The syntaxes a partner's document may come in. A format (a mapping file) names its syntax; the intake picks
 * the syntax of a post from its Content-Type, or from its first characters when the type says nothing
 * (text/plain, application/octet-stream: partners that cannot set a type).
 */
export type SyntaxName = 'xml' | 'x12' | 'edifact';
export const SYNTAXES: readonly SyntaxName[] = ['xml', 'x12', 'edifact'];

/** The media types that announce each syntax (the first is the one to use). */
export const SYNTAX_MEDIA_TYPES: Record<SyntaxName, readonly string[]> = {
  xml: ['application/xml', 'text/xml'],
  x12: ['application/edi-x12'],
  edifact: ['application/edifact'],
};

/** Media types that say nothing of the syntax: the body's first characters decide. */
const UNTYPED = ['text/plain', 'application/octet-stream'];

const LABELS: Record<SyntaxName, string> = { xml: 'XML', x12: 'X12', edifact: 'EDIFACT' };

/** What the body starts with, past a byte-order mark and white space: XML, X12 (ISA), EDIFACT (UNA/UNB), or neither. */
export function sniffSyntax(body: Uint8Array): SyntaxName | undefined {
  let i = 0;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) i = 3;
  else if ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe)) return 'xml'; // UTF-16: only XML is sent so
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d)) i++;
  const head = Buffer.from(body.subarray(i, i + 3)).toString('latin1');
  if (head.startsWith('<')) return 'xml';
  if (head === 'ISA') return 'x12';
  if (head === 'UNA' || head === 'UNB') return 'edifact';
  return undefined;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Whether a Content-Type may carry a document at all (any syntax's type, +xml types, or an untyped one). */
export function acceptedMediaType(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return UNTYPED.includes(type) || type.endsWith('+xml') || SYNTAXES.some((s) => SYNTAX_MEDIA_TYPES[s].includes(type));
}

/** How a partner should send each syntax it may use, for error messages. */
export function describeSyntaxes(allowed: readonly SyntaxName[]): string {
  return allowed.map((s) => `${LABELS[s]} (Content-Type: ${SYNTAX_MEDIA_TYPES[s][0]})`).join(', ');
}

/**
 * The syntax of a post: by its Content-Type, checked against its first characters, among the syntaxes of the
 * partner's formats. Refuses, saying which syntaxes the partner may send: a type of another syntax (415), a body
 * that is neither XML nor EDI (400 HUB_ERR_SYNTAX_UNKNOWN), a body of another syntax than its type says (400),
 * and a syntax none of the partner's formats uses (415).
 */
export function syntaxOf(body: Uint8Array, contentType: string | undefined, allowed: readonly SyntaxName[]): SyntaxName {
  const type = mediaType(contentType);
  const declared = SYNTAXES.find((s) => SYNTAX_MEDIA_TYPES[s].includes(type)) ?? (type.endsWith('+xml') ? 'xml' : undefined);
  const may = `You may send: ${describeSyntaxes(allowed) || 'nothing (no formats are configured for you)'}.`;
  if (!declared && !UNTYPED.includes(type)) {
    throw new HubError('HUB_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${type || 'none'} is not a document type the hub takes. ${may} Partners that cannot set a type may send text/plain.`);
  }
  const sniffed = sniffSyntax(body);
  if (!sniffed) {
    if (declared === 'xml') return 'xml'; // the XML checks say precisely what is wrong with it
    throw new HubError('HUB_ERR_SYNTAX_UNKNOWN', `The body is neither XML (it would start with "<") nor X12 (an ISA segment) nor EDIFACT (UNA or UNB). ${may}`);
  }
  if (declared && declared !== sniffed) {
    throw new HubError('HUB_ERR_SYNTAX_UNKNOWN', `The body is ${LABELS[sniffed]} but its Content-Type (${type}) says ${LABELS[declared]}; send ${LABELS[sniffed]} with Content-Type: ${SYNTAX_MEDIA_TYPES[sniffed][0]}. ${may}`);
  }
  if (!allowed.includes(sniffed)) {
    throw new HubError('HUB_ERR_UNSUPPORTED_MEDIA_TYPE', `You may not send ${LABELS[sniffed]} to this hub: none of your formats is ${LABELS[sniffed]}. ${may}`);
  }
  return sniffed;
}
