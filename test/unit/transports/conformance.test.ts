/**
 * The transport conformance suite judges, not just runs: an in-memory transport that keeps the contract passes,
 * and each way of breaking it fails the check about it (and only that one).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { runTransportConformance, TRANSPORT_CONFORMANCE_CHECKS, type TransportConformanceReport } from '../../../src/transports/conformance.js';
import type { TransportDefinition } from '../../../src/transports/contract.js';
import { throwIfSendAborted, transportRejected, transportUnavailable } from '../../../src/transports/kit.js';

type Breakage = 'none' | 'ignores-key' | 'plain-error-when-down' | 'any-partner' | 'ignores-abort';

/** A document the partner in memory holds, under the Idempotency-Key it came with. */
interface Held {
  key: string;
  id: string;
}

/** A partner in memory: one document per key (unless broken); `down: true` takes it out of reach. */
function memoryTransport(breakage: Breakage, held: Held[]): TransportDefinition<{ down: boolean }> {
  return {
    name: 'memory',
    configSchema: { type: 'object', properties: { down: { type: 'boolean', default: false } } },
    create(options, context) {
      return {
        async send(document, sending) {
          if (breakage !== 'ignores-abort') throwIfSendAborted(sending.signal, 'memory');
          if (options.down) throw breakage === 'plain-error-when-down' ? new Error('ECONNREFUSED') : transportUnavailable('memory: down');
          if (breakage !== 'any-partner' && document.partner !== context.partner) throw transportRejected('memory: not my partner');
          let kept = held.find((d) => d.key === sending.idempotencyKey);
          if (!kept || breakage === 'ignores-key') {
            kept = { key: sending.idempotencyKey, id: randomUUID() };
            held.push(kept);
          }
          return { reference: kept.id };
        },
        async health() {
          return { ok: !options.down };
        },
        async close() {},
      };
    },
  };
}

async function judge(breakage: Breakage): Promise<TransportConformanceReport> {
  const held: Held[] = [];
  return runTransportConformance({
    definition: memoryTransport(breakage, held),
    options: {},
    count: (key) => held.filter((d) => d.key === key).length,
    unreachable: { options: { down: true } },
    hangAfterMs: 2000,
  });
}

function failedChecks(report: TransportConformanceReport): string[] {
  return report.checks.filter((c) => c.status === 'failed').map((c) => c.name);
}

describe('transports/conformance: the suite judges', () => {
  it('passes a transport that keeps the contract, every check run', async () => {
    const report = await judge('none');
    expect(report.checks.map((c) => [c.name, c.status])).to.deep.equal(TRANSPORT_CONFORMANCE_CHECKS.map((name) => [name, 'passed']));
    expect(report.passed).to.equal(true);
  });

  it('fails one that makes a new document on every send of the same key', async () => {
    const report = await judge('ignores-key');
    expect(failedChecks(report)).to.include('same key twice: one document, same reference');
    expect(report.passed).to.equal(false);
  });

  it('fails one that throws an unclassified error when its target is down', async () => {
    const report = await judge('plain-error-when-down');
    expect(failedChecks(report)).to.deep.equal(['target out of reach: retryable classified error, health not ok']);
  });

  it("fails one that sends another partner's document", async () => {
    expect(failedChecks(await judge('any-partner'))).to.deep.equal(["another partner's document: not retryable, nothing sent"]);
  });

  it('fails one that sends although the send was aborted', async () => {
    expect(failedChecks(await judge('ignores-abort'))).to.deep.equal(['aborted before the send: retryable, nothing sent, the retry sends one']);
  });

  it('fails the definition, and skips the rest, for something that is no transport', async () => {
    const report = await runTransportConformance({ definition: { name: 'Bad Name', create: 1 }, options: {}, count: () => 0 });
    expect(report.checks[0]).to.include({ name: 'definition', status: 'failed' });
    expect(report.checks[0]!.detail).to.contain('name must be a lower-case id').and.contain('configSchema');
    expect(report.checks.slice(1).every((c) => c.status === 'skipped')).to.equal(true);
  });
});
