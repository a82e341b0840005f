import { isHubError } from '../errors/hub-error.js';
import type { AuditEvent } from '../store/audit-log.js';
import { html, type SafeHtml } from './html.js';
import { checkPosted, postedCode, postedOutcome } from './mapping-test-edi.js';
import { postedResultView } from './mapping-test-edi-view.js';
import { documentField, formDocument, type CheckDeps } from './mapping-test-view.js';
import { ACTIONS, PAGES } from './pages.js';
import type { ConsoleDeps, ConsoleHandler, ConsoleRoute } from './routes.js';
import { layout, type Viewer } from './views.js';
import { send } from './page-kit.js';

/** The audit event of a mapping test. */
export const MAPPING_TEST_EVENT: AuditEvent = 'console.mapping-test';

const ASSETS = { styles: ['mapping-test.css'], scripts: ['mapping-test.js'] };

interface FormValues {
  partner: string;
  format: string;
  document: string;
}

function testForm(deps: CheckDeps, viewer: Viewer, values: FormValues): SafeHtml {
  const partners = Object.values(deps.config.partners);
  const sentBy = (format: string) => partners.filter((p) => p.formats.includes(format)).map((p) => p.id);
  return html`<form class="check" method="post" action="/console/mapping-test" data-testid="mapping-test-form">
  <input type="hidden" name="csrf" value="${viewer.csrfToken}">
  <div class="choices">
  <label>Partner <select name="partner" data-testid="partner"><option value=""${values.partner === '' ? ' selected' : ''}>the hub picks (EDI: the first partner whose formats take it)</option>${partners.map((p) => html`<option value="${p.id}"${p.id === values.partner ? ' selected' : ''}>${p.id} — ${p.name}</option>`)}</select></label>
  <label>Format <select name="format" data-testid="format-select"><option value="detect"${values.format === 'detect' || !values.format ? ' selected' : ''}>detect among the partner’s formats</option>${deps.mappings.formats.map(
    (f) => html`<option value="${f.name}"${f.name === values.format ? ' selected' : ''}>${f.name} (${f.documentType}${sentBy(f.name).length ? `; sent by ${sentBy(f.name).join(', ')}` : ''})</option>`,
  )}</select></label>
  </div>
  ${documentField(values.document, deps.config.server.bodyLimitBytes)}
  <button type="submit">Map it (nothing is stored)</button>
</form>`;
}

function page(deps: CheckDeps, viewer: Viewer, values: FormValues, result?: SafeHtml): SafeHtml {
  return layout(
    'Mapping test',
    html`<h1>Mapping test</h1>
<p class="muted">Checks a document as the intake and the transform would, with the chosen partner’s party ids and cross-references: its format, its schema (every problem with its line), every missing cross-reference at once, and the canonical JSON. An X12 or EDIFACT interchange is checked transaction by transaction: its envelope, each transaction’s format, the rules of its set (every problem with its segment position, segment and element, as the 997 or CONTRL reports it), its cross-references and canonical JSON, and the acknowledgements the hub would send. The document is not stored, queued or delivered.</p>
${testForm(deps, viewer, values)}
${result ?? ''}`,
    viewer,
    ASSETS,
  );
}

/** The mapping test page and its action. */
export function mappingTestRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const audience = PAGES.find((p) => p.path === '/console/mapping-test')!.audience;
  const action = ACTIONS.find((a) => a.path === '/console/mapping-test')!;
  const firstPartner = Object.keys(deps.config.partners)[0] ?? '';

  const get: ConsoleHandler = async (req, res) => {
    const partner = typeof req.query.partner === 'string' && Object.hasOwn(deps.config.partners, req.query.partner) ? req.query.partner : firstPartner;
    send(res, 200, page(deps, req.console!.viewer, { partner, format: 'detect', document: '' }));
  };

  const post: ConsoleHandler = async (req, res) => {
    const { viewer } = req.console!;
    const form = (req.body ?? {}) as Record<string, unknown>;
    const values: FormValues = {
      partner: typeof form.partner === 'string' ? form.partner : firstPartner,
      format: typeof form.format === 'string' ? form.format : 'detect',
      document: typeof form.document === 'string' ? form.document : '',
    };
    let bytes: Buffer;
    let posted;
    try {
      bytes = formDocument(form, deps.config.server.bodyLimitBytes);
      posted = await checkPosted(deps, bytes, { partner: values.partner, format: values.format, anyLoaded: true });
    } catch (error) {
      if (!isHubError(error) || error.status !== 400) throw error;
      return send(res, 400, page(deps, viewer, values, html`<p class="message error" role="alert" data-testid="error">${error.message}</p>`));
    }
    const code = postedCode(posted);
    // Who tested what and the outcome; never the document itself.
    await deps.audit.record({
      event: MAPPING_TEST_EVENT,
      actor: `console:${viewer.name}`,
      address: req.ip,
      ...(code ? { code } : {}),
      detail: `partner ${posted.partner || '(the hub picks)'}, ${postedOutcome(posted, bytes)}`,
    });
    send(res, 200, page(deps, viewer, values, postedResultView(posted, bytes, 'staff')));
  };

  return [
    { method: 'GET', path: '/console/mapping-test', audience, handler: get },
    { method: 'POST', path: action.path, audience: action.audience, handler: post },
  ];
}
