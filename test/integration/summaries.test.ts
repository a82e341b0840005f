/**
 * The department summaries against the documents themselves: real documents posted through the API and mapped
 * by the pipeline, every figure of src/store/summaries.ts compared with a direct SQL sum over the stored
 * canonical JSON (message_canonical, jsonb_array_elements), written here independently of the summary tables.
 * A replay leaves the figures as they were, a revision replaces the earlier document, retention takes the
 * removed documents' figures with them, and a failed delivery still counts.
 */
import { expect } from 'chai';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { runRetention } from '../../src/store/retention.js';
import { backfillSummaries, SummaryStore, type DateRange, type SummaryKind } from '../../src/store/summaries.js';
import { goldenFixtures, roundsWithoutDuplicates } from '../helpers/fixtures.js';
import { call, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';

/**
 * The documents that count, straight from message_canonical: of each number (partner, type, sending party,
 * number) the highest revision that has a canonical document; its kind by direction; its lines.
 */
const DIRECT = `WITH latest AS (
  SELECT DISTINCT ON (m.partner, m.document_type, m.sending_party, m.document_number) m.id, m.partner, c.canonical AS doc
    FROM messages m JOIN message_canonical c ON c.message_id = m.id
   ORDER BY m.partner, m.document_type, m.sending_party, m.document_number, m.revision DESC
), docs AS (
  SELECT id, partner, doc, (doc ->> 'issueDate')::date AS day, coalesce(doc ->> 'currency', '') AS currency,
         CASE WHEN doc #>> '{seller,internalId}' = 'SELF' THEN (CASE doc ->> 'type' WHEN 'Order' THEN 'sale' WHEN 'Invoice' THEN 'receivable' END)
              WHEN doc #>> '{buyer,internalId}' = 'SELF' THEN (CASE doc ->> 'type' WHEN 'Order' THEN 'purchase' WHEN 'ShipNotice' THEN 'receipt' ELSE 'payable' END)
         END AS kind,
         CASE WHEN doc #>> '{seller,internalId}' = 'SELF' THEN doc #>> '{buyer,internalId}' ELSE doc #>> '{seller,internalId}' END AS party,
         CASE WHEN doc ->> 'type' = 'ShipNotice' THEN NULL ELSE (doc #>> '{totals,payableAmount}')::numeric END AS total,
         (doc ->> 'dueDate')::date AS due
    FROM latest
), lines AS (
  SELECT d.*, l ->> 'sku' AS sku, l ->> 'unitCode' AS unit, (l ->> 'quantity')::numeric AS quantity, coalesce((l ->> 'lineAmount')::numeric, 0) AS amount
    FROM docs d CROSS JOIN LATERAL jsonb_array_elements(d.doc -> 'lines') AS l
)
`;

/** A decimal as text without trailing zeros, so 10.000 and 10 compare equal (both are exact). */
function decimal(text: unknown): string {
  if (text === null || text === undefined) return '';
  let s = String(text);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** Rows as sorted lines of their values (decimals normalised), for a comparison that ignores order. */
function lines(rows: readonly object[]): string[] {
  return rows.map((r) => Object.values(r).map(decimal).join(' | ')).sort();
}

const WIDE: DateRange = { from: '2000-01-01', to: '2030-12-31' };
const NARROW: DateRange = { from: '2013-01-01', to: '2018-12-31' };
const TODAY = '2026-12-01';

describe('department summaries equal direct sums over the canonical documents', function () {
  this.timeout(180_000);
  let t: TestHub;
  let summaries: SummaryStore;
  const posted: Array<{ id: string; partner: string; file: string }> = [];

  async function direct(sql: string, params: unknown[] = []): Promise<string[]> {
    // Rows as arrays: the direct queries' columns are unnamed (sum, sum, ...), compared by position.
    return lines((await t.hub.db.pool.query({ text: DIRECT + sql, values: params, rowMode: 'array' })).rows);
  }

  /** Every figure of every summary over `range`, each against its direct sum. */
  async function expectFiguresMatch(range: DateRange): Promise<void> {
    const r = [range.from, range.to];
    for (const by of ['day', 'week', 'month'] as const) {
      const kinds: SummaryKind[] = ['sale', 'purchase', 'receipt', 'payable', 'receivable'];
      const store = (await summaries.periods(kinds, range, by)).map((p) => ({ ...p }));
      const expected = await direct(
        `SELECT to_char(date_trunc($3, day), 'YYYY-MM-DD'), kind, currency, count(*), sum(coalesce(total, 0)),
                sum((SELECT coalesce(sum(coalesce((l ->> 'lineAmount')::numeric, 0)), 0) FROM jsonb_array_elements(doc -> 'lines') l)),
                sum((SELECT coalesce(sum((l ->> 'quantity')::numeric), 0) FROM jsonb_array_elements(doc -> 'lines') l))
           FROM docs WHERE kind IS NOT NULL AND day BETWEEN $1 AND $2 GROUP BY 1, 2, 3`,
        [...r, by],
      );
      expect(lines(store), `periods by ${by}`).to.deep.equal(expected);
    }
    for (const kind of ['sale', 'receipt', 'payable'] as const) {
      expect(lines(await summaries.items(kind, range)), `items ${kind}`).to.deep.equal(
        await direct('SELECT sku, unit, currency, sum(quantity), sum(amount), count(*) FROM lines WHERE kind = $3 AND day BETWEEN $1 AND $2 GROUP BY 1, 2, 3', [...r, kind]),
      );
      expect(lines(await summaries.parties(kind, range)), `parties ${kind}`).to.deep.equal(
        await direct(
          `SELECT party, currency, count(*), sum((SELECT coalesce(sum(coalesce((l ->> 'lineAmount')::numeric, 0)), 0) FROM jsonb_array_elements(doc -> 'lines') l)),
                  sum(coalesce(total, 0)) FROM docs WHERE kind = $3 AND day BETWEEN $1 AND $2 GROUP BY 1, 2`,
          [...r, kind],
        ),
      );
    }
    expect(lines(await summaries.movement(range)), 'movement').to.deep.equal(
      await direct(
        `SELECT sku, unit, coalesce(sum(quantity) FILTER (WHERE kind = 'sale'), 0), coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0),
                coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0) - coalesce(sum(quantity) FILTER (WHERE kind = 'sale'), 0),
                count(*) FILTER (WHERE kind = 'sale'), count(*) FILTER (WHERE kind = 'receipt')
           FROM lines WHERE kind IN ('sale', 'receipt') AND day BETWEEN $1 AND $2 GROUP BY 1, 2`,
        r,
      ),
    );
    expect(lines(await summaries.supply(range)), 'supply').to.deep.equal(
      await direct(
        `SELECT party, sku, unit, coalesce(sum(quantity) FILTER (WHERE kind = 'purchase' AND day >= $1), 0), coalesce(sum(quantity) FILTER (WHERE kind = 'receipt' AND day >= $1), 0),
                coalesce(sum(quantity) FILTER (WHERE kind = 'purchase'), 0), coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0),
                coalesce(sum(quantity) FILTER (WHERE kind = 'purchase'), 0) - coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0)
           FROM lines WHERE kind IN ('purchase', 'receipt') AND day <= $2 GROUP BY 1, 2, 3
          HAVING count(*) FILTER (WHERE day >= $1) > 0 OR coalesce(sum(quantity) FILTER (WHERE kind = 'purchase'), 0) <> coalesce(sum(quantity) FILTER (WHERE kind = 'receipt'), 0)`,
        r,
      ),
    );
    const invoices: SummaryKind[] = ['payable', 'receivable'];
    expect(lines(await summaries.currencies(invoices, range, TODAY)), 'currencies').to.deep.equal(
      await direct(
        `SELECT kind, currency, count(*), sum(total), coalesce(sum(total) FILTER (WHERE due < $3::date), 0),
                coalesce(sum(total) FILTER (WHERE due >= $3::date AND due <= $3::date + 30), 0), coalesce(sum(total) FILTER (WHERE due > $3::date + 30), 0),
                coalesce(sum(total) FILTER (WHERE due IS NULL), 0)
           FROM docs WHERE kind IN ('payable', 'receivable') AND day BETWEEN $1 AND $2 GROUP BY 1, 2`,
        [...r, TODAY],
      ),
    );
    expect(lines(await summaries.dueDates(invoices, range)), 'due dates').to.deep.equal(
      await direct(`SELECT kind, currency, to_char(due, 'YYYY-MM-DD'), count(*), sum(total) FROM docs WHERE kind IN ('payable', 'receivable') AND day BETWEEN $1 AND $2 GROUP BY 1, 2, 3`, r),
    );
    // The documents behind: by kind, by item, by counterparty, by due date.
    for (const kind of ['sale', 'receipt', 'payable'] as const) {
      const all = await summaries.documents({ kind, ...range, limit: 10_000 });
      expect(all.items.map((d) => d.messageId).sort(), `documents ${kind}`).to.deep.equal(await direct('SELECT id FROM docs WHERE kind = $3 AND day BETWEEN $1 AND $2', [...r, kind]));
      const sku = (await direct('SELECT sku FROM lines WHERE kind = $3 AND day BETWEEN $1 AND $2 ORDER BY sku LIMIT 1', [...r, kind]))[0];
      if (sku) {
        const bySku = await summaries.documents({ kind, ...range, sku, limit: 10_000 });
        expect(bySku.items.map((d) => d.messageId).sort(), `documents ${kind} ${sku}`).to.deep.equal(
          await direct('SELECT DISTINCT id FROM lines WHERE kind = $3 AND sku = $4 AND day BETWEEN $1 AND $2', [...r, kind, sku]),
        );
      }
    }
  }

  /** The rollups are exact sums of the fact rows (what the triggers keep). */
  async function expectRollupsExact(): Promise<void> {
    const q = async (sql: string) => lines((await t.hub.db.pool.query({ text: sql, rowMode: 'array' })).rows);
    expect(await q('SELECT kind, day, party, sku, unit, currency, quantity, amount, lines FROM summary_daily_items')).to.deep.equal(
      await q('SELECT kind, day, party, sku, unit, currency, sum(quantity), sum(coalesce(amount, 0)), count(*) FROM summary_lines GROUP BY 1, 2, 3, 4, 5, 6'),
    );
    expect(await q('SELECT kind, day, party, currency, due_date, documents, total, net, quantity FROM summary_daily_documents')).to.deep.equal(
      await q('SELECT kind, day, party, currency, due_date, count(*), sum(coalesce(total, 0)), sum(net), sum(quantity) FROM summary_documents GROUP BY 1, 2, 3, 4, 5'),
    );
  }

  async function post(partner: string, bytes: Buffer | string, file = 'inline'): Promise<string | undefined> {
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body: bytes });
    expect([200, 202], `${file}: ${JSON.stringify(r.body)}`).to.include(r.status);
    if (r.status !== 202) return undefined;
    posted.push({ id: r.body.id, partner, file });
    return r.body.id;
  }

  before(async () => {
    t = await startTestHub({
      configure: (raw) => {
        // No ERP outbox (its unacknowledged rows would keep retention from removing anything); revisions for globex.
        delete raw.adapters.outbox;
        raw.partners.globex.duplicateNumbers = 'revision';
        raw.pipeline = { ...raw.pipeline, attempts: 2, backoffMs: 20 };
      },
    });
    summaries = new SummaryStore(t.hub.db);
    const fixtures = [
      ...roundsWithoutDuplicates(goldenFixtures(['ubl-order']))[0]!,
      ...goldenFixtures(['hub-po']),
      ...goldenFixtures(['ubl-despatch-advice']),
      ...goldenFixtures(['ubl-invoice']),
    ];
    for (const f of fixtures) await post(f.partner, f.bytes, f.name);
    for (const p of posted) expect((await waitForStatus(t, p.id)).status, p.file).to.equal('delivered');
  });
  after(async () => t?.close());

  it('every figure equals the direct sum, over every kind, on a wide and a narrow range, and the rollups are exact', async () => {
    const { rows } = await t.hub.db.query('SELECT kind, count(*)::int AS n FROM summary_documents GROUP BY kind ORDER BY kind');
    const counts = Object.fromEntries(rows.map((r) => [r.kind, r.n]));
    // What the fixtures are: customer orders (sales), supplier despatch advices (receipts) and invoices (payables).
    expect(counts.sale).to.be.greaterThan(5);
    expect(counts.receipt).to.be.greaterThan(3);
    expect(counts.payable).to.be.greaterThan(3);
    expect(counts.receivable).to.equal(undefined);
    await expectFiguresMatch(WIDE);
    await expectFiguresMatch(NARROW);
    await expectRollupsExact();
  });

  it('a revision replaces the earlier document: only the latest counts', async () => {
    const invoice = goldenFixtures(['ubl-invoice']).find((f) => f.name === 'peppol-billing-vat-category-o.xml')!;
    const first = await post('globex', invoice.bytes.toString('utf8').replace('<cbc:ID>Vat-O</cbc:ID>', '<cbc:ID>SUMMARY-REV-1</cbc:ID>'));
    expect((await waitForStatus(t, first!)).status).to.equal('delivered');
    expect((await summaries.document(first!))?.total).to.equal('3200');
    const changed = invoice.bytes.toString('utf8').replace('<cbc:ID>Vat-O</cbc:ID>', '<cbc:ID>SUMMARY-REV-1</cbc:ID>').replaceAll('3200', '4100');
    const second = await post('globex', changed);
    expect((await waitForStatus(t, second!)).status).to.equal('delivered');
    expect((await t.hub.store.get(second!))?.revision).to.equal(1);
    expect(await summaries.document(first!)).to.equal(undefined);
    expect((await summaries.document(second!))?.total).to.equal('4100');
    const { rows } = await t.hub.db.query("SELECT count(*)::int AS n FROM summary_documents WHERE document_number = 'SUMMARY-REV-1'");
    expect(rows[0].n).to.equal(1);
    await expectFiguresMatch(WIDE);
    await expectRollupsExact();
    // The latest revision removed (as retention would): the earlier one counts again.
    await t.hub.db.query('DELETE FROM messages WHERE id = $1', [second]);
    expect((await summaries.document(first!))?.total).to.equal('3200');
    await expectFiguresMatch(WIDE);
    await expectRollupsExact();
  });

  it('a replay maps the document again without changing any figure', async () => {
    const before = { periods: await summaries.periods(['sale', 'receipt', 'payable'], WIDE, 'month'), items: await summaries.items('sale', WIDE), supply: await summaries.supply(WIDE) };
    const order = posted.find((p) => p.partner === 'acme')!;
    const invoice = posted.find((p) => p.partner === 'globex' && p.file.includes('invoice'))!;
    for (const p of [order, invoice]) {
      const r = await call(t.url, 'POST', `/v1/ops/messages/${p.id}/replay`, { key: t.keys.ops, body: JSON.stringify({ force: true }), contentType: 'application/json' });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
    }
    for (const p of [order, invoice]) {
      await waitFor(async () => {
        const history = await t.hub.store.history(p.id);
        const replayed = history.map((h) => h.step).lastIndexOf('replayed');
        const mapped = history.map((h) => h.step).lastIndexOf('mapped');
        const record = await t.hub.store.get(p.id);
        return replayed >= 0 && mapped > replayed && record?.status === 'delivered' ? true : undefined;
      }, `replay of ${p.file}`);
    }
    expect(await summaries.periods(['sale', 'receipt', 'payable'], WIDE, 'month')).to.deep.equal(before.periods);
    expect(await summaries.items('sale', WIDE)).to.deep.equal(before.items);
    expect(await summaries.supply(WIDE)).to.deep.equal(before.supply);
    await expectFiguresMatch(WIDE);
    await expectRollupsExact();
  });

  it('a document whose delivery failed still counts (its canonical exists)', async () => {
    const archive = t.hub.config.adapters.find((a) => a.name === 'archive')!.options.dir as string;
    rmSync(archive, { recursive: true, force: true });
    writeFileSync(archive, 'not a folder');
    try {
      const po = goldenFixtures(['hub-po']).find((f) => f.name === 'initech-minimal.xml')!;
      const bytes = po.bytes.toString('utf8').replace('INI-PO-7', 'SUMMARY-FAILED-7');
      const id = await post('initech', bytes);
      expect((await waitForStatus(t, id!)).status).to.equal('failed');
      expect(await t.hub.store.canonical(id!)).to.not.equal(undefined);
      expect((await summaries.document(id!))?.kind).to.equal('sale');
      await expectFiguresMatch(WIDE);
    } finally {
      rmSync(archive, { force: true });
      mkdirSync(archive, { recursive: true });
    }
  });

  it('retention removes the removed documents’ figures, and a backfill from the canonical documents gives the same figures', async () => {
    const acme = posted.filter((p) => p.partner === 'acme').map((p) => p.id);
    const before = await summaries.documents({ kind: 'sale', ...WIDE, limit: 10_000 });
    expect(before.items.some((d) => acme.includes(d.messageId))).to.equal(true);
    const removed = await runRetention(t.hub.db, { ...t.hub.config.retention, recordDays: 100_000, overrides: [{ partner: 'acme', recordDays: 1 }] }, { now: new Date(Date.now() + 10 * 86_400_000) });
    expect(removed.records).to.equal(acme.length);
    const after = await summaries.documents({ kind: 'sale', ...WIDE, limit: 10_000 });
    expect(after.items.filter((d) => acme.includes(d.messageId))).to.deep.equal([]);
    expect(after.items.length).to.equal(before.items.length - acme.length);
    await expectFiguresMatch(WIDE);
    await expectRollupsExact();
    // The backfill (what the migration runs on an existing store) rebuilds the same facts from scratch.
    const snapshot = async () => lines((await t.hub.db.query('SELECT * FROM summary_daily_items')).rows).concat(lines((await t.hub.db.query('SELECT * FROM summary_daily_documents')).rows));
    const kept = await snapshot();
    const counted = await backfillSummaries(t.hub.db);
    expect(counted).to.equal(Number((await t.hub.db.query('SELECT count(*) FROM summary_documents')).rows[0].count));
    expect(await snapshot()).to.deep.equal(kept);
    await expectFiguresMatch(WIDE);
  });
});
