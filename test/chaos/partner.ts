/**
 * The trading partners of the chaos suite: they post real documents (the golden fixtures, each with a number
 * of its own) to the intake processes behind a round-robin "load balancer", as a careful partner does: an
 * answer of 503 or 429, a refused connection or a timeout is sent again (the same bytes, after Retry-After),
 * anything else is final. Every answer is recorded with its time, for what each fault cost.
 */
import { expectedOf, goldenFixtures } from '../helpers/fixtures.js';

export interface Template {
  format: string;
  partner: string;
  name: string;
  text: string;
  /** The fixture's own number, replaced in each copy. */
  number: string;
}

/** One answer (or failure) the partner saw. `at` is ms since the suite started. */
export interface PostEvent {
  at: number;
  doc: number;
  intake: string;
  /** HTTP status, or 0 for a network error or timeout. */
  status: number;
  code?: string;
  error?: string;
}

export interface SentDocument {
  index: number;
  template: Template;
  number: string;
  body: string;
  attempts: number;
  /** The final answer: accepted (202), duplicate (200, the original id), refused (another status), or none. */
  outcome?: 'accepted' | 'duplicate' | 'refused' | 'gave-up';
  id?: string;
  /** The number the hub read from it (checked against `number` for the first round). */
  documentNumber?: string;
  status?: number;
  code?: string;
  firstAt?: number;
  answeredAt?: number;
}

/**
 * Copies of the golden fixtures for the demo partners; `replaceNumber` gives a copy the number `n`. The
 * number is replaced where it first appears as element content, which the suite's first round checks against
 * the number the hub read.
 */
export function templates(): Template[] {
  return goldenFixtures().map((f) => ({ format: f.format, partner: f.partner, name: f.name, text: f.bytes.toString('utf8'), number: String(expectedOf(f).documentNumber) }));
}

export function replaceNumber(template: Template, number: string): string | undefined {
  const at = template.text.indexOf(`>${template.number}<`);
  return at < 0 ? undefined : `${template.text.slice(0, at + 1)}${number}${template.text.slice(at + 1 + template.number.length)}`;
}

export class Partners {
  readonly events: PostEvent[] = [];
  readonly documents: SentDocument[] = [];
  private turn = 0;

  constructor(
    private readonly intakes: () => Array<{ name: string; base: string }>,
    private readonly keys: () => Record<string, string>,
    private readonly clock: () => number,
    private readonly options: { timeoutMs: number; giveUpAfterMs: number },
  ) {}

  /** Sends one document until it gets a final answer (or the partner gives up). */
  async send(template: Template, number: string): Promise<SentDocument> {
    const body = replaceNumber(template, number);
    if (body === undefined) throw new Error(`fixture ${template.name}: its number ${template.number} is not element content`);
    const doc: SentDocument = { index: this.documents.length, template, number, body, attempts: 0 };
    this.documents.push(doc);
    doc.firstAt = this.clock();
    return this.post(doc);
  }

  /** Sends a document the partner gave up on once more (its outcome is replaced by this one's). */
  async resend(doc: SentDocument): Promise<SentDocument> {
    delete doc.outcome;
    return this.post(doc);
  }

  private async post(doc: SentDocument): Promise<SentDocument> {
    const { template, body } = doc;
    const started = this.clock();
    for (;;) {
      const intakes = this.intakes();
      const intake = intakes[this.turn++ % Math.max(1, intakes.length)];
      doc.attempts++;
      let wait = 500;
      if (intake) {
        const event: PostEvent = { at: 0, doc: doc.index, intake: intake.name, status: 0 };
        try {
          const response = await fetch(`${intake.base}/v1/documents`, {
            method: 'POST',
            headers: { authorization: `Bearer ${this.keys()[template.partner]}`, 'content-type': 'application/xml' },
            body,
            signal: AbortSignal.timeout(this.options.timeoutMs),
          });
          const json = (await response.json().catch(() => ({}))) as { id?: string; code?: string; documentNumber?: string };
          event.at = this.clock();
          event.status = response.status;
          if (json.code) event.code = json.code;
          this.events.push(event);
          if (response.status === 202 || response.status === 200) {
            doc.outcome = response.status === 202 ? 'accepted' : 'duplicate';
            doc.id = json.id;
            if (json.documentNumber) doc.documentNumber = json.documentNumber;
            doc.status = response.status;
            doc.answeredAt = event.at;
            return doc;
          }
          if (response.status !== 503 && response.status !== 429) {
            doc.outcome = 'refused';
            doc.status = response.status;
            if (json.code) doc.code = json.code;
            doc.answeredAt = event.at;
            return doc;
          }
          const retryAfter = Number(response.headers.get('retry-after'));
          // A real partner honours Retry-After; the suite caps it so a run stays short (and says so in the docs).
          wait = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 2000) : 1000;
        } catch (error) {
          event.at = this.clock();
          event.error = (error as Error).name === 'TimeoutError' ? 'timeout' : ((error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
          this.events.push(event);
        }
      }
      if (this.clock() - started > this.options.giveUpAfterMs) {
        doc.outcome = 'gave-up';
        return doc;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
