/**
 * The adapter conformance suite (`b2b-hub/adapter-kit/conformance`): what the hub relies on from every adapter,
 * checked against the author's real target. It returns a report (usable from any test runner, or printed by a
 * script); docs/adapter-kit.md says what each check means and how to run it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Adapter, AdapterContext, AdapterDefinition, DeliveryContext, DeliveryResult } from '../adapters/contract.js';
import { checkAdapterOptions, checkDefinition } from '../adapters/loader.js';
import type { CanonicalDocument, Order } from '../canonical/types.js';
import { readSecretEnv } from '../config/load.js';
import type { ErpModule } from '../config/schema.js';
import { ERROR_CATALOG } from '../errors/catalog.js';
import { isHubErrorLike } from '../errors/hub-error.js';
import { isStoreUnavailable } from '../errors/unavailable.js';

/** How the suite looks at the target: how many records it holds for one delivery (its key or message id). */
export interface ConformanceProbe {
  count(delivery: DeliveryContext): Promise<number> | number;
}

/** A situation the author can bring about on the target (down, refusing, slow), for one check. */
export interface ConformanceScenario {
  /** Options merged over the normal ones for this check (e.g. a url nobody listens on). */
  options?: Record<string, unknown>;
  /** Context members replaced for this check (e.g. ctx.db on a server that is down). */
  context?: Partial<AdapterContext>;
  /** Run before the check's delivery (e.g. take the target down) and after it, whatever happened. */
  before?(): Promise<void> | void;
  after?(): Promise<void> | void;
}

export interface ConformanceOptions {
  /** The adapter definition (the default export of its module); checked like the hub checks it. */
  definition: unknown;
  /** The adapter's options, as they would be under adapters.<name>.options. */
  options: Record<string, unknown>;
  /** Context overrides: db and redis are required for adapters that use them (the suite has none of its own). */
  context?: Partial<AdapterContext>;
  /** Modules of each delivery; default: all of the definition's. */
  modules?: ErpModule[];
  /** The document delivered for a message; default: a small Order numbered after the message id. */
  document?(messageId: string): CanonicalDocument;
  /** A new message id for each delivery (targets that need a real hub message, like the outbox); default: a UUID. */
  newMessage?(): Promise<string> | string;
  /** Counts the target's records for a delivery; without it only the references are compared. */
  probe?: ConformanceProbe;
  /** How to make the target unreachable: deliver must then throw a retryable error, health() say not ok. */
  unavailable?: ConformanceScenario;
  /** How to make the target refuse a document for good: deliver must then throw a non-retryable error. */
  rejected?: ConformanceScenario & { document?(messageId: string): CanonicalDocument };
  /** How to make the target slow, so that a delivery can be aborted while it runs. */
  slow?: ConformanceScenario & { whenStarted?(delivery: DeliveryContext): Promise<void> };
  /** A call that has not settled after this many ms counts as hanging (a guard, not a speed check). Default 30000. */
  hangAfterMs?: number;
}

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface ConformanceReport {
  adapter: string;
  /** True when no check failed (skipped ones are listed, and say why). */
  passed: boolean;
  checks: CheckResult[];
}

/** The names of the checks, in the order they run. */
export const CONFORMANCE_CHECKS = [
  'definition',
  'same key twice: one record, same reference',
  'another key: its own record',
  'aborted before the call: retryable error, retry makes one record',
  'aborted during the call: retryable error, retry makes one record',
  'target unavailable: retryable classified error, health not ok',
  'document refused: non-retryable classified error, no record',
  'health: { ok: boolean }, ok while the target is up',
  'close: resolves, and again',
] as const;

class CheckFailed extends Error {}

function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/** A small valid canonical Order; the number follows the message so that each message is its own document. */
export function sampleOrder(messageId: string): Order {
  return {
    type: 'Order',
    documentNumber: `CONF-${messageId.slice(0, 8)}`,
    issueDate: '2026-11-01',
    currency: 'EUR',
    buyer: { internalId: 'CUST-ACME', partyIds: [{ id: '7300010000001', scheme: '0088' }] },
    seller: { internalId: 'SELF', partyIds: [] },
    lines: [{ lineNumber: '1', sku: 'SKU-1', quantity: 2, unitCode: 'C62', price: 10, lineAmount: 20 }],
    totals: { payableAmount: 20 },
  };
}

function describeError(error: unknown): string {
  if (isHubErrorLike(error)) return `${error.code} (retryable ${error.retryable}): ${error.message}`;
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  return `${typeof e?.name === 'string' ? e.name : typeof error}${typeof e?.code === 'string' ? ` ${e.code}` : ''}: ${typeof e?.message === 'string' ? e.message : String(error)}`;
}

/** A context member the suite cannot supply: using it says what to pass. */
function missing(member: string): never {
  return new Proxy({}, {
    get(_target, property) {
      if (property === 'then') return undefined;
      throw new Error(`this adapter uses ctx.${member}.${String(property)}: pass context.${member} to runConformance`);
    },
  }) as never;
}

/**
 * Runs every check against the adapter and its target and returns the report; it never throws for a failing
 * adapter (each failure is a check result), only for a broken call of the suite itself.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const hangAfterMs = options.hangAfterMs ?? 30_000;
  const checks: CheckResult[] = [];
  const instances: Adapter[] = [];
  const record = (name: string, status: CheckStatus, detail: string) => checks.push({ name, status, detail });
  const [definitionCheck, sameKey, otherKey, abortBefore, abortDuring, unavailableCheck, refusedCheck, healthCheck, closeCheck] = CONFORMANCE_CHECKS;

  // A call that throws before returning its promise is handled like one that rejects (the hub awaits it so).
  const attempt = <T>(call: () => Promise<T> | T): Promise<T> => new Promise<T>((resolve) => resolve(call()));
  const bounded = <T>(promise: Promise<T>, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CheckFailed(`${what} did not settle within ${hangAfterMs} ms (hangs)`)), hangAfterMs);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error) => (clearTimeout(timer), reject(error)),
      );
    });

  let definition: AdapterDefinition;
  let checkedOptions: Record<string, unknown>;
  const name = options.context?.name ?? 'conformance';
  try {
    definition = checkDefinition(options.definition, 'the adapter');
    checkedOptions = checkAdapterOptions(definition, options.options, `adapters.${name}.options`);
  } catch (error) {
    record(definitionCheck, 'failed', (error as Error).message);
    for (const check of CONFORMANCE_CHECKS.slice(1)) record(check, 'skipped', 'the definition is not valid');
    return { adapter: String((options.definition as { name?: unknown } | null)?.name ?? '?'), passed: false, checks };
  }
  const modules = options.modules ?? [...definition.modules];
  // A var/ of the suite's own, removed at the end, unless the author gives one.
  const ownVarDir = options.context?.varDir === undefined ? mkdtempSync(path.join(tmpdir(), 'hub-conformance-')) : undefined;
  const documentFor = options.document ?? sampleOrder;
  const context: AdapterContext = {
    name,
    logger: pino({ level: 'silent' }),
    db: missing('db'),
    redis: missing('redis'),
    keyPrefix: `conformance:${randomUUID()}`,
    rootDir: process.cwd(),
    varDir: ownVarDir ?? '',
    secret: (secretName) => readSecretEnv(process.env, secretName),
    ...options.context,
  };

  async function create(scenario: ConformanceScenario = {}): Promise<Adapter> {
    const merged = checkAdapterOptions(definition, { ...options.options, ...scenario.options }, `adapters.${name}.options`);
    const adapter = await bounded(attempt(() => definition.create(merged, { ...context, ...scenario.context })), 'create()');
    expectThat(adapter && typeof adapter.deliver === 'function' && typeof adapter.close === 'function', 'create() returned no { deliver, close } functions');
    instances.push(adapter);
    return adapter;
  }

  async function newDelivery(signal = new AbortController().signal): Promise<DeliveryContext> {
    const messageId = await (options.newMessage?.() ?? randomUUID());
    return { idempotencyKey: `${messageId}:${name}`, messageId, partner: 'conformance', modules, signal };
  }

  async function deliver(adapter: Adapter, doc: CanonicalDocument, delivery: DeliveryContext, what: string): Promise<DeliveryResult> {
    let result: DeliveryResult;
    try {
      result = await bounded(attempt(() => adapter.deliver(doc, delivery)), what);
    } catch (error) {
      if (error instanceof CheckFailed) throw error;
      throw new CheckFailed(`${what} threw ${describeError(error)}`);
    }
    expectThat(result && typeof result.reference === 'string' && result.reference !== '', `${what} resolved without a reference string: ${JSON.stringify(result)}`);
    return result;
  }

  async function count(delivery: DeliveryContext): Promise<number | undefined> {
    return options.probe ? await options.probe.count(delivery) : undefined;
  }

  /** Runs the delivery expecting a classified error; returns it. */
  async function expectError(promise: Promise<unknown>, what: string, retryable: boolean, storeOutage = false): Promise<string> {
    let outcome: unknown;
    try {
      outcome = await bounded(promise, what);
    } catch (error) {
      if (error instanceof CheckFailed) throw error;
      // The hub's own PostgreSQL or Redis (ctx.db, ctx.redis) out of reach, as the driver reports it: the deliver
      // step recognises it (isStoreUnavailable) and retries without counting a failure. A retryable outcome.
      if (storeOutage && !isHubErrorLike(error) && isStoreUnavailable(error)) return `a store outage of the hub (${describeError(error)})`;
      expectThat(isHubErrorLike(error), `${what} threw an unclassified error (no catalog code and retryable flag): ${describeError(error)}`);
      expectThat(error.retryable === retryable, `${what} threw ${describeError(error)}; expected retryable ${retryable}`);
      expectThat(ERROR_CATALOG[error.code].retryable === retryable, `${what} threw ${error.code}, whose catalog entry says retryable ${!retryable}: use ${retryable ? 'HUB_ERR_ADAPTER_UNAVAILABLE (unavailable())' : 'HUB_ERR_ADAPTER_REJECTED (rejected())'}`);
      return describeError(error);
    }
    throw new CheckFailed(`${what} resolved (${JSON.stringify(outcome)}) instead of throwing`);
  }

  async function run(check: string, body: () => Promise<string>): Promise<void> {
    try {
      record(check, 'passed', await body());
    } catch (error) {
      record(check, 'failed', error instanceof CheckFailed ? error.message : `the check itself failed: ${describeError(error)}`);
    }
  }

  async function withScenario<T>(scenario: ConformanceScenario, body: () => Promise<T>): Promise<T> {
    await scenario.before?.();
    try {
      return await body();
    } finally {
      await scenario.after?.();
    }
  }

  let adapter: Adapter | undefined;
  await run(definitionCheck, async () => {
    adapter = await create();
    const has = ['deliver', 'close', ...(adapter.health ? ['health'] : []), ...(adapter.pull ? ['pull'] : [])];
    return `${definition.name} serves ${definition.modules.join(', ')}; options checked; create() gave ${has.join(', ')}`;
  });
  if (!adapter) {
    for (const check of CONFORMANCE_CHECKS.slice(1)) record(check, 'skipped', 'create() failed');
    if (ownVarDir) rmSync(ownVarDir, { recursive: true, force: true });
    return { adapter: definition.name, passed: false, checks };
  }
  const main = adapter;
  const notCounted = options.probe ? '' : ' (records not counted: no probe given)';

  let firstReference: string | undefined;
  await run(sameKey, async () => {
    const delivery = await newDelivery();
    const doc = documentFor(delivery.messageId);
    const first = await deliver(main, doc, delivery, 'the first delivery');
    const second = await deliver(main, doc, { ...delivery, signal: new AbortController().signal }, 'the same delivery again');
    expectThat(second.reference === first.reference, `the same key gave two references: "${first.reference}" then "${second.reference}"`);
    const records = await count(delivery);
    expectThat(records === undefined || records === 1, `the target holds ${records} records for one key`);
    firstReference = first.reference;
    return `reference "${first.reference}" both times${records === undefined ? notCounted : ', 1 record'}`;
  });

  await run(otherKey, async () => {
    const delivery = await newDelivery();
    const result = await deliver(main, documentFor(delivery.messageId), delivery, 'a delivery of another message');
    expectThat(firstReference === undefined || result.reference !== firstReference, `another key got the first message's reference "${result.reference}"`);
    const records = await count(delivery);
    expectThat(records === undefined || records === 1, `the target holds ${records} records for the other key`);
    return `reference "${result.reference}"${records === undefined ? notCounted : ', 1 record'}`;
  });

  await run(abortBefore, async () => {
    const controller = new AbortController();
    controller.abort(new Error('conformance: aborted before the call'));
    const delivery = await newDelivery(controller.signal);
    const doc = documentFor(delivery.messageId);
    const error = await expectError(attempt(() => main.deliver(doc, delivery)), 'a delivery with an aborted signal', true);
    const afterAbort = await count(delivery);
    expectThat(afterAbort === undefined || afterAbort <= 1, `the aborted delivery left ${afterAbort} records`);
    await deliver(main, doc, { ...delivery, signal: new AbortController().signal }, 'the retry after the abort');
    const records = await count(delivery);
    expectThat(records === undefined || records === 1, `after the retry the target holds ${records} records`);
    return `${error}; the retry delivered${records === undefined ? notCounted : `, 1 record (${afterAbort} after the abort)`}`;
  });

  if (!options.slow) {
    record(abortDuring, 'skipped', 'no slow scenario given (how to make the target slow enough to abort a call in flight)');
  } else {
    const slow = options.slow;
    await run(abortDuring, async () => {
      const controller = new AbortController();
      const delivery = await newDelivery(controller.signal);
      const doc = documentFor(delivery.messageId);
      const error = await withScenario(slow, async () => {
        const pending = attempt(() => main.deliver(doc, delivery));
        pending.catch(() => {});
        await (slow.whenStarted?.(delivery) ?? new Promise((resolve) => setTimeout(resolve, 100)));
        controller.abort(new Error('conformance: aborted during the call'));
        return expectError(pending, 'a delivery aborted while it ran', true);
      });
      await deliver(main, doc, { ...delivery, signal: new AbortController().signal }, 'the retry after the abort');
      const records = await count(delivery);
      expectThat(records === undefined || records === 1, `after the retry the target holds ${records} records`);
      return `${error}; the retry delivered${records === undefined ? notCounted : ', 1 record'}`;
    });
  }

  if (!options.unavailable) {
    record(unavailableCheck, 'skipped', 'no unavailable scenario given (how to make the target unreachable)');
  } else {
    const scenario = options.unavailable;
    await run(unavailableCheck, async () => {
      const down = await create(scenario);
      return withScenario(scenario, async () => {
        const delivery = await newDelivery();
        // Only where the scenario took the hub's own store away does a raw driver error count as classified.
        const storeOutage = Boolean(scenario.context?.db || scenario.context?.redis);
        const error = await expectError(attempt(() => down.deliver(documentFor(delivery.messageId), delivery)), 'a delivery to the unavailable target', true, storeOutage);
        if (!down.health) return `${error}; no health() declared`;
        let health: { ok: boolean; detail?: string };
        try {
          health = await bounded(attempt(() => down.health!()), 'health() of the unavailable target');
        } catch (error) {
          if (error instanceof CheckFailed) throw error;
          throw new CheckFailed(`${error}; health() threw ${describeError(error)} instead of answering { ok: false, detail }`);
        }
        expectThat(health && health.ok === false, `health() says ${JSON.stringify(health)} while the target is unavailable`);
        return `${error}; health ${JSON.stringify(health)}`;
      });
    });
  }

  if (!options.rejected) {
    record(refusedCheck, 'skipped', 'no rejected scenario given (how to make the target refuse a document)');
  } else {
    const scenario = options.rejected;
    await run(refusedCheck, async () => {
      const refusing = scenario.options || scenario.context ? await create(scenario) : main;
      return withScenario(scenario, async () => {
        const delivery = await newDelivery();
        const doc = (scenario.document ?? documentFor)(delivery.messageId);
        const error = await expectError(attempt(() => refusing.deliver(doc, delivery)), 'a delivery the target refuses', false);
        const records = await count(delivery);
        expectThat(records === undefined || records === 0, `the refused document left ${records} records`);
        return `${error}${records === undefined ? notCounted : '; no record'}`;
      });
    });
  }

  if (!main.health) {
    record(healthCheck, 'skipped', 'health() not declared: /readyz lists nothing for this adapter');
  } else {
    const health = main.health.bind(main);
    await run(healthCheck, async () => {
      let answer: { ok: boolean; detail?: string };
      try {
        answer = await bounded(attempt(health), 'health()');
      } catch (error) {
        if (error instanceof CheckFailed) throw error;
        throw new CheckFailed(`health() threw ${describeError(error)}; it should answer { ok: false, detail }`);
      }
      expectThat(answer && typeof answer.ok === 'boolean', `health() answered ${JSON.stringify(answer)}, not { ok: boolean, detail?: string }`);
      expectThat(answer.detail === undefined || typeof answer.detail === 'string', `health() detail is ${typeof answer.detail}, not a string`);
      expectThat(answer.ok, `health() says not ok while the target is up: ${answer.detail ?? ''}`);
      return JSON.stringify(answer);
    });
  }

  await run(closeCheck, async () => {
    for (const instance of instances) {
      await bounded(attempt(() => instance.close()), 'close()');
      await bounded(attempt(() => instance.close()), 'a second close()');
    }
    return `${instances.length} instance(s) closed twice each`;
  });

  if (ownVarDir) rmSync(ownVarDir, { recursive: true, force: true });
  return { adapter: definition.name, passed: checks.every((c) => c.status !== 'failed'), checks };
}

/** The report as lines for a terminal or a test log: one line per check. */
export function formatReport(report: ConformanceReport): string {
  const mark = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' } as const;
  const lines = report.checks.map((c) => `  ${mark[c.status]} ${c.name}: ${c.detail}`);
  return [`adapter ${report.adapter}: ${report.passed ? 'conforms' : 'does NOT conform'}`, ...lines].join('\n');
}
