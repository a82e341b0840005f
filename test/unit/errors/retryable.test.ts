import { expect } from 'chai';
import { errorSummary, HubError, isHubErrorLike, isRetryable } from '../../../src/errors/hub-error.js';
import { hubBackoff } from '../../../src/queue/workers.js';

/** What an adapter built against its own copy of the hub's code throws: the same shape, another class. */
class ForeignHubError extends Error {
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  constructor(
    readonly code: string,
    message: string,
    options: { retryable: boolean; details?: Record<string, unknown> },
  ) {
    super(message);
    this.retryable = options.retryable;
    this.details = options.details ?? {};
  }
}

describe('retryability by code and flag, not by class', () => {
  it("treats another copy's HubError like the hub's own", () => {
    const rejected = new ForeignHubError('HUB_ERR_ADAPTER_REJECTED', 'the ERP refused it', { retryable: false });
    const down = new ForeignHubError('HUB_ERR_ADAPTER_UNAVAILABLE', 'the ERP is down', { retryable: true, details: { retryAfterMs: 5000 } });
    expect(rejected instanceof HubError).to.equal(false);
    expect(isHubErrorLike(rejected)).to.equal(true);
    expect(isRetryable(rejected)).to.equal(false);
    expect(isRetryable(down)).to.equal(true);
    expect(errorSummary(rejected)).to.deep.equal({ code: 'HUB_ERR_ADAPTER_REJECTED', message: 'the ERP refused it' });
    expect(hubBackoff(1000)(1, 'hub', down)).to.equal(5000);
  });

  it('does not take any object with a code for a HubError', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isHubErrorLike(socket)).to.equal(false);
    expect(isRetryable(socket)).to.equal(true);
    expect(errorSummary(socket).code).to.equal('HUB_ERR_INTERNAL');
    expect(isHubErrorLike(new ForeignHubError('HUB_ERR_NOT_IN_THE_CATALOG', 'x', { retryable: false }))).to.equal(false);
    expect(isRetryable(new HubError('HUB_ERR_XSD_INVALID', 'bad'))).to.equal(false);
  });
});
