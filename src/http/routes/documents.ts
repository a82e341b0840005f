import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { AuditLog } from '../../store/audit-log.js';
import type { RateLimiter, SignatureVerifier } from '../middleware/security.js';
import type { HubConfig } from '../../config/types.js';
import { HubError } from '../../errors/hub-error.js';
import { intakeDocument, type IntakeDeps } from '../../pipeline/intake.js';
import type { MessageRecord, MessageStore } from '../../store/message-store.js';
import { UUID_PATTERN } from '../../util/ids.js';
import { requireRole, type AuthDeps } from '../middleware/auth.js';

const XML_TYPES = ['application/xml', 'text/xml', 'application/*+xml'];

/** The tracking view of a message: the record, its deliveries and its history. */
export async function messageView(store: MessageStore, record: MessageRecord) {
  const [history, deliveries] = await Promise.all([store.history(record.id), store.deliveries(record.id)]);
  return {
    id: record.id,
    partner: record.partner,
    documentType: record.documentType,
    documentNumber: record.documentNumber,
    format: record.format,
    status: record.status,
    receivedAt: record.receivedAt,
    updatedAt: record.updatedAt,
    ...(record.error ? { error: record.error } : {}),
    replays: record.replays,
    deliveries,
    history,
    links: { self: `/v1/documents/${record.id}` },
  };
}

export interface DocumentRouteDeps extends IntakeDeps {
  auth: AuthDeps;
  rateLimiter: RateLimiter;
  signatures: SignatureVerifier;
  audit: AuditLog;
}

/** Partner endpoints: post a document, track it. */
export function documentRoutes(config: HubConfig, deps: DocumentRouteDeps): Router {
  const router = Router();
  const xmlBody = express.raw({ type: () => true, limit: config.server.bodyLimitBytes });

  const checkMediaType = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is(XML_TYPES)) return next(new HubError('HUB_ERR_UNSUPPORTED_MEDIA_TYPE', `Send the document with Content-Type: application/xml (got ${req.get('content-type') ?? 'none'}).`));
    next();
  };

  router.post('/v1/documents', requireRole(deps.auth, 'partner'), deps.rateLimiter.perPartner(config.rateLimits.perPartner), checkMediaType, xmlBody, async (req, res) => {
    const partner = config.partners[req.principal!.id];
    if (!partner) throw new HubError('HUB_ERR_FORBIDDEN', 'Your partner id is no longer configured on this hub; ask the hub operators to restore it.');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const actor = `partner:${partner.id}`;
    let result;
    try {
      await deps.signatures.verify(req, body, partner.signature === 'required');
      result = await intakeDocument(body, partner, deps);
    } catch (error) {
      if (error instanceof HubError) {
        const event = error.code === 'HUB_ERR_SENDER_MISMATCH' ? 'sender.mismatch' : error.code === 'HUB_ERR_SIGNATURE_INVALID' ? 'signature.invalid' : 'document.rejected';
        await deps.audit.record({ event, actor, address: req.ip, code: error.code, detail: error.message.slice(0, 300) });
      }
      throw error;
    }
    const links = { self: `/v1/documents/${result.id}` };
    if (result.duplicate) {
      const original = await deps.store.get(result.id);
      res.status(200).json({ id: result.id, documentType: result.documentType, documentNumber: result.documentNumber, status: original?.status ?? 'accepted', duplicate: true, links });
      return;
    }
    res.status(202).location(links.self).json({ id: result.id, documentType: result.documentType, documentNumber: result.documentNumber, status: 'accepted', links });
  });

  router.get('/v1/documents/:id', requireRole(deps.auth, 'partner', 'ops'), async (req, res) => {
    const id = String(req.params.id);
    const record = UUID_PATTERN.test(id) ? await deps.store.get(id) : undefined;
    // A partner asking for another partner's message learns nothing, not even that it exists.
    if (!record || (req.principal!.role === 'partner' && record.partner !== req.principal!.id)) throw new HubError('HUB_ERR_NOT_FOUND', `No document ${id} for you.`);
    res.json(await messageView(deps.store, record));
  });

  return router;
}
