import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decimal, TrytonClient } from '../../adapters/tryton/json-rpc-client.js';
import { ROOT } from './test-hub.js';

/** Where the suite's Tryton runs (scripts/erp/env.sh defaults; TRYTON_PORT / TRYTON_DATABASE override). */
export const TRYTON_PORT = process.env.TRYTON_PORT ?? '8000';
export const TRYTON_URL = `http://127.0.0.1:${TRYTON_PORT}`;
export const TRYTON_DATABASE = process.env.TRYTON_DATABASE ?? 'hub';
export const TRYTON_PASSWORD_FILE = 'var/tryton/hub.password';

/** The adapter instance a test adds to the demo config. */
export function trytonAdapterConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'tryton',
    modules: ['sales', 'procurement', 'inventory', 'finance'],
    options: { url: TRYTON_URL, database: TRYTON_DATABASE, user: 'hub', passwordFile: TRYTON_PASSWORD_FILE, timeoutMs: 10_000, ...extra },
  };
}

function script(name: string, ...args: string[]): { status: number; output: string } {
  const run = spawnSync('bash', [path.join(ROOT, 'scripts/erp', name), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TRYTON_PORT, TRYTON_DATABASE }, timeout: 600_000 });
  return { status: run.status ?? 1, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

/**
 * Sets Tryton up (installing it when absent: idempotent, a few seconds when done before) and starts it in the
 * background unless it already answers. Returns a reason to skip only when Tryton cannot be installed on
 * this machine (setup exit status 3); any other failure throws.
 */
export function ensureTryton(): { skip?: string; started?: boolean } {
  const setup = script('setup.sh');
  if (setup.status === 3) return { skip: `Tryton cannot be installed here: ${setup.output.trim().split('\n').pop()}` };
  if (setup.status !== 0) throw new Error(`scripts/erp/setup.sh failed (${setup.status}):\n${setup.output}`);
  return { started: startTryton() };
}

/** Starts this checkout's Tryton in the background; false when it was already running. */
export function startTryton(): boolean {
  const start = script('start.sh', '--detach');
  if (start.status !== 0) throw new Error(`scripts/erp/start.sh --detach failed (${start.status}):\n${start.output}`);
  return !start.output.includes('already running');
}

export function stopTryton(): void {
  const stop = script('stop.sh');
  if (stop.status !== 0) throw new Error(`scripts/erp/stop.sh failed:\n${stop.output}`);
}

/** The suite's own JSON-RPC view of Tryton, to read its state back and to enter records as a user would. */
export class TrytonProbe {
  readonly client = new TrytonClient({ url: TRYTON_URL, database: TRYTON_DATABASE, user: 'hub', password: readFileSync(path.join(ROOT, TRYTON_PASSWORD_FILE), 'utf8').trim(), timeoutMs: 30_000 });

  async id(model: string, domain: unknown[]): Promise<number> {
    const [row] = await this.client.searchRead<{ id: number }>(model, domain, ['id'], { limit: 1 });
    if (!row) throw new Error(`no ${model} matching ${JSON.stringify(domain)}`);
    return row.id;
  }

  search<T = Record<string, any>>(model: string, domain: unknown[], fields: string[]): Promise<T[]> {
    return this.client.searchRead<T>(model, domain, fields, { order: [['id', 'ASC']] });
  }

  async storageId(): Promise<number> {
    const [warehouse] = await this.search<{ storage_location: number }>('stock.location', [['code', '=', 'WH']], ['storage_location']);
    return warehouse!.storage_location;
  }

  /**
   * A product's quantity in the warehouse storage. physical: done moves only (Tryton's "quantity");
   * available: also minus what assigned customer shipments have reserved (context stock_assign).
   */
  async quantity(sku: string, kind: 'physical' | 'available' = 'physical'): Promise<number> {
    const storage = await this.storageId();
    const context = { locations: [storage], ...(kind === 'available' ? { stock_assign: true } : {}) };
    const [row] = await this.client.searchRead<{ quantity: number }>('product.product', [['code', '=', sku]], ['quantity'], { limit: 1, context });
    return row!.quantity;
  }

  /** Puts stock into the warehouse storage the way a stock clerk would: an incoming shipment, received. */
  async receive(supplierCode: string, lines: { sku: string; quantity: number }[], reference: string): Promise<void> {
    const supplier = await this.id('party.party', [['code', '=', supplierCode]]);
    const [warehouse] = await this.search<{ id: number; input_location: number }>('stock.location', [['code', '=', 'WH']], ['input_location']);
    const [supplierLocation] = await this.search<{ id: number }>('stock.location', [['type', '=', 'supplier']], ['id']);
    const [shipment] = await this.client.model<number[]>('stock.shipment.in', 'create', [[{ supplier, warehouse: warehouse!.id, reference }]]);
    const moves = [];
    for (const line of lines) {
      const [product] = await this.search<{ id: number; default_uom: number }>('product.product', [['code', '=', line.sku]], ['default_uom']);
      moves.push({ product: product!.id, quantity: line.quantity, uom: product!.default_uom, from_location: supplierLocation!.id, to_location: warehouse!.input_location, unit_price: decimal(1), shipment: `stock.shipment.in,${shipment}` });
    }
    await this.client.model('stock.move', 'create', [moves]);
    // "Moves without origin": a stock clerk confirms the warning, so does this.
    await this.client.model('stock.shipment.in', 'receive', [[shipment]], { acceptWarnings: true });
    await this.client.model('stock.shipment.in', 'done', [[shipment]], { acceptWarnings: true });
  }

  /** Enters and confirms a purchase as a buyer would; `reference` is what the supplier's documents quote. */
  async createPurchase(supplierCode: string, reference: string, lines: { sku: string; quantity: number; price: number }[], currency = 'EUR'): Promise<{ id: number; number: string }> {
    const party = await this.id('party.party', [['code', '=', supplierCode]]);
    const [partyRow] = await this.search<{ addresses: number[] }>('party.party', [['id', '=', party]], ['addresses']);
    const purchaseLines = [];
    for (const line of lines) {
      const [product] = await this.search<{ id: number; default_uom: number; name: string }>('product.product', [['code', '=', line.sku]], ['default_uom', 'name']);
      purchaseLines.push({ type: 'line', product: product!.id, description: product!.name, quantity: line.quantity, unit: product!.default_uom, unit_price: decimal(line.price) });
    }
    const [id] = await this.client.model<number[]>('purchase.purchase', 'create', [[{
      party, invoice_address: partyRow!.addresses[0], reference, invoice_method: 'manual',
      currency: await this.id('currency.currency', [['code', '=', currency]]),
      warehouse: await this.id('stock.location', [['code', '=', 'WH']]),
      lines: [['create', purchaseLines]],
    }]]);
    await this.client.model('purchase.purchase', 'quote', [[id]]);
    await this.client.model('purchase.purchase', 'confirm', [[id]]);
    const [row] = await this.search<{ number: string }>('purchase.purchase', [['id', '=', id]], ['number']);
    return { id: id!, number: row!.number };
  }

  /** Enters and confirms a sale as a sales clerk would. */
  async createSale(customerCode: string, reference: string, lines: { sku: string; quantity: number; price: number }[]): Promise<number> {
    const party = await this.id('party.party', [['code', '=', customerCode]]);
    const [partyRow] = await this.search<{ addresses: number[] }>('party.party', [['id', '=', party]], ['addresses']);
    const saleLines = [];
    for (const line of lines) {
      const [product] = await this.search<{ id: number; default_uom: number; name: string }>('product.product', [['code', '=', line.sku]], ['default_uom', 'name']);
      saleLines.push({ type: 'line', product: product!.id, description: product!.name, quantity: line.quantity, unit: product!.default_uom, unit_price: decimal(line.price) });
    }
    const [id] = await this.client.model<number[]>('sale.sale', 'create', [[{
      party, invoice_address: partyRow!.addresses[0], shipment_address: partyRow!.addresses[0], reference,
      warehouse: await this.id('stock.location', [['code', '=', 'WH']]), lines: [['create', saleLines]],
    }]]);
    await this.client.model('sale.sale', 'quote', [[id]]);
    await this.client.model('sale.sale', 'confirm', [[id]]);
    return id!;
  }

  /** Reserves, picks, packs and ships a sale's customer shipments: the goods leave the warehouse. */
  async shipSale(saleId: number): Promise<void> {
    const [sale] = await this.search<{ shipments: number[] }>('sale.sale', [['id', '=', saleId]], ['shipments']);
    const ids = sale!.shipments;
    if (!(await this.client.model<boolean>('stock.shipment.out', 'assign_try', [ids]))) throw new Error(`sale ${saleId}: not enough stock to ship`);
    await this.client.model('stock.shipment.out', 'pick', [ids]);
    await this.client.model('stock.shipment.out', 'pack', [ids]);
    await this.client.model('stock.shipment.out', 'done', [ids], { acceptWarnings: true });
  }
}
