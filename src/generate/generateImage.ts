import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { askModal, showError } from '../notify';
import { findImageModel, ImageChoice, roundCredits } from '../pictory/catalog';
import { describeError, PictoryApiError } from '../pictory/errors';
import { endpointProblem } from '../pictory/http';
import { formatNumber, shortfall } from '../studio/credits';
import { askPrompt, collectPrompts, promptProblemMessage } from './generateVideo';
import { describeImageChoice, pickImageChoice } from './imagePicker';
import { confirmDescribed } from './picker';
import { submitAll, withoutPromptsInFlight } from './submission';

/** An image made from another one (`referenceImageUrl`), with a new prompt asked. */
export interface ImageStart {
  readonly title: string;
  readonly referenceImageUrl: string;
  /** The prompt to start the input box with (the reference image's own). */
  readonly prompt?: string;
}

/** Several prompts are confirmed once, with what they cost in all. */
async function confirmImages(count: number, choice: ImageChoice): Promise<boolean> {
  if (count < 2) return true;
  const generate = vscode.l10n.t('Generate {0} Images', count);
  const answer = await askModal(
    vscode.l10n.t('Generate {0} images, one for each selection?', count),
    vscode.l10n.t('Estimated cost: {0}.', describeImageChoice(choice, count)),
    generate,
  );
  return answer === generate;
}

/** When the credits left (as last read) do not cover the estimate, says so with the numbers and asks. */
function confirmCreditsLeft(app: PictoryApp, choice: ImageChoice, count: number): Promise<boolean> {
  const estimate = roundCredits((findImageModel(choice.model)?.creditsPerImage ?? 0) * count);
  const left = shortfall(app.credits.latest, estimate);
  if (left === undefined) return Promise.resolve(true);
  return confirmDescribed(
    describeImageChoice(choice, count),
    vscode.l10n.t('This costs about {0} credits, but only {1} are left. Press Enter to send anyway, Escape to cancel.', formatNumber(estimate), formatNumber(left)),
    vscode.l10n.t('Not Enough Credits Left'),
  );
}

/** The whole "Pictory: Generate Image" flow: prompts, picks (each with its cost), key, submission. */
export async function generateImage(app: PictoryApp, start?: ImageStart): Promise<void> {
  app.trackEditors();
  const title = start?.title ?? vscode.l10n.t('Generate Image');
  const collected = start ? await askPrompt(title, start.prompt) : await collectPrompts(title);
  if (!collected || collected.length === 0) return;
  const refused = collected.map(promptProblemMessage).find((message) => message !== undefined);
  if (refused) {
    void showError(refused + (collected.length > 1 ? vscode.l10n.t(' Nothing was sent.') : ''));
    return;
  }
  let prompts = withoutPromptsInFlight(app, collected);
  if (prompts.length === 0) return;
  const choice = await pickImageChoice(prompts.length, { requireReference: !!start });
  if (!choice || !(await confirmImages(prompts.length, choice))) return;
  if (!(await confirmCreditsLeft(app, choice, prompts.length))) return;
  const settings = readSettings();
  const endpointIssue = endpointProblem(settings.apiBaseUrl);
  if (endpointIssue) {
    void showError(describeError(new PictoryApiError('insecureEndpoint', { cause: endpointIssue }), vscode.l10n.t));
    return;
  }
  const key = await app.keys.getOrAsk();
  if (!key) return;
  prompts = withoutPromptsInFlight(app, prompts);
  const webhook = settings.webhookUrl;
  const reference = start ? { referenceImageUrl: start.referenceImageUrl } : {};
  const requests = prompts.map((prompt) => ({ prompt, ...choice, ...reference, ...(webhook ? { webhook } : {}) }));
  await submitAll(app, settings.apiBaseUrl, key, requests.map((request) => ({ kind: 'image', request })));
}
