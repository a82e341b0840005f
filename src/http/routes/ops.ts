import { Router } from 'express';
import type { AdapterRegistry } from '../../adapters/registry.js';
import type { CredentialStore } from '../../auth/credentials.js';
import { CANONICAL_TYPES } from '../../canonical/types.js';
import { ERP_MODULES } from '../../config/schema.js';
import { HubError } from '../../errors/hub-error.js';
import { replayMessage } from '../../pipeline/replay.js';
import type { HubQueues } from '../../queue/queues.js';
import { MESSAGE_STATUSES, type MessageStore } from '../../store/message-store.js';
import { UUID_PATTERN } from '../../util/ids.js';
import { requireRole } from '../middleware/auth.js';
import { messageView } from './documents.js';

function optionalEnum(value: unknown, allowed: readonly string[], name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  if (!allowed.includes(text)) throw new HubError('HUB_ERR_BAD_REQUEST', `${name} must be one of ${allowed.join(', ')}.`);
  return text;
}

/** Ops endpoints: find messages, see one whole, replay a failed one, queue and outbox figures. */
export function opsRoutes(credentials: CredentialStore, deps: { store: MessageStore; queues: HubQueues; adapters: AdapterRegistry; partners: readonly string[] }): Router {
  const router = Router();
  router.use('/v1/ops', requireRole(credentials, 'ops'));

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
    res.status(202).json({ id, status: 'accepted', replays, links: { self: `/v1/ops/messages/${id}` } });
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
