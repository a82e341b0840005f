import type { CanonicalDocument } from '../canonical/types.js';
import type { CompanyConfig, PartnerConfig } from '../config/types.js';
import { assertOutboundValid, buildEdifactInterchange, buildX12Interchange, type ControlNumbers } from '../edi/outbound.js';
import { HubError } from '../errors/hub-error.js';
import { displayPath } from '../mapping/paths.js';
import { parseUntrustedXml } from '../xml/safe-parse.js';
import type { XsdCache } from '../xml/xsd-cache.js';
import { evaluateOutbound } from './evaluate.js';
import type { OutboundMapping } from './mapping-file.js';
import { writeXml, XmlCharacterError } from './xml-writer.js';

/** A document built for a partner: its text and type, and for EDI the control numbers it carries. */
export interface BuiltDocument {
  contentType: string;
  body: string;
  controlNumbers?: { interchange: string; group?: string; transaction: string };
}

/** What building needs beside the mapping and the document. */
export interface BuildContext {
  partner: PartnerConfig;
  company?: CompanyConfig;
  /** Compiled validators (the mapping's XSD or DTD is compiled at start). */
  xsd: XsdCache;
  /** EDI only: the numbers allocated for this interchange (the caller keeps them: a retry reuses them). */
  numbers?: ControlNumbers;
  /** The envelope date (EDI); now by default. */
  now?: Date;
}

const pad9 = (n: number): string => String(n).padStart(9, '0');

function envelopeError(partner: PartnerConfig, what: string): HubError {
  return new HubError('HUB_ERR_CONFIG', `partners.${partner.id}.outbound.${what} is needed to send it EDI (and company.${what} for our own ids); see docs/outbound.md`);
}

/**
 * Builds one canonical document into the partner's format: the reverse mapping's element tree written as XML and
 * checked against its XSD or DTD, or its segments enveloped (ISA/GS/ST, UNB/UNH) with the numbers given and read
 * back through the hub's own EDI rules. A document that fails its check is never returned: the error lists why.
 */
export async function buildOutbound(mapping: OutboundMapping, doc: CanonicalDocument, ctx: BuildContext): Promise<BuiltDocument> {
  const what = `${mapping.documentType} ${doc.documentNumber} for ${ctx.partner.id}`;
  const built = await evaluateOutbound(mapping, doc, { partner: ctx.partner.id, company: ctx.company, document: doc.documentNumber });
  if (built.xml) {
    let body: string;
    try {
      body = writeXml(built.xml, { namespaces: mapping.xml!.namespaces, ...(mapping.doctypeSystemId ? { doctypeSystemId: mapping.doctypeSystemId } : {}) });
    } catch (error) {
      if (error instanceof XmlCharacterError) throw new HubError('HUB_ERR_MAPPING', `${displayPath(mapping.file)}: ${error.message} — ${what}; the value must be cleaned in the ERP`, { errors: [{ path: error.path, message: error.message }] });
      throw error;
    }
    const parsed = parseUntrustedXml(Buffer.from(body, 'utf8'), undefined, mapping.doctypeSystemId ? { doctypes: [{ root: built.xml.name, systemIds: [mapping.doctypeSystemId] }] } : {});
    try {
      ctx.xsd.validate(mapping.schemaPath!, parsed, `${what} built by ${displayPath(mapping.file)}`);
    } catch (error) {
      if (error instanceof HubError) throw new HubError('HUB_ERR_OUTBOUND_INVALID', `${error.message} — it is not sent; correct the mapping or the ERP's data`, { errors: error.errors, details: { direction: 'outbound', format: mapping.name } });
      throw error;
    } finally {
      parsed.dispose();
    }
    return { contentType: mapping.contentType, body };
  }
  const edi = mapping.edi!;
  const numbers = ctx.numbers;
  if (!numbers) throw new HubError('HUB_ERR_INTERNAL', `buildOutbound: no control numbers for ${what}`);
  const date = ctx.now ?? new Date();
  if (mapping.syntax === 'x12') {
    const settings = ctx.partner.outbound?.x12;
    const sender = settings?.senderId ? { qualifier: settings.senderQualifier ?? 'ZZ', id: settings.senderId } : ctx.company?.x12;
    if (!settings) throw envelopeError(ctx.partner, 'x12');
    if (!sender) throw envelopeError(ctx.partner, 'x12 (senderId)');
    const body = buildX12Interchange(
      { sender, receiver: { qualifier: settings.receiverQualifier, id: settings.receiverId }, version: edi.version.slice(0, 5), controlNumber: numbers.interchange, ackRequested: settings.ta1Requested, usage: settings.usage, date },
      [{ functionalId: edi.functionalGroup!, sender: sender.id, receiver: settings.groupReceiverId ?? settings.receiverId, controlNumber: numbers.group, version: edi.version, transactions: [{ setId: edi.transactionSet, controlNumber: numbers.transaction, segments: built.segments! }] }],
    );
    assertOutboundValid('x12', body, what);
    return { contentType: mapping.contentType, body, controlNumbers: { interchange: pad9(numbers.interchange), group: String(numbers.group), transaction: String(numbers.transaction).padStart(4, '0') } };
  }
  const settings = ctx.partner.outbound?.edifact;
  const sender = settings?.senderId ? { id: settings.senderId, ...(settings.senderQualifier ? { qualifier: settings.senderQualifier } : {}) } : ctx.company?.edifact;
  if (!settings) throw envelopeError(ctx.partner, 'edifact');
  if (!sender) throw envelopeError(ctx.partner, 'edifact (senderId)');
  const version = edi.version.slice(0, 1);
  const release = edi.version.slice(1);
  const body = buildEdifactInterchange(
    { syntax: { identifier: settings.syntax, version: 3 }, sender, receiver: { id: settings.receiverId, ...(settings.receiverQualifier ? { qualifier: settings.receiverQualifier } : {}) }, date, controlReference: numbers.interchange, test: settings.test },
    { messages: [{ reference: numbers.transaction, type: edi.transactionSet, version, release, agency: 'UN', ...(edi.association ? { associationCode: edi.association } : {}), segments: built.segments! }] },
  );
  assertOutboundValid('edifact', body, what);
  return { contentType: mapping.contentType, body, controlNumbers: { interchange: String(numbers.interchange), transaction: String(numbers.transaction) } };
}
