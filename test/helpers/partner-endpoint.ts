import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Pki } from './pki.js';

/** One request as the partner's endpoint received it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The CN of the client certificate the hub presented, when it presented one the CA signed. */
  clientCommonName?: string;
}

export type Responder = (request: ReceivedRequest, response: ServerResponse, raw: IncomingMessage) => void;

/**
 * A partner's HTTPS endpoint for tests: a real node:https server with a certificate from the test PKI
 * (test/helpers/pki.ts), optionally requiring a client certificate from that CA. It records every request; by
 * default it is an idempotent partner: one document per Idempotency-Key, answered 200 `{ "id": ... }` with the
 * same id for the same key.
 */
export class PartnerEndpoint {
  readonly received: ReceivedRequest[] = [];
  /** Documents the default responder kept, by Idempotency-Key. */
  readonly documents = new Map<string, { id: string; body: string }>();
  respond: Responder = (request, response) => this.keepOnce(request, response);

  private constructor(
    private readonly server: https.Server,
    readonly url: string,
  ) {}

  static async start(pki: Pki, options: { requireClientCert?: boolean } = {}): Promise<PartnerEndpoint> {
    const requireClientCert = options.requireClientCert ?? false;
    const server = https.createServer({
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.caCert),
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = new PartnerEndpoint(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}/edi/inbound`);
    server.on('request', (raw: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      raw.on('data', (chunk: Buffer) => chunks.push(chunk));
      raw.on('end', () => {
        const socket = raw.socket as TLSSocket;
        const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
        const commonName = peer?.subject?.CN;
        const request: ReceivedRequest = {
          method: raw.method ?? '',
          path: raw.url ?? '',
          headers: raw.headers,
          body: Buffer.concat(chunks),
          ...(typeof commonName === 'string' ? { clientCommonName: commonName } : {}),
        };
        endpoint.received.push(request);
        endpoint.respond(request, response, raw);
      });
    });
    return endpoint;
  }

  /** The default answer: keep the document once per Idempotency-Key, answer its id. */
  keepOnce(request: ReceivedRequest, response: ServerResponse): void {
    const key = String(request.headers['idempotency-key'] ?? '');
    let kept = this.documents.get(key);
    if (!kept) {
      kept = { id: randomUUID(), body: request.body.toString('utf8') };
      this.documents.set(key, kept);
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: kept.id }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
