import { isFilmJob, isFollowed, isVideoJob, JobRecord, requestedDuration, RESUMABLE_STATES, VideoJobRecord } from '../jobs/jobRecord';
import { VideoRequest } from '../pictory/client';
import { readSeconds } from '../pictory/catalog';
import { sceneChoice } from './checkStoryboard';
import { Scene, Storyboard } from './storyboardFormat';

/** Why a scene's clip no longer matches the scene. */
export type OutdatedReason = 'text' | 'settings' | 'previousScene';

/** Where a scene stands, from its newest clip. */
export type SceneStatus =
  | { readonly kind: 'none' }
  | { readonly kind: 'generating'; readonly record: VideoJobRecord; readonly previous?: VideoJobRecord }
  | { readonly kind: 'ready'; readonly record: VideoJobRecord }
  | { readonly kind: 'outdated'; readonly record: VideoJobRecord; readonly reason: OutdatedReason }
  /** The newest attempt failed; `previous` is the newest finished clip, if any. */
  | { readonly kind: 'failed'; readonly record: VideoJobRecord; readonly previous?: VideoJobRecord }
  /** Waiting for the newest attempt stopped (timed out, stopped, lost answer): Pictory may still make it. */
  | { readonly kind: 'unfinished'; readonly record: VideoJobRecord; readonly previous?: VideoJobRecord };

/**
 * The request a scene sends: its prompt and settings, and the image it starts from (its own
 * `start`, or with `continuity: lastFrame` the previous scene's last frame).
 */
export function sceneRequest(board: Storyboard, scene: Scene, previousLastFrame?: string): VideoRequest {
  const choice = sceneChoice(board, scene);
  const firstFrameImageUrl = choice.start ?? (board.defaults.continuity === 'lastFrame' && scene.index > 0 ? previousLastFrame : undefined);
  return {
    prompt: scene.prompt,
    model: choice.model ?? '',
    aspectRatio: choice.aspectRatio ?? '',
    duration: choice.duration ?? '',
    ...(firstFrameImageUrl && { firstFrameImageUrl }),
  };
}

/** The clips (video jobs) made for `storyboard`'s scenes, newest first, by scene. */
export function clipsByScene(records: readonly JobRecord[], storyboard: string): Map<number, VideoJobRecord[]> {
  const byScene = new Map<number, VideoJobRecord[]>();
  const mine = records.filter((record): record is VideoJobRecord => isVideoJob(record) && record.origin?.storyboard === storyboard && record.origin.scene !== undefined);
  for (const record of [...mine].sort((a, b) => b.submittedAt - a.submittedAt)) {
    const scene = record.origin?.scene ?? 0;
    byScene.set(scene, [...(byScene.get(scene) ?? []), record]);
  }
  return byScene;
}

/** The films rendered from `storyboard`, newest first. */
export function filmsOf(records: readonly JobRecord[], storyboard: string): JobRecord[] {
  return records.filter((record) => isFilmJob(record) && record.origin?.storyboard === storyboard).sort((a, b) => b.submittedAt - a.submittedAt);
}

/** What of a finished clip no longer matches the scene, if anything. */
function outdatedReason(board: Storyboard, scene: Scene, record: VideoJobRecord, previousReady: VideoJobRecord | undefined): OutdatedReason | undefined {
  const wanted = sceneRequest(board, scene);
  if (record.request.prompt !== wanted.prompt) return 'text';
  const { model, aspectRatio, duration } = record.request;
  if (model !== wanted.model || aspectRatio !== wanted.aspectRatio || duration !== wanted.duration) return 'settings';
  const start = sceneChoice(board, scene).start;
  if (start !== undefined) return record.request.firstFrameImageUrl === start ? undefined : 'settings';
  if (board.defaults.continuity !== 'lastFrame' || scene.index === 0) return record.request.firstFrameImageUrl ? 'settings' : undefined;
  // The scene before was made again: this one no longer starts where it ends.
  if (previousReady?.video?.lastFrameImageUrl && record.request.firstFrameImageUrl !== previousReady.video.lastFrameImageUrl) return 'previousScene';
  return undefined;
}

/** Every scene's status, in order (a scene's continuity depends on the one before). */
export function sceneStatuses(board: Storyboard, records: readonly JobRecord[], storyboard: string): SceneStatus[] {
  const byScene = clipsByScene(records, storyboard);
  const statuses: SceneStatus[] = [];
  let previousReady: VideoJobRecord | undefined;
  for (const scene of board.scenes) {
    const status = statusOf(board, scene, byScene.get(scene.index) ?? [], previousReady);
    statuses.push(status);
    previousReady = status.kind === 'ready' ? status.record : undefined;
  }
  return statuses;
}

function statusOf(board: Storyboard, scene: Scene, clips: readonly VideoJobRecord[], previousReady: VideoJobRecord | undefined): SceneStatus {
  const [newest] = clips;
  if (!newest) return { kind: 'none' };
  const finished = clips.find((record) => record.state === 'completed' && record.video);
  if (newest.state === 'submitting' || isFollowed(newest.state)) return { kind: 'generating', record: newest, previous: finished };
  if (RESUMABLE_STATES.includes(newest.state)) return { kind: 'unfinished', record: newest, previous: finished };
  if (newest !== finished) return { kind: 'failed', record: newest, previous: finished };
  const reason = outdatedReason(board, scene, newest, previousReady);
  return reason ? { kind: 'outdated', record: newest, reason } : { kind: 'ready', record: newest };
}

/**
 * Whether "Generate all" sends this scene: it has no clip that matches it, and none on the
 * way (a job it stopped waiting for may still finish: it is checked again, not paid for again).
 */
export function needsClip(status: SceneStatus): boolean {
  return status.kind === 'none' || status.kind === 'failed' || status.kind === 'outdated';
}

/** The clip to play for a scene: its current one, else its newest finished one. */
export function playableClip(status: SceneStatus): VideoJobRecord | undefined {
  switch (status.kind) {
    case 'ready':
    case 'outdated':
      return status.record;
    case 'generating':
    case 'failed':
    case 'unfinished':
      return status.previous;
    case 'none':
      return undefined;
  }
}

/** A clip's length in seconds: what Pictory reported, else what was asked for. */
export function clipSeconds(record: JobRecord): number | undefined {
  return readSeconds(record.video?.duration ?? requestedDuration(record));
}

/**
 * The scenes "Generate all" pays for: those without a current clip, and with `lastFrame`
 * continuity every scene after the first of them too (each starts where the one before ends),
 * except scenes already being generated.
 */
export function scenesToSend(state: { readonly board: Storyboard; readonly statuses: readonly SceneStatus[] }): Scene[] {
  const { board, statuses } = state;
  if (board.defaults.continuity === 'none') return board.scenes.filter((scene) => needsClip(statuses[scene.index]));
  const first = statuses.findIndex(needsClip);
  return first < 0 ? [] : board.scenes.slice(first).filter((scene) => statuses[scene.index].kind !== 'generating');
}

/** The scenes a `lastFrame` chain goes through: from the first being generated or to send, to the end. */
export function chainOf(state: { readonly board: Storyboard; readonly statuses: readonly SceneStatus[] }): number[] {
  const first = state.statuses.findIndex((status) => needsClip(status) || status.kind === 'generating');
  return first < 0 ? [] : state.board.scenes.slice(first).map((scene) => scene.index);
}
