import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { call, startTestHub, waitForStatus, type TestHub } from '../helpers/test-hub.js';
import { expectedOf, FIXTURES, goldenFixtures, SENDER, roundsWithoutDuplicates, sourceFacts, type Fixture } from '../helpers/fixtures.js';

const MODULE_FOR: Record<string, string> = { Order: 'sales', Invoice: 'finance', ShipNotice: 'inventory', CreditNote: 'finance', OrderChange: 'sales', OrderCancellation: 'sales' };

async function postAndCheckRound(t: TestHub, round: Fixture[]): Promise<void> {
  const accepted: { id: string; fixture: Fixture; documentType: string }[] = [];
  for (const fixture of round) {
    const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners[fixture.partner], body: fixture.bytes });
    expect(r.status, `${fixture.name}: ${JSON.stringify(r.body)}`).to.equal(202);
    expect(r.body.status).to.equal('accepted');
    expect(r.body.id).to.match(/^[0-9a-f-]{36}$/);
    expect(r.body.links.self).to.equal(`/v1/documents/${r.body.id}`);
    accepted.push({ id: r.body.id, fixture, documentType: r.body.documentType });
  }
  for (const a of accepted) {
    const view = await waitForStatus(t, a.id);
    expect(view.status, `${a.fixture.name}: ${JSON.stringify(view.history)}`).to.equal('delivered');
  }
  // Pull every module the documents were routed to; index by hub message id and module.
  const pulled = new Map<string, any[]>();
  for (const module of ['sales', 'inventory', 'finance', 'procurement']) {
    const r = await call(t.url, 'GET', `/v1/erp/messages?module=${module}&limit=500`, { key: t.keys.erp });
    expect(r.status).to.equal(200);
    for (const m of r.body.messages) pulled.set(`${m.documentId}/${m.module}`, [...(pulled.get(`${m.documentId}/${m.module}`) ?? []), m]);
  }
  for (const a of accepted) {
    const module = MODULE_FOR[a.documentType]!;
    const messages = pulled.get(`${a.id}/${module}`) ?? [];
    expect(messages, `${a.fixture.name} in ${module}`).to.have.length(1);
    const canonical = messages[0].canonical;
    const facts = sourceFacts(a.fixture);
    expect(canonical.type).to.equal(a.documentType);
    expect(canonical.lines, a.fixture.name).to.have.length(facts.lines);
    if (Number.isNaN(facts.total)) expect(canonical.totals, `${a.fixture.name} has no totals`).to.equal(undefined);
    else {
      const total = a.documentType === 'ShipNotice' ? canonical.totals.totalQuantity : canonical.totals.payableAmount;
      expect(total, `${a.fixture.name} total`).to.be.closeTo(facts.total, 1e-9);
    }
    expect(canonical.lines.every((l: any) => typeof l.sku === 'string' && l.sku.length > 0)).to.equal(true);
    expect(canonical).to.deep.equal(expectedOf(a.fixture));
  }
}

describe('intake to outbox with every real fixture (real Redis, real HTTP)', function () {
  this.timeout(120_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => t?.close());

  const fixtures = goldenFixtures();

  it('has real fixtures of every format to test', () => {
    const formats = new Set(fixtures.map((f) => f.format));
    expect([...formats].sort()).to.deep.equal(Object.keys(SENDER).sort());
    expect(fixtures.length).to.be.greaterThan(15);
  });

  it('accepts each one, delivers it, and the outbox holds it with the source line count and totals', async () => {
    // Fixtures that share a partner, type and number would be duplicates of each other: each round goes to a fresh hub.
    const rounds = roundsWithoutDuplicates(fixtures);
    expect(rounds.flat()).to.have.length(fixtures.length);
    for (const round of rounds) {
      const hub = round === rounds[0] ? t : await startTestHub();
      try {
        await postAndCheckRound(hub, round);
      } finally {
        if (hub !== t) await hub.close();
      }
    }
  });

  it('routes an Order to sales and inventory, a ShipNotice to inventory and procurement', async () => {
    const order = fixtures.find((f) => f.format === 'ubl-order')!;
    const r = await call(t.url, 'GET', `/v1/documents/${(await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order.bytes })).body.id}`, { key: t.keys.partners.acme });
    expect(r.status).to.equal(200);
    const view = await waitForStatus(t, r.body.id);
    const routed = view.history.find((h: any) => h.step === 'routed');
    expect(routed.detail).to.contain('outbox (sales, inventory)');
  });

  it('refuses the OASIS trivial invoice (valid XSD) because it names no supplier id to bind to the sender', async () => {
    const trivial = readFileSync(path.join(FIXTURES, 'ubl-invoice', 'ubl-invoice-2.1-example-trivial.xml'));
    const posted = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: trivial });
    expect(posted.status).to.equal(403);
    expect(posted.body.code).to.equal('HUB_ERR_SENDER_MISMATCH');
    expect(posted.body.detail).to.contain('names no seller identifier');
  });

  it('rejects the Greek PEPPOL invoices that fail the XSD, with line numbers', async () => {
    const expectations: Record<string, number> = { 'peppol-billing-gr-base-example-correct.xml': 85, 'peppol-billing-gr-base-example-tax-representative.xml': 75 };
    for (const [name, line] of Object.entries(expectations)) {
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: readFileSync(path.join(FIXTURES, 'invalid', name)) });
      expect(r.status, name).to.equal(422);
      expect(r.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(r.body.code).to.equal('HUB_ERR_XSD_INVALID');
      expect(r.body.errors[0].line).to.equal(line);
      expect(r.body.errors[0].message).to.contain("'cac:AdditionalDocumentReference': This element is not expected");
    }
  });
});
