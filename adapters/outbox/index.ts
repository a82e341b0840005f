import { ERP_MODULES, throwIfAborted, type AdapterDefinition } from 'b2b-hub/adapter-kit';
import { OutboxStore } from './outbox-store.js';

/** Options of the outbox adapter. */
export interface OutboxOptions {
  /** Seconds a fetched, unacknowledged message stays reserved before it is handed out again. */
  visibilityTimeoutSeconds: number;
}

/**
 * The outbox: canonical messages wait in PostgreSQL until the ERP pulls them (GET /v1/erp/messages) and
 * acknowledges them (POST /v1/erp/messages/:id/ack). An acknowledged message is kept (without its canonical
 * body) until retention removes its hub message, so a late duplicate delivery cannot put it back.
 */
const outbox: AdapterDefinition<OutboxOptions> = {
  name: 'outbox',
  modules: ERP_MODULES,
  configSchema: {
    type: 'object',
    properties: {
      visibilityTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400, default: 60 },
    },
  },
  create(options, ctx) {
    const store = new OutboxStore(ctx.db, ctx.name, options.visibilityTimeoutSeconds * 1000);
    return {
      pull: store,
      async deliver(doc, delivery) {
        const ids: string[] = [];
        for (const module of delivery.modules) {
          // Checked before each insert: an aborted delivery stops between rows; the retry adds only what is missing.
          throwIfAborted(delivery.signal, `outbox ${ctx.name}`);
          const { id, created } = await store.put(delivery.messageId, module, doc);
          if (!created) ctx.logger.info({ messageId: delivery.messageId, outboxId: id }, 'outbox message already present; not added again');
          ids.push(id);
        }
        return { reference: ids.join(',') };
      },
      async health() {
        try {
          await ctx.db.query('SELECT 1');
          return { ok: true };
        } catch (error) {
          return { ok: false, detail: `PostgreSQL: ${(error as Error).message}` };
        }
      },
      async close() {},
    };
  },
};

export default outbox;
