import express, { Router } from 'express';
import { HubError } from '../../errors/hub-error.js';
import { intakeOutbound, type ErpDocumentRequest, type OutboundDeps } from '../../pipeline/outbound.js';
import { OUTBOUND_STATES, type OutboundRecord, type OutboundState } from '../../store/outbound-store.js';
import { UUID_PATTERN } from '../../util/ids.js';
import { parseListQuery } from '../list-query.js';
import { requireRole, type AuthDeps } from '../middleware/auth.js';

/** An outbound document as the ERP and ops see it: its state, the document built, when sent, what was acknowledged. */
function view(record: OutboundRecord) {
  return { ...record, links: { self: `/v1/ops/outbound/${record.messageId}`, message: `/v1/documents/${record.messageId}` } };
}

/**
 * Outbound: the ERP hands documents over (POST /v1/erp/documents with the ERP credential, idempotent on its own
 * document id) and follows them (GET /v1/erp/documents/:id); ops list them by partner and state (queued, sent,
 * acknowledged, rejected, failed, overdue) and read each one with the document built for the partner.
 */
export function outboundRoutes(auth: AuthDeps, deps: OutboundDeps & { bodyLimitBytes: number }): Router {
  const router = Router();

  router.post('/v1/erp/documents', requireRole(auth, 'erp'), express.json({ limit: deps.bodyLimitBytes, type: ['application/json', 'application/*+json'] }), async (req, res) => {
    const body = req.body as Partial<ErpDocumentRequest> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body) || !body.document || typeof body.document !== 'object') {
      throw new HubError('HUB_ERR_BAD_REQUEST', 'The body must be JSON { "documentId": "<the ERP\'s own id>", "partner"?: "<partner id>", "document": { <a canonical document> } } with Content-Type application/json.');
    }
    const unknown = Object.keys(body).filter((k) => !['documentId', 'partner', 'document'].includes(k));
    if (unknown.length) throw new HubError('HUB_ERR_BAD_REQUEST', `Unknown field(s) ${unknown.join(', ')}; the body has documentId, partner (optional) and document.`);
    if (body.partner !== undefined && typeof body.partner !== 'string') throw new HubError('HUB_ERR_BAD_REQUEST', 'partner must be a partner id (a string).');
    const result = await intakeOutbound(body as ErpDocumentRequest, 'erp', deps);
    const record = await deps.outbound.get(result.id, { body: false });
    res.status(result.outcome === 'accepted' ? 202 : 200).json({ ...view(record!), duplicate: result.outcome === 'duplicate', links: { self: `/v1/erp/documents/${result.id}` } });
  });

  router.get('/v1/erp/documents/:id', requireRole(auth, 'erp'), async (req, res) => {
    const id = String(req.params.id);
    const record = UUID_PATTERN.test(id) ? await deps.outbound.get(id, { body: false }) : undefined;
    if (!record) throw new HubError('HUB_ERR_NOT_FOUND', `No outbound document ${id}.`);
    res.json({ ...view(record), links: { self: `/v1/erp/documents/${id}` } });
  });

  router.get('/v1/ops/outbound', requireRole(auth, 'ops'), async (req, res) => {
    const { state, ...rest } = req.query as Record<string, unknown>;
    const query = parseListQuery(rest, ['partner', 'limit', 'cursor'], { partners: Object.keys(deps.config.partners) });
    if (state !== undefined && !OUTBOUND_STATES.includes(state as OutboundState)) throw new HubError('HUB_ERR_BAD_REQUEST', `Query parameter state must be one of ${OUTBOUND_STATES.join(', ')}.`);
    const page = await deps.outbound.list({ ...(query.partner ? { partner: query.partner } : {}), ...(state ? { state: state as OutboundState } : {}), limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
    res.json({ count: page.items.length, documents: page.items.map(view), ...(page.next ? { next: { cursor: page.next } } : {}) });
  });

  router.get('/v1/ops/outbound/:id', requireRole(auth, 'ops'), async (req, res) => {
    const id = String(req.params.id);
    const record = UUID_PATTERN.test(id) ? await deps.outbound.get(id) : undefined;
    if (!record) throw new HubError('HUB_ERR_NOT_FOUND', `No outbound document ${id}.`);
    res.json(view(record));
  });
  return router;
}
