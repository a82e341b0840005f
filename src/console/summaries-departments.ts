import type { Grouping, DateRange, SummaryKind, SummaryStore, PeriodRow } from '../store/summaries.js';
import { PAGES } from './pages.js';
import type { Audience } from './roles.js';

/**
 * The four department summaries (issue 10, page 5): what each sums, its chart and the tables behind the chart.
 * src/console/summaries.ts renders them as pages, CSV files and the documents behind each row.
 */

export type DepartmentId = 'marketing' | 'planning' | 'inventory' | 'finance';

/** The documents a cell sums: a documents-behind list of one kind, with what the row fixes. */
export interface DocumentsLink {
  kind: SummaryKind;
  from: string;
  to: string;
  sku?: string;
  unit?: string;
  party?: string;
  currency?: string;
  due?: string;
}

/** A cell: its text (the CSV's value too) and, when it sums documents, the list of them. */
export interface Cell {
  text: string;
  numeric?: boolean;
  documents?: DocumentsLink;
}

export interface SummaryTable {
  id: string;
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Said instead of an empty table. */
  empty: string;
}

export interface ChartSpec {
  type: 'bar' | 'line';
  title: string;
  labels: string[];
  datasets: Array<{ label: string; data: number[] }>;
  /** What the values are (the y axis). */
  axis: string;
  stacked?: boolean;
}

export interface Summary {
  intro: string;
  notes: string[];
  chart: ChartSpec;
  tables: SummaryTable[];
}

export interface Department {
  id: DepartmentId;
  path: string;
  title: string;
  audience: readonly Audience[];
  /** The kinds of documents it sums: its documents-behind lists and views show only these. */
  kinds: readonly SummaryKind[];
  build(store: SummaryStore, range: DateRange, by: Grouping, today: string): Promise<Summary>;
}

const KIND_NAMES: Record<SummaryKind, string> = { sale: 'sale', purchase: 'purchase', receipt: 'receipt', payable: 'payable', receivable: 'receivable' };
const ADD_DAYS = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The first day of the period holding `date`. */
export function periodStart(date: string, by: Grouping): string {
  if (by === 'day') return date;
  if (by === 'month') return `${date.slice(0, 8)}01`;
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  return ADD_DAYS(date, -weekday);
}

/** The last day of the period starting at `start`. */
export function periodEnd(start: string, by: Grouping): string {
  if (by === 'day') return start;
  if (by === 'week') return ADD_DAYS(start, 6);
  const d = new Date(`${start}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
}

/** Every period of the range, in order (the chart's labels, empty periods included). */
export function periodsOf(range: DateRange, by: Grouping): string[] {
  const out: string[] = [];
  for (let p = periodStart(range.from, by); p <= range.to; p = ADD_DAYS(periodEnd(p, by), 1)) out.push(p);
  return out;
}

/** The period's days within the range: the documents behind a period row. */
function periodRange(period: string, by: Grouping, range: DateRange): { from: string; to: string } {
  const end = periodEnd(period, by);
  return { from: period < range.from ? range.from : period, to: end > range.to ? range.to : end };
}

const n = (text: string, documents?: DocumentsLink): Cell => ({ text, numeric: true, ...(documents ? { documents } : {}) });
const t = (text: string, documents?: DocumentsLink): Cell => ({ text, ...(documents ? { documents } : {}) });
const currencyText = (currency: string) => currency || '(none)';
const BY_WORD: Record<Grouping, string> = { day: 'day', week: 'week (from Monday)', month: 'month' };

/** One dataset per key over the periods: the value of each period, 0 where there is none. */
function periodDatasets(rows: readonly PeriodRow[], periods: readonly string[], key: (r: PeriodRow) => string, value: (r: PeriodRow) => string): ChartSpec['datasets'] {
  const index = new Map(periods.map((p, i) => [p, i]));
  const sets = new Map<string, number[]>();
  for (const r of rows) {
    const data = sets.get(key(r)) ?? sets.set(key(r), periods.map(() => 0)).get(key(r))!;
    const i = index.get(r.period);
    if (i !== undefined) data[i] = (data[i] ?? 0) + Number(value(r));
  }
  return [...sets].map(([label, data]) => ({ label, data }));
}

const pageOf = (path: string) => PAGES.find((p) => p.path === path)!;

const marketing: Department = {
  id: 'marketing',
  ...pick('/console/summaries/marketing'),
  kinds: ['sale'],
  async build(store, range, by) {
    const [periods, items, parties] = await Promise.all([store.periods(['sale'], range, by), store.items('sale', range), store.parties('sale', range)]);
    const labels = periodsOf(range, by);
    const base = { kind: 'sale' as const, ...range };
    return {
      intro: 'Sales: the orders customers sent (seller: our company), by their issue date. Net amounts are the sums of the order lines as stated; order totals are the orders’ payable amounts. Amounts are never added across currencies.',
      notes: periods.length ? [] : ['No customer order was issued in this range.'],
      chart: { type: 'bar', title: `Net sales amount by ${BY_WORD[by]}, per currency`, labels, axis: 'net amount', datasets: periodDatasets(periods, labels, (r) => r.currency || '(none)', (r) => r.net) },
      tables: [
        {
          id: 'periods',
          title: `By ${BY_WORD[by]}`,
          columns: ['Period', 'Currency', 'Orders', 'Net amount', 'Order total'],
          rows: periods.map((r) => {
            const link = { ...base, ...periodRange(r.period, by, range), currency: r.currency };
            return [t(r.period), t(currencyText(r.currency)), n(r.documents, link), n(r.net), n(r.total)];
          }),
          empty: 'No sales in this range.',
        },
        {
          id: 'products',
          title: 'By product',
          columns: ['Item (sku)', 'Unit', 'Currency', 'Quantity', 'Net amount', 'Order lines'],
          rows: items.map((r) => [t(r.sku), t(r.unit), t(currencyText(r.currency ?? '')), n(r.quantity), n(r.amount), n(r.lines, { ...base, sku: r.sku, unit: r.unit, currency: r.currency ?? '' })]),
          empty: 'No order lines in this range.',
        },
        {
          id: 'customers',
          title: 'By customer',
          columns: ['Customer', 'Currency', 'Orders', 'Net amount', 'Order total'],
          rows: parties.map((r) => [t(r.party), t(currencyText(r.currency)), n(r.documents, { ...base, party: r.party, currency: r.currency }), n(r.net), n(r.total)]),
          empty: 'No customers ordered in this range.',
        },
      ],
    };
  },
};

const planning: Department = {
  id: 'planning',
  ...pick('/console/summaries/planning'),
  kinds: ['purchase', 'receipt'],
  async build(store, range, by) {
    const [periods, supply, anyPurchase] = await Promise.all([store.periods(['purchase', 'receipt'], range, by), store.supply(range), store.hasAny('purchase')]);
    const labels = periodsOf(range, by);
    const notes: string[] = [];
    if (!anyPurchase) {
      notes.push('No purchase order of ours has passed through the hub yet (they will once the hub sends documents to suppliers): purchased quantities are 0, so the open quantities show only what was received, as negative numbers.');
    }
    if (!supply.length) notes.push('No purchase or receipt was issued in this range.');
    return {
      intro: 'Purchasing: our purchase orders (buyer: our company) and the despatch advices suppliers sent for them (receipts), by issue date. Open = every purchased quantity minus every received quantity issued up to the end of the range, per supplier, item and unit (matched by item, not by order line).',
      notes,
      chart: {
        type: 'bar',
        title: `Purchase orders and receipts by ${BY_WORD[by]}`,
        labels,
        axis: 'documents',
        datasets: periodDatasets(periods, labels, (r) => (r.kind === 'purchase' ? 'Purchase orders' : 'Receipts'), (r) => r.documents),
      },
      tables: [
        {
          id: 'items',
          title: 'By supplier and item',
          columns: ['Supplier', 'Item (sku)', 'Unit', 'Purchased', 'Received', 'Purchased to date', 'Received to date', 'Open'],
          rows: supply.map((r) => {
            const link = { ...range, party: r.party, sku: r.sku, unit: r.unit };
            return [t(r.party), t(r.sku), t(r.unit), n(r.purchased, { kind: 'purchase', ...link }), n(r.received, { kind: 'receipt', ...link }), n(r.purchasedToDate), n(r.receivedToDate), n(r.open)];
          }),
          empty: 'No purchases or receipts.',
        },
        {
          id: 'periods',
          title: `By ${BY_WORD[by]}`,
          columns: ['Period', 'Kind', 'Currency', 'Documents', 'Quantity', 'Net amount'],
          rows: periods.map((r) => [t(r.period), t(KIND_NAMES[r.kind]), t(currencyText(r.currency)), n(r.documents, { kind: r.kind, ...periodRange(r.period, by, range), currency: r.currency }), n(r.quantity), n(r.net)]),
          empty: 'No purchases or receipts in this range.',
        },
      ],
    };
  },
};

const CHART_ITEMS = 20;

const inventory: Department = {
  id: 'inventory',
  ...pick('/console/summaries/inventory'),
  kinds: ['sale', 'receipt'],
  async build(store, range) {
    const rows = await store.movement(range);
    const top = rows.slice(0, CHART_ITEMS);
    return {
      intro: 'Inventory movement through the hub, per item and unit: what customers’ orders took out (sales) and suppliers’ despatch advices brought in (receipts), by issue date. Net = in − out.',
      notes: rows.length ? (rows.length > CHART_ITEMS ? [`The chart shows the ${CHART_ITEMS} items that moved most; the table has all ${rows.length}.`] : []) : ['Nothing moved in this range.'],
      chart: {
        type: 'bar',
        title: 'In and out per item',
        labels: top.map((r) => `${r.sku} (${r.unit})`),
        axis: 'quantity',
        datasets: [
          { label: 'Out (sales)', data: top.map((r) => Number(r.out)) },
          { label: 'In (receipts)', data: top.map((r) => Number(r.in)) },
        ],
      },
      tables: [
        {
          id: 'items',
          title: 'Per item',
          columns: ['Item (sku)', 'Unit', 'Out (sales)', 'In (receipts)', 'Net', 'Sales lines', 'Receipt lines'],
          rows: rows.map((r) => {
            const link = { ...range, sku: r.sku, unit: r.unit };
            return [t(r.sku), t(r.unit), n(r.out, { kind: 'sale', ...link }), n(r.in, { kind: 'receipt', ...link }), n(r.net), n(r.salesLines), n(r.receiptLines)];
          }),
          empty: 'Nothing moved in this range.',
        },
      ],
    };
  },
};

const finance: Department = {
  id: 'finance',
  ...pick('/console/summaries/finance'),
  kinds: ['payable', 'receivable'],
  async build(store, range, by, today) {
    const kinds: SummaryKind[] = ['payable', 'receivable'];
    const [currencies, due, anyReceivable] = await Promise.all([store.currencies(kinds, range, today), store.dueDates(kinds, range), store.hasAny('receivable')]);
    const notes: string[] = [];
    if (!anyReceivable) notes.push('No customer invoices have passed through the hub yet (receivables appear once the hub sends invoices): the receivables are empty.');
    if (!currencies.length) notes.push('No invoice was issued in this range.');
    // The chart: totals by due period, one dataset per kind and currency; invoices without a due date last.
    const periods = [...new Set(due.map((r) => (r.dueDate ? periodStart(r.dueDate, by) : 'no due date')))];
    const index = new Map(periods.map((p, i) => [p, i]));
    const sets = new Map<string, number[]>();
    for (const r of due) {
      const key = `${r.kind === 'payable' ? 'Payable' : 'Receivable'} ${currencyText(r.currency)}`;
      const data = sets.get(key) ?? sets.set(key, periods.map(() => 0)).get(key)!;
      const i = index.get(r.dueDate ? periodStart(r.dueDate, by) : 'no due date')!;
      data[i] = (data[i] ?? 0) + Number(r.total);
    }
    return {
      intro: `Payables (invoices suppliers sent us) and receivables (our invoices to customers) issued in the range, by currency and due date, the earliest due first. Overdue: due before today (${today}); the hub does not know what has been paid.`,
      notes,
      chart: { type: 'bar', title: `Invoice totals by due ${BY_WORD[by]}`, labels: periods, axis: 'total', stacked: true, datasets: [...sets].map(([label, data]) => ({ label, data })) },
      tables: [
        {
          id: 'currencies',
          title: 'Totals by currency',
          columns: ['Kind', 'Currency', 'Invoices', 'Total', 'Overdue', 'Due in 30 days', 'Due later', 'No due date'],
          rows: currencies.map((r) => [t(KIND_NAMES[r.kind]), t(currencyText(r.currency)), n(r.documents, { kind: r.kind, ...range, currency: r.currency }), n(r.total), n(r.overdue), n(r.dueSoon), n(r.dueLater), n(r.noDueDate)]),
          empty: 'No invoices in this range.',
        },
        {
          id: 'due',
          title: 'By due date, overdue first',
          columns: ['Due date', 'State', 'Kind', 'Currency', 'Invoices', 'Total'],
          rows: due.map((r) => [
            t(r.dueDate ?? '(none)'),
            t(!r.dueDate ? 'no due date' : r.dueDate < today ? 'overdue' : 'due'),
            t(KIND_NAMES[r.kind]),
            t(currencyText(r.currency)),
            n(r.documents, { kind: r.kind, ...range, currency: r.currency, due: r.dueDate ?? 'none' }),
            n(r.total),
          ]),
          empty: 'No invoices in this range.',
        },
      ],
    };
  },
};

function pick(path: string): { path: string; title: string; audience: readonly Audience[] } {
  const page = pageOf(path);
  return { path: page.path, title: page.title, audience: page.audience };
}

/** The departments, by id as in their addresses (/console/summaries/<id>). */
export const DEPARTMENTS: readonly Department[] = [marketing, planning, inventory, finance];
