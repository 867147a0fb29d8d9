import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { generateVideo } from '../generate/generateVideo';
import { confirmDescribed, confirmRequest } from '../generate/picker';
import { showInfo } from '../notify';
import { submit } from '../generate/submission';
import { FilmRequest, isFilmJob, isImageJob, JobRecord, jobRequestOf } from '../jobs/jobRecord';
import { generateImage } from '../generate/generateImage';
import { safeMediaUrl } from '../pictory/urls';
import { describeImageChoice } from '../generate/imagePicker';
import { shortenPrompt } from '../pictory/prompts';
import { StudioNode } from './clipsTree';
import { saveToWorkspace } from './saveToWorkspace';
import { copyUrl, downloadClips, insertLink as insertLinkInto, openInBrowser as openClipInBrowser } from './clipActions';

const PICTORY_APP_URL = 'https://app.pictory.ai';

/** The jobs a tree command acts on: the selection when the clicked row is part of it, else the clicked row. */
function jobsOf(clicked: unknown, selected: unknown): JobRecord[] {
  const nodes = (Array.isArray(selected) && selected.length > 0 ? selected : [clicked]) as Array<StudioNode | undefined>;
  return nodes.filter((node): node is Extract<StudioNode, { kind: 'job' }> => node?.kind === 'job').map((node) => node.record);
}

function firstJob(clicked: unknown): JobRecord | undefined {
  return jobsOf(clicked, undefined)[0];
}

export async function openPreview(app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  if (record?.video) app.previews.show(record);
}

export async function checkAgain(app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  if (record) await app.jobs.checkAgain(record.id);
}

export async function stopWaiting(app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  if (record) await app.jobs.cancel(record.id);
}

/** The same request again, after showing it and its cost. */
export async function regenerate(app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  if (!record) return;
  const placeholder = vscode.l10n.t('"{0}": press Enter to send it again, Escape to cancel', shortenPrompt(record.request.prompt));
  const accepted = isImageJob(record)
    ? await confirmDescribed(describeImageChoice(record.request, 1), placeholder, vscode.l10n.t('Regenerate'))
    : isFilmJob(record)
      ? await confirmDescribed(describeFilm(record.request), placeholder, vscode.l10n.t('Render Again'))
      : await confirmRequest(record.request, 1, placeholder, vscode.l10n.t('Regenerate'));
  if (accepted) await submit(app, jobRequestOf(record));
}

/** "3 clips · 18s · 16:9 · counted in video minutes": what rendering a film again sends and uses. */
function describeFilm(film: FilmRequest): string {
  return vscode.l10n.t('{0} clips · {1} · {2} · counted in video minutes, not AI credits', film.render.scenes.length, film.duration, film.aspectRatio);
}

/** A video that starts from this image (its first frame), the image's prompt offered to edit. */
export async function animateImage(app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  const url = record && isImageJob(record) ? safeMediaUrl(record.video?.url, record.endpoint) : undefined;
  if (!record || !url) {
    void showInfo(vscode.l10n.t('Only a finished image can be animated.'));
    return;
  }
  await generateVideo(app, { title: vscode.l10n.t('Animate'), prompt: record.request.prompt, sources: { firstFrameImageUrl: url } });
}

/** A new image made from this one (`referenceImageUrl`), with a model that takes a reference. */
export async function useImageAsReference(app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  const url = record && isImageJob(record) ? safeMediaUrl(record.video?.url, record.endpoint) : undefined;
  if (!url) {
    void showInfo(vscode.l10n.t('Only a finished image can be used as a reference.'));
    return;
  }
  await generateImage(app, { title: vscode.l10n.t('Use as Reference'), referenceImageUrl: url, prompt: record?.request.prompt });
}

export async function editPromptAndGenerate(app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  if (record) await generateVideo(app, { title: vscode.l10n.t('Edit Prompt and Generate'), prompt: record.request.prompt });
}

/** A new clip that starts where this one ends (its last frame is the new first frame). */
export async function continueFromLastFrame(app: PictoryApp, clicked: unknown): Promise<void> {
  const firstFrameImageUrl = firstJob(clicked)?.video?.lastFrameImageUrl;
  if (!firstFrameImageUrl) {
    void showInfo(vscode.l10n.t('Pictory gave no last frame for this clip.'));
    return;
  }
  await generateVideo(app, { title: vscode.l10n.t('Continue from Last Frame'), sources: { firstFrameImageUrl } });
}

/** The same clip, made longer by Pictory from its end. */
export async function extendVideo(app: PictoryApp, clicked: unknown): Promise<void> {
  const extendVideoUrl = firstJob(clicked)?.video?.url;
  if (extendVideoUrl) await generateVideo(app, { title: vscode.l10n.t('Extend Video'), sources: { extendVideoUrl } });
}

export async function copyVideoUrl(_app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  if (record) await copyUrl(record);
}

export async function openInBrowser(_app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  if (record) await openClipInBrowser(record);
}

export async function insertLink(app: PictoryApp, clicked: unknown): Promise<void> {
  const record = firstJob(clicked);
  if (record) await insertLinkInto(record, app.trackEditors());
}

/** Downloads the selected finished clips (from their local copies when there are some). */
export async function download(app: PictoryApp, clicked: unknown, selected: unknown): Promise<void> {
  await downloadClips(jobsOf(clicked, selected), {
    loadFetch: app.loadFetch,
    localCopy: (record) => app.copies.find(record.id),
    log: (message) => app.logger.info(message),
  });
}

export async function openPictory(): Promise<void> {
  await vscode.env.openExternal(vscode.Uri.parse(PICTORY_APP_URL));
}

/** Forgets jobs and their local copies on this machine (never a running one); Pictory keeps its videos. */
export async function removeJobs(app: PictoryApp, clicked: unknown, selected: unknown): Promise<void> {
  const records = jobsOf(clicked, selected).filter((record) => record.state !== 'running' && record.state !== 'maybeCreated');
  for (const record of records) {
    app.previews.close(record.id);
    await app.jobs.forget(record.id);
    await app.copies.remove(record.id);
  }
  app.studio?.refresh();
}

/** Saves the selected finished clips, each with a `.json` of its details, into the workspace folder chosen for them. */
export async function saveClipsToWorkspace(app: PictoryApp, clicked: unknown, selected: unknown): Promise<void> {
  await saveToWorkspace(
    { loadFetch: app.loadFetch, workspaceState: app.context.workspaceState, log: (message) => app.logger.info(message) },
    jobsOf(clicked, selected),
  );
}
