import { HubError } from 'b2b-hub/adapter-kit';
import type { TrytonClient } from './json-rpc-client.js';

/** A customer or supplier, with what Tryton's forms would fill in from it. */
export interface TrytonParty {
  id: number;
  code: string;
  addressId: number | undefined;
  customerPaymentTermId: number | undefined;
  supplierPaymentTermId: number | undefined;
  payableAccountId: number | undefined;
  supplierLocationId: number | undefined;
}

export interface TrytonProduct {
  id: number;
  code: string;
  name: string;
  type: string;
  uomId: number;
  expenseAccountId: number | undefined;
  costPrice: string;
}

export interface TrytonWarehouse {
  id: number;
  code: string;
  storageId: number;
  inputId: number;
  outputId: number;
}

/** UN/ECE Rec 20 code -> Tryton unit symbol; the count codes all mean Tryton's "Unit". */
export const DEFAULT_UNITS: Readonly<Record<string, string>> = {
  C62: 'u', EA: 'u', H87: 'u', NAR: 'u', NMP: 'u', PCE: 'u',
  KGM: 'kg', GRM: 'g', TNE: 't', LTR: 'l', MLT: 'ml', MTR: 'm', CMT: 'cm', MTK: 'm²',
  HUR: 'h', DAY: 'd', MIN: 'min', BX: 'box', PK: 'pack',
};

type Row = Record<string, unknown>;
const idOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * Resolves the canonical document's codes to Tryton ids: parties by code (our party id), products by code
 * (our SKU), units by symbol, currencies by ISO code, the warehouse by code. Found ids are cached for the
 * adapter's lifetime; an unknown code is not, so a record entered later is found on the next attempt.
 */
export class MasterData {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: TrytonClient,
    private readonly units: Readonly<Record<string, string>>,
    private readonly warehouseCode: string,
  ) {}

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      this.cache.set(key, hit);
      hit.catch(() => this.cache.delete(key));
    }
    return hit;
  }

  party(code: string, signal?: AbortSignal): Promise<TrytonParty> {
    return this.cached(`party:${code}`, async () => {
      const [row] = await this.client.searchRead<Row>('party.party', [['code', '=', code]], ['code', 'addresses', 'customer_payment_term', 'supplier_payment_term', 'account_payable', 'supplier_location'], { limit: 1, signal });
      if (!row) throw rejected(`no party with code ${code} in Tryton (scripts/erp/setup.sh creates every party of config/xref/parties.csv)`);
      const addresses = (row.addresses as number[] | undefined) ?? [];
      return {
        id: row.id as number,
        code,
        addressId: addresses[0],
        customerPaymentTermId: idOf(row.customer_payment_term),
        supplierPaymentTermId: idOf(row.supplier_payment_term),
        // Unset on the party: the company default, as Tryton's own forms do.
        payableAccountId: idOf(row.account_payable) ?? (await this.defaults(signal)).payable,
        supplierLocationId: idOf(row.supplier_location),
      };
    });
  }

  /** Every product of the lines, or one rejection naming all the unknown codes. */
  async products(skus: string[], signal?: AbortSignal): Promise<Map<string, TrytonProduct>> {
    const out = new Map<string, TrytonProduct>();
    const missing = [...new Set(skus)].filter((sku) => !this.cache.has(`product:${sku}`));
    if (missing.length) {
      const rows = await this.client.searchRead<Row>('product.product', [['code', 'in', missing]], ['code', 'name', 'type', 'default_uom', 'account_category.account_expense', 'cost_price'], { signal });
      for (const row of rows) {
        const product: TrytonProduct = { id: row.id as number, code: row.code as string, name: row.name as string, type: row.type as string, uomId: row.default_uom as number, expenseAccountId: idOf((row['account_category.'] as Row | null | undefined)?.account_expense), costPrice: String(row.cost_price ?? '0') };
        this.cache.set(`product:${product.code}`, Promise.resolve(product));
      }
    }
    const unknown: string[] = [];
    for (const sku of skus) {
      const hit = this.cache.get(`product:${sku}`) as Promise<TrytonProduct> | undefined;
      if (hit) out.set(sku, await hit);
      else unknown.push(sku);
    }
    if (unknown.length) throw rejected(`no product with code ${[...new Set(unknown)].join(', ')} in Tryton (scripts/erp/setup.sh creates every SKU of config/xref/items.csv)`);
    return out;
  }

  unit(code: string, signal?: AbortSignal): Promise<number> {
    const symbol = this.units[code];
    if (!symbol) return Promise.reject(rejected(`unit ${code} has no Tryton unit (adapter option "units" maps UN/ECE codes to Tryton unit symbols)`));
    return this.cached(`unit:${symbol}`, async () => {
      const [row] = await this.client.searchRead<Row>('product.uom', [['symbol', '=', symbol]], ['id'], { limit: 1, signal });
      if (!row) throw rejected(`no Tryton unit with symbol ${symbol} (for ${code})`);
      return row.id as number;
    });
  }

  currency(code: string, signal?: AbortSignal): Promise<number> {
    return this.cached(`currency:${code}`, async () => {
      const [row] = await this.client.searchRead<Row>('currency.currency', [['code', '=', code]], ['id'], { limit: 1, signal });
      if (!row) throw rejected(`currency ${code} is not set up in Tryton`);
      return row.id as number;
    });
  }

  warehouse(signal?: AbortSignal): Promise<TrytonWarehouse> {
    return this.cached('warehouse', async () => {
      const [row] = await this.client.searchRead<Row>('stock.location', [['type', '=', 'warehouse'], ['code', '=', this.warehouseCode]], ['code', 'storage_location', 'input_location', 'output_location'], { limit: 1, signal });
      if (!row) throw rejected(`no warehouse with code ${this.warehouseCode} in Tryton`);
      return { id: row.id as number, code: this.warehouseCode, storageId: row.storage_location as number, inputId: row.input_location as number, outputId: row.output_location as number };
    });
  }

  /** The company's default accounts (account.configuration). */
  defaults(signal?: AbortSignal): Promise<{ payable: number | undefined }> {
    return this.cached('account-defaults', async () => {
      const [row] = await this.client.model<Row[]>('account.configuration', 'read', [[1], ['default_account_payable']], { signal });
      return { payable: idOf(row?.default_account_payable) };
    });
  }

  /** The journal of a kind (expense, revenue) for invoices. */
  journal(kind: string, signal?: AbortSignal): Promise<number> {
    return this.cached(`journal:${kind}`, async () => {
      const [row] = await this.client.searchRead<Row>('account.journal', [['type', '=', kind]], ['id'], { limit: 1, signal });
      if (!row) throw rejected(`no ${kind} journal in Tryton`);
      return row.id as number;
    });
  }

  /** The account supplier-stated tax is booked on (by code, else by name). */
  taxAccount(name: string, signal?: AbortSignal): Promise<number> {
    return this.cached(`tax-account:${name}`, async () => {
      const [row] = await this.client.searchRead<Row>('account.account', ['OR', [['code', '=', name]], [['name', '=', name]]], ['id'], { limit: 1, signal });
      if (!row) throw rejected(`no account "${name}" in Tryton for supplier-stated tax (option taxAccount)`);
      return row.id as number;
    });
  }
}

export function rejected(detail: string, details: Record<string, unknown> = {}): HubError {
  return new HubError('HUB_ERR_ADAPTER_REJECTED', detail, { details });
}
