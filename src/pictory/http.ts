/** The slice of the Fetch API the client uses; node-fetch provides it. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: NodeJS.ReadableStream | null;
  text(): Promise<string>;
}

export interface HttpRequestInit {
  readonly method: 'GET' | 'POST' | 'HEAD' | 'PUT';
  readonly headers: Record<string, string>;
  /** A stream is sent as it is read: give its length in a `Content-Length` header. */
  readonly body?: string | NodeJS.ReadableStream;
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

/**
 * Environment variables with which a proxy may be configured. Such a proxy is set up by
 * replacing Node's global agent (code-server does so for `HTTP(S)_PROXY`), which an agent or a
 * connection of our own would bypass.
 */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((name) => !!env[name]?.trim());
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

/** OpenSSL's certificate verification codes and Node's TLS errors: the handshake failed, nothing was sent. */
export const TLS_FAILURE_CODE = /^(EPROTO$|ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$)/;

/** The `code` of a failed request's error, or of the error that caused it. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  return cause === undefined ? undefined : errorCode(cause);
}

/** What went wrong below HTTP, in a few words. */
export function networkCause(error: unknown, code: string | undefined = errorCode(error)): string {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'host not found';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code && TLS_FAILURE_CODE.test(code)) return `secure connection failed: ${code}`;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'EPIPE') return 'connection reset';
  return code ?? (error instanceof Error ? error.message : String(error));
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
