import { FILM_MODEL, FilmRequest } from '../jobs/jobRecord';
import { buildRenderRequest, filmSeconds, FilmClip, isSceneTransition } from '../pictory/render';
import { clipSeconds, SceneStatus } from './sceneClips';
import { Storyboard } from './storyboardFormat';

/** The film to render from a storyboard whose every scene has a current clip; else the scenes that have none. */
export type FilmPlan = { readonly kind: 'film'; readonly request: FilmRequest } | { readonly kind: 'missing'; readonly scenes: readonly number[] };

/** `lantern` for `/stories/lantern.md`: the film is named after its file. */
export function filmName(storyboardPath: string): string {
  const base = storyboardPath.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(md|markdown)$/i, '') || 'storyboard';
}

/** The render of the scenes' current clips, in order, with the front matter's transition. */
export function planFilm(board: Storyboard, statuses: readonly SceneStatus[], name: string): FilmPlan {
  const clips: FilmClip[] = [];
  const missing: number[] = [];
  statuses.forEach((status, index) => {
    const seconds = status.kind === 'ready' ? clipSeconds(status.record) : undefined;
    if (status.kind !== 'ready' || !status.record.video || seconds === undefined) missing.push(index);
    else clips.push({ url: status.record.video.url, seconds });
  });
  if (missing.length > 0 || clips.length === 0) return { kind: 'missing', scenes: missing };
  const { transition, aspectRatio = '' } = board.defaults;
  const render = buildRenderRequest({ videoName: name, aspectRatio, clips, transition: transition && isSceneTransition(transition) ? transition : undefined });
  return { kind: 'film', request: { prompt: name, model: FILM_MODEL, aspectRatio, duration: `${filmSeconds(render)}s`, render } };
}
