import { matchReceivedAcknowledgement } from './outbound.js';
import type { OutboundStore } from '../store/outbound-store.js';
import { interchangeWarnings, strictEnvelope } from '../edi/warnings.js';
import { createHash } from 'node:crypto';
import type { PartnerConfig } from '../config/types.js';
import type { Database } from '../db/database.js';
import { buildContrl } from '../edi/edifact/index.js';
import type { AckNumbers, EdiGroup, EdiInterchange, EdiProblem, EdiTransaction } from '../edi/types.js';
import { build997, build999, buildTA1, read997 } from '../edi/x12/index.js';
import { readContrl } from '../edi/edifact/index.js';
import { HubError } from '../errors/hub-error.js';
import { decodeEdi, formatOfTransaction, readInterchange, transactionText, treeStrings, type EdiSyntax } from '../formats/edi.js';
import type { FormatDefinition } from '../mapping/registry.js';
import type { AcknowledgementRecord, InterchangeRecord, InterchangeStore } from '../store/interchanges.js';
import type { PartnerMailbox } from '../store/partner-mailbox.js';
import type { RefusalStore } from '../store/refusal-store.js';
import { uuidv7 } from '../util/ids.js';
import { enqueueCommitted, partnerFormats, type IntakeDeps } from './intake.js';

export interface EdiIntakeDeps extends IntakeDeps {
  db: Database;
  interchanges: InterchangeStore;
  mailbox: PartnerMailbox;
  refusals: RefusalStore;
  /** Outbound documents: a partner's 997/999 or CONTRL is matched to the ones it acknowledges. */
  outboundStore?: OutboundStore;
}

/** One transaction of the interchange and what became of it. */
export interface TransactionOutcome {
  group: string;
  setId: string;
  controlNumber: string;
  /**
   * accepted (a new message), duplicate (the same bytes were stored before: the original message), rejected, or
   * acknowledgement: the partner's 997/999 or CONTRL, kept with what it acknowledges (not a message).
   */
  outcome: 'accepted' | 'duplicate' | 'rejected' | 'acknowledgement';
  id?: string;
  documentType?: string;
  documentNumber?: string;
  problems: EdiProblem[];
}

export interface InterchangeResult {
  interchange: InterchangeRecord;
  /** The same interchange (same sender, control number and bytes) was taken before: nothing new was stored. */
  duplicate: boolean;
  transactions: TransactionOutcome[];
  acknowledgements: AcknowledgementRecord[];
}

/** Transactions of one interchange judged and stored at once (each takes a PostgreSQL connection for its commit). */
const TRANSACTIONS_AT_ONCE = 4;

/** Runs `run` over the items, at most `limit` at once, and returns the results in the items' order. */
async function inOrder<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

const MEDIA: Record<EdiSyntax, string> = { x12: 'application/edi-x12', edifact: 'application/edifact' };
const LABEL: Record<EdiSyntax, string> = { x12: 'X12', edifact: 'EDIFACT' };

function party(p: { qualifier: string; id: string }): string {
  return `${p.qualifier.trim()}:${p.id.trim()}`;
}

function problem(level: EdiProblem['level'], code: string, message: string, tx?: EdiTransaction): EdiProblem {
  return { level, code, message, ...(tx ? { segmentPosition: 1, segmentId: tx.segments[0]?.id ?? '' } : {}) };
}

/** Words for a problem in a refusal's errors: where it is and what is wrong. */
function errorItem(p: EdiProblem): { message: string; line?: number } {
  const where = [p.segmentId ? `segment ${p.segmentId}${p.segmentPosition ? ` (position ${p.segmentPosition})` : ''}` : '', p.elementPosition ? `element ${p.elementPosition}${p.componentPosition ? `.${p.componentPosition}` : ''}` : '']
    .filter(Boolean)
    .join(', ');
  return { message: `${where ? `${where}: ` : ''}${p.message}`, ...(p.line ? { line: p.line } : {}) };
}

/**
 * Takes one posted EDI interchange: read its envelope and check its counts and control numbers, refuse a
 * control number its sender used before (unless the bytes are the same: then the earlier outcome is returned),
 * then each transaction on its own: its partner format, its transaction set's rules, its number and sender,
 * stored as a message linked to the interchange and queued for its transform, as an XML document is. A
 * rejected transaction is stored as a refusal; the others go on. Then the acknowledgements the partner is
 * configured for (997/999 and TA1, or CONTRL), built from the same findings, stored with the interchange and put
 * in the partner's mailbox.
 */
export async function intakeInterchange(body: Buffer, syntax: EdiSyntax, partner: PartnerConfig, deps: EdiIntakeDeps, meta: { contentType?: string; address?: string } = {}): Promise<InterchangeResult> {
  if (deps.store.overloaded()) {
    throw new HubError('HUB_ERR_OVERLOADED', 'The hub is at capacity right now and did not look at this interchange; nothing was stored. Send it again after the Retry-After delay.');
  }
  const text = decodeEdi(body);
  // A partner configured strict (partners.<id>.x12.strictIsa) has the reader's warnings judged as problems.
  const read = readInterchange(syntax, text);
  const ic = syntax === 'x12' && partner.x12?.strictIsa ? strictEnvelope(read) : read;
  const sha256 = createHash('sha256').update(body).digest('hex');
  const envelopeBroken = ic.problems.length > 0;
  const count = ic.groups.reduce((n, g) => n + g.transactions.length, 0);
  const { record, found } = await deps.interchanges.record(deps.db, {
    partner: partner.id,
    syntax,
    sender: party(ic.sender),
    receiver: party(ic.receiver),
    controlNumber: ic.controlNumber,
    test: ic.test,
    sha256,
    size: body.length,
    status: 'rejected',
    transactions: count,
    accepted: 0,
    problems: ic.problems,
    bytes: body,
  });
  if (found && record.sha256 !== sha256) {
    throw new HubError(
      'HUB_ERR_INTERCHANGE_DUPLICATE',
      `Interchange control number ${ic.controlNumber} from ${party(ic.sender)} was already used on ${record.receivedAt} by an interchange with other content (/v1/interchanges/${record.id}); nothing of this one was taken. Give each interchange a new control number; to send the same interchange again, send the same bytes.`,
      { details: { originalInterchange: record.id, controlNumber: ic.controlNumber } },
    );
  }

  const candidates = partnerFormats(partner, deps.mappings).filter((f) => f.syntax === syntax);
  // The transactions are independent (each its own number and PostgreSQL transaction): a few at a time, in their
  // order in the answer, so a large interchange is not a thousand round trips one after another.
  const work = ic.groups.flatMap((group) => group.transactions.map((tx) => ({ group, tx })));
  const outcomes = await inOrder(work, TRANSACTIONS_AT_ONCE, ({ group, tx }) => takeTransaction(text, ic, group, tx, record, envelopeBroken, candidates, partner, deps, { ...meta, repeat: found }));
  const accepted = outcomes.filter((o) => o.outcome !== 'rejected').length;
  const status: InterchangeRecord['status'] = envelopeBroken || accepted === 0 ? 'rejected' : accepted < outcomes.length ? 'partial' : 'accepted';
  // The reader's warnings are kept with the problems, marked, so the interchange shows why its TA1 says E.
  const warnings = interchangeWarnings(ic).map((w) => ({ ...w, warning: true }));
  const problems = [...ic.problems, ...ic.groups.flatMap((g) => g.problems), ...outcomes.flatMap((o) => o.problems), ...warnings];
  await deps.interchanges.settle(deps.db, record.id, { status, accepted, problems });
  const settled: InterchangeRecord = { ...record, status, accepted, problems };

  // The same bytes again: the acknowledgements built the first time are the answer (built now if that post
  // ended before them).
  // An acknowledgement is never acknowledged: groups of 997/999 and interchanges of CONTRLs only are left out.
  let acknowledgements = found ? await deps.interchanges.acknowledgements(record.id) : [];
  const judged = withoutAcknowledgements(withOutcomes(ic, outcomes), outcomes);
  if (!acknowledgements.length && (judged.groups.length || judged.problems.length)) acknowledgements = await acknowledge(ic, judged, settled, partner, deps);
  return { interchange: settled, duplicate: found, transactions: outcomes, acknowledgements };
}

async function takeTransaction(
  text: string,
  ic: EdiInterchange,
  group: EdiGroup,
  tx: EdiTransaction,
  interchange: InterchangeRecord,
  envelopeBroken: boolean,
  candidates: readonly FormatDefinition[],
  partner: PartnerConfig,
  deps: EdiIntakeDeps,
  meta: { contentType?: string; address?: string; repeat: boolean },
): Promise<TransactionOutcome> {
  const base = { group: group.controlNumber, setId: tx.setId, controlNumber: tx.controlNumber };
  const reject = async (code: string, detail: string, problems: EdiProblem[], format?: FormatDefinition, documentNumber?: string): Promise<TransactionOutcome> => {
    const raw = Buffer.from(transactionText(text, ic, group, tx), 'latin1');
    // The same interchange sent again: its refusals were stored the first time.
    if (!meta.repeat) await deps.refusals.record({
      partner: partner.id,
      ...(meta.address ? { address: meta.address } : {}),
      httpStatus: code === 'HUB_ERR_DOCUMENT_CONFLICT' ? 409 : 422,
      code,
      detail,
      errors: problems.map(errorItem),
      ...(format ? { format: format.name, documentType: format.documentType } : {}),
      ...(documentNumber ? { documentNumber } : {}),
      contentType: meta.contentType ?? MEDIA[ic.syntax],
      size: raw.length,
      bytes: raw,
    });
    return { ...base, outcome: 'rejected', ...(format ? { documentType: format.documentType } : {}), ...(documentNumber ? { documentNumber } : {}), problems };
  };
  if (!envelopeBroken && !group.problems.length && !tx.problems.length && isAcknowledgement(ic, tx)) return receiveAcknowledgement(ic, tx, interchange, partner, deps, meta, base);
  const judged = await judgeTransaction(ic, group, tx, candidates, partner, envelopeBroken);
  if ('code' in judged) return reject(judged.code, judged.detail, judged.problems, judged.format, judged.documentNumber);
  const { format, documentNumber, sendingParty } = judged;
  const raw = Buffer.from(transactionText(text, ic, group, tx), 'latin1');
  const id = uuidv7();
  const outcome = await deps.store.accept(
    {
      id,
      partner: partner.id,
      format: format.name,
      documentType: format.documentType,
      documentNumber,
      sendingParty,
      sha256: createHash('sha256').update(raw).digest('hex'),
      raw,
      contentType: MEDIA[ic.syntax],
      interchangeId: interchange.id,
      keys: [
        { kind: 'documentNumber', value: documentNumber },
        { kind: format.senderParty === 'buyer' ? 'buyerPartyId' : 'sellerPartyId', value: sendingParty },
        { kind: 'interchange', value: ic.controlNumber },
      ],
    },
    { revisions: partner.duplicateNumbers === 'revision' },
  );
  if (outcome.outcome === 'conflict') {
    const p = problem('transaction', ic.syntax === 'x12' ? '5' : '26', `${format.documentType} ${documentNumber} from ${sendingParty} was already accepted as message ${outcome.originalId} with other content.`, tx);
    return reject('HUB_ERR_DOCUMENT_CONFLICT', `${LABEL[ic.syntax]} ${tx.setId} ${tx.controlNumber} (interchange ${ic.controlNumber}): ${p.message} To change it, send a change document or one with a new number.`, [p], format, documentNumber);
  }
  if (outcome.outcome === 'duplicate') return { ...base, outcome: 'duplicate', id: outcome.id, documentType: format.documentType, documentNumber, problems: [] };
  await enqueueCommitted(id, deps);
  deps.logger.info({ messageId: id, partner: partner.id, documentType: format.documentType, documentNumber, interchange: interchange.id }, 'EDI transaction accepted');
  return { ...base, outcome: 'accepted', id, documentType: format.documentType, documentNumber, problems: [] };
}

/** A partner's acknowledgement of what we sent: X12 997/999, EDIFACT CONTRL. */
/** A 997/999 or CONTRL: a partner's acknowledgement, kept and matched, never a document nor acknowledged back. */
export function isAcknowledgement(ic: EdiInterchange, tx: EdiTransaction): boolean {
  return ic.syntax === 'x12' ? tx.setId === '997' || tx.setId === '999' : tx.setId === 'CONTRL';
}

/**
 * Keeps a partner's 997/999 or CONTRL with the control number it acknowledges and what it says; it is matched to
 * the outbound interchange it names once the hub sends documents (issue 12). The same interchange again keeps
 * nothing new.
 */
async function receiveAcknowledgement(
  ic: EdiInterchange,
  tx: EdiTransaction,
  interchange: InterchangeRecord,
  partner: PartnerConfig,
  deps: EdiIntakeDeps,
  meta: { repeat: boolean },
  base: { group: string; setId: string; controlNumber: string },
): Promise<TransactionOutcome> {
  const report = ic.syntax === 'x12' ? read997(tx) : readContrl(tx);
  const acknowledges = 'groupControlNumber' in report ? report.groupControlNumber : report.interchange.reference;
  const status = 'groupControlNumber' in report ? ({ A: 'accepted', E: 'accepted with errors', P: 'partly rejected', R: 'rejected' } as Record<string, string>)[report.status] ?? report.status : report.outcome;
  let matched: string[] = [];
  if (!meta.repeat) {
    const id = await deps.interchanges.saveReceivedAck({ partner: partner.id, interchangeId: interchange.id, kind: tx.setId, acknowledges, status, report });
    // Matched to what we sent: our group's GS06 (997/999) or our interchange's UNB 0020 (CONTRL), per partner.
    if (deps.outboundStore) {
      matched = await matchReceivedAcknowledgement(deps.db, deps.outboundStore, partner.id, report);
      if (matched.length) await deps.interchanges.setAckMatch(id, matched[0]!);
    }
  }
  deps.logger.info({ partner: partner.id, kind: tx.setId, acknowledges, status, interchange: interchange.id, matched }, 'acknowledgement received');
  return { ...base, outcome: 'acknowledgement', documentType: tx.setId, documentNumber: acknowledges, problems: [] };
}

/** A transaction the hub takes: its format, number and sending party. */
export interface TransactionTaken {
  format: FormatDefinition;
  documentNumber: string;
  sendingParty: string;
}

/** A transaction the hub refuses: the error code, the words, the problems for the acknowledgement. */
export interface TransactionRefused {
  code: string;
  detail: string;
  problems: EdiProblem[];
  format?: FormatDefinition;
  documentNumber?: string;
}

/**
 * What the hub makes of one transaction before storing anything (the intake and `hub ack` alike): refused when
 * its interchange's or group's envelope is wrong, when none of the partner's formats takes its set and version,
 * when it breaks its set's rules, has no number, or names a sender that is not one of the partner's party ids.
 */
export async function judgeTransaction(
  ic: EdiInterchange,
  group: EdiGroup,
  tx: EdiTransaction,
  candidates: readonly FormatDefinition[],
  partner: Pick<PartnerConfig, 'partyIds'>,
  envelopeBroken = ic.problems.length > 0,
): Promise<TransactionTaken | TransactionRefused> {
  const label = `${LABEL[ic.syntax]} ${tx.setId} ${tx.controlNumber} (interchange ${ic.controlNumber})`;
  if (envelopeBroken) {
    return { code: 'HUB_ERR_EDI_ENVELOPE', detail: `${label} was not taken: its interchange's envelope is wrong (${ic.problems.map((p) => p.message).join('; ')}).`, problems: [...ic.problems] };
  }
  if (group.problems.length) {
    return { code: 'HUB_ERR_EDI_ENVELOPE', detail: `${label} was not taken: its group's envelope is wrong (${group.problems.map((p) => p.message).join('; ')}).`, problems: [...group.problems] };
  }
  const format = await formatOfTransaction(candidates, group, tx);
  if (!format) {
    const sets = candidates.map((f) => `${f.edi!.transactionSet}${f.edi!.versions.length ? ` (${f.edi!.versions.join(', ')})` : ''}`);
    const p = problem('transaction', ic.syntax === 'x12' ? '1' : '14', `Transaction set ${tx.setId} version ${tx.version || group.version} is not one you may send; you may send ${sets.join(', ') || 'no ' + LABEL[ic.syntax]}.`, tx);
    return { code: 'HUB_ERR_DOCUMENT_TYPE_UNKNOWN', detail: `${label}: ${p.message}`, problems: [p] };
  }
  const [documentNumber] = await treeStrings(format.edi!.documentNumber, tx.tree);
  const numbered = documentNumber ? { documentNumber } : {};
  if (tx.problems.length) {
    const words = tx.problems.map((p) => errorItem(p).message);
    return { code: 'HUB_ERR_EDI_INVALID', detail: `${label} breaks the rules of its transaction set: ${words.slice(0, 5).join('; ')}${words.length > 5 ? ` and ${words.length - 5} more` : ''}.`, problems: [...tx.problems], format, ...numbered };
  }
  if (!documentNumber) {
    const p = problem('transaction', ic.syntax === 'x12' ? '5' : '13', `The ${format.documentType} has no document number at ${format.edi!.documentNumber.source}.`, tx);
    return { code: 'HUB_ERR_DOCUMENT_NUMBER_MISSING', detail: `${label}: ${p.message}`, problems: [p], format };
  }
  const senderIds = await treeStrings(format.edi!.sender, tx.tree);
  const sendingParty = senderIds.find((id) => partner.partyIds.includes(id));
  if (!sendingParty) {
    const p = problem('transaction', ic.syntax === 'x12' ? '5' : '23', senderIds.length ? `The ${format.senderParty} of this ${format.documentType} (${senderIds.join(', ')}) is not one of your party ids; you may only send documents in your own name.` : `This ${format.documentType} names no ${format.senderParty} identifier, so it cannot be checked against your party ids.`, tx);
    return { code: 'HUB_ERR_SENDER_MISMATCH', detail: `${label}: ${p.message}`, problems: [p], format, documentNumber };
  }
  return { format, documentNumber, sendingParty };
}

/**
 * The interchange as the acknowledgement builders see it: each transaction's problems are those that decided its
 * outcome (the rules of its set, and a refusal of the hub's own such as an unknown set or a foreign sender).
 */
export function withOutcomes(ic: EdiInterchange, outcomes: readonly TransactionOutcome[]): EdiInterchange {
  let i = 0;
  return {
    ...ic,
    groups: ic.groups.map((g) => ({
      ...g,
      transactions: g.transactions.map((tx) => {
        const o = outcomes[i++]!;
        return { ...tx, problems: o.outcome === 'rejected' ? (o.problems.length ? o.problems : [problem('transaction', '5', 'rejected', tx)]) : [] };
      }),
    })),
  };
}

/** Builds, stores and mails the acknowledgements the partner is configured for. */
/** The interchange without the groups whose transactions are all acknowledgements (nothing to acknowledge there). */
export function withoutAcknowledgements(ic: EdiInterchange, outcomes: readonly TransactionOutcome[]): EdiInterchange {
  const acks = new Set(outcomes.filter((o) => o.outcome === 'acknowledgement').map((o) => `${o.group}/${o.controlNumber}`));
  if (!acks.size) return ic;
  return { ...ic, groups: ic.groups.filter((g) => !g.transactions.length || !g.transactions.every((t) => acks.has(`${g.controlNumber}/${t.controlNumber}`))) };
}

/** The acknowledgements the partner is configured for, as text, with the numbers given (`hub ack` and the intake). */
export function acknowledgementTexts(judged: EdiInterchange, partner: Pick<PartnerConfig, 'acknowledgements'>, numbersFor: (kind: string) => AckNumbers): Array<{ kind: AcknowledgementKind; content: string }> {
  return acknowledgementKinds(judged, partner).map((kind) => ({ kind, content: buildAcknowledgement(kind, judged, numbersFor(kind)) }));
}

type AcknowledgementKind = '997' | '999' | 'TA1' | 'CONTRL';

function buildAcknowledgement(kind: AcknowledgementKind, judged: EdiInterchange, numbers: AckNumbers): string {
  return kind === '997' ? build997(judged, { numbers }) : kind === '999' ? build999(judged, { numbers }) : kind === 'TA1' ? buildTA1(judged, numbers) : buildContrl(judged, { numbers });
}

function acknowledgementKinds(ic: EdiInterchange, partner: Pick<PartnerConfig, 'acknowledgements'>): AcknowledgementKind[] {
  const wanted: AcknowledgementKind[] = [];
  if (ic.syntax === 'x12') {
    const ta1 = partner.acknowledgements.ta1;
    // A broken envelope gets its TA1 R, and one read through deviations its TA1 E (the partner learns what to fix).
    const noted = ic.problems.length > 0 || interchangeWarnings(ic).length > 0;
    if (ta1 === 'always' || (ta1 === 'when-requested' && ic.ackRequested) || (ta1 !== 'never' && noted)) wanted.push('TA1');
    if (!ic.problems.length && partner.acknowledgements.x12 !== 'none') wanted.push(partner.acknowledgements.x12);
  } else if (partner.acknowledgements.edifact === 'contrl') wanted.push('CONTRL');
  return wanted;
}

async function acknowledge(ic: EdiInterchange, judged: EdiInterchange, interchange: InterchangeRecord, partner: PartnerConfig, deps: EdiIntakeDeps): Promise<AcknowledgementRecord[]> {
  const wanted = acknowledgementKinds(ic, partner);
  if (!wanted.length) return [];
  return deps.db.transaction(async (tx) => {
    const out: AcknowledgementRecord[] = [];
    for (const kind of wanted) {
      const groups = kind === 'TA1' || kind === 'CONTRL' ? 0 : judged.groups.length;
      const numbers = {
        interchange: await deps.interchanges.nextNumbers(tx, partner.id, ic.syntax, 'interchange'),
        group: groups ? await deps.interchanges.nextNumbers(tx, partner.id, ic.syntax, 'group', groups) : 0,
        transaction: groups ? await deps.interchanges.nextNumbers(tx, partner.id, ic.syntax, 'transaction', groups) : kind === 'CONTRL' ? await deps.interchanges.nextNumbers(tx, partner.id, ic.syntax, 'transaction') : 0,
      };
      const content = buildAcknowledgement(kind, judged, numbers);
      const status = interchange.status;
      const saved = await deps.interchanges.saveAck(tx, { interchangeId: interchange.id, partner: partner.id, kind, controlNumber: String(numbers.interchange), status, content });
      await deps.mailbox.put(tx, { partner: partner.id, kind: 'acknowledgement', documentType: kind, documentNumber: String(numbers.interchange), contentType: MEDIA[ic.syntax], document: content, interchangeId: interchange.id });
      out.push(saved);
    }
    return out;
  });
}
