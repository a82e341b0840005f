/**
 * Each check of the conformance suite can fail: a toy adapter over an in-memory ERP passes every check, then
 * each variant takes one guarantee away and exactly that check must go red (the rest stay green).
 */
import { expect } from 'chai';
import { rejected, throwIfAborted, unavailable, type AdapterDefinition, type DeliveryContext } from 'b2b-hub/adapter-kit';
import { CONFORMANCE_CHECKS, formatReport, runConformance, type ConformanceOptions, type ConformanceReport } from 'b2b-hub/adapter-kit/conformance';

const [definitionCheck, sameKey, otherKey, abortBefore, abortDuring, unavailableCheck, refusedCheck, healthCheck, closeCheck] = CONFORMANCE_CHECKS;

/** What a variant of the toy does differently from a conforming adapter. */
interface Faults {
  /** Creates a record on every call (no idempotency). */
  duplicates?: boolean;
  /** Returns a fresh reference on a repeat, though it finds the record. */
  freshReference?: boolean;
  /** Does not look at the signal. */
  ignoresAbort?: boolean;
  /** signal.throwIfAborted(): throws the bare abort reason, no catalog code. */
  bareAbortError?: boolean;
  /** Outage thrown as a plain Error. */
  plainOutage?: boolean;
  /** Outage thrown as a rejection (not retryable). */
  outageAsRejection?: boolean;
  /** A code whose catalog entry contradicts the flag. */
  flagAgainstCode?: boolean;
  /** Health says ok while the target is down. */
  healthAlwaysOk?: boolean;
  /** health() answers another shape. */
  healthShape?: boolean;
  /** A refusal thrown as retryable. */
  refusalRetryable?: boolean;
  /** A refused document still leaves a record. */
  refusalCreates?: boolean;
  /** A second close() rejects. */
  closeOnce?: boolean;
  /** deliver never settles. */
  hangs?: boolean;
}

/** An ERP in memory: one record per key, when the adapter asks it properly. */
class ToyErp {
  readonly records = new Map<string, string[]>();
  delayMs = 0;
  private next = 1;
  create(key: string, fresh: boolean): string {
    const existing = this.records.get(key) ?? [];
    if (existing.length && !fresh) return existing[0]!;
    const id = `R-${this.next++}`;
    this.records.set(key, [...existing, id]);
    return id;
  }
}

function toy(erp: ToyErp, faults: Faults = {}): AdapterDefinition<{ down: boolean }> {
  return {
    name: 'toy',
    modules: ['sales'],
    configSchema: { type: 'object', properties: { down: { type: 'boolean', default: false } } },
    create(options) {
      let closed = false;
      const wait = (ms: number, signal: AbortSignal | undefined) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal?.addEventListener('abort', () => (clearTimeout(timer), reject(unavailable('toy: delivery aborted'))), { once: true });
        });
      return {
        async deliver(doc, delivery: DeliveryContext) {
          if (faults.hangs) return new Promise(() => {});
          if (faults.bareAbortError) delivery.signal.throwIfAborted();
          else if (!faults.ignoresAbort) throwIfAborted(delivery.signal, 'toy');
          if (options.down) {
            if (faults.plainOutage) throw new Error('toy ERP is down');
            if (faults.outageAsRejection) throw rejected('toy ERP is down');
            if (faults.flagAgainstCode) throw Object.assign(new Error('toy ERP is down'), { code: 'HUB_ERR_ADAPTER_REJECTED', retryable: true });
            throw unavailable('toy ERP is down', { retryAfterMs: 1000 });
          }
          if (doc.buyer.internalId === 'NOBODY') {
            if (faults.refusalCreates) erp.create(delivery.idempotencyKey, false);
            if (faults.refusalRetryable) throw unavailable('toy: unknown customer');
            throw rejected('toy: unknown customer NOBODY');
          }
          if (erp.delayMs) await wait(erp.delayMs, faults.ignoresAbort ? undefined : delivery.signal);
          const id = erp.create(delivery.idempotencyKey, faults.duplicates === true);
          return { reference: faults.freshReference ? `${id}/${Math.random()}` : id };
        },
        async health() {
          if (faults.healthShape) return { status: 'up' } as never;
          return options.down && !faults.healthAlwaysOk ? { ok: false, detail: 'down' } : { ok: true };
        },
        async close() {
          if (closed && faults.closeOnce) throw new Error('already closed');
          closed = true;
        },
      };
    },
  };
}

async function check(faults: Faults, extra: Partial<ConformanceOptions> = {}): Promise<ConformanceReport> {
  const erp = new ToyErp();
  return runConformance({
    definition: toy(erp, faults),
    options: {},
    probe: { count: (delivery) => erp.records.get(delivery.idempotencyKey)?.length ?? 0 },
    unavailable: { options: { down: true } },
    rejected: { document: (messageId) => ({ ...sampleFor(messageId), buyer: { internalId: 'NOBODY', partyIds: [] } }) },
    slow: { before: () => void (erp.delayMs = 300), after: () => void (erp.delayMs = 0) },
    ...extra,
  });
}

function sampleFor(messageId: string) {
  return {
    type: 'Order' as const,
    documentNumber: `T-${messageId.slice(0, 8)}`,
    issueDate: '2026-11-01',
    currency: 'EUR',
    buyer: { internalId: 'CUST-ACME', partyIds: [] },
    seller: { internalId: 'SELF', partyIds: [] },
    lines: [{ lineNumber: '1', sku: 'SKU-1', quantity: 1, unitCode: 'C62', price: 1, lineAmount: 1 }],
    totals: { payableAmount: 1 },
  };
}

function failedChecks(report: ConformanceReport): string[] {
  return report.checks.filter((c) => c.status === 'failed').map((c) => c.name);
}

describe('adapter kit: every conformance check can fail', () => {
  it('a conforming toy passes every check', async () => {
    const report = await check({});
    expect(report.checks.map((c) => [c.name, c.status]), formatReport(report)).to.deep.equal(CONFORMANCE_CHECKS.map((name) => [name, 'passed']));
    expect(report.passed).to.equal(true);
  });

  // Each fault and the check(s) it must turn red: a health of the wrong shape is caught where health is asked.
  const cases: [string, Faults, string | string[], RegExp][] = [
    ['a non-idempotent adapter (a record per call)', { duplicates: true }, sameKey, /two references|2 records/],
    ['a new reference for the same key', { freshReference: true }, sameKey, /two references/],
    ['an abort signal not looked at', { ignoresAbort: true }, [abortBefore, abortDuring], /resolved .* instead of throwing/],
    ['signal.throwIfAborted() (the bare abort reason)', { bareAbortError: true }, abortBefore, /unclassified error .*conformance: aborted before the call/],
    ['an outage thrown as a plain Error', { plainOutage: true }, unavailableCheck, /unclassified error/],
    ['an outage thrown as a rejection', { outageAsRejection: true }, unavailableCheck, /expected retryable true/],
    ['a retryable flag against its catalog code', { flagAgainstCode: true }, unavailableCheck, /catalog entry says retryable false/],
    ['health ok while the target is down', { healthAlwaysOk: true }, unavailableCheck, /health\(\) says \{"ok":true\}/],
    ['a refusal thrown as retryable', { refusalRetryable: true }, refusedCheck, /expected retryable false/],
    ['a refused document that leaves a record', { refusalCreates: true }, refusedCheck, /left 1 records/],
    ['health of another shape', { healthShape: true }, [unavailableCheck, healthCheck], /not \{ ok: boolean/],
    ['a second close() that rejects', { closeOnce: true }, closeCheck, /already closed/],
  ];
  for (const [what, faults, expected, detail] of cases) {
    const failing = ([] as string[]).concat(expected);
    it(`${what} fails "${failing.join('" and "')}" and only that`, async () => {
      const report = await check(faults);
      expect(failedChecks(report), formatReport(report)).to.deep.equal(failing);
      expect(report.checks.find((c) => c.name === failing.at(-1))!.detail).to.match(detail);
      expect(report.passed).to.equal(false);
    });
  }

  it('an abort during the call that is not honoured fails "aborted during the call"', async () => {
    // Honours a signal already aborted, but not one aborted while it waits for its ERP.
    const erp = new ToyErp();
    const base = toy(erp, { ignoresAbort: true });
    const definition: AdapterDefinition<{ down: boolean }> = {
      ...base,
      async create(options, ctx) {
        const adapter = await base.create(options, ctx);
        return { ...adapter, deliver: (doc, delivery) => (throwIfAborted(delivery.signal, 'toy'), adapter.deliver(doc, delivery)) };
      },
    };
    const report = await check({}, { definition, probe: { count: (d) => erp.records.get(d.idempotencyKey)?.length ?? 0 }, slow: { before: () => void (erp.delayMs = 300), after: () => void (erp.delayMs = 0) } });
    expect(failedChecks(report), formatReport(report)).to.deep.equal([abortDuring]);
  });

  it('a delivery that never settles is reported as hanging, not waited for', async () => {
    const report = await check({ hangs: true }, { hangAfterMs: 200 });
    expect(failedChecks(report)).to.include.members([sameKey, otherKey, abortBefore]);
    expect(report.checks.find((c) => c.name === sameKey)!.detail).to.match(/did not settle within 200 ms/);
  });

  it('a definition without configSchema fails "definition" and skips the rest', async () => {
    const { configSchema: _, ...incomplete } = toy(new ToyErp());
    const report = await runConformance({ definition: incomplete, options: {} });
    expect(report.checks[0]).to.include({ name: definitionCheck, status: 'failed' });
    expect(report.checks[0]!.detail).to.match(/configSchema must be a JSON Schema object/);
    expect(report.checks.slice(1).every((c) => c.status === 'skipped')).to.equal(true);
    expect(report.passed).to.equal(false);
  });

  it('options the schema refuses fail "definition" with the reason', async () => {
    const report = await runConformance({ definition: toy(new ToyErp()), options: { down: 'no', colour: 'red' } });
    expect(report.checks[0]!.status).to.equal('failed');
    expect(report.checks[0]!.detail).to.match(/additional properties: colour/);
  });

  it('without scenarios the checks that need them are skipped, saying what to give, never passed', async () => {
    const erp = new ToyErp();
    const report = await runConformance({ definition: toy(erp), options: {} });
    const skipped = report.checks.filter((c) => c.status === 'skipped').map((c) => c.name);
    expect(skipped).to.deep.equal([abortDuring, unavailableCheck, refusedCheck]);
    expect(report.checks.find((c) => c.name === sameKey)!.detail).to.match(/records not counted: no probe given/);
  });
});
