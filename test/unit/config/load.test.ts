import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { demoConfig } from '../../helpers/test-hub.js';

function write(config: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'hub-config-')), 'hub.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

function loadError(config: unknown, env: NodeJS.ProcessEnv = {}): HubError {
  try {
    loadConfig({ file: write(config), env });
  } catch (error) {
    return error as HubError;
  }
  throw new Error('expected the config to be refused');
}

describe('config/load', () => {
  it('loads the demo config frozen, with defaults and absolute paths', () => {
    const config = loadConfig({ env: {} });
    expect(config.server.port).to.equal(8080);
    expect(config.partners.acme!.formats[0]).to.equal('ubl-order');
    expect(config.partners.acme!.acknowledgements).to.deep.equal({ x12: '997', edifact: 'contrl', ta1: 'when-requested' });
    expect(path.isAbsolute(config.paths.mappings)).to.equal(true);
    expect(Object.isFrozen(config.partners)).to.equal(true);
  });

  it('applies PORT, HOST, REDIS_URL and HUB_KEY_PREFIX from the environment', () => {
    const config = loadConfig({ env: { PORT: '9999', HOST: '::1', REDIS_URL: 'redis://h:1/2', HUB_KEY_PREFIX: 'x' } });
    expect([config.server.port, config.server.host, config.redis.url, config.redis.keyPrefix]).to.deep.equal([9999, '::1', 'redis://h:1/2', 'x']);
  });

  it('refuses plain HTTP off loopback unless configured for a TLS-terminating proxy', () => {
    expect(loadError(demoConfig(), { HOST: '0.0.0.0' }).message).to.contain('plain HTTP on 0.0.0.0 is refused');
    const behindProxy = demoConfig();
    behindProxy.server.allowPlainHttp = true;
    expect(loadConfig({ file: write(behindProxy), env: { HOST: '0.0.0.0' } }).server.host).to.equal('0.0.0.0');
    const halfTls = demoConfig();
    expect(loadError(halfTls, { HUB_TLS_CERT_FILE: '/x.crt' }).message).to.contain('both a certificate and a key');
  });

  it('refuses an unknown key, naming the file and the path', () => {
    const raw = demoConfig();
    raw.server.prot = 1;
    const error = loadError(raw);
    expect(error.code).to.equal('HUB_ERR_CONFIG');
    expect(error.message).to.contain('hub.yaml').and.contain('/server').and.contain('prot');
  });

  it('refuses a route to a module that does not exist', () => {
    const raw = demoConfig();
    raw.routes[0].modules = ['payroll'];
    expect(loadError(raw).message).to.contain('/routes/0/modules/0');
  });

  it('refuses a bad PORT', () => {
    expect(loadError(demoConfig(), { PORT: 'eighty' }).message).to.contain('PORT');
  });
});
