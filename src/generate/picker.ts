import * as vscode from 'vscode';
import { estimateCredits, findModel, VideoChoice, VideoModel, VIDEO_MODELS } from '../pictory/catalog';

export interface Item<T> extends vscode.QuickPickItem {
  readonly value: T;
}

type Step = 'model' | 'aspectRatio' | 'duration';
const STEPS: readonly Step[] = ['model', 'aspectRatio', 'duration'];
export const BACK = Symbol('back');

export function formatCredits(credits: number): string {
  return vscode.l10n.t('{0} credits', Number(credits.toFixed(2)).toString());
}

/** "Veo 3.1 Fast · 16:9 · 4s · ≈ 40 credits" (each, and in all for several prompts). */
export function describeChoice(choice: VideoChoice, promptCount: number): string {
  const model = findModel(choice.model);
  const each = model ? estimateCredits(model, choice.duration) : 0;
  const cost = promptCount > 1
    ? vscode.l10n.t('≈ {0} each, {1} in all', formatCredits(each), formatCredits(each * promptCount))
    : `≈ ${formatCredits(each)}`;
  return `${model?.label ?? choice.model} · ${choice.aspectRatio} · ${choice.duration} · ${cost}`;
}

function modelItem(model: VideoModel): Item<VideoModel> {
  return {
    value: model,
    label: model.label,
    description: model.id,
    detail: vscode.l10n.t(
      '{0} · aspect ratios {1} · durations {2} · {3} credits per second',
      model.resolution,
      model.aspectRatios.join(', '),
      model.durations.join(', '),
      model.creditsPerSecond,
    ),
  };
}

export interface PickPage<T> {
  readonly title: string;
  readonly placeholder: string;
  readonly items: Item<T>[];
  /** Omitted for a single question, which has no step count. */
  readonly step?: number;
  readonly totalSteps?: number;
}

export function pickOne<T>(page: PickPage<T>): Promise<T | typeof BACK | undefined> {
  const pick = vscode.window.createQuickPick<Item<T>>();
  pick.title = page.title;
  pick.step = page.step;
  pick.totalSteps = page.totalSteps;
  pick.placeholder = page.placeholder;
  pick.items = page.items;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  // Like the prompt and key boxes: clicking into the editor to reread the text loses nothing.
  pick.ignoreFocusOut = true;
  if ((page.step ?? 1) > 1) pick.buttons = [vscode.QuickInputButtons.Back];
  return new Promise((resolve) => {
    const disposables: vscode.Disposable[] = [];
    const finish = (value: T | typeof BACK | undefined) => {
      disposables.forEach((d) => d.dispose());
      pick.dispose();
      resolve(value);
    };
    pick.onDidAccept(() => pick.selectedItems[0] && finish(pick.selectedItems[0].value), undefined, disposables);
    pick.onDidTriggerButton((button) => button === vscode.QuickInputButtons.Back && finish(BACK), undefined, disposables);
    pick.onDidHide(() => finish(undefined), undefined, disposables);
    pick.show();
  });
}

interface Answers {
  model?: VideoModel;
  aspectRatio?: string;
  duration?: string;
}

/** A default is used only when it is valid for the model: otherwise its step asks. */
function presetAnswer(step: Step, answers: Answers, defaults: Partial<VideoChoice>): VideoModel | string | undefined {
  if (step === 'model') return defaults.model ? findModel(defaults.model) : undefined;
  const value = step === 'aspectRatio' ? defaults.aspectRatio : defaults.duration;
  const supported = step === 'aspectRatio' ? answers.model?.aspectRatios : answers.model?.durations;
  return value !== undefined && supported?.includes(value) ? value : undefined;
}

/** Steps still to ask, given what is known now (a default is valid only for its model). */
function stepsToAsk(answers: Answers, defaults: Partial<VideoChoice>): Step[] {
  return STEPS.filter((step) => {
    if (step === 'model') return !defaults.model;
    const value = step === 'aspectRatio' ? defaults.aspectRatio : defaults.duration;
    return value === undefined || (answers.model !== undefined && presetAnswer(step, answers, defaults) === undefined);
  });
}

export interface PickedChoice {
  readonly choice: VideoChoice;
  /** True when settings answered every step, so the user has not seen the request yet. */
  readonly allPreset: boolean;
}

/**
 * Asks for model, aspect ratio and duration in quick picks (with step counts and Back),
 * skipping any step a default answers validly. A default the chosen model does not support
 * makes its step ask, saying so. `undefined` means the user cancelled.
 */
export async function pickVideoChoice(defaults: Partial<VideoChoice>, promptCount: number): Promise<PickedChoice | undefined> {
  const answers: Answers = {};
  const asked: Step[] = [];
  for (let index = 0; index < STEPS.length; ) {
    const step = STEPS[index];
    const preset = presetAnswer(step, answers, defaults);
    if (preset !== undefined) {
      setAnswer(answers, step, preset);
      index++;
      continue;
    }
    const position = asked.length + 1;
    const total = asked.length + stepsToAsk(answers, defaults).filter((s) => STEPS.indexOf(s) >= index).length;
    const answer = await askStep(step, answers.model, defaults, { step: position, totalSteps: Math.max(total, position) }, promptCount);
    if (answer === undefined) return undefined;
    if (answer === BACK) {
      const previous = asked.pop();
      if (previous === undefined) return undefined;
      // Going back also forgets what was preset after the step asked again.
      for (const later of STEPS.slice(STEPS.indexOf(previous))) setAnswer(answers, later, undefined);
      index = STEPS.indexOf(previous);
      continue;
    }
    setAnswer(answers, step, answer);
    asked.push(step);
    index++;
  }
  const { model, aspectRatio, duration } = answers;
  if (!model || !aspectRatio || !duration) return undefined;
  return { choice: { model: model.id, aspectRatio, duration }, allPreset: asked.length === 0 };
}

function setAnswer(answers: Answers, step: Step, value: VideoModel | string | undefined): void {
  if (step === 'model') answers.model = value as VideoModel | undefined;
  else answers[step] = value as string | undefined;
}

function askStep(
  step: Step,
  model: VideoModel | undefined,
  defaults: Partial<VideoChoice>,
  position: { step: number; totalSteps: number },
  promptCount: number,
): Promise<VideoModel | string | typeof BACK | undefined> {
  const title = vscode.l10n.t('Generate Video');
  if (step === 'model' || !model) {
    return pickOne({ title, placeholder: vscode.l10n.t('Choose a model'), items: VIDEO_MODELS.map(modelItem), ...position });
  }
  if (step === 'aspectRatio') {
    const items = model.aspectRatios.map((ratio) => ({ value: ratio, label: ratio, description: model.label }));
    const placeholder = defaults.aspectRatio
      ? vscode.l10n.t('Your default aspect ratio {0} is not available with {1}: choose one', defaults.aspectRatio, model.label)
      : vscode.l10n.t('Choose an aspect ratio for {0}', model.label);
    return pickOne({ title, placeholder, items, ...position });
  }
  const items = model.durations.map((duration) => {
    const credits = estimateCredits(model, duration);
    const total = promptCount > 1 ? vscode.l10n.t(' each ({0} in all)', formatCredits(credits * promptCount)) : '';
    return { value: duration, label: duration, description: `≈ ${formatCredits(credits)}${total}` };
  });
  const placeholder = defaults.duration
    ? vscode.l10n.t('Your default duration {0} is not available with {1}: choose one', defaults.duration, model.label)
    : vscode.l10n.t('Choose a duration for {0}', model.label);
  return pickOne({ title, placeholder, items, ...position });
}

/**
 * Shows a request nobody picked (every choice came from settings) with its cost, and sends
 * it only on Enter: nothing is spent without the user seeing what and how much.
 */
export function confirmPresetChoice(choice: VideoChoice, promptCount: number): Promise<boolean> {
  return confirmRequest(choice, promptCount, vscode.l10n.t('Press Enter to send, Escape to cancel ("pictory.confirmBeforeGenerating" turns this off)'));
}

/** The request and its cost in one row; true only when the user accepts it with Enter. */
export function confirmRequest(choice: VideoChoice, promptCount: number, placeholder: string, title = vscode.l10n.t('Generate Video')): Promise<boolean> {
  return confirmDescribed(describeChoice(choice, promptCount), placeholder, title);
}

/** A request described in one row (what and how much); true only when accepted with Enter. */
export async function confirmDescribed(description: string, placeholder: string, title: string): Promise<boolean> {
  const send = Symbol('send');
  const answer = await pickOne<typeof send>({
    title,
    placeholder,
    items: [{ value: send, label: vscode.l10n.t('$(play) Generate'), description }],
  });
  return answer === send;
}
