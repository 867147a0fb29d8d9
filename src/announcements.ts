import * as vscode from 'vscode';
import { showError, showInfo, showWarning } from './notify';
import { PictoryApp } from './app';
import { readSettings } from './config';
import { submit } from './generate/submission';
import { hasJobId, isFilmJob, isImageJob, JobRecord, jobRequestOf } from './jobs/jobRecord';
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
          app.logger.redact(vscode.l10n.t('Pictory could not generate "{0}": {1}: {2}', prompt, record.error?.code ?? '', record.error?.message ?? '')),
          vscode.l10n.t('Retry'),
        ),
        () => submit(app, jobRequestOf(record)),
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
          vscode.l10n.t('"{0}" is still not ready after {1} minutes. Stopped waiting; the job is kept.', prompt, minutesAllowed(record)),
          vscode.l10n.t('Check Again'),
        ),
        () => app.jobs.checkAgain(record.id),
      );
    case 'stopped':
      return announceStopped(app, record, prompt);
    case 'unconfirmed':
      return offer(
        showWarning(
          isFilmJob(record)
            ? vscode.l10n.t('Pictory\'s answer to the render of "{0}" was lost, and a render cannot be looked up. Check https://app.pictory.ai before rendering it again.', prompt)
            : isImageJob(record)
            ? vscode.l10n.t(
                'Pictory\'s answer to "{0}" was lost, and no such image appeared in your Pictory images within {1} minutes. Check https://app.pictory.ai before sending it again.',
                prompt,
                minutesAllowed(record),
              )
            : vscode.l10n.t(
                'Pictory\'s answer to "{0}" was lost, and no such video appeared in your Pictory videos within {1} minutes. Check https://app.pictory.ai before sending it again.',
                prompt,
                minutesAllowed(record),
              ),
          vscode.l10n.t('Check Again'),
        ),
        () => app.jobs.checkAgain(record.id),
      );
    default:
      return;
  }
}

/** A job whose record could not be written: it is followed, but only in this window. */
export function announceUnrecorded(record: JobRecord, reason: string): void {
  const prompt = shortenPrompt(record.request.prompt);
  if (!hasJobId(record)) {
    void showWarning(
      vscode.l10n.t(
        'The job for "{0}" could not be saved on disk ({1}). It is followed in this window, and saving is retried; if this window closes, check your videos and images at https://app.pictory.ai.',
        prompt,
        reason,
      ),
    );
    return;
  }
  const copy = vscode.l10n.t('Copy Job Id');
  offer(
    showWarning(
      vscode.l10n.t(
        'The job for "{0}" (job {1}) could not be saved on disk ({2}). It is followed in this window, and saving is retried; keep the job id in case this window closes.',
        prompt,
        record.id,
        reason,
      ),
      copy,
    ),
    () => Promise.resolve(vscode.env.clipboard.writeText(record.id)),
  );
}

/** Runs `action` when the user picks one of the notification's buttons; failures are shown. */
function offer(shown: Thenable<string | undefined>, action: (answer: string) => Promise<unknown>): void {
  void Promise.resolve(shown)
    .then((answer) => (answer ? action(answer) : undefined))
    .catch((error: unknown) => void showError(error instanceof Error ? error.message : String(error)));
}

/** The job's own time limit (the setting may have changed since it was submitted). */
function minutesAllowed(record: JobRecord): number {
  return Math.max(1, Math.round((record.deadline - record.submittedAt) / 60_000));
}

function announceCompleted(app: PictoryApp, record: JobRecord, prompt: string): void {
  const message = isImageJob(record)
    ? vscode.l10n.t('Image ready: "{0}"', prompt)
    : isFilmJob(record)
      ? vscode.l10n.t('Film ready: "{0}"', prompt)
      : vscode.l10n.t('Video ready: "{0}"', prompt);
  // A storyboard's scenes are watched in its film panel: a preview per scene would bury it.
  const sceneOfStoryboard = record.origin?.scene !== undefined;
  // The panel opens beside the editor without taking the keyboard from the user.
  if ((readSettings().openPreviewOnCompletion && !sceneOfStoryboard) || app.previews.isOpen(record.id)) {
    app.previews.show(record, { preserveFocus: true });
    void showInfo(message);
    return;
  }
  const open = vscode.l10n.t('Open Preview');
  void showInfo(message, open).then((answer) => {
    if (answer === open) app.previews.show(record);
  });
}

function announceStopped(app: PictoryApp, record: JobRecord, prompt: string): void {
  void stoppedActions(app, record).then((actions) =>
    offer(showError(app.logger.redact(vscode.l10n.t('Stopped checking "{0}": {1}', prompt, record.error?.message ?? '')), ...actions.map((a) => a.label)), async (answer) => {
      const action = actions.find((candidate) => candidate.label === answer);
      if (action?.unblock && !(await action.unblock())) return;
      await app.jobs.checkAgain(record.id);
    }),
  );
}

interface StoppedAction {
  readonly label: string;
  /** Runs before checking again; false stops there. */
  readonly unblock?: () => Promise<boolean>;
}

async function stoppedActions(app: PictoryApp, record: JobRecord): Promise<StoppedAction[]> {
  const checkAgain = { label: vscode.l10n.t('Check Again') };
  if (record.error?.code === 'unauthorized' || record.error?.code === 'invalidKey') {
    return [{ label: vscode.l10n.t('Enter New Key'), unblock: async () => !!(await app.keys.askAndStore('rejected')) }, checkAgain];
  }
  if (record.error?.code === 'NO_CLIENT' && !(await app.keys.get())) {
    return [{ label: vscode.l10n.t('Set API Key'), unblock: async () => !!(await app.keys.askAndStore('missing')) }];
  }
  return [checkAgain];
}
