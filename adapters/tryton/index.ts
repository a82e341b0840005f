import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERP_MODULES, HubError, type AdapterDefinition, type CanonicalDocument } from 'b2b-hub/adapter-kit';
import { deliverSupplierCreditNote, deliverSupplierInvoice } from './finance.js';
import { deliverShipNotice } from './inventory.js';
import { TrytonClient } from './json-rpc-client.js';
import { DEFAULT_UNITS, MasterData } from './master-data.js';
import { applyOrderChange, cancelOrder } from './order-changes.js';
import { recordOrderResponse } from './order-responses.js';
import { findPurchase, type PurchaseRow } from './procurement.js';
import { deliverSale, reserveSale, type HandlerContext } from './sales.js';
import { createWatch } from './watch.js';
import type { WatchedKind } from './watch-documents.js';

/** Options of the Tryton adapter (config: adapters.<name>.options). */
export interface TrytonOptions {
  /** Server root URL (trytond's [web] listen). */
  url: string;
  /** Database name (the SQLite file var/tryton/db/<database>.sqlite made by scripts/erp/setup.sh). */
  database: string;
  /** Tryton login of the hub. */
  user: string;
  /** File holding the password (relative to the project root); the secret TRYTON_PASSWORD(_FILE) wins. */
  passwordFile?: string;
  /** Milliseconds one JSON-RPC call may take before the delivery is retried later. */
  timeoutMs: number;
  /** Code of the warehouse (stock.location) orders ship from and despatches arrive at. */
  warehouse: string;
  /** Extra or changed UN/ECE Rec 20 unit code -> Tryton unit symbol entries. */
  units: Record<string, string>;
  /** Code or name of the account the supplier-stated tax of an invoice is booked on. */
  taxAccount: string;
  /** Seconds a reference to an unknown purchase is retried before the message fails (0: fails at once). */
  unknownPurchaseRetrySeconds: number;
  /**
   * Confirm the sale of an Order at once (Tryton then plans its shipment). false: leave it quoted for a
   * salesperson to confirm, so that the customer's order changes and cancellations can still be applied to it.
   */
  confirmSales?: boolean;
  /** Seconds between polls of Tryton for the documents that go out to partners (watch.ts); 0: no watch. */
  watchIntervalSeconds?: number;
  /** Records of each watched model read per poll. */
  watchPageSize?: number;
  /** Where a new watch starts: 'now' (what Tryton writes from its first poll on) or an ISO date-time. */
  watchFrom?: string;
  /** Which documents the watch hands over (default all four). */
  watchDocuments?: Array<WatchedKind['type']>;
}

/**
 * Tryton ERP over JSON-RPC (docs/erp-tryton.md). sales: Order -> confirmed sale.sale; inventory: Order ->
 * stock reserved on its customer shipment, supplier ShipNotice -> incoming shipment received into the
 * warehouse; procurement: ShipNotice / supplier Invoice linked to the purchase.purchase it names; finance:
 * supplier Invoice -> account.invoice (in) whose total must equal the canonical total, supplier CreditNote ->
 * account.invoice (in) with negative quantities crediting the supplier's invoice; sales: OrderChange and
 * OrderCancellation applied to the order's sale while it is a draft or quotation, refused after. Every record carries
 * `hub:<message id>` and is searched for before anything is created, so a retry never creates a second one. With
 * watchIntervalSeconds, it also watches Tryton for what goes out (watch.ts): confirmed purchases, the hub's confirmed
 * sales, done customer shipments and posted customer invoices, handed to the hub once each (Adapter.outbound).
 */
const tryton: AdapterDefinition<TrytonOptions> = {
  name: 'tryton',
  modules: ERP_MODULES,
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', pattern: '^https?://', default: 'http://127.0.0.1:8000' },
      database: { type: 'string', minLength: 1, default: 'hub' },
      user: { type: 'string', minLength: 1, default: 'hub' },
      passwordFile: { type: 'string', minLength: 1 },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 600000, default: 15000 },
      warehouse: { type: 'string', minLength: 1, default: 'WH' },
      units: { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, default: {} },
      taxAccount: { type: 'string', minLength: 1, default: 'Main Tax' },
      unknownPurchaseRetrySeconds: { type: 'integer', minimum: 0, maximum: 604800, default: 0 },
      confirmSales: { type: 'boolean', default: true },
      watchIntervalSeconds: { type: 'integer', minimum: 0, maximum: 86400, default: 0 },
      watchPageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      watchFrom: { type: 'string', pattern: '^(now|\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2})?(Z|[+-]\\d{2}:\\d{2})?)?)$', default: 'now' },
      watchDocuments: { type: 'array', uniqueItems: true, items: { enum: ['Order', 'OrderResponse', 'ShipNotice', 'Invoice'] }, default: ['Order', 'OrderResponse', 'ShipNotice', 'Invoice'] },
    },
  },
  create(options, ctx) {
    const password = ctx.secret('TRYTON_PASSWORD') ?? readPasswordFile(options.passwordFile, ctx.rootDir, ctx.name);
    const client = new TrytonClient({ url: options.url, database: options.database, user: options.user, password, timeoutMs: options.timeoutMs });
    const data = new MasterData(client, { ...DEFAULT_UNITS, ...options.units }, options.warehouse);

    async function deliver(doc: CanonicalDocument, modules: Set<string>, h: HandlerContext, messageId: string): Promise<string> {
      const purchaseOf = async (reference: string | undefined): Promise<PurchaseRow> => {
        const supplier = await data.party(doc.seller.internalId, h.signal);
        return findPurchase(reference, supplier.id, doc.documentNumber, h, { retrySeconds: options.unknownPurchaseRetrySeconds, redis: ctx.redis, keyPrefix: ctx.keyPrefix, messageId });
      };
      switch (doc.type) {
        case 'Order': {
          const done: string[] = [];
          if (modules.has('sales')) {
            const sale = await deliverSale(doc, h, { confirm: options.confirmSales ?? true });
            done.push(`sale.sale ${sale.number ?? ''} (id ${sale.id}, ${sale.state})`);
          }
          if (modules.has('inventory')) {
            const { sale, reserved } = await reserveSale(doc, h);
            const quoted = sale.state === 'quotation' || sale.state === 'draft';
            done.push(`stock of sale ${sale.number ?? sale.id} ${reserved ? 'reserved' : quoted ? 'reserved once the sale is confirmed in Tryton' : 'waiting for goods'}`);
          }
          return done.join('; ') || 'nothing to do for an Order in these modules';
        }
        case 'ShipNotice': {
          if (doc.seller.internalId === 'SELF') throw new HubError('HUB_ERR_ADAPTER_REJECTED', `despatch ${doc.documentNumber}: our own despatch advices are made by Tryton, not received`);
          const purchase = modules.has('procurement') ? await purchaseOf(doc.orderReference) : undefined;
          const shipment = await deliverShipNotice(doc, h, { purchase, receive: modules.has('inventory') });
          return `stock.shipment.in ${shipment.number ?? ''} (id ${shipment.id}, ${shipment.state})${purchase ? ` for purchase.purchase ${purchase.number}` : ''}`;
        }
        case 'Invoice': {
          if (doc.seller.internalId === 'SELF') throw new HubError('HUB_ERR_ADAPTER_REJECTED', `invoice ${doc.documentNumber}: customer invoices are made by Tryton, not received`);
          const purchase = modules.has('procurement') ? await purchaseOf(doc.orderReference) : undefined;
          if (!modules.has('finance')) return `purchase.purchase ${purchase!.number} (id ${purchase!.id}) exists for invoice ${doc.documentNumber}`;
          const invoice = await deliverSupplierInvoice(doc, h, { purchase, taxAccount: options.taxAccount });
          return `account.invoice ${invoice.number ?? ''} (id ${invoice.id}, ${invoice.state}, total ${invoice.total_amount})${purchase ? ` for purchase.purchase ${purchase.number}` : ''}`;
        }
        case 'CreditNote': {
          if (doc.seller.internalId === 'SELF') throw new HubError('HUB_ERR_ADAPTER_REJECTED', `credit note ${doc.documentNumber}: credit notes to customers are made by Tryton, not received`);
          if (!modules.has('finance')) return `nothing to do for a CreditNote in module(s) ${[...modules].join(', ')}`;
          const { creditNote, credited } = await deliverSupplierCreditNote(doc, h, { taxAccount: options.taxAccount });
          const link = credited ? ` crediting account.invoice ${credited.number ?? credited.id}` : doc.invoiceReference ? ` (supplier invoice ${doc.invoiceReference} not found in Tryton: not linked)` : '';
          return `account.invoice ${creditNote.number ?? ''} (credit note, id ${creditNote.id}, ${creditNote.state}, total ${creditNote.total_amount})${link}`;
        }
        case 'OrderChange': {
          if (!modules.has('sales')) return `nothing to do for an OrderChange in module(s) ${[...modules].join(', ')}`;
          return applyOrderChange(doc, h);
        }
        case 'OrderCancellation': {
          if (!modules.has('sales')) return `nothing to do for an OrderCancellation in module(s) ${[...modules].join(', ')}`;
          return cancelOrder(doc, h);
        }
        case 'OrderResponse': {
          if (doc.buyer.internalId !== 'SELF') throw new HubError('HUB_ERR_ADAPTER_REJECTED', `order response ${doc.documentNumber}: our own order responses are made from Tryton's sales, not received`);
          if (!modules.has('procurement')) return `nothing to do for an OrderResponse in module(s) ${[...modules].join(', ')}`;
          return recordOrderResponse(doc, await purchaseOf(doc.orderReference), h);
        }
      }
    }

    const watchIntervalSeconds = options.watchIntervalSeconds ?? 0;
    const outbound = watchIntervalSeconds > 0
      ? createWatch(client, { intervalSeconds: watchIntervalSeconds, pageSize: options.watchPageSize ?? 100, from: options.watchFrom ?? 'now', documents: options.watchDocuments ?? ['Order', 'OrderResponse', 'ShipNotice', 'Invoice'], units: { ...DEFAULT_UNITS, ...options.units } })
      : undefined;

    return {
      ...(outbound ? { outbound } : {}),
      async deliver(doc, delivery) {
        const h: HandlerContext = { client, data, marker: `hub:${delivery.messageId}`, signal: delivery.signal };
        const started = Date.now();
        const reference = await deliver(doc, new Set(delivery.modules), h, delivery.messageId);
        ctx.logger.info({ messageId: delivery.messageId, modules: delivery.modules, reference, ms: Date.now() - started }, 'delivered to Tryton');
        return { reference };
      },
      async health() {
        try {
          return { ok: true, detail: `trytond ${await client.version()}` };
        } catch (error) {
          return { ok: false, detail: (error as Error).message };
        }
      },
      async close() {},
    };
  },
};

function readPasswordFile(file: string | undefined, rootDir: string, name: string): string {
  if (!file) throw new HubError('HUB_ERR_CONFIG', `adapters.${name}: no Tryton password: set TRYTON_PASSWORD (or TRYTON_PASSWORD_FILE) or option passwordFile`);
  try {
    return readFileSync(path.resolve(rootDir, file), 'utf8').trim();
  } catch (error) {
    throw new HubError('HUB_ERR_CONFIG', `adapters.${name}.options.passwordFile: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}

export default tryton;
