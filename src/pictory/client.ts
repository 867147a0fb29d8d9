import { PictoryApiError } from './errors';
import { endpointProblem, Fetch, HttpResponse, parseRetryAfter } from './http';
import { JobStatus, readErrorBody, readJobId, readJobStatus } from './responses';

export interface VideoRequest {
  readonly prompt: string;
  readonly model: string;
  readonly aspectRatio: string;
  readonly duration: string;
  readonly webhook?: string;
}

export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly ms: number;
  readonly error?: string;
}

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface ClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly userAgent: string;
  readonly loadFetch: () => Promise<Fetch>;
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly onRequest?: (entry: RequestLogEntry) => void;
  readonly random?: () => number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };

/** Connection failures in which the request certainly never reached the server. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EAI_NONAME']);

type Method = 'GET' | 'POST';

/** A typed client for the two AI Studio endpoints the extension uses. */
export class PictoryClient {
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly random: () => number;

  constructor(private readonly options: ClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** Submits a generation; resolves with the job id. Never resent once it may have arrived. */
  async createVideo(request: VideoRequest, signal?: AbortSignal): Promise<string> {
    const body = await this.withRetries('POST', () => this.send('POST', '/v1/aistudio/videos', request, signal), signal);
    try {
      return readJobId(body);
    } catch (error) {
      // Pictory said "OK" without an id we can read: the job may well exist.
      if (error instanceof PictoryApiError && error.kind === 'unexpectedResponse') {
        throw new PictoryApiError(error.kind, { ...error.details, maybeCreated: true });
      }
      throw error;
    }
  }

  async getJob(jobId: string, signal?: AbortSignal): Promise<JobStatus> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    const body = await this.withRetries('GET', () => this.send('GET', path, undefined, signal), signal);
    return readJobStatus(body);
  }

  private shouldRetry(method: Method, error: PictoryApiError): boolean {
    // A POST may be repeated only when Pictory itself answered that it did not take it.
    if (method === 'POST') return !error.details.maybeCreated && (error.kind === 'server' || error.kind === 'rateLimited');
    return error.transient;
  }

  private async withRetries(method: Method, attempt: () => Promise<unknown>, signal?: AbortSignal): Promise<unknown> {
    for (let attemptNumber = 1; ; attemptNumber++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof PictoryApiError)) throw error;
        if (attemptNumber >= this.retry.attempts || !this.shouldRetry(method, error)) throw error;
        await sleep(this.retryDelay(attemptNumber, error), signal);
      }
    }
  }

  private retryDelay(attemptNumber: number, error: PictoryApiError): number {
    const exponential = this.retry.baseDelayMs * 2 ** (attemptNumber - 1);
    const jittered = exponential * (1 + this.random() * 0.25);
    return Math.min(Math.max(jittered, error.details.retryAfterMs ?? 0), this.retry.maxDelayMs);
  }

  private async send(method: Method, path: string, payload: unknown, signal?: AbortSignal): Promise<unknown> {
    const problem = endpointProblem(this.options.baseUrl);
    if (problem) throw new PictoryApiError('insecureEndpoint', { cause: problem });
    if (signal?.aborted) throw new PictoryApiError('cancelled');
    const fetch = await this.options.loadFetch();
    if (signal?.aborted) throw new PictoryApiError('cancelled');
    const started = Date.now();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const onCancel = () => timeout.abort();
    signal?.addEventListener('abort', onCancel);
    let status: number | undefined;
    try {
      const response = await fetch(this.options.baseUrl.replace(/\/+$/, '') + path, {
        method,
        headers: this.headers(method),
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: timeout.signal,
        // A redirect could carry the key elsewhere, or turn the POST into a GET.
        redirect: 'manual',
      });
      status = response.status;
      const text = await response.text();
      const result = interpret(response, text);
      this.log(method, path, started, status);
      return result;
    } catch (error) {
      let apiError = toApiError(error, method, { cancelled: !!signal?.aborted, timedOut: timeout.signal.aborted });
      if (method === 'POST' && mayHaveCreatedJob(apiError)) apiError = new PictoryApiError(apiError.kind, { ...apiError.details, maybeCreated: true });
      this.log(method, path, started, status ?? apiError.status, apiError.kind);
      throw apiError;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCancel);
    }
  }

  private headers(method: Method): Record<string, string> {
    const headers: Record<string, string> = {
      // Pictory takes the raw key, without a "Bearer" prefix.
      Authorization: this.options.apiKey,
      Accept: 'application/json',
      'User-Agent': this.options.userAgent,
    };
    if (method === 'POST') headers['Content-Type'] = 'application/json';
    return headers;
  }

  private log(method: string, path: string, started: number, status?: number, error?: string): void {
    this.options.onRequest?.({ method, path, status, ms: Date.now() - started, error });
  }
}

/**
 * Answers after which a POST may have created a job: a gateway that gave up waiting (502,
 * 504, or a 5xx page that is not Pictory's JSON), or a success whose body cannot be read.
 * Only Pictory's own JSON 500/503 and the 4xx answers say for sure that nothing was made.
 */
function mayHaveCreatedJob(error: PictoryApiError): boolean {
  const status = error.status ?? 0;
  if (error.kind === 'notJson') return status >= 500 || (status >= 200 && status < 300);
  if (error.kind === 'server') return status === 502 || status === 504;
  if (error.kind === 'unexpectedResponse') return true;
  return false;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function interpret(response: HttpResponse, text: string): unknown {
  const { status } = response;
  const parsed = parseJson(text);
  if (status >= 200 && status < 300) {
    if (!parsed.ok) throw new PictoryApiError('notJson', { status });
    return parsed.value;
  }
  if (status >= 300 && status < 400) throw new PictoryApiError('httpError', { status, cause: `redirected to ${response.headers.get('location') ?? '?'}` });
  const details = { status, ...(parsed.ok ? readErrorBody(parsed.value) : {}) };
  if (status === 401) throw new PictoryApiError('unauthorized', details);
  if (status === 403) throw new PictoryApiError('forbidden', details);
  if (status === 429) {
    throw new PictoryApiError('rateLimited', { ...details, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) });
  }
  if (!parsed.ok && text.trim() !== '') throw new PictoryApiError('notJson', { status });
  if (status === 400) throw new PictoryApiError('invalidRequest', details);
  if (status === 404) throw new PictoryApiError('notFound', details);
  if (status >= 500) throw new PictoryApiError('server', details);
  throw new PictoryApiError('httpError', details);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  return cause === undefined ? undefined : errorCode(cause);
}

function networkCause(error: unknown, code: string | undefined): string {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'host not found';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return 'connection reset';
  return code ?? (error instanceof Error ? error.message : String(error));
}

function toApiError(error: unknown, method: Method, state: { cancelled: boolean; timedOut: boolean }): PictoryApiError {
  if (error instanceof PictoryApiError) return error;
  if (state.cancelled) return new PictoryApiError('cancelled');
  const maybeSent = method === 'POST';
  if (state.timedOut) return new PictoryApiError('timeout', { maybeCreated: maybeSent });
  const code = errorCode(error);
  return new PictoryApiError('network', {
    cause: networkCause(error, code),
    maybeCreated: maybeSent && !(code && NEVER_SENT_CODES.has(code)),
  });
}

/** Resolves after `ms`, or rejects with a cancellation as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new PictoryApiError('cancelled'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new PictoryApiError('cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
