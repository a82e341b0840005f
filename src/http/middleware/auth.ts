import type { NextFunction, Request, Response } from 'express';
import type { CredentialStore, Principal, Role } from '../../auth/credentials.js';
import { HubError } from '../../errors/hub-error.js';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** Requires `Authorization: Bearer <key>` of one of the given roles: 401 without a known key, 403 with the wrong role. */
export function requireRole(credentials: CredentialStore, ...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer');
      return next(new HubError('HUB_ERR_UNAUTHENTICATED', 'Send your API key as "Authorization: Bearer <key>".'));
    }
    const principal = credentials.verify(match[1]!);
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      return next(new HubError('HUB_ERR_UNAUTHENTICATED', 'The API key is not known to this hub.'));
    }
    if (!roles.includes(principal.role)) return next(new HubError('HUB_ERR_FORBIDDEN', `This endpoint needs a ${roles.join(' or ')} key; yours is a ${principal.role} key.`));
    req.principal = principal;
    next();
  };
}
