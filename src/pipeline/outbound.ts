import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Adapter, DeliveryContext } from '../adapters/contract.js';
import { checkCanonical } from '../canonical/check.js';
import type { CanonicalDocument, CanonicalType } from '../canonical/types.js';
import type { HubConfig, PartnerConfig } from '../config/types.js';
import type { Queryable } from '../db/database.js';
import { allocateInterchangeNumbers } from '../edi/outbound.js';
import type { AcknowledgedTransaction, FunctionalAcknowledgment } from '../edi/x12/ack.js';
import type { ContrlReport } from '../edi/edifact/contrl.js';
import { HubError } from '../errors/hub-error.js';
import { buildOutbound } from '../outbound/build.js';
import type { OutboundRegistry } from '../outbound/registry.js';
import type { HubQueues } from '../queue/queues.js';
import type { BusinessKey } from '../store/message-store.js';
import type { AckExpected, OutboundStore } from '../store/outbound-store.js';
import type { TransportRegistry } from '../transports/registry.js';
import type { XsdCache } from '../xml/xsd-cache.js';
import { cxmlStatusOf } from '../xml/cxml-status.js';

/**
 * The outbound flow, top to bottom: the ERP hands over a canonical document (intakeOutbound: checked, its partner
 * found, stored as an outbound message, queued); the transform step builds the partner's document once
 * (buildOutboundDocument: the reverse mapping, its check, its control numbers); the delivery to the target
 * `partner@<id>` sends it through the partner's transport (partnerTarget) and records what the partner must still
 * acknowledge; a 997/999 or CONTRL that comes in later is matched to it (matchReceivedAcknowledgement).
 */

/** The delivery target of an outbound message: its partner's transport. Not an adapter name (those cannot hold '@'). */
export const PARTNER_TARGET_PREFIX = 'partner@';
export const partnerTarget = (partner: string): string => `${PARTNER_TARGET_PREFIX}${partner}`;
export const targetPartner = (target: string): string | undefined => (target.startsWith(PARTNER_TARGET_PREFIX) ? target.slice(PARTNER_TARGET_PREFIX.length) : undefined);

export interface OutboundDeps {
  config: HubConfig;
  outbound: OutboundStore;
  mappings: OutboundRegistry;
  queues: HubQueues;
  xsd: XsdCache;
  logger: Logger;
}

/** What the ERP posts: its own id for the document, the partner when it knows it, and the canonical document. */
export interface ErpDocumentRequest {
  documentId: string;
  partner?: string;
  document: CanonicalDocument;
}

const ERP_ID = /^[\x21-\x7e]{1,200}$/;

/** The other party of a document we send: the seller of our purchase order, the buyer of everything we sell. */
function counterparty(doc: CanonicalDocument): { role: 'buyer' | 'seller'; internalId: string } {
  if (doc.buyer.internalId === 'SELF' && doc.seller.internalId !== 'SELF') return { role: 'seller', internalId: doc.seller.internalId };
  if (doc.seller.internalId === 'SELF' && doc.buyer.internalId !== 'SELF') return { role: 'buyer', internalId: doc.buyer.internalId };
  throw new HubError('HUB_ERR_CANONICAL_INVALID', `An outbound ${doc.type} is ours: exactly one of buyer.internalId and seller.internalId must be SELF (got buyer ${doc.buyer.internalId}, seller ${doc.seller.internalId}).`, {
    errors: [{ path: 'buyer.internalId', message: 'one of buyer and seller must be SELF' }],
  });
}

/** The partner a document goes to: the one named, else the one whose party cross-reference holds its counterparty. */
function partnerFor(request: ErpDocumentRequest, deps: OutboundDeps): PartnerConfig {
  const doc = request.document;
  const type = doc.type as CanonicalType;
  const sends = (p: PartnerConfig) => Boolean(p.outbound?.formats[type]);
  if (request.partner) {
    const partner = deps.config.partners[request.partner];
    if (!partner) throw new HubError('HUB_ERR_OUTBOUND_PARTNER', `No partner ${request.partner} is configured on this hub.`, { errors: [{ path: 'partner', message: 'not a configured partner' }] });
    if (!sends(partner)) throw new HubError('HUB_ERR_OUTBOUND_PARTNER', `Partner ${partner.id} is not sent ${type} documents: partners.${partner.id}.outbound.formats has no ${type}.`, { errors: [{ path: 'partner', message: `not sent ${type}` }] });
    return partner;
  }
  const { role, internalId } = counterparty(doc);
  const candidates = Object.values(deps.config.partners).filter((p) => {
    const table = sends(p) ? deps.mappings.forPartner(p, type)?.tables.get('parties') : undefined;
    return table?.keysFor(internalId, p.id).some((k) => !k.shared) ?? false;
  });
  if (candidates.length === 1) return candidates[0]!;
  const why = candidates.length
    ? `${candidates.length} partners (${candidates.map((p) => p.id).join(', ')}) are`
    : `no partner sent ${type} documents is`;
  throw new HubError('HUB_ERR_OUTBOUND_PARTNER', `Which partner gets this ${type}: ${why} cross-referenced to its ${role} ${internalId} (config/xref/parties.csv); name the partner in the request (partner) or fix the cross-reference.`, {
    errors: [{ path: `${role}.internalId`, message: `${internalId}: ${candidates.length ? 'several partners' : 'no partner'}` }],
  });
}

/** The business keys of a canonical document the hub itself reads (links, the chain, search). */
export function standardKeys(doc: CanonicalDocument): BusinessKey[] {
  const keys: BusinessKey[] = [
    { kind: 'documentNumber', value: doc.documentNumber },
    { kind: 'buyerId', value: doc.buyer.internalId },
    { kind: 'sellerId', value: doc.seller.internalId },
    ...doc.buyer.partyIds.map((p) => ({ kind: 'buyerPartyId', value: p.id })),
    ...doc.seller.partyIds.map((p) => ({ kind: 'sellerPartyId', value: p.id })),
  ];
  if (doc.orderReference) keys.push({ kind: 'orderReference', value: doc.orderReference });
  if (doc.despatchReference) keys.push({ kind: 'despatchReference', value: doc.despatchReference });
  if (doc.type === 'CreditNote' && doc.invoiceReference) keys.push({ kind: 'invoiceReference', value: doc.invoiceReference });
  return keys;
}

/**
 * Takes a document from the ERP (POST /v1/erp/documents, or an adapter watching the ERP): checks it against the
 * canonical schema, finds its partner and the outbound mapping that builds it, and stores it as an outbound
 * message, idempotent on the ERP's id (the same id and content again: the first message; other content: a
 * conflict). Then queues its build. Nothing is sent before it is stored.
 */
export async function intakeOutbound(request: ErpDocumentRequest, source: string, deps: OutboundDeps): Promise<{ outcome: 'accepted' | 'duplicate'; id: string; partner: string; format: string }> {
  if (typeof request.documentId !== 'string' || !ERP_ID.test(request.documentId)) {
    throw new HubError('HUB_ERR_BAD_REQUEST', 'documentId (the ERP\'s own id for this document, 1 to 200 visible ASCII characters) is required: the hub takes each id once.', { errors: [{ path: 'documentId', message: 'required' }] });
  }
  const doc: unknown = request.document;
  checkCanonical(doc, { file: 'POST /v1/erp/documents', document: request.documentId });
  const partner = partnerFor({ ...request, document: doc }, deps);
  const mapping = deps.mappings.forPartner(partner, doc.type)!;
  if (!partner.transport) throw new HubError('HUB_ERR_OUTBOUND_PARTNER', `Partner ${partner.id} has no transport configured (partners.${partner.id}.transport): the hub has no way to send it this ${doc.type}.`);
  const expected = expectedAcknowledgement(partner, mapping.syntax);
  const raw = Buffer.from(JSON.stringify(doc), 'utf8');
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const id = randomUUID();
  const outcome = await deps.outbound.accept({ id, partner: partner.id, format: mapping.name, source, sourceId: request.documentId, syntax: mapping.syntax, ackExpected: expected, canonical: doc, raw, sha256, keys: standardKeys(doc) });
  if (outcome.outcome === 'conflict') {
    const what = outcome.reason === 'source-id' ? `ERP document ${request.documentId} was handed over before with other content` : `${doc.type} ${doc.documentNumber} for ${partner.id} was handed over before under another ERP id`;
    throw new HubError('HUB_ERR_DOCUMENT_CONFLICT', `${what} (/v1/ops/outbound/${outcome.originalId}); nothing was stored. A change to a document already sent is a new document (an OrderChange, a CreditNote) with its own id.`, { details: { originalId: outcome.originalId } });
  }
  if (outcome.outcome === 'accepted') await deps.queues.enqueueTransform(outcome.id, 0).catch((error: unknown) => deps.logger.warn({ err: error, messageId: outcome.id }, 'build not queued now; the sweeper will queue it'));
  return { outcome: outcome.outcome, id: outcome.id, partner: partner.id, format: mapping.name };
}

/** Which acknowledgement a partner gives for what we send: its setting, else what its syntax has (997, CONTRL) or a 2xx. */
function expectedAcknowledgement(partner: PartnerConfig, syntax: 'xml' | 'x12' | 'edifact'): AckExpected {
  const set = partner.outbound?.acknowledgement.expect;
  if (set && set !== 'http') return set;
  return set ?? (syntax === 'x12' ? '997' : syntax === 'edifact' ? 'contrl' : 'http');
}

/**
 * The transform step of an outbound message: the partner's document built once (the reverse mapping, checked
 * against its XSD, DTD or EDI rules; EDI control numbers taken in the same transaction as the build is stored, so
 * a build that fails takes none and a retry or replay reuses the same bytes and numbers). Returns what the
 * transform records: the canonical document, its route (the partner's target) and its business keys.
 */
export async function buildOutboundDocument(messageId: string, raw: Buffer, deps: OutboundDeps): Promise<{ canonical: CanonicalDocument; routes: Record<string, string[]>; keys: BusinessKey[]; detail: string }> {
  const record = await deps.outbound.get(messageId, { body: false });
  if (!record) throw new HubError('HUB_ERR_INTERNAL', `outbound row of ${messageId} missing`, { retryable: false });
  const partner = deps.config.partners[record.partner];
  if (!partner) throw new HubError('HUB_ERR_CONFIG', `partner ${record.partner} of outbound message ${messageId} is no longer configured`, { retryable: false });
  const mapping = deps.mappings.get(record.format);
  if (!mapping) throw new HubError('HUB_ERR_CONFIG', `outbound mapping ${record.format} of message ${messageId} is no longer in mappings/outbound/`, { retryable: false });
  const canonical = JSON.parse(raw.toString('utf8')) as CanonicalDocument;
  const { built, record: after } = await deps.outbound.buildOnce(messageId, async (tx: Queryable) => {
    const numbers = mapping.syntax === 'xml' ? undefined : await allocateInterchangeNumbers(tx, partner.id, mapping.syntax, { groups: mapping.syntax === 'x12' ? 1 : 0, transactions: 1 });
    return buildOutbound(mapping, canonical, { partner, ...(deps.config.company ? { company: deps.config.company } : {}), xsd: deps.xsd, ...(numbers ? { numbers } : {}) });
  });
  const numbers = after.controlNumbers ? ` (${Object.entries(after.controlNumbers).map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
  const detail = `${built ? 'built' : 'already built: the same bytes and numbers'} as ${mapping.name}, ${Buffer.byteLength(after.body ?? '')} bytes${numbers}`;
  return { canonical, routes: { [partnerTarget(partner.id)]: [] }, keys: standardKeys(canonical), detail };
}

/**
 * What the partner's synchronous answer says, when the acknowledgement expected comes in it (cXML) or is the 2xx
 * itself. Through the mailbox, `http` is the partner's ack of the mailbox message (acknowledgeMailbox), not the put.
 */
function answerAcknowledgement(expected: AckExpected, answer: { status?: number; responseBody?: string }, viaMailbox: boolean): { status: 'accepted' | 'rejected'; detail: unknown } | undefined {
  if (expected === 'http') return viaMailbox ? undefined : { status: 'accepted', detail: { http: answer.status } };
  if (expected === 'cxml' && answer.responseBody) {
    const status = cxmlStatusOf(answer.responseBody);
    if (status) return { status: status.code >= 200 && status.code < 300 ? 'accepted' : 'rejected', detail: status };
  }
  return undefined;
}

/**
 * The delivery target `partner@<id>` as the deliver step sees an adapter: sending is delivering the built
 * document through the partner's transport, with the message's idempotency key (the same on every retry and
 * replay). The send and the acknowledgement now expected are recorded; the transport's errors say whether the
 * deliver step retries (HUB_ERR_TRANSPORT_UNAVAILABLE) or fails the message with the reason.
 */
export function partnerSender(deps: { outbound: OutboundStore; transports: TransportRegistry; config: HubConfig }, partnerId: string): Pick<Adapter, 'deliver'> {
  return {
    async deliver(_doc: CanonicalDocument, ctx: DeliveryContext) {
      const transport = deps.transports.get(partnerId);
      if (!transport) throw new HubError('HUB_ERR_CONFIG', `partner ${partnerId} has no transport in this hub process (partners.${partnerId}.transport)`, { retryable: true });
      const record = await deps.outbound.get(ctx.messageId);
      if (!record?.body || !record.contentType) throw new HubError('HUB_ERR_INTERNAL', `outbound message ${ctx.messageId} has no built document to send`, { retryable: false });
      const answer = await transport.send(
        { messageId: record.messageId, partner: partnerId, documentType: record.documentType, documentNumber: record.documentNumber, contentType: record.contentType, body: record.body, ...(record.controlNumbers ? { controlNumbers: record.controlNumbers } : {}) },
        { idempotencyKey: ctx.idempotencyKey, signal: ctx.signal, attempt: ctx.attempt ?? 1 },
      );
      const withinHours = deps.config.partners[partnerId]?.outbound?.acknowledgement.withinHours ?? 24;
      const acknowledged = answerAcknowledgement(record.acknowledgement.expected, answer, deps.config.partners[partnerId]?.transport?.type === 'mailbox');
      await deps.outbound.markSent(ctx.messageId, { ...(answer.reference ? { reference: answer.reference } : {}), withinHours, ...(acknowledged ? { acknowledged } : {}) });
      const reference = answer.reference ?? (answer.status ? `HTTP ${answer.status}` : 'sent');
      return { reference: `${reference}${acknowledged ? `; acknowledged (${acknowledged.status})` : `; ${record.acknowledgement.expected} expected within ${withinHours} h`}` };
    },
  };
}

function verdict(status: string): 'accepted' | 'accepted-with-errors' | 'rejected' {
  return status === 'A' || status === 'accepted' ? 'accepted' : status === 'E' || status === 'accepted with errors' || status === 'partly rejected' ? 'accepted-with-errors' : 'rejected';
}

/**
 * A partner's 997/999 or CONTRL matched to the outbound documents it acknowledges: by our group's GS06 (X12) or
 * our interchange's UNB 0020 (EDIFACT); each document takes its own transaction's verdict (AK5, UCM) when the
 * acknowledgement gives one, with the partner's reasons, else the group's or interchange's.
 */
export async function matchReceivedAcknowledgement(db: Queryable, outbound: OutboundStore, partner: string, report: FunctionalAcknowledgment | ContrlReport): Promise<string[]> {
  if ('groupControlNumber' in report) {
    const perTransaction = Object.fromEntries(
      report.transactions.map((t: AcknowledgedTransaction) => [t.controlNumber.replace(/^0+/, ''), { status: verdict(t.status), detail: { kind: report.kind, setId: t.setId, status: t.status, codes: t.codes, errors: t.errors } }]),
    );
    return outbound.matchAcknowledgement(db, { partner, syntax: 'x12', acknowledges: report.groupControlNumber, status: verdict(report.status), perTransaction, detail: { kind: report.kind, status: report.status, codes: report.codes } });
  }
  const messages = [...report.messages, ...report.groups.flatMap((g) => g.messages)];
  const perTransaction = Object.fromEntries(messages.map((m) => [m.reference.replace(/^0+/, ''), { status: m.action === '4' ? ('rejected' as const) : ('accepted' as const), detail: { kind: 'CONTRL', message: m } }]));
  return outbound.matchAcknowledgement(db, { partner, syntax: 'edifact', acknowledges: report.interchange.reference, status: verdict(report.outcome), perTransaction, detail: { kind: 'CONTRL', outcome: report.outcome, interchange: report.interchange } });
}
