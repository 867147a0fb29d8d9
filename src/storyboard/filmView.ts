import * as vscode from 'vscode';
import { LocalCopy } from '../jobs/localCopies';
import { safeMediaUrl } from '../pictory/urls';
import { clipSeconds, playableClip } from './sceneClips';
import { statusWords, StoryboardState } from './storyboards';
import { FilmScene, FilmView } from './storyboardProtocol';
import { filmName } from './film';

/** What the storyboard panel shows of a storyboard: each scene with the clip it plays. */
export function filmView(state: StoryboardState, localCopy: (jobId: string) => LocalCopy | undefined, toWebview: (file: string) => string): FilmView {
  const scenes = state.board.scenes.map((scene): FilmScene => {
    const status = state.statuses[scene.index];
    const record = playableClip(status);
    const copy = record && localCopy(record.id);
    const src = copy?.video ? toWebview(copy.video) : safeMediaUrl(record?.video?.url, record?.endpoint ?? '');
    const poster = copy?.thumbnail ? toWebview(copy.thumbnail) : safeMediaUrl(record?.video?.thumbnailImageUrl, record?.endpoint ?? '');
    return {
      index: scene.index,
      title: scene.title ?? vscode.l10n.t('Scene {0}', scene.index + 1),
      prompt: scene.prompt,
      status: status.kind === 'unfinished' ? 'failed' : status.kind,
      statusText: statusWords(status),
      ...(record && src && { clip: { jobId: record.id, src, ...(poster && { poster }), ...withSeconds(clipSeconds(record)) } }),
    };
  });
  return { title: filmName(state.path), aspectRatio: state.board.defaults.aspectRatio ?? '', scenes };
}

function withSeconds(seconds: number | undefined): { seconds?: number } {
  return seconds === undefined ? {} : { seconds };
}
