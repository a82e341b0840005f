/**
 * Graceful shutdown of a real `hub start` process: on SIGTERM it answers new requests with 503 and Retry-After
 * (on new connections too: it keeps listening while it drains), reports not ready, finishes the request it is
 * in the middle of, and exits by itself; the document of that request is stored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../src/main.js';
import { goldenFixtures } from '../helpers/fixtures.js';
import { freePort } from '../helpers/private-redis.js';
import { call, ROOT, startTestHub, type TestHub } from '../helpers/test-hub.js';

function startHubProcess(t: TestHub, port: number): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/hub.js'), 'start', '--no-workers'], { env: { ...t.env, PORT: String(port), LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (output.includes('hub listening')) {
        clearInterval(poll);
        resolve({ child, log: () => output });
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`hub exited with ${code}: ${output}`));
    });
  });
}

describe('graceful shutdown (SIGTERM)', function () {
  this.timeout(60_000);
  let t: TestHub;
  before(async () => {
    t = await startTestHub({ workers: false });
  });
  after(async () => t?.close());

  it('answers new requests 503 with Retry-After, finishes the one in flight, stores its document and exits', async () => {
    const port = await freePort();
    const { child, log } = await startHubProcess(t, port);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const order = goldenFixtures(['ubl-order']).find((f) => f.name === 'ubl-order-2.1-example.xml')!;
    const body = Buffer.from(order.bytes.toString('utf8').replace(/<cbc:ID>[^<]*<\/cbc:ID>/, '<cbc:ID>DRAIN-1</cbc:ID>'));
    // A post in flight: headers and half the body sent before the signal, the rest after.
    let answer!: Promise<{ status: number; body: any }>;
    const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/documents', headers: { authorization: `Bearer ${t.keys.partners.acme}`, 'content-type': 'application/xml', 'content-length': body.length } });
    answer = new Promise((resolve, reject) => {
      request.on('response', (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      request.on('error', reject);
    });
    request.write(body.subarray(0, body.length >> 1));
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));

    const base = `http://127.0.0.1:${port}`;
    const ready = await call(base, 'GET', '/readyz', { key: t.keys.ops });
    expect(ready.status).to.equal(503);
    const refused = await call(base, 'POST', '/v1/documents', { key: t.keys.partners.acme, body: order.bytes });
    expect(refused.status).to.equal(503);
    expect(refused.body.code).to.equal('HUB_ERR_SHUTTING_DOWN');
    expect(Number(refused.headers.get('retry-after'))).to.be.above(0);
    expect(child.exitCode, 'still draining while a request is in flight').to.equal(null);

    request.end(body.subarray(body.length >> 1));
    const finished = await answer;
    expect(finished.status, JSON.stringify(finished.body)).to.equal(202);
    // It exits by itself once drained (well inside the 20 s grace period; the bound here is only a guard).
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 25_000))]);
    expect(code, log()).to.equal(0);
    expect(log()).to.contain('drained');
    const stored = await t.hub.store.get(finished.body.id);
    expect(stored?.documentNumber).to.equal('DRAIN-1');
  });

  it('hub.close() runs its closers once: a second call, at once or later, waits for the first and closes nothing twice', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const other = await startTestHub({ logger: createLogger({ level: 'warn', destination }) });
    const first = other.hub.close();
    const second = other.hub.close();
    await Promise.all([first, second]);
    await other.hub.close();
    await other.close();
    expect(lines.filter((l) => l.includes('error while closing'))).to.deep.equal([]);
  });
});
