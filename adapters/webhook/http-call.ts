import http from 'node:http';
import https from 'node:https';

/** What the target answered: status, headers and the start of the body (at most `maxBodyBytes`). */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** True when the body was longer than `maxBodyBytes` and the rest was not read. */
  truncated: boolean;
}

/** One request: what to send, through which agent, until when. */
export interface HttpRequest {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  agent: http.Agent;
  signal: AbortSignal;
  maxBodyBytes: number;
}

/**
 * Sends one request with node:http(s) (global fetch cannot take a private CA or a client certificate without
 * undici's own Agent) and reads at most maxBodyBytes of the answer. Rejects with the socket's error (its
 * `code`: ECONNREFUSED, ECONNRESET, ENOTFOUND, a TLS code) or with the signal's reason when aborted.
 */
export function send(url: URL, request: HttpRequest): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const { signal } = request;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    const options = { method: request.method, headers: request.headers, agent: request.agent };
    const req = client.request(url, options, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= request.maxBodyBytes) {
          // Enough to classify the answer; the rest is not read, and the socket is not reused.
          const body = Buffer.concat(chunks).subarray(0, request.maxBodyBytes);
          finish(() => resolve({ status, headers: res.headers, body, truncated: true }));
          res.destroy();
        }
      });
      res.on('end', () => {
        finish(() => resolve({ status, headers: res.headers, body: Buffer.concat(chunks), truncated: false }));
      });
      res.on('error', (error) => finish(() => reject(error)));
      const cut = Object.assign(new Error('connection closed in the middle of the answer'), { code: 'ECONNRESET' });
      res.on('aborted', () => finish(() => reject(cut)));
    });
    function onAbort() {
      finish(() => reject(signal.reason));
      req.destroy();
    }
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish(() => reject(error)));
    req.end(request.body);
  });
}
