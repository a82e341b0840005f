import { readEdifact } from '../edi/edifact/index.js';
import { EdiSyntaxError, type EdiInterchange, type EdiTransaction, type EdiTree } from '../edi/types.js';
import { readX12 } from '../edi/x12/index.js';
import { HubError } from '../errors/hub-error.js';
import type { FormatDefinition } from '../mapping/registry.js';

export type EdiSyntax = 'x12' | 'edifact';

/**
 * The text of an EDI body: UTF-8 when it is valid UTF-8 (EDIFACT UNOW, and plain ASCII), else Latin-1 (EDIFACT
 * UNOB/UNOC, X12 extended character sets): every byte is then a character, so nothing is lost.
 */
export function decodeEdi(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** Reads an interchange of the syntax; a body that is not that syntax at all is HUB_ERR_EDI_ENVELOPE (400). */
export function readInterchange(syntax: EdiSyntax, text: string): EdiInterchange {
  // No EDI syntax allows a NUL (and PostgreSQL cannot store one in text): refused whole, saying where.
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new HubError('HUB_ERR_EDI_ENVELOPE', `The interchange holds a NUL character (byte 0x00) at line ${line}, which no ${syntax === 'x12' ? 'X12' : 'EDIFACT'} character set allows; remove it and send the interchange again.`, { errors: [{ message: 'NUL character (byte 0x00)', line }] });
  }
  try {
    return syntax === 'x12' ? readX12(text) : readEdifact(text);
  } catch (error) {
    if (error instanceof EdiSyntaxError) {
      throw new HubError('HUB_ERR_EDI_ENVELOPE', `The interchange cannot be read as ${syntax === 'x12' ? 'X12' : 'EDIFACT'}: ${error.message}`, { errors: [{ message: error.problem.message, ...(error.problem.line ? { line: error.problem.line } : {}) }] });
    }
    throw error;
  }
}

/**
 * The stored text of one transaction: its interchange's header segments (ISA and GS; UNA, UNB and UNG) and the
 * transaction's own segments, exactly as posted. Read back at transform time to give the mapping its tree.
 */
export function transactionText(text: string, ic: EdiInterchange, group: EdiInterchange['groups'][number], tx: EdiTransaction): string {
  const head = text.slice(0, ic.header.end);
  const groupHeader = group.header ? text.slice(group.header.start, group.header.end) : '';
  return `${head}${groupHeader}${text.slice(tx.start, tx.end)}`;
}

/** The tree of a stored transaction (transactionText), for its mapping. */
export function transactionTree(syntax: EdiSyntax, bytes: Uint8Array): EdiTree {
  const ic = readInterchange(syntax, decodeEdi(bytes));
  const tx = ic.groups[0]?.transactions[0];
  if (!tx) throw new HubError('HUB_ERR_MAPPING', 'The stored transaction holds no transaction set to map.');
  return tx.tree;
}

function versionOf(group: EdiInterchange['groups'][number], tx: EdiTransaction): string {
  return tx.version || group.version;
}

/**
 * The partner's format for a transaction: its transaction set (message type), a version it accepts and, when
 * the format has one, its detect.when condition over the tree. Undefined when none of the partner's formats
 * takes it.
 */
export async function formatOfTransaction(candidates: readonly FormatDefinition[], group: EdiInterchange['groups'][number], tx: EdiTransaction): Promise<FormatDefinition | undefined> {
  const version = versionOf(group, tx);
  for (const format of candidates) {
    const edi = format.edi;
    if (!edi || edi.transactionSet !== tx.setId) continue;
    if (edi.versions.length && !edi.versions.some((v) => version.startsWith(v))) continue;
    if (edi.when && !(await edi.when.evaluate(tx.tree).catch(() => false))) continue;
    return format;
  }
  return undefined;
}

/** The strings an expression over the tree gave (a document number, sender ids), flattened, trimmed, non-empty. */
export async function treeStrings(expression: { evaluate(tree: unknown): Promise<unknown> }, tree: EdiTree): Promise<string[]> {
  const value = await expression.evaluate(tree).catch(() => undefined);
  return [...new Set([value].flat(Infinity).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map((v) => String(v).trim()).filter(Boolean))];
}
