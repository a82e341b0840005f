/**
 * Control numbers of what the hub sends a partner (migrations/010_interchanges.sql, table control_numbers): one
 * sequence per partner, syntax and kind (interchange: ISA13 / UNB 0020; group: GS06 / UNG 0048; transaction:
 * ST02 / UNH 0062), shared by the acknowledgements the intake sends (997, 999, TA1, CONTRL) and the documents the
 * hub sends, since the partner sees them all as interchanges from the hub.
 *
 * Taken in the caller's PostgreSQL transaction, the one that stores what carries the numbers, so they are
 * increasing and gap-free: the upsert locks the row until that transaction ends, a second hub process asking for
 * the same sequence waits for it, and a rolled-back transaction gives its numbers back. The rows are always taken in
 * the same order (interchange, group, transaction), as the acknowledgement path takes them, so two callers cannot
 * deadlock. A document is numbered once: a retry sends the numbers stored with it, it does not take new ones.
 */
import type { Queryable } from '../db/database.js';
import type { AckNumbers } from './types.js';

export type ControlNumberKind = 'interchange' | 'group' | 'transaction';

/** The first number of each kind for one interchange; group i has `group + i`, transaction j `transaction + j`. */
export type ControlNumbers = AckNumbers;

/**
 * Takes the next `count` numbers of one sequence in the caller's transaction and returns the first (the sequence
 * starts at 1). The row stays locked until the caller's transaction ends.
 */
export async function takeControlNumbers(tx: Queryable, partner: string, syntax: string, kind: ControlNumberKind, count = 1): Promise<number> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`takeControlNumbers: count ${count} must be a positive integer`);
  const { rows } = await tx.query<{ last: string | number }>(
    `INSERT INTO control_numbers (partner, syntax, kind, last) VALUES ($1, $2, $3, $4)
     ON CONFLICT (partner, syntax, kind) DO UPDATE SET last = control_numbers.last + $4 RETURNING last`,
    [partner, syntax, kind, count],
  );
  return Number(rows[0]!.last) - count + 1;
}

/**
 * The numbers of one outbound interchange for (partner, syntax): one interchange number, `groups` group numbers
 * (0 for EDIFACT without UNG: group is then 0) and `transactions` transaction numbers, in the caller's transaction.
 */
export async function allocateInterchangeNumbers(tx: Queryable, partner: string, syntax: 'x12' | 'edifact',
  counts: { groups: number; transactions: number }): Promise<ControlNumbers> {
  if (!Number.isInteger(counts.transactions) || counts.transactions < 1) {
    throw new RangeError('allocateInterchangeNumbers: an interchange carries at least one transaction');
  }
  if (!Number.isInteger(counts.groups) || counts.groups < 0 || (syntax === 'x12' && counts.groups < 1)) {
    throw new RangeError(`allocateInterchangeNumbers: ${counts.groups} groups (an X12 interchange has at least one)`);
  }
  const interchange = await takeControlNumbers(tx, partner, syntax, 'interchange');
  const group = counts.groups > 0 ? await takeControlNumbers(tx, partner, syntax, 'group', counts.groups) : 0;
  const transaction = await takeControlNumbers(tx, partner, syntax, 'transaction', counts.transactions);
  return { interchange, group, transaction };
}
