import {
  checkImageChoice,
  checkSources,
  IMAGE_MODELS,
  IMAGE_STYLES,
  ImageChoiceProblem,
  MAX_REFERENCE_IMAGES,
  readSeconds,
  SOURCE_FIELDS,
  SourceProblem,
  sourceUrlFault,
  VideoSources,
} from './catalog';
import { FieldError, PictoryApiError } from './errors';
import { endpointProblem, errorCode, Fetch, HttpResponse, networkCause, parseRetryAfter, requestSentOf, TLS_FAILURE_CODE } from './http';
import {
  ImagePage,
  isPictoryErrorBody,
  JobStatus,
  LibraryImage,
  LibraryVideo,
  Quota,
  readErrorBody,
  readImagePage,
  readJobId,
  readJobStatus,
  readLibraryPage,
  readQuota,
  readUploadUrl,
  UploadUrl,
  VideoResult,
} from './responses';
import { RenderRequest, renderRequestProblems } from './render';
import { UPLOAD_CONTENT_TYPES } from './upload';

/** A generation request; of its `VideoSources`, at most one may be given (see `checkSources`). */
export interface VideoRequest extends VideoSources {
  readonly prompt: string;
  readonly model: string;
  readonly aspectRatio: string;
  readonly duration: string;
  readonly webhook?: string;
}

/**
 * An image request (`POST /v1/aistudio/images`). Its model, aspect ratio, style and reference
 * image must be ones the catalog allows together (see `checkImageChoice`).
 */
export interface ImageRequest {
  readonly prompt: string;
  readonly model: string;
  readonly aspectRatio: string;
  readonly style?: string;
  /** An image to edit or follow; only for models that take one. */
  readonly referenceImageUrl?: string;
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

/**
 * How far Pictory's clock may be behind ours when matching a library video or image to a
 * submission: one created up to 2 minutes "before" we sent the request still counts.
 */
const CLOCK_SKEW_MS = 2 * 60_000;
/** Library pages searched for a lost submission, newest first. */
const MAX_LIBRARY_PAGES = 5;

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };

/**
 * Connection failures in which the request certainly never left this computer. These codes,
 * with the TLS and header ones below, decide when the fetch bundle could not tell (another
 * layer, such as a proxy, made the connection).
 */
const NO_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EAI_NONAME']);
/** Node refuses to send a header value or name with these characters. */
const INVALID_HEADER_CODES = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN']);

const VIDEOS_PATH = '/v1/aistudio/videos';
const IMAGES_PATH = '/v1/aistudio/images';
const UPLOAD_URL_PATH = '/v1/media/generateurl';
const RENDER_PATH = '/v2/video/storyboard/render';
const QUOTA_PATH = '/v1/quota';

type Method = 'GET' | 'POST';

/** One API call; `missing` is what a 404 means for it. */
interface ApiCall {
  readonly method: Method;
  readonly path: string;
  readonly payload?: unknown;
  readonly missing: 'notFound' | 'endpointNotFound';
  /**
   * A POST that starts a job, which may be charged: never resent once it may have arrived,
   * and its failures say whether the job may exist. Any other call is resent after a
   * transient failure.
   */
  readonly createsJob?: boolean;
}

/** A typed client for the AI Studio endpoints the extension uses. */
export class PictoryClient {
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly random: () => number;

  constructor(private readonly options: ClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /**
   * Submits a generation; resolves with the job id. Never resent once it may have arrived.
   * A request whose image or video inputs break the API's rules (`checkSources`) is refused
   * without sending anything: an `invalidRequest` error without a status, with one field error
   * for each field at fault.
   */
  async createVideo(request: VideoRequest, signal?: AbortSignal): Promise<string> {
    const sourceProblem = checkSources(request, this.options.baseUrl);
    if (sourceProblem) throw new PictoryApiError('invalidRequest', { fields: sourceFieldErrors(sourceProblem), maybeCreated: false });
    return this.submitJob(VIDEOS_PATH, request, signal);
  }

  /**
   * Submits an image; resolves with the job id, polled with `getJob` like a video's (the
   * finished image is the `video` of a completed status: `url`, `width`, `height`,
   * `aiCreditsUsed`). Never resent once it may have arrived. A request the catalog refuses
   * (`checkImageChoice`), or whose `referenceImageUrl` is not an https URL, is not sent: an
   * `invalidRequest` error without a status, with one field error for the field at fault.
   * Only the fields of `ImageRequest` are sent.
   */
  async createImage(request: ImageRequest, signal?: AbortSignal): Promise<string> {
    const fields = imageRequestFieldErrors(request, this.options.baseUrl);
    if (fields.length > 0) throw new PictoryApiError('invalidRequest', { fields, maybeCreated: false });
    return this.submitJob(IMAGES_PATH, imagePayload(request), signal);
  }

  /**
   * Starts a storyboard render that joins clips into one film; resolves with the job id,
   * polled with `getJob` (its result's `url` is the render's `videoURL`). Never resent once
   * it may have arrived. A request without a name or clips, or with a clip that is not an
   * https address, is not sent: an `invalidRequest` error without a status.
   */
  async renderStoryboard(request: RenderRequest, signal?: AbortSignal): Promise<string> {
    const fields = renderRequestProblems(request, this.options.baseUrl);
    if (fields.length > 0) throw new PictoryApiError('invalidRequest', { fields, maybeCreated: false });
    return this.submitJob(RENDER_PATH, request, signal);
  }

  /** One page of the account's generated images, newest first. */
  async listImages(pageKey?: string, signal?: AbortSignal): Promise<ImagePage> {
    const query = pageKey === undefined ? '' : `?nextPageKey=${encodeURIComponent(pageKey)}`;
    const body = await this.call({ method: 'GET', path: IMAGES_PATH + query, missing: 'endpointNotFound' }, signal);
    return readImagePage(body);
  }

  /**
   * A signed URL to `PUT` a file to (see `uploadFile`), and the permanent URL it will then
   * have, to use as an image input. `contentType` must be one of `UPLOAD_CONTENT_TYPES` and
   * `fileName` a bare file name, or nothing is sent (an `invalidRequest` error without a
   * status). Both URLs answered must be `https:` (plain `http:` on this computer only while
   * the API is too). Nothing is charged, so the call is resent after a transient failure.
   */
  async createUploadUrl(fileName: string, contentType: string, signal?: AbortSignal): Promise<UploadUrl> {
    const fields = uploadRequestFieldErrors(fileName, contentType);
    if (fields.length > 0) throw new PictoryApiError('invalidRequest', { fields, maybeCreated: false });
    const body = await this.call({ method: 'POST', path: UPLOAD_URL_PATH, payload: { fileName, contentType }, missing: 'endpointNotFound' }, signal);
    return readUploadUrl(body, this.options.baseUrl);
  }

  /** Sends a POST that starts a job, and resolves with the job's id. */
  private async submitJob(path: string, payload: unknown, signal?: AbortSignal): Promise<string> {
    const body = await this.call({ method: 'POST', path, payload, missing: 'endpointNotFound', createsJob: true }, signal);
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
    const body = await this.call({ method: 'GET', path, missing: 'notFound' }, signal);
    return readJobStatus(body);
  }

  /** The account's AI credits and video minutes, used and allowed. */
  async getQuota(signal?: AbortSignal): Promise<Quota> {
    const body = await this.call({ method: 'GET', path: QUOTA_PATH, missing: 'endpointNotFound' }, signal);
    return readQuota(body);
  }

  /** One page of the account's generated videos, newest first. */
  async listVideos(pageKey?: string, signal?: AbortSignal): Promise<{ items: LibraryVideo[]; nextPageKey?: string }> {
    const query = pageKey === undefined ? '' : `?nextPageKey=${encodeURIComponent(pageKey)}`;
    const body = await this.call({ method: 'GET', path: VIDEOS_PATH + query, missing: 'endpointNotFound' }, signal);
    return readLibraryPage(body);
  }

  /**
   * The video a submission made, for a POST whose answer was lost: the newest library item
   * with the same prompt, model, aspect ratio and duration (in seconds; an item without a
   * readable duration is not refused on that account), the same image or video inputs (an
   * item lists those it was made from; see `sameSources`), created no earlier than `submittedAt`
   * (epoch ms) less the clock-skew allowance, and whose `url` is not in `excludeUrls` (videos
   * already found for other submissions). Undefined when none is found.
   */
  async findCreatedVideo(
    request: VideoRequest,
    submittedAt: number,
    signal?: AbortSignal,
    excludeUrls: ReadonlySet<string> = new Set(),
  ): Promise<VideoResult | undefined> {
    const list = (pageKey: string | undefined) => this.listVideos(pageKey, signal);
    return findInLibrary(list, (item) => sameRequest(item, request), submittedAt, excludeUrls);
  }

  /**
   * The image a submission made, for a POST whose answer was lost: the newest item of the
   * image list with the same prompt, model and aspect ratio, the same style (or none on
   * either side) and the same reference image (URLs compared in their normalised form; or
   * none on either side), found as `findCreatedVideo` finds a video: created no earlier than
   * `submittedAt` less the clock-skew allowance, and whose `url` is not in `excludeUrls`.
   * Undefined when none is found.
   */
  async findCreatedImage(
    request: ImageRequest,
    submittedAt: number,
    signal?: AbortSignal,
    excludeUrls: ReadonlySet<string> = new Set(),
  ): Promise<LibraryImage | undefined> {
    const list = (pageKey: string | undefined) => this.listImages(pageKey, signal);
    return findInLibrary(list, (item) => sameImageRequest(item, request), submittedAt, excludeUrls);
  }

  private shouldRetry(call: ApiCall, error: PictoryApiError): boolean {
    // A job's POST is repeated only when Pictory itself said it did not take it.
    if (call.createsJob) return !error.details.maybeCreated && (error.kind === 'rateLimited' || isPictoryRefusal(error));
    return error.transient;
  }

  /** Sends `call`, again after failures worth retrying, and resolves with the parsed body. */
  private async call(call: ApiCall, signal?: AbortSignal): Promise<unknown> {
    for (let attemptNumber = 1; ; attemptNumber++) {
      try {
        return await this.send(call, signal);
      } catch (error) {
        if (!(error instanceof PictoryApiError)) throw error;
        if (attemptNumber >= this.retry.attempts || !this.shouldRetry(call, error)) throw error;
        await sleep(this.retryDelay(attemptNumber, error), signal);
      }
    }
  }

  private retryDelay(attemptNumber: number, error: PictoryApiError): number {
    const exponential = this.retry.baseDelayMs * 2 ** (attemptNumber - 1);
    const jittered = exponential * (1 + this.random() * 0.25);
    return Math.min(Math.max(jittered, error.details.retryAfterMs ?? 0), this.retry.maxDelayMs);
  }

  private async send({ method, path, payload, missing, createsJob = false }: ApiCall, signal?: AbortSignal): Promise<unknown> {
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
    const url = this.options.baseUrl.replace(/\/+$/, '') + path;
    try {
      const response = await fetch(url, {
        method,
        headers: this.headers(method),
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: timeout.signal,
        // A redirect could carry the key elsewhere, or turn the POST into a GET.
        redirect: 'manual',
      });
      status = response.status;
      const text = await response.text();
      const result = interpret(response, text, { createsJob, url, missing });
      this.log(method, path, started, status);
      return result;
    } catch (error) {
      const state = { cancelled: !!signal?.aborted, timedOut: timeout.signal.aborted, answered: status !== undefined };
      let apiError = toApiError(error, createsJob, state);
      if (createsJob && mayHaveCreatedJob(apiError)) apiError = new PictoryApiError(apiError.kind, { ...apiError.details, maybeCreated: true });
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

/** The fields of an `ImageRequest` only, without those left undefined. */
function imagePayload(request: ImageRequest): ImageRequest {
  const { prompt, model, aspectRatio, style, referenceImageUrl, webhook } = request;
  return {
    prompt,
    model,
    aspectRatio,
    ...(style !== undefined && { style }),
    ...(referenceImageUrl !== undefined && { referenceImageUrl }),
    ...(webhook !== undefined && { webhook }),
  };
}

/** The field errors of an image request the catalog or the URL rules refuse; none when it may be sent. */
export function imageRequestFieldErrors(request: ImageRequest, apiBaseUrl?: string): FieldError[] {
  const problem = checkImageChoice(request);
  if (problem) return imageChoiceFieldErrors(problem);
  if (request.referenceImageUrl === undefined) return [];
  const fault = sourceUrlFault(request.referenceImageUrl, apiBaseUrl);
  return fault ? [{ name: 'referenceImageUrl', reason: SOURCE_REASONS[fault] }] : [];
}

/** The field error of an image choice refused before sending, worded like the API's own. */
export function imageChoiceFieldErrors(problem: ImageChoiceProblem): FieldError[] {
  switch (problem.kind) {
    case 'unknownModel':
      return [{ name: 'model', reason: `must be one of ${IMAGE_MODELS.map((model) => model.id).join(', ')}` }];
    case 'unsupportedAspectRatio':
      return [{ name: 'aspectRatio', reason: `must be one of ${problem.model.aspectRatios.join(', ')} for ${problem.model.id}` }];
    case 'unknownStyle':
      return [{ name: 'style', reason: `must be one of ${IMAGE_STYLES.join(', ')}` }];
    case 'referenceNotSupported':
      return [{ name: 'referenceImageUrl', reason: `is not supported by ${problem.model.id}` }];
  }
}

function uploadRequestFieldErrors(fileName: string, contentType: string): FieldError[] {
  const fields: FieldError[] = [];
  if (typeof fileName !== 'string' || fileName.trim() === '' || /[/\\\u0000-\u001f]/.test(fileName)) {
    fields.push({ name: 'fileName', reason: 'must be a file name, without a folder' });
  }
  if (!UPLOAD_CONTENT_TYPES.includes(contentType)) fields.push({ name: 'contentType', reason: `must be one of ${UPLOAD_CONTENT_TYPES.join(', ')}` });
  return fields;
}

/** What `findInLibrary` searches: an item of the video or the image list. */
interface LibraryItem {
  readonly url: string;
  /** ISO 8601, as Pictory sends it. */
  readonly createdDate?: string;
}

/**
 * The newest item of a library (`list` gives its pages, newest first) that `matches`, created
 * no earlier than `submittedAt` less the clock-skew allowance, and whose `url` is not in
 * `excludeUrls`. At most `MAX_LIBRARY_PAGES` pages are read, and none past the first item
 * older than that.
 */
async function findInLibrary<Item extends LibraryItem>(
  list: (pageKey: string | undefined) => Promise<{ readonly items: readonly Item[]; readonly nextPageKey?: string }>,
  matches: (item: Item) => boolean,
  submittedAt: number,
  excludeUrls: ReadonlySet<string>,
): Promise<Item | undefined> {
  const earliest = submittedAt - CLOCK_SKEW_MS;
  let pageKey: string | undefined;
  for (let page = 0; page < MAX_LIBRARY_PAGES; page++) {
    const { items, nextPageKey } = await list(pageKey);
    const search = searchPage(items, matches, earliest, excludeUrls);
    if (search.found) return search.found;
    if (search.reachedOlder || nextPageKey === undefined) return undefined;
    pageKey = nextPageKey;
  }
  return undefined;
}

/** Items without a readable `createdDate` cannot be placed in time, so they never match. */
function searchPage<Item extends LibraryItem>(
  items: readonly Item[],
  matches: (item: Item) => boolean,
  earliest: number,
  excludeUrls: ReadonlySet<string>,
): { found?: Item; reachedOlder: boolean } {
  for (const item of items) {
    const created = item.createdDate === undefined ? Number.NaN : Date.parse(item.createdDate);
    // The list is newest first: once an item is older than the submission, so are the rest.
    if (created < earliest) return { reachedOlder: true };
    if (Number.isNaN(created) || excludeUrls.has(item.url)) continue;
    if (matches(item)) return { found: item, reachedOlder: false };
  }
  return { reachedOlder: false };
}

function sameRequest(item: LibraryVideo, request: VideoRequest): boolean {
  return (
    item.prompt === request.prompt &&
    item.model === request.model &&
    item.aspectRatio === request.aspectRatio &&
    sameDuration(item.duration, request.duration) &&
    sameSources(item, request)
  );
}

/** An image listed without a style or a reference image was asked for without one. */
function sameImageRequest(item: LibraryImage, request: ImageRequest): boolean {
  return (
    item.prompt === request.prompt &&
    item.model === request.model &&
    item.aspectRatio === request.aspectRatio &&
    item.style === (request.style || undefined) &&
    sameUrls(urlsOf(item.referenceImageUrl), urlsOf(request.referenceImageUrl || undefined))
  );
}

/**
 * Whether an item was made from the same image or video inputs as the request: the same
 * field with the same URL (reference images in any order), or none on either side (an empty
 * list counting as none). URLs are compared in their normalised form.
 */
function sameSources(item: VideoSources, request: VideoSources): boolean {
  return SOURCE_FIELDS.every((field) => sameUrls(urlsOf(item[field]), urlsOf(request[field])));
}

function urlsOf(value: string | readonly string[] | undefined): string[] {
  const urls: readonly unknown[] = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  return urls.map((url) => normalisedUrl(String(url))).sort();
}

function normalisedUrl(value: string): string {
  try {
    return new URL(value).href;
  } catch {
    return value;
  }
}

function sameUrls(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((url, index) => url === b[index]);
}

const SOURCE_REASONS = {
  notUrl: 'must be an absolute URL',
  notHttps: 'must be an https URL',
  credentials: 'must not contain a user name or password',
} as const;

/** The field errors of a request refused before sending, worded like the API's own. */
export function sourceFieldErrors(problem: SourceProblem): FieldError[] {
  switch (problem.kind) {
    case 'severalSources': {
      const reason = `only one of ${SOURCE_FIELDS.join(', ')} may be given`;
      return problem.fields.map((name) => ({ name, reason }));
    }
    case 'referenceImageCount':
      return [{ name: 'referenceImageUrls', reason: `must list 1 to ${MAX_REFERENCE_IMAGES} URIs, not ${problem.count}` }];
    case 'invalidSourceUrl': {
      const reason = SOURCE_REASONS[problem.fault];
      return [{ name: problem.field, reason: problem.index === undefined ? reason : `item ${problem.index + 1} ${reason}` }];
    }
  }
}

/**
 * The supported durations of a model are at least a second apart, so half a second absorbs
 * a listed length such as `"8.04s"` without confusing two durations.
 */
const DURATION_TOLERANCE_S = 0.5;

/**
 * Whether a listed duration (`"8s"`, `"8"`, `8`, `"8.0s"`...) is the requested one. A missing
 * or unreadable one cannot tell the requests apart, so it does not refuse the match.
 */
function sameDuration(listed: string | undefined, requested: string): boolean {
  if (listed === undefined || listed === requested) return true;
  const listedSeconds = readSeconds(listed);
  const requestedSeconds = readSeconds(requested);
  if (listedSeconds === undefined || requestedSeconds === undefined) return listedSeconds === undefined;
  return Math.abs(listedSeconds - requestedSeconds) < DURATION_TOLERANCE_S;
}

/**
 * A 500 or 503 whose body is in Pictory's own error shape (see `isPictoryErrorBody`): Pictory
 * answered, and did not take the job. Decided by `interpret`, which alone sees the body.
 */
function isPictoryRefusal(error: PictoryApiError): boolean {
  const { status, maybeCreated } = error.details;
  return error.kind === 'server' && (status === 500 || status === 503) && maybeCreated === false;
}

/**
 * Answers after which a POST may have created a job, besides the 5xx that `interpret` judges:
 * a success whose body cannot be read, or a 5xx that is not JSON. The 4xx answers say for
 * sure that nothing was made.
 */
function mayHaveCreatedJob(error: PictoryApiError): boolean {
  const status = error.status ?? 0;
  if (error.kind === 'notJson') return status >= 500 || (status >= 200 && status < 300);
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

function interpret(
  response: HttpResponse,
  text: string,
  { createsJob, url, missing }: { createsJob: boolean; url: string; missing: ApiCall['missing'] },
): unknown {
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
  // An endpoint that does not exist often answers with a web server's HTML page.
  // The URL is named without its query (a page key); the key never is in it.
  if (status === 404 && missing === 'endpointNotFound') throw new PictoryApiError('endpointNotFound', { ...details, url: url.replace(/[?#].*$/, '') });
  if (!parsed.ok && text.trim() !== '') throw new PictoryApiError('notJson', { status });
  if (status === 400) throw new PictoryApiError('invalidRequest', details);
  if (status === 404) throw new PictoryApiError('notFound', details);
  if (status >= 500) {
    if (!createsJob) throw new PictoryApiError('server', details);
    // Only Pictory's own 500/503 says it did not take the job; a gateway's 5xx (502, 504,
    // Cloudflare's 520-527, API Gateway's `{"message":"Internal server error"}`, an empty
    // body) may follow a job the backend created.
    const refused = (status === 500 || status === 503) && parsed.ok && isPictoryErrorBody(parsed.value);
    throw new PictoryApiError('server', { ...details, maybeCreated: !refused });
  }
  throw new PictoryApiError('httpError', details);
}

function isInvalidHeaderCode(code: string | undefined): boolean {
  return code !== undefined && INVALID_HEADER_CODES.has(code);
}

function isNeverSentCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  return NO_CONNECTION_CODES.has(code) || isInvalidHeaderCode(code) || TLS_FAILURE_CODE.test(code);
}

/**
 * Whether a failed request may have reached the server: certainly once an answer began,
 * never before the connection was made (and secured), and, when nobody could tell, unless
 * the error is one that is raised before sending.
 */
function mayHaveArrived(error: unknown, answered: boolean): boolean {
  if (answered) return true;
  return requestSentOf(error) ?? !isNeverSentCode(errorCode(error));
}

interface FailureState {
  readonly cancelled: boolean;
  readonly timedOut: boolean;
  /** The status line had arrived. */
  readonly answered: boolean;
}

function toApiError(error: unknown, createsJob: boolean, state: FailureState): PictoryApiError {
  if (error instanceof PictoryApiError) return error;
  if (state.cancelled) return new PictoryApiError('cancelled');
  // Node refused a header before sending. The key is the one header the user supplies.
  if (!state.answered && isInvalidHeaderCode(errorCode(error))) return new PictoryApiError('invalidKey');
  const arrived = mayHaveArrived(error, state.answered);
  const maybeCreated = createsJob && arrived;
  if (state.timedOut) return new PictoryApiError('timeout', arrived ? { maybeCreated } : { cause: 'no connection was made' });
  return new PictoryApiError('network', { cause: networkCause(error, errorCode(error)), maybeCreated });
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
