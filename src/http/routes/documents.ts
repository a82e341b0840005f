import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { AuditLog } from '../../store/audit-log.js';
import type { RateLimiter, SignatureVerifier } from '../middleware/security.js';
import type { HubConfig } from '../../config/types.js';
import { HubError } from '../../errors/hub-error.js';
import { intakeDocument, type IntakeDeps } from '../../pipeline/intake.js';
import type { MessageRecord, MessageStore } from '../../store/message-store.js';
import type { RefusalStore } from '../../store/refusal-store.js';
import { parseListQuery } from '../list-query.js';
import { asHubError } from '../middleware/errors.js';
import { UUID_PATTERN } from '../../util/ids.js';
import { requireRole, type AuthDeps } from '../middleware/auth.js';
import { observeIntake, type IntakeLocals, type IntakeMetrics } from '../../metrics.js';
import type { Database } from '../../db/database.js';
import { acceptedMediaType, describeSyntaxes, syntaxOf, SYNTAX_MEDIA_TYPES, type SyntaxName } from '../../formats/syntax.js';
import { intakeInterchange, type InterchangeResult } from '../../pipeline/intake-edi.js';
import { splitInterchanges } from '../../formats/edi-split.js';
import { ERROR_CATALOG } from '../../errors/catalog.js';
import { InterchangeStore, type InterchangeRecord } from '../../store/interchanges.js';
import { answersInCxml } from '../middleware/errors.js';
import { cxmlAccepted, cxmlVersionOf } from '../../xml/cxml-response.js';
import { PartnerMailbox } from '../../store/partner-mailbox.js';
import type { OutboundStore } from '../../store/outbound-store.js';


/** The hub's own file names (mapping files, cross-reference tables, schemas) are not the partner's business. */
const HUB_PATHS = /(?<![\w)])(?:\/[\w.@-]+)+\/?|\b[\w.-]+(?:\/[\w.-]+)*\.(?:ya?ml|csv|xsd|json|[cm]?js|ts)\b/g;
export function redactForPartner(text: string): string {
  return text.replace(HUB_PATHS, '(hub configuration)');
}

/**
 * The tracking view of a message: the record, its deliveries and its history. A partner sees the same, with
 * the hub's internal file names taken out of error texts and without adapter references.
 */
export async function messageView(store: MessageStore, record: MessageRecord, audience: 'ops' | 'partner' = 'ops') {
  let [history, deliveries] = await Promise.all([store.history(record.id), store.deliveries(record.id)]);
  let error = record.error;
  if (audience === 'partner') {
    const clean = <T,>(value: T): T => JSON.parse(JSON.stringify(value), (_key, v) => (typeof v === 'string' ? redactForPartner(v) : v)) as T;
    history = history.map((h) => ({ ...h, ...(h.detail ? { detail: redactForPartner(h.detail) } : {}), ...(h.error ? { error: clean(h.error) } : {}) }));
    deliveries = deliveries.map(({ reference: _reference, ...d }) => ({ ...d, ...(d.error ? { error: redactForPartner(d.error) } : {}) }));
    if (error) error = clean(error);
  }
  return {
    id: record.id,
    partner: record.partner,
    documentType: record.documentType,
    documentNumber: record.documentNumber,
    format: record.format,
    ...(record.revision ? { revision: record.revision, revisionOf: record.revisionOf } : {}),
    status: record.status,
    receivedAt: record.receivedAt,
    updatedAt: record.updatedAt,
    ...(error ? { error } : {}),
    replays: record.replays,
    deliveries,
    history,
    links: { self: `/v1/documents/${record.id}` },
  };
}

export interface DocumentRouteDeps extends IntakeDeps {
  db: Database;
  /** Outbound: partners' 997/999 and CONTRL are matched to the documents the hub sent them. */
  outbound?: { outbound: OutboundStore };
  auth: AuthDeps;
  rateLimiter: RateLimiter;
  signatures: SignatureVerifier;
  audit: AuditLog;
  refusals: RefusalStore;
  /** Counts each post's outcome and time (src/metrics.ts). */
  metrics?: IntakeMetrics;
}

/** The partner's view of a message in a listing: no internal routes, no adapter references. */
function listed(record: MessageRecord) {
  return {
    id: record.id,
    documentType: record.documentType,
    documentNumber: record.documentNumber,
    ...(record.revision ? { revision: record.revision } : {}),
    status: record.status,
    receivedAt: record.receivedAt,
    updatedAt: record.updatedAt,
    ...(record.error ? { error: { code: record.error.code } } : {}),
    links: { self: `/v1/documents/${record.id}` },
  };
}

/**
 * The answer to one posted interchange: 202 when a transaction became a new message, 200 when the same
 * interchange came before, 400 (envelope) or 422 (every transaction rejected) otherwise, with each transaction's
 * outcome and the acknowledgements built. A refusal carries the problem fields (RFC 9457: type, title, status,
 * code, detail) beside the interchange's own.
 */
function interchangeAnswer(result: InterchangeResult, instance: string): { status: number; code?: string; body: Record<string, unknown> } {
  const { interchange, transactions, acknowledgements, duplicate } = result;
  const taken = transactions.filter((t) => t.outcome === 'accepted' || t.outcome === 'acknowledgement').length;
  const isWarning = (p: object) => (p as { warning?: boolean }).warning === true;
  const envelope = interchange.problems.some((p) => p.level === 'interchange' && !isWarning(p));
  const warnings = interchange.problems.filter(isWarning);
  const status = interchange.status === 'rejected' ? (envelope || !transactions.length ? 400 : 422) : !duplicate && taken > 0 ? 202 : 200;
  const code = status >= 400 ? (envelope ? 'HUB_ERR_EDI_ENVELOPE' : 'HUB_ERR_EDI_INVALID') : undefined;
  const problem = code
    ? {
        type: `https://b2b-hub.dev/errors/${code}`,
        title: ERROR_CATALOG[code].title,
        status,
        code,
        detail: envelope
          ? `The interchange's envelope is wrong: ${interchange.problems.filter((p) => p.level === 'interchange' && !isWarning(p)).map((p) => p.message).join('; ')}`
          : "No transaction of this interchange was taken; each one's problems are listed.",
        instance,
      }
    : {};
  return {
    status,
    ...(code ? { code } : {}),
    body: {
      ...problem,
      interchange: { id: interchange.id, controlNumber: interchange.controlNumber, status: interchange.status, duplicate, transactions: interchange.transactions, accepted: interchange.accepted, ...(warnings.length ? { warnings } : {}), links: { self: `/v1/interchanges/${interchange.id}` } },
      transactions: transactions.map((t) => ({ ...t, ...(t.id ? { links: { self: `/v1/documents/${t.id}` } } : {}) })),
      acknowledgements: acknowledgements.map((a) => ({ kind: a.kind, controlNumber: a.controlNumber, status: a.status, content: a.content })),
    },
  };
}

/** One interchange of a body that held several: taken (its result) or refused whole (a duplicate number, an unreadable envelope). */
type InterchangePiece = { result: InterchangeResult } | { refused: HubError };

/**
 * The answer to a posted body of one or more interchanges. One: its answer as it is. Several (a batch file):
 * `{ interchanges: [...] }`, one answer each in order, a refused one as its problem; the status is 202 when any
 * took a new message, else 200 when any was taken before, else the first refusal's. When the request's Accept asks
 * for the syntax's own type (application/edi-x12, application/edifact), the acknowledgement texts themselves,
 * with the same status.
 */
function answerInterchanges(req: Request, res: Response, syntax: 'x12' | 'edifact', pieces: InterchangePiece[]): void {
  const answers = pieces.map((piece) => ('result' in piece ? { ...interchangeAnswer(piece.result, req.originalUrl), acknowledgements: piece.result.acknowledgements } : { status: piece.refused.status, code: piece.refused.code, refused: piece.refused, acknowledgements: [] }));
  const status = answers.some((a) => a.status === 202) ? 202 : answers.some((a) => a.status === 200) ? 200 : answers[0]!.status;
  const locals = res.locals as IntakeLocals;
  locals.documentType = pieces.flatMap((p) => ('result' in p ? p.result.transactions : [])).find((t) => t.documentType)?.documentType as IntakeLocals['documentType'];
  if (status >= 400) locals.errorCode = answers[0]!.code as IntakeLocals['errorCode'];
  const media = SYNTAX_MEDIA_TYPES[syntax][0]!;
  const acknowledgements = answers.flatMap((a) => a.acknowledgements);
  if (acknowledgements.length && (req.get('accept') ?? '').toLowerCase().includes(media)) {
    res.status(status).type(media).send(acknowledgements.map((a) => a.content).join(''));
    return;
  }
  const single = answers.length === 1 && 'body' in answers[0]!;
  const bodies = answers.map((a) => ('body' in a ? a.body : refusalBody(a.refused, req.originalUrl)));
  res
    .status(status)
    .type(status >= 400 ? 'application/problem+json' : 'application/json')
    .json(single ? bodies[0] : { interchanges: bodies });
}

function refusalBody(error: HubError, instance: string): Record<string, unknown> {
  return { type: `https://b2b-hub.dev/errors/${error.code}`, title: error.title, status: error.status, code: error.code, detail: error.message, instance, ...(error.errors.length ? { errors: error.errors } : {}), ...(Object.keys(error.details).length ? { details: error.details } : {}) };
}

/**
 * Takes each interchange of a body in turn. A refusal of one of several (HUB_ERR_INTERCHANGE_DUPLICATE, an
 * unreadable envelope) is its answer and the others go on; a refusal of a lone interchange, and anything
 * retryable (overload, an outage), is thrown as for any request: the partner sends the body again and the
 * interchanges already taken answer as the same bytes again.
 */
async function takeInterchanges(pieces: Buffer[], take: (piece: Buffer) => Promise<InterchangeResult>): Promise<InterchangePiece[]> {
  const out: InterchangePiece[] = [];
  for (const piece of pieces) {
    try {
      out.push({ result: await take(piece) });
    } catch (error) {
      if (pieces.length === 1 || !(error instanceof HubError) || error.retryable || error.status >= 500) throw error;
      out.push({ refused: error });
    }
  }
  return out;
}

/** An interchange as the partner and ops see it: its envelope facts, its messages, its problems, its acknowledgements. */
export async function interchangeView(interchanges: InterchangeStore, record: InterchangeRecord) {
  const [messages, acknowledgements] = await Promise.all([interchanges.messages(record.id), interchanges.acknowledgements(record.id)]);
  return {
    ...record,
    messages: messages.map((m) => ({ ...m, links: { self: `/v1/documents/${m.id}` } })),
    acknowledgements: acknowledgements.map((a) => ({ kind: a.kind, controlNumber: a.controlNumber, status: a.status, createdAt: a.createdAt, content: a.content })),
  };
}

/** Partner endpoints: post a document, track it. */
export function documentRoutes(config: HubConfig, deps: DocumentRouteDeps): Router {
  const router = Router();
  const xmlBody = express.raw({ type: () => true, limit: config.server.bodyLimitBytes });

  const interchanges = new InterchangeStore(deps.db);
  const mailbox = new PartnerMailbox(deps.db);
  const syntaxesOf = (partnerId: string): SyntaxName[] => [...new Set((config.partners[partnerId]?.formats ?? []).map((f) => deps.mappings.get(f)?.syntax).filter((s): s is SyntaxName => s !== undefined))];

  const checkMediaType = (req: Request, _res: Response, next: NextFunction) => {
    if (!acceptedMediaType(req.get('content-type'))) {
      return next(new HubError('HUB_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${req.get('content-type') ?? 'none'} is not a document type the hub takes. You may send: ${describeSyntaxes(syntaxesOf(req.principal!.id))}; partners that cannot set a type may send text/plain.`));
    }
    next();
  };

  router.post('/v1/documents', observeIntake(deps.metrics), requireRole(deps.auth, 'partner'), deps.rateLimiter.perPartner(config.rateLimits.perPartner), checkMediaType, xmlBody, async (req, res) => {
    const partner = config.partners[req.principal!.id];
    if (!partner) throw new HubError('HUB_ERR_FORBIDDEN', 'Your partner id is no longer configured on this hub; ask the hub operators to restore it.');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    await deps.signatures.verify(req, body, partner.signature === 'required');
    const syntax = syntaxOf(body, req.get('content-type'), syntaxesOf(partner.id));
    if (syntax !== 'xml') {
      const meta = { ...(req.get('content-type') ? { contentType: req.get('content-type')! } : {}), ...(req.ip ? { address: req.ip } : {}) };
      const pieces = await takeInterchanges(splitInterchanges(syntax, body), (piece) => intakeInterchange(piece, syntax, partner, { ...deps, interchanges, mailbox, ...(deps.outbound ? { outboundStore: deps.outbound.outbound } : {}) }, meta));
      return answerInterchanges(req, res, syntax, pieces);
    }
    const result = await intakeDocument(body, partner, deps, { ...(req.get('content-type') ? { contentType: req.get('content-type')! } : {}) });
    (res.locals as IntakeLocals).documentType = result.documentType;
    const links = { self: `/v1/documents/${result.id}` };
    if (answersInCxml(req, deps.mappings, config)) {
      // A cXML client gets a cXML Response: 201 Accepted (stored, processed later), 200 OK for one the hub had.
      const reply = cxmlAccepted(result, { version: cxmlVersionOf(body) });
      res.status(result.duplicate ? 200 : 202).location(links.self).type(reply.contentType).send(reply.body);
      return;
    }
    if (result.duplicate) {
      const original = await deps.store.get(result.id);
      res.status(200).json({ id: result.id, documentType: result.documentType, documentNumber: result.documentNumber, status: original?.status ?? 'accepted', duplicate: true, links });
      return;
    }
    const revision = result.revision ? { revision: result.revision, revisionOf: result.revisionOf } : {};
    res.status(202).location(links.self).json({ id: result.id, documentType: result.documentType, documentNumber: result.documentNumber, ...revision, status: 'accepted', links });
  });

  // What the hub has for the partner to fetch (acknowledgements now), leased on fetch, acknowledged like the ERP's outbox.
  router.get('/v1/partner/messages', requireRole(deps.auth, 'partner'), async (req, res) => {
    const query = parseListQuery(req.query as Record<string, unknown>, ['limit'], { maxLimit: 500 });
    const messages = await mailbox.fetch(req.principal!.id, query.limit);
    res.json({ count: messages.length, messages, links: { ack: '/v1/partner/messages/{id}/ack' } });
  });

  router.post('/v1/partner/messages/:id/ack', requireRole(deps.auth, 'partner'), async (req, res) => {
    const id = String(req.params.id);
    if (!UUID_PATTERN.test(id) || !(await mailbox.ack(req.principal!.id, id))) throw new HubError('HUB_ERR_NOT_FOUND', `No outstanding message ${id} in your mailbox: unknown, or already acknowledged.`);
    // An outbound document fetched from the mailbox and acknowledged: the partner's acknowledgement of it.
    await deps.outbound?.outbound.acknowledgeMailbox(req.principal!.id, id);
    res.json({ id, acknowledged: true });
  });

  // A partner's own interchange: what became of each transaction, and the acknowledgements built for it.
  router.get('/v1/interchanges/:id', requireRole(deps.auth, 'partner', 'ops'), async (req, res) => {
    const id = String(req.params.id);
    const record = UUID_PATTERN.test(id) ? await interchanges.get(id) : undefined;
    if (!record || (req.principal!.role === 'partner' && record.partner !== req.principal!.id)) throw new HubError('HUB_ERR_NOT_FOUND', `No interchange ${id} for you.`);
    res.json(await interchangeView(interchanges, record));
  });

  // A partner's own documents, newest first, with the same filters as ops (never another partner's).
  router.get('/v1/documents', requireRole(deps.auth, 'partner'), async (req, res) => {
    const query = parseListQuery(req.query as Record<string, unknown>, ['q', 'documentNumber', 'type', 'status', 'from', 'to', 'limit', 'cursor'], { maxLimit: 500 });
    const page = await deps.store.query({ ...query, partner: req.principal!.id });
    res.json({ count: page.items.length, documents: page.items.map(listed), ...(page.next ? { next: { cursor: page.next } } : {}) });
  });

  // What the partner sent that was refused, and why (the bytes stay with ops).
  router.get('/v1/refusals', requireRole(deps.auth, 'partner'), async (req, res) => {
    const query = parseListQuery(req.query as Record<string, unknown>, ['q', 'type', 'code', 'from', 'to', 'limit', 'cursor'], { maxLimit: 500 });
    const page = await deps.refusals.query({ ...query, partner: req.principal!.id });
    const refusals = page.items.map(({ address: _a, partner: _p, ...r }) => r);
    res.json({ count: refusals.length, refusals, ...(page.next ? { next: { cursor: page.next } } : {}) });
  });

  router.get('/v1/documents/:id', requireRole(deps.auth, 'partner', 'ops'), async (req, res) => {
    const id = String(req.params.id);
    const record = UUID_PATTERN.test(id) ? await deps.store.get(id) : undefined;
    // A partner asking for another partner's message learns nothing, not even that it exists.
    if (!record || (req.principal!.role === 'partner' && record.partner !== req.principal!.id)) throw new HubError('HUB_ERR_NOT_FOUND', `No document ${id} for you.`);
    res.json(await messageView(deps.store, record, req.principal!.role === 'partner' ? 'partner' : 'ops'));
  });

  // Every refused post of an authenticated partner is stored with its bytes, its errors and the number when one
  // could be read, and audited; then the error goes on to the problem handler for the answer.
  router.use('/v1/documents', async (error: unknown, req: Request, res: Response, next: NextFunction) => {
    const partner = req.principal?.role === 'partner' ? req.principal.id : undefined;
    const { hubError, storeDown } = asHubError(error);
    Object.assign(res.locals as IntakeLocals, { errorCode: hubError.code, documentType: hubError.details.documentType });
    if (req.method !== 'POST' || req.path !== '/' || !partner || storeDown || hubError.code === 'HUB_ERR_RATE_LIMITED' || hubError.status >= 500) return next(error);
    const details = hubError.details;
    const text = (name: string) => (typeof details[name] === 'string' ? (details[name] as string) : undefined);
    const event = hubError.code === 'HUB_ERR_SENDER_MISMATCH' ? 'sender.mismatch' : hubError.code === 'HUB_ERR_SIGNATURE_INVALID' ? 'signature.invalid' : 'document.rejected';
    await deps.audit.record({ event, actor: `partner:${partner}`, address: req.ip, code: hubError.code, detail: hubError.message.slice(0, 300) });
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      const format = text('format');
      const documentType = text('documentType');
      const documentNumber = text('documentNumber');
      const originalId = text('originalId');
      const contentType = req.get('content-type');
      await deps.refusals.record({
        partner,
        ...(req.ip ? { address: req.ip } : {}),
        httpStatus: hubError.status,
        code: hubError.code,
        detail: hubError.message,
        ...(hubError.errors.length ? { errors: hubError.errors } : {}),
        ...(format ? { format } : {}),
        ...(documentType ? { documentType } : {}),
        ...(documentNumber ? { documentNumber } : {}),
        ...(originalId ? { originalId } : {}),
        ...(contentType ? { contentType } : {}),
        size: body.length || Number(req.get('content-length') ?? 0) || 0,
        bytes: body,
      });
    } catch (storeError) {
      // The partner still gets the precise answer; the log keeps what could not be stored.
      deps.logger.error({ err: storeError, partner, code: hubError.code }, 'refusal not stored');
    }
    next(error);
  });

  return router;
}
