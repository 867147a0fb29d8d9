import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { askModal, showError } from '../notify';
import { checkChoice, ChoiceProblem, estimateCredits, findModel, roundCredits } from '../pictory/catalog';
import { describeError, PictoryApiError } from '../pictory/errors';
import { endpointProblem } from '../pictory/http';
import { checkPrompt, PROMPT_MAX_CHARACTERS, PROMPT_MIN_CHARACTERS, promptsFromSelections } from '../pictory/prompts';
import { formatNumber, shortfall } from '../studio/credits';
import { confirmDescribed, confirmPresetChoice, describeChoice, PickedChoice, pickVideoChoice } from './picker';
import { submitAll, withoutPromptsInFlight } from './submission';

/** A generation that starts from an earlier clip rather than from the editor's selection. */
export interface GenerationStart {
  readonly title: string;
  /** The prompt to start the input box with. */
  readonly prompt?: string;
  /** Where the new clip starts (an image, a clip's last frame, the clip itself to extend), or what guides it. */
  readonly sources?: { readonly firstFrameImageUrl?: string; readonly extendVideoUrl?: string; readonly referenceImageUrls?: readonly string[] };
  /** The prompts come from the editor's selections when there are some (else an input box). */
  readonly promptsFromSelection?: boolean;
}

/** The selected texts of the active editor, or a prompt typed into an input box. */
export async function collectPrompts(title = vscode.l10n.t('Generate Video')): Promise<string[] | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor ? promptsFromSelections(editor.selections.map((selection) => editor.document.getText(selection))) : [];
  if (selected.length > 0) return selected;
  return askPrompt(title);
}

export async function askPrompt(title: string, value?: string): Promise<string[] | undefined> {
  const typed = await vscode.window.showInputBox({
    title,
    value,
    prompt: vscode.l10n.t('Describe what to generate ({0} to {1} characters)', PROMPT_MIN_CHARACTERS, PROMPT_MAX_CHARACTERS),
    placeHolder: vscode.l10n.t('A red fox running through fresh snow at sunrise, wide shot'),
    ignoreFocusOut: true,
    validateInput: (text) => promptProblemMessage(text.trim()),
  });
  return typed === undefined ? undefined : promptsFromSelections([typed]);
}

export function promptProblemMessage(prompt: string): string | undefined {
  const problem = checkPrompt(prompt);
  if (!problem) return undefined;
  return problem.kind === 'tooShort'
    ? vscode.l10n.t('The prompt is too short: {0} characters, at least {1} are needed.', problem.length, PROMPT_MIN_CHARACTERS)
    : vscode.l10n.t('The prompt is too long: {0} characters, at most {1} are allowed.', problem.length, PROMPT_MAX_CHARACTERS);
}

function choiceProblemMessage(problem: ChoiceProblem): string {
  switch (problem.kind) {
    case 'unknownModel':
      return vscode.l10n.t('The setting "pictory.defaultModel" names an unknown model: "{0}".', problem.model);
    case 'unsupportedAspectRatio':
      return vscode.l10n.t(
        'The setting "pictory.defaultAspectRatio" is "{0}", which {1} does not support (it supports {2}).',
        problem.aspectRatio, problem.model.id, problem.model.aspectRatios.join(', '),
      );
    case 'unsupportedDuration':
      return vscode.l10n.t(
        'The setting "pictory.defaultDuration" is "{0}", which {1} does not support (it supports {2}).',
        problem.duration, problem.model.id, problem.model.durations.join(', '),
      );
  }
}

function showSettingProblem(message: string): void {
  const open = vscode.l10n.t('Open Settings');
  void showError(message, open).then((answer) => {
    if (answer === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'pictory.default');
  });
}

/** Several prompts are confirmed once, with what they cost in all ("Generate 3 videos, one for each selection?"). */
export async function confirmBatch(question: string, estimate: string, generate: string): Promise<boolean> {
  const answer = await askModal(question, vscode.l10n.t('Estimated cost: {0}.', estimate), generate);
  return answer === generate;
}

/**
 * When the credits left (as last read) do not cover `estimate`, says so with the numbers and
 * asks, showing the request as `description`.
 */
export function confirmCreditsLeft(app: PictoryApp, estimate: number, description: string): Promise<boolean> {
  const left = shortfall(app.credits.latest, estimate);
  if (left === undefined) return Promise.resolve(true);
  return confirmDescribed(
    description,
    vscode.l10n.t('This costs about {0} credits, but only {1} are left. Press Enter to send anyway, Escape to cancel.', formatNumber(estimate), formatNumber(left)),
    vscode.l10n.t('Not Enough Credits Left'),
  );
}

/** Whether the user has seen, and accepted, what will be sent and what it costs. */
function confirmCost(picked: PickedChoice, count: number, confirmPreset: boolean): Promise<boolean> {
  if (count > 1) {
    return confirmBatch(vscode.l10n.t('Generate {0} videos, one for each selection?', count), describeChoice(picked.choice, count), vscode.l10n.t('Generate {0} Videos', count));
  }
  if (picked.allPreset && confirmPreset) return confirmPresetChoice(picked.choice, count);
  return Promise.resolve(true);
}

/** The whole "Pictory: Generate Video" flow: prompts, picks, cost, key, submission. */
export async function generateVideo(app: PictoryApp, start?: GenerationStart): Promise<void> {
  app.trackEditors();
  const collected = !start ? await collectPrompts() : start.promptsFromSelection ? await collectPrompts(start.title) : await askPrompt(start.title, start.prompt);
  if (!collected || collected.length === 0) return;
  const refused = collected.map(promptProblemMessage).find((message) => message !== undefined);
  if (refused) {
    const which = collected.length > 1 ? vscode.l10n.t(' Nothing was sent.') : '';
    void showError(refused + which);
    return;
  }
  const settings = readSettings();
  const defaults = { model: settings.defaultModel, aspectRatio: settings.defaultAspectRatio, duration: settings.defaultDuration };
  const defaultsProblem = checkChoice(defaults);
  if (defaultsProblem) return showSettingProblem(choiceProblemMessage(defaultsProblem));
  let prompts = withoutPromptsInFlight(app, collected);
  if (prompts.length === 0) return;
  const picked = await pickVideoChoice(defaults, prompts.length);
  if (!picked || !(await confirmCost(picked, prompts.length, settings.confirmBeforeGenerating))) return;
  const model = findModel(picked.choice.model);
  const estimate = model ? roundCredits(estimateCredits(model, picked.choice.duration) * prompts.length) : 0;
  if (!(await confirmCreditsLeft(app, estimate, describeChoice(picked.choice, prompts.length)))) return;
  const endpointIssue = endpointProblem(settings.apiBaseUrl);
  if (endpointIssue) {
    void showError(describeError(new PictoryApiError('insecureEndpoint', { cause: endpointIssue }), vscode.l10n.t));
    return;
  }
  const key = await app.keys.getOrAsk();
  if (!key) return;
  // The picks take a while: the same prompt may have been sent from another run meanwhile.
  prompts = withoutPromptsInFlight(app, prompts);
  const webhook = settings.webhookUrl;
  const requests = prompts.map((prompt) => ({ prompt, ...picked.choice, ...start?.sources, ...(webhook ? { webhook } : {}) }));
  await submitAll(app, settings.apiBaseUrl, key, requests.map((request) => ({ kind: 'video', request })));
}
