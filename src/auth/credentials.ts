import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig } from '../config/types.js';
import { HubError } from '../errors/hub-error.js';

/** Who a credential belongs to. */
export type Role = 'partner' | 'erp' | 'ops';
export interface Principal {
  role: Role;
  /** Partner id for partners; "erp" / "ops" otherwise. */
  id: string;
}

/** The key a request was authenticated with, as the hub knows it. */
export interface Authenticated {
  principal: Principal;
  /** SHA-256 of the key: what the hub stores, and the HMAC key for signed requests. */
  keyDigest: Buffer;
}

/** At most this many keys are active per principal: the current one and the one it replaced. */
export const ACTIVE_KEYS_PER_PRINCIPAL = 2;

interface StoredKey {
  sha256: string;
  createdAt: string;
}

/** var/credential-hashes.json: what the hub keeps (hashes only). */
interface HashFile {
  version: 2;
  principals: Record<string, { role: Role; id: string; keys: StoredKey[] }>;
}

/** var/credentials.json: the keys handed to people on first start, mode 0600. */
export interface CredentialsFile {
  partners: Record<string, string>;
  erp?: string;
  ops?: string;
}

export function principalName(p: Principal): string {
  return p.role === 'partner' ? `partner:${p.id}` : p.role;
}

/** Parses "partner:acme", "erp" or "ops". */
export function parsePrincipal(name: string): Principal {
  if (name === 'erp' || name === 'ops') return { role: name, id: name };
  const match = /^partner:([a-z0-9][a-z0-9_-]{0,63})$/.exec(name);
  if (!match) throw new HubError('HUB_ERR_BAD_REQUEST', `"${name}" is not a principal; use partner:<id>, erp or ops`);
  return { role: 'partner', id: match[1]! };
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

function newKey(role: Role): string {
  return `hub_${role}_${randomBytes(24).toString('base64url')}`;
}

function writePrivate(file: string, content: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

function writeHashFile(file: string, hashes: HashFile): void {
  writePrivate(file, JSON.stringify(hashes, null, 2) + '\n');
}

function readHashFile(file: string): HashFile {
  if (!existsSync(file)) return { version: 2, principals: {} };
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { version: number; principals: Record<string, any> };
  if (raw.version === 2) return raw as HashFile;
  // Version 1 kept one key per principal under "role:id" names.
  const principals: HashFile['principals'] = {};
  for (const entry of Object.values(raw.principals)) {
    principals[principalName(entry)] = { role: entry.role, id: entry.id, keys: [{ sha256: entry.sha256, createdAt: entry.createdAt }] };
  }
  return { version: 2, principals };
}

/**
 * API keys, kept only as SHA-256 hashes (keys are 192-bit random, so a fast hash is enough) and compared in
 * constant time. Each principal may have two active keys, so a partner can switch to a new key without a gap.
 * The hash file is re-read when it changes, so a rotation by the CLI or another process takes effect at once.
 */
export class CredentialStore {
  private byHash = new Map<string, Authenticated>();
  private loadedMtime = 0;
  private checkedAt = 0;

  private constructor(
    readonly hashFile: string,
    readonly credentialsFile: string,
  ) {
    this.reload();
  }

  static forVarDir(varDir: string): CredentialStore {
    mkdirSync(varDir, { recursive: true, mode: 0o700 });
    return new CredentialStore(path.join(varDir, 'credential-hashes.json'), path.join(varDir, 'credentials.json'));
  }

  /** Loads the hashes, creating a key for every configured principal that has none. `created` lists the new ones. */
  static ensure(config: HubConfig): { store: CredentialStore; created: string[]; credentialsFile: string } {
    const store = CredentialStore.forVarDir(config.paths.var);
    const hashes = readHashFile(store.hashFile);
    const wanted: Principal[] = [...Object.keys(config.partners).map((id) => ({ role: 'partner' as const, id })), { role: 'erp', id: 'erp' }, { role: 'ops', id: 'ops' }];
    const handedOut: CredentialsFile = existsSync(store.credentialsFile) ? (JSON.parse(readFileSync(store.credentialsFile, 'utf8')) as CredentialsFile) : { partners: {} };
    handedOut.partners ??= {};
    const created: string[] = [];
    for (const principal of wanted) {
      const name = principalName(principal);
      // A principal whose keys were all revoked stays locked out: only a principal never seen gets a key.
      if (hashes.principals[name]) continue;
      const key = newKey(principal.role);
      hashes.principals[name] = { ...principal, keys: [{ sha256: digest(key).toString('hex'), createdAt: new Date().toISOString() }] };
      if (principal.role === 'partner') handedOut.partners[principal.id] = key;
      else handedOut[principal.role] = key;
      created.push(name);
    }
    if (created.length) {
      writeHashFile(store.hashFile, hashes);
      writePrivate(store.credentialsFile, JSON.stringify(handedOut, null, 2) + '\n');
      store.reload();
    }
    return { store, created, credentialsFile: store.credentialsFile };
  }

  private reload(): void {
    const hashes = readHashFile(this.hashFile);
    const byHash = new Map<string, Authenticated>();
    for (const entry of Object.values(hashes.principals)) {
      for (const key of entry.keys) byHash.set(key.sha256, { principal: { role: entry.role, id: entry.id }, keyDigest: Buffer.from(key.sha256, 'hex') });
    }
    this.byHash = byHash;
    this.loadedMtime = existsSync(this.hashFile) ? statSync(this.hashFile).mtimeMs : 0;
  }

  private reloadIfChanged(): void {
    const now = Date.now();
    if (now - this.checkedAt < 1000) return;
    this.checkedAt = now;
    const mtime = existsSync(this.hashFile) ? statSync(this.hashFile).mtimeMs : 0;
    if (mtime !== this.loadedMtime) this.reload();
  }

  /** The principal owning this key, or undefined. */
  verify(key: string): Authenticated | undefined {
    this.reloadIfChanged();
    const keyDigest = digest(key);
    const entry = this.byHash.get(keyDigest.toString('hex'));
    if (!entry || !timingSafeEqual(entry.keyDigest, keyDigest)) return undefined;
    return entry;
  }

  /** Active keys per principal (creation times only). */
  list(): { principal: string; keys: { createdAt: string }[] }[] {
    const hashes = readHashFile(this.hashFile);
    return Object.entries(hashes.principals).map(([principal, entry]) => ({ principal, keys: entry.keys.map((k) => ({ createdAt: k.createdAt })) }));
  }

  /**
   * Creates a new key for a principal and returns it (shown once, never stored). The newest previous key stays
   * active beside it until revoked, so the partner can switch without a gap; any older one is dropped.
   */
  rotate(principal: Principal): { key: string; active: number } {
    const hashes = readHashFile(this.hashFile);
    const name = principalName(principal);
    const key = newKey(principal.role);
    const previous = hashes.principals[name]?.keys ?? [];
    const keys = [{ sha256: digest(key).toString('hex'), createdAt: new Date().toISOString() }, ...previous].slice(0, ACTIVE_KEYS_PER_PRINCIPAL);
    hashes.principals[name] = { ...principal, keys };
    writeHashFile(this.hashFile, hashes);
    this.reload();
    return { key, active: keys.length };
  }

  /** Revokes the older key(s), keeping only the newest; with `all`, every key of the principal. */
  revoke(principal: Principal, options: { all?: boolean } = {}): { revoked: number } {
    const hashes = readHashFile(this.hashFile);
    const name = principalName(principal);
    const entry = hashes.principals[name];
    if (!entry) throw new HubError('HUB_ERR_NOT_FOUND', `no keys for ${name}`);
    const keep = options.all ? [] : entry.keys.slice(0, 1);
    const revoked = entry.keys.length - keep.length;
    entry.keys = keep;
    writeHashFile(this.hashFile, hashes);
    this.reload();
    return { revoked };
  }
}
