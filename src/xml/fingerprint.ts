import { createHash } from 'node:crypto';
import { XmlCData, XmlElement, XmlText, type XmlTreeNode } from 'libxml2-wasm';
import { parseUntrustedXml } from './safe-parse.js';
import type { XmlLimits } from './limits.js';

/**
 * A digest of what a document says, not how its bytes spell it: elements and attributes by namespace URI and
 * local name (not prefix), attributes in sorted order, namespace declarations, comments, processing
 * instructions and whitespace-only text left out, other text trimmed; the encoding does not matter either.
 * Two posts of one invoice that differ only in namespace prefixes or indentation (UBL NS1/NS2) have the same
 * fingerprint. The intake computes it only when a number collides with other bytes, to tell a re-send from a
 * changed document.
 */
export function contentFingerprint(bytes: Uint8Array, limits?: XmlLimits): string {
  // Only documents the intake already accepted are fingerprinted: their DOCTYPE (of the one accepted shape) is not content.
  const doc = parseUntrustedXml(bytes, limits, { doctypes: 'shape-only' });
  const hash = createHash('sha256');
  try {
    // Iterative walk: the depth limit keeps documents shallow, but no recursion is needed at all.
    const stack: Array<XmlTreeNode | 'end'> = [doc.root];
    while (stack.length) {
      const node = stack.pop()!;
      if (node === 'end') {
        hash.update('\u0002');
        continue;
      }
      if (node instanceof XmlElement) {
        hash.update(`\u0001{${node.namespaceUri}}${node.name}`);
        const attrs = node.attrs.map((a) => `{${a.namespaceUri}}${a.name}=${a.value}`).sort();
        for (const a of attrs) hash.update(`\u0003${a}`);
        stack.push('end');
        const children: XmlTreeNode[] = [];
        for (let c = node.firstChild; c; c = c.next) children.push(c);
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      } else if (node instanceof XmlText || node instanceof XmlCData) {
        const text = node.content.trim();
        if (text) hash.update(`\u0004${text}`);
      }
    }
    return hash.digest('hex');
  } finally {
    doc.dispose();
  }
}
