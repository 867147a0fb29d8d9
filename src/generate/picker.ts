import * as vscode from 'vscode';
import { estimateCredits, findModel, VideoChoice, VideoModel, VIDEO_MODELS } from './pictory/catalog';

interface Item<T> extends vscode.QuickPickItem {
  readonly value: T;
}

type Step = 'model' | 'aspectRatio' | 'duration';
const STEPS: readonly Step[] = ['model', 'aspectRatio', 'duration'];
const BACK = Symbol('back');

export function formatCredits(credits: number): string {
  return vscode.l10n.t('{0} credits', Number(credits.toFixed(2)).toString());
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

function pickOne<T>(title: string, placeholder: string, items: Item<T>[], canGoBack: boolean): Promise<T | typeof BACK | undefined> {
  const pick = vscode.window.createQuickPick<Item<T>>();
  pick.title = title;
  pick.placeholder = placeholder;
  pick.items = items;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.ignoreFocusOut = false;
  if (canGoBack) pick.buttons = [vscode.QuickInputButtons.Back];
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

/**
 * Asks for model, aspect ratio and duration in three quick picks ("Step n/3", with Back),
 * skipping any step a valid default answers. `undefined` means the user cancelled.
 */
export async function pickVideoChoice(defaults: Partial<VideoChoice>, promptCount: number): Promise<VideoChoice | undefined> {
  const answers: { model?: VideoModel; aspectRatio?: string; duration?: string } = {
    model: defaults.model ? findModel(defaults.model) : undefined,
    aspectRatio: defaults.aspectRatio,
    duration: defaults.duration,
  };
  const asked = STEPS.filter((step) => answers[step] === undefined);
  const title = (step: Step) =>
    vscode.l10n.t('Generate Video (Step {0}/{1})', STEPS.indexOf(step) + 1, STEPS.length);
  for (let index = 0; index < asked.length; ) {
    const step = asked[index];
    const answer = await askStep(step, answers.model, title(step), index > 0, promptCount);
    if (answer === undefined) return undefined;
    if (answer === BACK) {
      index--;
      answers[asked[index]] = undefined;
      continue;
    }
    if (step === 'model') answers.model = answer as VideoModel;
    else answers[step] = answer as string;
    index++;
  }
  const { model, aspectRatio, duration } = answers;
  if (!model || !aspectRatio || !duration) return undefined;
  return { model: model.id, aspectRatio, duration };
}

function askStep(step: Step, model: VideoModel | undefined, title: string, canGoBack: boolean, promptCount: number) {
  if (step === 'model' || !model) {
    return pickOne(title, vscode.l10n.t('Choose a model'), VIDEO_MODELS.map(modelItem), canGoBack);
  }
  if (step === 'aspectRatio') {
    const items = model.aspectRatios.map((ratio) => ({ value: ratio, label: ratio, description: model.label }));
    return pickOne(title, vscode.l10n.t('Choose an aspect ratio for {0}', model.label), items, canGoBack);
  }
  const items = model.durations.map((duration) => {
    const credits = estimateCredits(model, duration);
    const total = promptCount > 1 ? vscode.l10n.t(' each ({0} in all)', formatCredits(credits * promptCount)) : '';
    return { value: duration, label: duration, description: `≈ ${formatCredits(credits)}${total}` };
  });
  return pickOne(title, vscode.l10n.t('Choose a duration for {0}', model.label), items, canGoBack);
}
