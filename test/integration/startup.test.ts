import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { resolveRedisUrl } from '../../src/redis/connect.js';
import { spawn, spawnSync } from 'node:child_process';
import { findPostgresBinaries } from '../../src/db/embedded.js';
import { freePort } from '../helpers/private-redis.js';
import { call, ROOT, startTestHub } from '../helpers/test-hub.js';

describe('start-up', function () {
  this.timeout(30_000);

  it('starts a private redis-server with append-only persistence when nothing answers on the default port', async function () {
    const varDir = mkdtempSync(path.join(tmpdir(), 'hub-redis-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const url = await resolveRedisUrl(undefined, varDir, pino({ level: 'silent' }), { url: 'redis://127.0.0.1:1', privatePort: port });
    expect(url).to.equal(`redis://127.0.0.1:${port}`);
    const redis = new Redis(url, { retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      expect(await redis.config('GET', 'appendonly')).to.deep.equal(['appendonly', 'yes']);
      expect(await redis.config('GET', 'dir')).to.deep.equal(['dir', path.join(varDir, 'redis')]);
      // Asked again, it finds the running one instead of starting a second.
      expect(await resolveRedisUrl(undefined, varDir, pino({ level: 'silent' }), { url: 'redis://127.0.0.1:1', privatePort: port })).to.equal(url);
      await redis.shutdown('NOSAVE').catch(() => {});
    } finally {
      redis.disconnect();
      rmSync(varDir, { recursive: true, force: true });
    }
  });

  it('creates keys for the demo partners, the ERP and ops on the first start, stores only hashes, keeps them on the next', async () => {
    const t = await startTestHub();
    try {
      const file = path.join(t.varDir, 'credentials.json');
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const keys = JSON.parse(readFileSync(file, 'utf8'));
      expect(Object.keys(keys.partners).sort()).to.deep.equal(Object.keys(t.hub.config.partners).sort());
      expect(Object.keys(keys.partners)).to.include.members(['acme', 'globex', 'initech', 'x12-customer']);
      expect(keys.erp).to.match(/^hub_erp_/);
      expect(keys.ops).to.match(/^hub_ops_/);
      const hashes = readFileSync(path.join(t.varDir, 'credential-hashes.json'), 'utf8');
      for (const key of [keys.erp, keys.ops, ...Object.values(keys.partners)]) expect(hashes).not.to.contain(key as string);
      expect((await call(t.url, 'GET', '/v1/ops/queues', { key: keys.ops })).status).to.equal(200);
      await t.hub.close();
      // A second start on the same var/ keeps the same keys and writes nothing new.
      const { CredentialStore } = await import('../../src/auth/credentials.js');
      const again = CredentialStore.ensure(t.hub.config);
      expect(again.created).to.deep.equal([]);
      expect(again.store.verify(keys.partners.acme)?.principal).to.deep.equal({ role: 'partner', id: 'acme' });
      expect(again.store.verify(keys.partners.acme + 'x')).to.equal(undefined);
      expect(JSON.parse(readFileSync(file, 'utf8'))).to.deep.equal(keys);
    } finally {
      await t.close().catch(() => {});
      expect(existsSync(t.varDir)).to.equal(false);
    }
  });

  it('with no DATABASE_URL, `hub start` creates a private PostgreSQL under var/pg (socket only), serves from it, and reuses it', async function () {
    this.timeout(120_000);
    const bin = findPostgresBinaries();
    if (!bin) this.skip();
    const varDir = mkdtempSync(path.join(tmpdir(), 'hub-pg-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HUB_VAR_DIR: varDir, PORT: String(await freePort()), LOG_LEVEL: 'info', HUB_KEY_PREFIX: `tpg${Date.now().toString(36)}` };
    delete env.DATABASE_URL;
    const start = async () => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/hub.js'), 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout!.on('data', (d) => (log += d));
      child.stderr!.on('data', (d) => (log += d));
      for (let i = 0; i < 600 && !log.includes('hub listening'); i++) {
        if (child.exitCode !== null) throw new Error(`hub start exited: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const stop = () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM'))));
      return { log: () => log, stop };
    };
    const dataDir = () => (existsSync(path.join(varDir, 'pg/data/PG_VERSION')) ? path.join(varDir, 'pg/data') : undefined);
    try {
      const first = await start();
      try {
        expect(first.log()).to.contain('created a private PostgreSQL cluster');
        expect(dataDir(), 'var/pg/data').to.be.a('string');
        const conf = readFileSync(path.join(dataDir()!, 'postgresql.auto.conf'), 'utf8');
        expect(conf).to.contain("listen_addresses = ''").and.to.contain('synchronous_commit = on');
        const keys = JSON.parse(readFileSync(path.join(varDir, 'credentials.json'), 'utf8'));
        const base = `http://127.0.0.1:${env.PORT}`;
        const posted = await call(base, 'POST', '/v1/documents', { key: keys.partners.acme, body: readFileSync(path.join(ROOT, 'fixtures/ubl-order/ubl-order-2.1-example.xml')) });
        expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
        const ready = await call(base, 'GET', '/readyz', { key: keys.ops });
        expect(ready.body.checks.postgres).to.equal('ok');
      } finally {
        await first.stop();
      }
      // The second start finds the running server and the document still there.
      const second = await start();
      try {
        expect(second.log()).not.to.contain('created a private PostgreSQL cluster');
        const keys = JSON.parse(readFileSync(path.join(varDir, 'credentials.json'), 'utf8'));
        const found = await call(`http://127.0.0.1:${env.PORT}`, 'GET', '/v1/ops/messages?q=34', { key: keys.ops });
        expect(found.body.count).to.equal(1);
      } finally {
        await second.stop();
      }
    } finally {
      const data = dataDir();
      if (data) {
        const asRoot = process.getuid?.() === 0;
        const pgCtl = path.join(bin!, 'pg_ctl');
        spawnSync(asRoot ? 'runuser' : pgCtl, asRoot ? ['-u', 'postgres', '--', pgCtl, '-D', data, '-m', 'fast', 'stop'] : ['-D', data, '-m', 'fast', 'stop'], { encoding: 'utf8' });
      }
      rmSync(varDir, { recursive: true, force: true });
    }
  });
});
