import { throwIfSendAborted, transportRejected, type TransportDefinition } from '../../src/transports/kit.js';

/** The mailbox transport has no options: the partner fetches with its own key. */
export type MailboxOptions = Record<string, never>;

/**
 * The partner mailbox: the document waits in the hub until the partner fetches it (GET /v1/partner/messages
 * with its key, leased like the ERP's outbox) and acknowledges it (POST /v1/partner/messages/:id/ack). Put once
 * per idempotency key, so a retry after a crash adds no second copy.
 */
const mailboxTransport: TransportDefinition<MailboxOptions> = {
  name: 'mailbox',
  configSchema: { type: 'object', properties: {} },
  create(_options, context) {
    const where = `mailbox transport of ${context.partner}`;
    return {
      async send(document, sending) {
        throwIfSendAborted(sending.signal, where);
        if (document.partner !== context.partner) {
          throw transportRejected(`${where}: document ${document.messageId} is for partner ${document.partner}, not ${context.partner}`);
        }
        const { documentType, documentNumber, contentType, body } = document;
        const message = { documentType, documentNumber, contentType, document: body };
        const { id, created } = await context.mailbox.put(message, sending.idempotencyKey);
        const log = { messageId: document.messageId, mailboxId: id, documentType, documentNumber, attempt: sending.attempt };
        context.logger.info(log, created ? 'put in the partner mailbox' : 'already in the partner mailbox: not added again');
        return { reference: id };
      },
      async health() {
        try {
          await context.mailbox.ping();
          return { ok: true };
        } catch (error) {
          return { ok: false, detail: `${where}: ${(error as Error).message}` };
        }
      },
      async close() {},
    };
  },
};

export default mailboxTransport;
