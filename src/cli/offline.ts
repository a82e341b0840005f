import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CanonicalDocument } from '../canonical/types.js';
import type { HubConfig, PartnerConfig } from '../config/types.js';
import { HubError, isHubError, type ErrorItem } from '../errors/hub-error.js';
import { diffJson, loadMappings, type FormatDefinition, type MappingRegistry } from '../mapping/registry.js';
import { decodeXml } from '../xml/decode.js';
import { inspectDocument } from '../xml/inspect.js';
import type { XmlLimits } from '../xml/limits.js';
import { XsdCache } from '../xml/xsd-cache.js';

/** One thing a check found wrong: the hub's error code, its text, its items (XSD lines, field paths), its details. */
export interface CheckProblem {
  code: string;
  message: string;
  errors: ErrorItem[];
  details: Record<string, unknown>;
}

/** What checking a document without storing it found, stage by stage (see checkDocument). */
export interface DocumentCheck {
  /** The format detected (or asked for), when the document is one. */
  format?: FormatDefinition;
  documentNumber?: string;
  /** Every identifier of the sending party the document gives (read when it conforms to its schema). */
  senderIds: string[];
  /** Refused before anything else could be checked: not readable XML, not a type the partner sends, ... */
  refused?: CheckProblem;
  /** The document does not conform to its schema (HUB_ERR_XSD_INVALID, every problem with its line). */
  xsd?: CheckProblem;
  /** No number where the format says it is. */
  number?: CheckProblem;
  /** The sending party is not one of the partner's party ids (the intake would refuse it). */
  sender?: CheckProblem;
  /** Mapping failed: every missing cross-reference at once (HUB_ERR_LOOKUP_MISSING), or another mapping error. */
  mapping?: CheckProblem;
  canonical?: CanonicalDocument;
}

function problemOf(error: unknown): CheckProblem {
  if (!isHubError(error)) throw error;
  return { code: error.code, message: error.message, errors: error.errors, details: error.details };
}

/**
 * Checks a document as the intake and the transform would, without storing or queueing anything: decode,
 * detect its format among the candidates, XSD, number, sender against the partner's party ids, then map it with
 * the partner's cross-references. Unlike the intake it goes on after a problem where it can (a document that
 * fails its XSD is still mapped, to show its missing cross-references too), so one run shows everything. The
 * mapping test page of the console, the partner's validate form and `hub map` run the same detection and mapping.
 */
export async function checkDocument(
  bytes: Buffer,
  partner: Pick<PartnerConfig, 'id' | 'partyIds'>,
  candidates: readonly FormatDefinition[],
  deps: { mappings: MappingRegistry; xsd: XsdCache; limits: XmlLimits },
): Promise<DocumentCheck> {
  const check: DocumentCheck = { senderIds: [] };
  let xml: string;
  try {
    xml = decodeXml(bytes);
    const inspected = inspectDocument(bytes, candidates, deps.xsd, deps.limits);
    Object.assign(check, { format: inspected.format, documentNumber: inspected.documentNumber, senderIds: inspected.senderIds });
  } catch (error) {
    const problem = problemOf(error);
    const format = typeof problem.details.format === 'string' ? deps.mappings.get(problem.details.format) : undefined;
    if (problem.code === 'HUB_ERR_XSD_INVALID' && format) {
      check.xsd = problem;
      check.format = format;
      if (typeof problem.details.documentNumber === 'string') check.documentNumber = problem.details.documentNumber;
    } else if (problem.code === 'HUB_ERR_DOCUMENT_NUMBER_MISSING') {
      check.number = problem;
    } else {
      check.refused = problem;
      return check;
    }
    xml = decodeXml(bytes);
  }
  if (!check.format) {
    // Only the number was missing: the format is the candidate whose root element the document has.
    const root = /<(?:[\w.-]+:)?([\w.-]+)[\s>/]/.exec(xml.replace(/<\?[^>]*\?>|<!--[\s\S]*?-->/g, ''))?.[1];
    check.format = candidates.find((f) => f.rootElement === root);
    if (!check.format) return check;
  }
  if (!check.xsd && !check.number && !check.senderIds.some((id) => partner.partyIds.includes(id))) {
    const f = check.format;
    check.sender = {
      code: 'HUB_ERR_SENDER_MISMATCH',
      message: check.senderIds.length
        ? `The ${f.senderParty} of this ${f.documentType} (${check.senderIds.join(', ')}) is not one of the party ids of ${partner.id} (${partner.partyIds.join(', ')}).`
        : `This ${f.documentType} names no ${f.senderParty} identifier, so it cannot be checked against the party ids of ${partner.id}.`,
      errors: [],
      details: { senderIds: check.senderIds },
    };
  }
  try {
    check.canonical = await deps.mappings.map(check.format.name, xml, { partner: partner.id, ...(check.documentNumber ? { documentNumber: check.documentNumber } : {}) });
  } catch (error) {
    check.mapping = problemOf(error);
  }
  return check;
}

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
