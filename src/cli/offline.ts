import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CanonicalDocument } from '../canonical/types.js';
import type { HubConfig } from '../config/types.js';
import { HubError } from '../errors/hub-error.js';
import { diffJson, loadMappings, type FormatDefinition, type MappingRegistry } from '../mapping/registry.js';
import { decodeXml } from '../xml/decode.js';
import { inspectDocument } from '../xml/inspect.js';
import { XsdCache } from '../xml/xsd-cache.js';

/** Mapping without Redis or HTTP: the same checks and mapping as the pipeline, for `hub map` and `hub test-mappings`. */
export class OfflineMapper {
  private constructor(
    readonly config: HubConfig,
    readonly mappings: MappingRegistry,
    private readonly xsd: XsdCache,
  ) {}

  static async create(config: HubConfig, extraMappingFile?: string): Promise<OfflineMapper> {
    const mappings = await loadMappings({ mappingsDir: extraMappingFile ? path.dirname(path.resolve(extraMappingFile)) : config.paths.mappings });
    const xsd = new XsdCache();
    xsd.compile(mappings.formats.map((f) => f.schemaPath));
    return new OfflineMapper(config, mappings, xsd);
  }

  /** The partner that sends a format (the first configured), used to scope cross-references. */
  partnerFor(format: FormatDefinition): string {
    return Object.values(this.config.partners).find((p) => p.formats.includes(format.name))?.id ?? '*';
  }

  async map(bytes: Buffer, options: { format?: string; partner?: string } = {}): Promise<{ format: FormatDefinition; documentNumber: string; canonical: CanonicalDocument }> {
    let candidates = this.mappings.formats;
    if (options.format) {
      const wanted = this.mappings.get(options.format);
      if (!wanted) throw new HubError('HUB_ERR_BAD_REQUEST', `no format ${options.format}; known: ${this.mappings.formats.map((f) => f.name).join(', ')}`);
      candidates = [wanted];
    }
    const { format, documentNumber } = inspectDocument(bytes, candidates, this.xsd, this.config.limits);
    const partner = options.partner ?? this.partnerFor(format);
    const canonical = await this.mappings.map(format.name, decodeXml(bytes), { partner, documentNumber });
    return { format, documentNumber, canonical };
  }

  close(): void {
    this.xsd.dispose();
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export interface FixtureResult {
  file: string;
  ok: boolean;
  problems: string[];
}

/** Every fixtures/<format>/<case>.xml that has a <case>.expected.json, mapped and compared. */
export async function runMappingFixtures(mapper: OfflineMapper, fixturesDir: string): Promise<FixtureResult[]> {
  const results: FixtureResult[] = [];
  for (const format of readdirSync(fixturesDir).sort()) {
    const folder = path.join(fixturesDir, format);
    if (!statSync(folder).isDirectory() || !mapper.mappings.get(format)) continue;
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.xml')).sort()) {
      const file = path.join(folder, name);
      const expected = readJson(file.replace(/\.xml$/, '.expected.json'));
      // A real document that cannot become a canonical document: it must fail, with this code and field.
      const expectedError = readJson(file.replace(/\.xml$/, '.expected-error.json')) as { code: string; field?: string } | undefined;
      if (expected === undefined && expectedError === undefined) continue;
      try {
        const { canonical } = await mapper.map(readFileSync(file), { format });
        const problems = expectedError ? [`expected ${expectedError.code}${expectedError.field ? ` at ${expectedError.field}` : ''}, but it mapped`] : diffJson(expected, canonical);
        results.push({ file, ok: problems.length === 0, problems });
      } catch (error) {
        const described = error instanceof HubError ? `${error.code}: ${error.message}` : String(error);
        const asExpected = expectedError !== undefined && error instanceof HubError && error.code === expectedError.code && (!expectedError.field || error.message.includes(`field ${expectedError.field}`));
        results.push({ file, ok: asExpected, problems: asExpected ? [] : [described] });
      }
    }
  }
  return results;
}
