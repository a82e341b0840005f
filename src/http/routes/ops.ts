import express, { Router } from 'express';
import type { AdapterRegistry } from '../../adapters/registry.js';
import { parsePrincipal, principalName } from '../../auth/credentials.js';
import type { AuditLog } from '../../store/audit-log.js';
import { ERP_MODULES } from '../../config/schema.js';
import { HubError } from '../../errors/hub-error.js';
import { bulkReplayDeps, dryRun, parseReplayFilter, startRun } from '../../pipeline/bulk-replay.js';
import { replayMessage } from '../../pipeline/replay.js';
import type { ReplayRun } from '../../store/replay-runs.js';
import type { HubQueues } from '../../queue/queues.js';
import type { HubConfig } from '../../config/types.js';
import type { Database } from '../../db/database.js';
import { findOrderByNumber, findOrderId, orderChain } from '../../store/chains.js';
import type { MessageStore } from '../../store/message-store.js';
import type { RefusalStore } from '../../store/refusal-store.js';
import { retentionRuns } from '../../store/retention.js';
import { InterchangeStore } from '../../store/interchanges.js';
import { parseListQuery } from '../list-query.js';
import { UUID_PATTERN } from '../../util/ids.js';
import { requireRole, type AuthDeps } from '../middleware/auth.js';
import { messageView } from './documents.js';


/** A JSON body's fields, refusing unknown ones; no body is an empty one. */
function bodyOf(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new HubError('HUB_ERR_BAD_REQUEST', 'The body must be a JSON object (Content-Type: application/json).');
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new HubError('HUB_ERR_BAD_REQUEST', `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; this takes ${allowed.join(', ')}.`);
  return body as Record<string, unknown>;
}

/** Ops endpoints: find messages, see one whole, replay one or many (bulk, by filter), queue and outbox figures. */
export function opsRoutes(
  auth: AuthDeps,
  deps: { store: MessageStore; refusals: RefusalStore; db: Database; config: HubConfig; queues: HubQueues; adapters: AdapterRegistry; partners: readonly string[]; audit: AuditLog },
): Router {
  const router = Router();
  const interchanges = new InterchangeStore(deps.db);
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

  // The chain of an order: by any document of it (/v1/ops/chains/<id>) or by order number and partner. A purchase
  // (our order to a supplier) carries its three-way match, judged with chains.tolerance.
  const chainOptions = { tolerance: deps.config.chains.tolerance };
  router.get('/v1/ops/chains', async (req, res) => {
    const unknown = Object.keys(req.query).filter((k) => k !== 'order' && k !== 'partner');
    if (unknown.length) throw new HubError('HUB_ERR_BAD_REQUEST', `Unknown query parameter(s) ${unknown.join(', ')}; this takes order and partner.`);
    const order = typeof req.query.order === 'string' ? req.query.order : '';
    const partner = typeof req.query.partner === 'string' ? req.query.partner : '';
    if (!order || !partner) throw new HubError('HUB_ERR_BAD_REQUEST', 'Give the order number and the partner that sent it: /v1/ops/chains?order=4711&partner=acme (or /v1/ops/chains/<any message id of the chain>).');
    if (!deps.partners.includes(partner)) throw new HubError('HUB_ERR_BAD_REQUEST', `partner must be one of ${deps.partners.join(', ')}.`);
    const orderId = await findOrderByNumber(deps.db, partner, order);
    if (!orderId) throw new HubError('HUB_ERR_NOT_FOUND', `No order ${order} from ${partner} (nor a purchase of ours to it).`);
    res.json(await orderChain(deps.db, orderId, chainOptions));
  });

  router.get('/v1/ops/chains/:id', async (req, res) => {
    const record = await messageOr404(String(req.params.id));
    const orderId = await findOrderId(deps.db, record.id);
    if (!orderId) throw new HubError('HUB_ERR_NOT_FOUND', `${record.documentType} ${record.documentNumber} (${record.id}) is linked to no order the hub has (orders link by number within a partner).`);
    res.json(await orderChain(deps.db, orderId, chainOptions));
  });

  router.get('/v1/ops/retention', async (_req, res) => {
    const { rawDays, recordDays, refusalDays, intervalMinutes, overrides } = deps.config.retention;
    const runs = await retentionRuns(deps.db);
    res.json({ settings: { rawDays, recordDays, refusalDays, intervalMinutes, overrides }, lastRun: runs[0] ?? null, runs });
  });

  // Replay one message: a failed or stuck one; a delivered one only with {"force": true}.
  router.post('/v1/ops/messages/:id/replay', express.json({ limit: '4kb' }), async (req, res) => {
    const id = String(req.params.id);
    if (!UUID_PATTERN.test(id)) throw new HubError('HUB_ERR_NOT_FOUND', `No message ${id}.`);
    const body = bodyOf(req.body, ['force']);
    if (body.force !== undefined && typeof body.force !== 'boolean') throw new HubError('HUB_ERR_BAD_REQUEST', 'force must be true or false.');
    const { replays, forced } = await replayMessage(id, req.principal!.id, { ...deps, stuckAfterMs: deps.config.pipeline.sweepAfterSeconds * 1000 }, { force: body.force === true });
    await deps.audit.record({ event: 'message.replayed', actor: 'ops', address: req.ip, messageId: id, detail: `replay ${replays}${forced ? ' (forced)' : ''}` });
    res.status(202).json({ id, status: 'accepted', replays, forced, links: { self: `/v1/ops/messages/${id}` } });
  });

  // Bulk replay: a dry run counts and shows what a filter selects and returns a token; the run takes the
  // token, so it replays what was counted (never a larger set), in the background at a limited rate.
  const bulk = bulkReplayDeps(deps.config, deps);
  const filterContext = { partners: deps.partners, adapters: deps.config.adapters.map((a) => a.name) };
  const runView = (run: ReplayRun) => ({
    ...run,
    remaining: run.state === 'running' ? run.expected - run.position : 0,
    links: { self: `/v1/ops/replays/${run.id}`, stop: `/v1/ops/replays/${run.id}/stop`, messages: `/v1/ops/replays/${run.id}/messages` },
  });
  const runOr404 = async (id: string) => {
    const run = UUID_PATTERN.test(id) ? await bulk.runs.get(id) : undefined;
    if (!run) throw new HubError('HUB_ERR_NOT_FOUND', `No bulk replay run ${id}.`);
    return run;
  };

  router.post('/v1/ops/replays/dry-run', express.json({ limit: '16kb' }), async (req, res) => {
    const body = bodyOf(req.body, ['filter', 'force', 'sample']);
    if (body.force !== undefined && typeof body.force !== 'boolean') throw new HubError('HUB_ERR_BAD_REQUEST', 'force must be true or false.');
    const sample = body.sample === undefined ? 20 : body.sample;
    if (!Number.isInteger(sample) || (sample as number) < 0 || (sample as number) > 1000) throw new HubError('HUB_ERR_BAD_REQUEST', 'sample must be an integer from 0 to 1000.');
    const force = body.force === true;
    const filter = parseReplayFilter(body.filter, force, filterContext);
    const result = await dryRun(filter, force, sample as number, req.principal!.id, bulk);
    res.json({ ...result, links: { start: { method: 'POST', href: '/v1/ops/replays', body: { token: result.token } } } });
  });

  router.post('/v1/ops/replays', express.json({ limit: '16kb' }), async (req, res) => {
    const body = bodyOf(req.body, ['token', 'ratePerSecond']);
    if (body.token === undefined) throw new HubError('HUB_ERR_BAD_REQUEST', 'A bulk replay starts from its dry run: POST /v1/ops/replays/dry-run with the filter, check the count and sample, then POST here {"token": <its token>}.');
    const run = await startRun(body.token, body.ratePerSecond === undefined ? {} : { ratePerSecond: body.ratePerSecond as number }, req.principal!.id, bulk, filterContext);
    res.status(202).location(`/v1/ops/replays/${run.id}`).json(runView(run));
  });

  router.get('/v1/ops/replays', async (req, res) => {
    const unknown = Object.keys(req.query).filter((k) => k !== 'limit' && k !== 'before');
    if (unknown.length) throw new HubError('HUB_ERR_BAD_REQUEST', `Unknown query parameter(s) ${unknown.join(', ')}; this takes limit and before.`);
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new HubError('HUB_ERR_BAD_REQUEST', 'limit must be an integer from 1 to 500.');
    const before = req.query.before === undefined ? undefined : String(req.query.before);
    if (before !== undefined && !UUID_PATTERN.test(before)) throw new HubError('HUB_ERR_BAD_REQUEST', 'before must be a run id (the next.before of the previous page).');
    const runs = await bulk.runs.list(limit, before);
    const last = runs[runs.length - 1];
    res.json({ count: runs.length, runs: runs.map(runView), ...(last && runs.length === limit ? { next: { before: last.id } } : {}) });
  });

  router.get('/v1/ops/replays/:id', async (req, res) => {
    res.json(runView(await runOr404(String(req.params.id))));
  });

  // The messages of a run in the order it replays them, with each one's outcome (skipped ones say why).
  router.get('/v1/ops/replays/:id/messages', async (req, res) => {
    const run = await runOr404(String(req.params.id));
    const unknown = Object.keys(req.query).filter((k) => !['outcome', 'after', 'limit'].includes(k));
    if (unknown.length) throw new HubError('HUB_ERR_BAD_REQUEST', `Unknown query parameter(s) ${unknown.join(', ')}; this takes outcome, after and limit.`);
    const outcome = req.query.outcome === undefined ? undefined : String(req.query.outcome);
    if (outcome !== undefined && !['replayed', 'skipped', 'pending'].includes(outcome)) throw new HubError('HUB_ERR_BAD_REQUEST', 'outcome must be replayed, skipped or pending.');
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HubError('HUB_ERR_BAD_REQUEST', 'limit must be an integer from 1 to 1000.');
    const after = req.query.after === undefined ? 0 : Number(req.query.after);
    if (!Number.isInteger(after) || after < 0) throw new HubError('HUB_ERR_BAD_REQUEST', 'after must be a position (the next.after of the previous page).');
    const items = await bulk.runs.items(run.id, { after, limit, ...(outcome ? { outcome: outcome as 'replayed' | 'skipped' | 'pending' } : {}) });
    const last = items[items.length - 1];
    res.json({ run: run.id, count: items.length, messages: items, ...(last && items.length === limit ? { next: { after: last.position } } : {}) });
  });

  // Stops a run; it returns once the message being replayed (if any) is done, with the final counts.
  router.post('/v1/ops/replays/:id/stop', async (req, res) => {
    const run = await runOr404(String(req.params.id));
    const { run: stopped, changed } = await bulk.runs.stop(run.id, req.principal!.id);
    if (!changed) {
      if (stopped?.state === 'stopped') return res.json(runView(stopped));
      throw new HubError('HUB_ERR_CONFLICT', `Bulk replay run ${run.id} is ${stopped?.state} already; only a running run can be stopped.`);
    }
    await deps.audit.record({ event: 'replay.stopped', actor: 'ops', address: req.ip, detail: `run ${run.id} stopped by ${req.principal!.id}: ${stopped!.replayed} replayed, ${stopped!.skipped} skipped of ${stopped!.expected}` });
    res.json(runView(stopped!));
  });

  // Acknowledgements partners sent (997/999, CONTRL), newest first; `unmatched=true`: those no outbound interchange matched.
  router.get('/v1/ops/acknowledgements', async (req, res) => {
    const { unmatched, ...rest } = req.query as Record<string, unknown>;
    const query = parseListQuery(rest, ['partner', 'limit'], { partners: deps.partners });
    if (unmatched !== undefined && unmatched !== 'true' && unmatched !== 'false') throw new HubError('HUB_ERR_BAD_REQUEST', 'Query parameter unmatched must be true or false.');
    const acknowledgements = await interchanges.receivedAcks({ ...(query.partner ? { partner: query.partner } : {}), unmatched: unmatched === 'true', limit: query.limit });
    res.json({ count: acknowledgements.length, acknowledgements });
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
