import { Router } from 'express';
import type { AdapterRegistry } from '../../adapters/registry.js';
import { parsePrincipal, principalName } from '../../auth/credentials.js';
import type { AuditLog } from '../../store/audit-log.js';
import { CANONICAL_TYPES } from '../../canonical/types.js';
import { ERP_MODULES } from '../../config/schema.js';
import { HubError } from '../../errors/hub-error.js';
import { replayMessage } from '../../pipeline/replay.js';
import type { HubQueues } from '../../queue/queues.js';
import { MESSAGE_STATUSES, type MessageStore } from '../../store/message-store.js';
import { UUID_PATTERN } from '../../util/ids.js';
import { requireRole, type AuthDeps } from '../middleware/auth.js';
import { messageView } from './documents.js';

function optionalEnum(value: unknown, allowed: readonly string[], name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  if (!allowed.includes(text)) throw new HubError('HUB_ERR_BAD_REQUEST', `${name} must be one of ${allowed.join(', ')}.`);
  return text;
}

/** Ops endpoints: find messages, see one whole, replay a failed one, queue and outbox figures. */
export function opsRoutes(auth: AuthDeps, deps: { store: MessageStore; queues: HubQueues; adapters: AdapterRegistry; partners: readonly string[]; audit: AuditLog }): Router {
  const router = Router();
  router.use('/v1/ops', requireRole(auth, 'ops'));

  router.get('/v1/ops/messages', async (req, res) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HubError('HUB_ERR_BAD_REQUEST', 'limit must be an integer from 1 to 1000.');
    const before = req.query.before === undefined ? undefined : Number(req.query.before);
    if (before !== undefined && !Number.isFinite(before)) throw new HubError('HUB_ERR_BAD_REQUEST', 'before must be a time in epoch milliseconds.');
    const query = {
      partner: optionalEnum(req.query.partner, deps.partners, 'partner'),
      documentType: optionalEnum(req.query.type, CANONICAL_TYPES, 'type'),
      status: optionalEnum(req.query.status, MESSAGE_STATUSES, 'status'),
      documentNumber: req.query.documentNumber ? String(req.query.documentNumber) : undefined,
      limit,
      before,
    };
    const messages = await deps.store.query(query);
    const last = messages[messages.length - 1];
    res.json({
      count: messages.length,
      messages: messages.map((m) => ({ ...m, links: { self: `/v1/ops/messages/${m.id}`, replay: `/v1/ops/messages/${m.id}/replay` } })),
      ...(last && messages.length === limit ? { next: { before: Date.parse(last.receivedAt) } } : {}),
    });
  });

  router.get('/v1/ops/messages/:id', async (req, res) => {
    const id = String(req.params.id);
    const record = UUID_PATTERN.test(id) ? await deps.store.get(id) : undefined;
    if (!record) throw new HubError('HUB_ERR_NOT_FOUND', `No message ${id}.`);
    res.json({ ...(await messageView(deps.store, record)), routes: record.routes ?? {}, canonical: (await deps.store.canonical(id)) ?? null });
  });

  router.post('/v1/ops/messages/:id/replay', async (req, res) => {
    const id = String(req.params.id);
    if (!UUID_PATTERN.test(id)) throw new HubError('HUB_ERR_NOT_FOUND', `No message ${id}.`);
    const { replays } = await replayMessage(id, req.principal!.id, deps);
    await deps.audit.record({ event: 'message.replayed', actor: 'ops', address: req.ip, messageId: id, detail: `replay ${replays}` });
    res.status(202).json({ id, status: 'accepted', replays, links: { self: `/v1/ops/messages/${id}` } });
  });

  router.get('/v1/ops/audit', async (req, res) => {
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HubError('HUB_ERR_BAD_REQUEST', 'limit must be an integer from 1 to 1000.');
    const since = req.query.since === undefined ? undefined : Date.parse(String(req.query.since));
    if (since !== undefined && Number.isNaN(since)) throw new HubError('HUB_ERR_BAD_REQUEST', 'since must be an ISO 8601 time.');
    const before = req.query.before === undefined ? undefined : String(req.query.before);
    if (before !== undefined && !/^\d+-\d+$/.test(before)) throw new HubError('HUB_ERR_BAD_REQUEST', 'before must be an audit entry id.');
    const entries = await deps.audit.query({
      event: req.query.event ? String(req.query.event) : undefined,
      actor: req.query.actor ? String(req.query.actor) : undefined,
      messageId: req.query.messageId ? String(req.query.messageId) : undefined,
      since,
      before,
      limit,
    });
    const last = entries[entries.length - 1];
    res.json({ count: entries.length, entries, ...(last && entries.length === limit ? { next: { before: last.id } } : {}) });
  });

  router.post('/v1/ops/credentials/:principal/rotate', async (req, res) => {
    const principal = parsePrincipal(String(req.params.principal));
    const { key, active } = auth.credentials.rotate(principal);
    await deps.audit.record({ event: 'credential.rotated', actor: 'ops', address: req.ip, detail: `${principalName(principal)}: new key, ${active} active` });
    res.status(201).json({ principal: principalName(principal), key, activeKeys: active, note: 'The key is shown once. The previous key stays valid until revoked.' });
  });

  router.post('/v1/ops/credentials/:principal/revoke', async (req, res) => {
    const principal = parsePrincipal(String(req.params.principal));
    const all = req.query.all === 'true';
    const { revoked } = auth.credentials.revoke(principal, { all });
    await deps.audit.record({ event: 'credential.revoked', actor: 'ops', address: req.ip, detail: `${principalName(principal)}: ${revoked} key(s) revoked${all ? ' (all)' : ' (all but the newest)'}` });
    res.json({ principal: principalName(principal), revoked });
  });

  router.get('/v1/ops/queues', async (_req, res) => {
    const outbox: Record<string, { ready: number; leased: number }> = {};
    for (const module of ERP_MODULES) {
      const source = deps.adapters.pullSource(module);
      if (source) outbox[module] = await source.stats(module);
    }
    res.json({ queues: await deps.queues.counts(), outbox });
  });
  return router;
}
