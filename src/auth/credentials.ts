import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig } from '../config/types.js';

/** Who a credential belongs to. */
export type Role = 'partner' | 'erp' | 'ops';
export interface Principal {
  role: Role;
  /** Partner id for partners; "erp" / "ops" otherwise. */
  id: string;
}

/** var/credential-hashes.json: what the hub keeps (hashes only). */
interface HashFile {
  version: 1;
  principals: Record<string, { role: Role; id: string; sha256: string; createdAt: string }>;
}

/** var/credentials.json: the keys handed to people, written once, mode 0600. */
export interface CredentialsFile {
  partners: Record<string, string>;
  erp?: string;
  ops?: string;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function newKey(role: Role): string {
  return `hub_${role}_${randomBytes(24).toString('base64url')}`;
}

function writePrivate(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * API keys, kept only as SHA-256 hashes (keys are 192-bit random, so a fast hash is enough) and compared in
 * constant time. A principal in the config without a key gets one on start; the new keys are written to
 * var/credentials.json for the operator to hand out.
 */
export class CredentialStore {
  private readonly byHash = new Map<string, { principal: Principal; hash: Buffer }>();

  private constructor(hashes: HashFile) {
    for (const entry of Object.values(hashes.principals)) {
      const hash = Buffer.from(entry.sha256, 'hex');
      this.byHash.set(entry.sha256, { principal: { role: entry.role, id: entry.id }, hash });
    }
  }

  /** Loads the hashes, creating keys for every principal that has none. `created` lists the new ones. */
  static ensure(config: HubConfig): { store: CredentialStore; created: string[]; credentialsFile: string } {
    const varDir = config.paths.var;
    mkdirSync(varDir, { recursive: true, mode: 0o700 });
    const hashFile = path.join(varDir, 'credential-hashes.json');
    const credentialsFile = path.join(varDir, 'credentials.json');
    const hashes: HashFile = existsSync(hashFile) ? (JSON.parse(readFileSync(hashFile, 'utf8')) as HashFile) : { version: 1, principals: {} };
    const wanted: Principal[] = [...Object.keys(config.partners).map((id) => ({ role: 'partner' as const, id })), { role: 'erp', id: 'erp' }, { role: 'ops', id: 'ops' }];
    const handedOut: CredentialsFile = existsSync(credentialsFile) ? (JSON.parse(readFileSync(credentialsFile, 'utf8')) as CredentialsFile) : { partners: {} };
    handedOut.partners ??= {};
    const created: string[] = [];
    for (const principal of wanted) {
      const name = `${principal.role}:${principal.id}`;
      if (hashes.principals[name]) continue;
      const key = newKey(principal.role);
      hashes.principals[name] = { ...principal, sha256: sha256(key).toString('hex'), createdAt: new Date().toISOString() };
      if (principal.role === 'partner') handedOut.partners[principal.id] = key;
      else handedOut[principal.role] = key;
      created.push(name);
    }
    if (created.length) {
      writePrivate(hashFile, JSON.stringify(hashes, null, 2) + '\n');
      writePrivate(credentialsFile, JSON.stringify(handedOut, null, 2) + '\n');
    }
    return { store: new CredentialStore(hashes), created, credentialsFile };
  }

  /** The principal owning this key, or undefined. */
  verify(key: string): Principal | undefined {
    const digest = sha256(key);
    const entry = this.byHash.get(digest.toString('hex'));
    if (!entry || !timingSafeEqual(entry.hash, digest)) return undefined;
    return entry.principal;
  }
}
