import type { Queryable } from '../db/database.js';

/**
 * The department summaries' figures (issue 10), read from the fact tables and daily rollups of
 * migrations/006_summaries.sql. The facts are written with the canonical document (MessageStore.saveCanonical
 * calls refreshSummaries in its transaction); every figure here is a sum over a range of rollup rows, so a page
 * over a year reads a few rows per day, however many documents the hub holds. Amounts and quantities are
 * PostgreSQL numerics, returned as their exact decimal text (never rounded through a float).
 */

/** What a counted document is, by its direction (seller or buyer `SELF`) and type. */
export type SummaryKind = 'sale' | 'purchase' | 'receipt' | 'payable' | 'receivable';
export const SUMMARY_KINDS: readonly SummaryKind[] = ['sale', 'purchase', 'receipt', 'payable', 'receivable'];

/** How the periods of a range are grouped: by issue day, ISO week (from Monday) or calendar month. */
export type Grouping = 'day' | 'week' | 'month';
export const GROUPINGS: readonly Grouping[] = ['day', 'week', 'month'];

/** Issue dates from `from` to `to`, both included (YYYY-MM-DD). */
export interface DateRange {
  from: string;
  to: string;
}

export interface PeriodRow {
  period: string;
  kind: SummaryKind;
  currency: string;
  documents: string;
  total: string;
  net: string;
  quantity: string;
}

export interface ItemRow {
  party?: string;
  sku: string;
  unit: string;
  currency?: string;
  quantity: string;
  amount: string;
  lines: string;
}

export interface PartyRow {
  party: string;
  currency: string;
  documents: string;
  net: string;
  total: string;
}

/** Purchases and receipts of one supplier's item: in the range, and open as of the range's end. */
export interface SupplyRow {
  party: string;
  sku: string;
  unit: string;
  purchased: string;
  received: string;
  purchasedToDate: string;
  receivedToDate: string;
  open: string;
}

/** What sales took out and receipts brought in of one item. */
export interface MovementRow {
  sku: string;
  unit: string;
  out: string;
  in: string;
  net: string;
  salesLines: string;
  receiptLines: string;
}

export interface CurrencyRow {
  kind: SummaryKind;
  currency: string;
  documents: string;
  total: string;
  overdue: string;
  dueSoon: string;
  dueLater: string;
  noDueDate: string;
}

export interface DueRow {
  kind: SummaryKind;
  currency: string;
  dueDate: string | null;
  documents: string;
  total: string;
}

/** One counted document, as the documents behind a summary list it. */
export interface SummaryDocument {
  messageId: string;
  kind: SummaryKind;
  day: string;
  partner: string;
  party: string;
  partyName: string | null;
  documentType: string;
  documentNumber: string;
  currency: string;
  total: string | null;
  net: string;
  dueDate: string | null;
  lines: number;
  quantity: string;
}

/** The filter of a documents-behind list: one kind, a range, and what the summary row it came from fixed. */
export interface DocumentFilter extends DateRange {
  kind: SummaryKind;
  sku?: string;
  unit?: string;
  party?: string;
  currency?: string;
  /** A due date, or 'none' for documents without one. */
  due?: string;
  limit: number;
  /** Continue after this document (newest first by issue day, then id). */
  after?: { day: string; id: string };
}

const day = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;

/** Recomputes the facts of the message's revision group; call in the transaction that saves its canonical. */
export async function refreshSummaries(db: Queryable, messageId: string): Promise<void> {
  await db.query('SELECT summary_refresh(ARRAY[$1]::uuid[])', [messageId]);
}

/**
 * Fills the summaries from every stored canonical document, set-based (what the migration does for an existing
 * store; a benchmark that wrote message_canonical with SQL calls it after loading). Returns the documents counted.
 */
export async function backfillSummaries(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ counted: string }>('SELECT summary_backfill() AS counted');
  return Number(rows[0]!.counted);
}

function documentRow(r: Record<string, any>): SummaryDocument {
  return {
    messageId: r.message_id,
    kind: r.kind,
    day: r.day,
    partner: r.partner,
    party: r.party,
    partyName: r.party_name,
    documentType: r.document_type,
    documentNumber: r.document_number,
    currency: r.currency,
    total: r.total,
    net: r.net,
    dueDate: r.due_date,
    lines: r.lines,
    quantity: r.quantity,
  };
}

const DOCUMENT_COLUMNS = `d.message_id, d.kind, ${day('d.day')} AS day, d.partner, d.party, d.party_name, d.document_type, d.document_number,
  d.currency, trim_scale(d.total)::text AS total, trim_scale(d.net)::text AS net, ${day('d.due_date')} AS due_date, d.lines, trim_scale(d.quantity)::text AS quantity`;

/** The summaries' queries over one schema's rollups. */
export class SummaryStore {
  constructor(private readonly db: Queryable) {}

  /** Documents, totals, net amounts and quantities per period, kind and currency. */
  async periods(kinds: readonly SummaryKind[], range: DateRange, by: Grouping): Promise<PeriodRow[]> {
    const { rows } = await this.db.query<PeriodRow>(
      `SELECT ${day("date_trunc($4, day)")} AS period, kind, currency, trim_scale(sum(documents))::text AS documents, trim_scale(sum(total))::text AS total,
              trim_scale(sum(net))::text AS net, trim_scale(sum(quantity))::text AS quantity
         FROM summary_daily_documents WHERE kind = ANY ($1) AND day BETWEEN $2 AND $3
        GROUP BY 1, kind, currency ORDER BY 1, kind, currency`,
      [kinds, range.from, range.to, by],
    );
    return rows;
  }

  /** Quantities and line amounts per item (sku and unit) and currency, of one kind. */
  async items(kind: SummaryKind, range: DateRange): Promise<ItemRow[]> {
    const { rows } = await this.db.query<ItemRow>(
      `SELECT sku, unit, currency, trim_scale(sum(quantity))::text AS quantity, trim_scale(sum(amount))::text AS amount, trim_scale(sum(lines))::text AS lines
         FROM summary_daily_items WHERE kind = $1 AND day BETWEEN $2 AND $3
        GROUP BY sku, unit, currency ORDER BY sum(amount) DESC, sku, unit, currency`,
      [kind, range.from, range.to],
    );
    return rows;
  }

  /** Documents, net amounts and totals per counterparty and currency, of one kind. */
  async parties(kind: SummaryKind, range: DateRange): Promise<PartyRow[]> {
    const { rows } = await this.db.query<PartyRow>(
      `SELECT party, currency, trim_scale(sum(documents))::text AS documents, trim_scale(sum(net))::text AS net, trim_scale(sum(total))::text AS total
         FROM summary_daily_documents WHERE kind = $1 AND day BETWEEN $2 AND $3
        GROUP BY party, currency ORDER BY sum(net) DESC, party, currency`,
      [kind, range.from, range.to],
    );
    return rows;
  }

  /**
   * Purchased and received quantities per supplier, item and unit in the range, and the quantity still to arrive
   * as of the range's end: every purchase minus every receipt issued on or before `to` (matched by supplier, sku
   * and unit, not by order line: a receipt's order line is the supplier's reference and often missing).
   */
  async supply(range: DateRange): Promise<SupplyRow[]> {
    const { rows } = await this.db.query<SupplyRow>(
      `SELECT party, sku, unit,
              trim_scale(coalesce(sum(quantity) FILTER (WHERE kind = 'purchase' AND day >= $1), 0))::text AS purchased,
              trim_scale(coalesce(sum(quantity) FILTER (WHERE kind = 'receipt' AND day >= $1), 0))::text AS received,
              trim_scale(coalesce(sum(quantity) FILTER (WHERE kind = 'purchase'), 0))::text AS "purchasedToDate",
              trim_scale(coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0))::text AS "receivedToDate",
              trim_scale((coalesce(sum(quantity) FILTER (WHERE kind = 'purchase'), 0) - coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0)))::text AS open
         FROM summary_daily_items WHERE kind IN ('purchase', 'receipt') AND day <= $2
        GROUP BY party, sku, unit
       HAVING count(*) FILTER (WHERE day >= $1) > 0
           OR coalesce(sum(quantity) FILTER (WHERE kind = 'purchase'), 0) <> coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0)
        ORDER BY party, sku, unit`,
      [range.from, range.to],
    );
    return rows;
  }

  /** Per item: what sales took out and receipts brought in. */
  async movement(range: DateRange): Promise<MovementRow[]> {
    const { rows } = await this.db.query<MovementRow>(
      `SELECT sku, unit,
              trim_scale(coalesce(sum(quantity) FILTER (WHERE kind = 'sale'), 0))::text AS out,
              trim_scale(coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0))::text AS in,
              trim_scale((coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0) - coalesce(sum(quantity) FILTER (WHERE kind = 'sale'), 0)))::text AS net,
              trim_scale(coalesce(sum(lines) FILTER (WHERE kind = 'sale'), 0))::text AS "salesLines",
              trim_scale(coalesce(sum(lines) FILTER (WHERE kind = 'receipt'), 0))::text AS "receiptLines"
         FROM summary_daily_items WHERE kind IN ('sale', 'receipt') AND day BETWEEN $1 AND $2
        GROUP BY sku, unit ORDER BY sum(abs(quantity)) DESC, sku, unit`,
      [range.from, range.to],
    );
    return rows;
  }

  /** Invoice totals per kind and currency, split by due date against `today`: overdue, due in 30 days, later, none. */
  async currencies(kinds: readonly SummaryKind[], range: DateRange, today: string): Promise<CurrencyRow[]> {
    const { rows } = await this.db.query<CurrencyRow>(
      `SELECT kind, currency, trim_scale(sum(documents))::text AS documents, trim_scale(sum(total))::text AS total,
              trim_scale(coalesce(sum(total) FILTER (WHERE due_date < $4), 0))::text AS overdue,
              trim_scale(coalesce(sum(total) FILTER (WHERE due_date >= $4 AND due_date <= $4::date + 30), 0))::text AS "dueSoon",
              trim_scale(coalesce(sum(total) FILTER (WHERE due_date > $4::date + 30), 0))::text AS "dueLater",
              trim_scale(coalesce(sum(total) FILTER (WHERE due_date IS NULL), 0))::text AS "noDueDate"
         FROM summary_daily_documents WHERE kind = ANY ($1) AND day BETWEEN $2 AND $3
        GROUP BY kind, currency ORDER BY kind, currency`,
      [kinds, range.from, range.to, today],
    );
    return rows;
  }

  /** Invoice totals per kind, currency and due date, the earliest due first (overdue ones come first); none last. */
  async dueDates(kinds: readonly SummaryKind[], range: DateRange): Promise<DueRow[]> {
    const { rows } = await this.db.query<DueRow>(
      `SELECT kind, currency, ${day('due_date')} AS "dueDate", trim_scale(sum(documents))::text AS documents, trim_scale(sum(total))::text AS total
         FROM summary_daily_documents WHERE kind = ANY ($1) AND day BETWEEN $2 AND $3
        GROUP BY kind, currency, due_date ORDER BY due_date NULLS LAST, kind, currency`,
      [kinds, range.from, range.to],
    );
    return rows;
  }

  /**
   * The counted documents a summary row sums, newest first (issue day, then id), one page: read in index order
   * from the lines by sku when an item is given, else from the documents by counterparty or by day.
   */
  async documents(f: DocumentFilter): Promise<{ items: SummaryDocument[]; more: boolean }> {
    const params: unknown[] = [f.kind, f.from, f.to];
    let sql: string;
    if (f.sku !== undefined) {
      const where = ['l.kind = $1', 'l.day BETWEEN $2 AND $3', `l.sku = $${params.push(f.sku)}`];
      if (f.unit !== undefined) where.push(`l.unit = $${params.push(f.unit)}`);
      if (f.party !== undefined) where.push(`l.party = $${params.push(f.party)}`);
      if (f.currency !== undefined) where.push(`l.currency = $${params.push(f.currency)}`);
      if (f.after) where.push(`(l.day, l.message_id) < ($${params.push(f.after.day)}::date, $${params.push(f.after.id)}::uuid)`);
      sql = `SELECT ${DOCUMENT_COLUMNS} FROM (
               SELECT DISTINCT ON (l.day, l.message_id) l.day, l.message_id FROM summary_lines l WHERE ${where.join(' AND ')}
                ORDER BY l.day DESC, l.message_id DESC LIMIT $${params.push(f.limit + 1)}) x
             JOIN summary_documents d ON d.message_id = x.message_id
            ORDER BY d.day DESC, d.message_id DESC`;
    } else {
      const where = ['d.kind = $1', 'd.day BETWEEN $2 AND $3'];
      if (f.party !== undefined) where.push(`d.party = $${params.push(f.party)}`);
      if (f.currency !== undefined) where.push(`d.currency = $${params.push(f.currency)}`);
      if (f.due === 'none') where.push('d.due_date IS NULL');
      else if (f.due !== undefined) where.push(`d.due_date = $${params.push(f.due)}`);
      if (f.after) where.push(`(d.day, d.message_id) < ($${params.push(f.after.day)}::date, $${params.push(f.after.id)}::uuid)`);
      sql = `SELECT ${DOCUMENT_COLUMNS} FROM summary_documents d WHERE ${where.join(' AND ')}
              ORDER BY d.day DESC, d.message_id DESC LIMIT $${params.push(f.limit + 1)}`;
    }
    const { rows } = await this.db.query(sql, params);
    return { items: rows.slice(0, f.limit).map(documentRow), more: rows.length > f.limit };
  }

  /** Whether any document of this kind is counted at all (one index probe): to say why a summary is empty. */
  async hasAny(kind: SummaryKind): Promise<boolean> {
    const { rowCount } = await this.db.query('SELECT 1 FROM summary_documents WHERE kind = $1 LIMIT 1', [kind]);
    return (rowCount ?? 0) > 0;
  }

  /** A counted document, when it is one (a superseded revision, or a document never mapped, is not). */
  async document(messageId: string): Promise<SummaryDocument | undefined> {
    const { rows } = await this.db.query(`SELECT ${DOCUMENT_COLUMNS} FROM summary_documents d WHERE d.message_id = $1`, [messageId]);
    return rows[0] ? documentRow(rows[0]) : undefined;
  }
}
