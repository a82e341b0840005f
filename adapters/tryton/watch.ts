import { HubError, type Adapter } from 'b2b-hub/adapter-kit';
import type { TrytonClient } from './json-rpc-client.js';
import { unitCodesOf, WATCHED_KINDS, type Row, type WatchedKind } from './watch-documents.js';

/** The watch contract (src/adapters/contract.ts OutboundWatch), as the adapter kit's Adapter carries it. */
type OutboundWatch = NonNullable<Adapter['outbound']>;
type WatchPage = Awaited<ReturnType<OutboundWatch['poll']>>;

/** Options of the watch (adapter options watchIntervalSeconds, watchPageSize, watchFrom, watchDocuments). */
export interface WatchOptions {
  intervalSeconds: number;
  pageSize: number;
  /** 'now': documents of records written from the first poll on; or an ISO date-time to start from. */
  from: string;
  documents: ReadonlyArray<WatchedKind['type']>;
  units: Readonly<Record<string, string>>;
}

/**
 * Where the watch stands in one model: the second of the newest write_date handed over (Tryton's JSON-RPC gives
 * write_date to the second) and the ids already handed over of that second, so that records written in the same
 * second, before or after the poll, are neither skipped nor handed over twice.
 */
interface ModelCursor {
  since: string;
  seen: number[];
}

/** The adapter's cursor (opaque to the hub): per model, and the day the watch began (older records are left alone). */
interface Cursor {
  version: 1;
  startDate: string;
  models: Record<string, ModelCursor>;
}

const EPOCH = '1970-01-01T00:00:00Z';

/** An ISO UTC date-time as a Tryton datetime (UTC, as trytond stores it). */
function trytonDateTime(iso: string): Record<string, unknown> {
  const d = new Date(iso);
  return {
    __class__: 'datetime',
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    microsecond: 0,
  };
}

const secondOf = (value: unknown): string => new Date(String(value)).toISOString().replace(/\.\d{3}Z$/, 'Z');
const nextSecond = (iso: string): string => new Date(new Date(iso).getTime() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function parseCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined;
  try {
    const cursor = JSON.parse(text) as Cursor;
    if (cursor.version === 1 && typeof cursor.startDate === 'string' && cursor.models && typeof cursor.models === 'object') return cursor;
  } catch {
    /* refused below */
  }
  throw new HubError('HUB_ERR_CONFIG', `the Tryton watch's stored cursor is not one it wrote (${text.slice(0, 80)}); delete its row of erp_watch_cursors to start again`);
}

/**
 * Watching Tryton for the documents that go out (docs/erp-tryton.md, "What the adapter watches"): every poll reads,
 * per watched model, the next page of records in a sending state by write_date after the cursor, and turns them into
 * canonical documents with the record as source id (`purchase.purchase,42`). The first poll only notes where Tryton
 * stands (option watchFrom: now), so turning the watch on does not send the past.
 */
export function createWatch(client: TrytonClient, options: WatchOptions): OutboundWatch {
  const unitCodes = unitCodesOf(options.units);
  const kinds = options.documents.map((type) => WATCHED_KINDS[type]);

  /** Where a model stands when the watch begins: its newest record in a sending state, and the ids of that second. */
  async function startOf(kind: WatchedKind, signal: AbortSignal): Promise<ModelCursor> {
    const newestFirst: [string, string][] = [['write_date', 'DESC'], ['id', 'DESC']];
    const [newest] = await client.searchRead<Row>(kind.model, [...kind.domain, ['write_date', '!=', null]], ['write_date'], { limit: 1, order: newestFirst, signal });
    if (!newest) return { since: EPOCH, seen: [] };
    const since = secondOf(newest.write_date);
    const same = await client.searchRead<Row>(kind.model, [...kind.domain, ['write_date', '>=', trytonDateTime(since)]], ['write_date'], { signal });
    return { since, seen: same.filter((row) => secondOf(row.write_date) === since).map((row) => row.id as number) };
  }

  async function pageOf(kind: WatchedKind, at: ModelCursor, startDate: string, signal: AbortSignal): Promise<{ rows: Row[]; next: ModelCursor; full: boolean }> {
    const [year, month, day] = startDate.split('-').map(Number);
    const laterSecond = [['write_date', '>=', trytonDateTime(nextSecond(at.since))]];
    const sameSecondNotSeen = [['write_date', '>=', trytonDateTime(at.since)], ['id', 'not in', at.seen]];
    const domain = [...kind.domain, [kind.dateField, '>=', { __class__: 'date', year, month, day }], ['OR', laterSecond, sameSecondNotSeen]];
    const oldestFirst: [string, string][] = [['write_date', 'ASC'], ['id', 'ASC']];
    const rows = await client.searchRead<Row>(kind.model, domain, ['write_date', ...kind.fields], { limit: options.pageSize, order: oldestFirst, signal });
    let next = at;
    for (const row of rows) {
      const second = secondOf(row.write_date);
      next = second === next.since ? { since: second, seen: [...next.seen, row.id as number] } : { since: second, seen: [row.id as number] };
    }
    return { rows, next, full: rows.length >= options.pageSize };
  }

  return {
    intervalSeconds: options.intervalSeconds,
    async poll(text, signal): Promise<WatchPage> {
      let cursor = parseCursor(text);
      if (!cursor) {
        const started = options.from === 'now' ? undefined : new Date(options.from).toISOString().replace(/\.\d{3}Z$/, 'Z');
        const models: Record<string, ModelCursor> = {};
        for (const kind of kinds) models[kind.model] = started ? { since: started, seen: [] } : await startOf(kind, signal);
        cursor = { version: 1, startDate: (started ?? new Date().toISOString()).slice(0, 10), models };
        // Nothing is handed over by the first poll of a watch from now: it notes where Tryton stands.
        if (!started) return { documents: [], cursor: JSON.stringify(cursor), more: true };
      }
      const documents: WatchPage['documents'] = [];
      const models = { ...cursor.models };
      let more = false;
      let skipped = 0;
      for (const kind of kinds) {
        const page = await pageOf(kind, models[kind.model] ?? { since: EPOCH, seen: [] }, cursor.startDate, signal);
        for (const { row, document } of await kind.documents(page.rows, { client, unitCodes, signal })) {
          if (document) documents.push({ sourceId: `${kind.model},${row.id as number}`, document });
          else skipped++;
        }
        models[kind.model] = page.next;
        more ||= page.full;
      }
      return { documents, cursor: JSON.stringify({ ...cursor, models }), more, skipped };
    },
  };
}
