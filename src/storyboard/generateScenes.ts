import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { confirmRequest } from '../generate/picker';
import { confirmCreditsLeft } from '../generate/generateVideo';
import { submitAll, withoutPromptsInFlight } from '../generate/submission';
import { isFollowed, JobRecord, JobRequest } from '../jobs/jobRecord';
import { askModal, showError, showInfo } from '../notify';
import { endpointProblem } from '../pictory/http';
import { creditsLeft } from '../pictory/responses';
import { formatNumber } from '../studio/credits';
import { sceneCredits } from './checkStoryboard';
import { chainOf, needsClip, SceneStatus, sceneRequest, scenesToSend } from './sceneClips';
import { stateWords } from '../jobStates';
import { StoryboardState } from './storyboards';
import { Scene } from './storyboardFormat';

/** What the storyboard commands need of the rest of the extension. */
export interface StoryboardRuntime {
  readonly app: PictoryApp;
  state(uri: string): Promise<StoryboardState | undefined>;
  /** The job records changed (a scene was sent): lenses and panels look again. */
  refresh(): void;
  /** Storyboards (their URIs) whose "Generate all" is at work, and scenes (`<uri>#<index>`) being sent. */
  readonly runs: Set<string>;
  /** Aborted when the window closes: runs stop waiting (their jobs are followed by the job manager). */
  readonly closing: AbortSignal;
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
export async function refuseProblems(state: StoryboardState, scenes: readonly Scene[]): Promise<boolean> {
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
  const fresh = new Set(withoutPromptsInFlight(runtime.app, jobs.map((job) => job.request.prompt)));
  const records = await submitAll(runtime.app, readSettings().apiBaseUrl, key, jobs.filter((job) => fresh.has(job.request.prompt)));
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
  const sceneKey = `${state.uri}#${scene.index}`;
  // While Generate all works on the storyboard it sends every scene in turn; and a scene is sent once at a time.
  if (runtime.runs.has(state.uri) || runtime.runs.has(sceneKey)) {
    void showInfo(
      runtime.runs.has(state.uri)
        ? vscode.l10n.t('Generate all is at work on {0}: {1} is sent in turn.', fileName(state.path), sceneName(scene))
        : vscode.l10n.t('{0} is being sent.', sceneName(scene)),
    );
    return;
  }
  runtime.runs.add(sceneKey);
  try {
    await generateOneScene(runtime, state, scene);
  } finally {
    runtime.runs.delete(sceneKey);
  }
}

async function generateOneScene(runtime: StoryboardRuntime, state: StoryboardState, scene: Scene): Promise<void> {
  if (await refuseProblems(state, [scene])) return;
  const status = state.statuses[scene.index];
  if (status.kind === 'generating') {
    void showInfo(vscode.l10n.t('{0} is being generated.', sceneName(scene)));
    return;
  }
  if (status.kind === 'unfinished') {
    const again = vscode.l10n.t('Regenerate Anyway');
    const message = vscode.l10n.t('Pictory may still finish the last clip of {0}: Check Again costs nothing.', sceneName(scene));
    if ((await askModal(message, vscode.l10n.t('A new clip is paid for again.'), again)) !== again) return;
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

export function fileName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** "Generate all": confirms once, then sends every scene without a current clip. */
export async function generateAllScenes(runtime: StoryboardRuntime, uri: unknown): Promise<void> {
  const state = await openStoryboard(runtime, uri);
  if (!state) return;
  // A second run would send the scenes the first one is about to send.
  if (runtime.runs.has(state.uri)) {
    void showInfo(vscode.l10n.t('Generate all is already at work on {0}: each scene is sent once, in turn.', fileName(state.path)));
    return;
  }
  runtime.runs.add(state.uri);
  try {
    await generateAll(runtime, state);
  } finally {
    runtime.runs.delete(state.uri);
  }
}

async function generateAll(runtime: StoryboardRuntime, state: StoryboardState): Promise<void> {
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

/** What the user agreed to pay for, per scene: its request without the start frame a chain fills in. */
function sceneTerms(state: StoryboardState, scene: Scene): string {
  const { prompt, model, aspectRatio, duration } = sceneRequest(state.board, scene);
  return JSON.stringify([prompt, model, aspectRatio, duration, scene.overrides.start ?? '']);
}

/**
 * Sends the scenes the user agreed to pay for (`scenesToSend`), each only while it still asks
 * for what was agreed: without continuity together, a few at a time; with `lastFrame` one
 * after another, waiting for scenes already on their way.
 */
export async function sendScenes(runtime: StoryboardRuntime, state: StoryboardState, key: string, scenes: readonly Scene[]): Promise<void> {
  const agreed = new Map(scenes.map((scene) => [scene.index, sceneTerms(state, scene)]));
  if (state.board.defaults.continuity === 'none') await sendTogether(runtime, state.uri, key, agreed);
  else await sendInOrder(runtime, state.uri, key, chainOf(state), agreed);
}

/** The scene as it is now, if it may still be sent as agreed; else why not (shown once). */
async function sceneToSend(runtime: StoryboardRuntime, uri: string, index: number, agreed: ReadonlyMap<number, string>): Promise<{ state: StoryboardState; scene: Scene } | { stop: string } | undefined> {
  const state = await runtime.state(uri);
  const scene = state?.board.scenes[index];
  if (!state || !scene) return { stop: vscode.l10n.t('the storyboard changed') };
  if (!needsClip(state.statuses[index])) return undefined;
  if (agreed.get(index) !== sceneTerms(state, scene)) return { stop: vscode.l10n.t('{0} changed after you confirmed', sceneName(scene)) };
  if (state.problems.some((problem) => problem.range.start >= scene.range.start && problem.range.end <= scene.range.end)) {
    return { stop: vscode.l10n.t('{0} has problems to fix', sceneName(scene)) };
  }
  return { state, scene };
}

/** `continuity: none`: every scene, at most `pictory.storyboard.maxConcurrentScenes` of them on their way at a time. */
async function sendTogether(runtime: StoryboardRuntime, uri: string, key: string, agreed: ReadonlyMap<number, string>): Promise<void> {
  const queue = [...agreed.keys()];
  const stopped: string[] = [];
  const worker = async (): Promise<void> => {
    for (let index = queue.shift(); index !== undefined && !runtime.closing.aborted; index = queue.shift()) {
      const next = await sceneToSend(runtime, uri, index, agreed);
      if (!next) continue;
      if ('stop' in next) {
        stopped.push(next.stop);
        continue;
      }
      const [record] = await send(runtime, key, [sceneJob(next.state, next.scene)]);
      if (record) await waitForEnd(runtime.app, record.id, runtime.closing);
    }
  };
  await Promise.all(Array.from({ length: Math.min(readSettings().storyboardConcurrency, queue.length) }, worker));
  runtime.refresh();
  if (stopped.length > 0) void showError(vscode.l10n.t('Not sent, to spend nothing you did not agree to: {0}. Run Generate all again to see the new cost.', stopped.join('; ')));
}

/**
 * `continuity: lastFrame`: one scene after another, each from the last frame of the one
 * before. A scene that does not finish stops the chain, with Retry from that scene.
 */
async function sendInOrder(runtime: StoryboardRuntime, uri: string, key: string, indexes: readonly number[], agreed: ReadonlyMap<number, string>): Promise<void> {
  for (const [position, index] of indexes.entries()) {
    if (runtime.closing.aborted) return;
    const rest = indexes.slice(position + 1);
    const state = await runtime.state(uri);
    const status = state?.statuses[index];
    let record: JobRecord | undefined;
    if (status?.kind === 'ready') continue;
    if (status?.kind === 'generating') record = status.record;
    else {
      const next = await sceneToSend(runtime, uri, index, agreed);
      if (!next) continue;
      if ('stop' in next) return stopChain(runtime, uri, index, next.stop, rest);
      const start = startingFrame(next.state, index);
      if (start.missing) return stopChain(runtime, uri, index, start.missing, rest);
      [record] = await send(runtime, key, [sceneJob(next.state, next.scene, start.url)]);
      if (!record) return stopChain(runtime, uri, index, vscode.l10n.t('it was not sent'), rest);
    }
    const ended = await waitForEnd(runtime.app, record.id, runtime.closing);
    runtime.refresh();
    if (ended === 'closed') return;
    if (ended === 'missing') return stopChain(runtime, uri, index, vscode.l10n.t('its job was removed from this machine'), rest);
    if (ended.state !== 'completed') return stopChain(runtime, uri, index, ended.error?.message ?? stateWords(ended.state), rest);
  }
}

function stopChain(runtime: StoryboardRuntime, uri: string, index: number, why: string, notSent: readonly number[]): void {
  const numbers = notSent.map((scene) => scene + 1).join(', ');
  const rest = notSent.length === 0 ? '' : ' ' + (notSent.length === 1 ? vscode.l10n.t('Scene {0} was not sent.', numbers) : vscode.l10n.t('Scenes {0} were not sent.', numbers));
  const retry = vscode.l10n.t('Retry');
  void runtime.state(uri).then((state) => {
    const scene = state?.board.scenes[index];
    const name = scene ? sceneName(scene) : vscode.l10n.t('Scene {0}', index + 1);
    return showError(vscode.l10n.t('{0} did not finish ({1}), so the storyboard stopped there.{2}', name, why, rest), retry);
  }).then((answer) => (answer === retry ? generateAllScenes(runtime, uri) : undefined));
}

/**
 * The job's record once it is no longer on its way; `missing` when it is no longer on disk,
 * `closed` when the window closes first.
 */
export function waitForEnd(app: PictoryApp, id: string, closing: AbortSignal): Promise<JobRecord | 'missing' | 'closed'> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (result: JobRecord | 'missing' | 'closed') => {
      if (done) return;
      done = true;
      subscription.dispose();
      clearInterval(timer);
      closing.removeEventListener('abort', onClose);
      resolve(result);
    };
    const onClose = () => finish('closed');
    const ended = (record: JobRecord) => record.state !== 'submitting' && !isFollowed(record.state);
    const subscription = app.jobs.onDidChange((record) => {
      if (record.id === id && ended(record)) finish(record);
    });
    // Another window may be the one following the job: its record on disk says when it ends.
    const look = () =>
      void app.jobs.get(id).then(
        (record) => (!record ? finish('missing') : ended(record) ? finish(record) : undefined),
        () => undefined,
      );
    const timer = setInterval(look, 2000);
    closing.addEventListener('abort', onClose);
    if (closing.aborted) onClose();
    else look();
  });
}

export type { SceneStatus };
