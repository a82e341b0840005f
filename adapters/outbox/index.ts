import type { AdapterDefinition } from '../../src/adapters/contract.js';
import { ERP_MODULES } from '../../src/config/schema.js';
import { OutboxStore } from './outbox-store.js';

/** Options of the outbox adapter. */
export interface OutboxOptions {
  /** Seconds a fetched, unacknowledged message stays reserved before it is handed out again. */
  visibilityTimeoutSeconds: number;
  /** Seconds an acknowledged message's tombstone is kept, to refuse late duplicate deliveries. */
  ackRetentionSeconds: number;
}

/**
 * The outbox: canonical messages wait in Redis until the ERP pulls them (GET /v1/erp/messages) and
 * acknowledges them (POST /v1/erp/messages/:id/ack).
 */
const outbox: AdapterDefinition<OutboxOptions> = {
  name: 'outbox',
  modules: ERP_MODULES,
  configSchema: {
    type: 'object',
    properties: {
      visibilityTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400, default: 60 },
      ackRetentionSeconds: { type: 'integer', minimum: 60, default: 30 * 86400 },
    },
  },
  create(options, ctx) {
    const store = new OutboxStore(ctx.redis, ctx.keyPrefix, options.visibilityTimeoutSeconds * 1000, options.ackRetentionSeconds);
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
        return { ok: (await ctx.redis.ping()) === 'PONG' };
      },
      async close() {},
    };
  },
};

export default outbox;
