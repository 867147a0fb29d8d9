import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { SubmissionUncertain } from '../jobs/jobManager';
import { showError, showInfo, showWarning } from '../notify';
import { JobRecord, JobRequest } from '../jobs/jobRecord';
import { describeError, PictoryApiError } from '../pictory/errors';
import { shortenPrompt } from '../pictory/prompts';
import { endpointProblem } from '../pictory/http';

const PICTORY_APP_URL = 'https://app.pictory.ai';

/** A failure after which the next request would fail the same way: the batch waits for the user. */
interface Blocked {
  readonly index: number;
  readonly error: PictoryApiError;
}

/** The key itself is the problem: a new one is needed before anything can be sent. */
function keyIsRefused(error: PictoryApiError): boolean {
  return error.kind === 'unauthorized' || error.kind === 'invalidKey';
}

function blocksTheRest(error: unknown): error is PictoryApiError {
  if (!(error instanceof PictoryApiError)) return false;
  if (keyIsRefused(error)) return true;
  // The server could not be reached at all: nothing was sent, and nothing else will be.
  return (error.kind === 'network' || error.kind === 'timeout') && !error.details.maybeCreated;
}

/** Prompts on their way to Pictory, so that running the command again sends none twice. */
export class SubmissionsInFlight {
  private readonly prompts = new Set<string>();

  has(prompt: string): boolean {
    return this.prompts.has(prompt);
  }

  add(prompts: readonly string[]): void {
    for (const prompt of prompts) this.prompts.add(prompt);
  }

  delete(prompts: readonly string[]): void {
    for (const prompt of prompts) this.prompts.delete(prompt);
  }
}

/** Drops prompts already on their way (the command run twice); says so when that leaves nothing. */
export function withoutPromptsInFlight(app: PictoryApp, prompts: readonly string[]): string[] {
  const fresh = prompts.filter((prompt) => !app.submissions.has(prompt));
  if (fresh.length < prompts.length) {
    void showInfo(
      fresh.length === 0
        ? vscode.l10n.t('This prompt is already being sent to Pictory.')
        : vscode.l10n.t('{0} of the prompts are already being sent to Pictory: they are not sent again.', prompts.length - fresh.length),
    );
  }
  return fresh;
}

/** How a request sent without any question went: its followed job, or why not, in words for whoever asked. */
export type QuietSubmission = { readonly record: JobRecord; readonly uncertain?: string } | { readonly refused: string };

/**
 * Sends one request that a person already approved elsewhere (a chat tool's confirmation),
 * without notifications or questions: the same job manager, the same never-twice rule for
 * prompts on their way, and the failure described for the caller to show.
 */
export async function submitQuietly(app: PictoryApp, job: JobRequest): Promise<QuietSubmission> {
  const endpoint = readSettings().apiBaseUrl;
  const problem = endpointProblem(endpoint);
  if (problem) return { refused: problem };
  const key = await app.keys.get();
  if (!key) return { refused: vscode.l10n.t('No Pictory API key is set: the user can set one with "Pictory: Set API Key".') };
  if (app.submissions.has(job.request.prompt)) return { refused: vscode.l10n.t('This prompt is already being sent to Pictory: it is not sent again.') };
  app.submissions.add([job.request.prompt]);
  try {
    return { record: await app.jobs.submit(app.createClient(endpoint, key), endpoint, job) };
  } catch (error) {
    if (error instanceof SubmissionUncertain) return { record: error.record, uncertain: app.logger.redact(describeError(error.cause, vscode.l10n.t)) };
    return { refused: app.logger.redact(error instanceof PictoryApiError ? describeError(error, vscode.l10n.t) : error instanceof Error ? error.message : String(error)) };
  } finally {
    app.submissions.delete([job.request.prompt]);
  }
}

/** Sends one request again (Retry) to the configured endpoint, never to one a stored job remembers. */
export async function submit(app: PictoryApp, job: JobRequest): Promise<JobRecord | undefined> {
  if (withoutPromptsInFlight(app, [job.request.prompt]).length === 0) return undefined;
  const key = await app.keys.getOrAsk();
  return key ? (await submitAll(app, readSettings().apiBaseUrl, key, [job]))[0] : undefined;
}

/**
 * Sends the requests one after another under a visible "Submitting…" notification. A
 * rejected key or an unreachable server stops the batch with one message; once the user
 * fixes it (new key, Retry) the rest goes on from where it stopped. Other failures are
 * reported without holding up the rest.
 */
export async function submitAll(app: PictoryApp, endpoint: string, key: string, requests: readonly JobRequest[]): Promise<JobRecord[]> {
  let queue = requests;
  let currentKey: string | undefined = key;
  const followed: JobRecord[] = [];
  while (queue.length > 0 && currentKey) {
    const prompts = queue.map((job) => job.request.prompt);
    app.submissions.add(prompts);
    let blocked: Blocked | undefined;
    try {
      blocked = await sendWithProgress(app, endpoint, currentKey, queue, followed);
    } finally {
      // Not held while the user is asked: a question left unanswered must not block the prompts.
      app.submissions.delete(prompts);
    }
    if (!blocked) break;
    queue = queue.slice(blocked.index);
    currentKey = await askToUnblock(app, blocked.error, currentKey, queue.length);
    if (!currentKey) break;
    const stillFree = new Set(withoutPromptsInFlight(app, queue.map((job) => job.request.prompt)));
    queue = queue.filter((job) => stillFree.has(job.request.prompt));
  }
  return followed;
}

/** Sends the queue in order; `followed` receives the record of every job now followed (accepted, or looked for). */
function sendWithProgress(app: PictoryApp, endpoint: string, key: string, queue: readonly JobRequest[], followed: JobRecord[]): Thenable<Blocked | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Pictory') }, async (progress) => {
    const client = app.createClient(endpoint, key);
    for (const [index, job] of queue.entries()) {
      const counter = queue.length > 1 ? vscode.l10n.t(' ({0} of {1})', index + 1, queue.length) : '';
      progress.report({ message: vscode.l10n.t('Submitting "{0}"…{1}', shortenPrompt(job.request.prompt), counter) });
      try {
        const record = await app.jobs.submit(client, endpoint, job);
        followed.push(record);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Pictory accepted "{0}" (job {1})', shortenPrompt(job.request.prompt), record.id), 5000);
      } catch (error) {
        if (blocksTheRest(error)) return { index, error };
        if (error instanceof SubmissionUncertain) followed.push(error.record);
        reportFailure(app, job, error);
      }
    }
    return undefined;
  });
}

/** The key to go on with (a new one, or the same for Retry), or `undefined` to stop. */
async function askToUnblock(app: PictoryApp, error: PictoryApiError, key: string, notSent: number): Promise<string | undefined> {
  const message = app.logger.redact(describeError(error, vscode.l10n.t));
  app.logger.error(`Submitting stopped: ${message}`);
  const waiting = notSent > 1 ? vscode.l10n.t(' {0} videos were not sent yet.', notSent) : vscode.l10n.t(' Nothing was sent.');
  if (keyIsRefused(error)) {
    const enterKey = vscode.l10n.t('Enter New Key');
    const answer = await showError(message + waiting, enterKey);
    return answer === enterKey ? app.keys.askAndStore('rejected') : undefined;
  }
  const retry = vscode.l10n.t('Retry');
  const answer = await showError(message + waiting, retry);
  return answer === retry ? key : undefined;
}

/** Shown without waiting for the user, so that the rest of a batch goes on. */
function reportFailure(app: PictoryApp, job: JobRequest, error: unknown): void {
  describeFailure(app, job, error).catch((failure: unknown) =>
    app.logger.error(`Reporting a failed submission failed: ${failure instanceof Error ? failure.message : String(failure)}`),
  );
}

async function describeFailure(app: PictoryApp, job: JobRequest, error: unknown): Promise<void> {
  const { request } = job;
  const prompt = shortenPrompt(request.prompt);
  if (error instanceof SubmissionUncertain) {
    const open = vscode.l10n.t('Open Pictory');
    const cause = describeError(error.cause, vscode.l10n.t);
    const message =
      job.kind === 'image'
        ? vscode.l10n.t('"{0}": {1} The extension is looking for it in your Pictory images and will tell you when it is found.', prompt, cause)
        : vscode.l10n.t('"{0}": {1} The extension is looking for it in your Pictory videos and will tell you when it is found.', prompt, cause);
    const answer = await showWarning(app.logger.redact(message), open);
    if (answer === open) await vscode.env.openExternal(vscode.Uri.parse(PICTORY_APP_URL));
    return;
  }
  const reason = app.logger.redact(error instanceof PictoryApiError ? describeError(error, vscode.l10n.t) : error instanceof Error ? error.message : String(error));
  app.logger.error(`Submitting "${prompt}" failed: ${reason}`);
  if (error instanceof PictoryApiError && error.transient && !error.details.maybeCreated) {
    const retry = vscode.l10n.t('Retry');
    if ((await showError(vscode.l10n.t('Pictory: {0}', reason), retry)) === retry) await submit(app, job);
    return;
  }
  void showError(vscode.l10n.t('Pictory: {0}', reason));
}
