/**
 * The ERP's purchase order to the supplier's endpoint: a `hub start` process on a fresh schema sends globex, the demo
 * supplier, its purchase orders as UBL 2.1 Orders over HTTPS (transports/https, the test CA) to a real HTTPS endpoint
 * in this process. Measured per document: from the ERP's POST /v1/erp/documents until the endpoint has received the
 * Order (stored, queued, built, checked against the XSD, sent), one at a time (latency) and N at once (throughput).
 * Beside it, in the same run, the limits of the parts: the same built Order POSTed from this process straight to the
 * endpoint over a fresh HTTPS connection (the transport's floor), and the build alone (reverse mapping + XSD check).
 * Usage: npm run bench:outbound [-- --documents 100 --burst 300]
 */
import { parseArgs } from 'node:util';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/config/load.js';
import { buildOutbound } from '../src/outbound/build.js';
import { OutboundRegistry } from '../src/outbound/registry.js';
import { XsdCache } from '../src/xml/xsd-cache.js';
import { makePki } from '../test/helpers/pki.js';
import { PartnerEndpoint } from '../test/helpers/partner-endpoint.js';
import { BEESWAX, purchaseOrder } from '../test/helpers/outbound.js';
import { benchSchema, dropSchema, loadLine, printTable, resolveStores, startHubProcess, summarise, type HubProcess } from './hub-process.js';

const { values } = parseArgs({ options: { documents: { type: 'string', default: '100' }, burst: { type: 'string', default: '300' } } });
const N = Number(values.documents);
const BURST = Number(values.burst);
const fixed = (n: number) => n.toFixed(1);

/** Beeswax and Item 1 from globex: a two-line purchase order as the ERP hands it over. */
const purchase = (number: string) => purchaseOrder(number, { lines: [BEESWAX, { lineNumber: '2', sku: 'SKU-10006', description: 'Item 1', quantity: 3, unitCode: 'C62', price: 10 }] });

const pki = makePki([]);
const endpoint = await PartnerEndpoint.start(pki);
const arrived = new Map<string, number>();
const keep = endpoint.respond;
endpoint.respond = (request, response, raw) => {
  const number = /<cbc:ID>([^<]+)<\/cbc:ID>/.exec(request.body.toString('utf8'))?.[1];
  if (number && !arrived.has(number)) arrived.set(number, performance.now());
  keep(request, response, raw);
};

const stores = await resolveStores();
const schema = benchSchema('outbound');
let hub: HubProcess | undefined;
console.log(`Outbound benchmark: ERP purchase order -> supplier HTTPS endpoint, ${N} one at a time and ${BURST} at once, schema ${schema} (dropped at the end)`);
console.log(loadLine('at the start'));
try {
  hub = await startHubProcess({
    ...stores,
    schema,
    configure: (config) => {
      config.retention = { intervalMinutes: 0 };
      config.partners.globex.transport = { type: 'https', url: endpoint.url, caFile: pki.caCert };
    },
  });
  const handOver = (number: string) =>
    fetch(`${hub!.base}/v1/erp/documents`, { method: 'POST', headers: { authorization: `Bearer ${hub!.keys.erp}`, 'content-type': 'application/json' }, body: JSON.stringify({ documentId: `bench-${number}`, document: purchase(number) }) }).then(async (r) => {
      if (r.status !== 202) throw new Error(`hand-over of ${number} answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
    });
  const waitFor = async (numbers: readonly string[]) => {
    for (let i = 0; numbers.some((n) => !arrived.has(n)); i++) {
      if (i > 12_000) throw new Error(`${numbers.filter((n) => !arrived.has(n)).length} documents never reached the endpoint`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  // Warm-up (schemas compiled, connections made): not counted.
  await handOver('WARM-1');
  await waitFor(['WARM-1']);

  const latencies: number[] = [];
  for (let i = 1; i <= N; i++) {
    const number = `LAT-${i}`;
    const started = performance.now();
    await handOver(number);
    await waitFor([number]);
    latencies.push(arrived.get(number)! - started);
  }
  const burst = Array.from({ length: BURST }, (_, i) => `BURST-${i + 1}`);
  const burstStarted = performance.now();
  await Promise.all(burst.map(handOver));
  await waitFor(burst);
  const burstMs = Math.max(...burst.map((n) => arrived.get(n)!)) - burstStarted;

  // The limits of the parts, in the same run.
  const config = loadConfig();
  const xsd = new XsdCache();
  const registry = OutboundRegistry.load(config, xsd);
  const mapping = registry.forPartner(config.partners.globex!, 'Order')!;
  const ctx = { partner: config.partners.globex!, company: config.company!, xsd };
  const builds: number[] = [];
  let body = '';
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    body = (await buildOutbound(mapping, purchase(`LIMIT-${i}`) as never, ctx)).body;
    builds.push(performance.now() - t0);
  }
  xsd.dispose();
  const ca = readFileSync(pki.caCert);
  const posts: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const request = https.request(endpoint.url, { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/xml', 'idempotency-key': `limit-${i}` } }, (response) => {
        response.resume();
        response.on('end', () => resolve());
      });
      request.on('error', reject);
      request.end(body);
    });
    posts.push(performance.now() - t0);
  }

  const lat = summarise(latencies);
  printTable([
    ['part', 'median (ms)', 'p95 (ms)', 'max (ms)'],
    [`ERP POST -> the supplier's endpoint has the Order, one at a time (${N})`, fixed(lat.median), fixed(lat.p95), fixed(lat.max)],
    ['limit: the built Order POSTed straight to the endpoint, new HTTPS connection (50)', fixed(summarise(posts).median), fixed(summarise(posts).p95), fixed(summarise(posts).max)],
    ['limit: build alone (reverse mapping + XSD check, this process, 50)', fixed(summarise(builds).median), fixed(summarise(builds).p95), fixed(summarise(builds).max)],
  ]);
  console.log('');
  printTable([
    ['burst', 'documents', 'first POST -> last at the endpoint (ms)', 'documents/s'],
    ['all at once', String(BURST), burstMs.toFixed(0), ((BURST / burstMs) * 1000).toFixed(0)],
  ]);
  console.log(loadLine('at the end'));
} finally {
  await hub?.stop();
  await endpoint.close();
  await dropSchema(stores.databaseUrl, schema);
}
