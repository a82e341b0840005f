import express, { Router } from 'express';
import type { AdapterRegistry } from '../../adapters/registry.js';
import { ERP_MODULES, type ErpModule } from '../../config/schema.js';
import { HubError } from '../../errors/hub-error.js';
import { requireRole, type AuthDeps } from '../middleware/auth.js';

const MAX_LIMIT = 500;

/** ERP endpoints: pull canonical messages of a module and acknowledge them. */
export function erpRoutes(auth: AuthDeps, adapters: AdapterRegistry): Router {
  const router = Router();
  router.use('/v1/erp', requireRole(auth, 'erp'));

  router.get('/v1/erp/messages', async (req, res) => {
    const module = String(req.query.module ?? '');
    if (!ERP_MODULES.includes(module as ErpModule)) throw new HubError('HUB_ERR_BAD_REQUEST', `Query parameter module must be one of ${ERP_MODULES.join(', ')}.`);
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new HubError('HUB_ERR_BAD_REQUEST', `Query parameter limit must be an integer from 1 to ${MAX_LIMIT}.`);
    const source = adapters.pullSource(module as ErpModule);
    if (!source) throw new HubError('HUB_ERR_NOT_FOUND', `No pull adapter (outbox) serves module ${module} in this hub's configuration.`);
    const messages = await source.fetch(module as ErpModule, limit);
    res.json({ module, count: messages.length, messages, links: { ack: '/v1/erp/messages/{id}/ack' } });
  });

  router.post('/v1/erp/messages/:id/ack', express.json({ limit: '4kb' }), async (req, res) => {
    const id = String(req.params.id);
    const module = id.slice(id.lastIndexOf('.') + 1) as ErpModule;
    const source = ERP_MODULES.includes(module) ? adapters.pullSource(module) : undefined;
    if (!source || !(await source.ack(id))) throw new HubError('HUB_ERR_NOT_FOUND', `No outstanding message ${id}: unknown, or already acknowledged.`);
    res.json({ id, acknowledged: true });
  });
  return router;
}
