import { Router } from 'express';
import type { AdapterRegistry } from '../../adapters/registry.js';
import { parsePrincipal, principalName } from '../../auth/credentials.js';
import type { AuditLog } from '../../store/audit-log.js';
import { ERP_MODULES } from '../../config/schema.js';
import { HubError } from '../../errors/hub-error.js';
import { replayMessage } from '../../pipeline/replay.js';
import type { HubQueues } from '../../queue/queues.js';
import type { HubConfig } from '../../config/types.js';
import type { Database } from '../../db/database.js';
import { findOrderByNumber, findOrderId, orderChain } from '../../store/chains.js';
import type { MessageStore } from '../../store/message-store.js';
import type { RefusalStore } from '../../store/refusal-store.js';
import { retentionRuns } from '../../store/retention.js';
import { parseListQuery } from '../list-query.js';
import { UUID_PATTERN } from '../../util/ids.js';
import { requireRole, type AuthDeps } from '../middleware/auth.js';
import { messageView } from './documents.js';


/** Ops endpoints: find messages, see one whole, replay a failed one, queue and outbox figures. */
export function opsRoutes(
  auth: AuthDeps,
  deps: { store: MessageStore; refusals: RefusalStore; db: Database; config: HubConfig; queues: HubQueues; adapters: AdapterRegistry; partners: readonly string[]; audit: AuditLog },
): Router {
  const router = Router();
  router.use('/v1/ops', requireRole(auth, 'ops'));

  // Find messages by any business key (q), partner, type, status and time; newest first, keyset-paged.
  router.get('/v1/ops/messages', async (req, res) => {
    const query = parseListQuery(req.query as Record<string, unknown>, ['q', 'documentNumber', 'partner', 'type', 'status', 'from', 'to', 'limit', 'cursor', 'missing'], { partners: deps.partners });
    const page = await deps.store.query(query);
    res.json({
      count: page.items.length,
      messages: page.items.map((m) => ({ ...m, links: { self: `/v1/ops/messages/${m.id}`, raw: `/v1/ops/messages/${m.id}/raw`, canonical: `/v1/ops/messages/${m.id}/canonical`, chain: `/v1/ops/chains/${m.id}` } })),
      ...(page.next ? { next: { cursor: page.next } } : {}),
    });
  });

  const messageOr404 = async (id: string) => {
    const record = UUID_PATTERN.test(id) ? await deps.store.get(id) : undefined;
    if (!record) throw new HubError('HUB_ERR_NOT_FOUND', `No message ${id}.`);
    return record;
  };

  router.get('/v1/ops/messages/:id', async (req, res) => {
    const record = await messageOr404(String(req.params.id));
    res.json({ ...(await messageView(deps.store, record)), routes: record.routes ?? {}, keys: await deps.store.keys(record.id), canonical: (await deps.store.canonical(record.id)) ?? null });
  });

  // The bytes exactly as the partner posted them, with the content type they came with.
  router.get('/v1/ops/messages/:id/raw', async (req, res) => {
    const record = await messageOr404(String(req.params.id));
    const raw = await deps.store.raw(record.id);
    if (!raw) throw new HubError('HUB_ERR_NOT_FOUND', `The raw document of message ${record.id} was removed by retention on ${record.rawRemovedAt ?? 'an earlier run'} (retention.rawDays); the record and canonical document remain.`);
    res.type(record.contentType ?? 'application/xml').set('Content-Disposition', `attachment; filename="${record.id}.xml"`).send(raw);
  });

  router.get('/v1/ops/messages/:id/canonical', async (req, res) => {
    const record = await messageOr404(String(req.params.id));
    const canonical = await deps.store.canonical(record.id);
    if (!canonical) throw new HubError('HUB_ERR_NOT_FOUND', `Message ${record.id} has no canonical document (${record.status}${record.error ? `: ${record.error.code}` : ', not mapped yet'}).`);
    res.json(canonical);
  });

  // Documents refused at the intake: why, who, the number when one could be read, the bytes as posted.
  router.get('/v1/ops/refusals', async (req, res) => {
    const query = parseListQuery(req.query as Record<string, unknown>, ['q', 'partner', 'type', 'code', 'from', 'to', 'limit', 'cursor'], { partners: deps.partners });
    const page = await deps.refusals.query(query);
    res.json({
      count: page.items.length,
      refusals: page.items.map((r) => ({ ...r, links: { self: `/v1/ops/refusals/${r.id}`, raw: `/v1/ops/refusals/${r.id}/raw`, ...(r.originalId ? { original: `/v1/ops/messages/${r.originalId}` } : {}) } })),
      ...(page.next ? { next: { cursor: page.next } } : {}),
    });
  });

  router.get('/v1/ops/refusals/:id', async (req, res) => {
    const id = String(req.params.id);
    const refusal = UUID_PATTERN.test(id) ? await deps.refusals.get(id) : undefined;
    if (!refusal) throw new HubError('HUB_ERR_NOT_FOUND', `No refusal ${id}.`);
    res.json({ ...refusal, links: { raw: `/v1/ops/refusals/${id}/raw` } });
  });

  router.get('/v1/ops/refusals/:id/raw', async (req, res) => {
    const id = String(req.params.id);
    const raw = UUID_PATTERN.test(id) ? await deps.refusals.raw(id) : undefined;
    if (!raw) throw new HubError('HUB_ERR_NOT_FOUND', `No refusal ${id}.`);
    res.type(raw.contentType ?? 'application/octet-stream').set('Content-Disposition', `attachment; filename="refusal-${id}.bin"`).send(raw.bytes);
  });

  // The chain of an order: by any document of it (/v1/ops/chains/<id>) or by order number and partner.
  router.get('/v1/ops/chains', async (req, res) => {
    const unknown = Object.keys(req.query).filter((k) => k !== 'order' && k !== 'partner');
    if (unknown.length) throw new HubError('HUB_ERR_BAD_REQUEST', `Unknown query parameter(s) ${unknown.join(', ')}; this takes order and partner.`);
    const order = typeof req.query.order === 'string' ? req.query.order : '';
    const partner = typeof req.query.partner === 'string' ? req.query.partner : '';
    if (!order || !partner) throw new HubError('HUB_ERR_BAD_REQUEST', 'Give the order number and the partner that sent it: /v1/ops/chains?order=4711&partner=acme (or /v1/ops/chains/<any message id of the chain>).');
    if (!deps.partners.includes(partner)) throw new HubError('HUB_ERR_BAD_REQUEST', `partner must be one of ${deps.partners.join(', ')}.`);
    const orderId = await findOrderByNumber(deps.db, partner, order);
    if (!orderId) throw new HubError('HUB_ERR_NOT_FOUND', `No order ${order} from ${partner}.`);
    res.json(await orderChain(deps.db, orderId));
  });

  router.get('/v1/ops/chains/:id', async (req, res) => {
    const record = await messageOr404(String(req.params.id));
    const orderId = await findOrderId(deps.db, record.id);
    if (!orderId) throw new HubError('HUB_ERR_NOT_FOUND', `${record.documentType} ${record.documentNumber} (${record.id}) is linked to no order the hub has (orders link by number within a partner).`);
    res.json(await orderChain(deps.db, orderId));
  });

  router.get('/v1/ops/retention', async (_req, res) => {
    const { rawDays, recordDays, refusalDays, intervalMinutes, overrides } = deps.config.retention;
    const runs = await retentionRuns(deps.db);
    res.json({ settings: { rawDays, recordDays, refusalDays, intervalMinutes, overrides }, lastRun: runs[0] ?? null, runs });
  });

  router.post('/v1/ops/messages/:id/replay', async (req, res) => {
    const id = String(req.params.id);
    if (!UUID_PATTERN.test(id)) throw new HubError('HUB_ERR_NOT_FOUND', `No message ${id}.`);
    const { replays } = await replayMessage(id, req.principal!.id, { ...deps, stuckAfterMs: deps.config.pipeline.sweepAfterSeconds * 1000 });
    await deps.audit.record({ event: 'message.replayed', actor: 'ops', address: req.ip, messageId: id, detail: `replay ${replays}` });
    res.status(202).json({ id, status: 'accepted', replays, links: { self: `/v1/ops/messages/${id}` } });
  });

  router.get('/v1/ops/audit', async (req, res) => {
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HubError('HUB_ERR_BAD_REQUEST', 'limit must be an integer from 1 to 1000.');
    const since = req.query.since === undefined ? undefined : Date.parse(String(req.query.since));
    if (since !== undefined && Number.isNaN(since)) throw new HubError('HUB_ERR_BAD_REQUEST', 'since must be an ISO 8601 time.');
    const before = req.query.before === undefined ? undefined : String(req.query.before);
    if (before !== undefined && !/^\d{1,15}$/.test(before)) throw new HubError('HUB_ERR_BAD_REQUEST', 'before must be an audit entry id (the next.before of the previous page).');
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
