/**
 * The traffic overview (/console/overview, ops): documents received, delivered, failed and refused over the last
 * hour (per minute) and day (per 10 minutes), by partner, by type and by both; the queues per stage with their
 * oldest waiting job; each adapter's backlog, outcomes and health; refusals per partner and code. The page is
 * rendered whole by the server and then kept current by overview.js, which polls /console/overview.json (short
 * requests, so no connection stays open: a shutdown is never held up by a watching browser, see docs).
 * Figures are read at most every OVERVIEW_CACHE_MS per process, however many people watch.
 */
import type { Queue } from 'bullmq';
import { CANONICAL_TYPES } from '../canonical/types.js';
import { adapterTraffic, COUNT_CAP, OUTCOMES, TRAFFIC_WINDOWS, windowTraffic, type AdapterTraffic, type Outcome, type TrafficWindowName, type WindowTraffic } from '../store/traffic.js';
import { html, type SafeHtml } from './html.js';
import { AdapterHealthChecks, type HealthReading } from './overview-health.js';
import { PAGES } from './pages.js';
import { age, hubQueues, queueFigures, type QueueFigures } from './queues.js';
import type { ConsoleDeps, ConsoleRoute } from './routes.js';
import { layout } from './views.js';
import { send, when } from './page-kit.js';

/** A reading of the figures is shared by every request of this process for this long. */
export const OVERVIEW_CACHE_MS = 2_000;
/** How often overview.js asks for the figures while its tab is visible. */
export const OVERVIEW_POLL_SECONDS = 5;
/** Longest the overview waits for Redis (the queue counts); past it the queues say Redis did not answer. */
const QUEUE_READ_TIMEOUT_MS = 1_000;

const WINDOWS = Object.keys(TRAFFIC_WINDOWS) as TrafficWindowName[];
const WINDOW_LABEL: Record<TrafficWindowName, string> = { hour: 'Last hour', day: 'Last 24 hours' };
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const MESSAGE_OUTCOMES = ['received', 'delivered', 'failed'] as const;

interface AdapterFigures {
  name: string;
  type: string;
  traffic: AdapterTraffic;
  health: HealthReading;
}

/** One reading of everything the overview shows. */
export interface OverviewData {
  generatedAt: string;
  windows: Record<TrafficWindowName, WindowTraffic>;
  queues?: QueueFigures[];
  queueError?: string;
  adapters: AdapterFigures[];
}

/** What the page and its JSON show: every figure by its key (the page's data-field attributes), formatted. */
export interface OverviewFields {
  fields: Record<string, string>;
  /** Keys whose element carries a state (data-state), e.g. an adapter's health: ok, failing, down. */
  states: Record<string, string>;
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

const count = (n: number) => n.toLocaleString('en-US');
const capped = (n: number) => (n > COUNT_CAP ? `${count(COUNT_CAP)}+` : count(n));
const since = (iso: string | undefined, now: number) => (iso ? age(Math.max(0, Math.round((now - Date.parse(iso)) / 1000))) : '—');

/** The partners and, per partner, the document types its formats carry (the rows of the partner-and-type table). */
function partnerTypes(deps: Pick<ConsoleDeps, 'config' | 'mappings'>): Array<{ partner: string; types: string[] }> {
  return Object.entries(deps.config.partners).map(([partner, p]) => ({
    partner,
    types: [...new Set(p.formats.map((f) => deps.mappings.formats.find((m) => m.name === f)?.documentType).filter((t): t is NonNullable<typeof t> => Boolean(t)))],
  }));
}

function adapterState(a: AdapterFigures): string {
  if (a.health.state === 'down') return 'down';
  const failingNow = a.traffic.failedLastHour > 0 && (!a.traffic.lastDeliveredAt || (a.traffic.lastFailedAt ?? '') > a.traffic.lastDeliveredAt);
  if (failingNow) return 'failing';
  return a.health.state === 'ok' ? 'ok' : a.health.state;
}

function healthText(a: AdapterFigures): string {
  const state = adapterState(a);
  const check = a.health.state === 'none' ? 'no health check' : a.health.state === 'checking' ? 'checking…' : `${a.health.state}${a.health.detail ? `: ${a.health.detail}` : ''}`;
  return state === 'failing' ? `failing deliveries (check: ${check})` : check;
}

/** Every figure of a reading as text, by key. */
export function overviewFields(data: OverviewData, rows: ReturnType<typeof partnerTypes>): OverviewFields {
  const fields: Record<string, string> = {};
  const states: Record<string, string> = {};
  const now = Date.parse(data.generatedAt);
  fields.generatedAt = when(data.generatedAt);
  for (const w of WINDOWS) {
    const t = data.windows[w];
    for (const o of OUTCOMES) fields[`total.${w}.${o}`] = count(t.totals[o]);
    for (const { partner, types } of rows) {
      for (const o of OUTCOMES) fields[`partner.${partner}.${w}.${o}`] = count(t.byPartner[partner]?.[o] ?? 0);
      for (const type of types) for (const o of OUTCOMES) fields[`pt.${partner}.${type}.${w}.${o}`] = count(t.byPartnerAndType[`${partner} ${type}`]?.[o] ?? 0);
    }
    for (const type of CANONICAL_TYPES) for (const o of OUTCOMES) fields[`type.${type}.${w}.${o}`] = count(t.byType[type]?.[o] ?? 0);
  }
  states.queues = data.queueError ? 'down' : 'ok';
  fields.queues = data.queueError ? `Redis did not answer (${data.queueError}): the queue figures are missing from this reading.` : '';
  for (const q of data.queues ?? []) {
    for (const s of QUEUE_STATES) fields[`queue.${q.queue}.${s}`] = count(q.counts[s]);
    fields[`queue.${q.queue}.oldest`] = q.oldestWaiting ? age(q.oldestWaiting.ageSeconds) : 'none waiting';
  }
  for (const a of data.adapters) {
    const k = `adapter.${a.name}`;
    fields[`${k}.health`] = healthText(a);
    states[`${k}.health`] = adapterState(a);
    fields[`${k}.pending`] = capped(a.traffic.pending);
    fields[`${k}.oldest`] = a.traffic.oldestPendingAt ? since(a.traffic.oldestPendingAt, now) : 'none pending';
    fields[`${k}.deliveredHour`] = capped(a.traffic.deliveredLastHour);
    fields[`${k}.failedHour`] = capped(a.traffic.failedLastHour);
    fields[`${k}.failedDay`] = capped(a.traffic.failedLastDay);
    fields[`${k}.lastSuccess`] = a.traffic.lastDeliveredAt ? `${since(a.traffic.lastDeliveredAt, now)} ago` : 'never';
    fields[`${k}.lastFailure`] = a.traffic.lastFailedAt ? `${since(a.traffic.lastFailedAt, now)} ago${a.traffic.lastError ? `: ${a.traffic.lastError.slice(0, 200)}` : ''}` : 'none';
  }
  return { fields, states };
}

/** What the JSON carries besides the fields: the series of the charts and the refusal codes per partner. */
function chartsOf(data: OverviewData) {
  return Object.fromEntries(WINDOWS.map((w) => [w, { start: data.windows[w].start, bucketSeconds: data.windows[w].bucketSeconds, series: data.windows[w].series }]));
}

/** An element showing one figure: its text now, and the key overview.js updates it by. */
function field(f: OverviewFields, key: string, testid?: string): SafeHtml {
  const state = f.states[key];
  return html`<span data-field="${key}"${state ? html` data-state="${state}"` : ''}${testid ? html` data-testid="${testid}"` : ''}>${f.fields[key] ?? '—'}</span>`;
}

function refusalCodesList(data: OverviewData): SafeHtml {
  const day = data.windows.day;
  const from = day.start;
  const entries = Object.entries(day.refusalCodes).flatMap(([partner, codes]) => Object.entries(codes).map(([code, n]) => ({ partner, code, n })));
  entries.sort((a, b) => b.n - a.n || a.partner.localeCompare(b.partner) || a.code.localeCompare(b.code));
  const items = entries.map(
    (e) => html`<li><a href="/console/refusals?${new URLSearchParams({ partner: e.partner, code: e.code, from }).toString()}">${e.partner}: ${e.code}</a> <span class="count">${count(e.n)}</span></li>`,
  );
  return html`<ul class="refusal-codes" data-testid="refusal-codes" data-from="${from}">${items.length ? items : html`<li class="muted">No refusal in the last 24 hours.</li>`}</ul>`;
}

function page(data: OverviewData, f: OverviewFields, rows: ReturnType<typeof partnerTypes>, queueNames: readonly string[]): SafeHtml {
  const outcomeCells = (prefix: string, outcomes: readonly Outcome[]) => WINDOWS.map((w) => outcomes.map((o) => html`<td class="num">${field(f, `${prefix}.${w}.${o}`)}</td>`));
  const windowHeads = (outcomes: readonly Outcome[]) =>
    html`<tr><th rowspan="2"></th>${WINDOWS.map((w) => html`<th colspan="${outcomes.length}" class="window">${WINDOW_LABEL[w]}</th>`)}</tr><tr>${WINDOWS.map(() => outcomes.map((o) => html`<th class="num">${o}</th>`))}</tr>`;
  return html`<h1>Traffic overview</h1>
<div id="overview" data-source="/console/overview.json" data-poll-seconds="${OVERVIEW_POLL_SECONDS}">
<p class="muted live">Figures of <span data-field="generatedAt">${f.fields.generatedAt}</span>; <span data-testid="live">updated every ${OVERVIEW_POLL_SECONDS} s while this page is open.</span></p>
<section class="cards" aria-label="Totals">
${WINDOWS.map(
  (w) => html`<div class="card" data-window="${w}"><h2>${WINDOW_LABEL[w]}</h2><dl>${OUTCOMES.map(
    (o) => html`<div class="figure figure-${o}"><dt>${o}</dt><dd>${field(f, `total.${w}.${o}`, `${o}-${w}`)}</dd></div>`,
  )}</dl></div>`,
)}
</section>
<section class="charts" aria-label="Charts">
${WINDOWS.map(
  (w) => html`<figure class="chart"><figcaption>${WINDOW_LABEL[w]}, per ${TRAFFIC_WINDOWS[w].bucketSeconds / 60} minute${TRAFFIC_WINDOWS[w].bucketSeconds === 60 ? '' : 's'}</figcaption><div class="chart-box"><canvas data-chart="${w}" aria-label="Documents per ${TRAFFIC_WINDOWS[w].bucketSeconds / 60} minutes, ${WINDOW_LABEL[w].toLowerCase()}" role="img"></canvas></div></figure>`,
)}
</section>
<h2>Queues</h2>
<p class="message error" data-field="queues" data-state="${f.states.queues}">${f.fields.queues}</p>
<table class="results" data-testid="overview-queues">
<thead><tr><th>Stage</th>${QUEUE_STATES.map((s) => html`<th class="num">${s}</th>`)}<th>Oldest waiting</th></tr></thead>
<tbody>${queueNames.map((name) => {
  return html`<tr data-queue="${name}"><th scope="row"><a href="/console/queues/${name}">${name}</a></th>${QUEUE_STATES.map((s) => html`<td class="num">${field(f, `queue.${name}.${s}`)}</td>`)}<td>${field(f, `queue.${name}.oldest`)}</td></tr>`;
})}</tbody>
</table>
<p class="muted"><a href="/console/queues">The queues and their failed jobs</a></p>
<h2>Adapters</h2>
<table class="results" data-testid="overview-adapters">
<thead><tr><th>Adapter</th><th>Health</th><th class="num">Pending</th><th>Oldest pending</th><th class="num">Delivered (1 h)</th><th class="num">Failed (1 h)</th><th class="num">Failed (24 h)</th><th>Last success</th><th>Last failure</th></tr></thead>
<tbody>${data.adapters.map((a) => {
  const k = `adapter.${a.name}`;
  return html`<tr data-adapter="${a.name}"><th scope="row">${a.name} <span class="muted">(${a.type})</span></th><td class="health">${field(f, `${k}.health`)}</td><td class="num">${field(f, `${k}.pending`)}</td><td>${field(f, `${k}.oldest`)}</td><td class="num">${field(f, `${k}.deliveredHour`)}</td><td class="num">${field(f, `${k}.failedHour`)}</td><td class="num">${field(f, `${k}.failedDay`)}</td><td>${field(f, `${k}.lastSuccess`)}</td><td class="error-text">${field(f, `${k}.lastFailure`)}</td></tr>`;
})}</tbody>
</table>
<h2>By partner</h2>
<table class="results counts" data-testid="overview-partners">
<thead>${windowHeads(OUTCOMES)}</thead>
<tbody>${rows.map(({ partner }) => html`<tr data-partner="${partner}"><th scope="row"><a href="/console/messages?partner=${partner}">${partner}</a></th>${outcomeCells(`partner.${partner}`, OUTCOMES)}</tr>`)}</tbody>
</table>
<h2>By partner and document type</h2>
<table class="results counts" data-testid="overview-partner-types">
<thead>${windowHeads(OUTCOMES)}</thead>
<tbody>${rows.flatMap(({ partner, types }) =>
    types.map((type) => html`<tr data-partner="${partner}" data-type="${type}"><th scope="row"><a href="/console/messages?partner=${partner}&amp;type=${type}">${partner} · ${type}</a></th>${outcomeCells(`pt.${partner}.${type}`, OUTCOMES)}</tr>`),
  )}</tbody>
</table>
<h2>By document type</h2>
<table class="results counts" data-testid="overview-types">
<thead>${windowHeads(MESSAGE_OUTCOMES)}</thead>
<tbody>${CANONICAL_TYPES.map((type) => html`<tr data-type="${type}"><th scope="row"><a href="/console/messages?type=${type}">${type}</a></th>${outcomeCells(`type.${type}`, MESSAGE_OUTCOMES)}</tr>`)}</tbody>
</table>
<h2>Refusals by partner and code <span class="muted">(last 24 hours)</span></h2>
${refusalCodesList(data)}
<p class="muted">Received: accepted at the intake, by arrival. Delivered and failed: messages that reached that status in the bucket (a replayed message counts where it ended last). Refused: posts refused at the intake (<a href="/console/refusals">refusals</a>); a refusal whose document could not be read has no type.</p>
</div>`;
}

/** GET /console/overview (the page) and /console/overview.json (its figures, for overview.js). */
export function overviewRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const audience = PAGES.find((p) => p.path === '/console/overview')!.audience;
  const queues: Queue[] = hubQueues(deps);
  const health = new AdapterHealthChecks(deps.adapters);
  const adapterNames = deps.adapters.all().map((a) => ({ name: a.config.name, type: a.config.type ?? a.config.module ?? 'module' }));
  const rows = partnerTypes(deps);
  let last: { at: number; value: Promise<OverviewData> } | undefined;

  async function read(): Promise<OverviewData> {
    const now = new Date();
    const readings = health.current(now.getTime());
    const queueReading = within(queueFigures(queues, now.getTime()), QUEUE_READ_TIMEOUT_MS).then(
      (figures) => ({ figures }),
      (error: unknown) => ({ error: (error as Error)?.message ?? String(error) }),
    );
    // One window after the other: at most three connections of the pool at a time (the intake needs them more).
    const hour = await windowTraffic(deps.db, 'hour', now);
    const day = await windowTraffic(deps.db, 'day', now);
    const traffic = await adapterTraffic(deps.db, adapterNames.map((a) => a.name), now);
    const q = await queueReading;
    return {
      generatedAt: now.toISOString(),
      windows: { hour, day },
      ...('figures' in q ? { queues: q.figures } : { queueError: q.error }),
      adapters: adapterNames.map((a) => ({ ...a, traffic: traffic.find((t) => t.adapter === a.name)!, health: readings.get(a.name) ?? { state: 'none' } })),
    };
  }

  /** The current reading: shared while in flight, reused for OVERVIEW_CACHE_MS; a failed one is not kept. */
  function current(): Promise<OverviewData> {
    const now = Date.now();
    if (!last || now - last.at > OVERVIEW_CACHE_MS) {
      const value = read();
      const entry = { at: now, value };
      last = entry;
      value.catch(() => {
        if (last === entry) last = undefined;
      });
    }
    return last.value;
  }

  return [
    {
      method: 'GET',
      path: '/console/overview',
      audience,
      handler: async (req, res) => {
        const data = await current();
        const content = page(data, overviewFields(data, rows), rows, queues.map((q) => q.name));
        send(res, 200, layout('Traffic overview', content, req.console!.viewer, { styles: ['overview.css'], scripts: ['chart.umd.min.js', 'overview.js'] }));
      },
    },
    {
      method: 'GET',
      path: '/console/overview.json',
      audience,
      handler: async (_req, res) => {
        const data = await current();
        const { fields, states } = overviewFields(data, rows);
        res.set('Cache-Control', 'no-store').json({ generatedAt: data.generatedAt, pollSeconds: OVERVIEW_POLL_SECONDS, fields, states, charts: chartsOf(data), refusalCodes: data.windows.day.refusalCodes, refusalsFrom: data.windows.day.start });
      },
    },
  ];
}
