import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { ERP_MODULES } from '../config/schema.js';
import { HubError } from '../errors/hub-error.js';
import type { AdapterDefinition } from './contract.js';

/** Where an adapter's definition comes from: a folder under adapters/ (type) or a path or npm package (module). */
export interface AdapterSource {
  type?: string;
  module?: string;
}

/** A module specifier that is a path (relative to the project root, or absolute) rather than a package name. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || path.isAbsolute(specifier);
}

/**
 * Checks that a loaded default export is an adapter definition and says every problem at once, with what to
 * do. `expectedName` is the folder name for `type:` adapters (a definition's name must equal its folder).
 */
export function checkDefinition(value: unknown, source: string, expectedName?: string): AdapterDefinition {
  const fix = 'export default { name, modules, configSchema, create(options, ctx) } (docs/adapter-kit.md)';
  if (typeof value !== 'object' || value === null) {
    throw new HubError('HUB_ERR_CONFIG', `${source}: its default export is ${value === undefined ? 'missing' : typeof value}, not an adapter definition; ${fix}`);
  }
  const def = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof def.name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(def.name)) {
    problems.push('name must be a lower-case id (letters, digits, - and _, at most 64)');
  } else if (expectedName !== undefined && def.name !== expectedName) {
    problems.push(`name is "${def.name}" but the folder is "${expectedName}": they must be equal`);
  }
  const modules = def.modules;
  if (!Array.isArray(modules) || modules.length === 0) {
    problems.push(`modules must be a non-empty array of ${ERP_MODULES.join(', ')}`);
  } else {
    const unknown = modules.filter((m) => !(ERP_MODULES as readonly unknown[]).includes(m));
    if (unknown.length) problems.push(`modules has unknown module(s) ${unknown.map(String).join(', ')} (known: ${ERP_MODULES.join(', ')})`);
  }
  if (typeof def.configSchema !== 'object' || def.configSchema === null || Array.isArray(def.configSchema)) {
    problems.push('configSchema must be a JSON Schema object (e.g. { type: "object", properties: {...} })');
  } else {
    try {
      new Ajv({ strict: false }).compile(def.configSchema);
    } catch (error) {
      problems.push(`configSchema does not compile: ${(error as Error).message}`);
    }
  }
  if (typeof def.create !== 'function') problems.push('create must be a function (options, ctx) returning { deliver, close, health? }');
  if (problems.length) throw new HubError('HUB_ERR_CONFIG', `${source}: not a valid adapter definition: ${problems.join('; ')}; ${fix}`);
  return def as unknown as AdapterDefinition;
}

/**
 * Checks options against the definition's schema (unknown keys are errors, defaults filled in) and returns the
 * checked copy. `setting` names them in messages, e.g. "adapters.erp.options".
 */
export function checkAdapterOptions(def: AdapterDefinition, options: unknown, setting: string): Record<string, unknown> {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  const checked = structuredClone(options ?? {}) as Record<string, unknown>;
  const validate = ajv.compile({ ...def.configSchema, additionalProperties: false });
  if (!validate(checked)) {
    const reasons = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`);
    throw new HubError('HUB_ERR_CONFIG', `${setting}: ${reasons.join('; ')}`);
  }
  return checked;
}

/** The ESM conditions of Node's own import, in the order a package's "exports" is read. */
const CONDITIONS = new Set(['node', 'import', 'default']);

function resolveExportTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = resolveExportTarget(item);
      if (found) return found;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [condition, value] of Object.entries(target)) {
      if (CONDITIONS.has(condition)) {
        const found = resolveExportTarget(value);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** The file a package folder's entry point names: "exports" (".", or a subpath), else "main", else index.js. */
function packageEntry(dir: string, subpath: string, source: string): string {
  const manifest = path.join(dir, 'package.json');
  const pkg = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown; main?: string }) : {};
  if (pkg.exports !== undefined) {
    const exports = pkg.exports;
    const keyed = exports && typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
    const target = keyed ? (exports as Record<string, unknown>)[subpath] : subpath === '.' ? exports : undefined;
    const file = resolveExportTarget(target);
    if (!file) throw new HubError('HUB_ERR_CONFIG', `${source}: its package.json "exports" has no "${subpath}" entry for import; export the adapter definition there`);
    return path.resolve(dir, file);
  }
  if (subpath !== '.') return path.resolve(dir, subpath);
  return path.resolve(dir, pkg.main ?? 'index.js');
}

/** Finds an npm package's folder as Node would from the project root (its node_modules, then those above). */
function packageDir(name: string, rootDir: string): string | undefined {
  const lookups = createRequire(path.join(rootDir, 'package.json')).resolve.paths(name) ?? [];
  return lookups.map((dir) => path.join(dir, name)).find((dir) => existsSync(dir));
}

/** The file to import for a `module:` specifier: a path (file or folder) or a package name (with a subpath). */
export function resolveAdapterModule(specifier: string, rootDir: string, source: string): string {
  if (isPathSpecifier(specifier)) {
    const target = path.resolve(rootDir, specifier);
    if (!existsSync(target)) throw new HubError('HUB_ERR_CONFIG', `${source}: ${target} does not exist; the path is relative to the project root (${rootDir}) and names the built .js file or its folder`);
    return statSync(target).isDirectory() ? packageEntry(target, '.', source) : target;
  }
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const rest = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
  const dir = packageDir(name, rootDir);
  if (!dir) throw new HubError('HUB_ERR_CONFIG', `${source}: package ${name} is not installed; run npm install ${name} in ${rootDir}, or give a path starting with ./`);
  return packageEntry(dir, rest ? `./${rest}` : '.', source);
}

/**
 * Loads an adapter definition: `type` from adapters/<type>/index.js, `module` from a path or an npm package
 * resolved from the project root; the default export is checked either way.
 */
export async function loadAdapterDefinition(spec: AdapterSource, where: { name: string; rootDir: string; adaptersDir: string }): Promise<AdapterDefinition> {
  if ((spec.type === undefined) === (spec.module === undefined)) {
    throw new HubError('HUB_ERR_CONFIG', `adapters.${where.name}: set exactly one of type (a folder under adapters/) and module (a path starting with ./ or an npm package name)`);
  }
  if (spec.type !== undefined) {
    const file = path.join(where.adaptersDir, spec.type, 'index.js');
    const source = `adapters.${where.name}: type ${spec.type}`;
    if (!existsSync(file)) throw new HubError('HUB_ERR_CONFIG', `${source}: no ${path.join('adapters', spec.type, 'index')} found; the shipped types are folders under adapters/, use module: for your own`);
    return checkDefinition((await importModule(file, source)).default, `${source} (${path.join('adapters', spec.type, 'index')})`, spec.type);
  }
  const source = `adapters.${where.name}: module ${spec.module}`;
  const file = resolveAdapterModule(spec.module!, where.rootDir, source);
  return checkDefinition((await importModule(file, source)).default, source);
}

async function importModule(file: string, source: string): Promise<{ default?: unknown }> {
  if (/\.[cm]?ts$/.test(file)) throw new HubError('HUB_ERR_CONFIG', `${source}: ${file} is TypeScript; build it and name the .js file`);
  try {
    return (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HubError('HUB_ERR_CONFIG', `${source}: cannot load ${file}: ${code ? `${code}: ` : ''}${(error as Error).message}`, { cause: error });
  }
}
