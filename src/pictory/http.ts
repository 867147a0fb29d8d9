/** The slice of the Fetch API the client uses; node-fetch provides it. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: NodeJS.ReadableStream | null;
  text(): Promise<string>;
}

export interface HttpRequestInit {
  readonly method: 'GET' | 'POST' | 'HEAD';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  readonly redirect?: 'follow' | 'manual' | 'error';
}

export type Fetch = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;

/**
 * The mark the fetch bundle puts on a failed request: `false` when no connection was made
 * (or, for HTTPS, secured), so the request never left this computer; `true` once one was.
 */
interface RequestSentMark {
  readonly requestSent: boolean;
}

export function withRequestSent(error: unknown, requestSent: boolean): object {
  const mark: RequestSentMark = { requestSent };
  if (typeof error === 'object' && error !== null) return Object.assign(error, mark);
  return Object.assign(new Error(String(error)), mark);
}

/** Whether a failed request reached the connection stage; undefined when nobody could tell. */
export function requestSentOf(error: unknown): boolean | undefined {
  if (typeof error !== 'object' || error === null || !('requestSent' in error)) return undefined;
  const { requestSent } = error as RequestSentMark;
  return typeof requestSent === 'boolean' ? requestSent : undefined;
}

/**
 * node-fetch is a bundle of its own (`dist/fetch.js`), required on the first request so
 * that activating the extension never loads it.
 */
export function lazyFetch(bundlePath: string): () => Promise<Fetch> {
  let loaded: Fetch | undefined;
  return async () => {
    if (!loaded) {
      // A computed path keeps the bundler from inlining the module.
      const module = require(bundlePath) as { fetch: Fetch };
      loaded = module.fetch;
    }
    return loaded;
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The key may travel only over HTTPS, or plain HTTP that never leaves this computer. */
export function endpointProblem(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return `"${baseUrl}" is not a URL`;
  }
  if (url.username || url.password) return 'the URL must not contain credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return `${url.protocol}//${url.host} is neither HTTPS nor a loopback address`;
}

/** Milliseconds to wait according to a `Retry-After` header (seconds or an HTTP date). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
