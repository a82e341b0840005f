import { XmlElement } from 'libxml2-wasm';
import { parseUntrustedDocument } from './safe-parse.js';

/** What a cXML Response says: its Status code (200, 201, 400 ...), text and content. */
export interface CxmlStatus {
  code: number;
  text?: string;
  message?: string;
}

/**
 * The Status of a cXML Response a partner answered with (`<cXML><Response><Status code="200" text="OK"/>`), read
 * with the same safe parser as partners' documents (a DOCTYPE of the usual shape is allowed, nothing fetched or
 * expanded); undefined when the body is not such a Response.
 */
export function cxmlStatusOf(body: string): CxmlStatus | undefined {
  let parsed: ReturnType<typeof parseUntrustedDocument> | undefined;
  try {
    parsed = parseUntrustedDocument(Buffer.from(body, 'utf8'), undefined, { doctypes: 'shape-only' });
    const status = parsed.doc.get('/cXML/Response/Status');
    if (!(status instanceof XmlElement)) return undefined;
    const code = Number(status.attr('code')?.value);
    if (!Number.isInteger(code)) return undefined;
    const text = status.attr('text')?.value;
    const message = status.content.trim();
    return { code, ...(text ? { text } : {}), ...(message ? { message } : {}) };
  } catch {
    return undefined;
  } finally {
    parsed?.doc.dispose();
  }
}
