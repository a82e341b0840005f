import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { readSecretEnv } from '../config/load.js';
import type { AdapterConfig, ErpModule, HubConfig } from '../config/types.js';
import type { Database } from '../db/database.js';
import { HubError } from '../errors/hub-error.js';
import type { Adapter, AdapterDefinition, PullSource } from './contract.js';

/** A configured, running adapter. */
export interface AdapterInstance {
  readonly config: AdapterConfig;
  readonly adapter: Adapter;
}

async function loadDefinition(adaptersDir: string, type: string): Promise<AdapterDefinition> {
  const file = path.join(adaptersDir, type, 'index.js');
  if (!existsSync(file)) throw new HubError('HUB_ERR_CONFIG', `adapter type "${type}": no ${path.join('adapters', type, 'index')} found`);
  const mod = (await import(pathToFileURL(file).href)) as { default?: AdapterDefinition };
  const def = mod.default;
  if (!def || typeof def.create !== 'function' || def.name !== type) {
    throw new HubError('HUB_ERR_CONFIG', `adapters/${type}/index must export default an adapter definition named "${type}"`);
  }
  return def;
}

/**
 * Loads every enabled adapter in the config from its folder under adapters/, checks its options against the
 * adapter's own schema (unknown keys are errors) and creates it. Nothing in the core names a concrete adapter.
 */
export class AdapterRegistry {
  private constructor(private readonly instances: Map<string, AdapterInstance>) {}

  static async create(config: HubConfig, deps: { redis: Redis; db: Database; logger: Logger }): Promise<AdapterRegistry> {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    const instances = new Map<string, AdapterInstance>();
    try {
      for (const adapterConfig of config.adapters) {
        if (!adapterConfig.enabled) continue;
        const def = await loadDefinition(config.paths.adapters, adapterConfig.type);
        const unsupported = adapterConfig.modules.filter((m) => !def.modules.includes(m));
        if (unsupported.length) {
          throw new HubError('HUB_ERR_CONFIG', `adapters.${adapterConfig.name}: type ${def.name} does not serve module(s) ${unsupported.join(', ')}`);
        }
        const options = structuredClone(adapterConfig.options) as Record<string, unknown>;
        const validate = ajv.compile({ ...def.configSchema, additionalProperties: false });
        if (!validate(options)) {
          const reasons = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`);
          throw new HubError('HUB_ERR_CONFIG', `adapters.${adapterConfig.name}.options: ${reasons.join('; ')}`);
        }
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
