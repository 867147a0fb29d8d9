import * as vscode from 'vscode';
import { readSettings } from '../config';
import { submitAll } from '../generate/submission';
import { FilmRequest, isFollowed } from '../jobs/jobRecord';
import { askModal, showError, showInfo } from '../notify';
import { endpointProblem } from '../pictory/http';
import { formatNumber } from '../studio/credits';
import { filmName, planFilm } from './film';
import { fileName, generateAllScenes, openStoryboard, refuseProblems, StoryboardRuntime } from './generateScenes';
import { filmsOf } from './sceneClips';
import { StoryboardState } from './storyboards';

/** "Render film": Pictory joins the scenes' current clips into one video, after the user agrees. */
export async function renderFilm(runtime: StoryboardRuntime, uri: unknown): Promise<void> {
  const state = await openStoryboard(runtime, uri);
  if (!state) return;
  if (await refuseProblems(state, state.board.scenes)) return;
  const rendering = filmsOf(await runtime.app.jobs.list(), state.uri).find((film) => film.state === 'submitting' || isFollowed(film.state));
  if (rendering) {
    void showInfo(vscode.l10n.t('A film of {0} is being rendered: it opens when ready.', fileName(state.path)));
    return;
  }
  const plan = planFilm(state.board, state.statuses, filmName(state.path));
  if (plan.kind === 'missing') return offerToGenerate(runtime, state, plan.scenes);
  if (!(await confirmRender(runtime, plan.request))) return;
  const endpoint = readSettings().apiBaseUrl;
  const problem = endpointProblem(endpoint);
  if (problem) {
    void showError(problem);
    return;
  }
  const key = await runtime.app.keys.getOrAsk();
  if (!key) return;
  await submitAll(runtime.app, endpoint, key, [{ kind: 'film', request: plan.request, origin: { storyboard: state.uri } }]);
  runtime.refresh();
}

async function offerToGenerate(runtime: StoryboardRuntime, state: StoryboardState, scenes: readonly number[]): Promise<void> {
  const generate = vscode.l10n.t('Generate All');
  const which = scenes.length === 0 ? vscode.l10n.t('The storyboard has no scenes yet.') : vscode.l10n.t('Scenes {0} have no current clip.', scenes.map((index) => index + 1).join(', '));
  const answer = await showInfo(vscode.l10n.t('{0} A film is rendered from a current clip of every scene.', which), generate);
  if (answer === generate) await generateAllScenes(runtime, state.uri);
}

async function confirmRender(runtime: StoryboardRuntime, film: FilmRequest): Promise<boolean> {
  const render = vscode.l10n.t('Render Film');
  await runtime.app.credits.refresh();
  const minutes = runtime.app.credits.latest?.videoMinutes;
  const detail = [
    vscode.l10n.t('{0} clips, {1} in all, {2}, with their own sound; no voice-over or music.', film.render.scenes.length, film.duration, film.aspectRatio),
    vscode.l10n.t('Pictory counts renders in your video minutes, not in AI credits.') +
      (minutes ? ' ' + vscode.l10n.t('{0} of {1} video minutes used.', formatNumber(minutes.used), formatNumber(minutes.limit)) : ''),
  ].join(' ');
  return (await askModal(vscode.l10n.t('Render "{0}" as one film?', film.prompt), detail, render)) === render;
}
