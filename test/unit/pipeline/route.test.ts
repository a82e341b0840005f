import { expect } from 'chai';
import type { AdapterRegistry } from '../../../src/adapters/registry.js';
import type { CanonicalDocument } from '../../../src/canonical/types.js';
import type { ErpModule, HubConfig } from '../../../src/config/types.js';
import { HubError } from '../../../src/errors/hub-error.js';
import { Router } from '../../../src/pipeline/route.js';

/** A registry stand-in with two adapters: outbox (all modules) and erp (finance only). */
const adapters = {
  forModules(modules: readonly ErpModule[]) {
    const out = new Map<string, ErpModule[]>();
    const served: Record<string, ErpModule[]> = { outbox: ['sales', 'procurement', 'inventory'], erp: ['finance'] };
    for (const [name, mods] of Object.entries(served)) {
      const hit = modules.filter((m) => mods.includes(m));
      if (hit.length) out.set(name, hit);
    }
    return out;
  },
} as unknown as AdapterRegistry;

function config(routes: HubConfig['routes']): HubConfig {
  return { routes } as HubConfig;
}

const invoice = (extra: Record<string, unknown> = {}) => ({ type: 'Invoice', documentNumber: 'I-1', totals: { payableAmount: 10 }, lines: [], ...extra }) as unknown as CanonicalDocument;

describe('pipeline/route', () => {
  const router = new Router(
    config([
      { documentType: 'Invoice', modules: ['finance'] },
      { documentType: 'Invoice', when: '$exists(orderReference)', modules: ['procurement'] },
      { documentType: 'Order', modules: ['sales', 'inventory'] },
    ]),
    adapters,
  );

  it('groups the routed modules by the adapter that serves them', async () => {
    expect(await router.resolve(invoice())).to.deep.equal({ erp: ['finance'] });
    expect(await router.resolve(invoice({ orderReference: 'PO-1' }))).to.deep.equal({ erp: ['finance'], outbox: ['procurement'] });
    expect(await router.resolve({ type: 'Order', documentNumber: 'O', lines: [] } as unknown as CanonicalDocument)).to.deep.equal({ outbox: ['sales', 'inventory'] });
  });

  it('fails with HUB_ERR_NO_ROUTE when nothing takes a document', async () => {
    try {
      await router.resolve({ type: 'ShipNotice', documentNumber: 'S-1', lines: [] } as unknown as CanonicalDocument);
      expect.fail('should throw');
    } catch (error) {
      expect((error as HubError).code).to.equal('HUB_ERR_NO_ROUTE');
      expect((error as HubError).message).to.contain('ShipNotice S-1');
    }
  });

  it('refuses at start a condition that does not compile, and a module no adapter serves', () => {
    expect(() => new Router(config([{ documentType: 'Invoice', when: '$exists(', modules: ['finance'] }]), adapters)).to.throw(HubError, 'routes[0].when');
    const noFinance = { forModules: () => new Map() } as unknown as AdapterRegistry;
    expect(() => new Router(config([{ documentType: 'Invoice', modules: ['finance'] }]), noFinance)).to.throw(HubError, 'no enabled adapter serves module(s) finance');
  });
});
