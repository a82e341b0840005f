import type pg from 'pg';
import { Database } from '../src/db/database.js';

/** One statement a store ran through a TimedDatabase. */
export interface TimedStatement {
  sql: string;
  params: unknown[];
  ms: number;
  rows: number | null;
  error?: string;
}

/**
 * The hub's Database, recording every statement run through `query` with its duration: the benchmark sees
 * the SQL the stores really send (to EXPLAIN it) and how long each retention batch took.
 */
export class TimedDatabase extends Database {
  statements: TimedStatement[] = [];

  override async query<R extends pg.QueryResultRow = any>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    const started = performance.now();
    try {
      const result = await super.query<R>(sql, params);
      this.statements.push({ sql, params, ms: performance.now() - started, rows: result.rowCount });
      return result;
    } catch (error) {
      this.statements.push({ sql, params, ms: performance.now() - started, rows: null, error: (error as Error).message });
      throw error;
    }
  }

  /** The last statement run, for EXPLAIN. */
  last(): TimedStatement {
    const statement = this.statements[this.statements.length - 1];
    if (!statement) throw new Error('no statement was run through this database');
    return statement;
  }
}
