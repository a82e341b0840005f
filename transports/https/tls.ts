import { readFileSync } from 'node:fs';
import type { AgentOptions } from 'node:https';
import path from 'node:path';
import { connect, createSecureContext } from 'node:tls';
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
    const cert = tls.certFile ? 'certFile' : tls.certEnv && 'certEnv';
    const key = tls.keyFile ? 'keyFile' : tls.keyEnv && 'keyEnv';
    const which = [tls.caFile && 'caFile', cert, key].filter(Boolean).join(', ');
    throw configError(setting, `OpenSSL refuses the TLS material (${which}): ${(error as Error).message}`, error);
  }
  return options;
}

/**
 * Opens a TLS connection to the url's host with the transport's TLS options and closes it: ok when the handshake
 * verifies the partner's certificate, else not ok with OpenSSL's or the socket's code. Under TLS 1.3 the partner
 * judges our client certificate after the client's handshake is done, so a refused one shows at the first send
 * (HUB_ERR_TRANSPORT_TLS), not here.
 */
export function probeTls(url: URL, tls: AgentOptions, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const probe = `TLS to ${url.host}`;
  // SNI carries a host name, never an address.
  const servername = /^[\d.]+$|:/.test(host) ? undefined : host;
  return new Promise((resolve) => {
    const { ca, cert, key, passphrase } = tls;
    const port = Number(url.port || 443);
    const socket = connect({ host, port, ca, cert, key, passphrase, rejectUnauthorized: true, ...(servername ? { servername } : {}) });
    const finish = (result: { ok: boolean; detail: string }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, detail: `${probe}: no handshake within ${timeoutMs} ms` }), timeoutMs);
    socket.once('secureConnect', () => finish({ ok: true, detail: `${probe}: certificate verified` }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, detail: `${probe}: ${error.code ?? error.message}` }));
  });
}
