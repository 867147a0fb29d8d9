import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { showError } from '../notify';
import { findImageModel, roundCredits } from '../pictory/catalog';
import { describeError, PictoryApiError } from '../pictory/errors';
import { endpointProblem } from '../pictory/http';
import { askPrompt, collectPrompts, confirmBatch, confirmCreditsLeft, promptProblemMessage } from './generateVideo';
import { describeImageChoice, pickImageChoice } from './imagePicker';
import { submitAll, withoutPromptsInFlight } from './submission';

/** An image started elsewhere (from another one, `referenceImageUrl`, or a chat's prompt), with its prompt asked. */
export interface ImageStart {
  readonly title: string;
  /** An image the new one is made from, when there is one. */
  readonly referenceImageUrl?: string;
  /** The prompt to start the input box with (the reference image's own). */
  readonly prompt?: string;
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
  const choice = await pickImageChoice(prompts.length, { requireReference: !!start?.referenceImageUrl });
  if (!choice) return;
  const count = prompts.length;
  const description = describeImageChoice(choice, count);
  if (count > 1 && !(await confirmBatch(vscode.l10n.t('Generate {0} images, one for each selection?', count), description, vscode.l10n.t('Generate {0} Images', count)))) return;
  const estimate = roundCredits((findImageModel(choice.model)?.creditsPerImage ?? 0) * count);
  if (!(await confirmCreditsLeft(app, estimate, description))) return;
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
  const reference = start?.referenceImageUrl ? { referenceImageUrl: start.referenceImageUrl } : {};
  const requests = prompts.map((prompt) => ({ prompt, ...choice, ...reference, ...(webhook ? { webhook } : {}) }));
  await submitAll(app, settings.apiBaseUrl, key, requests.map((request) => ({ kind: 'image', request })));
}
