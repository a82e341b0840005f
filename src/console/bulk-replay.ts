import type { Request, Response } from 'express';
import { HubError } from '../errors/hub-error.js';
import { bulkReplayDeps, dryRun, parseReplayFilter, startRun, type FilterContext } from '../pipeline/bulk-replay.js';
import type { ReplayCandidate, ReplayRun } from '../store/replay-runs.js';
import { UUID_PATTERN } from '../util/ids.js';
import { html, type SafeHtml } from './html.js';
import type { MessagePagesDeps } from './messages.js';
import type { ConsoleHandler } from './routes.js';
import { layout, messagePage, type Viewer } from './views.js';
import { send, when } from './page-kit.js';

/** The messages search's filters a bulk replay takes (it has no business key: a run selects by these only). */
const FILTER_FIELDS = ['partner', 'type', 'status', 'from', 'to'] as const;
const SAMPLE_SIZE = 20;

/**
 * The dry-run form under a search (ops): the search's filters as hidden fields, a force box. A search by
 * business key gets a note instead, since a run cannot select by one.
 */
export function bulkReplayForm(values: Record<string, string>, viewer: Viewer): SafeHtml {
  if (values.q) return html`<p class="muted" data-testid="bulk-replay-note">Bulk replay selects by partner, type, status and time, not by business key: clear the business key to replay this search's messages in bulk.</p>`;
  return html`<form class="replay" method="post" action="/console/replays" data-testid="bulk-replay-form">
  <input type="hidden" name="csrf" value="${viewer.csrfToken}">
  <input type="hidden" name="step" value="dry-run">
  ${FILTER_FIELDS.map((f) => (values[f] ? html`<input type="hidden" name="${f}" value="${values[f]}">` : ''))}
  <label><input type="checkbox" name="force" value="yes"> Force: include delivered messages</label>
  <button type="submit">Dry run: count what a bulk replay of this filter takes</button>
</form>`;
}

function sampleTable(sample: readonly ReplayCandidate[]): SafeHtml {
  return html`<table class="results" data-testid="sample"><thead><tr><th>Received</th><th>Partner</th><th>Type</th><th>Number</th><th>Status</th><th>Error code</th></tr></thead>
<tbody>${sample.map((c) => html`<tr data-id="${c.id}"><td>${when(c.receivedAt)}</td><td>${c.partner}</td><td>${c.documentType}</td><td><a href="/console/messages/${c.id}">${c.documentNumber}</a></td><td><span class="status status-${c.status}">${c.status}</span></td><td>${c.errorCode ?? ''}</td></tr>`)}</tbody></table>`;
}

function runFacts(run: ReplayRun): SafeHtml {
  return html`<dl class="facts" data-testid="run">
  <dt>State</dt><dd data-testid="run-state">${run.state}</dd>
  <dt>Messages</dt><dd data-testid="run-counts">${run.replayed} replayed, ${run.skipped} skipped of ${run.expected} (the dry run counted ${run.counted})</dd>
  <dt>Filter</dt><dd><code>${JSON.stringify(run.filter)}</code>${run.force ? ' (force)' : ''}</dd>
  <dt>Rate</dt><dd>${run.ratePerSecond} a second</dd>
  <dt>Requested by</dt><dd>${run.requestedBy}, ${when(run.createdAt)}</dd>
  ${run.finishedAt ? html`<dt>Finished</dt><dd>${when(run.finishedAt)}</dd>` : ''}
  ${run.error ? html`<dt>Error</dt><dd>${run.error}</dd>` : ''}
</dl>`;
}

/** POST /console/replays (ops): `step=dry-run` counts and shows a sample; `step=start` takes the dry run's token. */
export function bulkReplayHandlers(deps: MessagePagesDeps): { post: ConsoleHandler; run: ConsoleHandler; stop: ConsoleHandler } {
  const bulk = bulkReplayDeps(deps.config, deps);
  const context: FilterContext = { partners: Object.keys(deps.config.partners), adapters: deps.config.adapters.map((a) => a.name) };
  const refused = (res: Response, viewer: Viewer, error: HubError) =>
    send(res, error.status, messagePage('Bulk replay', `Nothing was replayed. ${error.message}`, viewer, { href: '/console/messages', label: 'Back to the messages' }));

  const post: ConsoleHandler = async (req: Request, res: Response) => {
    const { viewer } = req.console!;
    const form = (req.body ?? {}) as Record<string, unknown>;
    const actor = `console:${viewer.name}`;
    try {
      if (form.step === 'dry-run') {
        const force = form.force === 'yes';
        const input: Record<string, unknown> = {};
        for (const f of FILTER_FIELDS) if (typeof form[f] === 'string' && form[f]) input[f] = form[f];
        const result = await dryRun(parseReplayFilter(input, force, context), force, SAMPLE_SIZE, actor, bulk);
        const content = html`<h1>Bulk replay: dry run</h1>
<p class="message" data-testid="dry-run-count">${result.count} message${result.count === 1 ? '' : 's'} selected as of ${when(result.asOf)} by <code>${JSON.stringify(result.filter)}</code>${result.force ? ' (force: delivered ones are sent to their adapters again)' : ''}. Nothing has been replayed.</p>
${result.sample.length ? html`<h2>The first ${result.sample.length}, oldest first</h2>${sampleTable(result.sample)}` : ''}
${result.count
  ? html`<form class="replay" method="post" action="/console/replays" data-testid="bulk-replay-confirm" data-confirm="Replay ${result.count} message(s)?">
  <input type="hidden" name="csrf" value="${viewer.csrfToken}">
  <input type="hidden" name="step" value="start">
  <input type="hidden" name="token" value="${result.token}">
  <button type="submit">Replay these ${result.count} message${result.count === 1 ? '' : 's'}</button>
  <span class="muted">(this dry run is good until ${when(result.expiresAt)}; a run never takes more than it counted)</span>
</form>`
  : ''}
<p><a href="/console/messages">Back to the messages</a></p>`;
        return send(res, 200, layout('Bulk replay: dry run', content, viewer));
      }
      if (form.step === 'start' && typeof form.token === 'string' && form.token) {
        const run = await startRun(form.token, {}, actor, bulk, context);
        return res.redirect(303, `/console/replays/${run.id}`);
      }
      return send(res, 400, messagePage('Bulk replay', 'A bulk replay starts from its dry run: run the dry run from the messages page, check the count and the sample, then confirm it.', viewer, { href: '/console/messages', label: 'Back to the messages' }));
    } catch (error) {
      if (error instanceof HubError && error.status >= 400 && error.status < 500) return refused(res, viewer, error);
      throw error;
    }
  };

  /** A run's page: its facts; while it runs, a Stop form, and the page reloads itself every few seconds. */
  const runPage = (res: Response, viewer: Viewer, found: ReplayRun, notice?: string, status = 200) => {
    const running = found.state === 'running';
    const content = html`<h1>Bulk replay run</h1>
${notice ? html`<p class="message" role="status" data-testid="notice">${notice}</p>` : ''}
${runFacts(found)}
${running
  ? html`<p class="muted" data-refresh-seconds="3" data-testid="refreshing">This page reloads every 3 seconds while the run is running.</p>
<form class="replay" method="post" action="/console/replays/${found.id}/stop" data-testid="stop-run" data-confirm="Stop this bulk replay? Messages already replayed stay replayed.">
  <input type="hidden" name="csrf" value="${viewer.csrfToken}">
  <button type="submit">Stop the run</button>
</form>`
  : ''}
<p><a href="/console/replays/${found.id}">Reload</a> · <a href="/console/messages">Messages</a></p>`;
    send(res, status, layout('Bulk replay run', content, viewer));
  };

  const findRun = async (req: Request, res: Response, viewer: Viewer): Promise<ReplayRun | undefined> => {
    const id = String(req.params.id);
    const found = UUID_PATTERN.test(id) ? await bulk.runs.get(id) : undefined;
    if (!found) send(res, 404, messagePage('Not found', `No bulk replay run ${id}.`, viewer, { href: '/console/messages', label: 'Back to the messages' }));
    return found;
  };

  const run: ConsoleHandler = async (req, res) => {
    const { viewer } = req.console!;
    const found = await findRun(req, res, viewer);
    if (found) runPage(res, viewer, found);
  };

  /** POST /console/replays/:id/stop (ops): stops a running run, as POST /v1/ops/replays/:id/stop does. */
  const stop: ConsoleHandler = async (req, res) => {
    const { viewer } = req.console!;
    const found = await findRun(req, res, viewer);
    if (!found) return;
    const { run: stopped, changed } = await bulk.runs.stop(found.id, `console:${viewer.name}`);
    if (!changed) return runPage(res, viewer, stopped ?? found, `This run is ${(stopped ?? found).state} already; only a running run can be stopped.`, 409);
    await deps.audit.record({ event: 'replay.stopped', actor: `console:${viewer.name}`, address: req.ip, detail: `run ${found.id} stopped by console:${viewer.name}: ${stopped!.replayed} replayed, ${stopped!.skipped} skipped of ${stopped!.expected}` });
    res.redirect(303, `/console/replays/${found.id}`);
  };
  return { post, run, stop };
}
