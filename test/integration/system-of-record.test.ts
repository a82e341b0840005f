/**
 * PostgreSQL as the system of record, through the real HTTP API, a real PostgreSQL and a real Redis: search by
 * every kind of business key, raw and canonical downloads, refusals, order chains from real documents, cursor
 * paging that neither skips nor repeats, the partner's own listing, revisions, and a Redis wipe while
 * documents are in flight.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { goldenFixtures } from '../helpers/fixtures.js';
import { PrivateRedis } from '../helpers/private-redis.js';
import { call, ROOT, startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const chainFile = (name: string) => readFileSync(path.join(ROOT, 'fixtures/chain', name));
const fixture = (format: string, name: string) => goldenFixtures([format]).find((f) => f.name === name)!;

describe('system of record (PostgreSQL)', function () {
  this.timeout(120_000);

  describe('search, downloads and listings', () => {
    let t: TestHub;
    const posted: Record<string, { id: string; bytes: Buffer }> = {};
    before(async () => {
      t = await startTestHub();
      for (const [key, format, name, partner] of [
        ['order', 'ubl-order', 'ubl-order-2.1-example.xml', 'acme'],
        ['despatch', 'ubl-despatch-advice', 'peppol-despatch-advice-example.xml', 'globex'],
        ['invoice', 'ubl-invoice', 'peppol-billing-base-example.xml', 'globex'],
      ] as const) {
        const f = fixture(format, name);
        const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[partner], body: f.bytes });
        expect(r.status, `${name}: ${JSON.stringify(r.body)}`).to.equal(202);
        posted[key] = { id: r.body.id, bytes: f.bytes };
      }
      for (const { id } of Object.values(posted)) expect((await waitForStatus(t, id)).status).to.equal('delivered');
    });
    after(async () => t?.close());

    const search = async (q: string, extra = '') => {
      const r = await call(t.url, 'GET', `/v1/ops/messages?q=${encodeURIComponent(q)}${extra}`, { key: t.keys.ops });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.messages.map((m: any) => m.id) as string[];
    };

    it('finds a document by each kind of business key it carries', async () => {
      const keysOf = async (id: string) => (await call(t.url, 'GET', `/v1/ops/messages/${id}`, { key: t.keys.ops })).body.keys as Array<{ kind: string; value: string }>;
      const order = await keysOf(posted.order!.id);
      const despatch = await keysOf(posted.despatch!.id);
      const invoice = await keysOf(posted.invoice!.id);
      const value = (keys: Array<{ kind: string; value: string }>, kind: string) => keys.find((k) => k.kind === kind)?.value;
      // The values come from the canonical documents, which the golden tests check against the sources.
      expect(value(order, 'documentNumber')).to.equal('34');
      expect(value(despatch, 'documentNumber')).to.equal('565899');
      expect(value(despatch, 'orderReference')).to.equal('AEG012345');
      expect(value(invoice, 'documentNumber')).to.equal('Snippet1');
      const cases: Array<[string, string, string]> = [
        ['order', 'documentNumber', value(order, 'documentNumber')!],
        ['order', 'buyerId (our customer id)', value(order, 'buyerId')!],
        ['order', 'buyerPartyId (as sent)', value(order, 'buyerPartyId')!],
        ['order', 'sellerPartyId (as sent)', value(order, 'sellerPartyId')!],
        ['despatch', 'documentNumber', '565899'],
        ['despatch', 'orderReference', 'AEG012345'],
        ['despatch', 'sellerId (our vendor id)', value(despatch, 'sellerId')!],
        ['invoice', 'documentNumber', 'Snippet1'],
        ['invoice', 'sellerPartyId (as sent)', value(invoice, 'sellerPartyId')!],
        ['invoice', 'buyerPartyId (as sent)', value(invoice, 'buyerPartyId')!],
      ];
      for (const [doc, kind, q] of cases) expect(await search(q), `${doc} by ${kind} = ${q}`).to.include(posted[doc]!.id);
      expect(await search('NO-SUCH-KEY-4711')).to.deep.equal([]);
      // By message id too, and combined with the other filters.
      expect(await search(posted.invoice!.id)).to.deep.equal([posted.invoice!.id]);
      expect(await search('Snippet1', '&partner=acme')).to.deep.equal([]);
      expect(await search('Snippet1', '&partner=globex&type=Invoice&status=delivered')).to.deep.equal([posted.invoice!.id]);
    });

    it('filters by time range', async () => {
      const all = [posted.order!.id, posted.despatch!.id, posted.invoice!.id];
      const before = await call(t.url, 'GET', `/v1/ops/messages?to=2000-01-01`, { key: t.keys.ops });
      expect(before.body.count).to.equal(0);
      const since = await call(t.url, 'GET', `/v1/ops/messages?from=${new Date(Date.now() - 3600_000).toISOString()}`, { key: t.keys.ops });
      expect(since.body.messages.map((m: any) => m.id)).to.include.members(all);
    });

    it('answers unknown or malformed query parameters with a 400 that names them', async () => {
      const unknown = await call(t.url, 'GET', '/v1/ops/messages?q=34&sort=asc&colour=red', { key: t.keys.ops });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.detail).to.contain('sort').and.to.contain('colour');
      for (const [query, mentions] of [
        ['from=yesterday', 'from'],
        ['cursor=abc', 'cursor'],
        ['limit=0', 'limit'],
        ['type=Quote', 'type'],
        ['partner=nobody', 'partner'],
      ]) {
        const r = await call(t.url, 'GET', `/v1/ops/messages?${query}`, { key: t.keys.ops });
        expect(r.status, query).to.equal(400);
        expect(r.body.detail, query).to.contain(mentions);
      }
      expect((await call(t.url, 'GET', '/v1/ops/refusals?status=delivered', { key: t.keys.ops })).status).to.equal(400);
    });

    it('downloads the raw bytes as posted, with their content type, and the canonical JSON', async () => {
      const raw = await fetch(`${t.url}/v1/ops/messages/${posted.despatch!.id}/raw`, { headers: { authorization: `Bearer ${t.keys.ops}` } });
      expect(raw.status).to.equal(200);
      expect(raw.headers.get('content-type')).to.match(/^application\/xml/);
      expect(Buffer.from(await raw.arrayBuffer()).equals(posted.despatch!.bytes)).to.equal(true);
      const canonical = await call(t.url, 'GET', `/v1/ops/messages/${posted.despatch!.id}/canonical`, { key: t.keys.ops });
      expect(canonical.body).to.deep.equal(JSON.parse(readFileSync(path.join(ROOT, 'fixtures/ubl-despatch-advice/peppol-despatch-advice-example.expected.json'), 'utf8')));
      expect((await call(t.url, 'GET', `/v1/ops/messages/${posted.despatch!.id}/raw`, { key: t.keys.partners.globex })).status).to.equal(403);
    });

    it('stores a refusal (XSD errors) with the bytes as posted, the errors, the partner and the number it could read', async () => {
      const broken = fixture('ubl-invoice', 'peppol-billing-norwegian-example-1.xml').bytes.toString('utf8').replace('<cbc:IssueDate>', '<cbc:Unexpected>x</cbc:Unexpected><cbc:IssueDate>');
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: broken });
      expect(r.status).to.equal(422);
      const list = await call(t.url, 'GET', '/v1/ops/refusals?q=TOSL108&partner=globex', { key: t.keys.ops });
      expect(list.body.count).to.equal(1);
      const refusal = list.body.refusals[0];
      expect(refusal).to.include({ partner: 'globex', code: 'HUB_ERR_XSD_INVALID', httpStatus: 422, documentNumber: 'TOSL108', documentType: 'Invoice' });
      expect(refusal.errors[0].message).to.contain('Unexpected');
      const raw = await fetch(`${t.url}${refusal.links.raw}`, { headers: { authorization: `Bearer ${t.keys.ops}` } });
      expect(Buffer.from(await raw.arrayBuffer()).toString('utf8')).to.equal(broken);
      // Unknown types and sender mismatches are stored too, findable by code.
      await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: posted.invoice!.bytes });
      const unknownType = await call(t.url, 'GET', '/v1/ops/refusals?code=HUB_ERR_DOCUMENT_TYPE_UNKNOWN&partner=acme', { key: t.keys.ops });
      expect(unknownType.body.count).to.equal(1);
      // The partner sees its own refusals (without the hub's addresses), nobody else's.
      const own = await call(t.url, 'GET', '/v1/refusals', { key: t.keys.partners.globex });
      expect(own.body.refusals.map((x: any) => x.code)).to.include('HUB_ERR_XSD_INVALID');
      expect(own.body.refusals.every((x: any) => x.address === undefined && x.partner === undefined)).to.equal(true);
      const acmeOwn = await call(t.url, 'GET', '/v1/refusals', { key: t.keys.partners.acme });
      expect(acmeOwn.body.refusals.map((x: any) => x.code)).not.to.include('HUB_ERR_XSD_INVALID');
    });

    it('keeps numbers apart per sending party: a service provider posting two suppliers\' invoice of one number gets both accepted', async () => {
      // globex posts for the suppliers 9482348239847239874 and 1234567890123 (both its party ids); each issued
      // its own invoice "Snippet1". The first is already in (posted above, by supplier 9482348239847239874).
      const real = posted.invoice!.bytes.toString('utf8');
      const otherSupplier = real.replace('<cbc:EndpointID schemeID="0088">9482348239847239874</cbc:EndpointID>', '<cbc:EndpointID schemeID="0088">1234567890123</cbc:EndpointID>');
      expect(otherSupplier).not.to.equal(real);
      const second = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: otherSupplier });
      expect(second.status, JSON.stringify(second.body)).to.equal(202);
      expect(second.body.id).not.to.equal(posted.invoice!.id);
      // The same supplier, the same number, other content: that is a conflict.
      const changed = real.replace(/<cbc:IssueDate>[^<]*<\/cbc:IssueDate>/, '<cbc:IssueDate>2017-12-01</cbc:IssueDate>');
      expect(changed).not.to.equal(real);
      const conflict = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: changed });
      expect(conflict.status).to.equal(409);
      expect(conflict.body.originalId).to.equal(posted.invoice!.id);
      const records = await t.hub.db.query<{ sending_party: string }>("SELECT sending_party FROM messages WHERE document_number = 'Snippet1' ORDER BY sending_party");
      expect(records.rows.map((r) => r.sending_party)).to.deep.equal(['1234567890123', '9482348239847239874']);
    });

    it("lets a partner list only its own documents, with the same filters, and never shows the hub's paths", async () => {
      const acme = await call(t.url, 'GET', '/v1/documents', { key: t.keys.partners.acme });
      expect(acme.status).to.equal(200);
      expect(acme.body.documents.map((d: any) => d.id)).to.deep.equal([posted.order!.id]);
      const globex = await call(t.url, 'GET', '/v1/documents?type=Invoice&q=Snippet1', { key: t.keys.partners.globex });
      expect(globex.body.documents.map((d: any) => d.id)).to.include(posted.invoice!.id);
      expect(globex.body.documents.every((d: any) => d.documentType === 'Invoice' && d.documentNumber === 'Snippet1')).to.equal(true);
      const orders = await call(t.url, 'GET', '/v1/documents?type=Order', { key: t.keys.partners.globex });
      expect(orders.body.documents).to.deep.equal([]);
      const bad = await call(t.url, 'GET', '/v1/documents?partner=acme', { key: t.keys.partners.globex });
      expect(bad.status).to.equal(400);
      expect(bad.body.detail).to.contain('partner');
      const text = JSON.stringify([acme.body, globex.body, bad.body]);
      expect(text).not.to.match(/\/work\/|\/tmp\/|node_modules|dist\/|\.ya?ml|\.xsd|\.csv/);
      expect((await call(t.url, 'GET', '/v1/documents', { key: t.keys.ops })).status).to.equal(403);
    });
  });

  describe('order chains from real documents', () => {
    let t: TestHub;
    const ids: Record<string, string> = {};
    before(async () => {
      // One partner sends the order and its follow-ups (a partner that both orders and ships through the hub).
      t = await startTestHub({ configure: (c) => (c.partners.globex.formats = ['ubl-order', 'ubl-despatch-advice', 'ubl-invoice']) });
      // The invoice first and the order last: links are made whichever side arrives first.
      for (const [key, name] of [
        ['invoice', 'invoice-snippet1-for-4321.xml'],
        ['despatch', 'despatch-advice-1234-for-4321.xml'],
        ['order', 'order-4321.xml'],
      ]) {
        const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: chainFile(name!) });
        expect(r.status, `${name}: ${JSON.stringify(r.body)}`).to.equal(202);
        ids[key!] = r.body.id;
        expect((await waitForStatus(t, r.body.id)).status).to.equal('delivered');
      }
    });
    after(async () => t?.close());

    it('links the order, its despatch advice and its invoice, and compares ordered, shipped and invoiced per line', async () => {
      const byOrder = await call(t.url, 'GET', '/v1/ops/chains?order=4321&partner=globex', { key: t.keys.ops });
      expect(byOrder.status, JSON.stringify(byOrder.body)).to.equal(200);
      const chain = byOrder.body;
      expect(chain.order.id).to.equal(ids.order);
      expect(chain.shipNotices.map((d: any) => d.id)).to.deep.equal([ids.despatch]);
      expect(chain.invoices.map((d: any) => d.id)).to.deep.equal([ids.invoice]);
      const line = (n: string) => chain.lines.find((l: any) => l.lineNumber === n);
      // Order UC1 asks 10, 5, 15; despatch UC1 ships 10 and 10 against lines 1 and 2; the invoice bills 7 and -3.
      expect(line('1')).to.deep.include({ ordered: 10, shipped: 10, invoiced: 7 });
      // The real documents state the quantities in different units (NAR ordered, EA shipped, DAY invoiced): flagged too.
      expect(line('1').flags).to.deep.equal(['shipped-unit-differs', 'invoiced-unit-differs', 'invoiced-differs-from-shipped']);
      expect(line('2')).to.deep.include({ ordered: 5, shipped: 10, invoiced: -3 });
      expect(line('2').flags).to.deep.equal(['shipped-unit-differs', 'invoiced-unit-differs', 'over-shipped', 'invoiced-differs-from-shipped']);
      expect(line('3')).to.deep.include({ ordered: 15, shipped: 0, invoiced: 0 });
      expect(line('3').flags).to.deep.equal(['not-shipped', 'not-invoiced']);
      expect(chain.flags).to.include('lines-flagged');
      expect(chain.flags).not.to.include('no-invoice');
      // The same chain from any of its documents.
      for (const id of Object.values(ids)) expect((await call(t.url, 'GET', `/v1/ops/chains/${id}`, { key: t.keys.ops })).body).to.deep.equal(chain);
    });

    it('flags what is missing, and lists orders without an invoice', async () => {
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: fixture('ubl-order', 'peppol-order-uc3.xml').bytes });
      expect(r.status).to.equal(202);
      await waitForStatus(t, r.body.id);
      const chain = (await call(t.url, 'GET', `/v1/ops/chains/${r.body.id}`, { key: t.keys.ops })).body;
      expect(chain.flags).to.include.members(['no-shipnotice', 'no-invoice']);
      expect(chain.lines.every((l: any) => l.flags.length === 0)).to.equal(true);
      const missing = await call(t.url, 'GET', '/v1/ops/messages?missing=invoice', { key: t.keys.ops });
      expect(missing.body.messages.map((m: any) => m.id)).to.deep.equal([r.body.id]);
      const unlinked = await call(t.url, 'GET', `/v1/ops/chains?order=NOPE&partner=globex`, { key: t.keys.ops });
      expect(unlinked.status).to.equal(404);
    });
  });

  describe('revisions (a partner with duplicateNumbers: revision)', () => {
    let t: TestHub;
    before(async () => {
      t = await startTestHub({ configure: (c) => (c.partners.acme.duplicateNumbers = 'revision') });
    });
    after(async () => t?.close());

    it('accepts the same number with other content as revision 1, linked to the first and shown in its chain', async () => {
      const [uc1, uc2] = ['peppol-order-uc1.xml', 'peppol-order-uc2.xml'].map((n) => fixture('ubl-order', n));
      const first = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: uc1!.bytes });
      expect(first.status).to.equal(202);
      const second = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: uc2!.bytes });
      expect(second.status).to.equal(202);
      expect(second.body).to.include({ revision: 1, revisionOf: first.body.id });
      const again = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: uc2!.bytes });
      expect(again.body).to.include({ duplicate: true, id: second.body.id });
      await waitForStatus(t, second.body.id);
      const chain = (await call(t.url, 'GET', `/v1/ops/chains/${second.body.id}`, { key: t.keys.ops })).body;
      expect(chain.order.id).to.equal(first.body.id);
      expect(chain.changes.map((c: any) => [c.id, c.revision])).to.deep.equal([[second.body.id, 1]]);
      // The order as it stands is the revision: UC2's two lines.
      expect(chain.lines.map((l: any) => [l.lineNumber, l.ordered])).to.deep.equal([
        ['1', 10],
        ['2', 50],
      ]);
    });
  });

  describe('cursor paging', () => {
    let t: TestHub;
    before(async () => {
      t = await startTestHub({ workers: false });
    });
    after(async () => t?.close());

    it('pages through 10,000 messages with identical timestamps without skipping or repeating one', async () => {
      // Written straight into the schema: 10,000 records in the same millisecond, which no HTTP client could post.
      await t.hub.db.query(
        `INSERT INTO messages (id, partner, format, document_type, document_number, sending_party, sha256, size, status, received_at, updated_at, transformed_at)
         SELECT gen_random_uuid(), 'acme', 'ubl-order', 'Order', 'PAGE-' || n, '7300010000001', md5(n::text), 100, 'delivered', $1, $1, $1
           FROM generate_series(1, 10000) AS n`,
        [new Date('2026-06-01T12:00:00.123Z')],
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const r = await call(t.url, 'GET', `/v1/ops/messages?partner=acme&limit=700${cursor ? `&cursor=${cursor}` : ''}`, { key: t.keys.ops });
        expect(r.status).to.equal(200);
        seen.push(...r.body.messages.map((m: any) => m.id));
        cursor = r.body.next?.cursor;
        pages++;
      } while (cursor && pages < 100);
      expect(pages).to.equal(15);
      expect(seen).to.have.length(10_000);
      expect(new Set(seen).size).to.equal(10_000);
      const { rows } = await t.hub.db.query<{ id: string }>("SELECT id FROM messages WHERE partner = 'acme' ORDER BY received_at DESC, id DESC");
      expect(seen).to.deep.equal(rows.map((r) => r.id));
      const old = await call(t.url, 'GET', '/v1/ops/messages?before=1700000000000', { key: t.keys.ops });
      expect(old.status).to.equal(400);
      expect(old.body.detail).to.contain('before');
    });
  });

  describe('losing all of Redis while documents are in flight', () => {
    let redis: PrivateRedis;
    let t: TestHub;
    before(async () => {
      redis = await PrivateRedis.start();
      t = await startTestHub({ redisUrl: redis.url, sweepIntervalMs: 300, configure: (c) => (c.pipeline = { ...c.pipeline, sweepAfterSeconds: 1 }) });
    });
    after(async () => {
      await t?.close();
      await redis?.stop();
    });

    it('delivers every accepted document once after a FLUSHALL and after a new, empty Redis', async () => {
      const template = fixture('ubl-order', 'ubl-order-2.1-example.xml').bytes.toString('utf8');
      const body = (n: number) => template.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>WIPE-${n}</cbc:ID>`);
      const accepted = new Set<string>();
      let unavailable = 0;
      // As a partner does: a 503 is sent again after a moment; a document the hub did store answers 200 then.
      const postOne = async (n: number) => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: body(n) });
          if (r.status === 202 || r.status === 200) return void accepted.add(r.body.id);
          if (r.status !== 503) expect.fail(`post ${n}: ${r.status} ${JSON.stringify(r.body)}`);
          unavailable++;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect.fail(`post ${n}: still 503 after 50 tries`);
      };
      const postBatch = (from: number, count: number) => Promise.all(Array.from({ length: count }, (_, i) => postOne(from + i)));
      await postBatch(0, 60);
      await redis.flushAll(); // jobs waiting, active and done: all gone
      await postBatch(60, 60);
      await redis.stop('SIGKILL');
      await redis.restart(); // a new, empty Redis on the same address
      await postBatch(120, 60);
      expect(accepted.size, `${unavailable} answers were 503`).to.equal(180);
      await waitFor(
        async () => {
          const { rows } = await t.hub.db.query<{ n: number }>("SELECT count(*) AS n FROM messages WHERE status = 'delivered'");
          return rows[0]!.n === 180 ? true : undefined;
        },
        'all 180 accepted documents to be delivered',
        90_000,
      ).catch(async (error) => {
        const { rows } = await t.hub.db.query("SELECT status, transformed_at IS NOT NULL AS transformed, count(*) AS n FROM messages GROUP BY 1, 2");
        const pending = await t.hub.db.query("SELECT status, count(*) AS n FROM deliveries GROUP BY 1");
        const errors = await t.hub.db.query("SELECT error, count(*) AS n FROM messages WHERE status = 'failed' GROUP BY 1");
        console.log('failed with', JSON.stringify(errors.rows));
        const requeues = await t.hub.db.query("SELECT detail, count(*) AS n FROM message_history WHERE step = 'requeued' GROUP BY 1");
        console.log('requeued', JSON.stringify(requeues.rows));
        const one = await t.hub.db.query("SELECT id FROM messages WHERE status <> 'delivered' LIMIT 1");
        if (one.rows[0]) console.log('stuck', one.rows[0].id, JSON.stringify((await t.hub.store.history(one.rows[0].id)).map((h) => [h.at.slice(11, 23), h.step, h.detail?.slice(0, 60)])));
        throw new Error(`${(error as Error).message}; messages ${JSON.stringify(rows)}, deliveries ${JSON.stringify(pending.rows)}, queues ${JSON.stringify(await t.hub.queues.counts())}`);
      });
      // Once: one outbox row per routed module, one delivered record and one "delivered" step per adapter.
      const outbox = await t.hub.db.query<{ document_id: string; n: number }>('SELECT document_id, count(*) AS n FROM outbox GROUP BY document_id');
      expect(outbox.rows).to.have.length(180);
      expect(outbox.rows.every((r) => r.n === 2)).to.equal(true); // sales and inventory
      const steps = await t.hub.db.query<{ n: number }>("SELECT count(*) AS n FROM message_history WHERE step = 'delivered' GROUP BY message_id, adapter HAVING count(*) <> 1");
      expect(steps.rows).to.deep.equal([]);
      const deliveries = await t.hub.db.query<{ n: number }>("SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'");
      expect(deliveries.rows[0]!.n).to.equal(360); // outbox and archive
    });
  });
});
