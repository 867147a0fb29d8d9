import { randomUUID } from 'node:crypto';
import { imageCredits, imageDimensions, type ImageRequest } from './imageContract';
import { renderDuration, type RenderRequest } from './renderContract';
import { creditsFor, dimensionsFor, type VideoRequest } from './videoContract';

/**
 * How a job ends, chosen by markers typed into the prompt so that a UI test can steer it:
 * `#fail`, `#cleaned`, `#forever` (never finishes), `#silent` (video without audio), `#stereo` (8 s, stereo AAC: 440 Hz left, 660 Hz right), `#ac3`
 * (AC-3 audio, which browsers cannot play),
 * `#queued` (reports the undocumented status `queued` while running), `#takes-90s` (done 90 s
 * after it was created, however often it is polled, rather than after a number of polls).
 */
export type JobOutcome = 'completed' | 'failed' | 'cleaned' | 'forever';

export interface PictoryJob {
  readonly id: string;
  /** The id the video list reports, which is not the job id. */
  readonly videoId: string;
  readonly request: VideoRequest;
  readonly createdAt: number;
  readonly outcome: JobOutcome;
  /** The result's sound: AAC (the default), none (`#silent`), 8 s of stereo AAC (`#stereo`) or AC-3 (`#ac3`), which browsers cannot play. */
  readonly audio: 'aac' | 'none' | 'ac3' | 'stereo';
  readonly queued: boolean;
  /** When a `#takes-…s` job is done (epoch ms); others are done after a number of polls. */
  readonly doneAt?: number;
  polls: number;
}

export type JobMedia = 'video' | 'thumbnail' | 'preview' | 'lastFrame';

const MEDIA_SUFFIXES: Readonly<Record<JobMedia, string>> = {
  video: '.mp4',
  thumbnail: '_thumbnail.jpg',
  preview: '_preview.jpg',
  lastFrame: '_last_frame.jpg',
};

export function createJob(request: VideoRequest): PictoryJob {
  const prompt = request.prompt.toLowerCase();
  const createdAt = Date.now();
  const takes = /#takes-(\d+(?:\.\d+)?)s\b/.exec(prompt);
  return {
    id: randomUUID(),
    videoId: randomUUID(),
    request,
    createdAt,
    ...(takes && { doneAt: createdAt + Number(takes[1]) * 1000 }),
    outcome: outcomeOf(prompt),
    audio: prompt.includes('#silent') ? 'none' : prompt.includes('#ac3') ? 'ac3' : prompt.includes('#stereo') ? 'stereo' : 'aac',
    queued: prompt.includes('#queued'),
    polls: 0,
  };
}

function outcomeOf(prompt: string): JobOutcome {
  if (prompt.includes('#fail')) return 'failed';
  if (prompt.includes('#cleaned')) return 'cleaned';
  if (prompt.includes('#forever')) return 'forever';
  return 'completed';
}

export function isFinished(job: Pick<PictoryJob, 'outcome' | 'polls' | 'doneAt'>, pollsUntilDone: number): boolean {
  if (job.outcome === 'forever') return false;
  return job.doneAt === undefined ? job.polls > pollsUntilDone : Date.now() >= job.doneAt;
}

/** The body of `GET /v1/jobs/{id}` after counting this poll. */
export function pollJob(job: PictoryJob, origin: string, pollsUntilDone: number): object {
  job.polls += 1;
  if (!isFinished(job, pollsUntilDone)) {
    return statusBody(job, true, { status: job.queued ? 'queued' : 'in-progress' });
  }
  switch (job.outcome) {
    case 'failed':
      return statusBody(job, false, {
        status: 'failed',
        error_code: 'TEXT_TO_VIDEO_FAILED',
        error_message: 'The video could not be generated from this prompt.',
      });
    case 'cleaned':
      return statusBody(job, true, { status: 'cleaned' });
    default:
      return statusBody(job, true, { status: 'completed', ...completedVideo(job, origin) });
  }
}

function statusBody(job: PictoryJob, success: boolean, data: object): object {
  return { job_id: job.id, success, data };
}

function completedVideo(job: PictoryJob, origin: string): object {
  return {
    url: mediaUrl(job, 'video', origin),
    duration: job.request.duration,
    ...dimensionsFor(job.request),
    thumbnailImageUrl: mediaUrl(job, 'thumbnail', origin),
    lastFrameImageUrl: mediaUrl(job, 'lastFrame', origin),
    previewImageUrl: mediaUrl(job, 'preview', origin),
    aiCreditsUsed: creditsFor(job.request),
  };
}

/** An item of `GET /v1/aistudio/videos`. */
export function listItem(job: PictoryJob, origin: string): object {
  const { prompt, model, aspectRatio, duration, firstFrameImageUrl, extendVideoUrl, referenceImageUrls } = job.request;
  return {
    id: job.videoId,
    url: mediaUrl(job, 'video', origin),
    prompt,
    model,
    aspectRatio,
    duration,
    createdDate: new Date(job.createdAt).toISOString(),
    ...dimensionsFor(job.request),
    previewImageUrl: mediaUrl(job, 'preview', origin),
    thumbnailImageUrl: mediaUrl(job, 'thumbnail', origin),
    lastFrameImageUrl: mediaUrl(job, 'lastFrame', origin),
    ...(firstFrameImageUrl && { firstFrameImageUrl }),
    ...(extendVideoUrl && { extendVideoUrl }),
    ...(referenceImageUrls && { referenceImageUrls }),
  };
}

function mediaUrl(job: PictoryJob, media: JobMedia, origin: string): string {
  return `${origin}/media/${job.id}${MEDIA_SUFFIXES[media]}`;
}

/**
 * A job of `POST /v1/aistudio/images`, polled at the same `GET /v1/jobs/{id}` and steered by
 * the same prompt markers (`#fail`, `#cleaned`, `#forever`, `#queued`).
 */
export interface ImageJob {
  readonly id: string;
  /** The id the image list reports, which is not the job id. */
  readonly imageId: string;
  readonly request: ImageRequest;
  readonly createdAt: number;
  readonly outcome: JobOutcome;
  readonly queued: boolean;
  polls: number;
}

export function createImageJob(request: ImageRequest): ImageJob {
  const prompt = request.prompt.toLowerCase();
  return {
    id: randomUUID(),
    imageId: randomUUID(),
    request,
    createdAt: Date.now(),
    outcome: outcomeOf(prompt),
    queued: prompt.includes('#queued'),
    polls: 0,
  };
}

/** The body of `GET /v1/jobs/{id}` for an image job, after counting this poll. */
export function pollImageJob(job: ImageJob, origin: string, pollsUntilDone: number): object {
  job.polls += 1;
  if (!isFinished(job, pollsUntilDone)) {
    return { job_id: job.id, success: true, data: { status: job.queued ? 'queued' : 'in-progress' } };
  }
  switch (job.outcome) {
    case 'failed':
      return {
        job_id: job.id,
        success: false,
        data: { status: 'failed', error_code: 'TEXT_TO_IMAGE_FAILED', error_message: 'The image could not be generated from this prompt.' },
      };
    case 'cleaned':
      return { job_id: job.id, success: true, data: { status: 'cleaned' } };
    default:
      return {
        job_id: job.id,
        success: true,
        data: { status: 'completed', url: imageUrl(job, origin), ...imageDimensions(job.request), aiCreditsUsed: imageCredits(job.request) },
      };
  }
}

/** An item of `GET /v1/aistudio/images`. */
export function imageListItem(job: ImageJob, origin: string): object {
  const { prompt, model, aspectRatio, style, referenceImageUrl } = job.request;
  return {
    id: job.imageId,
    url: imageUrl(job, origin),
    prompt,
    model,
    aspectRatio,
    createdDate: new Date(job.createdAt).toISOString(),
    ...imageDimensions(job.request),
    ...(style && { style }),
    ...(referenceImageUrl && { referenceImageUrl }),
  };
}

function imageUrl(job: ImageJob, origin: string): string {
  return `${origin}/media/${job.id}${IMAGE_SUFFIX}`;
}

const IMAGE_SUFFIX = '.png';

/** The job id of an image's file name, `<jobId>.png`. */
export function parseImageName(name: string): string | undefined {
  return name.endsWith(IMAGE_SUFFIX) ? name.slice(0, -IMAGE_SUFFIX.length) : undefined;
}

/** Splits a media file name such as `<jobId>_thumbnail.jpg` into its job id and kind. */
export function parseMediaName(name: string): { jobId: string; media: JobMedia } | undefined {
  for (const [media, suffix] of Object.entries(MEDIA_SUFFIXES) as [JobMedia, string][]) {
    if (name.endsWith(suffix)) return { jobId: name.slice(0, -suffix.length), media };
  }
  return undefined;
}

/**
 * A job of `POST /v2/video/storyboard/render`, polled at the same `GET /v1/jobs/{id}` and
 * steered by markers typed into the video name: `#fail` and `#forever` (never finishes).
 */
export interface RenderJob {
  readonly id: string;
  readonly request: RenderRequest;
  readonly createdAt: number;
  readonly outcome: RenderOutcome;
  polls: number;
}

export type RenderOutcome = Exclude<JobOutcome, 'cleaned'>;

export type RenderMedia = 'video' | 'thumbnail';

const RENDER_SUFFIXES: Readonly<Record<RenderMedia, string>> = {
  video: '_film.mp4',
  thumbnail: '_film.jpg',
};

export function createRenderJob(request: RenderRequest): RenderJob {
  const outcome = outcomeOf(request.videoName.toLowerCase());
  return {
    id: randomUUID(),
    request,
    createdAt: Date.now(),
    outcome: outcome === 'cleaned' ? 'completed' : outcome,
    polls: 0,
  };
}

/**
 * The body of `GET /v1/jobs/{id}` for a render job, after counting this poll: its progress
 * rises with the polls (and stays below 100 for a `#forever` job), then the film.
 */
export function pollRenderJob(job: RenderJob, origin: string, pollsUntilDone: number): object {
  job.polls += 1;
  if (!isFinished(job, pollsUntilDone)) {
    const renderProgress = Math.min(99, Math.round((100 * job.polls) / (pollsUntilDone + 1)));
    return { job_id: job.id, success: true, data: { status: 'in-progress', renderProgress, renderProgressMessage: 'Rendering' } };
  }
  if (job.outcome === 'failed') {
    return {
      job_id: job.id,
      success: false,
      data: { status: 'failed', error_code: 'RENDER_FAILED', error_message: 'The film could not be rendered.' },
    };
  }
  return {
    job_id: job.id,
    success: true,
    data: {
      status: 'completed',
      videoURL: renderUrl(job, 'video', origin),
      videoDuration: renderDuration(job.request),
      thumbnail: renderUrl(job, 'thumbnail', origin),
    },
  };
}

function renderUrl(job: RenderJob, media: RenderMedia, origin: string): string {
  return `${origin}/media/${job.id}${RENDER_SUFFIXES[media]}`;
}

/** Splits a render's file name, `<jobId>_film.mp4` or `<jobId>_film.jpg`, into its job id and kind. */
export function parseRenderName(name: string): { jobId: string; media: RenderMedia } | undefined {
  for (const [media, suffix] of Object.entries(RENDER_SUFFIXES) as [RenderMedia, string][]) {
    if (name.endsWith(suffix)) return { jobId: name.slice(0, -suffix.length), media };
  }
  return undefined;
}
