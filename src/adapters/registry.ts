import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { readSecretEnv } from '../config/load.js';
import type { AdapterConfig, ErpModule, HubConfig } from '../config/types.js';
import type { Database } from '../db/database.js';
import { HubError } from '../errors/hub-error.js';
import type { Adapter, PullSource } from './contract.js';
import { checkAdapterOptions, loadAdapterDefinition } from './loader.js';

/** A configured, running adapter. */
export interface AdapterInstance {
  readonly config: AdapterConfig;
  readonly adapter: Adapter;
}

/**
 * Loads every enabled adapter in the config (its folder under adapters/, or its `module:` path or npm package:
 * src/adapters/loader.ts), checks its options against the adapter's own schema (unknown keys are errors) and
 * creates it. Nothing in the core names a concrete adapter.
 */
export class AdapterRegistry {
  private constructor(private readonly instances: Map<string, AdapterInstance>) {}

  static async create(config: HubConfig, deps: { redis: Redis; db: Database; logger: Logger }): Promise<AdapterRegistry> {
    const instances = new Map<string, AdapterInstance>();
    try {
      for (const adapterConfig of config.adapters) {
        if (!adapterConfig.enabled) continue;
        const where = { name: adapterConfig.name, rootDir: config.rootDir, adaptersDir: config.paths.adapters };
        const def = await loadAdapterDefinition({ type: adapterConfig.type, module: adapterConfig.module }, where);
        const unsupported = adapterConfig.modules.filter((m) => !def.modules.includes(m));
        if (unsupported.length) {
          throw new HubError('HUB_ERR_CONFIG', `adapters.${adapterConfig.name}: type ${def.name} does not serve module(s) ${unsupported.join(', ')}`);
        }
        const options = checkAdapterOptions(def, adapterConfig.options, `adapters.${adapterConfig.name}.options`);
        const adapter = await def.create(options, {
          name: adapterConfig.name,
          logger: deps.logger.child({ adapter: adapterConfig.name }),
          db: deps.db,
          redis: deps.redis,
          keyPrefix: `${config.redis.keyPrefix}:adapter:${adapterConfig.name}`,
          rootDir: config.rootDir,
          varDir: config.paths.var,
          secret: (name) => readSecretEnv(process.env, name),
        });
        if (typeof adapter?.deliver !== 'function' || typeof adapter.close !== 'function') {
          await adapter?.close?.();
          throw new HubError('HUB_ERR_CONFIG', `adapters.${adapterConfig.name}: create() of adapter ${def.name} returned no { deliver, close } functions (docs/adapter-kit.md)`);
        }
        instances.set(adapterConfig.name, { config: adapterConfig, adapter });
      }
    } catch (error) {
      await Promise.allSettled([...instances.values()].map((i) => i.adapter.close()));
      throw error;
    }
    return new AdapterRegistry(instances);
  }

  get(name: string): AdapterInstance | undefined {
    return this.instances.get(name);
  }

  all(): AdapterInstance[] {
    return [...this.instances.values()];
  }

  /** Adapters serving any of these modules, each with the subset of modules it serves. */
  forModules(modules: readonly ErpModule[]): Map<string, ErpModule[]> {
    const out = new Map<string, ErpModule[]>();
    for (const { config } of this.instances.values()) {
      const served = modules.filter((m) => config.modules.includes(m));
      if (served.length) out.set(config.name, served);
    }
    return out;
  }

  /** The pull source serving a module (the first adapter that offers pull for it). */
  pullSource(module: ErpModule): PullSource | undefined {
    for (const { config, adapter } of this.instances.values()) {
      if (adapter.pull && config.modules.includes(module)) return adapter.pull;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.instances.values()].map((i) => i.adapter.close()));
  }
}
