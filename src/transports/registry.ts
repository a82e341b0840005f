import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import type { Logger } from 'pino';
import { readSecretEnv } from '../config/load.js';
import type { PartnerTransportConfig } from '../config/types.js';
import type { Database } from '../db/database.js';
import { HubError } from '../errors/hub-error.js';
import type { Transport, TransportDefinition, TransportMailbox } from './contract.js';
import { MailboxWriter } from './mailbox-writer.js';

/** Where transport folders live at run time (the compiled transports/ beside the compiled src/). */
export const TRANSPORTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../transports');

/** The transport types there are: folders under transports/ with a built index.js. */
export function shippedTransports(dir = TRANSPORTS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'index.js')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Checks that a loaded default export is a transport definition, saying every problem at once. `expectedName` is
 * the folder it was loaded from (the name must equal it).
 */
export function checkTransportDefinition(value: unknown, source: string, expectedName?: string): TransportDefinition {
  const fix = 'export default { name, configSchema, create(options, context) } (docs/outbound.md, "Partner transports")';
  const definition = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) problems.push(`its default export is ${value === undefined ? 'missing' : typeof value}`);
  else if (typeof definition.name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(definition.name)) {
    problems.push('name must be a lower-case id (letters, digits, - and _, at most 64)');
  } else if (expectedName !== undefined && definition.name !== expectedName) {
    problems.push(`name is ${JSON.stringify(definition.name)} but the folder is "${expectedName}": they must be equal`);
  }
  const schema = definition.configSchema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) problems.push('configSchema must be a JSON Schema object');
  if (typeof definition.create !== 'function') {
    problems.push('create must be a function (options, context) returning { send, close, health? }');
  }
  if (problems.length) throw new HubError('HUB_ERR_CONFIG', `${source}: not a valid transport definition: ${problems.join('; ')}; ${fix}`);
  return definition as unknown as TransportDefinition;
}

/**
 * Checks a transport's options against its schema (unknown keys are errors, defaults filled in) and returns the
 * checked copy; `setting` (partners.<id>.transport) starts every message.
 */
export function checkTransportOptions(
  definition: TransportDefinition,
  options: Record<string, unknown>,
  setting: string,
): Record<string, unknown> {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  const checked = structuredClone(options);
  const validate = ajv.compile({ ...definition.configSchema, additionalProperties: false });
  if (!validate(checked)) {
    const reasons = (validate.errors ?? []).map((e) => {
      const key = e.instancePath ? `${setting}${e.instancePath.replace(/\//g, '.')}` : setting;
      const unknown = e.params && 'additionalProperty' in e.params ? String(e.params.additionalProperty) : undefined;
      return unknown === undefined ? `${key}: ${e.message}` : `${key}: unknown key ${unknown}`;
    });
    throw new HubError('HUB_ERR_CONFIG', `${reasons.join('; ')} (transport ${definition.name})`);
  }
  return checked;
}

/** Loads transports/<type>/index.js and checks its definition. */
export async function loadTransportDefinition(type: string, setting: string, dir = TRANSPORTS_DIR): Promise<TransportDefinition> {
  const file = path.join(dir, type, 'index.js');
  if (!existsSync(file)) {
    const there = shippedTransports(dir).join(', ') || 'none';
    throw new HubError('HUB_ERR_CONFIG', `${setting}: type ${type} is no transport (there are: ${there}); a transport is a folder under transports/`);
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new HubError('HUB_ERR_CONFIG', `${setting}: cannot load ${file}: ${(error as Error).message}`, { cause: error });
  }
  return checkTransportDefinition(module.default, `${setting}: type ${type} (${path.join('transports', type, 'index')})`, type);
}

/** What the registry needs: the project root and each partner's transport setting. */
export interface TransportsConfig {
  readonly rootDir: string;
  readonly partners: Readonly<Record<string, { readonly transport?: PartnerTransportConfig }>>;
}

export interface TransportRegistryDeps {
  /** The hub's PostgreSQL: the mailbox transport writes to its partner_mailbox (unless `mailbox` is given). */
  db?: Database;
  logger: Logger;
  /** Secrets by name; default: <NAME>_FILE, else <NAME>, from the process environment. */
  secret?: (name: string) => string | undefined;
  /** Where the transport folders are; default: the compiled transports/. */
  transportsDir?: string;
  /** The mailbox a partner's transport writes to; default: its rows in the hub's partner_mailbox. */
  mailbox?: (partner: string) => TransportMailbox;
}

function mailboxOf(partner: string, deps: TransportRegistryDeps): TransportMailbox {
  if (deps.mailbox) return deps.mailbox(partner);
  if (deps.db) return new MailboxWriter(deps.db, partner);
  const missing = () => Promise.reject(new Error('TransportRegistry.create was given no db (nor mailbox): the mailbox cannot be used'));
  return { put: missing, ping: missing };
}

/**
 * The partners' transports, created at start from `partners.<id>.transport` (`{ type, ...options }`): each
 * type's folder under transports/ is loaded, the options are checked against its schema (unknown keys refused,
 * messages naming the partner and key) and the transport is created, so a bad setting stops the start rather
 * than the first document. Nothing in the core names a concrete transport.
 */
export class TransportRegistry {
  private constructor(private readonly transports: Map<string, Transport>) {}

  static async create(config: TransportsConfig, deps: TransportRegistryDeps): Promise<TransportRegistry> {
    const transports = new Map<string, Transport>();
    const secret = deps.secret ?? ((name: string) => readSecretEnv(process.env, name));
    try {
      for (const [partner, { transport: setting }] of Object.entries(config.partners)) {
        if (!setting) continue;
        const where = `partners.${partner}.transport`;
        const { type, ...rest } = setting;
        const definition = await loadTransportDefinition(type, where, deps.transportsDir);
        const options = checkTransportOptions(definition, rest, where);
        const transport = await definition.create(options, {
          partner,
          setting: where,
          logger: deps.logger.child({ transport: type, partner }),
          rootDir: config.rootDir,
          secret,
          mailbox: mailboxOf(partner, deps),
        });
        if (typeof transport?.send !== 'function' || typeof transport.close !== 'function') {
          await transport?.close?.();
          throw new HubError('HUB_ERR_CONFIG', `${where}: create() of transport ${type} returned no { send, close } functions`);
        }
        transports.set(partner, transport);
      }
    } catch (error) {
      await Promise.allSettled([...transports.values()].map((t) => t.close()));
      throw error;
    }
    return new TransportRegistry(transports);
  }

  /** The transport of a partner; undefined when it has none configured. */
  get(partner: string): Transport | undefined {
    return this.transports.get(partner);
  }

  /** The partners that have a transport. */
  partners(): string[] {
    return [...this.transports.keys()];
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.transports.values()].map((t) => t.close()));
  }
}
