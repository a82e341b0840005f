import jsonata from 'jsonata';
import type { AdapterRegistry } from '../adapters/registry.js';
import type { CanonicalDocument } from '../canonical/types.js';
import type { ErpModule, HubConfig, RouteConfig } from '../config/types.js';
import { HubError } from '../errors/hub-error.js';

interface CompiledRoute {
  route: RouteConfig;
  index: number;
  condition?: jsonata.Expression;
}

/** Routes from config, with their conditions compiled once at start (a bad condition stops the start). */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(
    config: HubConfig,
    private readonly adapters: AdapterRegistry,
  ) {
    this.routes = config.routes.map((route, index) => {
      if (!route.when) return { route, index };
      try {
        return { route, index, condition: jsonata(route.when) };
      } catch (error) {
        throw new HubError('HUB_ERR_CONFIG', `routes[${index}].when: invalid JSONata "${route.when}": ${(error as { message?: string }).message}`);
      }
    });
    for (const { route, index } of this.routes) {
      const served = adapters.forModules(route.modules);
      const unserved = route.modules.filter((m) => ![...served.values()].some((mods) => mods.includes(m)));
      if (unserved.length) throw new HubError('HUB_ERR_CONFIG', `routes[${index}] (${route.documentType}): no enabled adapter serves module(s) ${unserved.join(', ')}`);
    }
  }

  /** The modules a canonical document goes to. */
  async modulesFor(doc: CanonicalDocument): Promise<ErpModule[]> {
    const modules = new Set<ErpModule>();
    for (const { route, index, condition } of this.routes) {
      if (route.documentType !== doc.type) continue;
      if (condition) {
        let result: unknown;
        try {
          result = await condition.evaluate(doc);
        } catch (error) {
          throw new HubError('HUB_ERR_CONFIG', `routes[${index}].when failed on ${doc.type} ${doc.documentNumber}: ${(error as { message?: string }).message}`);
        }
        if (!result) continue;
      }
      for (const m of route.modules) modules.add(m);
    }
    return [...modules];
  }

  /** adapter name -> the modules it receives this document for. Empty: nothing routes it (an error). */
  async resolve(doc: CanonicalDocument): Promise<Record<string, ErpModule[]>> {
    const modules = await this.modulesFor(doc);
    const targets = Object.fromEntries(this.adapters.forModules(modules));
    if (Object.keys(targets).length === 0) {
      throw new HubError('HUB_ERR_NO_ROUTE', `No route takes ${doc.type} ${doc.documentNumber}; add a route for ${doc.type} in config/hub.yaml.`);
    }
    return targets;
  }
}
