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

export interface IntakeResult {
  id: string;
  documentType: CanonicalType;
  documentNumber: string;
  duplicate: boolean;
}

/** The formats a partner may send, in its configured order. */
export function partnerFormats(partner: PartnerConfig, mappings: MappingRegistry): FormatDefinition[] {
  return partner.formats.map((name) => mappings.get(name)).filter((f): f is FormatDefinition => f !== undefined);
}

/**
 * Takes one posted document: check it (declarations, well-formedness, type, XSD, number), store it durably
 * with its record, then queue its transform. Returns once it is stored: from then on it cannot be lost.
 * A document already accepted (same partner, type and number, or the same bytes) returns the original id.
 */
export async function intakeDocument(body: Buffer, partner: PartnerConfig, deps: IntakeDeps): Promise<IntakeResult> {
  decodeXml(body); // an encoding the workers could not read is refused now, not after the 202
  const { format, documentNumber, senderIds } = inspectDocument(body, partnerFormats(partner, deps.mappings), deps.xsd, deps.limits);
  if (!senderIds.some((id) => partner.partyIds.includes(id))) {
    throw new HubError(
      'HUB_ERR_SENDER_MISMATCH',
      senderIds.length
        ? `The ${format.senderParty} of this ${format.documentType} (${senderIds.join(', ')}) is not one of your party ids; you may only send documents in your own name.`
        : `This ${format.documentType} names no ${format.senderParty} identifier, so it cannot be checked against your party ids.`,
      { details: { senderIds, format: format.name } },
    );
  }
  const id = uuidv7();
  const sha256 = createHash('sha256').update(body).digest('hex');
  const { duplicateOf } = await deps.store.accept({ id, partner: partner.id, format: format.name, documentType: format.documentType, documentNumber, sha256, raw: body });
  if (duplicateOf) {
    deps.logger.info({ messageId: duplicateOf, partner: partner.id, documentNumber }, 'duplicate document; not processed again');
    return { id: duplicateOf, documentType: format.documentType, documentNumber, duplicate: true };
  }
  deps.logger.info({ messageId: id, partner: partner.id, documentType: format.documentType, documentNumber, bytes: body.length }, 'document accepted');
  try {
    await deps.queues.enqueueTransform(id, 0);
  } catch (error) {
    // Stored but not queued: the pending sweeper queues it again; the partner's acceptance stands.
    deps.logger.warn({ messageId: id, err: error }, 'enqueue failed after store; the pending sweeper will queue it');
  }
  return { id, documentType: format.documentType, documentNumber, duplicate: false };
}
