import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { CanonicalType } from '../canonical/types.js';
import type { PartnerConfig } from '../config/types.js';
import type { FormatDefinition, MappingRegistry } from '../mapping/registry.js';
import type { HubQueues } from '../queue/queues.js';
import type { MessageStore } from '../store/message-store.js';
import { uuidv7 } from '../util/ids.js';
import { HubError } from '../errors/hub-error.js';
import { decodeXml } from '../xml/decode.js';
import { contentFingerprint } from '../xml/fingerprint.js';
import { inspectDocument } from '../xml/inspect.js';
import type { XmlLimits } from '../xml/limits.js';
import type { XsdCache } from '../xml/xsd-cache.js';

export interface IntakeDeps {
  mappings: MappingRegistry;
  xsd: XsdCache;
  store: MessageStore;
  queues: HubQueues;
  logger: Logger;
  limits: XmlLimits;
}

/** Longest the 202 waits for the transform job to be queued (the document is already committed). */
const ENQUEUE_TIMEOUT_MS = 2000;

export interface IntakeResult {
  id: string;
  documentType: CanonicalType;
  documentNumber: string;
  duplicate: boolean;
  /** 0 for a new number; n when the partner's duplicateNumbers is "revision" and this is the n-th change. */
  revision: number;
  revisionOf?: string;
}

/**
 * Queues the transform of a message already committed. BullMQ waits for Redis to come back; the partner must not:
 * past ENQUEUE_TIMEOUT_MS (or on a Redis error) the sweeper queues it from PostgreSQL, and the acceptance stands.
 */
export async function enqueueCommitted(id: string, deps: Pick<IntakeDeps, 'queues' | 'logger'>): Promise<void> {
  try {
    await Promise.race([
      deps.queues.enqueueTransform(id, 0),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`Redis did not take the job within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS).unref()),
    ]);
  } catch (error) {
    deps.logger.warn({ messageId: id, err: (error as Error).message }, 'enqueue failed after commit; the sweeper will queue it');
  }
}

/** The formats a partner may send, in its configured order. */
export function partnerFormats(partner: PartnerConfig, mappings: MappingRegistry): FormatDefinition[] {
  return partner.formats.map((name) => mappings.get(name)).filter((f): f is FormatDefinition => f !== undefined);
}

/**
 * Takes one posted document: check it (declarations, well-formedness, type, XSD, number, sender), store it
 * durably (one PostgreSQL transaction, committed before this returns), then queue its transform. From then on
 * it cannot be lost: a lost enqueue is queued again by the sweeper, which reads PostgreSQL.
 * The same bytes again return the original id (duplicate); the same number with other content is refused
 * (HUB_ERR_DOCUMENT_CONFLICT) unless the partner accepts revisions.
 */
export async function intakeDocument(body: Buffer, partner: PartnerConfig, deps: IntakeDeps, meta: { contentType?: string } = {}): Promise<IntakeResult> {
  // Shed load before any work when PostgreSQL connections are short: a 503 now, certain that nothing was
  // stored, beats an answer after the pool's connect timeout that the partner may have given up waiting for.
  if (deps.store.overloaded()) {
    throw new HubError('HUB_ERR_OVERLOADED', 'The hub is at capacity right now and did not look at this document; nothing was stored. Send it again after the Retry-After delay.');
  }
  decodeXml(body); // an encoding the workers could not read is refused now, not after the 202
  const { format, documentNumber, senderIds } = inspectDocument(body, partnerFormats(partner, deps.mappings), deps.xsd, deps.limits);
  const sendingParty = senderIds.find((id) => partner.partyIds.includes(id));
  if (!sendingParty) {
    throw new HubError(
      'HUB_ERR_SENDER_MISMATCH',
      senderIds.length
        ? `The ${format.senderParty} of this ${format.documentType} (${senderIds.join(', ')}) is not one of your party ids; you may only send documents in your own name.`
        : `This ${format.documentType} names no ${format.senderParty} identifier, so it cannot be checked against your party ids.`,
      { details: { senderIds, format: format.name, documentType: format.documentType, documentNumber } },
    );
  }
  const id = uuidv7();
  const sha256 = createHash('sha256').update(body).digest('hex');
  const outcome = await deps.store.accept(
    {
      id,
      partner: partner.id,
      format: format.name,
      documentType: format.documentType,
      documentNumber,
      sendingParty,
      sha256,
      raw: body,
      ...(meta.contentType ? { contentType: meta.contentType } : {}),
      keys: [
        { kind: 'documentNumber', value: documentNumber },
        { kind: format.senderParty === 'buyer' ? 'buyerPartyId' : 'sellerPartyId', value: sendingParty },
      ],
    },
    {
      revisions: partner.duplicateNumbers === 'revision',
      // Computed only when the number is taken by other bytes: the same document re-sent is a duplicate.
      sameContent: (existing) => {
        try {
          return contentFingerprint(existing, deps.limits) === contentFingerprint(body, deps.limits);
        } catch {
          return false;
        }
      },
    },
  );
  if (outcome.outcome === 'duplicate') {
    deps.logger.info({ messageId: outcome.id, partner: partner.id, documentNumber }, 'duplicate document; not processed again');
    return { id: outcome.id, documentType: format.documentType, documentNumber, duplicate: true, revision: 0 };
  }
  if (outcome.outcome === 'conflict') {
    const change = format.documentType === 'Order' ? 'send an order change for it, or an order with a new number' : `send a new ${format.documentType} with its own number (a credit note or a corrected document)`;
    throw new HubError(
      'HUB_ERR_DOCUMENT_CONFLICT',
      `${format.documentType} ${documentNumber} from ${sendingParty} was already accepted as message ${outcome.originalId} with other content; this document was not accepted. To change it, ${change}. If you meant to send the same document again, send the same bytes: that answers 200 with the original id.`,
      { details: { originalId: outcome.originalId, format: format.name, documentType: format.documentType, documentNumber } },
    );
  }
  deps.logger.info({ messageId: id, partner: partner.id, documentType: format.documentType, documentNumber, revision: outcome.revision, bytes: body.length }, 'document accepted');
  await enqueueCommitted(id, deps);
  return { id, documentType: format.documentType, documentNumber, duplicate: false, revision: outcome.revision, ...(outcome.revisionOf ? { revisionOf: outcome.revisionOf } : {}) };
}
