import * as vscode from 'vscode';
import { showError, showWarning } from './notify';
import { PictoryApp } from './app';
import { readSettings } from './config';
import { SubmissionUncertain } from './jobs/jobManager';
import { formatCredits, pickVideoChoice } from './picker';
import { checkChoice, ChoiceProblem, estimateCredits, findModel, VideoChoice } from './pictory/catalog';
import { VideoRequest } from './pictory/client';
import { describeError, PictoryApiError } from './pictory/errors';
import { endpointProblem } from './pictory/http';
import { checkPrompt, PROMPT_MAX_CHARACTERS, PROMPT_MIN_CHARACTERS, promptsFromSelections, shortenPrompt } from './pictory/prompts';

const PICTORY_APP_URL = 'https://app.pictory.ai';

/** The selected texts of the active editor, or a prompt typed into an input box. */
async function collectPrompts(): Promise<string[] | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor ? promptsFromSelections(editor.selections.map((selection) => editor.document.getText(selection))) : [];
  if (selected.length > 0) return selected;
  const typed = await vscode.window.showInputBox({
    title: vscode.l10n.t('Generate Video'),
    prompt: vscode.l10n.t('Describe the video to generate ({0} to {1} characters)', PROMPT_MIN_CHARACTERS, PROMPT_MAX_CHARACTERS),
    placeHolder: vscode.l10n.t('A red fox running through fresh snow at sunrise, wide shot'),
    ignoreFocusOut: true,
    validateInput: (value) => promptProblemMessage(value.trim()),
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

async function confirmBatch(count: number, choice: VideoChoice): Promise<boolean> {
  const model = findModel(choice.model);
  const total = model ? estimateCredits(model, choice.duration) * count : 0;
  const generate = vscode.l10n.t('Generate {0} Videos', count);
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Generate {0} videos, one for each selection?', count),
    { modal: true, detail: vscode.l10n.t('{0}, {1}, {2} each. Estimated cost: {3} in all.', choice.model, choice.aspectRatio, choice.duration, formatCredits(total)) },
    generate,
  );
  return answer === generate;
}

/** The whole "Pictory: Generate Video" flow: prompts, three picks, key, submission. */
export async function generateVideo(app: PictoryApp): Promise<void> {
  app.trackEditors();
  const prompts = await collectPrompts();
  if (!prompts || prompts.length === 0) return;
  const refused = prompts.map(promptProblemMessage).find((message) => message !== undefined);
  if (refused) {
    const which = prompts.length > 1 ? vscode.l10n.t(' Nothing was sent.') : '';
    void showError(refused + which);
    return;
  }
  const settings = readSettings();
  const defaults = { model: settings.defaultModel, aspectRatio: settings.defaultAspectRatio, duration: settings.defaultDuration };
  const defaultsProblem = checkChoice(defaults);
  if (defaultsProblem) return showSettingProblem(choiceProblemMessage(defaultsProblem));
  const choice = await pickVideoChoice(defaults, prompts.length);
  if (!choice) return;
  const choiceProblem = checkChoice(choice);
  if (choiceProblem) return showSettingProblem(choiceProblemMessage(choiceProblem));
  if (prompts.length > 1 && !(await confirmBatch(prompts.length, choice))) return;
  const endpointIssue = endpointProblem(settings.apiBaseUrl);
  if (endpointIssue) {
    void showError(describeError(new PictoryApiError('insecureEndpoint', { cause: endpointIssue }), vscode.l10n.t));
    return;
  }
  const key = await app.keys.getOrAsk();
  if (!key) return;
  const webhook = settings.webhookUrl;
  for (const prompt of prompts) {
    await submitWithKey(app, settings.apiBaseUrl, key, { prompt, ...choice, ...(webhook ? { webhook } : {}) });
  }
}

/** Sends one request to the configured endpoint (never to one a stored job remembers). */
export async function submit(app: PictoryApp, request: VideoRequest): Promise<void> {
  const endpoint = readSettings().apiBaseUrl;
  const key = await app.keys.getOrAsk();
  if (key) await submitWithKey(app, endpoint, key, request);
}

/**
 * Sends one request. Failures are reported without waiting for the user, so that the other
 * prompts of a batch go on; a rejected key is replaced and the request sent again on request.
 */
async function submitWithKey(app: PictoryApp, endpoint: string, key: string, request: VideoRequest): Promise<void> {
  try {
    const record = await app.jobs.submit(app.createClient(endpoint, key), endpoint, request);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Pictory accepted "{0}" (job {1})', shortenPrompt(request.prompt), record.id), 5000);
  } catch (error) {
    reportSubmitError(app, request, error).catch((failure: unknown) =>
      app.logger.error(`Reporting a failed submission failed: ${failure instanceof Error ? failure.message : String(failure)}`),
    );
  }
}

async function reportSubmitError(app: PictoryApp, request: VideoRequest, error: unknown): Promise<void> {
  if (error instanceof SubmissionUncertain) {
    const open = vscode.l10n.t('Open Pictory');
    const answer = await showWarning(describeError(error.cause, vscode.l10n.t), open);
    if (answer === open) await vscode.env.openExternal(vscode.Uri.parse(PICTORY_APP_URL));
    return;
  }
  if (!(error instanceof PictoryApiError)) {
    const reason = app.logger.redact(error instanceof Error ? error.message : String(error));
    app.logger.error(`Submitting "${shortenPrompt(request.prompt)}" failed: ${reason}`);
    void showError(vscode.l10n.t('Pictory: {0}', reason));
    return;
  }
  const message = app.logger.redact(describeError(error, vscode.l10n.t));
  app.logger.error(`Submitting "${shortenPrompt(request.prompt)}" failed: ${message}`);
  if (error.kind === 'unauthorized') {
    const enterKey = vscode.l10n.t('Enter New Key');
    const answer = await showError(message, enterKey);
    if (answer === enterKey && (await app.keys.askAndStore('rejected'))) await submit(app, request);
    return;
  }
  if (error.transient) {
    const retry = vscode.l10n.t('Retry');
    const answer = await showError(message, retry);
    if (answer === retry) await submit(app, request);
    return;
  }
  void showError(message);
}
