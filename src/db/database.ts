import pg from 'pg';
import { HubError } from '../errors/hub-error.js';

// bigint (count(*), bigserial) as a JS number: the hub's counts and ids stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/** A pool, a client or a transaction: anything that runs a parameterised query. */
export interface Queryable {
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A schema name the hub accepts: it is written into SQL (search_path), so only plain identifiers. */
export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export interface DatabaseOptions {
  url: string;
  schema: string;
  poolSize?: number;
  /** Longest a statement may run before PostgreSQL cancels it. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection (PostgreSQL down: a 503 quickly rather than a hang). */
  connectTimeoutMs?: number;
  /** More requests than this waiting for a free connection: the pool is overloaded (see overloaded()). */
  maxWaiting?: number;
  applicationName?: string;
  /** Told how long each statement outside a transaction, each transaction and each COMMIT took (metrics). */
  observe?: (operation: StoreOperation, seconds: number) => void;
}

/** A small, bounded name for what the pool ran: a statement's verb, a whole transaction, or its COMMIT. */
export type StoreOperation = 'select' | 'insert' | 'update' | 'delete' | 'other' | 'transaction' | 'commit';

/** The verb of a statement (a CTE counts as other: it may write). */
export function statementOperation(sql: string): StoreOperation {
  const verb = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toLowerCase();
  return verb === 'select' || verb === 'insert' || verb === 'update' || verb === 'delete' ? verb : 'other';
}

const secondsSince = (started: number) => (performance.now() - started) / 1000;

/** SQLSTATE classes and socket errors that mean "the database is not reachable now", not "the query is wrong". */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  const code = e.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300'].includes(code) || code.startsWith('08')) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(e.message ?? '');
}

/**
 * The hub's PostgreSQL connection pool, every connection on the hub's schema with synchronous commit on (a
 * COMMIT returns only once the WAL is on disk: the 202 is sent after that).
 */
export class Database {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly maxWaiting: number;
  private readonly observe: NonNullable<DatabaseOptions['observe']>;

  constructor(options: DatabaseOptions) {
    if (!SCHEMA_PATTERN.test(options.schema)) throw new HubError('HUB_ERR_CONFIG', `database.schema "${options.schema}" must be a lower-case identifier (letters, digits, _)`);
    this.schema = options.schema;
    this.maxWaiting = options.maxWaiting ?? 50;
    this.observe = options.observe ?? (() => {});
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      application_name: options.applicationName ?? 'b2b-hub',
      options: `-c search_path=${options.schema} -c synchronous_commit=on -c statement_timeout=${options.statementTimeoutMs ?? 60_000}`,
    });
    // An idle connection dropped by a restarting server is not an error of any request; a checked-out one that
    // drops fails its query (the caller sees that) and must not also end the process with an unheard 'error'.
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => client.on('error', () => {}));
  }

  async query<R extends pg.QueryResultRow = any>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    const started = performance.now();
    try {
      return await this.pool.query<R>(sql, params);
    } finally {
      this.observe(statementOperation(sql), secondsSince(started));
    }
  }

  /** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const started = performance.now();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      const committing = performance.now();
      await client.query('COMMIT');
      this.observe('commit', secondsSince(committing));
      this.observe('transaction', secondsSince(started));
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Every connection is busy and more than `maxWaiting` requests already wait for one: a new request would wait
   * up to the connect timeout, and its client might give up first not knowing whether its document was stored.
   */
  overloaded(): boolean {
    return this.pool.waitingCount > this.maxWaiting;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
