// The request rules of `POST /v1/aistudio/videos`, written independently of src/ so that the
// test server checks the extension against the documented contract rather than against itself.

export type VideoModel = 'veo3.1' | 'veo3.1_fast' | 'pixverse5.5';

interface ModelSpec {
  readonly aspectRatios: readonly string[];
  readonly durations: readonly string[];
  readonly creditsPerSecond: number;
  readonly dimensions: Readonly<Record<string, readonly [number, number]>>;
}

const VEO_DIMENSIONS = { '16:9': [1920, 1080], '9:16': [1080, 1920] } as const;

export const VIDEO_MODELS: Readonly<Record<VideoModel, ModelSpec>> = {
  'veo3.1': {
    aspectRatios: ['16:9', '9:16'],
    durations: ['4s', '6s', '8s'],
    creditsPerSecond: 20,
    dimensions: VEO_DIMENSIONS,
  },
  'veo3.1_fast': {
    aspectRatios: ['16:9', '9:16'],
    durations: ['4s', '6s', '8s'],
    creditsPerSecond: 10,
    dimensions: VEO_DIMENSIONS,
  },
  'pixverse5.5': {
    aspectRatios: ['16:9', '9:16', '1:1', '3:4', '4:3'],
    durations: ['5s', '8s', '10s'],
    creditsPerSecond: 1.6,
    dimensions: {
      '16:9': [1280, 720],
      '9:16': [720, 1280],
      '1:1': [720, 720],
      '3:4': [720, 960],
      '4:3': [960, 720],
    },
  },
};

export const DEFAULT_MODEL: VideoModel = 'pixverse5.5';

export interface VideoRequest {
  readonly prompt: string;
  readonly model: VideoModel;
  readonly aspectRatio: string;
  readonly duration: string;
  readonly webhook?: string;
  readonly firstFrameImageUrl?: string;
  readonly extendVideoUrl?: string;
  readonly referenceImageUrls?: readonly string[];
}

export interface FieldError {
  readonly name: string;
  readonly errors: string;
}

export type VideoRequestValidation =
  | { readonly ok: true; readonly request: VideoRequest }
  | { readonly ok: false; readonly fields: FieldError[] };

const SOURCE_FIELDS = ['firstFrameImageUrl', 'extendVideoUrl', 'referenceImageUrls'] as const;

export function validateVideoRequest(body: unknown): VideoRequestValidation {
  if (!isRecord(body)) return { ok: false, fields: [{ name: 'body', errors: 'must be a JSON object' }] };
  const spec = isVideoModel(body.model ?? DEFAULT_MODEL) ? modelSpecOf(body) : undefined;
  const problems: [string, string | undefined][] = [
    ['prompt', promptProblem(body.prompt)],
    ['model', body.model === undefined || isVideoModel(body.model) ? undefined : `must be one of ${Object.keys(VIDEO_MODELS).join(', ')}`],
    ['aspectRatio', spec && choiceProblem(body.aspectRatio, spec.aspectRatios)],
    ['duration', spec && choiceProblem(body.duration, spec.durations)],
    ['webhook', optionalUriProblem(body.webhook)],
    ['firstFrameImageUrl', optionalUriProblem(body.firstFrameImageUrl)],
    ['extendVideoUrl', optionalUriProblem(body.extendVideoUrl)],
    ['referenceImageUrls', referenceImagesProblem(body.referenceImageUrls)],
    ...exclusivityProblems(body),
  ];
  const fields = problems.flatMap(([name, errors]) => (errors === undefined ? [] : [{ name, errors }]));
  return fields.length > 0 ? { ok: false, fields } : { ok: true, request: normalise(body) };
}

export function creditsFor(request: VideoRequest): number {
  const credits = VIDEO_MODELS[request.model].creditsPerSecond * secondsOf(request.duration);
  return Math.round(credits * 100) / 100;
}

export function dimensionsFor(request: VideoRequest): { width: number; height: number } {
  const [width, height] = VIDEO_MODELS[request.model].dimensions[request.aspectRatio] ?? [0, 0];
  return { width, height };
}

function secondsOf(duration: string): number {
  return Number.parseInt(duration, 10);
}

function normalise(body: Record<string, unknown>): VideoRequest {
  const model = (body.model ?? DEFAULT_MODEL) as VideoModel;
  const spec = VIDEO_MODELS[model];
  const optional = ['webhook', ...SOURCE_FIELDS].filter((name) => body[name] !== undefined);
  return {
    ...Object.fromEntries(optional.map((name) => [name, body[name]])),
    prompt: body.prompt as string,
    model,
    aspectRatio: (body.aspectRatio as string | undefined) ?? spec.aspectRatios[0],
    duration: (body.duration as string | undefined) ?? spec.durations[0],
  };
}

function modelSpecOf(body: Record<string, unknown>): ModelSpec {
  return VIDEO_MODELS[(body.model ?? DEFAULT_MODEL) as VideoModel];
}

function isVideoModel(value: unknown): value is VideoModel {
  return typeof value === 'string' && Object.hasOwn(VIDEO_MODELS, value);
}

function promptProblem(prompt: unknown): string | undefined {
  if (typeof prompt !== 'string') return 'is required and must be a string';
  if (prompt.length < 5 || prompt.length > 5000) return 'must be between 5 and 5000 characters';
  return undefined;
}

function choiceProblem(value: unknown, allowed: readonly string[]): string | undefined {
  if (value === undefined || (typeof value === 'string' && allowed.includes(value))) return undefined;
  return `must be one of ${allowed.join(', ')} for this model`;
}

function optionalUriProblem(value: unknown): string | undefined {
  return value === undefined || isHttpUri(value) ? undefined : 'must be an http(s) URI';
}

function referenceImagesProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length < 1 || value.length > 3) return 'must be an array of 1 to 3 URIs';
  return value.every(isHttpUri) ? undefined : 'every item must be an http(s) URI';
}

function exclusivityProblems(body: Record<string, unknown>): [string, string][] {
  const present = SOURCE_FIELDS.filter((name) => body[name] !== undefined);
  if (present.length < 2) return [];
  const message = `only one of ${SOURCE_FIELDS.join(', ')} may be given`;
  return present.map((name) => [name, message]);
}

function isHttpUri(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
