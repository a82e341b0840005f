import { XMLParser } from 'fast-xml-parser';

/**
 * The parsed-document model mapping expressions see (documented in docs/mapping.md):
 * - namespace prefixes are removed (`cbc:ID` is `ID`); xmlns declarations are dropped;
 * - an element with only text is a string; everything stays a string ("00123" stays "00123");
 * - an element with attributes is an object: attributes as `_name`, its text as `_text`;
 * - a repeated element is an array, a single one is not (JSONata paths treat both alike);
 * - text is trimmed; an empty element is "".
 */
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '_',
  textNodeName: '_text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

/** A parsed document: the root element's local name and its content, the input of every expression. */
export interface ParsedDocument {
  rootName: string;
  root: unknown;
}

/** Parses an (already checked, well-formed) XML document into the mapping model. */
export function parseDocument(xml: string): ParsedDocument {
  const tree = parser.parse(xml) as Record<string, unknown>;
  const rootName = Object.keys(tree).find((key) => !key.startsWith('?') && !key.startsWith('#'));
  if (!rootName) throw new Error('the document has no root element');
  return { rootName, root: tree[rootName] };
}
