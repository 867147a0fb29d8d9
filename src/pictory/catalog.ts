import { isLoopbackHost } from './http';
import { safeMediaUrl } from './urls';

/** The AI Studio video models, with what each one supports and costs. */
export interface VideoModel {
  readonly id: string;
  readonly label: string;
  readonly resolution: string;
  /** The first entry is the API's default. */
  readonly aspectRatios: readonly string[];
  /** The first entry is the API's default. */
  readonly durations: readonly string[];
  readonly creditsPerSecond: number;
}

export const VIDEO_MODELS: readonly VideoModel[] = [
  {
    id: 'veo3.1',
    label: 'Veo 3.1',
    resolution: '1080p',
    aspectRatios: ['16:9', '9:16'],
    durations: ['4s', '6s', '8s'],
    creditsPerSecond: 20,
  },
  {
    id: 'veo3.1_fast',
    label: 'Veo 3.1 Fast',
    resolution: '1080p',
    aspectRatios: ['16:9', '9:16'],
    durations: ['4s', '6s', '8s'],
    creditsPerSecond: 10,
  },
  {
    id: 'pixverse5.5',
    label: 'PixVerse 5.5',
    resolution: '720p',
    aspectRatios: ['16:9', '9:16', '1:1', '3:4', '4:3'],
    durations: ['5s', '8s', '10s'],
    creditsPerSecond: 1.6,
  },
];

export function findModel(id: string): VideoModel | undefined {
  return VIDEO_MODELS.find((model) => model.id === id);
}

/** The AI Studio image models, with what each one supports and costs. */
export interface ImageModel {
  readonly id: string;
  readonly label: string;
  /** The first entry is the API's default. */
  readonly aspectRatios: readonly string[];
  readonly creditsPerImage: number;
  /** Whether the model takes a `referenceImageUrl` to edit or guide the image. */
  readonly takesReference: boolean;
}

/**
 * Sources disagree on some models' limits (one says `nanobanana` is 1:1 only, and names no
 * reference support but `seedream3.0`'s): the catalog offers only what is certain, so that
 * nothing the API could refuse is sent.
 */
export const IMAGE_MODELS: readonly ImageModel[] = [
  { id: 'seedream3.0', label: 'Seedream 3.0', aspectRatios: ['1:1', '16:9', '9:16'], creditsPerImage: 2, takesReference: true },
  { id: 'flux-schnell', label: 'FLUX.1 Schnell', aspectRatios: ['1:1', '16:9', '9:16'], creditsPerImage: 0.6, takesReference: false },
  { id: 'nanobanana', label: 'Nano Banana', aspectRatios: ['1:1'], creditsPerImage: 4, takesReference: false },
  { id: 'nanobanana-pro', label: 'Nano Banana Pro', aspectRatios: ['1:1', '16:9', '9:16'], creditsPerImage: 14, takesReference: false },
];

/** The optional styles of an image, as the API names them. */
export const IMAGE_STYLES: readonly string[] = ['photorealistic', 'artistic', 'cartoon', 'minimalist', 'vintage', 'futuristic'];

export function findImageModel(id: string): ImageModel | undefined {
  return IMAGE_MODELS.find((model) => model.id === id);
}

export interface ImageChoice {
  readonly model: string;
  readonly aspectRatio: string;
  readonly style?: string;
  readonly referenceImageUrl?: string;
}

export type ImageChoiceProblem =
  | { readonly kind: 'unknownModel'; readonly model: string }
  | { readonly kind: 'unsupportedAspectRatio'; readonly model: ImageModel; readonly aspectRatio: string }
  | { readonly kind: 'unknownStyle'; readonly style: string }
  | { readonly kind: 'referenceNotSupported'; readonly model: ImageModel };

/** Checks an image request's choices against the catalog before anything is sent. */
export function checkImageChoice(choice: ImageChoice): ImageChoiceProblem | undefined {
  const model = findImageModel(choice.model);
  if (!model) return { kind: 'unknownModel', model: choice.model };
  if (!model.aspectRatios.includes(choice.aspectRatio)) return { kind: 'unsupportedAspectRatio', model, aspectRatio: choice.aspectRatio };
  if (choice.style !== undefined && !IMAGE_STYLES.includes(choice.style)) return { kind: 'unknownStyle', style: choice.style };
  if (choice.referenceImageUrl !== undefined && !model.takesReference) return { kind: 'referenceNotSupported', model };
  return undefined;
}

/** `"8s"` → 8; anything else → NaN. */
export function durationSeconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration.trim());
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * A duration as an API answer may give it, in seconds: `8`, `"8"`, `"8s"`, `"8.0s"`,
 * `"8 sec"`, `"8 seconds"`, `"0:08"` or `"00:00:08"`; undefined for anything else.
 */
export function readSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  const seconds = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:s|sec|secs|second|seconds)?$/.exec(text);
  if (seconds) return Number(seconds[1]);
  const clock = /^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$/.exec(text);
  if (clock) return Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  return undefined;
}

/** Credits are decimal amounts (1.6 × 8 = 12.8); rounding hides binary floating-point noise. */
export function roundCredits(credits: number): number {
  return Math.round(credits * 100) / 100;
}

export function estimateCredits(model: VideoModel, duration: string): number {
  return roundCredits(model.creditsPerSecond * durationSeconds(duration));
}

export interface VideoChoice {
  readonly model: string;
  readonly aspectRatio: string;
  readonly duration: string;
}

export type ChoiceProblem =
  | { readonly kind: 'unknownModel'; readonly model: string }
  | { readonly kind: 'unsupportedAspectRatio'; readonly model: VideoModel; readonly aspectRatio: string }
  | { readonly kind: 'unsupportedDuration'; readonly model: VideoModel; readonly duration: string };

/** Checks a (possibly configured) choice against the catalog, field by field. */
export function checkChoice(choice: Partial<VideoChoice>): ChoiceProblem | undefined {
  if (choice.model === undefined) return undefined;
  const model = findModel(choice.model);
  if (!model) return { kind: 'unknownModel', model: choice.model };
  if (choice.aspectRatio !== undefined && !model.aspectRatios.includes(choice.aspectRatio)) {
    return { kind: 'unsupportedAspectRatio', model, aspectRatio: choice.aspectRatio };
  }
  if (choice.duration !== undefined && !model.durations.includes(choice.duration)) {
    return { kind: 'unsupportedDuration', model, duration: choice.duration };
  }
  return undefined;
}

/** The picture or clip a video may start from; at most one of the three may be given. */
export interface VideoSources {
  /** An image the video starts from (a clip's `lastFrameImageUrl` continues that clip). */
  readonly firstFrameImageUrl?: string;
  /** A video the new one continues from its end. */
  readonly extendVideoUrl?: string;
  /** 1 to 3 images that guide the video. */
  readonly referenceImageUrls?: readonly string[];
}

export type SourceField = keyof VideoSources;

export const SOURCE_FIELDS: readonly SourceField[] = ['firstFrameImageUrl', 'extendVideoUrl', 'referenceImageUrls'];

export const MAX_REFERENCE_IMAGES = 3;

export type SourceUrlFault =
  /** Not a string, empty, or not an absolute URL. */
  | 'notUrl'
  /** Neither `https:` nor `http:` on this computer while the API is on this computer too. */
  | 'notHttps'
  /** A user name or password in the URL. */
  | 'credentials';

export type SourceProblem =
  /** More than one of the three was given; `fields` lists those given, in `SOURCE_FIELDS` order. */
  | { readonly kind: 'severalSources'; readonly fields: readonly SourceField[] }
  /** `referenceImageUrls` is not a list of 1 to `MAX_REFERENCE_IMAGES` items. */
  | { readonly kind: 'referenceImageCount'; readonly count: number }
  /** `index` is the position in `referenceImageUrls`, from 0; absent for the other fields. */
  | { readonly kind: 'invalidSourceUrl'; readonly field: SourceField; readonly index?: number; readonly fault: SourceUrlFault };

/**
 * Checks the image and video inputs of a request as the API rules them, before anything is
 * sent: at most one of them, 1 to 3 reference images, and every URL absolute and `https:`.
 * Plain `http:` is accepted on this computer only (a local test server), and, when
 * `apiBaseUrl` is given, only if that API is on this computer too (as for media URLs, see
 * `safeMediaUrl`). A field set to `undefined` is not given.
 */
export function checkSources(request: VideoSources, apiBaseUrl?: string): SourceProblem | undefined {
  const given = SOURCE_FIELDS.filter((field) => request[field] !== undefined);
  if (given.length > 1) return { kind: 'severalSources', fields: given };
  const field = given[0];
  if (field === undefined) return undefined;
  const value: unknown = request[field];
  if (field !== 'referenceImageUrls') {
    const fault = sourceUrlFault(value, apiBaseUrl);
    return fault && { kind: 'invalidSourceUrl', field, fault };
  }
  if (!Array.isArray(value)) return { kind: 'invalidSourceUrl', field, fault: 'notUrl' };
  if (value.length < 1 || value.length > MAX_REFERENCE_IMAGES) return { kind: 'referenceImageCount', count: value.length };
  for (const [index, item] of value.entries()) {
    const fault = sourceUrlFault(item, apiBaseUrl);
    if (fault) return { kind: 'invalidSourceUrl', field, index, fault };
  }
  return undefined;
}

/**
 * What is wrong with one image or video input URL (see `checkSources`), if anything; also
 * used for an image's `referenceImageUrl`.
 */
export function sourceUrlFault(value: unknown, apiBaseUrl: string | undefined): SourceUrlFault | undefined {
  if (typeof value !== 'string') return 'notUrl';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'notUrl';
  }
  if (url.username || url.password) return 'credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) return 'notHttps';
  if (apiBaseUrl === undefined) return undefined;
  return safeMediaUrl(value, apiBaseUrl) === undefined ? 'notHttps' : undefined;
}
