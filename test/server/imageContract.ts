// The request rules of `POST /v1/aistudio/images` and `POST /v1/media/generateurl`, written
// independently of src/ so that the test server checks the extension against the documented
// contract rather than against itself. Unlike the real API, which may drop what it does not
// know, every unknown field is refused, so that a typo fails a test.
import { isIP } from 'node:net';
import { isRecord, type FieldError } from './videoContract';

export type ImageModel = 'seedream3.0' | 'flux-schnell' | 'nanobanana' | 'nanobanana-pro';

interface ImageModelSpec {
  /** The first is the default. */
  readonly aspectRatios: readonly string[];
  readonly creditsPerImage: number;
  readonly takesReference: boolean;
}

/**
 * Where the sources disagree (one says `nanobanana` is 1:1 only, and names no model but
 * `seedream3.0` that takes a `referenceImageUrl`), the server takes the strictest reading: a
 * client that sends what one source forbids fails its tests here.
 */
export const IMAGE_MODELS: Readonly<Record<ImageModel, ImageModelSpec>> = {
  'seedream3.0': { aspectRatios: ['1:1', '16:9', '9:16'], creditsPerImage: 2, takesReference: true },
  'flux-schnell': { aspectRatios: ['1:1', '16:9', '9:16'], creditsPerImage: 0.6, takesReference: false },
  nanobanana: { aspectRatios: ['1:1'], creditsPerImage: 4, takesReference: false },
  'nanobanana-pro': { aspectRatios: ['1:1', '16:9', '9:16'], creditsPerImage: 14, takesReference: false },
};

export const DEFAULT_IMAGE_MODEL: ImageModel = 'seedream3.0';

export const IMAGE_STYLES: readonly string[] = ['photorealistic', 'artistic', 'cartoon', 'minimalist', 'vintage', 'futuristic'];

/** The size a finished image reports, by aspect ratio (the file served is the small fixture). */
const IMAGE_DIMENSIONS: Readonly<Record<string, readonly [number, number]>> = {
  '1:1': [1024, 1024],
  '16:9': [1344, 768],
  '9:16': [768, 1344],
};

export interface ImageRequest {
  readonly prompt: string;
  readonly model: ImageModel;
  readonly aspectRatio: string;
  readonly style?: string;
  readonly referenceImageUrl?: string;
  readonly webhook?: string;
}

export type ImageRequestValidation =
  | { readonly ok: true; readonly request: ImageRequest }
  | { readonly ok: false; readonly fields: FieldError[] };

const IMAGE_FIELDS = ['prompt', 'model', 'aspectRatio', 'style', 'referenceImageUrl', 'webhook'];

export function validateImageRequest(body: unknown): ImageRequestValidation {
  if (!isRecord(body)) return { ok: false, fields: [{ name: 'body', errors: 'must be a JSON object' }] };
  const model = body.model ?? DEFAULT_IMAGE_MODEL;
  const spec = isImageModel(model) ? IMAGE_MODELS[model] : undefined;
  const problems: [string, string | undefined][] = [
    ['prompt', promptProblem(body.prompt)],
    ['model', spec ? undefined : `must be one of ${Object.keys(IMAGE_MODELS).join(', ')}`],
    ['aspectRatio', spec && oneOfProblem(body.aspectRatio, spec.aspectRatios, ' for this model')],
    ['style', oneOfProblem(body.style, IMAGE_STYLES, '')],
    ['referenceImageUrl', referenceProblem(body.referenceImageUrl, spec)],
    ['webhook', body.webhook === undefined || isHttpUri(body.webhook) ? undefined : 'must be an http(s) URI'],
    ...unknownFields(body, IMAGE_FIELDS),
  ];
  const fields = problems.flatMap(([name, errors]) => (errors === undefined ? [] : [{ name, errors }]));
  if (fields.length > 0 || !spec) return { ok: false, fields };
  const optional = ['style', 'referenceImageUrl', 'webhook'].filter((name) => body[name] !== undefined);
  return {
    ok: true,
    request: {
      ...Object.fromEntries(optional.map((name) => [name, body[name]])),
      prompt: body.prompt as string,
      model: model as ImageModel,
      aspectRatio: (body.aspectRatio as string | undefined) ?? spec.aspectRatios[0],
    },
  };
}

export function imageCredits(request: ImageRequest): number {
  return IMAGE_MODELS[request.model].creditsPerImage;
}

export function imageDimensions(request: ImageRequest): { width: number; height: number } {
  const [width, height] = IMAGE_DIMENSIONS[request.aspectRatio] ?? [0, 0];
  return { width, height };
}

/** The types `POST /v1/media/generateurl` signs an upload for. */
export const UPLOAD_CONTENT_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/webp'];

export interface UploadUrlRequest {
  readonly fileName: string;
  readonly contentType: string;
}

export type UploadUrlValidation =
  | { readonly ok: true; readonly request: UploadUrlRequest }
  | { readonly ok: false; readonly fields: FieldError[] };

export function validateUploadUrlRequest(body: unknown): UploadUrlValidation {
  if (!isRecord(body)) return { ok: false, fields: [{ name: 'body', errors: 'must be a JSON object' }] };
  const problems: [string, string | undefined][] = [
    ['fileName', fileNameProblem(body.fileName)],
    ['contentType', typeof body.contentType === 'string' && UPLOAD_CONTENT_TYPES.includes(body.contentType) ? undefined : `is required and must be one of ${UPLOAD_CONTENT_TYPES.join(', ')}`],
    ...unknownFields(body, ['fileName', 'contentType']),
  ];
  const fields = problems.flatMap(([name, errors]) => (errors === undefined ? [] : [{ name, errors }]));
  if (fields.length > 0) return { ok: false, fields };
  return { ok: true, request: { fileName: body.fileName as string, contentType: body.contentType as string } };
}

function fileNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'is required and must be a non-empty string';
  if (value.length > 255) return 'must be at most 255 characters';
  if (/[/\\\u0000-\u001f]/.test(value)) return 'must be a file name, without a folder or control characters';
  return undefined;
}

function unknownFields(body: Record<string, unknown>, known: readonly string[]): [string, string][] {
  return Object.keys(body)
    .filter((name) => !known.includes(name))
    .map((name) => [name, 'is not allowed']);
}

function isImageModel(value: unknown): value is ImageModel {
  return typeof value === 'string' && Object.hasOwn(IMAGE_MODELS, value);
}

function promptProblem(prompt: unknown): string | undefined {
  if (typeof prompt !== 'string') return 'is required and must be a string';
  if (prompt.length < 5 || prompt.length > 5000) return 'must be between 5 and 5000 characters';
  return undefined;
}

function oneOfProblem(value: unknown, allowed: readonly string[], where: string): string | undefined {
  if (value === undefined || (typeof value === 'string' && allowed.includes(value))) return undefined;
  return `must be one of ${allowed.join(', ')}${where}`;
}

/** An `https:` URL, or plain `http:` to this computer (the test servers). */
function referenceProblem(value: unknown, spec: ImageModelSpec | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (spec && !spec.takesReference) return 'is not supported by this model';
  if (typeof value !== 'string') return 'must be an https URI';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an https URI';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostname(url.hostname))) return undefined;
  return 'must be an https URI';
}

function isLoopbackHostname(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
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
