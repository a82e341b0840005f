import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CanonicalDocument } from '../canonical/types.js';
import type { HubConfig, PartnerConfig } from '../config/types.js';
import { HubError, isHubError, type ErrorItem } from '../errors/hub-error.js';
import { diffJson, loadMappings, type FormatDefinition, type MappingRegistry } from '../mapping/registry.js';
import { decodeXml } from '../xml/decode.js';
import { inspectDocument } from '../xml/inspect.js';
import type { XmlLimits } from '../xml/limits.js';
import { XsdCache } from '../xml/xsd-cache.js';
import type { EdiInterchange } from '../edi/types.js';
import { decodeEdi, formatOfTransaction, readInterchange, type EdiSyntax } from '../formats/edi.js';
import { splitInterchanges } from '../formats/edi-split.js';
import { strictEnvelope } from '../edi/warnings.js';
import { sniffSyntax } from '../formats/syntax.js';
import { acknowledgementTexts, isAcknowledgement, judgeTransaction, withOutcomes, withoutAcknowledgements, type TransactionOutcome } from '../pipeline/intake-edi.js';
import { checkCanonical } from '../canonical/check.js';
import { buildOutbound, type BuiltDocument } from '../outbound/build.js';
import { loadOutboundMapping, type OutboundMapping } from '../outbound/mapping-file.js';
import { OutboundRegistry } from '../outbound/registry.js';

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
    if ((problem.code === 'HUB_ERR_XSD_INVALID' || problem.code === 'HUB_ERR_DTD_INVALID') && format) {
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
  private outboundMappings?: OutboundRegistry;

  private constructor(
    readonly config: HubConfig,
    readonly mappings: MappingRegistry,
    private readonly xsd: XsdCache,
  ) {}

  static async create(config: HubConfig, extraMappingFile?: string): Promise<OfflineMapper> {
    const mappings = await loadMappings({ mappingsDir: extraMappingFile ? path.dirname(path.resolve(extraMappingFile)) : config.paths.mappings });
    const xsd = new XsdCache();
    xsd.compile(mappings.formats.filter((f) => f.syntax === 'xml').map((f) => f.schemaPath));
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

  /** The EDI syntax of a file (x12, edifact), or undefined for XML and anything else. */
  ediSyntax(bytes: Buffer): EdiSyntax | undefined {
    const syntax = sniffSyntax(bytes);
    return syntax === 'x12' || syntax === 'edifact' ? syntax : undefined;
  }

  /**
   * The partner an interchange is judged for: the one asked for, else the first whose formats take the
   * interchange's first transaction (its set, version and condition).
   */
  private async ediPartner(ic: EdiInterchange, partnerId?: string): Promise<PartnerConfig> {
    const partners = Object.values(this.config.partners);
    if (partnerId) {
      const partner = this.config.partners[partnerId];
      if (!partner) throw new HubError('HUB_ERR_BAD_REQUEST', `no partner ${partnerId}; known: ${partners.map((p) => p.id).join(', ')}`);
      return partner;
    }
    const group = ic.groups[0];
    const tx = group?.transactions[0];
    for (const partner of partners) {
      const candidates = partner.formats.map((f) => this.mappings.get(f)).filter((f): f is FormatDefinition => f?.syntax === ic.syntax);
      if (group && tx && (await formatOfTransaction(candidates, group, tx))) return partner;
    }
    throw new HubError('HUB_ERR_BAD_REQUEST', `no configured partner sends ${ic.syntax === 'x12' ? 'X12' : 'EDIFACT'} ${tx?.setId ?? '(no transaction)'}: give --partner`);
  }

  /**
   * Reads an EDI interchange and judges each transaction as the intake would for the partner (its formats,
   * party ids), then maps each one it would take; nothing is stored.
   */
  async interchange(bytes: Buffer, options: { partner?: string; format?: string } = {}): Promise<{ ic: EdiInterchange; partner: PartnerConfig; transactions: Array<TransactionOutcome & { canonical?: CanonicalDocument; error?: CheckProblem }> }> {
    const syntax = this.ediSyntax(bytes);
    if (!syntax) throw new HubError('HUB_ERR_SYNTAX_UNKNOWN', 'the file is neither X12 (ISA) nor EDIFACT (UNA/UNB)');
    const read = readInterchange(syntax, decodeEdi(bytes));
    const partner = await this.ediPartner(read, options.partner);
    // Judged as the intake judges it: a strict partner's reader warnings are problems (partners.<id>.x12.strictIsa).
    const ic = syntax === 'x12' && partner.x12?.strictIsa ? strictEnvelope(read) : read;
    const names = options.format ? [options.format] : partner.formats;
    const candidates = names.map((f) => this.mappings.get(f)).filter((f): f is FormatDefinition => f?.syntax === syntax);
    const transactions: Array<TransactionOutcome & { canonical?: CanonicalDocument; error?: CheckProblem }> = [];
    for (const group of ic.groups) {
      for (const tx of group.transactions) {
        const base = { group: group.controlNumber, setId: tx.setId, controlNumber: tx.controlNumber };
        // A partner's 997/999 or CONTRL is an acknowledgement, as at the intake: not mapped, not acknowledged back.
        if (!ic.problems.length && !group.problems.length && !tx.problems.length && isAcknowledgement(ic, tx)) {
          transactions.push({ ...base, outcome: 'acknowledgement', documentType: tx.setId, problems: [] });
          continue;
        }
        const judged = await judgeTransaction(ic, group, tx, candidates, partner);
        if ('code' in judged) {
          transactions.push({ ...base, outcome: 'rejected', problems: judged.problems, ...(judged.format ? { documentType: judged.format.documentType } : {}), ...(judged.documentNumber ? { documentNumber: judged.documentNumber } : {}), error: { code: judged.code, message: judged.detail, errors: [], details: {} } });
          continue;
        }
        const entry: TransactionOutcome & { canonical?: CanonicalDocument; error?: CheckProblem } = { ...base, outcome: 'accepted', documentType: judged.format.documentType, documentNumber: judged.documentNumber, problems: [] };
        try {
          entry.canonical = await this.mappings.mapTree(judged.format.name, tx.tree, { partner: partner.id, documentNumber: judged.documentNumber });
        } catch (error) {
          entry.error = problemOf(error);
        }
        transactions.push(entry);
      }
    }
    return { ic, partner, transactions };
  }

  /** Each interchange of a body that may hold several (a batch file: splitInterchanges), judged as `interchange` does. */
  async interchanges(bytes: Buffer, options: { partner?: string; format?: string } = {}): Promise<Array<Awaited<ReturnType<OfflineMapper['interchange']>>>> {
    const syntax = this.ediSyntax(bytes);
    const pieces = syntax ? splitInterchanges(syntax, bytes) : [bytes];
    const out: Array<Awaited<ReturnType<OfflineMapper['interchange']>>> = [];
    for (const piece of pieces) out.push(await this.interchange(piece, options));
    return out;
  }

  /**
   * The acknowledgements the hub would send for a body's interchanges (`hub ack`): the partner's configured kinds,
   * built from the same judgement as the intake, with control numbers 1 (the hub numbers its own per partner).
   */
  async acknowledgements(bytes: Buffer, options: { partner?: string } = {}): Promise<Array<{ kind: string; content: string }>> {
    return (await this.interchanges(bytes, options)).flatMap(({ ic, partner, transactions }) => {
      // As the intake: an interchange of acknowledgements only (no group left to acknowledge, no problem) gets none.
      const judged = withoutAcknowledgements(withOutcomes(ic, transactions), transactions);
      return judged.groups.length || judged.problems.length ? acknowledgementTexts(judged, partner, () => ({ interchange: 1, group: 1, transaction: 1 })) : [];
    });
  }

  /** The outbound mappings (mappings/outbound/), loaded and checked with the partners' outbound formats on first use. */
  outbound(): OutboundRegistry {
    this.outboundMappings ??= OutboundRegistry.load(this.config, this.xsd);
    return this.outboundMappings;
  }

  /**
   * Builds a canonical document into the document the hub would send the partner (`hub map --outbound`, the
   * outbound golden files): checked against the canonical schema, built with the partner's outbound mapping for
   * its type (or the mapping file given), validated as the transform validates it. EDI gets control numbers 1 and
   * the envelope date given (now by default): the hub numbers the real ones per partner when it sends.
   */
  async buildOutbound(doc: unknown, options: { partner: string; mappingFile?: string; now?: Date }): Promise<{ mapping: OutboundMapping; built: BuiltDocument }> {
    const partner = this.config.partners[options.partner];
    if (!partner) throw new HubError('HUB_ERR_BAD_REQUEST', `no partner ${options.partner}; known: ${Object.keys(this.config.partners).join(', ')}`);
    checkCanonical(doc, { document: typeof (doc as { documentNumber?: unknown })?.documentNumber === 'string' ? (doc as { documentNumber: string }).documentNumber : undefined });
    let mapping: OutboundMapping | undefined;
    if (options.mappingFile) {
      mapping = loadOutboundMapping(path.resolve(options.mappingFile));
      if (mapping.schemaPath) this.xsd.compile([mapping.schemaPath]);
      if (mapping.documentType !== doc.type) throw new HubError('HUB_ERR_BAD_REQUEST', `${options.mappingFile} builds ${mapping.documentType} documents, not ${doc.type}`);
    } else {
      mapping = this.outbound().forPartner(partner, doc.type);
      if (!mapping) throw new HubError('HUB_ERR_BAD_REQUEST', `partner ${partner.id} is sent no ${doc.type} (partners.${partner.id}.outbound.formats); give --mapping mappings/outbound/<format>.yaml (there are: ${this.outbound().names().join(', ')})`);
    }
    const built = await buildOutbound(mapping, doc, { partner, ...(this.config.company ? { company: this.config.company } : {}), xsd: this.xsd, numbers: OFFLINE_CONTROL_NUMBERS, ...(options.now ? { now: options.now } : {}) });
    return { mapping, built };
  }

  close(): void {
    this.xsd.dispose();
  }
}

/** The control numbers of a document built offline (`hub map --outbound`, golden files): 1 each, never a real one. */
export const OFFLINE_CONTROL_NUMBERS = Object.freeze({ interchange: 1, group: 1, transaction: 1 });

/** The envelope date of the outbound golden files (ISA09/10, GS04/05, UNB S004), so their EDI text is stable. */
export const OUTBOUND_FIXTURE_DATE = new Date('2026-12-01T12:00:00Z');

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
  // fixtures/<format>/ and, for syntaxes with several formats, fixtures/<syntax>/<format>/ (fixtures/cxml/…).
  const folders = readdirSync(fixturesDir)
    .sort()
    .flatMap((name) => {
      const folder = path.join(fixturesDir, name);
      // fixtures/outbound holds the outbound golden files (runOutboundFixtures), not partner documents.
      if (name === OUTBOUND_FIXTURES || !statSync(folder).isDirectory()) return [];
      if (mapper.mappings.get(name)) return [[name, folder] as const];
      return readdirSync(folder)
        .sort()
        .filter((sub) => mapper.mappings.get(sub) && statSync(path.join(folder, sub)).isDirectory())
        .map((sub) => [sub, path.join(folder, sub)] as const);
    });
  for (const [format, folder] of folders) {
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
  // EDI golden cases: fixtures/x12 and fixtures/edifact, <case>.edi with <case>.expected.json (one canonical
  // document, or an array of one per transaction), judged for the partner whose formats take them.
  for (const folder of ['x12', 'edifact'].map((f) => path.join(fixturesDir, f)).filter((f) => existsSync(f))) {
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.edi')).sort()) {
      const file = path.join(folder, name);
      const expected = readJson(file.replace(/\.edi$/, '.expected.json'));
      if (expected === undefined) continue;
      try {
        const transactions = (await mapper.interchanges(readFileSync(file))).flatMap((i) => i.transactions);
        const failed = transactions.filter((t) => t.error).map((t) => `transaction ${t.setId} ${t.controlNumber}: ${t.error!.code}: ${t.error!.message}`);
        const mapped = transactions.map((t) => t.canonical);
        const problems = failed.length ? failed : diffJson(expected, Array.isArray(expected) ? mapped : mapped[0]);
        results.push({ file, ok: problems.length === 0, problems });
      } catch (error) {
        results.push({ file, ok: false, problems: [error instanceof HubError ? `${error.code}: ${error.message}` : String(error)] });
      }
    }
  }
  return results;
}

/** The folder of the outbound golden files under fixtures/. */
export const OUTBOUND_FIXTURES = 'outbound';

/**
 * The partner each outbound format's golden cases are built for: fixtures/outbound/partners.json
 * ({ "<format>": "<partner id>" }), since a format may be configured for no partner (or for several).
 */
export function outboundFixturePartners(fixturesDir: string): Record<string, string> {
  const file = path.join(fixturesDir, OUTBOUND_FIXTURES, 'partners.json');
  const partners = readJson(file);
  if (!partners || typeof partners !== 'object') throw new HubError('HUB_ERR_CONFIG', `${file}: not readable JSON ({ "<format>": "<partner id>" })`);
  return partners as Record<string, string>;
}

/** The first line two texts differ on, for a golden file's failure: its number and both versions. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: expected ${JSON.stringify(a[i] ?? '(end)')}, built ${JSON.stringify(b[i] ?? '(end)')}`;
  }
  return 'the texts differ';
}

/**
 * Every outbound golden case, fixtures/outbound/<format>/<case>.json (a canonical document) with its
 * <case>.expected.xml or <case>.expected.edi (the document the hub sends for it): built with that format's mapping
 * for the partner fixtures/outbound/partners.json names (control numbers 1, the envelope date OUTBOUND_FIXTURE_DATE)
 * and compared byte for byte. EDI is compared with a line break after each segment, as the golden file is kept.
 */
export async function runOutboundFixtures(mapper: OfflineMapper, fixturesDir: string): Promise<FixtureResult[]> {
  const root = path.join(fixturesDir, OUTBOUND_FIXTURES);
  if (!existsSync(root)) return [];
  const partners = outboundFixturePartners(fixturesDir);
  const results: FixtureResult[] = [];
  for (const format of readdirSync(root).sort().filter((name) => statSync(path.join(root, name)).isDirectory())) {
    const mappingFile = path.join(mapper.config.paths.mappings, 'outbound', `${format}.yaml`);
    for (const name of readdirSync(path.join(root, format)).filter((n) => n.endsWith('.json')).sort()) {
      const file = path.join(root, format, name);
      const expectedFile = ['.expected.xml', '.expected.edi'].map((ext) => file.replace(/\.json$/, ext)).find((f) => existsSync(f));
      if (!expectedFile) continue;
      try {
        const partner = partners[format];
        if (!partner) throw new HubError('HUB_ERR_CONFIG', `${path.join(root, 'partners.json')} names no partner for ${format}`);
        const { built } = await mapper.buildOutbound(readJson(file), { partner, mappingFile, now: OUTBOUND_FIXTURE_DATE });
        const actual = outboundText(built);
        const expected = readFileSync(expectedFile, 'utf8');
        results.push({ file: expectedFile, ok: actual === expected, problems: actual === expected ? [] : [firstDifference(expected, actual)] });
      } catch (error) {
        const described = error instanceof HubError ? `${error.code}: ${error.message}` : String(error);
        results.push({ file: expectedFile, ok: false, problems: [described] });
      }
    }
  }
  return results;
}

/**
 * A built document as its golden file keeps it: XML as built; EDI with a line break after each segment
 * terminator (X12 ~, EDIFACT ' not released by ?), so a diff shows the segment that changed.
 */
export function outboundText(built: BuiltDocument): string {
  if (built.contentType === 'application/edi-x12') return `${built.body.replace(/~(?!\n)/g, '~\n').replace(/\n$/, '')}\n`;
  if (built.contentType === 'application/edifact') return `${built.body.replace(/(?<!\?)'(?!\n)/g, "'\n").replace(/\n$/, '')}\n`;
  return built.body;
}
