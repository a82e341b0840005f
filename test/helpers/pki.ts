import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Client certificates signed by the CA, by name, with their SHA-256 fingerprints. */
  clients: Record<string, { cert: string; key: string; fingerprint256: string }>;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A throw-away CA made for the test: a server certificate for 127.0.0.1 and client certificates. */
export function makePki(clientNames: string[]): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-pki-'));
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Hub Test CA');
  const issue = (name: string, extension: string) => {
    openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(path.join(dir, `${name}.ext`), extension);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  issue('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const clients: Pki['clients'] = {};
  for (const name of clientNames) {
    issue(name, 'extendedKeyUsage=clientAuth\n');
    const cert = readFileSync(path.join(dir, `${name}.crt`), 'utf8');
    clients[name] = { cert, key: readFileSync(path.join(dir, `${name}.key`), 'utf8'), fingerprint256: new X509Certificate(cert).fingerprint256 };
  }
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
    clients,
  };
}
