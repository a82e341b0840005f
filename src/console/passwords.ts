import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Console passwords: scrypt (node:crypto) with a random 16-byte salt; the hash is stored as
 * `scrypt$N=<cost>,r=<block size>,p=<parallelism>$<salt base64>$<hash base64>` so the parameters can be raised
 * later without breaking the hashes already stored. N = 2^15, r = 8 costs 32 MiB and tens of milliseconds per
 * check: enough against an offline guesser of a 144-bit generated password, and a bounded cost per sign-in
 * (failed sign-ins are rate limited before the check runs).
 */
export const SCRYPT_PARAMETERS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const HASH_PATTERN = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;

function derive(password: string, salt: Buffer, length: number, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** A new password for a user: 18 random bytes (144 bits), 24 URL-safe characters. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** The stored form of a password (salt and parameters included). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, KEY_LENGTH, SCRYPT_PARAMETERS);
  const { N, r, p } = SCRYPT_PARAMETERS;
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether the password matches a stored hash; compared in constant time. A malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = HASH_PATTERN.exec(stored);
  if (!match) return false;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds keep a damaged row from asking for gigabytes; every hash this module writes is inside them.
  if (N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(match[5]!, 'base64');
  if (expected.length < 16) return false;
  const actual = await derive(password, Buffer.from(match[4]!, 'base64'), expected.length, { N, r, p });
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;
/**
 * Checks a password against a hash nobody has, so a sign-in for a user who does not exist takes as long as one
 * with a wrong password (the answer must not tell which).
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummy ??= hashPassword(generatePassword());
  await verifyPassword(password, await dummy);
  return false;
}
