/**
 * Adapters loaded from a path or an npm package (issue 9's adapter kit): real files in a temporary project,
 * imported by Node; a package that imports the kit by its name, as a third party's would.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { loadAdapterDefinition } from '../../../src/adapters/loader.js';
import { ADAPTERS_DIR, loadConfig } from '../../../src/config/load.js';
import { projectRoot } from '../../../src/util/project-root.js';
import { demoConfig } from '../../helpers/test-hub.js';

/** A definition's source; `name` and what it imports vary per case. */
const definitionSource = (name: string, prelude = '') => `${prelude}
export default {
  name: '${name}',
  modules: ['sales'],
  configSchema: { type: 'object', properties: {} },
  create() { return { async deliver() { return { reference: '${name}' }; }, async close() {} }; },
};
`;

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

describe('adapters/loader: type, path or npm package', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'hub-loader-'));
  const where = { name: 'erp', rootDir: root, adaptersDir: ADAPTERS_DIR };
  const load = (spec: { type?: string; module?: string }) => loadAdapterDefinition(spec, where);
  const failure = async (spec: { type?: string; module?: string }): Promise<{ code: string; message: string }> => {
    try {
      await load(spec);
    } catch (error) {
      return error as { code: string; message: string };
    }
    throw new Error(`loading ${JSON.stringify(spec)} did not fail`);
  };

  before(() => {
    write(path.join(root, 'package.json'), '{ "name": "my-hub-install", "type": "module" }');
    write(path.join(root, 'local/erp-adapter.js'), definitionSource('local-erp'));
    write(path.join(root, 'local/folder/package.json'), JSON.stringify({ type: 'module', exports: { '.': { import: './lib/entry.js', require: './nope.cjs' } } }));
    write(path.join(root, 'local/folder/lib/entry.js'), definitionSource('folder-erp'));
    // A third party's package: imports the kit by its package name (a symlinked hub, as npm link would make).
    write(path.join(root, 'node_modules/hub-adapter-acme/package.json'), JSON.stringify({ name: 'hub-adapter-acme', type: 'module', exports: { '.': { node: { import: './dist/index.js' } }, './alt': './dist/alt.js' } }));
    write(path.join(root, 'node_modules/hub-adapter-acme/dist/index.js'), definitionSource('acme', "import { unavailable, ERP_MODULES } from 'b2b-hub/adapter-kit';\nif (typeof unavailable !== 'function' || !ERP_MODULES.includes('sales')) throw new Error('kit missing');"));
    write(path.join(root, 'node_modules/hub-adapter-acme/dist/alt.js'), definitionSource('acme-alt'));
    symlinkSync(projectRoot(), path.join(root, 'node_modules/b2b-hub'), 'dir');
    write(path.join(root, 'node_modules/@corp/hub-adapter/package.json'), JSON.stringify({ name: '@corp/hub-adapter', type: 'module', main: 'main.js' }));
    write(path.join(root, 'node_modules/@corp/hub-adapter/main.js'), definitionSource('corp'));
    write(path.join(root, 'node_modules/no-dot-export/package.json'), JSON.stringify({ type: 'module', exports: { './other': './other.js' } }));
    write(path.join(root, 'local/no-default.js'), 'export const adapter = {};\n');
    write(path.join(root, 'local/broken.js'), "export default { name: 'Bad Name', modules: ['hr'], configSchema: 'none' };\n");
    write(path.join(root, 'local/throws.js'), "throw new Error('boom at import');\n");
    write(path.join(root, 'local/source.ts'), 'export default {};\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('loads a shipped adapter by type (a folder under adapters/)', async () => {
    expect((await load({ type: 'file' })).name).to.equal('file');
  });

  it('loads a built file or a folder by a path relative to the project root, or absolute', async () => {
    expect((await load({ module: './local/erp-adapter.js' })).name).to.equal('local-erp');
    expect((await load({ module: path.join(root, 'local/erp-adapter.js') })).name).to.equal('local-erp');
    // A folder: its package.json "exports" with Node's import conditions ("require" is not taken).
    expect((await load({ module: './local/folder' })).name).to.equal('folder-erp');
  });

  it('loads an npm package resolved from the project root: exports conditions, a subpath, a scoped package with main', async () => {
    const acme = await load({ module: 'hub-adapter-acme' });
    expect(acme.name).to.equal('acme');
    expect((await acme.create({}, {} as never)).deliver).to.be.a('function');
    expect((await load({ module: 'hub-adapter-acme/alt' })).name).to.equal('acme-alt');
    expect((await load({ module: '@corp/hub-adapter' })).name).to.equal('corp');
  });

  it('says what is wrong and what to do when it cannot', async () => {
    const cases: [{ type?: string; module?: string }, RegExp][] = [
      [{ module: 'hub-adapter-missing' }, /module hub-adapter-missing: package hub-adapter-missing is not installed; run npm install hub-adapter-missing in /],
      [{ module: './local/nothing.js' }, /does not exist; the path is relative to the project root/],
      [{ module: './local/no-default.js' }, /its default export is missing, not an adapter definition; export default \{ name, modules, configSchema, create/],
      [{ module: './local/throws.js' }, /cannot load .*throws\.js: boom at import/],
      [{ module: './local/source.ts' }, /is TypeScript; build it and name the \.js file/],
      [{ module: 'no-dot-export' }, /"exports" has no "\." entry/],
      [{ type: 'no-such-folder' }, /type no-such-folder: no adapters\/no-such-folder\/index found/],
      [{ type: 'file', module: './local/erp-adapter.js' }, /set exactly one of type .* and module/],
      [{}, /set exactly one of type .* and module/],
    ];
    for (const [spec, message] of cases) {
      const error = await failure(spec);
      expect(error.code, JSON.stringify(spec)).to.equal('HUB_ERR_CONFIG');
      expect(error.message, JSON.stringify(spec)).to.match(message);
    }
  });

  it('lists every problem of a malformed definition at once', async () => {
    const error = await failure({ module: './local/broken.js' });
    expect(error.code).to.equal('HUB_ERR_CONFIG');
    expect(error.message).to.contain('name must be a lower-case id');
    expect(error.message).to.contain('modules has unknown module(s) hr');
    expect(error.message).to.contain('configSchema must be a JSON Schema object');
    expect(error.message).to.contain('create must be a function');
  });

  it('a type whose definition is named otherwise is refused', async () => {
    const adaptersDir = path.join(root, 'adapters');
    write(path.join(adaptersDir, 'erp/index.js'), definitionSource('other'));
    try {
      await loadAdapterDefinition({ type: 'erp' }, { ...where, adaptersDir });
      expect.fail('should throw');
    } catch (error: any) {
      expect(error.message).to.match(/name is "other" but the folder is "erp"/);
    }
  });

  it('the config takes module instead of type, and refuses both or neither', () => {
    const configWith = (adapter: Record<string, unknown>) => {
      const raw = demoConfig();
      raw.adapters.extra = { modules: ['sales'], ...adapter };
      const file = path.join(root, `hub-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, stringify(raw));
      return () => loadConfig({ file, env: {} });
    };
    const config = configWith({ module: 'hub-adapter-acme' })();
    const extra = config.adapters.find((a) => a.name === 'extra')!;
    expect([extra.module, extra.type]).to.deep.equal(['hub-adapter-acme', undefined]);
    expect(configWith({ module: './x.js', type: 'file' })).to.throw(/\/adapters\/extra set exactly one of type .* and module/);
    expect(configWith({})).to.throw(/\/adapters\/extra set exactly one of type .* and module/);
    expect(configWith({ module: '' })).to.throw(/must NOT have fewer than 1 characters/);
  });
});
