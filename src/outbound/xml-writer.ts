import type { XmlNode } from './evaluate.js';

/** Characters XML 1.0 does not allow at all (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF; lone surrogates). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A character a value may not carry into XML, named with where it is; the caller turns it into the build's error. */
export class XmlCharacterError extends Error {
  constructor(readonly path: string, readonly codePoint: number) {
    super(`${path} holds the character U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}, which XML 1.0 does not allow`);
  }
}

function escape(text: string, path: string, attribute: boolean): string {
  const bad = NOT_XML.exec(text);
  if (bad) throw new XmlCharacterError(path, bad[0].codePointAt(0)!);
  const out = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attribute ? out.replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;') : out.replace(/\r/g, '&#13;');
}

function write(node: XmlNode, depth: number, path: string, out: string[], namespaces?: Readonly<Record<string, string>>): void {
  const indent = '  '.repeat(depth);
  const here = `${path}/${node.name}`;
  const xmlns = namespaces ? Object.entries(namespaces).map(([prefix, uri]) => ` ${prefix ? `xmlns:${prefix}` : 'xmlns'}="${escape(uri, here, true)}"`).join('') : '';
  const attributes = node.attributes.map(([name, value]) => ` ${name}="${escape(value, `${here}/@${name}`, true)}"`).join('');
  if (node.children.length === 0) {
    out.push(`${indent}<${node.name}${xmlns}${attributes}>${escape(node.text ?? '', here, false)}</${node.name}>`);
    return;
  }
  out.push(`${indent}<${node.name}${xmlns}${attributes}>`);
  for (const child of node.children) write(child, depth + 1, here, out);
  out.push(`${indent}</${node.name}>`);
}

/**
 * Writes a built element tree as an XML document in UTF-8: the declaration, an optional DOCTYPE (cXML), the root
 * with its namespace declarations, two-space indentation. Text and attribute values are escaped; a character
 * XML does not allow throws XmlCharacterError naming the element, never silently dropped.
 */
export function writeXml(root: XmlNode, options: { namespaces: Readonly<Record<string, string>>; doctypeSystemId?: string }): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (options.doctypeSystemId) out.push(`<!DOCTYPE ${root.name} SYSTEM "${options.doctypeSystemId}">`);
  write(root, 0, '', out, options.namespaces);
  return `${out.join('\n')}\n`;
}
