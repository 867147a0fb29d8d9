// The request rules of `POST /v2/video/storyboard/render`, written independently of src/ so
// that the test server checks the extension against the documented contract rather than
// against itself. Unlike the real API, which may drop what it does not know, every unknown
// field is refused, at any depth, so that a typo fails a test.
import { isRecord, type FieldError } from './videoContract';

export const RENDER_ASPECT_RATIOS: readonly string[] = ['16:9', '9:16', '1:1', '4:5', '4:3', '3:4'];

export const SCENE_TRANSITIONS: readonly string[] = [
  'none',
  'wipeup',
  'wipedown',
  'wipeleft',
  'wiperight',
  'smoothleft',
  'smoothright',
  'radial',
  'circlecrop',
  'hblur',
  'fade',
];

export const BACKGROUND_TYPES: readonly string[] = ['video', 'image'];

const MAX_VIDEO_NAME = 200;
const MAX_SCENES = 100;
const MAX_SCENE_SECONDS = 600;

/** `voiceOver` and `backgroundMusic`. */
export interface RenderSwitch {
  readonly enabled: boolean;
}

export interface RenderBackgroundSettings {
  readonly mute?: boolean;
  readonly loop?: boolean;
}

export interface RenderBackground {
  readonly visualUrl: string;
  readonly type: 'video' | 'image';
  readonly settings?: RenderBackgroundSettings;
}

export interface RenderScene {
  readonly background: RenderBackground;
  /** Seconds. */
  readonly minimumDuration: number;
  readonly sceneTransition?: string;
}

export interface RenderRequest {
  readonly videoName: string;
  readonly aspectRatio?: string;
  readonly voiceOver?: RenderSwitch;
  readonly backgroundMusic?: RenderSwitch;
  readonly scenes: readonly RenderScene[];
}

export type RenderRequestValidation =
  | { readonly ok: true; readonly request: RenderRequest }
  | { readonly ok: false; readonly fields: FieldError[] };

const RENDER_FIELDS = ['videoName', 'aspectRatio', 'voiceOver', 'backgroundMusic', 'scenes'];
const SWITCH_FIELDS = ['enabled'];
const SCENE_FIELDS = ['background', 'minimumDuration', 'sceneTransition'];
const BACKGROUND_FIELDS = ['visualUrl', 'type', 'settings'];
const SETTINGS_FIELDS = ['mute', 'loop'];

type Problem = [string, string | undefined];

export function validateRenderRequest(body: unknown): RenderRequestValidation {
  if (!isRecord(body)) return { ok: false, fields: [{ name: 'body', errors: 'must be a JSON object' }] };
  const scenes = body.scenes;
  const problems: Problem[] = [
    ['videoName', videoNameProblem(body.videoName)],
    ['aspectRatio', oneOfProblem(body.aspectRatio, RENDER_ASPECT_RATIOS)],
    ...switchProblems('voiceOver', body.voiceOver),
    ...switchProblems('backgroundMusic', body.backgroundMusic),
    ['scenes', scenesProblem(scenes)],
    ...(Array.isArray(scenes) ? scenes.flatMap((scene: unknown, index) => sceneProblems(`scenes[${index}]`, scene)) : []),
    ...unknownFields('', body, RENDER_FIELDS),
  ];
  const fields = problems.flatMap(([name, errors]) => (errors === undefined ? [] : [{ name, errors }]));
  if (fields.length > 0) return { ok: false, fields };
  return { ok: true, request: normalise(body) };
}

/** The film's length: its scenes' minimum durations, end to end. */
export function renderDuration(request: RenderRequest): number {
  return request.scenes.reduce((sum, scene) => sum + scene.minimumDuration, 0);
}

/** Keeps what was sent and nothing else (the body has been validated). */
function normalise(body: Record<string, unknown>): RenderRequest {
  const optional = ['aspectRatio', 'voiceOver', 'backgroundMusic'].filter((name) => body[name] !== undefined);
  return {
    ...Object.fromEntries(optional.map((name) => [name, body[name]])),
    videoName: body.videoName as string,
    scenes: (body.scenes as Record<string, unknown>[]).map(normaliseScene),
  };
}

function normaliseScene(scene: Record<string, unknown>): RenderScene {
  const background = scene.background as Record<string, unknown>;
  const settings = background.settings as Record<string, unknown> | undefined;
  return {
    background: {
      visualUrl: background.visualUrl as string,
      type: background.type as 'video' | 'image',
      ...(settings !== undefined && { settings: pick(settings, SETTINGS_FIELDS) as RenderBackgroundSettings }),
    },
    minimumDuration: scene.minimumDuration as number,
    ...(scene.sceneTransition !== undefined && { sceneTransition: scene.sceneTransition as string }),
  };
}

function pick(record: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => record[name] !== undefined).map((name) => [name, record[name]]));
}

function videoNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'is required and must be a non-empty string';
  if (value.length > MAX_VIDEO_NAME) return `must be at most ${MAX_VIDEO_NAME} characters`;
  return undefined;
}

/** An optional `{ "enabled": boolean }`, and nothing else in it. */
function switchProblems(name: string, value: unknown): Problem[] {
  if (value === undefined) return [];
  if (!isRecord(value)) return [[name, 'must be an object']];
  return [
    [`${name}.enabled`, typeof value.enabled === 'boolean' ? undefined : 'is required and must be a boolean'],
    ...unknownFields(name, value, SWITCH_FIELDS),
  ];
}

function scenesProblem(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_SCENES) return `is required and must be an array of 1 to ${MAX_SCENES} scenes`;
  return undefined;
}

function sceneProblems(path: string, scene: unknown): Problem[] {
  if (!isRecord(scene)) return [[path, 'must be an object']];
  return [
    ...backgroundProblems(`${path}.background`, scene.background),
    [`${path}.minimumDuration`, durationProblem(scene.minimumDuration)],
    [`${path}.sceneTransition`, oneOfProblem(scene.sceneTransition, SCENE_TRANSITIONS)],
    ...unknownFields(path, scene, SCENE_FIELDS),
  ];
}

function backgroundProblems(path: string, background: unknown): Problem[] {
  if (!isRecord(background)) return [[path, 'is required and must be an object']];
  return [
    [`${path}.visualUrl`, isHttpUri(background.visualUrl) ? undefined : 'is required and must be an http(s) URI'],
    [`${path}.type`, typeof background.type === 'string' && BACKGROUND_TYPES.includes(background.type) ? undefined : `is required and must be one of ${BACKGROUND_TYPES.join(', ')}`],
    ...settingsProblems(`${path}.settings`, background.settings),
    ...unknownFields(path, background, BACKGROUND_FIELDS),
  ];
}

/** Optional, and so is each of its two flags; a flag that is given must be a boolean. */
function settingsProblems(path: string, settings: unknown): Problem[] {
  if (settings === undefined) return [];
  if (!isRecord(settings)) return [[path, 'must be an object']];
  return [
    ...SETTINGS_FIELDS.map((name): Problem => [`${path}.${name}`, settings[name] === undefined || typeof settings[name] === 'boolean' ? undefined : 'must be a boolean']),
    ...unknownFields(path, settings, SETTINGS_FIELDS),
  ];
}

function durationProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_SCENE_SECONDS) return undefined;
  return `is required and must be a number of seconds greater than 0 and at most ${MAX_SCENE_SECONDS}`;
}

function oneOfProblem(value: unknown, allowed: readonly string[]): string | undefined {
  if (value === undefined || (typeof value === 'string' && allowed.includes(value))) return undefined;
  return `must be one of ${allowed.join(', ')}`;
}

/** `path.key` (or `key` at the top) for every key not in `known`. */
function unknownFields(path: string, record: Record<string, unknown>, known: readonly string[]): [string, string][] {
  return Object.keys(record)
    .filter((name) => !known.includes(name))
    .map((name) => [path === '' ? name : `${path}.${name}`, 'is not allowed']);
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
