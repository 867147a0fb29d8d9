import * as vscode from 'vscode';
import { IMAGE_MODELS, IMAGE_STYLES, ImageChoice, ImageModel, roundCredits } from '../pictory/catalog';
import { BACK, formatCredits, Item, pickOne } from './picker';

type Step = 'model' | 'aspectRatio' | 'style';
const NO_STYLE = '';

/** "Seedream 3.0 · 16:9 · vintage · ≈ 2 credits" (each, and in all for several prompts). */
export function describeImageChoice(choice: ImageChoice, promptCount: number): string {
  const model = IMAGE_MODELS.find((candidate) => candidate.id === choice.model);
  const each = model?.creditsPerImage ?? 0;
  const cost = promptCount > 1
    ? vscode.l10n.t('≈ {0} each, {1} in all', formatCredits(each), formatCredits(roundCredits(each * promptCount)))
    : `≈ ${formatCredits(each)}`;
  return [model?.label ?? choice.model, choice.aspectRatio, choice.style, cost].filter(Boolean).join(' · ');
}

function modelItem(model: ImageModel, promptCount: number): Item<ImageModel> {
  const total = promptCount > 1 ? vscode.l10n.t(' each ({0} in all)', formatCredits(roundCredits(model.creditsPerImage * promptCount))) : '';
  return {
    value: model,
    label: model.label,
    description: `${model.id} · ≈ ${formatCredits(model.creditsPerImage)}${total}`,
    detail: model.takesReference
      ? vscode.l10n.t('aspect ratios {0} · takes a reference image', model.aspectRatios.join(', '))
      : vscode.l10n.t('aspect ratios {0}', model.aspectRatios.join(', ')),
  };
}

/**
 * Asks for the image model (with its credits per image), the aspect ratio (only the model's;
 * not asked when it has one) and an optional style ("None" first), with Back between steps.
 * `requireReference` offers only models that take a reference image. `undefined`: cancelled.
 */
export async function pickImageChoice(promptCount: number, options: { requireReference?: boolean } = {}): Promise<ImageChoice | undefined> {
  const title = vscode.l10n.t('Generate Image');
  const models = IMAGE_MODELS.filter((model) => !options.requireReference || model.takesReference);
  let model: ImageModel | undefined;
  let aspectRatio: string | undefined;
  let step: Step = 'model';
  for (;;) {
    const steps: Step[] = model && model.aspectRatios.length === 1 ? ['model', 'style'] : ['model', 'aspectRatio', 'style'];
    const position: { step: number; totalSteps: number } = { step: steps.indexOf(step) + 1, totalSteps: steps.length };
    if (step === 'model') {
      const picked: ImageModel | typeof BACK | undefined = await pickOne({ title, placeholder: vscode.l10n.t('Choose an image model'), items: models.map((m) => modelItem(m, promptCount)), ...position });
      if (picked === undefined || picked === BACK) return undefined;
      model = picked;
      aspectRatio = model.aspectRatios.length === 1 ? model.aspectRatios[0] : undefined;
      step = aspectRatio ? 'style' : 'aspectRatio';
      continue;
    }
    if (!model) return undefined;
    const chosen: ImageModel = model;
    if (step === 'aspectRatio') {
      const items: Item<string>[] = chosen.aspectRatios.map((ratio) => ({ value: ratio, label: ratio, description: chosen.label }));
      const picked: string | typeof BACK | undefined = await pickOne<string>({ title, placeholder: vscode.l10n.t('Choose an aspect ratio for {0}', chosen.label), items, ...position });
      if (picked === undefined) return undefined;
      if (picked === BACK) {
        step = 'model';
        continue;
      }
      aspectRatio = picked;
      step = 'style';
      continue;
    }
    const items: Item<string>[] = [
      { value: NO_STYLE, label: vscode.l10n.t('None'), description: vscode.l10n.t('as the prompt describes it') },
      ...IMAGE_STYLES.map((style) => ({ value: style, label: style })),
    ];
    const picked: string | typeof BACK | undefined = await pickOne<string>({ title, placeholder: vscode.l10n.t('Choose a style (optional)'), items, ...position });
    if (picked === undefined) return undefined;
    if (picked === BACK) {
      step = chosen.aspectRatios.length === 1 ? 'model' : 'aspectRatio';
      continue;
    }
    if (!aspectRatio) return undefined;
    return picked === NO_STYLE ? { model: chosen.id, aspectRatio } : { model: chosen.id, aspectRatio, style: picked };
  }
}
