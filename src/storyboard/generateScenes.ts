import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { confirmRequest } from '../generate/picker';
import { confirmCreditsLeft } from '../generate/generateVideo';
import { submitAll } from '../generate/submission';
import { isFollowed, JobRecord, JobRequest } from '../jobs/jobRecord';
import { askModal, showError, showInfo } from '../notify';
import { endpointProblem } from '../pictory/http';
import { creditsLeft } from '../pictory/responses';
import { formatNumber } from '../studio/credits';
import { sceneCredits } from './checkStoryboard';
import { chainOf, SceneStatus, sceneRequest, scenesToSend } from './sceneClips';
import { StoryboardState } from './storyboards';
import { Scene } from './storyboardFormat';

/** What the storyboard commands need of the rest of the extension. */
export interface StoryboardRuntime {
  readonly app: PictoryApp;
  state(uri: string): Promise<StoryboardState | undefined>;
  /** The job records changed (a scene was sent): lenses and panels look again. */
  refresh(): void;
}

const SHOW_PROBLEMS = 'workbench.actions.view.problems';

function sceneName(scene: Scene): string {
  return scene.title ? vscode.l10n.t('Scene {0} ("{1}")', scene.index + 1, scene.title) : vscode.l10n.t('Scene {0}', scene.index + 1);
}

/** The storyboard a command is for: its URI from a lens or panel (a string), a menu (a `Uri`), or else the active editor. */
export function storyboardUriOf(argument: unknown): string | undefined {
  if (typeof argument === 'string') return argument;
  if (argument instanceof vscode.Uri) return argument.toString();
  return vscode.window.activeTextEditor?.document.uri.toString();
}

/** The storyboard, or a message saying why there is none to work on. */
export async function openStoryboard(runtime: StoryboardRuntime, uri: unknown): Promise<StoryboardState | undefined> {
  const target = storyboardUriOf(uri);
  const state = target ? await runtime.state(target) : undefined;
  if (!state) void showInfo(vscode.l10n.t('Open a storyboard first: a Markdown file whose front matter says "pictory: storyboard". Pictory: New Storyboard makes one.'));
  return state;
}

/** Problems Pictory would refuse the scenes for: shown, and nothing is sent. */
async function refuseProblems(state: StoryboardState, scenes: readonly Scene[]): Promise<boolean> {
  const lines = scenes.map((scene) => scene.range);
  const relevant = state.problems.filter((problem) => state.board.problems.includes(problem) || problem.range.start <= state.board.frontMatter.end || lines.some((range) => problem.range.start >= range.start && problem.range.end <= range.end));
  if (relevant.length === 0) return false;
  const show = vscode.l10n.t('Show Problems');
  const message =
    relevant.length === 1
      ? vscode.l10n.t('Nothing was sent: {0}', relevant[0].message)
      : vscode.l10n.t('Nothing was sent: the storyboard has {0} problems to fix first, such as: {1}', relevant.length, relevant[0].message);
  void showError(message, show).then((answer) => (answer === show ? vscode.commands.executeCommand(SHOW_PROBLEMS) : undefined));
  return true;
}

function sceneJob(state: StoryboardState, scene: Scene, previousLastFrame?: string): JobRequest {
  const webhook = readSettings().webhookUrl;
  const request = { ...sceneRequest(state.board, scene, previousLastFrame), ...(webhook ? { webhook } : {}) };
  return { kind: 'video', request, origin: { storyboard: state.uri, scene: scene.index } };
}

/** The key to send with, once the endpoint is known to be safe; undefined to stop. */
async function keyToSend(app: PictoryApp): Promise<string | undefined> {
  const problem = endpointProblem(readSettings().apiBaseUrl);
  if (problem) {
    void showError(problem);
    return undefined;
  }
  return app.keys.getOrAsk();
}

async function send(runtime: StoryboardRuntime, key: string, jobs: readonly JobRequest[]): Promise<JobRecord[]> {
  const records = await submitAll(runtime.app, readSettings().apiBaseUrl, key, jobs);
  runtime.refresh();
  return records;
}

/** The last frame the scene after `index` starts from, when continuity asks for one; a message when it is missing. */
function startingFrame(state: StoryboardState, index: number): { url?: string; missing?: string } {
  if (state.board.defaults.continuity !== 'lastFrame' || index === 0 || state.board.scenes[index].overrides.start) return {};
  const previous = state.statuses[index - 1];
  const url = previous.kind === 'ready' ? previous.record.video?.lastFrameImageUrl : undefined;
  if (url) return { url };
  return {
    missing: vscode.l10n.t(
      '{0} starts from the last frame of scene {1}, which has no current clip with a last frame. Generate all scenes, or scene {1} first.',
      sceneName(state.board.scenes[index]),
      index,
    ),
  };
}

/** "Generate scene" (and Regenerate, Retry): one scene, after its cost is shown. */
export async function generateScene(runtime: StoryboardRuntime, uri: unknown, index: unknown): Promise<void> {
  const state = await openStoryboard(runtime, uri);
  const scene = state && typeof index === 'number' ? state.board.scenes[index] : undefined;
  if (!state || !scene) return;
  if (await refuseProblems(state, [scene])) return;
  const status = state.statuses[scene.index];
  if (status.kind === 'generating') {
    void showInfo(vscode.l10n.t('{0} is being generated.', sceneName(scene)));
    return;
  }
  const start = startingFrame(state, scene.index);
  if (start.missing) {
    const generateAll = vscode.l10n.t('Generate All');
    if ((await showError(start.missing, generateAll)) === generateAll) await generateAllScenes(runtime, state.uri);
    return;
  }
  const job = sceneJob(state, scene, start.url);
  if (job.kind !== 'video') return;
  const placeholder = vscode.l10n.t('{0}: press Enter to send it, Escape to cancel', sceneName(scene));
  if (readSettings().confirmBeforeGenerating && !(await confirmRequest(job.request, 1, placeholder, vscode.l10n.t('Generate Scene')))) return;
  if (!(await confirmCreditsLeft(runtime.app, sceneCredits(state.board, scene) ?? 0, sceneName(scene)))) return;
  const key = await keyToSend(runtime.app);
  if (key) await send(runtime, key, [job]);
}

/** Asks once, with the count, the total and the credits left; true to go on. */
async function confirmAll(runtime: StoryboardRuntime, state: StoryboardState, scenes: readonly Scene[]): Promise<boolean> {
  await runtime.app.credits.refresh();
  const total = Math.round(scenes.reduce((sum, scene) => sum + (sceneCredits(state.board, scene) ?? 0), 0) * 100) / 100;
  const quota = runtime.app.credits.latest;
  const left = quota ? creditsLeft(quota) : undefined;
  const cost = vscode.l10n.t('Estimated cost: {0} credits.', formatNumber(total));
  const leftWords =
    left === undefined
      ? ''
      : left < total
        ? ' ' + vscode.l10n.t('Only {0} credits are left: this is more than your account has.', formatNumber(left))
        : ' ' + vscode.l10n.t('Credits left: {0}.', formatNumber(left));
  const order = state.board.defaults.continuity === 'lastFrame' ? ' ' + vscode.l10n.t('Each scene starts from the last frame of the one before, so they are made one after another.') : '';
  const label = scenes.length === 1 ? vscode.l10n.t('Generate 1 Scene') : vscode.l10n.t('Generate {0} Scenes', scenes.length);
  const question =
    scenes.length === 1
      ? vscode.l10n.t('Generate 1 scene of {0}?', fileName(state.path))
      : vscode.l10n.t('Generate {0} scenes of {1}?', scenes.length, fileName(state.path));
  return (await askModal(question, cost + leftWords + order, label)) === label;
}

function fileName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** "Generate all": confirms once, then sends every scene without a current clip. */
export async function generateAllScenes(runtime: StoryboardRuntime, uri: unknown): Promise<void> {
  const state = await openStoryboard(runtime, uri);
  if (!state) return;
  if (await refuseProblems(state, state.board.scenes)) return;
  const scenes = scenesToSend(state);
  if (scenes.length === 0) {
    const waiting = state.statuses.some((status) => status.kind === 'generating');
    void showInfo(waiting ? vscode.l10n.t('Every scene has a clip or is being generated.') : vscode.l10n.t('Every scene already has a current clip.'));
    return;
  }
  // The key first: the question shows the credits left, which only the account can tell.
  const key = await keyToSend(runtime.app);
  if (key && (await confirmAll(runtime, state, scenes))) await sendScenes(runtime, state, key, scenes);
}

/**
 * Sends the scenes the user agreed to pay for (`scenesToSend`): without continuity together,
 * a few at a time; with `lastFrame` one after another, waiting for scenes already on their way.
 */
export async function sendScenes(runtime: StoryboardRuntime, state: StoryboardState, key: string, scenes: readonly Scene[]): Promise<void> {
  const paidFor = new Set(scenes.map((scene) => scene.index));
  if (state.board.defaults.continuity === 'none') await sendTogether(runtime, state, key, [...paidFor]);
  else await sendInOrder(runtime, state.uri, key, chainOf(state), paidFor);
}

/** `continuity: none`: every scene at once, at most `pictory.storyboard.maxConcurrentScenes` on their way at a time. */
async function sendTogether(runtime: StoryboardRuntime, state: StoryboardState, key: string, indexes: readonly number[]): Promise<void> {
  const queue = [...indexes];
  const limit = readSettings().storyboardConcurrency;
  const worker = async (): Promise<void> => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const [record] = await send(runtime, key, [sceneJob(state, state.board.scenes[index])]);
      if (record) await waitForEnd(runtime.app, record.id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

/**
 * `continuity: lastFrame`: one scene after another, each from the last frame of the one
 * before. A scene that does not finish stops the chain, with Retry from that scene.
 */
async function sendInOrder(runtime: StoryboardRuntime, uri: string, key: string, indexes: readonly number[], paidFor: ReadonlySet<number>): Promise<void> {
  for (const index of indexes) {
    const state = await runtime.state(uri);
    const scene = state?.board.scenes[index];
    if (!state || !scene) return;
    const status = state.statuses[index];
    if (status.kind === 'ready') continue;
    // Only what the user agreed to pay for is sent, whatever changed meanwhile.
    if (status.kind !== 'generating' && !paidFor.has(index)) return stopChain(runtime, uri, scene, undefined, indexes.slice(indexes.indexOf(index) + 1));
    const record = status.kind === 'generating' ? status.record : await sendScene(runtime, state, key, scene);
    const ended = record && (await waitForEnd(runtime.app, record.id));
    runtime.refresh();
    if (ended?.state !== 'completed') return stopChain(runtime, uri, scene, ended, indexes.slice(indexes.indexOf(index) + 1));
  }
}

async function sendScene(runtime: StoryboardRuntime, state: StoryboardState, key: string, scene: Scene): Promise<JobRecord | undefined> {
  const start = startingFrame(state, scene.index);
  if (start.missing) {
    void showError(start.missing);
    return undefined;
  }
  const [record] = await send(runtime, key, [sceneJob(state, scene, start.url)]);
  return record;
}

function stopChain(runtime: StoryboardRuntime, uri: string, scene: Scene, ended: JobRecord | undefined, notSent: readonly number[]): void {
  const why = ended?.error?.message ?? (ended ? ended.state : vscode.l10n.t('it was not sent'));
  const numbers = notSent.map((index) => index + 1).join(', ');
  const rest = notSent.length === 0 ? '' : ' ' + (notSent.length === 1 ? vscode.l10n.t('Scene {0} was not sent.', numbers) : vscode.l10n.t('Scenes {0} were not sent.', numbers));
  const retry = vscode.l10n.t('Retry');
  void showError(vscode.l10n.t('{0} did not finish ({1}), so the storyboard stopped there.{2}', sceneName(scene), why, rest), retry).then((answer) =>
    answer === retry ? generateAllScenes(runtime, uri) : undefined,
  );
}

/** Resolves with the job's record once it is no longer on its way (or no longer on disk). */
export function waitForEnd(app: PictoryApp, id: string): Promise<JobRecord | undefined> {
  return new Promise((resolve) => {
    const ended = (record: JobRecord | undefined) => !record || (record.state !== 'submitting' && !isFollowed(record.state));
    let done = false;
    const finish = (record: JobRecord | undefined) => {
      if (done) return;
      done = true;
      subscription.dispose();
      clearInterval(timer);
      resolve(record);
    };
    const subscription = app.jobs.onDidChange((record) => {
      if (record.id === id && ended(record)) finish(record);
    });
    // Another window may be the one following the job: its record on disk says when it ends.
    const look = () => void app.jobs.get(id).then((record) => (ended(record) ? finish(record) : undefined), () => undefined);
    const timer = setInterval(look, 2000);
    look();
  });
}

export type { SceneStatus };
