/**
 * The transport conformance suite: what the outbound sender relies on from every partner transport, checked
 * against the author's real target (a local HTTPS server, an SFTP server, the hub's PostgreSQL). It returns a
 * report, usable from any test runner; test/integration/transport-conformance.test.ts runs it against the
 * shipped transports. The adapters' suite (src/kit/conformance.ts) is the model.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { readSecretEnv } from '../config/load.js';
import { ERROR_CATALOG } from '../errors/catalog.js';
import { isHubErrorLike } from '../errors/hub-error.js';
import type { OutboundDocument, SendContext, SendResult, Transport, TransportContext, TransportDefinition } from './contract.js';
import { checkTransportDefinition, checkTransportOptions } from './registry.js';

/** How to take the target out of reach for one check: other options and/or context members. */
export interface TransportScenario {
  options?: Record<string, unknown>;
  context?: Partial<TransportContext>;
}

export interface TransportConformanceOptions {
  /** The transport's definition (the default export of its module). */
  definition: unknown;
  /** Its options, as under partners.<id>.transport without `type`. */
  options: Record<string, unknown>;
  /** Context members (the mailbox, secrets); the partner is `conformance` unless given. */
  context?: Partial<TransportContext>;
  /** How many documents the target holds for an idempotency key. */
  count(idempotencyKey: string): Promise<number> | number;
  /** How to make the target unreachable; the check is skipped without it. */
  unreachable?: TransportScenario;
  /** A call that has not settled after this many ms counts as hanging (a guard, not a speed check). Default 30000. */
  hangAfterMs?: number;
}

export type TransportCheckStatus = 'passed' | 'failed' | 'skipped';

export interface TransportConformanceReport {
  transport: string;
  /** True when no check failed. */
  passed: boolean;
  checks: Array<{ name: string; status: TransportCheckStatus; detail: string }>;
}

/** The names of the checks, in the order they run. */
export const TRANSPORT_CONFORMANCE_CHECKS = [
  'definition',
  'same key twice: one document, same reference',
  'another key: its own document',
  'aborted before the send: retryable, nothing sent, the retry sends one',
  'target out of reach: retryable classified error, health not ok',
  "another partner's document: not retryable, nothing sent",
  'health: ok while the target is up',
  'close: resolves, and again',
] as const;

class CheckFailed extends Error {}

function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/** A small document of its own for each send. */
function sampleDocument(partner: string): OutboundDocument {
  const messageId = randomUUID();
  const body = `<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>${messageId}</ID></Order>`;
  return { messageId, partner, documentType: 'Order', documentNumber: `CONF-${messageId.slice(0, 8)}`, contentType: 'application/xml', body };
}

function describeError(error: unknown): string {
  if (isHubErrorLike(error)) return `${error.code} (retryable ${error.retryable}): ${error.message}`;
  return `${(error as Error)?.name ?? typeof error}: ${(error as Error)?.message ?? String(error)}`;
}

/** A context member the suite cannot supply: using it says what to pass. */
function missingMailbox(): TransportContext['mailbox'] {
  const fail = () => Promise.reject(new Error('this transport uses context.mailbox: pass context.mailbox to runTransportConformance'));
  return { put: fail, ping: fail };
}

/**
 * Runs every check against the transport and its target and returns the report; it never throws for a failing
 * transport (each failure is a check result).
 */
export async function runTransportConformance(options: TransportConformanceOptions): Promise<TransportConformanceReport> {
  const hangAfterMs = options.hangAfterMs ?? 30_000;
  const checks: TransportConformanceReport['checks'] = [];
  const opened: Transport[] = [];
  const [definitionCheck, sameKey, otherKey, abortBefore, outOfReach, otherPartner, healthCheck, closeCheck] = TRANSPORT_CONFORMANCE_CHECKS;
  const partner = options.context?.partner ?? 'conformance';
  const context: TransportContext = {
    partner,
    setting: `partners.${partner}.transport`,
    logger: pino({ level: 'silent' }),
    rootDir: process.cwd(),
    secret: (name) => readSecretEnv(process.env, name),
    mailbox: missingMailbox(),
    ...options.context,
  };
  const bounded = <T>(call: () => Promise<T> | T, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CheckFailed(`${what} did not settle within ${hangAfterMs} ms (hangs)`)), hangAfterMs);
      new Promise<T>((inner) => inner(call())).then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error) => (clearTimeout(timer), reject(error)),
      );
    });
  const run = async (name: string, body: () => Promise<string>) => {
    try {
      checks.push({ name, status: 'passed', detail: await body() });
    } catch (error) {
      checks.push({ name, status: 'failed', detail: error instanceof CheckFailed ? error.message : `threw ${describeError(error)}` });
    }
  };

  let definition: TransportDefinition | undefined;
  let transport: Transport | undefined;
  const create = async (scenario: TransportScenario = {}): Promise<Transport> => {
    const checked = checkTransportOptions(definition!, { ...options.options, ...scenario.options }, context.setting);
    const created = await bounded(() => definition!.create(checked, { ...context, ...scenario.context }), 'create()');
    expectThat(typeof created?.send === 'function' && typeof created.close === 'function', 'create() returned no { send, close }');
    opened.push(created);
    return created;
  };
  await run(definitionCheck, async () => {
    definition = checkTransportDefinition(options.definition, 'the transport');
    transport = await create();
    return `${definition.name}: options checked; create() gave send, close${transport.health ? ', health' : ''}`;
  });
  if (!definition || !transport) {
    for (const name of TRANSPORT_CONFORMANCE_CHECKS.slice(1)) checks.push({ name, status: 'skipped', detail: 'the definition did not load' });
    return { transport: String((options.definition as { name?: unknown } | null)?.name ?? '?'), passed: false, checks };
  }
  const main = transport;
  const sending = (idempotencyKey: string, signal = new AbortController().signal, attempt = 1): SendContext => ({ idempotencyKey, signal, attempt });
  const send = async (target: Transport, document: OutboundDocument, at: SendContext, what: string): Promise<SendResult> => {
    let result: SendResult;
    try {
      result = await bounded(() => target.send(document, at), what);
    } catch (error) {
      throw error instanceof CheckFailed ? error : new CheckFailed(`${what} threw ${describeError(error)}`);
    }
    expectThat(typeof result?.reference === 'string' && result.reference !== '', `${what} resolved without a reference: ${JSON.stringify(result)}`);
    return result;
  };
  /** The send must throw a catalog HubError with this retryable flag; returns its description. */
  const refused = async (call: () => Promise<unknown>, what: string, retryable: boolean): Promise<string> => {
    let outcome: unknown;
    try {
      await bounded(call, what);
    } catch (error) {
      outcome = error;
    }
    if (outcome instanceof CheckFailed) throw outcome;
    expectThat(outcome !== undefined, `${what} resolved; it must throw`);
    expectThat(isHubErrorLike(outcome) && outcome.code in ERROR_CATALOG, `${what} threw ${describeError(outcome)}, not a HubError with a catalog code`);
    expectThat(outcome.retryable === retryable, `${what} threw ${describeError(outcome)}; it must be retryable ${retryable}`);
    return describeError(outcome);
  };

  let firstReference: string | undefined;
  await run(sameKey, async () => {
    const document = sampleDocument(partner);
    const key = `${document.messageId}:${partner}`;
    const first = await send(main, document, sending(key), 'the first send');
    const second = await send(main, document, sending(key, undefined, 2), 'the same send again');
    expectThat(second.reference === first.reference, `the same key gave two references: "${first.reference}", "${second.reference}"`);
    const held = await options.count(key);
    expectThat(held === 1, `the target holds ${held} documents for one key`);
    firstReference = first.reference;
    return `reference "${first.reference}" both times, 1 document`;
  });

  await run(otherKey, async () => {
    const document = sampleDocument(partner);
    const key = `${document.messageId}:${partner}`;
    const result = await send(main, document, sending(key), 'a send of another document');
    expectThat(result.reference !== firstReference, `another key got the first document's reference "${result.reference}"`);
    const held = await options.count(key);
    expectThat(held === 1, `the target holds ${held} documents for the other key`);
    return `reference "${result.reference}", 1 document`;
  });

  await run(abortBefore, async () => {
    const document = sampleDocument(partner);
    const key = `${document.messageId}:${partner}`;
    const controller = new AbortController();
    controller.abort(new Error('conformance: aborted before the send'));
    const error = await refused(() => main.send(document, sending(key, controller.signal)), 'a send with an aborted signal', true);
    const afterAbort = await options.count(key);
    expectThat(afterAbort === 0, `the aborted send left ${afterAbort} documents`);
    await send(main, document, sending(key, undefined, 2), 'the retry after the abort');
    const held = await options.count(key);
    expectThat(held === 1, `after the retry the target holds ${held} documents`);
    return `${error}; the retry sent 1 document`;
  });

  if (!options.unreachable) {
    checks.push({ name: outOfReach, status: 'skipped', detail: 'no unreachable scenario given (how to take the target out of reach)' });
  } else {
    const scenario = options.unreachable;
    await run(outOfReach, async () => {
      const down = await create(scenario);
      const document = sampleDocument(partner);
      const error = await refused(() => down.send(document, sending(`${document.messageId}:${partner}`)), 'a send to the unreachable target', true);
      if (!down.health) return `${error}; no health()`;
      const health = await bounded(() => down.health!(), 'health() of the unreachable target');
      expectThat(health?.ok === false, `health() says ${JSON.stringify(health)} while the target is out of reach`);
      return `${error}; health ${JSON.stringify(health)}`;
    });
  }

  await run(otherPartner, async () => {
    const document = sampleDocument(`${partner}-other`);
    const key = `${document.messageId}:${partner}`;
    const error = await refused(() => main.send(document, sending(key)), "a send of another partner's document", false);
    const held = await options.count(key);
    expectThat(held === 0, `the target holds ${held} documents of another partner`);
    return error;
  });

  if (!main.health) {
    checks.push({ name: healthCheck, status: 'skipped', detail: 'no health() (optional)' });
  } else {
    await run(healthCheck, async () => {
      const health = await bounded(() => main.health!(), 'health()');
      expectThat(health?.ok === true, `health() says ${JSON.stringify(health)} while the target is up`);
      return JSON.stringify(health);
    });
  }

  await run(closeCheck, async () => {
    for (const each of opened) {
      await bounded(() => each.close(), 'close()');
      await bounded(() => each.close(), 'close() again');
    }
    return `${opened.length} instance(s) closed twice`;
  });
  return { transport: definition.name, passed: checks.every((c) => c.status !== 'failed'), checks };
}

/** The report as lines a person reads: one per check, with its status and detail. */
export function formatTransportReport(report: TransportConformanceReport): string {
  const mark = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' } as const;
  const lines = report.checks.map((c) => `${mark[c.status]} ${c.name}: ${c.detail}`);
  return [`transport ${report.transport}: ${report.passed ? 'conforms' : 'does not conform'}`, ...lines].join('\n');
}
