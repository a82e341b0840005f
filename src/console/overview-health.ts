/**
 * Adapters' own health checks (health() of the adapter contract: Tryton's version call, a webhook's health URL,
 * the archive folder, the outbox table) for the overview, kept cheap: one round for every adapter at a time,
 * at most every HEALTH_TTL_MS per process however many people watch, each check bounded by HEALTH_TIMEOUT_MS,
 * and never awaited by a page: a page shows the last reading and starts the next round when it is stale.
 */
import type { AdapterRegistry } from '../adapters/registry.js';

/** How long a reading is shown before the next round of checks is started. */
export const HEALTH_TTL_MS = 30_000;
/** Longest one adapter's check may take before it counts as down. */
export const HEALTH_TIMEOUT_MS = 3_000;

/** An adapter's last health reading: ok or down with what it said, `none` without a health(), `checking` before the first answer. */
export interface HealthReading {
  state: 'ok' | 'down' | 'none' | 'checking';
  detail?: string;
  checkedAt?: string;
}

function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    timer.unref();
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

export class AdapterHealthChecks {
  private readonly readings = new Map<string, HealthReading>();
  private round?: Promise<void>;
  private lastRound = 0;

  constructor(
    private readonly adapters: AdapterRegistry,
    private readonly ttlMs = HEALTH_TTL_MS,
    private readonly timeoutMs = HEALTH_TIMEOUT_MS,
  ) {}

  /** The readings now (one per adapter); starts a round of checks in the background when the last is stale. */
  current(now = Date.now()): Map<string, HealthReading> {
    if (!this.round && now - this.lastRound >= this.ttlMs) {
      this.lastRound = now;
      this.round = this.check().finally(() => (this.round = undefined));
    }
    const out = new Map<string, HealthReading>();
    for (const { config, adapter } of this.adapters.all()) out.set(config.name, adapter.health ? (this.readings.get(config.name) ?? { state: 'checking' }) : { state: 'none' });
    return out;
  }

  private async check(): Promise<void> {
    await Promise.all(
      this.adapters.all().map(async ({ config, adapter }) => {
        if (!adapter.health) return;
        let reading: HealthReading;
        try {
          const answer = await bounded(adapter.health(), this.timeoutMs);
          reading = { state: answer.ok ? 'ok' : 'down', ...(answer.detail ? { detail: answer.detail.slice(0, 300) } : {}) };
        } catch (error) {
          reading = { state: 'down', detail: ((error as Error)?.message ?? String(error)).slice(0, 300) };
        }
        this.readings.set(config.name, { ...reading, checkedAt: new Date().toISOString() });
      }),
    );
  }
}
