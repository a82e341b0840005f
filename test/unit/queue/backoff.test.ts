import { expect } from 'chai';
import { HubError } from '../../../src/errors/hub-error.js';
import { hubBackoff } from '../../../src/queue/workers.js';

describe('retry backoff', () => {
  const backoff = hubBackoff(1000);

  it('doubles from the base delay', () => {
    expect([1, 2, 3, 4].map((n) => backoff(n, 'hub', new Error('down')))).to.deep.equal([1000, 2000, 4000, 8000]);
  });

  it("honours the target's Retry-After (at least the base delay, at most an hour)", () => {
    const asked = (ms: number) => new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', 'ERP answered 429', { details: { retryAfterMs: ms } });
    expect(backoff(1, 'hub', asked(30_000))).to.equal(30_000);
    expect(backoff(5, 'hub', asked(30_000))).to.equal(30_000);
    expect(backoff(1, 'hub', asked(10))).to.equal(1000);
    expect(backoff(1, 'hub', asked(10 * 3_600_000))).to.equal(3_600_000);
    expect(backoff(2, 'hub', new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', 'down', { details: { retryAfterMs: 'soon' } }))).to.equal(2000);
  });
});
