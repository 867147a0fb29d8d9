import { createReadStream, promises as fs } from 'fs';
import { basename, extname } from 'path';
import { pipeline, Transform } from 'stream';
import { errorCode, Fetch, HttpResponse, isLoopbackHost, networkCause, requestSentOf, TLS_FAILURE_CODE } from './http';
import { formatMessage, Translate } from './text';

/**
 * The largest file uploaded: 20 MB (20 × 1024 × 1024 bytes). Pictory names no limit for
 * `POST /v1/media/generateurl`; an image that guides a video needs far less.
 */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** The types Pictory signs an upload for, which are also the images a video can start from. */
export const UPLOAD_CONTENT_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/webp'];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};

/** How long an upload may go without a byte sent or an answer before it is abandoned. */
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Errors the storage host answers with are short XML documents; no more of one is kept. */
const MAX_ERROR_BODY_CHARS = 4096;

/** The Content-Type of an image by its extension (any case): `.png`, `.jpg`, `.jpeg`, `.webp`; undefined otherwise. */
export function imageContentType(path: string): string | undefined {
  const extension = extname(path).toLowerCase();
  return Object.hasOwn(CONTENT_TYPES, extension) ? CONTENT_TYPES[extension] : undefined;
}

export type UploadErrorKind =
  /** Refused before anything was sent: */
  | 'fileNotFound'
  | 'notAFile'
  | 'unreadable'
  | 'empty'
  | 'tooLarge'
  /** Not a PNG, JPEG or WebP file by its extension, or a Content-Type that is none of those. */
  | 'unsupportedType'
  /** The Content-Type given is not the one the file's extension names. */
  | 'typeMismatch'
  /** The signed URL is neither `https:` nor plain `http:` on this computer. */
  | 'invalidUrl'
  /** The storage host answered 403: the link expired, or its signature does not fit the request. */
  | 'linkRefused'
  /** Any other answer but a success, a redirect included. */
  | 'storageError'
  /** No connection could be made (refused, host not found, failed TLS handshake). */
  | 'unreachable'
  /** Nothing was sent or answered for too long. */
  | 'timeout'
  /** The connection broke during the upload. */
  | 'connectionLost'
  | 'cancelled';

export interface UploadErrorDetails {
  /** The file's name, without its folder. */
  readonly file?: string;
  readonly size?: number;
  readonly limit?: number;
  readonly contentType?: string;
  /** The storage host, without the signed URL's path and query. */
  readonly host?: string;
  readonly status?: number;
  /** The storage host's own error code and message (S3's `<Code>` and `<Message>`). */
  readonly code?: string;
  readonly storageMessage?: string;
  readonly cause?: string;
}

/** The one error type `uploadFile` throws. */
export class UploadError extends Error {
  constructor(
    readonly kind: UploadErrorKind,
    readonly details: UploadErrorDetails = {},
  ) {
    super('');
    this.name = 'UploadError';
    this.message = describeUploadError(this, formatMessage);
  }

  /** Whether trying again may succeed as it is (a 403 needs a new link: see `linkRefused`). */
  get transient(): boolean {
    if (this.kind === 'storageError') return (this.details.status ?? 0) >= 500;
    return ['unreachable', 'timeout', 'connectionLost'].includes(this.kind);
  }
}

/** `25 165 824` → `"24 MB"`; sizes below a megabyte in KB. */
export function formatSize(bytes: number): string {
  const MB = 1024 * 1024;
  if (bytes >= MB) return `${Number((bytes / MB).toFixed(1))} MB`;
  return `${Math.max(1, Math.ceil(bytes / 1024))} KB`;
}

function storageSays(details: UploadErrorDetails, t: Translate): string {
  const parts = [details.code, details.storageMessage].filter((part): part is string => !!part);
  return parts.length ? t(' The storage host says: {0}', parts.join(': ')) : '';
}

/** A sentence a person can act on, for every kind of failure. */
export function describeUploadError(error: UploadError, t: Translate): string {
  const { details } = error;
  const file = details.file ?? '';
  const host = details.host ?? '';
  switch (error.kind) {
    case 'fileNotFound':
      return t('The file {0} does not exist.', file);
    case 'notAFile':
      return t('{0} is not a file, so it cannot be uploaded.', file);
    case 'unreadable':
      return t('The file {0} cannot be read ({1}).', file, details.cause ?? '');
    case 'empty':
      return t('The file {0} is empty.', file);
    case 'tooLarge': {
      const size = details.size ?? 0;
      const limit = details.limit ?? MAX_UPLOAD_BYTES;
      // Just over the limit, both round alike: then they are given in bytes.
      const [shownSize, shownLimit] =
        formatSize(size) === formatSize(limit) ? [t('{0} bytes', size), t('{0} bytes', limit)] : [formatSize(size), formatSize(limit)];
      return t('{0} is too large to upload: it is {1}, and the limit is {2}.', file, shownSize, shownLimit);
    }
    case 'unsupportedType':
      return t('Only PNG, JPEG and WebP images can be uploaded, not {0}.', details.contentType ?? file);
    case 'typeMismatch':
      return t('{0} cannot be uploaded as {1}: its extension says it is another type.', file, details.contentType ?? '');
    case 'invalidUrl':
      return t('The upload link is not an https URL, so nothing was sent.');
    case 'linkRefused':
      return t('The upload link expired or was refused (HTTP 403). Try the upload again: a new link will be made.') + storageSays(details, t);
    case 'storageError':
      return t('The storage host {0} did not take the upload (HTTP {1}{2}).', host, details.status ?? '?', details.cause ? `: ${details.cause}` : '') + storageSays(details, t);
    case 'unreachable':
      return t('Could not reach the storage host {0} ({1}). Check the network, then try again.', host, details.cause ?? '');
    case 'timeout':
      return t('The storage host {0} stopped answering, so the upload was abandoned. Try again.', host);
    case 'connectionLost':
      return t('The connection to the storage host {0} was lost during the upload ({1}). Try again.', host, details.cause ?? '');
    case 'cancelled':
      return t('Cancelled.');
  }
}

/** Connection failures in which nothing reached the storage host. */
const NO_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EAI_NONAME']);

/**
 * Uploads the file at `path` to a signed URL from `PictoryClient.createUploadUrl`. The file
 * is checked first, and nothing is sent unless it exists, is a regular file of 1 byte to
 * `MAX_UPLOAD_BYTES`, has a PNG, JPEG or WebP extension, and `contentType` is the one that
 * extension names (`imageContentType`). It is then `PUT`, streamed, with exactly two headers,
 * `Content-Type` and `Content-Length`: never the API key, since the URL is a storage host's,
 * signed for that Content-Type. Redirects are not followed. `onProgress` gets the share of the
 * file each chunk adds. Fails with an `UploadError`.
 */
export async function uploadFile(
  signedUrl: string,
  path: string,
  contentType: string,
  loadFetch: () => Promise<Fetch>,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
  options: { readonly idleTimeoutMs?: number } = {},
): Promise<void> {
  const size = await checkFile(path, contentType);
  const host = uploadHost(signedUrl);
  if (signal.aborted) throw new UploadError('cancelled');
  const fetch = await loadFetch();
  if (signal.aborted) throw new UploadError('cancelled');

  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const stillAlive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, idleTimeoutMs);
  };
  const onCancel = () => controller.abort();
  signal.addEventListener('abort', onCancel);

  let sent = 0;
  let fileProblem: string | undefined;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      if (sent > size) {
        fileProblem = 'it grew during the upload';
        return callback(new Error(fileProblem));
      }
      stillAlive();
      onProgress(chunk.length / size);
      callback(null, chunk);
    },
    flush(callback) {
      if (sent !== size) fileProblem = 'it shrank during the upload';
      callback(fileProblem === undefined ? null : new Error(fileProblem));
    },
  });
  let readError: unknown;
  const source = createReadStream(path).on('error', (error) => (readError = error));
  const body = pipeline(source, counter, () => {});

  let response: HttpResponse | undefined;
  try {
    stillAlive();
    response = await fetch(signedUrl, {
      method: 'PUT',
      headers: { 'Content-Type': contentType, 'Content-Length': String(size) },
      body,
      signal: controller.signal,
      // A redirect would carry the file, signed for this host, somewhere else.
      redirect: 'manual',
    });
    stillAlive();
    const text = await readSome(response);
    if (response.status >= 200 && response.status < 300) return;
    throw answerError(response, text, host);
  } catch (error) {
    if (error instanceof UploadError) throw error;
    if (signal.aborted) throw new UploadError('cancelled');
    if (fileProblem !== undefined || readError !== undefined) {
      throw new UploadError('unreadable', { file: basename(path), cause: fileProblem ?? errorCode(readError) ?? String(readError) });
    }
    if (timedOut) throw new UploadError('timeout', { host });
    throw connectionError(error, host, response !== undefined);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onCancel);
    body.destroy();
  }
}

/** The file's size, once it is known to be one that may be uploaded as `contentType`. */
/** The checks `uploadFile` makes before sending anything, to make before asking for a link too; resolves the size. */
export async function checkFile(path: string, contentType: string): Promise<number> {
  const file = basename(path);
  const expected = imageContentType(path);
  if (expected === undefined) throw new UploadError('unsupportedType', { file, contentType: extname(path) || file });
  if (!UPLOAD_CONTENT_TYPES.includes(contentType)) throw new UploadError('unsupportedType', { file, contentType });
  if (contentType !== expected) throw new UploadError('typeMismatch', { file, contentType });
  let stats: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stats = await fs.stat(path);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UploadError('fileNotFound', { file });
    throw new UploadError('unreadable', { file, cause: code ?? String(error) });
  }
  if (!stats.isFile()) throw new UploadError('notAFile', { file });
  if (stats.size === 0) throw new UploadError('empty', { file });
  if (stats.size > MAX_UPLOAD_BYTES) throw new UploadError('tooLarge', { file, size: stats.size, limit: MAX_UPLOAD_BYTES });
  return stats.size;
}

/** The host of a signed URL that may be used: `https:`, or `http:` on this computer. */
function uploadHost(signedUrl: string): string {
  let url: URL;
  try {
    url = new URL(signedUrl);
  } catch {
    throw new UploadError('invalidUrl');
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  if (!secure || url.username || url.password) throw new UploadError('invalidUrl');
  return url.host;
}

async function readSome(response: HttpResponse): Promise<string> {
  const text = await response.text();
  return text.slice(0, MAX_ERROR_BODY_CHARS);
}

/** S3 and its kin answer `<Error><Code>…</Code><Message>…</Message></Error>`. */
function storageError(text: string): { code?: string; storageMessage?: string } {
  const field = (name: string) => {
    const match = new RegExp(`<${name}>([^<]{1,300})</${name}>`).exec(text);
    return match ? decodeXml(match[1].trim()) : undefined;
  };
  return { code: field('Code'), storageMessage: field('Message') };
}

function decodeXml(text: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
  return text.replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return named[name] ?? entity;
  });
}

function answerError(response: HttpResponse, text: string, host: string): UploadError {
  const { status } = response;
  const said = storageError(text);
  if (status === 403) return new UploadError('linkRefused', { host, status, ...said });
  if (status >= 300 && status < 400) {
    return new UploadError('storageError', { host, status, cause: `redirected to ${redirectHost(response.headers.get('location'))}` });
  }
  return new UploadError('storageError', { host, status, ...said });
}

/** Only the host of a redirect's target is named: its query may hold a signature. */
function redirectHost(location: string | null): string {
  if (!location) return '?';
  try {
    return new URL(location).host || '?';
  } catch {
    return '?';
  }
}

function connectionError(error: unknown, host: string, answered: boolean): UploadError {
  const code = errorCode(error);
  const cause = networkCause(error, code);
  const neverConnected =
    !answered && (requestSentOf(error) === false || (code !== undefined && (NO_CONNECTION_CODES.has(code) || TLS_FAILURE_CODE.test(code))));
  return new UploadError(neverConnected ? 'unreachable' : 'connectionLost', { host, cause });
}
