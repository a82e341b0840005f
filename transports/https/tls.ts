import { readFileSync } from 'node:fs';
import type { AgentOptions } from 'node:https';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { HubError, type TransportContext } from '../../src/transports/kit.js';

/** The TLS options of the https transport, as in the config. Paths are relative to the project root. */
export interface TlsOptions {
  /** PEM file of the CA(s) that signed the partner's certificate; replaces the default CAs. Unset: the system CAs. */
  caFile?: string;
  /** PEM client certificate presented to the partner (with keyFile or keyEnv). */
  certFile?: string;
  /** PEM private key of the client certificate. */
  keyFile?: string;
  /** Secret (env var, or <NAME>_FILE) holding the client certificate PEM, instead of certFile. */
  certEnv?: string;
  /** Secret holding the private key PEM, instead of keyFile. */
  keyEnv?: string;
  /** Secret holding the private key's passphrase, when it is encrypted. */
  passphraseEnv?: string;
}

function configError(setting: string, reason: string, cause?: unknown): HubError {
  return new HubError('HUB_ERR_CONFIG', `${setting}: ${reason}`, cause === undefined ? {} : { cause });
}

function readPem(file: string, rootDir: string, setting: string): string {
  try {
    return readFileSync(path.resolve(rootDir, file), 'utf8');
  } catch (error) {
    throw configError(setting, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error);
  }
}

/** A secret by name, required: unset or unreadable stops the start with the setting and the name. */
export function requiredSecret(context: TransportContext, name: string, setting: string): string {
  let value: string | undefined;
  try {
    value = context.secret(name);
  } catch (error) {
    throw configError(setting, `cannot read ${name}_FILE: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error);
  }
  if (!value) throw configError(setting, `the secret ${name} (or ${name}_FILE) is not set`);
  return value;
}

/**
 * Reads the CA, client certificate and key (files or secrets) once at start and checks that OpenSSL takes them
 * (a PEM that does not parse, or a key that is not the certificate's, stops the start here, not at the first send).
 * Certificate checks are always on: there is no option to turn them off.
 */
export function agentTlsOptions(tls: TlsOptions, context: TransportContext): AgentOptions {
  const setting = context.setting;
  const options: AgentOptions = { rejectUnauthorized: true };
  if (tls.caFile) options.ca = readPem(tls.caFile, context.rootDir, `${setting}.caFile`);
  if (tls.certFile) options.cert = readPem(tls.certFile, context.rootDir, `${setting}.certFile`);
  if (tls.certEnv) options.cert = requiredSecret(context, tls.certEnv, `${setting}.certEnv`);
  if (tls.keyFile) options.key = readPem(tls.keyFile, context.rootDir, `${setting}.keyFile`);
  if (tls.keyEnv) options.key = requiredSecret(context, tls.keyEnv, `${setting}.keyEnv`);
  if (tls.passphraseEnv) options.passphrase = requiredSecret(context, tls.passphraseEnv, `${setting}.passphraseEnv`);
  const { ca, cert, key, passphrase } = options;
  const material = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(passphrase ? { passphrase } : {}) };
  try {
    createSecureContext(material);
  } catch (error) {
    const which = [tls.caFile && 'caFile', (tls.certFile && 'certFile') || (tls.certEnv && 'certEnv'), (tls.keyFile && 'keyFile') || (tls.keyEnv && 'keyEnv')].filter(Boolean).join(', ');
    throw configError(setting, `OpenSSL refuses the TLS material (${which}): ${(error as Error).message}`, error);
  }
  return options;
}
