import { createHmac } from 'node:crypto';

/** The header carrying the signature: `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'X-Hub-Signature';
/** The header carrying the Unix time in seconds the signature was made at. */
export const TIMESTAMP_HEADER = 'X-Hub-Timestamp';

/**
 * `sha256=` + hex HMAC-SHA256, keyed with the shared secret (its UTF-8 bytes), over "<timestamp>." followed
 * by the exact body bytes. The timestamp is inside the signed text, so a captured request cannot be replayed
 * with a fresh timestamp; the receiver also checks that the timestamp is recent.
 */
export function signBody(secret: string, timestamp: number, body: Buffer): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(body);
  return `sha256=${hmac.digest('hex')}`;
}
