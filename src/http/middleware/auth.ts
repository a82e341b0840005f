import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import type { Authenticated, CredentialStore, Principal, Role } from '../../auth/credentials.js';
import { normaliseFingerprint } from '../../config/load.js';
import type { HubConfig } from '../../config/types.js';
import { HubError } from '../../errors/hub-error.js';
import type { AuditLog } from '../../store/audit-log.js';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    /** SHA-256 of the API key the request used (HMAC key for signed posts). */
    keyDigest?: Buffer;
  }
}

export interface AuthDeps {
  config: HubConfig;
  credentials: CredentialStore;
  audit: AuditLog;
}

/** The SHA-256 fingerprint of the client certificate: from the TLS socket, or from a trusted proxy's header. */
export function clientCertificateFingerprint(req: Request, config: HubConfig): string | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate === 'function' && socket.authorized) {
    const fingerprint = socket.getPeerCertificate().fingerprint256;
    if (fingerprint) return normaliseFingerprint(fingerprint);
  }
  if (config.server.clientCertFingerprintHeader && config.server.trustProxy) {
    const header = req.get(config.server.clientCertFingerprintHeader);
    if (header) return normaliseFingerprint(header.trim());
  }
  return undefined;
}

/**
 * Requires `Authorization: Bearer <key>` of one of the given roles: 401 without a known key, 403 with the wrong
 * role or, for a partner bound to certificates, without one of its certificates. Every refusal is audited.
 */
export function requireRole(deps: AuthDeps, ...roles: Role[]) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const address = req.ip;
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    let authenticated: Authenticated | undefined;
    if (match) authenticated = deps.credentials.verify(match[1]!);
    if (!authenticated) {
      await deps.audit.record({ event: 'auth.failed', actor: 'anonymous', address, detail: `${req.method} ${req.baseUrl}${req.path}: ${match ? 'unknown key' : 'no bearer key'}` });
      res.set('WWW-Authenticate', match ? 'Bearer error="invalid_token"' : 'Bearer');
      return next(new HubError('HUB_ERR_UNAUTHENTICATED', match ? 'The API key is not known to this hub.' : 'Send your API key as "Authorization: Bearer <key>".'));
    }
    const { principal } = authenticated;
    const actor = principal.role === 'partner' ? `partner:${principal.id}` : principal.role;
    if (!roles.includes(principal.role)) {
      await deps.audit.record({ event: 'auth.forbidden', actor, address, detail: `${req.method} ${req.baseUrl}${req.path} needs ${roles.join(' or ')}` });
      return next(new HubError('HUB_ERR_FORBIDDEN', `This endpoint needs a ${roles.join(' or ')} key; yours is a ${principal.role} key.`));
    }
    if (principal.role === 'partner') {
      const bound = deps.config.partners[principal.id]?.certificateFingerprints ?? [];
      if (bound.length) {
        const presented = clientCertificateFingerprint(req, deps.config);
        if (!presented || !bound.includes(presented)) {
          await deps.audit.record({ event: 'certificate.mismatch', actor, address, detail: presented ? `certificate ${presented} is not bound to ${principal.id}` : 'no client certificate' });
          return next(new HubError('HUB_ERR_FORBIDDEN', presented ? 'Your client certificate is not one registered for your API key.' : 'Your API key is bound to a client certificate; connect with it (mutual TLS).'));
        }
      }
    }
    req.principal = principal;
    req.keyDigest = authenticated.keyDigest;
    next();
  };
}
