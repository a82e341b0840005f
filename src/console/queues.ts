/**
 * The queue view (/console/queues, ops): per BullMQ queue, its jobs by state, the age of the oldest waiting job
 * and the failed jobs with their message and reason; /console/queues/<queue>?state=… pages through one state's
 * jobs. Everything is read through BullMQ's Queue API (counts, getJobs), never Redis keys directly.
 */
import type { Job, Queue } from 'bullmq';
import type { Queryable } from '../db/database.js';
import { UUID_PATTERN } from '../util/ids.js';
import { html, type SafeHtml } from './html.js';
import { PAGES } from './pages.js';
import type { ConsoleDeps, ConsoleRoute } from './routes.js';
import { layout, messagePage } from './views.js';
import { send, when } from './page-kit.js';

/** The job states shown, in the order a job passes through them. */
export const JOB_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Jobs listed per page of a state, and failed jobs shown per queue on the queue view. */
const PAGE_SIZE = 50;
const FAILED_ON_VIEW = 20;

/** A queue's figures: jobs per state and its oldest waiting job. */
export interface QueueFigures {
  queue: string;
  counts: Record<JobState, number>;
  /** The job that has waited longest (added first among those waiting), when any waits. */
  oldestWaiting?: { jobId: string; messageId?: string; addedAt: string; ageSeconds: number };
}

/** A job as the pages show it. */
export interface JobView {
  jobId: string;
  messageId?: string;
  adapter?: string;
  addedAt: string;
  finishedAt?: string;
  attempts: number;
  reason?: string;
}

function jobView(job: Job): JobView {
  const data = (job.data ?? {}) as { messageId?: unknown; adapter?: unknown };
  return {
    jobId: String(job.id),
    ...(typeof data.messageId === 'string' && UUID_PATTERN.test(data.messageId) ? { messageId: data.messageId } : {}),
    ...(typeof data.adapter === 'string' ? { adapter: data.adapter } : {}),
    addedAt: new Date(job.timestamp).toISOString(),
    ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn).toISOString() } : {}),
    attempts: job.attemptsMade,
    ...(job.failedReason ? { reason: job.failedReason } : {}),
  };
}

/** The hub's queues by name. */
export function hubQueues(deps: Pick<ConsoleDeps, 'queues'>): Queue[] {
  return [deps.queues.transform as Queue, deps.queues.deliver as Queue];
}

/**
 * Counts per state and the oldest waiting job of each queue: BullMQ keeps its wait list newest first, so the
 * oldest is its last entry (getJobs ascending from 0 to 0 reads that one job).
 */
export async function queueFigures(queues: readonly Queue[], now = Date.now()): Promise<QueueFigures[]> {
  return Promise.all(
    queues.map(async (queue) => {
      const [counts, oldest] = await Promise.all([queue.getJobCounts(...JOB_STATES), queue.getJobs(['waiting'], 0, 0, true)]);
      const first = oldest.filter(Boolean).sort((a, b) => a.timestamp - b.timestamp)[0];
      const figures: QueueFigures = { queue: queue.name, counts: Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as Record<JobState, number> };
      if (first) {
        const view = jobView(first);
        figures.oldestWaiting = { jobId: view.jobId, ...(view.messageId ? { messageId: view.messageId } : {}), addedAt: view.addedAt, ageSeconds: Math.max(0, Math.round((now - first.timestamp) / 1000)) };
      }
      return figures;
    }),
  );
}

/** A duration as people read it: 42 s, 3 min 5 s, 2 h 10 min, 3 d 4 h. */
export function age(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

function stateHref(queue: string, state: JobState, start = 0): string {
  return `/console/queues/${queue}?state=${state}${start ? `&start=${start}` : ''}`;
}

function countsTable(figures: readonly QueueFigures[]): SafeHtml {
  return html`<table class="results" data-testid="queue-counts">
<thead><tr><th>Queue</th>${JOB_STATES.map((s) => html`<th>${s}</th>`)}<th>Oldest waiting</th></tr></thead>
<tbody>${figures.map(
    (f) => html`<tr data-queue="${f.queue}"><th scope="row">${f.queue}</th>${JOB_STATES.map(
      (s) => html`<td data-state="${s}">${f.counts[s] > 0 ? html`<a href="${stateHref(f.queue, s)}">${f.counts[s]}</a>` : '0'}</td>`,
    )}<td data-testid="oldest-${f.queue}">${f.oldestWaiting ? html`${age(f.oldestWaiting.ageSeconds)}${f.oldestWaiting.messageId ? html` (<a href="/console/messages/${f.oldestWaiting.messageId}">message</a>)` : ''}` : html`<span class="muted">none waiting</span>`}</td></tr>`,
  )}</tbody>
</table>`;
}

/** What PostgreSQL says about the jobs' messages (one primary-key lookup for the page's jobs). */
type MessageFacts = Map<string, { label: string; status: string }>;

async function messageFacts(db: Queryable, jobs: readonly JobView[]): Promise<MessageFacts> {
  const ids = [...new Set(jobs.map((j) => j.messageId).filter((id): id is string => Boolean(id)))];
  if (!ids.length) return new Map();
  const { rows } = await db.query<{ id: string; partner: string; document_type: string; document_number: string; status: string }>(
    'SELECT id, partner, document_type, document_number, status FROM messages WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { label: `${r.document_type} ${r.document_number} (${r.partner})`, status: r.status }]));
}

function jobsTable(queue: string, jobs: readonly JobView[], state: JobState | 'failed', facts: MessageFacts): SafeHtml {
  if (!jobs.length) return html`<p class="muted" data-testid="no-jobs-${queue}">No ${state} job.</p>`;
  const finished = state === 'failed' || state === 'completed';
  return html`<table class="results jobs" data-testid="jobs-${queue}">
<thead><tr><th>Job</th><th>Message (status now)</th>${queue === 'deliver' ? html`<th>Adapter</th>` : ''}<th>Added</th>${finished ? html`<th>Finished</th>` : ''}<th>Attempts</th>${state === 'failed' ? html`<th>Reason</th>` : ''}</tr></thead>
<tbody>${jobs.map(
    (j) => html`<tr data-job="${j.jobId}"${j.messageId ? html` data-message="${j.messageId}"` : ''}><td><code>${j.jobId}</code></td><td>${j.messageId ? messageCell(j.messageId, facts.get(j.messageId)) : ''}</td>${queue === 'deliver' ? html`<td>${j.adapter ?? ''}</td>` : ''}<td>${when(j.addedAt)}</td>${finished ? html`<td>${when(j.finishedAt)}</td>` : ''}<td>${j.attempts}</td>${state === 'failed' ? html`<td class="error-text" data-testid="reason">${j.reason ?? ''}</td>` : ''}</tr>`,
  )}</tbody>
</table>`;
}

function messageCell(id: string, fact: { label: string; status: string } | undefined): SafeHtml {
  if (!fact) return html`<a href="/console/messages/${id}">${id}</a> <span class="muted">(no longer stored)</span>`;
  return html`<a href="/console/messages/${id}">${fact.label}</a> <span class="status status-${fact.status}">${fact.status}</span>`;
}

/** GET /console/queues and /console/queues/<queue>?state=&start=: the queue view and one state's jobs. */
export function queueRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const audience = PAGES.find((p) => p.path === '/console/queues')!.audience;
  const queues = hubQueues(deps);
  return [
    {
      method: 'GET',
      path: '/console/queues',
      audience,
      handler: async (req, res) => {
        const { viewer } = req.console!;
        const figures = await queueFigures(queues);
        const failed = await Promise.all(queues.map(async (q) => (await q.getJobs(['failed'], 0, FAILED_ON_VIEW - 1, false)).filter(Boolean).map(jobView)));
        const facts = await messageFacts(deps.db, failed.flat());
        const content = html`<h1>Queues</h1>
<p class="muted">The BullMQ queues of the pipeline as Redis has them now: <strong>transform</strong> maps and routes each accepted message, <strong>deliver</strong> has one job per routed adapter. A job waits, runs (active), waits for its next attempt (delayed), and ends completed or failed. PostgreSQL stays the record: the <a href="/console/overview">overview</a> shows pending deliveries per adapter from it.</p>
${countsTable(figures)}
${queues.map(
  (q, i) => html`<h2>Failed jobs of ${q.name} <span class="muted">(newest first)</span></h2>
${jobsTable(q.name, failed[i]!, 'failed', facts)}
${figures[i]!.counts.failed > FAILED_ON_VIEW ? html`<p><a href="${stateHref(q.name, 'failed', FAILED_ON_VIEW)}">The other ${figures[i]!.counts.failed - FAILED_ON_VIEW} failed jobs of ${q.name}</a></p>` : ''}`,
)}
<p class="muted">Read at ${when(new Date().toISOString())}; reload for the current figures. A failed job's message is replayed from its page.</p>`;
        send(res, 200, layout('Queues', content, viewer, { styles: ['overview.css'] }));
      },
    },
    {
      method: 'GET',
      path: '/console/queues/:queue',
      audience,
      handler: async (req, res) => {
        const { viewer } = req.console!;
        const queue = queues.find((q) => q.name === req.params.queue);
        if (!queue) return send(res, 404, messagePage('Not found', `There is no queue "${String(req.params.queue)}": the queues are ${queues.map((q) => q.name).join(' and ')}.`, viewer, { href: '/console/queues', label: 'Queues' }));
        const unknown = Object.keys(req.query).filter((k) => k !== 'state' && k !== 'start');
        const state = typeof req.query.state === 'string' ? req.query.state : 'waiting';
        const startText = typeof req.query.start === 'string' ? req.query.start : '0';
        const start = /^\d{1,7}$/.test(startText) ? Number(startText) : -1;
        const problem = unknown.length
          ? `Unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; this page takes state and start.`
          : !(JOB_STATES as readonly string[]).includes(state)
            ? `state must be one of ${JOB_STATES.join(', ')} (got "${state}").`
            : start < 0
              ? `start must be a whole number from 0 (the position of the first job shown; got "${startText}").`
              : undefined;
        if (problem) return send(res, 400, messagePage('Queues', problem, viewer, { href: `/console/queues/${queue.name}`, label: `Jobs of ${queue.name}` }));
        const s = state as JobState;
        // Oldest first for jobs still to run (the order they run in), newest first for finished ones.
        const ascending = s === 'waiting' || s === 'delayed' || s === 'prioritized';
        const [counts, jobs] = await Promise.all([queue.getJobCounts(s), queue.getJobs([s], start, start + PAGE_SIZE - 1, ascending)]);
        const total = counts[s] ?? 0;
        const views = jobs.filter(Boolean).map(jobView);
        const facts = await messageFacts(deps.db, views);
        const content = html`<p><a href="/console/queues">Queues</a></p>
<h1>${queue.name}: ${s} jobs</h1>
<p class="state-tabs">${JOB_STATES.map((st) => (st === s ? html`<strong>${st}</strong> ` : html`<a href="${stateHref(queue.name, st)}">${st}</a> `))}</p>
<p class="muted" data-testid="count">${total} ${s} job${total === 1 ? '' : 's'}${views.length ? `; ${start + 1} to ${start + views.length} shown, ${ascending ? 'oldest' : 'newest'} first` : ''}.</p>
${jobsTable(queue.name, views, s, facts)}
<p class="paging">${start > 0 ? html`<a href="${stateHref(queue.name, s, Math.max(0, start - PAGE_SIZE))}">Previous</a> ` : ''}${start + PAGE_SIZE < total ? html`<a href="${stateHref(queue.name, s, start + PAGE_SIZE)}" rel="next" data-testid="next">Next</a>` : ''}</p>`;
        send(res, 200, layout(`${queue.name} ${s}`, content, viewer, { styles: ['overview.css'] }));
      },
    },
  ];
}
