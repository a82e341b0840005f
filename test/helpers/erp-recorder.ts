import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request the recorder received, and what it answered. */
export interface RecordedCall {
  method: string;
  path: string;
  /** Lower-case header names, as Node gives them. */
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: any;
  status: number;
  /**
   * created: a new record; repeat: an Idempotency-Key seen before; refused: signature, timestamp or key wrong;
   * scripted: an answer set by the test; health: GET or HEAD /health (always 200, unsigned).
   */
  outcome: 'created' | 'repeat' | 'refused' | 'scripted' | 'health';
  /** The record the call created or found, for created and repeat (and scripted answers with afterCreate). */
  recordId?: string;
  /** Milliseconds since the recorder started (Date.now based), for ordering and gaps between calls. */
  at: number;
}

/** An answer the test wants for the next call, instead of the ERP's normal behaviour. */
export interface ScriptedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Create (or find) the record first, then answer this: a target that did the work but whose answer failed. */
  afterCreate?: boolean;
}

/** What the recorder keeps per Idempotency-Key. */
export interface ErpRecord {
  id: string;
  key: string;
  body: any;
  /** Calls with this key after the one that created it. */
  repeats: number;
}

export interface ErpRecorderOptions {
  /** The shared HMAC secret; without it, signatures are not checked. */
  secret?: string;
  /** Seconds a timestamp may be away from the recorder's clock. */
  windowSeconds?: number;
  /** HTTPS with these PEM contents; requestCert: require a client certificate signed by `ca` (else no handshake). */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; requestCert?: boolean };
}

/**
 * A small ERP on 127.0.0.1 that takes webhook deliveries as an honest ERP should: it checks the HMAC
 * signature over "<timestamp>.<body>" and the timestamp window (401 otherwise), creates one record per
 * Idempotency-Key (201 with its id; the same key again answers 200 with the same id and counts as a repeat),
 * and records every call. The test can make it go down (connections refused), be slow, or give scripted
 * answers (503 with Retry-After, 429, a 4xx with a body).
 */
export class ErpRecorder {
  readonly calls: RecordedCall[] = [];
  readonly records = new Map<string, ErpRecord>();
  /** Milliseconds each answer waits (the record is made on arrival, before the wait). */
  delayMs = 0;
  private readonly script: ScriptedAnswer[] = [];
  private readonly started = Date.now();
  private nextId = 1001;
  private server: http.Server;
  private port = 0;

  private constructor(private readonly options: ErpRecorderOptions) {
    this.server = this.makeServer();
  }

  /** Starts a recorder on a free port of 127.0.0.1. */
  static async start(options: ErpRecorderOptions = {}): Promise<ErpRecorder> {
    const recorder = new ErpRecorder(options);
    await recorder.listen();
    return recorder;
  }

  /** Base URL, e.g. http://127.0.0.1:41234 (the same across down/up). */
  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The next calls get these answers, in order; then the normal behaviour resumes. */
  answerNext(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  /** Calls that made or found a record again (second and later calls with one key). */
  get repeats(): number {
    return [...this.records.values()].reduce((sum, r) => sum + r.repeats, 0);
  }

  /** Stops listening and drops open connections: connections are refused until up(). */
  async down(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    this.server = this.makeServer();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.down();
  }

  private async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private makeServer(): http.Server {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    };
    const { tls } = this.options;
    if (!tls) return http.createServer(handler);
    const requestCert = tls.requestCert ?? false;
    const options = { cert: tls.cert, key: tls.key, requestCert, rejectUnauthorized: requestCert };
    return https.createServer(tls.ca ? { ...options, ca: tls.ca } : options, handler);
  }

  private handle(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): void {
    const body = raw.toString('utf8');
    let json: any;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const call: RecordedCall = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      ...(json === undefined ? {} : { json }),
      status: 0,
      outcome: 'refused',
      at: Date.now() - this.started,
    };
    this.calls.push(call);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      const send = () => {
        if (res.destroyed) return;
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        const contentType = typeof payload === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(status, { 'content-type': contentType, ...headers });
        res.end(text);
      };
      if (this.delayMs > 0) setTimeout(send, this.delayMs);
      else send();
    };

    if ((req.method === 'GET' || req.method === 'HEAD') && req.url === '/health') {
      call.outcome = 'health';
      return answer(200, { ok: true });
    }
    const refusal = this.checkSignature(req, raw);
    if (refusal) return answer(401, { error: refusal });
    const key = header(req, 'idempotency-key');
    if (!key) return answer(400, { error: 'Idempotency-Key is required' });

    const scripted = this.script.shift();
    if (scripted && !scripted.afterCreate) {
      call.outcome = 'scripted';
      return answer(scripted.status, scripted.body ?? '', scripted.headers);
    }
    const existing = this.records.get(key);
    const record = existing ?? { id: `SO-${this.nextId++}`, key, body: json, repeats: 0 };
    if (existing) existing.repeats++;
    else this.records.set(key, record);
    call.recordId = record.id;
    if (scripted) {
      call.outcome = 'scripted';
      return answer(scripted.status, scripted.body ?? '', scripted.headers);
    }
    call.outcome = existing ? 'repeat' : 'created';
    answer(existing ? 200 : 201, { id: record.id, created: !existing }, { location: `/orders/${record.id}` });
  }

  /** The reason to refuse the call, or undefined when its signature and timestamp are right. */
  private checkSignature(req: http.IncomingMessage, raw: Buffer): string | undefined {
    const { secret } = this.options;
    if (!secret) return undefined;
    const timestamp = header(req, 'x-hub-timestamp');
    const signature = header(req, 'x-hub-signature');
    if (!timestamp || !/^\d+$/.test(timestamp)) return 'X-Hub-Timestamp missing or not Unix seconds';
    const window = this.options.windowSeconds ?? 300;
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > window) return 'X-Hub-Timestamp outside the window';
    const hex = createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest('hex');
    const expected = Buffer.from(`sha256=${hex}`);
    const given = Buffer.from(signature ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'X-Hub-Signature does not match';
    return undefined;
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
