import type { CanonicalDocument } from '../canonical/types.js';
import type { CheckProblem, DocumentCheck } from '../cli/offline.js';
import type { PartnerConfig } from '../config/types.js';
import type { EdiInterchange, EdiProblem, EdiTransaction } from '../edi/types.js';
import { HubError, isHubError } from '../errors/hub-error.js';
import { strictEnvelope } from '../edi/warnings.js';
import { decodeEdi, formatOfTransaction, readInterchange, type EdiSyntax } from '../formats/edi.js';
import { splitInterchanges } from '../formats/edi-split.js';
import { syntaxOf, type SyntaxName } from '../formats/syntax.js';
import type { FormatDefinition } from '../mapping/registry.js';
import { acknowledgementTexts, judgeTransaction, withOutcomes, withoutAcknowledgements, type TransactionOutcome } from '../pipeline/intake-edi.js';
import { partnerFormats } from '../pipeline/intake.js';
import { candidateFormats, checkOutcome, missingReferences, runCheck, type CheckDeps } from './mapping-test-view.js';

/**
 * Checking a posted document of any syntax for the mapping test page and the partner's check, storing nothing:
 * its syntax as the intake tells it for a post that gives no type (syntaxOf: XML, X12 from ISA, EDIFACT from
 * UNA/UNB), then XML through checkDocument (mapping-test-view.ts), and an EDI interchange transaction by
 * transaction through the intake's own judgement (judgeTransaction: envelope, set and version, the set's rules,
 * number, sender), its mapping with the partner's cross-references, and the acknowledgements the intake would
 * send, built by the function `hub ack` and the intake use (acknowledgementTexts). What needs the store is left
 * out: whether the interchange's control number or a document number was used before.
 */

/** One transaction of a checked interchange: what the intake would make of it, and what its mapping gives. */
export interface TransactionCheck {
  group: string;
  setId: string;
  controlNumber: string;
  /** The version the transaction declares (ST03 or GS08; UNH 0052/0054/0051). */
  version: string;
  /** taken: the intake would store and queue it; refused; acknowledgement: a 997/999/CONTRL the hub only keeps. */
  outcome: 'taken' | 'refused' | 'acknowledgement';
  /** The format that takes it (also when it is refused for its content, its number or its sender). */
  format?: FormatDefinition;
  documentNumber?: string;
  /** Why the intake would refuse it: the code of its refusal and the refusal's text. */
  refusal?: { code: string; detail: string };
  /** Its problems located as its acknowledgement reports them (segment position and id, element, code). */
  problems: EdiProblem[];
  /** The mapping's failure: every missing cross-reference at once, or another mapping error. */
  mapping?: CheckProblem;
  canonical?: CanonicalDocument;
  /** The transaction as read, for showing its segments. */
  transaction: EdiTransaction;
}

/** What checking an interchange found: the envelope, each transaction, the acknowledgements. */
export interface InterchangeCheck {
  syntax: EdiSyntax;
  /** The partner it was checked for. */
  partner: string;
  /** The hub chose the partner (the first whose formats take the first transaction, as `hub ack` does). */
  partnerPicked: boolean;
  interchange: EdiInterchange;
  /** The decoded text the segments' offsets point into. */
  text: string;
  transactions: TransactionCheck[];
  /** The acknowledgements the hub would send, as text (control numbers 1, like `hub ack`). */
  acknowledgements: Array<{ kind: string; content: string }>;
}

/** One interchange of a posted EDI body: checked, or refused because its envelope cannot be read at all. */
export type InterchangePiece = { check: InterchangeCheck } | { refused: CheckProblem; bytes: Buffer };

/**
 * A checked post: an XML document (or a body refused before its syntax is known, or a lone interchange whose
 * envelope cannot be read), or the interchanges of an EDI body, each judged on its own as the intake judges a batch.
 */
export type PostedCheck = { kind: 'document'; partner: string; check: DocumentCheck } | { kind: 'interchanges'; partner: string; syntax: EdiSyntax; pieces: InterchangePiece[] };

/** What the form asked: the partner (empty: the hub picks, EDI only), the format (or detect), any loaded format or only the partner's. */
export interface CheckRequest {
  partner: string;
  format: string;
  anyLoaded: boolean;
}

function problemOf(error: unknown): CheckProblem {
  if (!isHubError(error)) throw error;
  return { code: error.code, message: error.message, errors: error.errors, details: error.details };
}

const LABEL: Record<EdiSyntax, string> = { x12: 'X12', edifact: 'EDIFACT' };

/** The syntaxes the check may take: the asked format's, the partner's formats', or (the hub picks) every loaded one's. */
function allowedSyntaxes(deps: CheckDeps, request: CheckRequest): SyntaxName[] {
  const wanted = request.format && request.format !== 'detect' ? deps.mappings.get(request.format) : undefined;
  if (wanted) return [wanted.syntax];
  const formats = request.partner ? partnerFormats(deps.config.partners[request.partner]!, deps.mappings) : deps.mappings.formats;
  return [...new Set(formats.map((f) => f.syntax))];
}

/**
 * Checks a posted document as the intake would, storing nothing. A 400 HubError when the request cannot be
 * checked (an unknown partner or format, no partner chosen for XML, no partner taking the interchange).
 */
export async function checkPosted(deps: CheckDeps, bytes: Buffer, request: CheckRequest): Promise<PostedCheck> {
  // An unknown partner or format is a 400 saying which there are, before anything is read.
  if (request.partner) candidateFormats(deps, request.partner, request.format, request.anyLoaded);
  else if (request.format && request.format !== 'detect' && !deps.mappings.get(request.format)) {
    throw new HubError('HUB_ERR_BAD_REQUEST', `The format "${request.format}" is not one of the hub’s formats: choose one of ${deps.mappings.formats.map((f) => f.name).join(', ')}, or detect.`);
  }
  const allowed = allowedSyntaxes(deps, request);
  let syntax: SyntaxName;
  try {
    syntax = syntaxOf(bytes, 'text/plain', allowed);
  } catch (error) {
    const problem = problemOf(error);
    // Neither XML nor EDI at all: when XML may be sent, the XML checks say precisely what is wrong with it.
    if (!(problem.code === 'HUB_ERR_SYNTAX_UNKNOWN' && allowed.includes('xml'))) return { kind: 'document', partner: request.partner, check: { senderIds: [], refused: problem } };
    syntax = 'xml';
  }
  if (syntax === 'xml') {
    if (!request.partner) throw new HubError('HUB_ERR_BAD_REQUEST', 'The hub picks the partner of an EDI interchange only; for an XML document, choose its partner: its format and sender are checked against that partner.');
    const check = await runCheck(deps, bytes, request.partner, candidateFormats(deps, request.partner, request.format, request.anyLoaded));
    return { kind: 'document', partner: request.partner, check };
  }
  // A batch of interchanges in one body (ISA…IEA ISA…IEA) is split as the intake splits it; each is its own.
  const bodies = splitInterchanges(syntax, bytes);
  const pieces: InterchangePiece[] = [];
  for (const body of bodies) {
    const text = decodeEdi(body);
    let read: EdiInterchange;
    try {
      read = readInterchange(syntax, text);
    } catch (error) {
      // Not even an envelope to read (an ISA cut short, a NUL): the intake answers 400 and takes nothing of it.
      if (bodies.length === 1) return { kind: 'document', partner: request.partner, check: { senderIds: [], refused: problemOf(error) } };
      pieces.push({ refused: problemOf(error), bytes: body });
      continue;
    }
    const partner = request.partner ? deps.config.partners[request.partner]! : await pickPartner(deps, read);
    // As the intake: a partner configured strict (partners.<id>.x12.strictIsa) has the reader's warnings judged as problems.
    const ic = syntax === 'x12' && partner.x12?.strictIsa ? strictEnvelope(read) : read;
    const formats = request.format && request.format !== 'detect' ? [deps.mappings.get(request.format)!] : partnerFormats(partner, deps.mappings);
    const check = await checkInterchange(deps, ic, text, partner, formats.filter((f) => f.syntax === syntax));
    pieces.push({ check: { ...check, partnerPicked: !request.partner } });
  }
  const first = pieces.find((p): p is { check: InterchangeCheck } => 'check' in p);
  return { kind: 'interchanges', partner: request.partner || first?.check.partner || '', syntax, pieces };
}

/** The partner `hub ack` and `hub map` judge an interchange for: the first whose formats take its first transaction. */
async function pickPartner(deps: CheckDeps, ic: EdiInterchange): Promise<PartnerConfig> {
  const group = ic.groups[0];
  const tx = group?.transactions[0];
  for (const partner of Object.values(deps.config.partners)) {
    const candidates = partnerFormats(partner, deps.mappings).filter((f) => f.syntax === ic.syntax);
    if (group && tx && (await formatOfTransaction(candidates, group, tx))) return partner;
  }
  throw new HubError('HUB_ERR_BAD_REQUEST', `No partner’s formats take ${LABEL[ic.syntax]} ${tx ? `${tx.setId} version ${tx.version || group!.version}` : '(the interchange holds no transaction)'}: choose the partner to check it for.`);
}

function isAcknowledgement(ic: EdiInterchange, tx: EdiTransaction): boolean {
  return ic.syntax === 'x12' ? tx.setId === '997' || tx.setId === '999' : tx.setId === 'CONTRL';
}

/**
 * Judges every transaction as the intake would (judgeTransaction) for the partner, maps each one whose format is
 * known with the partner's cross-references (a refused one too, so one run shows its missing cross-references as
 * well), and builds the acknowledgements from the same judgement.
 */
async function checkInterchange(deps: CheckDeps, ic: EdiInterchange, text: string, partner: PartnerConfig, candidates: readonly FormatDefinition[]): Promise<Omit<InterchangeCheck, 'partnerPicked'>> {
  const envelopeBroken = ic.problems.length > 0;
  const transactions: TransactionCheck[] = [];
  const outcomes: TransactionOutcome[] = [];
  for (const group of ic.groups) {
    for (const tx of group.transactions) {
      const base = { group: group.controlNumber, setId: tx.setId, controlNumber: tx.controlNumber, version: tx.version || group.version, transaction: tx };
      if (!envelopeBroken && !group.problems.length && !tx.problems.length && isAcknowledgement(ic, tx)) {
        transactions.push({ ...base, outcome: 'acknowledgement', problems: [] });
        outcomes.push({ group: base.group, setId: tx.setId, controlNumber: tx.controlNumber, outcome: 'acknowledgement', problems: [] });
        continue;
      }
      const judged = await judgeTransaction(ic, group, tx, candidates, partner, envelopeBroken);
      const entry: TransactionCheck =
        'code' in judged
          ? { ...base, outcome: 'refused', refusal: { code: judged.code, detail: judged.detail }, problems: judged.problems, ...(judged.format ? { format: judged.format } : {}), ...(judged.documentNumber ? { documentNumber: judged.documentNumber } : {}) }
          : { ...base, outcome: 'taken', format: judged.format, documentNumber: judged.documentNumber, problems: [] };
      if (entry.format) {
        try {
          entry.canonical = await deps.mappings.mapTree(entry.format.name, tx.tree, { partner: partner.id, ...(entry.documentNumber ? { documentNumber: entry.documentNumber } : {}) });
        } catch (error) {
          entry.mapping = problemOf(error);
        }
      }
      transactions.push(entry);
      outcomes.push({ group: base.group, setId: tx.setId, controlNumber: tx.controlNumber, outcome: entry.outcome === 'taken' ? 'accepted' : 'rejected', problems: entry.problems });
    }
  }
  // As the intake: an acknowledgement is never acknowledged, and an interchange with nothing to answer gets nothing.
  const judged = withoutAcknowledgements(withOutcomes(ic, outcomes), outcomes);
  const acknowledgements = judged.groups.length || judged.problems.length ? acknowledgementTexts(judged, partner, () => ({ interchange: 1, group: 1, transaction: 1 })) : [];
  return { syntax: ic.syntax, partner: partner.id, interchange: ic, text, transactions, acknowledgements };
}

/** A transaction's outcome in a few words, for the audit log and the verdicts. */
export function transactionOutcome(t: TransactionCheck): string {
  if (t.outcome === 'acknowledgement') return 'an acknowledgement (kept, not mapped)';
  const mapping = t.mapping ? `${t.mapping.code}${t.mapping.code === 'HUB_ERR_LOOKUP_MISSING' ? `: ${missingReferences(t.mapping).length} missing` : ''}` : '';
  if (t.refusal) return `refused (${t.refusal.code})${mapping ? `; ${mapping}` : ''}`;
  return mapping || 'maps';
}

/** The outcome of a check in a few words, for the audit log: never the document's content. */
export function postedOutcome(posted: PostedCheck, bytes: Buffer): string {
  if (posted.kind === 'document') return `format ${posted.check.format?.name ?? 'not recognised'}, ${bytes.length} bytes: ${checkOutcome(posted.check)}`;
  const parts = posted.pieces.map((piece) => {
    if ('refused' in piece) return `refused (${piece.refused.code})`;
    const { check } = piece;
    // Alike outcomes counted once (an interchange of a thousand orders is one short line).
    const counts = new Map<string, number>();
    for (const t of check.transactions) {
      const key = `${t.setId} ${transactionOutcome(t)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const each = [...counts].map(([outcome, n]) => (n > 1 ? `${outcome} ×${n}` : outcome));
    return `${check.transactions.length} transaction(s)${check.interchange.problems.length ? ', envelope wrong' : ''}: ${each.join('; ') || 'none'}`;
  });
  const many = posted.pieces.length > 1 ? `${posted.pieces.length} interchanges` : 'interchange';
  return `${LABEL[posted.syntax]} ${many}, ${bytes.length} bytes, ${parts.join(' | ')}`;
}

/** The error code a check is audited with: the first refusal's, else the first mapping failure's, else the schema's. */
export function postedCode(posted: PostedCheck): string | undefined {
  if (posted.kind === 'document') return (posted.check.refused ?? posted.check.mapping ?? posted.check.xsd)?.code;
  const ts = posted.pieces.flatMap((p) => ('check' in p ? p.check.transactions : []));
  return posted.pieces.find((p): p is { refused: CheckProblem; bytes: Buffer } => 'refused' in p)?.refused.code ?? ts.find((t) => t.refusal)?.refusal!.code ?? ts.find((t) => t.mapping)?.mapping!.code;
}
