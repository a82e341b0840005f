import type { HubProcess } from './hub-process.js';
import { orderWithNumber } from './hub-process.js';

export interface SteadyIntake {
  /** POST -> 202 of each accepted document, ms. */
  latencies: number[];
  posted: number;
  /** Answers other than 202 (or failed requests), by status. */
  other: Map<string, number>;
  ids: string[];
}

/**
 * Posts a new order every `intervalMs` (open loop: on a fixed schedule, not after the previous answer, so a
 * slow hub faces the same load and its slowness shows in the latencies) until `until` settles.
 */
export async function postSteadily(hub: HubProcess, template: string, options: { intervalMs: number; until: Promise<unknown>; numberPrefix: string }): Promise<SteadyIntake> {
  const headers = { authorization: `Bearer ${hub.keys.partners.acme}`, 'content-type': 'application/xml' };
  const result: SteadyIntake = { latencies: [], posted: 0, other: new Map(), ids: [] };
  let done = false;
  const stopped = options.until.then(
    () => (done = true),
    () => (done = true),
  );
  const inFlight: Array<Promise<void>> = [];
  const start = performance.now();
  for (let k = 0; !done; k++) {
    const wait = start + k * options.intervalMs - performance.now();
    if (wait > 0) await Promise.race([new Promise((r) => setTimeout(r, wait)), stopped]);
    if (done) break;
    const body = orderWithNumber(template, `${options.numberPrefix}-${k}`);
    result.posted++;
    const sent = performance.now();
    inFlight.push(
      fetch(`${hub.base}/v1/documents`, { method: 'POST', headers, body }).then(
        async (response) => {
          const json = (await response.json()) as { id?: string };
          if (response.status === 202 && json.id) {
            result.latencies.push(performance.now() - sent);
            result.ids.push(json.id);
          } else result.other.set(String(response.status), (result.other.get(String(response.status)) ?? 0) + 1);
        },
        (error: Error) => void result.other.set(error.message, (result.other.get(error.message) ?? 0) + 1),
      ),
    );
  }
  await Promise.all(inFlight);
  return result;
}
