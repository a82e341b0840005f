import { HubError } from 'b2b-hub/adapter-kit';

/** Connection settings of a Tryton JSON-RPC client. */
export interface TrytonConnection {
  /** Server root, e.g. http://127.0.0.1:8000 */
  url: string;
  database: string;
  user: string;
  password: string;
  /** Per-call timeout in milliseconds. */
  timeoutMs: number;
}

/**
 * Tryton's JSON encoding of values JSON lacks. Amounts are sent as Decimal strings so that no binary float
 * ever reaches an amount field; dates as {year, month, day}.
 */
export interface TrytonDecimal {
  __class__: 'Decimal';
  decimal: string;
}

/** Encodes a number (or numeric string) as a Tryton Decimal, without going through float formatting twice. */
export function decimal(value: number | string): TrytonDecimal {
  return { __class__: 'Decimal', decimal: typeof value === 'number' ? String(value) : value };
}

/** Encodes an ISO date (YYYY-MM-DD) as a Tryton date. */
export function date(iso: string): { __class__: 'date'; year: number; month: number; day: number } {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return { __class__: 'date', year, month, day };
}

/** Decodes Tryton's tagged values: Decimal -> string (exact), date -> YYYY-MM-DD, datetime -> ISO string. */
function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && '__class__' in value) {
    const tagged = value as Record<string, unknown>;
    const pad = (n: unknown) => String(n).padStart(2, '0');
    switch (tagged.__class__) {
      case 'Decimal':
        return String(tagged.decimal);
      case 'date':
        return `${tagged.year}-${pad(tagged.month)}-${pad(tagged.day)}`;
      case 'datetime':
        return `${tagged.year}-${pad(tagged.month)}-${pad(tagged.day)}T${pad(tagged.hour)}:${pad(tagged.minute)}:${pad(tagged.second)}Z`;
      default:
        return value;
    }
  }
  return value;
}

/** Error types Tryton raises for data it refuses (the user must change something); anything else may pass. */
const REFUSALS = new Set(['UserError', 'UserWarning', 'AccessError', 'ValidationError', 'DomainValidationError', 'RequiredValidationError', 'SizeValidationError', 'DigitsValidationError', 'SelectionValidationError', 'TimeDeltaValidationError', 'ForbiddenCharValidationError', 'RequiredFieldError']);

/**
 * A small Tryton JSON-RPC client (global fetch): logs in once, keeps the session and the user's preferences
 * as context, logs in again when the session expires. Every failure is a HubError: connection refused,
 * timeouts, 5xx and lock conflicts are HUB_ERR_ADAPTER_UNAVAILABLE (retried), refusals of the data are
 * HUB_ERR_ADAPTER_REJECTED (not retried).
 */
export class TrytonClient {
  private session: Session | undefined;
  private loggingIn: Promise<Session> | undefined;
  private nextId = 1;

  constructor(private readonly connection: TrytonConnection) {}

  /**
   * Calls `model.<model>.<method>` with the user's context appended as the last parameter. acceptWarnings:
   * answer "yes" to Tryton's warnings (UserWarning) the way its client does, by recording them for the user
   * and calling again; without it a warning is a refusal.
   */
  async model<T = unknown>(model: string, method: string, params: unknown[], options: { signal?: AbortSignal; context?: Record<string, unknown>; acceptWarnings?: boolean } = {}): Promise<T> {
    let relogins = 0;
    let warnings = 0;
    for (;;) {
      const session = await this.login(options.signal);
      try {
        return await this.post<T>(`model.${model}.${method}`, [...params, { ...session.context, ...options.context }], session.header, options.signal);
      } catch (error) {
        // An expired session: log in again once.
        if (error instanceof SessionExpired && relogins++ === 0) {
          this.session = undefined;
          continue;
        }
        if (error instanceof SessionExpired) throw unavailable(`${this.where()}: login session refused twice`);
        const warning = error instanceof HubError ? error.details.trytonWarning : undefined;
        if (options.acceptWarnings && typeof warning === 'string' && warnings++ < 5) {
          await this.post('model.res.user.warning.create', [[{ user: session.userId, name: warning, always: false }], session.context], session.header, options.signal);
          continue;
        }
        throw error;
      }
    }
  }

  /** search_read with Tryton's positional arguments. */
  searchRead<T = Record<string, unknown>>(model: string, domain: unknown[], fields: string[], options: { limit?: number; order?: [string, string][]; signal?: AbortSignal; context?: Record<string, unknown> } = {}): Promise<T[]> {
    return this.model<T[]>(model, 'search_read', [domain, 0, options.limit ?? null, options.order ?? null, fields], options);
  }

  /** Answers without logging in: true when the server speaks JSON-RPC. */
  async version(signal?: AbortSignal): Promise<string> {
    return this.post<string>('common.server.version', [], undefined, signal, '/');
  }

  private where(): string {
    return `Tryton ${this.connection.url} database ${this.connection.database}`;
  }

  private async login(signal?: AbortSignal): Promise<Session> {
    if (this.session) return this.session;
    this.loggingIn ??= (async () => {
      const { user, password } = this.connection;
      const result = await this.post<[number, string] | false>('common.db.login', [user, { password }], undefined, signal).catch((error: unknown) => {
        if (error instanceof SessionExpired) throw new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', `${this.where()}: login refused for user ${user} (wrong password?)`);
        throw error;
      });
      if (!Array.isArray(result)) throw new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', `${this.where()}: login refused for user ${user}`);
      const header = `Session ${Buffer.from(`${user}:${result[0]}:${result[1]}`).toString('base64')}`;
      const context = await this.post<Record<string, unknown>>('model.res.user.get_preferences', [true, {}], header, signal);
      this.session = { header, context, userId: result[0] };
      return this.session;
    })().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  private async post<T>(method: string, params: unknown[], authorization: string | undefined, signal?: AbortSignal, path = `/${encodeURIComponent(this.connection.database)}/`): Promise<T> {
    const timeout = AbortSignal.timeout(this.connection.timeoutMs);
    const id = this.nextId++;
    let response: Response;
    let text: string;
    try {
      response = await fetch(new URL(path, this.connection.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ id, method, params }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      const reason = timeout.aborted ? `no answer within ${this.connection.timeoutMs} ms` : signal?.aborted ? 'delivery aborted' : ((error as { cause?: { code?: string } }).cause?.code ?? String(error));
      throw unavailable(`${this.where()}: ${method}: ${reason}`, error);
    }
    if (response.status === 401 || response.status === 403) throw new SessionExpired();
    if (response.status === 429 || response.status >= 500) throw unavailable(`${this.where()}: ${method}: HTTP ${response.status}`);
    if (!response.ok) throw new HubError('HUB_ERR_ADAPTER_REJECTED', `${this.where()}: ${method}: HTTP ${response.status}`);
    let body: { result?: T; error?: unknown };
    try {
      body = JSON.parse(text, revive) as { result?: T; error?: unknown };
    } catch (error) {
      throw unavailable(`${this.where()}: ${method}: answer is not JSON`, error);
    }
    if (body.error !== undefined && body.error !== null) throw trytonError(method, body.error);
    return body.result as T;
  }
}

interface Session {
  header: string;
  context: Record<string, unknown>;
  userId: number;
}

class SessionExpired extends Error {}

function unavailable(detail: string, cause?: unknown): HubError {
  return new HubError('HUB_ERR_ADAPTER_UNAVAILABLE', detail, cause === undefined ? {} : { cause });
}

/**
 * A JSON-RPC error: ["UserError", [message, description, domain]] for refusals, [text, traceback] for an
 * exception. Refusals are final; the rest (a locked SQLite database, a concurrent update, a bug fixed by
 * an upgrade) is worth another attempt.
 */
function trytonError(method: string, error: unknown): HubError {
  const [kind, args] = Array.isArray(error) ? (error as [unknown, unknown]) : [String(error), undefined];
  const message = Array.isArray(args) ? String(args[0]) : String(kind);
  if (kind === 'UserWarning' && Array.isArray(args)) {
    // ["UserWarning", [name, message, description]]
    return new HubError('HUB_ERR_ADAPTER_REJECTED', `Tryton warned on ${method}: ${String(args[1])}`, { details: { trytonError: kind, trytonWarning: String(args[0]) } });
  }
  if (typeof kind === 'string' && REFUSALS.has(kind)) {
    return new HubError('HUB_ERR_ADAPTER_REJECTED', `Tryton refused ${method}: ${message}`, { details: { trytonError: kind } });
  }
  return unavailable(`Tryton failed on ${method}: ${message.slice(0, 300)}`);
}
