/**
 * The ERP watch (src/pipeline/erp-watch.ts) on a real hub (PostgreSQL, Redis, workers), with a watch that reads a list
 * instead of an ERP: every document is taken once, the cursor is stored only after its page is, a failure to store
 * leaves the cursor where it was (the page is polled again, nothing is skipped), a document the hub refuses is
 * recorded once and passed over, and two watchers (two worker processes) never poll the same adapter at once.
 */
import { expect } from 'chai';
import type { OutboundWatch, WatchedDocument, WatchPage } from '../../src/adapters/contract.js';
import { HubError } from '../../src/errors/hub-error.js';
import { ErpWatcher, pollOnce, readCursor, type ErpWatchDeps } from '../../src/pipeline/erp-watch.js';
import type { OutboundStore } from '../../src/store/outbound-store.js';
import { XsdCache } from '../../src/xml/xsd-cache.js';
import { startTestHub, waitFor, waitForStatus, type TestHub } from '../helpers/test-hub.js';

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

/** Our purchase order to globex's vendor VEND-GLOBEX (or to another vendor), as a watching adapter makes it. */
function purchase(number: string, vendor = 'VEND-GLOBEX'): WatchedDocument {
  return {
    sourceId: `purchase,${number}`,
    document: {
      type: 'Order',
      documentNumber: number,
      issueDate: '2026-12-02',
      currency: 'EUR',
      buyer: { internalId: 'SELF', partyIds: [] },
      seller: { internalId: vendor, partyIds: [] },
      lines: [{ lineNumber: '1', sku: 'SKU-10013', description: 'beeswax', quantity: 40, unitCode: 'KGM', price: 1.25 }],
      totals: { lineTotal: 50, payableAmount: 50 },
    },
  };
}

/** A watch over a list: the cursor is the index of the next document; pages of `pageSize`. */
class ListWatch implements OutboundWatch {
  intervalSeconds = 1;
  readonly polls: Array<string | undefined> = [];
  active = 0;
  mostAtOnce = 0;
  constructor(
    readonly documents: WatchedDocument[],
    private readonly pageSize = 2,
    private readonly delayMs = 0,
  ) {}

  async poll(cursor: string | undefined): Promise<WatchPage> {
    this.polls.push(cursor);
    this.active++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.active);
    try {
      if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const from = Number(cursor ?? 0);
      const to = Math.min(from + this.pageSize, this.documents.length);
      return { documents: this.documents.slice(from, to), cursor: String(to), more: to < this.documents.length };
    } finally {
      this.active--;
    }
  }
}

describe('ERP watch: documents taken once, the cursor kept only after them, refusals recorded', function () {
  this.timeout(60_000);
  let t: TestHub;
  let deps: ErpWatchDeps;
  const xsd = new XsdCache();
  const signal = new AbortController().signal;

  before(async () => {
    t = await startTestHub();
    const { config, outbound, outboundMappings, queues, logger, db, store, audit } = t.hub;
    deps = { db, store, audit, logger, outbound: { config, outbound, mappings: outboundMappings, queues, xsd, logger } };
  });
  after(async () => {
    await t?.close();
    xsd.dispose();
  });

  const messagesOf = async (adapter: string) =>
    (await t.hub.db.query<{ source_id: string; message_id: string }>('SELECT source_id, message_id FROM outbound_documents WHERE source = $1 ORDER BY source_id', [adapter])).rows;

  it('takes every document once and stores the cursor after its page; a poll repeated from an older cursor adds nothing', async () => {
    const adapter = `watch-${unique()}`.toLowerCase();
    const watch = new ListWatch([purchase(`PO-${unique()}`), purchase(`PO-${unique()}`), purchase(`PO-${unique()}`)]);
    const first = await pollOnce(adapter, watch, deps, signal);
    expect(first).to.include({ pages: 2, accepted: 3, duplicates: 0, refused: 0 });
    // Each poll is handed the cursor the previous page stored.
    expect(watch.polls).to.deep.equal([undefined, '2']);
    expect(await readCursor(t.hub.db, adapter)).to.equal('3');
    const taken = await messagesOf(adapter);
    expect(taken.map((r) => r.source_id)).to.deep.equal(watch.documents.map((d) => d.sourceId).sort());
    for (const { message_id } of taken) expect((await waitForStatus(t, message_id)).status).to.equal('delivered');

    // A crash after the documents were stored but before the cursor was: the same pages again.
    await t.hub.db.query("UPDATE erp_watch_cursors SET cursor = '0' WHERE adapter = $1", [adapter]);
    const again = await pollOnce(adapter, watch, deps, signal);
    expect(again).to.include({ accepted: 0, duplicates: 3, refused: 0 });
    expect(await messagesOf(adapter)).to.deep.equal(taken);
    const mailbox = await t.hub.db.query<{ n: number }>("SELECT count(*)::int AS n FROM partner_mailbox WHERE partner = 'globex' AND document_number = ANY($1)", [watch.documents.map((d) => d.document.documentNumber)]);
    expect(mailbox.rows[0]!.n).to.equal(3);
  });

  it('a failure to store a document leaves the cursor where it was: the page is polled again and nothing is skipped', async () => {
    const adapter = `watch-${unique()}`.toLowerCase();
    const watch = new ListWatch([purchase(`PO-${unique()}`), purchase(`PO-${unique()}`)]);
    // PostgreSQL goes away after the first document of the page is stored.
    let accepts = 0;
    const failing = Object.create(deps.outbound.outbound) as OutboundStore;
    failing.accept = async (doc, now) => {
      if (accepts++ >= 1) throw new HubError('HUB_ERR_STORE_UNAVAILABLE', 'connection terminated');
      return deps.outbound.outbound.accept(doc, now);
    };
    const broken = { ...deps, outbound: { ...deps.outbound, outbound: failing } };
    let error: unknown;
    await pollOnce(adapter, watch, broken, signal).catch((e: unknown) => (error = e));
    expect((error as HubError | undefined)?.code).to.equal('HUB_ERR_STORE_UNAVAILABLE');
    expect(await readCursor(t.hub.db, adapter)).to.equal(undefined);
    expect(await messagesOf(adapter)).to.have.length(1);

    const next = await pollOnce(adapter, watch, deps, signal);
    expect(next).to.include({ accepted: 1, duplicates: 1 });
    expect((await messagesOf(adapter)).map((r) => r.source_id)).to.deep.equal(watch.documents.map((d) => d.sourceId).sort());
    expect(await readCursor(t.hub.db, adapter)).to.equal('2');
  });

  it('a document the hub refuses is recorded once with the reason and audited; the poll goes on past it', async () => {
    const adapter = `watch-${unique()}`.toLowerCase();
    const nobody = purchase(`PO-${unique()}`, 'VEND-NOBODY');
    const watch = new ListWatch([nobody, purchase(`PO-${unique()}`)]);
    const result = await pollOnce(adapter, watch, deps, signal);
    expect(result).to.include({ accepted: 1, refused: 1 });
    expect(await readCursor(t.hub.db, adapter)).to.equal('2');
    const refusal = await t.hub.db.query('SELECT code, detail, document_type, document_number, times FROM erp_watch_refusals WHERE adapter = $1', [adapter]);
    expect(refusal.rows).to.have.length(1);
    expect(refusal.rows[0]).to.include({ code: 'HUB_ERR_OUTBOUND_PARTNER', document_type: 'Order', document_number: nobody.document.documentNumber, times: 1 });
    expect(refusal.rows[0].detail).to.include('VEND-NOBODY');
    const audited = async () => (await t.hub.audit.query({ event: 'document.rejected', actor: `adapter:${adapter}`, limit: 10 })).length;
    expect(await audited()).to.equal(1);

    // The same record seen again (the ERP wrote it): counted, not audited again, and still no message.
    await t.hub.db.query("UPDATE erp_watch_cursors SET cursor = '0' WHERE adapter = $1", [adapter]);
    await pollOnce(adapter, watch, deps, signal);
    expect((await t.hub.db.query('SELECT times FROM erp_watch_refusals WHERE adapter = $1', [adapter])).rows[0].times).to.equal(2);
    expect(await audited()).to.equal(1);
    expect((await messagesOf(adapter)).map((r) => r.source_id)).to.deep.equal([watch.documents[1]!.sourceId]);
  });

  it('two watchers (two worker processes) never poll the same adapter at once, and take each document once', async () => {
    const adapter = `watch-${unique()}`.toLowerCase();
    const documents = Array.from({ length: 6 }, () => purchase(`PO-${unique()}`));
    // One ERP read by two processes' watches: the most polls in progress at once, across both.
    const shared = { active: 0, most: 0, polls: 0 };
    const watch = (): OutboundWatch => {
      const inner = new ListWatch(documents, 2, 100);
      return {
        intervalSeconds: 0.02,
        async poll(cursor) {
          shared.active++;
          shared.polls++;
          shared.most = Math.max(shared.most, shared.active);
          try {
            return await inner.poll(cursor);
          } finally {
            shared.active--;
          }
        },
      };
    };
    const watchers = [new ErpWatcher([{ adapter, watch: watch() }], deps), new ErpWatcher([{ adapter, watch: watch() }], deps)];
    watchers.forEach((w) => w.start());
    try {
      await waitFor(async () => ((await readCursor(t.hub.db, adapter)) === '6' ? true : undefined), 'the watchers to take all six', 30_000);
      // Both keep trying rounds on the finished list for a while.
      const after = shared.polls;
      await waitFor(async () => (shared.polls >= after + 6 ? true : undefined), 'more rounds', 30_000);
    } finally {
      await Promise.all(watchers.map((w) => w.close()));
    }
    expect(shared.most).to.equal(1);
    expect(await messagesOf(adapter)).to.have.length(6);
  });
});
