/**
 * How the https transport classifies what a partner did (transports/https/answers.ts): the split between errors a
 * retry can fix and errors it cannot, for the codes and answers a local test server cannot easily produce (an
 * expired certificate, a name mismatch, an HTTP date in Retry-After).
 */
import { expect } from 'chai';
import { answerError, noAnswerError } from '../../../transports/https/answers.js';
import type { HttpAnswer } from '../../../adapters/webhook/http-call.js';

const WHERE = 'https transport of globex: POST https://edi.globex.example/in';
const NOW = Date.parse('2026-12-02T09:00:00Z');

function answer(status: number, headers: Record<string, string> = {}, body = ''): HttpAnswer {
  return { status, headers, body: Buffer.from(body), truncated: false };
}

function socketError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

const quiet = { timedOut: false, aborted: false, timeoutMs: 30_000 };

describe('transports/https: answers and failures', () => {
  it('a certificate the hub cannot verify is HUB_ERR_TRANSPORT_TLS, whatever the reason', () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']) {
      const error = noAnswerError(socketError(code), WHERE, quiet);
      expect(error.code, code).to.equal('HUB_ERR_TRANSPORT_TLS');
      expect(error.retryable, code).to.equal(false);
      expect(error.details).to.deep.equal({ errorCode: code });
      expect(error.message).to.contain(WHERE).and.contain('caFile');
    }
  });

  it('the partner refusing our client certificate is HUB_ERR_TRANSPORT_TLS naming the client certificate', () => {
    for (const code of ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA']) {
      const error = noAnswerError(socketError(code), WHERE, quiet);
      expect(error.code, code).to.equal('HUB_ERR_TRANSPORT_TLS');
      expect(error.message).to.contain('client certificate');
    }
  });

  it('no answer for any other reason is retryable HUB_ERR_TRANSPORT_UNAVAILABLE, saying why', () => {
    const cases: Array<[Error, typeof quiet, string]> = [
      [socketError('ECONNREFUSED'), quiet, 'ECONNREFUSED'],
      [socketError('ECONNRESET', 'socket hang up'), quiet, 'ECONNRESET (socket hang up)'],
      [socketError('ENOTFOUND'), quiet, 'ENOTFOUND (name not resolved)'],
      [socketError('ERR_SSL_WRONG_VERSION_NUMBER'), quiet, 'ERR_SSL_WRONG_VERSION_NUMBER'],
      [new Error('The operation was aborted'), { ...quiet, timedOut: true, timeoutMs: 5000 }, 'no answer within 5000 ms'],
      [new Error('The operation was aborted'), { ...quiet, aborted: true }, 'send aborted'],
    ];
    for (const [cause, why, said] of cases) {
      const error = noAnswerError(cause, WHERE, why);
      expect(error.code, said).to.equal('HUB_ERR_TRANSPORT_UNAVAILABLE');
      expect(error.retryable, said).to.equal(true);
      expect(error.message).to.equal(`${WHERE}: ${said}${said === 'send aborted' ? ' (hub shutting down or its deadline)' : ''}`);
    }
  });

  it('408, 429 and 5xx are retryable; Retry-After (seconds or an HTTP date) is passed on, capped, or ignored with 0', () => {
    expect(answerError(answer(408), WHERE, 3_600_000, NOW).retryable).to.equal(true);
    expect(answerError(answer(502), WHERE, 3_600_000, NOW).details).to.deep.equal({ status: 502 });
    expect(answerError(answer(429, { 'retry-after': '120' }), WHERE, 3_600_000, NOW).details).to.deep.equal({ status: 429, retryAfterMs: 120_000 });
    const date = answer(503, { 'retry-after': 'Wed, 02 Dec 2026 09:05:00 GMT' });
    expect(answerError(date, WHERE, 3_600_000, NOW).details).to.deep.equal({ status: 503, retryAfterMs: 300_000 });
    expect(answerError(answer(429, { 'retry-after': '86400' }), WHERE, 60_000, NOW).details).to.deep.equal({ status: 429, retryAfterMs: 60_000 });
    expect(answerError(answer(429, { 'retry-after': '120' }), WHERE, 0, NOW).details).to.deep.equal({ status: 429 });
    // Retry-After on a 500 is not a promise the partner makes; only 429 and 503 carry one.
    expect(answerError(answer(500, { 'retry-after': '120' }), WHERE, 3_600_000, NOW).details).to.deep.equal({ status: 500 });
  });

  it('other answers are not retryable and keep the start of what the partner said, with a hint where one helps', () => {
    const refused = answerError(answer(400, { 'content-type': 'text/plain' }, 'BEG03 missing'), WHERE, 3_600_000, NOW);
    expect(refused).to.include({ code: 'HUB_ERR_TRANSPORT_REJECTED', retryable: false });
    expect(refused.message).to.equal(`${WHERE} answered HTTP 400: BEG03 missing`);
    expect(answerError(answer(401), WHERE, 0, NOW).message).to.contain('check the credentials');
    expect(answerError(answer(301, { location: 'https://new.globex.example/in' }), WHERE, 0, NOW).message).to.contain('redirect to https://new.globex.example/in not followed');
    expect(answerError(answer(404, {}, 'x'.repeat(5000)), WHERE, 0, NOW).message.length).to.be.below(2300);
  });
});
