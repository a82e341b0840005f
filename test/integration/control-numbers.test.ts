/**
 * Control numbers of outbound interchanges on a real PostgreSQL, taken by two hub-like callers at once (two
 * connection pools, as two hub processes have), interleaved with the acknowledgements' own path
 * (InterchangeStore.nextNumbers) on the same sequences, some transactions rolled back: every committed interchange,
 * group and transaction number is used exactly once and the committed numbers are 1..n with no gap.
 */
import { expect } from 'chai';
import { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { allocateInterchangeNumbers, type ControlNumbers } from '../../src/edi/control-numbers.js';
import { InterchangeStore } from '../../src/store/interchanges.js';
import { databaseUrl, dropSchema } from '../helpers/test-hub.js';

const CALLS = 160;

interface Taken {
  syntax: 'x12' | 'edifact';
  numbers: ControlNumbers;
  groups: number;
  transactions: number;
}

/** The ranges [first, first + count) of all callers, sorted: they must tile 1..n exactly. */
function expectTiled(ranges: Array<[first: number, count: number]>, what: string): void {
  const sorted = ranges.filter(([, count]) => count > 0).sort((a, b) => a[0] - b[0]);
  let next = 1;
  for (const [first, count] of sorted) {
    expect(first, `${what}: the range after ${next - 1} starts at ${first} (a gap or a number used twice)`).to.equal(next);
    next = first + count;
  }
}

describe('control numbers of outbound interchanges (two hub processes at once)', function () {
  this.timeout(120_000);
  const schema = `cn${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let pools: Database[] = [];

  before(async () => {
    await migrate(databaseUrl(), schema);
    pools = [0, 1].map((i) => new Database({ url: databaseUrl(), schema, poolSize: 6, applicationName: `control-numbers-test-${i}` }));
  });
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await dropSchema(schema);
  });

  it('never gives a committed number twice and leaves no gap, acknowledgements and documents sharing the sequences', async () => {
    const taken: Taken[] = [];
    const failures: string[] = [];
    let rolledBack = 0;
    const call = async (i: number): Promise<void> => {
      const db = pools[i % 2]!;
      const syntax = i % 4 === 3 ? 'edifact' : 'x12';
      const groups = syntax === 'edifact' ? i % 2 : 1 + (i % 3);
      const transactions = groups + (i % 5);
      const rollBack = i % 7 === 0;
      try {
        const committed = await db.transaction(async (tx) => {
          let numbers: ControlNumbers;
          if (i % 5 === 1) {
            // The acknowledgement path of the intake (src/pipeline/intake-edi.ts), on the same sequences.
            const store = new InterchangeStore(db);
            numbers = {
              interchange: await store.nextNumbers(tx, 'acme', syntax, 'interchange'),
              group: groups ? await store.nextNumbers(tx, 'acme', syntax, 'group', groups) : 0,
              transaction: await store.nextNumbers(tx, 'acme', syntax, 'transaction', transactions),
            };
          } else {
            numbers = await allocateInterchangeNumbers(tx, 'acme', syntax, { groups, transactions });
          }
          // Hold the lock while "storing the interchange", so the other pool's callers queue on the row.
          await tx.query('SELECT pg_sleep(0.002)');
          if (rollBack) throw new Error('rolled back on purpose');
          return numbers;
        });
        taken.push({ syntax, numbers: committed, groups, transactions });
      } catch (error) {
        if ((error as Error).message === 'rolled back on purpose') rolledBack++;
        else failures.push(`call ${i}: ${(error as Error).message}`);
      }
    };
    await Promise.all(Array.from({ length: CALLS }, (_, i) => call(i)));

    expect(failures, 'no deadlock, no error').to.deep.equal([]);
    expect(rolledBack).to.be.greaterThan(10);
    expect(taken).to.have.length(CALLS - rolledBack);
    for (const syntax of ['x12', 'edifact'] as const) {
      const mine = taken.filter((t) => t.syntax === syntax);
      expect(mine.length, syntax).to.be.greaterThan(20);
      expectTiled(mine.map((t) => [t.numbers.interchange, 1]), `${syntax} interchange`);
      expectTiled(mine.map((t) => [t.numbers.group, t.groups]), `${syntax} group`);
      expectTiled(mine.map((t) => [t.numbers.transaction, t.transactions]), `${syntax} transaction`);
      const { rows } = await pools[0]!.query<{ kind: string; last: number }>('SELECT kind, last FROM control_numbers WHERE partner = $1 AND syntax = $2 ORDER BY kind', ['acme', syntax]);
      const sum = (f: (t: Taken) => number): number => mine.reduce((n, t) => n + f(t), 0);
      const expected = [['group', sum((t) => t.groups)], ['interchange', mine.length], ['transaction', sum((t) => t.transactions)]].filter(([, n]) => n !== 0);
      expect(rows.map((r) => [r.kind, Number(r.last)]), `${syntax}: the table's last numbers are the committed counts`).to.deep.equal(expected);
    }
  });

  it('keeps one sequence per partner and syntax, starting at 1', async () => {
    const first = await pools[1]!.transaction((tx) => allocateInterchangeNumbers(tx, 'globex', 'edifact', { groups: 0, transactions: 3 }));
    const second = await pools[0]!.transaction((tx) => allocateInterchangeNumbers(tx, 'globex', 'edifact', { groups: 2, transactions: 2 }));
    expect(first).to.deep.equal({ interchange: 1, group: 0, transaction: 1 });
    expect(second).to.deep.equal({ interchange: 2, group: 1, transaction: 4 });
    const x12 = await pools[0]!.transaction((tx) => allocateInterchangeNumbers(tx, 'globex', 'x12', { groups: 1, transactions: 1 }));
    expect(x12).to.deep.equal({ interchange: 1, group: 1, transaction: 1 });
  });
});
