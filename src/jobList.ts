import * as vscode from 'vscode';
import { showInfo } from './notify';
import { PictoryApp } from './app';
import { describeRequest, JobRecord, RESUMABLE_STATES } from './jobs/jobRecord';
import { shortenPrompt } from './pictory/prompts';
import { STATE_ICONS, stateWords } from './jobStates';

function stateLabel(record: JobRecord): string {
  return `$(${STATE_ICONS[record.state]}) ${stateWords(record.state)}`;
}

/** "Pictory: Show Jobs": every job this machine knows, and what can be done with each. */
export async function showJobs(app: PictoryApp): Promise<void> {
  const records = await app.jobs.list();
  if (records.length === 0) {
    void showInfo(vscode.l10n.t('No Pictory jobs yet. Select some text and run "Pictory: Generate Video".'));
    return;
  }
  const picked = await vscode.window.showQuickPick(
    records.map((record) => ({
      record,
      label: shortenPrompt(record.request.prompt, 60),
      description: `${stateLabel(record)} · ${describeRequest(record)}`,
      detail: `${new Date(record.submittedAt).toLocaleString()} · ${record.id}`,
    })),
    { title: vscode.l10n.t('Pictory Jobs'), placeHolder: vscode.l10n.t('Pick a job'), matchOnDetail: true },
  );
  if (picked) await actOn(app, picked.record);
}

async function actOn(app: PictoryApp, record: JobRecord): Promise<void> {
  const actions: Array<{ label: string; run: () => unknown }> = [];
  if (record.state === 'completed') actions.push({ label: vscode.l10n.t('Open Preview'), run: () => app.previews.show(record) });
  if (RESUMABLE_STATES.includes(record.state)) actions.push({ label: vscode.l10n.t('Check Again'), run: () => app.jobs.checkAgain(record.id) });
  if (record.state === 'running') actions.push({ label: vscode.l10n.t('Stop Waiting'), run: () => app.jobs.cancel(record.id) });
  actions.push({ label: vscode.l10n.t('Copy Job Id'), run: () => vscode.env.clipboard.writeText(record.id) });
  if (record.state !== 'running') actions.push({ label: vscode.l10n.t('Remove from List'), run: () => app.jobs.forget(record.id) });
  const picked = await vscode.window.showQuickPick(actions, { title: shortenPrompt(record.request.prompt, 60) });
  await picked?.run();
}
