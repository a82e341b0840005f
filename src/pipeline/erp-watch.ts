import { abortableSleep } from '../util/sleep.js';
import type { Logger } from 'pino';
import type { OutboundWatch, WatchedDocument } from '../adapters/contract.js';
import type { Database } from '../db/database.js';
import { errorSummary, isHubErrorLike } from '../errors/hub-error.js';
import type { AuditLog } from '../store/audit-log.js';
import type { MessageStore } from '../store/message-store.js';
import { intakeOutbound, type OutboundDeps } from './outbound.js';

/**
 * The ERP watch: adapters that watch their ERP for the documents that go out (Adapter.outbound) are polled here, in
 * the worker processes, one process at a time per adapter (the advisory lock `erp-watch:<adapter>`). Each document
 * found is handed to the outbound intake as if the ERP had posted it (source = the adapter's name, source id = the
 * ERP record's id, so a document seen twice is one message); the adapter's cursor is stored only after every
 * document of its page is stored, so a crash repeats a poll, harmlessly, and never skips one. A document the hub
 * refuses (no partner for its party, invalid, other content under an id already taken) is logged, recorded once in
 * erp_watch_refusals and audited, and the poll goes on: it is not retried until the ERP writes the record again.
 */

/** What the watch needs of the hub. */
export interface ErpWatchDeps {
  db: Database;
  /** For the advisory lock (withLock). */
  store: Pick<MessageStore, 'withLock'>;
  outbound: OutboundDeps;
  audit: Pick<AuditLog, 'record'>;
  logger: Logger;
}

/** What one poll (of one or more pages) did. */
export interface WatchResult {
  pages: number;
  accepted: number;
  duplicates: number;
  refused: number;
  skipped: number;
}

/** Pages one round takes at most before it lets the interval pass (a backlog is worked through over rounds). */
const MAX_PAGES_PER_ROUND = 20;

/** Codes of a refusal that is about the document itself: recorded and passed over. Anything else stops the poll. */
function refusedForGood(error: unknown): boolean {
  return isHubErrorLike(error) && !error.retryable;
}

/** The stored cursor of an adapter's watch (undefined before its first page). */
export async function readCursor(db: Database, adapter: string): Promise<string | undefined> {
  const { rows } = await db.query<{ cursor: string }>('SELECT cursor FROM erp_watch_cursors WHERE adapter = $1', [adapter]);
  return rows[0]?.cursor;
}

async function storeCursor(db: Database, adapter: string, cursor: string, counts: { accepted: number; duplicates: number; refused: number }): Promise<void> {
  await db.query(
    `INSERT INTO erp_watch_cursors (adapter, cursor, polled_at, accepted, duplicates, refused) VALUES ($1, $2, now(), $3, $4, $5)
     ON CONFLICT (adapter) DO UPDATE SET cursor = EXCLUDED.cursor, polled_at = now(), accepted = EXCLUDED.accepted, duplicates = EXCLUDED.duplicates, refused = EXCLUDED.refused`,
    [adapter, cursor, counts.accepted, counts.duplicates, counts.refused],
  );
}

/** Records a refusal once per record and reason (again: counted); true when it is new. */
async function recordRefusal(db: Database, adapter: string, found: WatchedDocument, error: { code: string; message: string; errors?: unknown[] }): Promise<boolean> {
  const { rows } = await db.query<{ times: number }>(
    `INSERT INTO erp_watch_refusals (adapter, source_id, code, detail, errors, document_type, document_number, document)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (adapter, source_id, code) DO UPDATE SET detail = EXCLUDED.detail, errors = EXCLUDED.errors, document = EXCLUDED.document,
       last_at = now(), times = erp_watch_refusals.times + 1
     RETURNING times`,
    [
      adapter,
      found.sourceId,
      error.code,
      error.message,
      error.errors?.length ? JSON.stringify(error.errors) : null,
      typeof found.document?.type === 'string' ? found.document.type : null,
      typeof found.document?.documentNumber === 'string' ? found.document.documentNumber.slice(0, 512) : null,
      JSON.stringify(found.document ?? null),
    ],
  );
  return rows[0]?.times === 1;
}

/**
 * One round of an adapter's watch: poll from the stored cursor, hand every document to the outbound intake, store
 * the cursor; again at once while the adapter says more is waiting (up to MAX_PAGES_PER_ROUND pages). A failure to
 * read the ERP or to store a document throws before the cursor moves: the next round repeats the page.
 */
export async function pollOnce(adapter: string, watch: OutboundWatch, deps: ErpWatchDeps, signal: AbortSignal): Promise<WatchResult> {
  const result: WatchResult = { pages: 0, accepted: 0, duplicates: 0, refused: 0, skipped: 0 };
  for (let page = 0; page < MAX_PAGES_PER_ROUND && !signal.aborted; page++) {
    const cursor = await readCursor(deps.db, adapter);
    const found = await watch.poll(cursor, signal);
    const counts = { accepted: 0, duplicates: 0, refused: 0 };
    for (const item of found.documents) {
      try {
        const request = { documentId: item.sourceId, document: item.document, ...(item.partner ? { partner: item.partner } : {}) };
        const taken = await intakeOutbound(request, adapter, deps.outbound);
        counts[taken.outcome === 'accepted' ? 'accepted' : 'duplicates']++;
        if (taken.outcome === 'accepted') {
          deps.logger.info({ adapter, sourceId: item.sourceId, messageId: taken.id, partner: taken.partner, format: taken.format }, 'ERP document taken');
        }
      } catch (error) {
        if (!refusedForGood(error)) throw error;
        counts.refused++;
        const summary = errorSummary(error);
        const first = await recordRefusal(deps.db, adapter, item, summary);
        deps.logger[first ? 'warn' : 'debug']({ adapter, sourceId: item.sourceId, code: summary.code, reason: summary.message }, 'ERP document refused');
        if (first) {
          const detail = `${item.sourceId}: ${summary.message}`.slice(0, 2000);
          await deps.audit.record({ event: 'document.rejected', actor: `adapter:${adapter}`, code: summary.code, detail });
        }
      }
    }
    await storeCursor(deps.db, adapter, found.cursor, counts);
    result.pages++;
    result.accepted += counts.accepted;
    result.duplicates += counts.duplicates;
    result.refused += counts.refused;
    result.skipped += found.skipped ?? 0;
    if (!found.more) break;
  }
  return result;
}

const sleep = abortableSleep;

/**
 * Runs every watching adapter's rounds on its interval in this process. Every worker process runs one; the advisory
 * lock lets one of them poll an adapter at a time, and a process that dies hands the watch to the next that tries.
 */
export class ErpWatcher {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly watches: ReadonlyArray<{ adapter: string; watch: OutboundWatch }>,
    private readonly deps: ErpWatchDeps,
  ) {}

  /** The watching adapters of a registry: those whose instance has `outbound`. */
  static watchesOf(instances: ReadonlyArray<{ config: { name: string }; adapter: { outbound?: OutboundWatch } }>): Array<{ adapter: string; watch: OutboundWatch }> {
    return instances.filter((i) => i.adapter.outbound).map((i) => ({ adapter: i.config.name, watch: i.adapter.outbound! }));
  }

  start(): void {
    if (this.loops.length) return;
    this.loops = this.watches.map(({ adapter, watch }) => this.run(adapter, watch));
  }

  async close(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private async run(adapter: string, watch: OutboundWatch): Promise<void> {
    const { signal } = this.abort;
    const log = this.deps.logger.child({ erpWatch: adapter });
    while (!signal.aborted) {
      try {
        const result = await this.deps.store.withLock(`erp-watch:${adapter}`, () => pollOnce(adapter, watch, this.deps, signal));
        if (result && (result.accepted || result.refused)) log.info(result, 'ERP watch round');
      } catch (error) {
        if (!signal.aborted) log.warn({ err: errorSummary(error) }, 'ERP watch round failed; the same page is polled again next round');
      }
      await sleep(watch.intervalSeconds * 1000, signal);
    }
  }
}
