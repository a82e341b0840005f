/**
 * The adapter kit is the one public surface of the package: it resolves by name with types, nothing else of
 * the hub does, and the shipped adapters import nothing of the hub but it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import * as kit from 'b2b-hub/adapter-kit';
import { HubError as CoreHubError } from '../../../src/errors/hub-error.js';
import { projectRoot } from '../../../src/util/project-root.js';

const root = projectRoot();

describe('adapter kit: the public surface', () => {
  it('b2b-hub/adapter-kit gives the contract helpers, the error model and the modules; its types are built', async () => {
    expect(Object.keys(kit).sort()).to.deep.equal(['CANONICAL_TYPES', 'ERP_MODULES', 'ERROR_CATALOG', 'HubError', 'ORDER_RESPONSE_STATUSES', 'errorSummary', 'isHubErrorLike', 'isRetryable', 'rejected', 'throwIfAborted', 'unavailable']);
    // The same module instance as the core's: an adapter's HubError is the hub's own class here.
    expect(kit.HubError).to.equal(CoreHubError);
    const down = kit.unavailable('erp down', { retryAfterMs: 5000, details: { status: 503 } });
    expect([down.code, down.retryable, down.details]).to.deep.equal(['HUB_ERR_ADAPTER_UNAVAILABLE', true, { status: 503, retryAfterMs: 5000 }]);
    const refused = kit.rejected('unknown customer', { details: { status: 422 } });
    expect([refused.code, refused.retryable, refused.details]).to.deep.equal(['HUB_ERR_ADAPTER_REJECTED', false, { status: 422 }]);
    const controller = new AbortController();
    expect(() => kit.throwIfAborted(controller.signal, 'erp')).not.to.throw();
    controller.abort();
    expect(() => kit.throwIfAborted(controller.signal, 'erp')).to.throw(/erp: delivery aborted/).with.property('retryable', true);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    for (const entry of Object.values(pkg.exports) as ({ types: string; default: string } | string)[]) {
      if (typeof entry === 'string') continue;
      expect(existsSync(path.join(root, entry.types)), entry.types).to.equal(true);
      expect(existsSync(path.join(root, entry.default)), entry.default).to.equal(true);
    }
  });

  it('nothing else of the hub is importable by the package name', async () => {
    for (const deep of ['b2b-hub/dist/src/main.js', 'b2b-hub/src/errors/hub-error.js', 'b2b-hub']) {
      try {
        await import(deep);
        expect.fail(`${deep} resolved`);
      } catch (error: any) {
        expect(error.code, deep).to.be.oneOf(['ERR_PACKAGE_PATH_NOT_EXPORTED', 'ERR_MODULE_NOT_FOUND']);
      }
    }
  });

  it('the shipped adapters import nothing of the hub but the kit', () => {
    const offending: string[] = [];
    const adapters = path.join(root, 'adapters');
    for (const file of readdirSync(adapters, { recursive: true }) as string[]) {
      if (!file.endsWith('.ts')) continue;
      const source = readFileSync(path.join(adapters, file), 'utf8');
      for (const match of source.matchAll(/from '([^']+)'/g)) {
        const target = match[1]!;
        if (target.startsWith('.') && !target.startsWith('./')) offending.push(`${file}: ${target}`);
        if (target.startsWith('b2b-hub') && target !== 'b2b-hub/adapter-kit') offending.push(`${file}: ${target}`);
      }
    }
    expect(offending).to.deep.equal([]);
  });
});
