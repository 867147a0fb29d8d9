import * as vscode from 'vscode';
import { askModal, showInfo } from './notify';
import { JobManager } from './jobs/jobManager';
import { describeRequest, isFilmJob, JobRecord } from './jobs/jobRecord';
import { shortenPrompt } from './pictory/prompts';
import { Quota } from './pictory/responses';
import { describeQuota } from './studio/credits';
import { stateWords } from './jobStates';

export { SHOW_RUNNING_JOBS_COMMAND } from './contributionIds';
import { SHOW_RUNNING_JOBS_COMMAND } from './contributionIds';

export function formatElapsed(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

function jobStatusWord(job: JobRecord): string {
  if (job.state === 'maybeCreated') return stateWords(job.state);
  if (job.progress !== undefined) return vscode.l10n.t('rendering {0}%', Math.round(job.progress));
  return job.apiStatus ?? vscode.l10n.t('submitted');
}

/**
 * A spinner with the number of running jobs and the age of the oldest. It exists only while
 * a job runs, and ticks once a second only then.
 */
export class JobStatusBar implements vscode.Disposable {
  private item: vscode.StatusBarItem | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private visible = false;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly jobs: JobManager,
    private readonly quota: () => Quota | undefined = () => undefined,
  ) {
    this.subscription = jobs.onDidChange(() => this.update());
  }

  /** The text shown now, or `undefined` while hidden. */
  get shownText(): string | undefined {
    return this.visible ? this.item?.text : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.stopTicking();
    this.item?.dispose();
  }

  private update(): void {
    const running = this.jobs.running();
    if (running.length === 0) {
      this.stopTicking();
      this.item?.hide();
      this.visible = false;
      return;
    }
    const item = this.ensureItem();
    this.render(item, running);
    item.show();
    this.visible = true;
    this.ticker ??= setInterval(() => this.render(item, this.jobs.running()), 1000);
  }

  private ensureItem(): vscode.StatusBarItem {
    if (!this.item) {
      this.item = vscode.window.createStatusBarItem('pictory.jobs', vscode.StatusBarAlignment.Left, 100);
      this.item.name = vscode.l10n.t('Pictory Jobs');
      this.item.command = SHOW_RUNNING_JOBS_COMMAND;
    }
    return this.item;
  }

  private render(item: vscode.StatusBarItem, running: JobRecord[]): void {
    if (running.length === 0) return this.update();
    const elapsed = formatElapsed(Date.now() - running[0].submittedAt);
    const [only] = running;
    item.text =
      running.length > 1
        ? vscode.l10n.t('$(sync~spin) Pictory: {0} videos {1}', running.length, elapsed)
        : isFilmJob(only)
          ? vscode.l10n.t('$(sync~spin) Pictory: rendering film {0}', only.progress === undefined ? elapsed : `${Math.round(only.progress)}%`)
          : vscode.l10n.t('$(sync~spin) Pictory: generating {0}', elapsed);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = false;
    tooltip.appendText(vscode.l10n.t('Pictory jobs (click to manage)') + '\n\n');
    for (const job of running) {
      tooltip.appendText(`• "${shortenPrompt(job.request.prompt)}" · ${job.request.model} · ${jobStatusWord(job)}\n\n`);
    }
    const quota = this.quota();
    if (quota) tooltip.appendText(vscode.l10n.t('AI credits: {0}', describeQuota(quota)));
    item.tooltip = tooltip;
  }

  private stopTicking(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

/** Lists running jobs and cancels the one the user picks. */
export async function showRunningJobs(jobs: JobManager): Promise<void> {
  const running = jobs.running();
  if (running.length === 0) {
    void showInfo(vscode.l10n.t('No Pictory video is being generated.'));
    return;
  }
  const picked = await vscode.window.showQuickPick(
    running.map((job) => ({
      job,
      label: shortenPrompt(job.request.prompt, 60),
      description: `${describeRequest(job)}`,
      detail: vscode.l10n.t('{0} · {1} elapsed · job {2}', jobStatusWord(job), formatElapsed(Date.now() - job.submittedAt), job.id),
    })),
    { title: vscode.l10n.t('Running Pictory Jobs'), placeHolder: vscode.l10n.t('Pick a job to stop waiting for it') },
  );
  if (!picked) return;
  const stop = vscode.l10n.t('Stop Waiting');
  const answer = await askModal(
    vscode.l10n.t('Stop waiting for "{0}"?', shortenPrompt(picked.job.request.prompt)),
    vscode.l10n.t(
      "Pictory's API cannot stop a generation, so its credits may still be charged. The job id is kept: \"Pictory: Show Jobs\" can check it again later.",
    ),
    stop,
  );
  if (answer === stop) await jobs.cancel(picked.job.id);
}
