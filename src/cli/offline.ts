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
  // fixtures/<format>/ and, for syntaxes with several formats, fixtures/<syntax>/<format>/ (fixtures/cxml/…).
  const folders = readdirSync(fixturesDir)
    .sort()
    .flatMap((name) => {
      const folder = path.join(fixturesDir, name);
      if (!statSync(folder).isDirectory()) return [];
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
