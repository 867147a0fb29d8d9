import { roundCredits, VideoSources } from './catalog';
import { FieldError, PictoryApiError } from './errors';
import { safeMediaUrl } from './urls';

/** What a finished job returned. Only `url` is required; the rest is shown when present. */
export interface VideoResult {
  readonly url: string;
  readonly duration?: string;
  readonly width?: number;
  readonly height?: number;
  readonly thumbnailImageUrl?: string;
  readonly previewImageUrl?: string;
  readonly lastFrameImageUrl?: string;
  readonly aiCreditsUsed?: number;
}

/**
 * An item of the account's video library (`GET /v1/aistudio/videos`). Its `VideoSources`
 * are listed when the request had them; `referenceImageUrls` keeps only the string items.
 */
export interface LibraryVideo extends VideoResult, VideoSources {
  /** The library's own id, which is not the job id. */
  readonly id?: string;
  readonly prompt?: string;
  readonly model?: string;
  readonly aspectRatio?: string;
  /** ISO 8601, as Pictory sends it. */
  readonly createdDate?: string;
}

export interface LibraryPage {
  readonly items: LibraryVideo[];
  readonly nextPageKey?: string;
}

/**
 * An item of the account's image library (`GET /v1/aistudio/images`). Only `url` is required;
 * `style` and `referenceImageUrl` are listed when the request had them.
 */
export interface LibraryImage {
  readonly url: string;
  /** The library's own id, which is not the job id. */
  readonly id?: string;
  readonly prompt?: string;
  readonly model?: string;
  readonly aspectRatio?: string;
  /** ISO 8601, as Pictory sends it. */
  readonly createdDate?: string;
  readonly width?: number;
  readonly height?: number;
  readonly style?: string;
  readonly referenceImageUrl?: string;
}

export interface ImagePage {
  readonly items: LibraryImage[];
  readonly nextPageKey?: string;
}

/** Where to `PUT` a file (`signedUrl`, for a while) and where it is then found (`url`, for good). */
export interface UploadUrl {
  readonly signedUrl: string;
  readonly url: string;
  /** The storage key, when Pictory names it. */
  readonly key?: string;
}

export interface QuotaAmount {
  readonly used: number;
  readonly limit: number;
}

/** The account's allowance (`GET /v1/quota`). */
export interface Quota {
  readonly aiCredits: QuotaAmount;
  /** Absent when Pictory does not send it, or sends it in a form that cannot be read. */
  readonly videoMinutes?: QuotaAmount;
}

export type JobStatus =
  /** `progress`: a render's `renderProgress`, 0 to 100, when Pictory sends one. */
  | { readonly state: 'running'; readonly apiStatus: string; readonly progress?: number }
  | { readonly state: 'completed'; readonly video: VideoResult }
  | { readonly state: 'failed'; readonly errorCode: string; readonly errorMessage: string }
  | { readonly state: 'cleaned' };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unexpected(cause: string, status?: number): PictoryApiError {
  return new PictoryApiError('unexpectedResponse', { cause, status });
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Informational numbers: a numeric string is accepted, anything else is dropped. */
function optionalNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** A render's length in seconds, kept to a tenth. */
function roundedSeconds(value: unknown): number | undefined {
  const seconds = optionalNumber(value);
  return seconds === undefined ? undefined : Math.round(seconds * 10) / 10;
}

/** Pictory sends `"8s"`; a bare number of seconds is taken as that many seconds. */
function optionalDuration(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? `${value}s` : undefined;
  return optionalString(value);
}

/** Pictory's error bodies come in several shapes; this reads any of them. */
export function readErrorBody(body: unknown): { code?: string; apiMessage?: string; fields?: FieldError[] } {
  if (!isObject(body)) return {};
  const nested = isObject(body.error) ? body.error : isObject(body.data) ? body.data : {};
  const code = optionalString(body.code) ?? optionalString(nested.error_code) ?? optionalString(nested.code);
  const apiMessage =
    optionalString(body.message) ?? optionalString(nested.error_message) ?? optionalString(nested.message);
  const fields = Array.isArray(body.fields) ? body.fields.filter(isObject).map(readField) : undefined;
  return { code, apiMessage, fields };
}

/**
 * Whether an error body is in one of Pictory's own shapes: a top-level `code`, `success: false`,
 * or an `error` object with `error_code` or `error_message`. A bare `{"message": ...}` is not:
 * AWS API Gateway and other layers in front of Pictory answer that way too.
 */
export function isPictoryErrorBody(body: unknown): boolean {
  if (!isObject(body)) return false;
  if (optionalString(body.code) !== undefined || body.success === false) return true;
  const error = body.error;
  return isObject(error) && (error.error_code !== undefined || error.error_message !== undefined);
}

function readField(field: Json): FieldError {
  const errors = field.errors;
  const reason = Array.isArray(errors) ? errors.map(String).join(', ') : String(errors ?? field.message ?? '');
  return { name: String(field.name ?? field.field ?? '?'), reason };
}

export function readJobId(body: unknown): string {
  if (!isObject(body)) throw unexpected('the body is not an object');
  if (body.success === false) throw new PictoryApiError('rejected', readErrorBody(body));
  const jobId = isObject(body.data) ? body.data.jobId : undefined;
  if (typeof jobId !== 'string' || jobId.trim() === '') throw unexpected('data.jobId is missing');
  return jobId;
}

function isJobNotFound(body: Json): boolean {
  const { code, apiMessage } = readErrorBody(body);
  return code === '5000' || apiMessage === 'JOB_NOT_FOUND';
}

export function readJobStatus(body: unknown): JobStatus {
  if (!isObject(body)) throw unexpected('the body is not an object');
  if (isJobNotFound(body)) throw new PictoryApiError('notFound', readErrorBody(body));
  const data = body.data;
  if (!isObject(data)) throw unexpected('data.status is missing');
  // A finished render may name its film without a status word.
  const status = typeof data.status === 'string' ? data.status : optionalString(data.videoURL) ? 'completed' : undefined;
  if (status === undefined) throw unexpected('data.status is missing');
  switch (status) {
    case 'completed':
      return { state: 'completed', video: readVideo(data) };
    case 'failed':
      return {
        state: 'failed',
        errorCode: optionalString(data.error_code) ?? 'UNKNOWN_ERROR',
        errorMessage: optionalString(data.error_message) ?? '',
      };
    case 'cleaned':
      return { state: 'cleaned' };
    default: {
      // `in-progress`, and anything undocumented: the job is still running.
      const progress = optionalNumber(data.renderProgress);
      return progress === undefined ? { state: 'running', apiStatus: status } : { state: 'running', apiStatus: status, progress: Math.max(0, Math.min(100, progress)) };
    }
  }
}

/** A generated clip's result, or a render's (`videoURL`, `videoDuration`). */
function readVideo(data: Json): VideoResult {
  const url = optionalString(data.url) ?? optionalString(data.videoURL);
  if (!url) throw unexpected('a completed job has no data.url');
  return {
    url,
    duration: optionalDuration(data.duration) ?? optionalDuration(roundedSeconds(data.videoDuration)),
    width: optionalNumber(data.width),
    height: optionalNumber(data.height),
    thumbnailImageUrl: optionalString(data.thumbnailImageUrl) ?? optionalString(data.thumbnail),
    previewImageUrl: optionalString(data.previewImageUrl),
    lastFrameImageUrl: optionalString(data.lastFrameImageUrl),
    aiCreditsUsed: optionalNumber(data.aiCreditsUsed),
  };
}

/** A page of the video library; items without a usable `url` are skipped, not fatal. */
export function readLibraryPage(body: unknown): LibraryPage {
  if (!isObject(body)) throw unexpected('the body is not an object');
  if (!Array.isArray(body.items)) throw unexpected('items is missing');
  const items = body.items.filter(isObject).flatMap((item) => {
    const video = readLibraryVideo(item);
    return video ? [video] : [];
  });
  const nextPageKey = optionalString(body.nextPageKey);
  return nextPageKey === undefined ? { items } : { items, nextPageKey };
}

function readLibraryVideo(item: Json): LibraryVideo | undefined {
  if (!optionalString(item.url)) return undefined;
  const referenceImageUrls = Array.isArray(item.referenceImageUrls)
    ? item.referenceImageUrls.filter((url): url is string => typeof url === 'string' && url.length > 0)
    : [];
  return {
    ...readVideo(item),
    id: optionalString(item.id),
    prompt: optionalString(item.prompt),
    model: optionalString(item.model),
    aspectRatio: optionalString(item.aspectRatio),
    createdDate: optionalString(item.createdDate),
    firstFrameImageUrl: optionalString(item.firstFrameImageUrl),
    extendVideoUrl: optionalString(item.extendVideoUrl),
    referenceImageUrls: referenceImageUrls.length > 0 ? referenceImageUrls : undefined,
  };
}

/** A page of the image library; items without a usable `url` are skipped, not fatal. */
export function readImagePage(body: unknown): ImagePage {
  if (!isObject(body)) throw unexpected('the body is not an object');
  if (!Array.isArray(body.items)) throw unexpected('items is missing');
  const items = body.items.filter(isObject).flatMap((item) => {
    const image = readLibraryImage(item);
    return image ? [image] : [];
  });
  const nextPageKey = optionalString(body.nextPageKey);
  return nextPageKey === undefined ? { items } : { items, nextPageKey };
}

function readLibraryImage(item: Json): LibraryImage | undefined {
  const url = optionalString(item.url);
  if (!url) return undefined;
  return {
    url,
    id: optionalString(item.id),
    prompt: optionalString(item.prompt),
    model: optionalString(item.model),
    aspectRatio: optionalString(item.aspectRatio),
    createdDate: optionalString(item.createdDate),
    width: optionalNumber(item.width),
    height: optionalNumber(item.height),
    style: optionalString(item.style),
    referenceImageUrl: optionalString(item.referenceImageUrl),
  };
}

/**
 * The body of `POST /v1/media/generateurl`: `data.signedUrl` and `data.url`, each an `https:`
 * URL (or plain `http:` on this computer while the API is on this computer too, as media
 * URLs; see `safeMediaUrl`). They are returned as Pictory wrote them: a signature must not be
 * re-encoded.
 */
export function readUploadUrl(body: unknown, apiBaseUrl: string): UploadUrl {
  if (!isObject(body)) throw unexpected('the body is not an object');
  if (body.success === false) throw new PictoryApiError('rejected', readErrorBody(body));
  const data = isObject(body.data) ? body.data : {};
  const signedUrl = optionalString(data.signedUrl);
  const url = optionalString(data.url);
  if (!signedUrl || !safeMediaUrl(signedUrl, apiBaseUrl)) throw unexpected('data.signedUrl is missing or not an https URL');
  if (!url || !safeMediaUrl(url, apiBaseUrl)) throw unexpected('data.url is missing or not an https URL');
  const key = optionalString(data.key);
  return key === undefined ? { signedUrl, url } : { signedUrl, url, key };
}

function readQuotaAmount(value: unknown): QuotaAmount | undefined {
  if (!isObject(value)) return undefined;
  const used = optionalNumber(value.used);
  const limit = optionalNumber(value.limit);
  return used === undefined || limit === undefined ? undefined : { used, limit };
}

/**
 * The body of `GET /v1/quota`: `aiCredits` (required) and `videoMinutes` (dropped when it
 * cannot be read), each `{used, limit}` as numbers or numeric strings. The same object inside
 * `data`, as Pictory's other answers wrap theirs, is read too.
 */
export function readQuota(body: unknown): Quota {
  if (!isObject(body)) throw unexpected('the body is not an object');
  if (body.success === false) throw new PictoryApiError('rejected', readErrorBody(body));
  const quota = body.aiCredits === undefined && isObject(body.data) ? body.data : body;
  const aiCredits = readQuotaAmount(quota.aiCredits);
  if (!aiCredits) throw unexpected('aiCredits.used and aiCredits.limit are missing or not numbers');
  const videoMinutes = readQuotaAmount(quota.videoMinutes);
  return videoMinutes === undefined ? { aiCredits } : { aiCredits, videoMinutes };
}

/** AI credits still available: the limit less what was used, never below 0. */
export function creditsLeft(quota: Quota): number {
  return roundCredits(Math.max(0, quota.aiCredits.limit - quota.aiCredits.used));
}
