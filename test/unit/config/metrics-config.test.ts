import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { statementOperation } from '../../../src/db/database.js';
import type { HubError } from '../../../src/errors/hub-error.js';
import { isScrapeToken } from '../../../src/http/routes/metrics.js';
import { demoConfig } from '../../helpers/test-hub.js';

const TOKEN = 'a'.repeat(40);

function load(metrics: unknown, env: NodeJS.ProcessEnv = {}, server?: unknown) {
  const raw = demoConfig();
  raw.metrics = metrics;
  if (server) raw.server = server;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hub-config-')), 'hub.yaml');
  writeFileSync(file, stringify(raw));
  return loadConfig({ file, env });
}

function refusal(metrics: unknown, env: NodeJS.ProcessEnv = {}, server?: unknown): HubError {
  try {
    load(metrics, env, server);
  } catch (error) {
    return error as HubError;
  }
  throw new Error('expected the config to be refused');
}

describe('metrics config and helpers', () => {
  it('reads the scrape token from the variable metrics.scrapeTokenEnv names (or its _FILE)', () => {
    expect(load({ scrapeTokenEnv: 'SCRAPE' }, { SCRAPE: TOKEN }).metrics.scrapeToken).to.equal(TOKEN);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hub-token-')), 'token');
    writeFileSync(file, `${TOKEN}\n`);
    expect(load({ scrapeTokenEnv: 'SCRAPE' }, { SCRAPE_FILE: file }).metrics.scrapeToken).to.equal(TOKEN);
    const none = load(undefined);
    expect(none.metrics.scrapeToken).to.equal(undefined);
    expect(none.metrics.port).to.equal(undefined);
    expect(none.metrics.host).to.equal('127.0.0.1');
  });

  it('refuses a missing or short token, a worker listener without one, and plain HTTP off loopback', () => {
    expect(refusal({ scrapeTokenEnv: 'SCRAPE' }).code).to.equal('HUB_ERR_CONFIG');
    expect(refusal({ scrapeTokenEnv: 'SCRAPE' }, { SCRAPE: 'short' }).message).to.contain('at least 32 characters');
    expect(refusal({ port: 9100 }).message).to.contain('set metrics.scrapeTokenEnv');
    expect(refusal({ port: 9100, host: '0.0.0.0', scrapeTokenEnv: 'SCRAPE' }, { SCRAPE: TOKEN }).message).to.contain('plain HTTP off loopback');
    expect(load({ port: 9100, host: '0.0.0.0', scrapeTokenEnv: 'SCRAPE' }, { SCRAPE: TOKEN }, { allowPlainHttp: true }).metrics.port).to.equal(9100);
    expect(refusal({ scrapeTokenEnv: 'lower-case' }).message).to.contain('/metrics/scrapeTokenEnv');
    expect(refusal({ tokens: [] }).message).to.contain('tokens');
  });

  it('compares the scrape token exactly', () => {
    expect(isScrapeToken(TOKEN, TOKEN)).to.equal(true);
    expect(isScrapeToken(`${TOKEN}x`, TOKEN)).to.equal(false);
    expect(isScrapeToken(TOKEN.slice(1), TOKEN)).to.equal(false);
    expect(isScrapeToken(TOKEN, undefined)).to.equal(false);
  });

  it('names a statement by its verb, from a small set', () => {
    expect(['  SELECT 1', 'insert into x', 'UPDATE m SET', 'delete from x', 'WITH a AS (…) UPDATE', 'BEGIN', ''].map(statementOperation)).to.deep.equal([
      'select',
      'insert',
      'update',
      'delete',
      'other',
      'other',
      'other',
    ]);
  });
});
