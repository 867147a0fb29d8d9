import { ImageRequest, VideoRequest } from '../pictory/client';
import { isRenderRequest, RenderRequest } from '../pictory/render';
import { VideoResult } from '../pictory/responses';

export type JobState =
  /** The POST is under way: no job id yet. */
  | 'submitting'
  /**
   * The POST's answer was lost: the job may exist (and be charged) without an id here. It is
   * looked for in the account's videos (an image job: its images) until found or its deadline passes.
   */
  | 'maybeCreated'
  | 'running'
  | 'completed'
  | 'failed'
  | 'cleaned'
  | 'notFound'
  /** Polling stopped here; the job itself may still finish. */
  | 'cancelled'
  | 'timedOut'
  | 'stopped'
  /** A `maybeCreated` job that was not in the account's videos (or images) by its deadline. */
  | 'unconfirmed';

/** States in which nothing more will be learned without the user asking. */
export const RESUMABLE_STATES: readonly JobState[] = ['cancelled', 'timedOut', 'stopped', 'notFound', 'unconfirmed'];

/** States in which a job is being followed by some window. */
export const FOLLOWED_STATES: readonly JobState[] = ['maybeCreated', 'running'];

/** States a window must pick up again if it closes: each has a `.pending` marker on disk. */
export const PENDING_STATES: readonly JobState[] = ['submitting', 'maybeCreated', 'running'];

/** Ids given by this extension to jobs Pictory has given none (yet). */
export const LOCAL_ID_PREFIX = 'local-';

export function isFollowed(state: JobState): boolean {
  return FOLLOWED_STATES.includes(state);
}

/** Whether Pictory's job id is known, so that the job can be polled by id. */
export function hasJobId(record: JobRecord): boolean {
  return !record.id.startsWith(LOCAL_ID_PREFIX);
}

/** What every job has, whatever it makes. */
interface JobFields {
  /** Pictory's job id, or a local id (`local-…`) when Pictory's answer never came. */
  readonly id: string;
  /** The API base URL the job was submitted to: it is only ever polled there. */
  readonly endpoint: string;
  readonly submittedAt: number;
  /** When waiting stops; the job's own, kept when it times out. */
  readonly deadline: number;
  readonly state: JobState;
  readonly updatedAt: number;
  /** The API's own status word while running (`in-progress`, or anything undocumented). */
  readonly apiStatus?: string;
  /** The finished result: a video, or for an image job its `url`, size and credits. */
  readonly video?: VideoResult;
  readonly error?: { readonly code: string; readonly message: string };
  /** A render's progress (0 to 100) while it runs, when Pictory reports one. */
  readonly progress?: number;
  /** The storyboard scene (or film) the job was made for. */
  readonly origin?: JobOrigin;
}

/** A storyboard file (its URI) and the scene in it; no scene: the film rendered from it. */
export interface JobOrigin {
  readonly storyboard: string;
  readonly scene?: number;
}

/** What a film record shows where a clip shows its model. */
export const FILM_MODEL = 'storyboard render';

/**
 * A film joined by Pictory's storyboard render. `render` is what is sent; the rest is what the
 * studio shows of it, where a clip shows its prompt, model, ratio and duration.
 */
export interface FilmRequest {
  /** The film's name. */
  readonly prompt: string;
  readonly model: typeof FILM_MODEL;
  readonly aspectRatio: string;
  readonly duration: string;
  readonly render: RenderRequest;
}

/** A video job (records written before images existed have no `kind`). */
export interface VideoJobRecord extends JobFields {
  readonly kind?: 'video';
  readonly request: VideoRequest;
}

export interface ImageJobRecord extends JobFields {
  readonly kind: 'image';
  readonly request: ImageRequest;
}

export interface FilmJobRecord extends JobFields {
  readonly kind: 'film';
  readonly request: FilmRequest;
}

export type JobRecord = VideoJobRecord | ImageJobRecord | FilmJobRecord;

/** What a job was asked to make, with its kind (and the storyboard scene it is for). */
export type JobRequest = (
  | { readonly kind: 'video'; readonly request: VideoRequest }
  | { readonly kind: 'image'; readonly request: ImageRequest }
  | { readonly kind: 'film'; readonly request: FilmRequest }
) & { readonly origin?: JobOrigin };

export function isImageJob(record: JobRecord): record is ImageJobRecord {
  return record.kind === 'image';
}

export function isFilmJob(record: JobRecord): record is FilmJobRecord {
  return record.kind === 'film';
}

/** A generated video clip (not an image, not a rendered film). */
export function isVideoJob(record: JobRecord): record is VideoJobRecord {
  return record.kind === undefined || record.kind === 'video';
}

/** What a stored job asked for, to ask for it again. */
export function jobRequestOf(record: JobRecord): JobRequest {
  const origin = record.origin && { origin: record.origin };
  if (isImageJob(record)) return { kind: 'image', request: record.request, ...origin };
  if (isFilmJob(record)) return { kind: 'film', request: record.request, ...origin };
  return { kind: 'video', request: record.request, ...origin };
}

/** "pixverse5.5 · 16:9 · 8s", or for an image "seedream3.0 · 1:1 · vintage". */
export function describeRequest(record: JobRecord): string {
  const { model, aspectRatio } = record.request;
  const last = isImageJob(record) ? record.request.style : (record.video?.duration ?? record.request.duration);
  return [model, aspectRatio, last].filter(Boolean).join(' · ');
}

/** The video duration asked for, or undefined for an image. */
export function requestedDuration(record: JobRecord): string | undefined {
  return isImageJob(record) ? undefined : record.request.duration;
}

/** Where a stored job's origin, when present, has its types. */
function hasOriginTypes(origin: unknown): boolean {
  if (origin === undefined) return true;
  return isObject(origin) && typeof origin.storyboard === 'string' && (origin.scene === undefined || (typeof origin.scene === 'number' && Number.isInteger(origin.scene) && origin.scene >= 0));
}

const STATES = new Set<string>([
  'submitting', 'maybeCreated', 'running', 'completed', 'failed', 'cleaned', 'notFound', 'cancelled', 'timedOut', 'stopped', 'unconfirmed',
]);

export type RecordReading =
  | { readonly kind: 'record'; readonly record: JobRecord }
  /** Well formed but in a state this version does not know: written by a newer version, to be left alone. */
  | { readonly kind: 'unknownState'; readonly state: string }
  | { readonly kind: 'damaged'; readonly reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasRecordFields(value: Record<string, unknown>): boolean {
  const { id, endpoint, submittedAt, deadline, state, updatedAt, request, kind } = value;
  if (kind !== undefined && kind !== 'video' && kind !== 'image' && kind !== 'film') return false;
  if (!hasOriginTypes(value.origin)) return false;
  return (
    typeof id === 'string' &&
    typeof endpoint === 'string' &&
    typeof submittedAt === 'number' &&
    typeof deadline === 'number' &&
    typeof updatedAt === 'number' &&
    typeof state === 'string' &&
    isObject(request) &&
    typeof request.prompt === 'string' &&
    typeof request.model === 'string' &&
    typeof request.aspectRatio === 'string' &&
    (kind === 'image'
      ? hasImageTypes(request)
      : kind === 'film'
        ? typeof request.duration === 'string' && isRenderRequest(request.render)
        : typeof request.duration === 'string' && hasSourceTypes(request))
  );
}

/** The optional fields of an image request, when present, have their types. */
function hasImageTypes(request: Record<string, unknown>): boolean {
  return ['style', 'referenceImageUrl', 'webhook'].every((field) => request[field] === undefined || typeof request[field] === 'string');
}

/** The optional image and video inputs of a request, when present, have their types. */
function hasSourceTypes(request: Record<string, unknown>): boolean {
  const { firstFrameImageUrl, extendVideoUrl, referenceImageUrls } = request;
  return (
    (firstFrameImageUrl === undefined || typeof firstFrameImageUrl === 'string') &&
    (extendVideoUrl === undefined || typeof extendVideoUrl === 'string') &&
    (referenceImageUrls === undefined ||
      (Array.isArray(referenceImageUrls) && referenceImageUrls.every((url) => typeof url === 'string')))
  );
}

/** Stored records are checked like API answers: a damaged file is reported, not trusted. */
export function readJobRecord(value: unknown): RecordReading {
  if (!isObject(value) || !hasRecordFields(value)) return { kind: 'damaged', reason: 'not a job record' };
  const state = value.state as string;
  if (!STATES.has(state)) return { kind: 'unknownState', state };
  if (state === 'completed' && (!isObject(value.video) || typeof value.video.url !== 'string')) {
    return { kind: 'damaged', reason: 'a completed job without a video URL' };
  }
  return { kind: 'record', record: value as unknown as JobRecord };
}

export function parseJobRecord(value: unknown): JobRecord | undefined {
  const reading = readJobRecord(value);
  return reading.kind === 'record' ? reading.record : undefined;
}
