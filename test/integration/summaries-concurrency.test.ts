/**
 * The summaries' rollups under concurrent transforms: many documents of the same day and items saved at once,
 * half of them saved again with other lines (as a replay or the sweeper's re-transform does: the old facts are
 * deleted, new ones inserted), so transactions touch the same rollup rows in different orders. Every save must
 * succeed (a deadlock PostgreSQL breaks would surface here as a failed save) and the rollups must
 * equal the fact rows afterwards.
 */
import { expect } from 'chai';
import type { Order } from '../../src/canonical/types.js';
import { call, startTestHub, type TestHub } from '../helpers/test-hub.js';
import { goldenFixtures, expectedOf } from '../helpers/fixtures.js';

const DOCUMENTS = 60;
const ROUNDS = 6;
const SKUS = ['SKU-A', 'SKU-B', 'SKU-C', 'SKU-D'];

describe('department summaries under concurrent saves', function () {
  this.timeout(180_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ workers: false, configure: (raw) => (raw.database = { ...raw.database, poolSize: 16 }) });
  });
  after(async () => t?.close());

  it('saves of overlapping days and items, with re-saves in other line orders, all succeed and leave the rollups exact', async () => {
    const fixture = goldenFixtures(['ubl-order']).find((f) => f.name === 'peppol-order-example.xml')!;
    const template = expectedOf(fixture) as Order;
    const ids: string[] = [];
    for (let i = 0; i < DOCUMENTS; i++) {
      const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: fixture.bytes.toString('utf8').replace('<cbc:ID>34</cbc:ID>', `<cbc:ID>CONCURRENT-${i}</cbc:ID>`) });
      expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
      ids.push(posted.body.id);
    }
    const order = (i: number, round: number): Order => {
      // Each document's lines name the shared items in an order of its own, changing with the round.
      const skus = [...SKUS].sort((a, b) => ((a.charCodeAt(4) * (i + 3) + round) % 7) - ((b.charCodeAt(4) * (i + 3) + round) % 7)).slice(0, 2 + ((i + round) % 3));
      return { ...template, documentNumber: `CONCURRENT-${i}`, issueDate: `2026-11-0${1 + ((i + round) % 2)}`, lines: skus.map((sku, n) => ({ lineNumber: String(n + 1), sku, quantity: 1 + i + round, unitCode: 'EA', lineAmount: 10 * (1 + i) })) };
    };
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        ids.map((id, i) =>
          round > 0 && i % 2 === 1 ? Promise.resolve() : t.hub.store.saveCanonical(id, order(i, round), { archive: ['sales'] }).catch((error: Error & { code?: string }) => void failures.push(`${error.code ?? ''} ${error.message}`)),
        ),
      );
    }
    expect(failures).to.deep.equal([]);
    const { rows: items } = await t.hub.db.query(`
      SELECT f.kind, f.day::text, f.sku, f.quantity::text AS facts, r.quantity::text AS rollup
        FROM (SELECT kind, day, party, sku, unit, currency, sum(quantity) AS quantity FROM summary_lines GROUP BY 1, 2, 3, 4, 5, 6) f
        FULL JOIN summary_daily_items r USING (kind, day, party, sku, unit, currency)
       WHERE f.quantity IS DISTINCT FROM r.quantity`);
    expect(items, 'rollup rows that differ from their facts').to.deep.equal([]);
    const { rows: counted } = await t.hub.db.query("SELECT count(*)::int AS n FROM summary_documents WHERE kind = 'sale'");
    expect(counted[0].n).to.equal(DOCUMENTS);
  });
});
