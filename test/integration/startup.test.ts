import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { resolveRedisUrl } from '../../src/redis/connect.js';
import { call, startTestHub } from '../helpers/test-hub.js';

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
      expect(Object.keys(keys.partners).sort()).to.deep.equal(['acme', 'globex', 'initech']);
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
});
