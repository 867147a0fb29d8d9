import * as vscode from 'vscode';
import { showError, showInfo, showWarning } from './notify';
import { PictoryApp } from './app';
import { readSettings } from './config';
import { submit } from './generate';
import { JobRecord } from './jobs/jobRecord';
import { shortenPrompt } from './pictory/prompts';

/** Tells the user how a job ended: once, in the one window that followed it to the end. */
export function announce(app: PictoryApp, record: JobRecord): void {
  const prompt = shortenPrompt(record.request.prompt);
  switch (record.state) {
    case 'completed':
      return announceCompleted(app, record, prompt);
    case 'failed':
      return offer(
        showError(
          vscode.l10n.t('Pictory could not generate "{0}": {1}: {2}', prompt, record.error?.code ?? '', record.error?.message ?? ''),
          vscode.l10n.t('Retry'),
        ),
        () => submit(app, record.request),
      );
    case 'cleaned':
      return void showWarning(
        vscode.l10n.t('Pictory has removed the result of "{0}" (its retention period is over).', prompt),
      );
    case 'notFound':
      return void showWarning(vscode.l10n.t('Pictory no longer knows the job for "{0}" ({1}).', prompt, record.id));
    case 'timedOut':
      return offer(
        showWarning(
          vscode.l10n.t('"{0}" is still not ready after {1} minutes. Stopped waiting; the job is kept.', prompt, readSettings().timeoutMinutes),
          vscode.l10n.t('Check Again'),
        ),
        () => app.jobs.checkAgain(record.id),
      );
    case 'stopped':
      return announceStopped(app, record, prompt);
    default:
      return;
  }
}

/** Runs `action` when the user picks one of the notification's buttons; failures are shown. */
function offer(shown: Thenable<string | undefined>, action: (answer: string) => Promise<unknown>): void {
  void Promise.resolve(shown)
    .then((answer) => (answer ? action(answer) : undefined))
    .catch((error: unknown) => void showError(error instanceof Error ? error.message : String(error)));
}

function announceCompleted(app: PictoryApp, record: JobRecord, prompt: string): void {
  const settings = readSettings();
  if (settings.openPreviewOnCompletion) app.previews.show(record);
  const open = vscode.l10n.t('Open Preview');
  void showInfo(vscode.l10n.t('Video ready: "{0}"', prompt), open).then((answer) => {
    if (answer === open) app.previews.show(record);
  });
}

function announceStopped(app: PictoryApp, record: JobRecord, prompt: string): void {
  const checkAgain = vscode.l10n.t('Check Again');
  const keyRejected = record.error?.code === 'unauthorized';
  const enterKey = vscode.l10n.t('Enter New Key');
  const actions = keyRejected ? [enterKey, checkAgain] : [checkAgain];
  offer(showError(vscode.l10n.t('Stopped checking "{0}": {1}', prompt, record.error?.message ?? ''), ...actions), async (answer) => {
    if (answer === enterKey && !(await app.keys.askAndStore('rejected'))) return;
    await app.jobs.checkAgain(record.id);
  });
}
