import { expect } from 'chai';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { signBody } from '../../src/http/middleware/security.js';
import { createHash } from 'node:crypto';
import { createLogger } from '../../src/main.js';
import { call, startTestHub, type TestHub } from '../helpers/test-hub.js';
import { goldenFixtures } from '../helpers/fixtures.js';
import { makePki, type Pki } from '../helpers/pki.js';

interface TlsCall {
  key?: string;
  body?: Buffer | string;
  client?: { cert: string; key: string };
  headers?: Record<string, string>;
}

/** An HTTPS request trusting the test CA, optionally with a client certificate. */
function httpsCall(pki: Pki, url: string, method: string, path: string, options: TlsCall = {}): Promise<{ status: number; headers: Record<string, any>; body: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/xml';
    const req = https.request(url + path, { method, headers, ca: readFileSync(pki.caCert), ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}) }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode!, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const order = () => goldenFixtures(['ubl-order']).find((f) => f.name === 'ubl-order-2.1-example.xml')!;

describe('security', function () {
  this.timeout(60_000);
  let pki: Pki;
  before(() => {
    pki = makePki(['acme-a', 'acme-b']);
  });

  describe('HTTPS with client certificates bound to a partner (a CA made in the test)', () => {
    let t: TestHub;
    before(async () => {
      t = await startTestHub({
        configure: (c) => {
          c.server.tls = { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caCert, requireClientCert: false };
          c.partners.acme.certificateFingerprints = [pki.clients['acme-a']!.fingerprint256];
        },
      });
    });
    after(async () => t?.close());

    it('serves HTTPS (and no plain HTTP on the same port), with HSTS', async () => {
      expect(t.url).to.match(/^https:/);
      const health = await httpsCall(pki, t.url, 'GET', '/healthz');
      expect(health.status).to.equal(200);
      expect(health.headers['strict-transport-security']).to.equal('max-age=31536000');
      let plainFailed = false;
      try {
        await fetch(t.url.replace('https:', 'http:') + '/healthz');
      } catch {
        plainFailed = true;
      }
      expect(plainFailed).to.equal(true);
    });

    it('accepts the bound partner only with its own certificate; others are 403 and audited', async () => {
      const withA = await httpsCall(pki, t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order().bytes, client: pki.clients['acme-a'] });
      expect(withA.status).to.equal(202);
      const withB = await httpsCall(pki, t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order().bytes, client: pki.clients['acme-b'] });
      expect(withB.status).to.equal(403);
      expect(withB.body.detail).to.contain('not one registered');
      const without = await httpsCall(pki, t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order().bytes });
      expect(without.status).to.equal(403);
      expect(without.body.detail).to.contain('mutual TLS');
      // A partner without bound certificates is not affected.
      const globex = goldenFixtures(['ubl-invoice'])[0]!;
      expect((await httpsCall(pki, t.url, 'POST', '/v1/documents', { key: t.keys.partners.globex, body: globex.bytes })).status).to.equal(202);
      const audit = await httpsCall(pki, t.url, 'GET', '/v1/ops/audit?event=certificate.mismatch', { key: t.keys.ops });
      expect(audit.body.entries).to.have.length(2);
      expect(audit.body.entries.every((e: any) => e.actor === 'partner:acme')).to.equal(true);
    });
  });

  describe('HTTPS requiring client certificates', () => {
    let t: TestHub;
    before(async () => {
      t = await startTestHub({ configure: (c) => (c.server.tls = { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caCert, requireClientCert: true }) });
    });
    after(async () => t?.close());

    it('refuses the TLS handshake without a certificate from the partner CA', async () => {
      let refused = false;
      try {
        await httpsCall(pki, t.url, 'GET', '/healthz');
      } catch {
        refused = true;
      }
      expect(refused).to.equal(true);
      expect((await httpsCall(pki, t.url, 'GET', '/healthz', { client: pki.clients['acme-b'] })).status).to.equal(200);
    });
  });

  describe('over plain HTTP on loopback', () => {
    let t: TestHub;
    let logged = '';
    before(async () => {
      const sink = new Writable({
        write(chunk, _enc, done) {
          logged += chunk.toString();
          done();
        },
      });
      t = await startTestHub({
        logger: createLogger({ level: 'debug', destination: sink }),
        configure: (c) => {
          c.partners.initech.signature = 'required';
          c.rateLimits.perPartner = { limit: 1_000_000, windowSeconds: 60 };
        },
      });
    });
    after(async () => t?.close());

    it('asks for a credential on every endpoint but /healthz', async () => {
      const endpoints: [string, string][] = [
        ['POST', '/v1/documents'],
        ['GET', '/v1/documents/01900000-0000-7000-8000-000000000000'],
        ['GET', '/v1/erp/messages?module=sales'],
        ['POST', '/v1/erp/messages/x.sales/ack'],
        ['GET', '/v1/ops/messages'],
        ['GET', '/v1/ops/messages/01900000-0000-7000-8000-000000000000'],
        ['POST', '/v1/ops/messages/01900000-0000-7000-8000-000000000000/replay'],
        ['GET', '/v1/ops/queues'],
        ['GET', '/v1/ops/audit'],
        ['POST', '/v1/ops/credentials/partner:acme/rotate'],
        ['GET', '/readyz'],
      ];
      for (const [method, url] of endpoints) {
        const r = await call(t.url, method, url);
        expect(r.status, `${method} ${url}`).to.equal(401);
        expect(r.body.code).to.equal('HUB_ERR_UNAUTHENTICATED');
      }
      expect((await call(t.url, 'GET', '/healthz')).status).to.equal(200);
    });

    it('sets the security headers on every response', async () => {
      for (const r of [await call(t.url, 'GET', '/healthz'), await call(t.url, 'GET', '/nope'), await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order().bytes })]) {
        expect(r.headers.get('x-content-type-options')).to.equal('nosniff');
        expect(r.headers.get('x-frame-options')).to.equal('DENY');
        expect(r.headers.get('content-security-policy')).to.contain("default-src 'none'");
        expect(r.headers.get('referrer-policy')).to.equal('no-referrer');
        expect(r.headers.get('cache-control')).to.equal('no-store');
        expect(r.headers.get('x-powered-by')).to.equal(null);
      }
    });

    it('refuses a document whose sender is not the partner (403), audits it and routes nothing', async () => {
      // A real order whose buyer ids are all replaced by an id that is not acme's.
      const foreign = order()
        .bytes.toString('utf8')
        .replace(/(<cac:BuyerCustomerParty>[\s\S]*?<\/cac:BuyerCustomerParty>)/, (party) => party.replace(/(<cbc:(?:EndpointID|ID|CompanyID|CustomerAssignedAccountID|SupplierAssignedAccountID)[^>]*>)[^<]*/g, '$1EVIL-CORP-1'))
        .replace('<cbc:ID>34</cbc:ID>', '<cbc:ID>FOREIGN-1</cbc:ID>');
      const r = await call(t.url, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: foreign });
      expect(r.status).to.equal(403);
      expect(r.body.code).to.equal('HUB_ERR_SENDER_MISMATCH');
      expect(r.body.detail).to.contain('EVIL-CORP-1');
      const audit = await call(t.url, 'GET', '/v1/ops/audit?event=sender.mismatch', { key: t.keys.ops });
      expect(audit.body.entries.map((e: any) => [e.actor, e.code])).to.deep.equal([['partner:acme', 'HUB_ERR_SENDER_MISMATCH']]);
      const stored = await call(t.url, 'GET', '/v1/ops/messages?documentNumber=FOREIGN-1', { key: t.keys.ops });
      expect(stored.body.count).to.equal(0);
    });

    it('checks HMAC signatures with a timestamp window and refuses a replayed signature', async () => {
      const po = goldenFixtures(['hub-po'])[0]!;
      const digest = createHash('sha256').update(t.keys.partners.initech!).digest();
      const signed = (body: Buffer, timestamp = String(Math.floor(Date.now() / 1000))) => ({ 'x-hub-timestamp': timestamp, 'x-hub-signature': `v1=${signBody(digest, timestamp, body)}` });
      const post = (headers: Record<string, string>, body = po.bytes) =>
        fetch(t.url + '/v1/documents', { method: 'POST', headers: { authorization: `Bearer ${t.keys.partners.initech}`, 'content-type': 'application/xml', ...headers }, body: new Uint8Array(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));

      const unsigned = await post({});
      expect([unsigned.status, unsigned.body.code]).to.deep.equal([401, 'HUB_ERR_SIGNATURE_INVALID']);
      const headers = signed(po.bytes);
      const good = await post(headers);
      expect(good.status).to.equal(202);
      const replayed = await post(headers);
      expect(replayed.status).to.equal(401);
      expect(replayed.body.detail).to.contain('already received');
      const stale = await post(signed(po.bytes, String(Math.floor(Date.now() / 1000) - 3600)));
      expect(stale.body.detail).to.contain('away from the hub');
      const tampered = await post(signed(po.bytes), Buffer.concat([po.bytes, Buffer.from(' ')]));
      expect(tampered.body.detail).to.contain('does not match');
      const audit = await call(t.url, 'GET', '/v1/ops/audit?event=signature.invalid&actor=partner:initech', { key: t.keys.ops });
      expect(audit.body.count).to.equal(4);
    });

    it('rotates a key with two active at once, revokes the old one, and audits both', async () => {
      const old = t.keys.partners.globex!;
      const rotated = await call(t.url, 'POST', '/v1/ops/credentials/partner:globex/rotate', { key: t.keys.ops });
      expect(rotated.status).to.equal(201);
      expect(rotated.body.activeKeys).to.equal(2);
      const fresh = rotated.body.key as string;
      const invoice = goldenFixtures(['ubl-invoice'])[1]!;
      expect((await call(t.url, 'GET', '/v1/ops/messages', { key: fresh })).status).to.equal(403); // a partner key, not ops
      expect((await call(t.url, 'POST', '/v1/documents', { key: fresh, body: invoice.bytes })).status).to.equal(202);
      expect((await call(t.url, 'GET', '/v1/documents/01900000-0000-7000-8000-000000000000', { key: old })).status).to.equal(404); // old still valid
      const revoked = await call(t.url, 'POST', '/v1/ops/credentials/partner:globex/revoke', { key: t.keys.ops });
      expect(revoked.body.revoked).to.equal(1);
      expect((await call(t.url, 'GET', '/v1/documents/01900000-0000-7000-8000-000000000000', { key: old })).status).to.equal(401);
      expect((await call(t.url, 'GET', '/v1/documents/01900000-0000-7000-8000-000000000000', { key: fresh })).status).to.equal(404);
      const audit = await call(t.url, 'GET', '/v1/ops/audit?actor=ops', { key: t.keys.ops });
      expect(audit.body.entries.map((e: any) => e.event)).to.include.members(['credential.rotated', 'credential.revoked']);
      expect(JSON.stringify(audit.body)).not.to.contain(fresh);
    });

    it('audits authentication failures and replays, queryable by ops only', async () => {
      await call(t.url, 'GET', '/v1/ops/messages', { key: 'hub_ops_guess' });
      await call(t.url, 'GET', '/v1/ops/messages', { key: 'hub_ops_guess2' });
      const audit = await call(t.url, 'GET', '/v1/ops/audit?event=auth.failed&limit=5', { key: t.keys.ops });
      expect(audit.body.entries[0]).to.include({ event: 'auth.failed', actor: 'anonymous' });
      expect(audit.body.entries[0].at).to.match(/^\d{4}-\d\d-\d\dT/);
      // Paging: the next page starts strictly after the last entry of this one.
      const first = await call(t.url, 'GET', '/v1/ops/audit?event=auth.failed&limit=1', { key: t.keys.ops });
      const second = await call(t.url, 'GET', `/v1/ops/audit?event=auth.failed&limit=1&before=${first.body.next.before}`, { key: t.keys.ops });
      expect(second.status, JSON.stringify(second.body)).to.equal(200);
      expect(Number(second.body.entries[0].id)).to.be.below(Number(first.body.entries[0].id));
      expect((await call(t.url, 'GET', '/v1/ops/audit', { key: t.keys.partners.acme })).status).to.equal(403);
    });

    it('never writes a key or a signature to the log', async () => {
      await call(t.url, 'GET', '/v1/ops/messages', { key: 'hub_ops_a-guessed-secret-key' });
      expect(logged.length).to.be.greaterThan(1000);
      expect(logged).to.contain('"msg":"request"');
      for (const secret of [t.keys.ops!, t.keys.erp!, t.keys.partners.acme!, t.keys.partners.initech!, 'hub_ops_a-guessed-secret-key']) expect(logged).not.to.contain(secret);
      expect(logged).not.to.match(/v1=[0-9a-f]{64}/);
      // The redaction itself, for code that would log headers.
      let line = '';
      const logger = createLogger({ destination: new Writable({ write: (c, _e, done) => ((line += c), done()) }) });
      logger.info({ req: { headers: { authorization: 'Bearer hub_partner_x' } }, authorization: 'Bearer y', key: 'hub_partner_z' }, 'probe');
      expect(line).to.contain('[redacted]');
      expect(line).not.to.match(/hub_partner_x|Bearer y|hub_partner_z/);
    });
  });

  describe('rate limits shared by two hub processes through Redis', () => {
    let a: TestHub;
    let b: TestHub;
    before(async () => {
      const prefix = `trl${Date.now().toString(36)}`;
      const configure = (c: any) => (c.rateLimits = { perPartner: { limit: 3, windowSeconds: 30 }, perAddress: { limit: 1000, windowSeconds: 30 } });
      a = await startTestHub({ prefix, configure });
      // The second hub shares the Redis prefix and the var/ folder (so the same keys), as a second process would.
      b = await startTestHub({ prefix, configure, workers: false, varDir: a.varDir });
    });
    after(async () => {
      await b?.hub.close();
      await a?.close();
    });

    it('answers 429 with Retry-After once the partner has used its limit across both, and audits it once', async () => {
      const key = a.keys.partners.acme!;
      expect(b.keys.partners.acme).to.equal(key);
      // Orders with three different numbers (two real PEPPOL orders share number 1: that would be a 409).
      const orders = ['peppol-order-example.xml', 'peppol-order-uc1.xml', 'peppol-order-uc3.xml', 'ubl-order-2.0-example.xml', 'peppol-order-uc6.xml'].map((n) => goldenFixtures(['ubl-order']).find((f) => f.name === n)!);
      const statuses: number[] = [];
      for (const [i, url] of [a.url, b.url, a.url, b.url, a.url].entries()) {
        const r = await call(url, 'POST', '/v1/documents', { key, body: orders[i]!.bytes });
        statuses.push(r.status);
        if (r.status === 429) {
          expect(Number(r.headers.get('retry-after'))).to.be.within(1, 30);
          expect(r.body.code).to.equal('HUB_ERR_RATE_LIMITED');
        }
      }
      expect(statuses.slice(0, 3).every((s) => s === 202 || s === 200)).to.equal(true);
      expect(statuses.slice(3)).to.deep.equal([429, 429]);
      const audit = await call(a.url, 'GET', '/v1/ops/audit?event=rate.limited', { key: a.keys.ops });
      expect(audit.body.count).to.equal(1);
    });

    it('limits by source address before authentication, so key guessing is slowed too', async () => {
      const prefix = `tra${Date.now().toString(36)}`;
      const t = await startTestHub({ prefix, configure: (c: any) => (c.rateLimits = { perPartner: { limit: 100, windowSeconds: 30 }, perAddress: { limit: 5, windowSeconds: 30 } }) });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++) statuses.push((await call(t.url, 'GET', '/v1/ops/messages', { key: `hub_ops_guess${i}` })).status);
        expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 429, 429]);
        expect((await call(t.url, 'GET', '/healthz')).status).to.equal(200);
      } finally {
        await t.close();
      }
    });
  });
});
