import type { AdapterDefinition } from '../../src/adapters/contract.js';
import { ERP_MODULES } from '../../src/config/schema.js';
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
          const { id, created } = await store.put(delivery.messageId, module, doc);
          if (!created) ctx.logger.info({ messageId: delivery.messageId, outboxId: id }, 'outbox message already present; not added again');
          ids.push(id);
        }
        return { reference: ids.join(',') };
      },
      async health() {
        await ctx.db.query('SELECT 1');
        return { ok: true };
      },
      async close() {},
    };
  },
};

export default outbox;
