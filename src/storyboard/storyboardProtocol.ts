/** Messages between the storyboard panel's page (media/storyboard.js) and the extension. */
import { isLoopbackHost } from '../pictory/http';

export type SceneStatusKind = 'none' | 'generating' | 'ready' | 'outdated' | 'failed';

export interface FilmClip {
  readonly jobId: string;
  /** A webview URI of the local copy, or Pictory's own address. */
  readonly src: string;
  readonly poster?: string;
  readonly seconds?: number;
}

export interface FilmScene {
  /** 0-based. */
  readonly index: number;
  /** The scene's heading, or "Scene 2". */
  readonly title: string;
  readonly prompt: string;
  readonly status: SceneStatusKind;
  /** Already translated: "✓ 8 s · 12.8 credits", "generating 0:42", "outdated: the text changed". */
  readonly statusText: string;
  /** The clip the film plays for this scene, if it has one. */
  readonly clip?: FilmClip;
}

export interface FilmView {
  readonly title: string;
  /** `16:9`, `9:16`…; may be empty (the player is then 16:9). */
  readonly aspectRatio: string;
  readonly scenes: readonly FilmScene[];
}

/** What the page's buttons ask the extension to do. */
export type StoryboardAction = 'regenerate' | 'generateAll' | 'renderFilm';

/** Every string the page shows, translated by the extension. `{0}`, `{1}` are filled in by the page. */
export const FILM_LABELS = [
  'playFilm',
  'pause',
  'generateAll',
  'renderFilm',
  /** A scene's button when it has a clip, and the same with the scene's name (`{0}`) for screen readers. */
  'regenerate',
  'regenerateScene',
  /** A scene's button when it has no clip yet. */
  'generate',
  'generateScene',
  /** `Scene {0}`: a scene without a heading. */
  'scene',
  /** `Scene {0} · {1}`: number and title. */
  'sceneOf',
  'playFromScene',
  'nowPlaying',
  'noClip',
  'noClips',
  'noScenes',
  'scenes',
  'unmute',
  'cannotPlay',
] as const;

export type FilmLabel = (typeof FILM_LABELS)[number];
export type FilmLabels = Readonly<Record<FilmLabel, string>>;

/** Extension → page. */
export type StoryboardExtensionMessage =
  /** The page saves `storyboardUri` (`vscode.setState`) so that the panel comes back after a reload. */
  | { readonly type: 'film'; readonly storyboardUri: string; readonly film: FilmView; readonly labels: FilmLabels }
  /** Play the film from scene `from` (sent after the `film` message). */
  | { readonly type: 'play'; readonly from: number };

/** Page → extension. */
export type StoryboardPageMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'regenerate'; readonly scene: number }
  | { readonly type: 'generateAll' }
  | { readonly type: 'renderFilm' }
  /** A scene's clip started playing. */
  | { readonly type: 'playing'; readonly scene: number }
  /** The last clip ended. */
  | { readonly type: 'ended' };

function isSceneIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Messages from the page are checked like any outside input; only the known fields are kept. */
export function readPageMessage(value: unknown): StoryboardPageMessage | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
    case 'generateAll':
    case 'renderFilm':
    case 'ended':
      return { type: message.type };
    case 'regenerate':
    case 'playing':
      return isSceneIndex(message.scene) ? { type: message.type, scene: message.scene } : undefined;
    default:
      return undefined;
  }
}

/** A film as the page may load it, and the web origins its Content Security Policy must allow. */
export interface LoadableFilm {
  readonly film: FilmView;
  readonly imageOrigins: readonly string[];
  readonly mediaOrigins: readonly string[];
}

/** The origin of a web address the page may load (`https:`, or `http:` on this computer for a test server). */
function webOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url.origin;
  return undefined;
}

/**
 * Keeps the clip addresses that are files of this machine (`isLocal`: made by `asWebviewUri`)
 * or web addresses, and lists the web ones' origins. A clip with any other address is dropped:
 * the page could not play it anyway.
 */
export function loadableFilm(film: FilmView, isLocal: (url: string) => boolean): LoadableFilm {
  const imageOrigins = new Set<string>();
  const mediaOrigins = new Set<string>();
  const usable = (url: string, origins: Set<string>): boolean => {
    if (isLocal(url)) return true;
    const origin = webOrigin(url);
    if (origin) origins.add(origin);
    return !!origin;
  };
  const scenes = film.scenes.map((scene): FilmScene => {
    const { clip, ...rest } = scene;
    if (!clip || !usable(clip.src, mediaOrigins)) return rest;
    const { poster, ...clipRest } = clip;
    return { ...rest, clip: poster && usable(poster, imageOrigins) ? clip : clipRest };
  });
  return { film: { ...film, scenes }, imageOrigins: [...imageOrigins].sort(), mediaOrigins: [...mediaOrigins].sort() };
}
