import { HubError } from '../errors/hub-error.js';

/** A DOCTYPE a format accepts: its root element and the system ids on its allow-list (FormatDefinition.doctypeSystemIds). */
export interface AcceptedDoctype {
  root: string;
  systemIds: readonly string[];
}

/**
 * Which DOCTYPE a document may carry:
 * - a list of accepted DOCTYPEs (the candidate formats' allow-lists; empty: none, any DOCTYPE is refused);
 * - 'shape-only': any `<!DOCTYPE root SYSTEM "id">` of the accepted shape, whatever the id, for re-reading a
 *   document the intake already checked against its format (the content fingerprint). Never for posted bytes.
 */
export type DoctypePolicy = readonly AcceptedDoctype[] | 'shape-only';

/** The DOCTYPE a document declared, once accepted. */
export interface DeclaredDoctype {
  root: string;
  systemId: string;
  line: number;
}

const DECLARATION = /<!(DOCTYPE|ENTITY)/g;
const NAME = '[A-Za-z_][\\w.-]*(?::[A-Za-z_][\\w.-]*)?';
/** The one shape accepted: <!DOCTYPE root SYSTEM "id">, nothing else (no PUBLIC id, no internal subset). */
const ACCEPTED_SHAPE = new RegExp(`<!DOCTYPE[ \\t\\r\\n]+(${NAME})[ \\t\\r\\n]+SYSTEM[ \\t\\r\\n]+(?:"([^"<>]*)"|'([^'<>]*)')[ \\t\\r\\n]*>`, 'y');
/** Markup in which `&` is no reference (comments, CDATA, processing instructions), or a reference to anything but a character or a predefined entity. */
const ENTITY_REFERENCE = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<\?[\s\S]*?(?:\?>|$)|&(?!#|(?:amp|lt|gt|quot|apos);)/g;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * A system id as compared with the allow-list: scheme and host of an http(s) URL in lower case (RFC 3986 makes
 * them case-insensitive; cXML senders write both xml.cxml.org and xml.cXML.org), the rest exactly as written.
 */
export function normalizeSystemId(id: string): string {
  return id.replace(/^(https?:\/\/[^/?#]*)/i, (origin) => origin.toLowerCase());
}

function refuse(line: number, message: string, item: string): HubError {
  return new HubError('HUB_ERR_XML_DOCTYPE_FORBIDDEN', message, { errors: [{ line, message: item }] });
}

function describeAccepted(accepted: readonly AcceptedDoctype[], root?: string): string {
  const relevant = accepted.filter((a) => a.root === root);
  const shown = relevant.length ? relevant : accepted;
  const ids = [...new Set(shown.flatMap((a) => a.systemIds))];
  const roots = [...new Set(shown.map((a) => a.root))];
  return `<!DOCTYPE ${roots.join('|')} SYSTEM "<id>"> with one of the system ids ${ids.map((id) => `"${id}"`).join(', ')}`;
}

/**
 * Checks the DOCTYPE and entity declarations of a document's markup view (its bytes as latin1, NUL bytes
 * removed) before any parser sees it. Refused with HUB_ERR_XML_DOCTYPE_FORBIDDEN: any ENTITY declaration; a
 * DOCTYPE when the policy accepts none; a second DOCTYPE; a DOCTYPE with an internal subset, a PUBLIC id or any
 * other shape than `<!DOCTYPE root SYSTEM "id">`; a root or system id not on the allow-list; and, once a
 * DOCTYPE is accepted, a reference to any entity but the five predefined ones (the external DTD is never read,
 * so libxml2 would keep such a reference as an empty node instead of refusing it).
 * Returns the accepted DOCTYPE, or undefined when the document has none.
 */
export function checkDeclarations(probe: string, policy: DoctypePolicy): DeclaredDoctype | undefined {
  const declarations = [...probe.matchAll(DECLARATION)];
  if (declarations.length === 0) return undefined;
  const entity = declarations.find((d) => d[1] === 'ENTITY');
  const acceptsAny = policy === 'shape-only' || policy.length > 0;
  if (!acceptsAny || entity) {
    const first = entity ?? declarations[0]!;
    const line = lineAt(probe, first.index);
    const accepted = acceptsAny && policy !== 'shape-only' ? ` The only DOCTYPE accepted is ${describeAccepted(policy)}, without an internal subset.` : '';
    throw refuse(line, `The document contains a <!${first[1]} declaration at line ${line}; DOCTYPE and entity declarations are refused.${accepted} Remove it and send the document again.`, `<!${first[1]} is not accepted`);
  }
  const allowed = policy === 'shape-only' ? '' : ` Accepted: ${describeAccepted(policy)}.`;
  if (declarations.length > 1) {
    const line = lineAt(probe, declarations[1]!.index);
    throw refuse(line, `The document declares a second <!DOCTYPE at line ${line}; one DOCTYPE at most is accepted.${allowed} Remove the second one.`, 'second <!DOCTYPE');
  }
  const at = declarations[0]!.index;
  const line = lineAt(probe, at);
  ACCEPTED_SHAPE.lastIndex = at;
  const shape = ACCEPTED_SHAPE.exec(probe);
  if (!shape) {
    const end = probe.indexOf('>', at);
    const head = probe.slice(at, end === -1 ? undefined : end + 1);
    const bracket = head.indexOf('[');
    const reason = /^<!DOCTYPE[ \t\r\n]+\S+[ \t\r\n]+PUBLIC\b/.test(head)
      ? 'a PUBLIC identifier, which is not accepted (the hub resolves no public ids)'
      : bracket !== -1 || end === -1
        ? 'an internal subset ([...]), which is not accepted: no declarations are taken from a document'
        : 'a shape other than <!DOCTYPE root SYSTEM "id">';
    throw refuse(line, `The <!DOCTYPE at line ${line} has ${reason}.${allowed} Send the DOCTYPE in that form, or none.`, `<!DOCTYPE with ${reason.split(',')[0]}`);
  }
  const root = shape[1]!;
  const systemId = shape[2] ?? shape[3] ?? '';
  if (policy !== 'shape-only') {
    const wanted = normalizeSystemId(systemId);
    const ok = policy.some((a) => a.root === root && a.systemIds.some((id) => normalizeSystemId(id) === wanted));
    if (!ok) {
      const what = policy.some((a) => a.root === root) ? `system id "${systemId}"` : `root ${root} (system id "${systemId}")`;
      throw refuse(line, `The <!DOCTYPE at line ${line} names ${what}, which none of your formats accepts.${allowed} Nothing is fetched from it either way; use one of these ids, or send the document without a DOCTYPE.`, `<!DOCTYPE ${root} SYSTEM "${systemId}" is not on the allow-list`);
    }
  }
  // From the end of the DOCTYPE: before it come only the XML declaration, comments and processing instructions.
  ENTITY_REFERENCE.lastIndex = at + shape[0].length;
  for (let m = ENTITY_REFERENCE.exec(probe); m; m = ENTITY_REFERENCE.exec(probe)) {
    if (m[0] !== '&') continue;
    const refLine = lineAt(probe, m.index);
    const name = /^&([^;\s<&]{0,40});?/.exec(probe.slice(m.index, m.index + 42))?.[1] ?? '';
    throw refuse(
      refLine,
      `The document refers to the entity &${name}; at line ${refLine}; the hub never reads a DTD's entities, so only &amp; &lt; &gt; &quot; &apos; and character references (&#...;) are accepted. Write the character itself or a character reference.`,
      `entity reference &${name}; is not accepted`,
    );
  }
  return { root, systemId, line };
}
