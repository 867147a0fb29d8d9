import { safeMediaUrl } from './urls';

/** Pictory's scene transitions for its storyboard render. */
export const SCENE_TRANSITIONS = ['none', 'wipeup', 'wipedown', 'wipeleft', 'wiperight', 'smoothleft', 'smoothright', 'radial', 'circlecrop', 'hblur', 'fade'] as const;

export type SceneTransition = (typeof SCENE_TRANSITIONS)[number];

export function isSceneTransition(value: string): value is SceneTransition {
  return (SCENE_TRANSITIONS as readonly string[]).includes(value);
}

/** A visual-only scene of a render: one clip played whole, with its sound. */
export interface RenderScene {
  readonly background: {
    readonly visualUrl: string;
    readonly type: 'video';
    readonly settings: { readonly mute: false; readonly loop: false };
  };
  readonly minimumDuration: number;
  readonly sceneTransition?: SceneTransition;
}

/**
 * The body of `POST /v2/video/storyboard/render` that joins clips into one film: one
 * visual-only scene per clip, no voice-over, no music.
 */
export interface RenderRequest {
  readonly videoName: string;
  readonly aspectRatio: string;
  readonly voiceOver: { readonly enabled: false };
  readonly backgroundMusic: { readonly enabled: false };
  readonly scenes: readonly RenderScene[];
}

export interface FilmClip {
  readonly url: string;
  /** The clip's length, which its scene lasts. */
  readonly seconds: number;
}

export interface FilmSpec {
  readonly videoName: string;
  readonly aspectRatio: string;
  readonly clips: readonly FilmClip[];
  /** Into every scene after the first. */
  readonly transition?: SceneTransition;
}

/** The render request that plays `clips` back to back. */
export function buildRenderRequest(film: FilmSpec): RenderRequest {
  return {
    videoName: film.videoName,
    aspectRatio: film.aspectRatio,
    voiceOver: { enabled: false },
    backgroundMusic: { enabled: false },
    scenes: film.clips.map((clip, index) => ({
      background: { visualUrl: clip.url, type: 'video', settings: { mute: false, loop: false } },
      minimumDuration: clip.seconds,
      ...(index > 0 && film.transition && film.transition !== 'none' && { sceneTransition: film.transition }),
    })),
  };
}

/** Total length of the film, in seconds. */
export function filmSeconds(request: RenderRequest): number {
  return Math.round(request.scenes.reduce((sum, scene) => sum + scene.minimumDuration, 0) * 100) / 100;
}

/** What is wrong with a render request before it is sent, field by field (empty when nothing). */
export function renderRequestProblems(request: RenderRequest, apiBaseUrl: string): { name: string; reason: string }[] {
  const problems: { name: string; reason: string }[] = [];
  if (!request.videoName.trim()) problems.push({ name: 'videoName', reason: 'is empty' });
  if (request.scenes.length === 0) problems.push({ name: 'scenes', reason: 'has no clip' });
  request.scenes.forEach((scene, index) => {
    if (!safeMediaUrl(scene.background.visualUrl, apiBaseUrl)) problems.push({ name: `scenes[${index}].background.visualUrl`, reason: 'is not an https address' });
    if (!(scene.minimumDuration > 0)) problems.push({ name: `scenes[${index}].minimumDuration`, reason: 'must be more than 0 seconds' });
  });
  return problems;
}

/** Whether a stored value has the shape of a render request (records are checked like answers). */
export function isRenderRequest(value: unknown): value is RenderRequest {
  if (!isObject(value) || typeof value.videoName !== 'string' || typeof value.aspectRatio !== 'string' || !Array.isArray(value.scenes)) return false;
  return value.scenes.every(
    (scene) => isObject(scene) && typeof scene.minimumDuration === 'number' && isObject(scene.background) && typeof scene.background.visualUrl === 'string',
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
