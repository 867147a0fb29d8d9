// What chat agents may ask for, checked before anything is sent: the language model tools'
// input, their confirmation text, the budget, and the descriptions the model reads. No `vscode`.
import { ImageRequest, VideoRequest } from '../pictory/client';
import {
  checkImageChoice,
  checkSources,
  estimateCredits,
  findImageModel,
  findModel,
  IMAGE_MODELS,
  IMAGE_STYLES,
  roundCredits,
  VIDEO_MODELS,
} from '../pictory/catalog';
import { checkPrompt, PROMPT_MAX_CHARACTERS, PROMPT_MIN_CHARACTERS } from '../pictory/prompts';
import { formatMessage, Translate } from '../pictory/text';

export { TOOL_NAMES } from '../contributionIds';

/** The choice used for what the input leaves out: the user's default settings, else these. */
export const AGENT_VIDEO_FALLBACK = { model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s' } as const;
export const AGENT_IMAGE_FALLBACK = { model: 'flux-schnell', aspectRatio: '16:9' } as const;

export interface VideoDefaults {
  readonly model?: string;
  readonly aspectRatio?: string;
  readonly duration?: string;
}

/** A request ready to send, with its estimate; or what the model must change, in words it can act on. */
export type Checked<Request> = { readonly ok: true; readonly request: Request; readonly credits: number } | { readonly ok: false; readonly message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field's text; a blank one counts as left out. */
function optionalText(input: Record<string, unknown>, field: string): string | undefined | { error: string } {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return { error: `"${field}" must be a string.` };
  return value.trim() || undefined;
}

function list(values: readonly string[]): string {
  return values.length === 2 ? `${values[0]} and ${values[1]}` : values.join(', ');
}

function unknownFields(input: Record<string, unknown>, known: readonly string[]): string | undefined {
  const extra = Object.keys(input).filter((key) => !known.includes(key));
  return extra.length ? `Unknown input ${extra.map((key) => `"${key}"`).join(', ')}: use only ${known.join(', ')}.` : undefined;
}

/** What is wrong with the prompt as it would be sent (trimmed), if anything. */
function promptMessage(prompt: unknown): string | undefined {
  if (typeof prompt !== 'string') return '"prompt" is required: the video described in words.';
  const problem = checkPrompt(prompt.trim());
  if (problem?.kind === 'tooShort') return `The prompt is too short (${problem.length} characters); write at least ${PROMPT_MIN_CHARACTERS}.`;
  if (problem?.kind === 'tooLong') return `The prompt is too long (${problem.length} characters); Pictory takes at most ${PROMPT_MAX_CHARACTERS}.`;
  return undefined;
}

/** The model's own default for what the input leaves out, when the user's default does not fit it. */
function pick(given: string | undefined, preferred: string | undefined, supported: readonly string[]): string {
  return given ?? (preferred !== undefined && supported.includes(preferred) ? preferred : supported[0]);
}

/** Reads `pictory_generate_video`'s input: `{prompt, model?, aspectRatio?, duration?, firstFrameImageUrl?}`. */
export function checkVideoInput(input: unknown, defaults: VideoDefaults, apiBaseUrl: string): Checked<VideoRequest> {
  if (!isObject(input)) return { ok: false, message: 'The input must be an object with at least "prompt".' };
  const extra = unknownFields(input, ['prompt', 'model', 'aspectRatio', 'duration', 'firstFrameImageUrl']);
  if (extra) return { ok: false, message: extra };
  const prompt = promptMessage(input.prompt);
  if (prompt) return { ok: false, message: prompt };
  const fields = ['model', 'aspectRatio', 'duration', 'firstFrameImageUrl'].map((field) => optionalText(input, field));
  const wrong = fields.find((field): field is { error: string } => typeof field === 'object');
  if (wrong) return { ok: false, message: wrong.error };
  const [givenModel, givenRatio, givenDuration, firstFrameImageUrl] = fields as Array<string | undefined>;
  const modelId = givenModel ?? (defaults.model && findModel(defaults.model) ? defaults.model : AGENT_VIDEO_FALLBACK.model);
  const model = findModel(modelId);
  if (!model) return { ok: false, message: `Unknown model "${modelId}": use ${VIDEO_MODELS.map((known) => known.id).join(', ')}.` };
  const aspectRatio = pick(givenRatio, givenModel ? undefined : (defaults.aspectRatio ?? AGENT_VIDEO_FALLBACK.aspectRatio), model.aspectRatios);
  if (!model.aspectRatios.includes(aspectRatio)) return { ok: false, message: `${model.id} supports ${list(model.aspectRatios)}, not ${aspectRatio}.` };
  const duration = pick(givenDuration, givenModel ? undefined : (defaults.duration ?? AGENT_VIDEO_FALLBACK.duration), model.durations);
  if (!model.durations.includes(duration)) return { ok: false, message: `${model.id} makes ${list(model.durations)} videos, not ${duration}.` };
  if (firstFrameImageUrl !== undefined && checkSources({ firstFrameImageUrl }, apiBaseUrl)) {
    return { ok: false, message: '"firstFrameImageUrl" must be the https address of an image.' };
  }
  const request: VideoRequest = { prompt: (input.prompt as string).trim(), model: model.id, aspectRatio, duration, ...(firstFrameImageUrl && { firstFrameImageUrl }) };
  return { ok: true, request, credits: estimateCredits(model, duration) };
}

/** Reads `pictory_generate_image`'s input: `{prompt, model?, aspectRatio?, style?}`. */
export function checkImageInput(input: unknown): Checked<ImageRequest> {
  if (!isObject(input)) return { ok: false, message: 'The input must be an object with at least "prompt".' };
  const extra = unknownFields(input, ['prompt', 'model', 'aspectRatio', 'style']);
  if (extra) return { ok: false, message: extra };
  const prompt = promptMessage(input.prompt);
  if (prompt) return { ok: false, message: prompt };
  const fields = ['model', 'aspectRatio', 'style'].map((field) => optionalText(input, field));
  const wrong = fields.find((field): field is { error: string } => typeof field === 'object');
  if (wrong) return { ok: false, message: wrong.error };
  const [givenModel, givenRatio, style] = fields as Array<string | undefined>;
  const model = findImageModel(givenModel ?? AGENT_IMAGE_FALLBACK.model);
  if (!model) return { ok: false, message: `Unknown image model "${givenModel}": use ${IMAGE_MODELS.map((known) => known.id).join(', ')}.` };
  const aspectRatio = pick(givenRatio, givenModel ? undefined : AGENT_IMAGE_FALLBACK.aspectRatio, model.aspectRatios);
  const problem = checkImageChoice({ model: model.id, aspectRatio, style });
  if (problem?.kind === 'unsupportedAspectRatio') return { ok: false, message: `${model.id} supports ${list(model.aspectRatios)}, not ${aspectRatio}.` };
  if (problem?.kind === 'unknownStyle') return { ok: false, message: `Unknown style "${style}": use ${IMAGE_STYLES.join(', ')}, or none.` };
  const request: ImageRequest = { prompt: (input.prompt as string).trim(), model: model.id, aspectRatio, ...(style && { style }) };
  return { ok: true, request, credits: model.creditsPerImage };
}

/** What the model is told when a request costs more than the user allows agents to spend at once. */
export function overBudget(credits: number, budget: number): string | undefined {
  if (credits <= budget) return undefined;
  return `Not sent: this costs about ${roundCredits(credits)} AI credits, more than the ${budget} credits the user allows an agent to spend on one request (setting pictory.agent.maxCreditsPerRequest). Suggest a cheaper model or a shorter duration, or ask the user to raise the limit.`;
}

/** What a tool does with a call: tell the model why nothing is sent, or ask the person, naming the cost. */
export type Preparation<Request> =
  | { readonly send: false; readonly message: string }
  | { readonly send: true; readonly request: Request; readonly credits: number; readonly confirmation: { readonly title: string; readonly message: string } };

/**
 * Decides, without any side effect, what a generation tool does: a request that is invalid or
 * over `budget` is not sent (and nobody is asked); any other is sent only once a person has
 * seen the confirmation.
 */
export function prepareGeneration<Request>(
  checked: Checked<Request>,
  budget: number,
  confirmation: (request: Request, credits: number) => { title: string; message: string },
): Preparation<Request> {
  if (!checked.ok) return { send: false, message: checked.message };
  const over = overBudget(checked.credits, budget);
  if (over) return { send: false, message: over };
  return { send: true, request: checked.request, credits: checked.credits, confirmation: confirmation(checked.request, checked.credits) };
}

/** The confirmation a person sees before a tool sends anything: what, and what it costs. */
export function videoConfirmation(request: VideoRequest, credits: number, creditsLeft: number | undefined, t: Translate = formatMessage): { title: string; message: string } {
  const model = findModel(request.model);
  const start = request.firstFrameImageUrl ? t(' It starts from the image {0}.', request.firstFrameImageUrl) : '';
  return {
    title: t('Generate a video of {0} with Pictory?', request.duration),
    message:
      t('"{0}"\n\n{1} · {2} · {3}: about {4} AI credits.', request.prompt, model?.label ?? request.model, request.aspectRatio, request.duration, roundCredits(credits)) +
      start +
      leftWords(creditsLeft, t),
  };
}

export function imageConfirmation(request: ImageRequest, credits: number, creditsLeft: number | undefined, t: Translate = formatMessage): { title: string; message: string } {
  const model = findImageModel(request.model);
  const style = request.style ? ` · ${request.style}` : '';
  return {
    title: t('Generate an image with Pictory?'),
    message: t('"{0}"\n\n{1} · {2}{3}: about {4} AI credits.', request.prompt, model?.label ?? request.model, request.aspectRatio, style, roundCredits(credits)) + leftWords(creditsLeft, t),
  };
}

function leftWords(creditsLeft: number | undefined, t: Translate): string {
  return creditsLeft === undefined ? '' : ' ' + t('Credits left: {0}.', roundCredits(creditsLeft));
}

/** What `pictory_generate_video`'s description tells the model: each model's ratios, durations and price, and what makes a good prompt. */
export function videoToolDescription(): string {
  const models = VIDEO_MODELS.map(
    (model) => `${model.id} (${model.label}, ${model.resolution}): aspect ratios ${model.aspectRatios.join(', ')}; durations ${model.durations.join(', ')}; ${model.creditsPerSecond} credits per second`,
  ).join('. ');
  return [
    'Generates a short AI video clip with Pictory from a text prompt. The video costs the user AI credits, so the user confirms it first; it takes minutes, so the tool returns at once with the job id and the user is notified when the clip is ready (use pictory_get_job to check it).',
    `Models: ${models}. Without a model, the user's default (else pixverse5.5, 16:9, 5s) is used.`,
    'A good prompt describes one subject and one action, the camera (wide shot, close-up, slow push-in, tracking, aerial), the motion, the setting, the light and the mood, in one or two sentences; avoid several scenes in one prompt.',
    'firstFrameImageUrl: an https image the video starts from (to continue a clip, its lastFrameImageUrl).',
  ].join(' ');
}

export function imageToolDescription(): string {
  const models = IMAGE_MODELS.map((model) => `${model.id} (${model.label}): aspect ratios ${model.aspectRatios.join(', ')}; ${model.creditsPerImage} credits per image`).join('. ');
  return [
    'Generates an AI image with Pictory from a text prompt. It costs the user AI credits, so the user confirms it first; the tool returns at once with the job id and the user is notified when the image is ready.',
    `Models: ${models}. Without a model, flux-schnell at 16:9 is used. Styles: ${IMAGE_STYLES.join(', ')} (optional).`,
  ].join(' ');
}
