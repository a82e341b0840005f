/**
 * The ERP side of the outbox in the chaos suite: it pulls each module's messages from an intake process
 * (GET /v1/erp/messages), records what it got, and acknowledges it, as an ERP integration would. While the
 * ERP is "down" it pulls nothing. What it records is what the checks read: every (document, module) the ERP
 * received, under which outbox ids, and how often.
 */
import type { ErpModule } from '../../src/config/types.js';

const MODULES: readonly ErpModule[] = ['sales', 'procurement', 'inventory', 'finance'];

export class OutboxPuller {
  /** `${documentId}|${module}` -> outbox ids received for it (more than one would be a record made twice). */
  readonly received = new Map<string, Set<string>>();
  /** Outbox id -> times handed out (more than once: its ack was lost or its lease ran out; the ERP dedupes by id). */
  readonly handedOut = new Map<string, number>();
  paused = false;
  private running = true;
  private loop?: Promise<void>;

  constructor(
    private readonly intakes: () => Array<{ base: string }>,
    private readonly key: () => string | undefined,
  ) {}

  start(): void {
    this.loop = (async () => {
      let turn = 0;
      while (this.running) {
        let got = 0;
        if (!this.paused) {
          for (const module of MODULES) {
            const intake = this.intakes()[turn++ % Math.max(1, this.intakes().length)];
            if (!intake || !this.key()) continue;
            got += await this.pull(intake.base, module).catch(() => 0);
          }
        }
        if (got === 0) await new Promise((r) => setTimeout(r, 200));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Messages received for documents, by document id. */
  documents(): Map<string, ErpModule[]> {
    const out = new Map<string, ErpModule[]>();
    for (const key of this.received.keys()) {
      const [id, module] = key.split('|') as [string, ErpModule];
      out.set(id, [...(out.get(id) ?? []), module]);
    }
    return out;
  }

  private async pull(base: string, module: ErpModule): Promise<number> {
    const headers = { authorization: `Bearer ${this.key()}` };
    const response = await fetch(`${base}/v1/erp/messages?module=${module}&limit=200`, { headers, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return 0;
    const page = (await response.json()) as { messages: Array<{ id: string; documentId: string; module: ErpModule }> };
    for (const m of page.messages) {
      const key = `${m.documentId}|${m.module}`;
      const ids = this.received.get(key) ?? new Set<string>();
      ids.add(m.id);
      this.received.set(key, ids);
      this.handedOut.set(m.id, (this.handedOut.get(m.id) ?? 0) + 1);
    }
    // Acknowledged after it is recorded (the ERP's own commit): an ack lost now is a repeat later, deduped by id.
    await Promise.all(
      page.messages.map((m) => fetch(`${base}/v1/erp/messages/${encodeURIComponent(m.id)}/ack`, { method: 'POST', headers, signal: AbortSignal.timeout(10_000) }).catch(() => undefined)),
    );
    return page.messages.length;
  }
}
