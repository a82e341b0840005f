import { createHmac } from 'node:crypto';

/** HMAC algorithms a partner may ask for. */
export const SIGNATURE_ALGORITHMS = ['sha256', 'sha384', 'sha512'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/**
 * `<algorithm>=` + hex HMAC, keyed with the shared secret (its UTF-8 bytes), over "<timestamp>." followed by the
 * exact body bytes: the webhook adapter's scheme (adapters/webhook/signature.ts) with the algorithm chosen per
 * partner; with sha256 the two give the same value, so a receiver that checks the hub's webhook checks this.
 * The timestamp is inside the signed text, so a captured request cannot be sent again with a fresh timestamp.
 */
export function signPayload(algorithm: SignatureAlgorithm, secret: string, timestamp: number, body: Buffer): string {
  const hmac = createHmac(algorithm, secret);
  hmac.update(`${timestamp}.`);
  hmac.update(body);
  return `${algorithm}=${hmac.digest('hex')}`;
}
