import * as vscode from 'vscode';
import { JobState } from './jobs/jobRecord';

/** The codicon of each job state, wherever jobs are listed. */
export const STATE_ICONS: Readonly<Record<JobState, string>> = {
  submitting: 'loading~spin',
  maybeCreated: 'search',
  running: 'sync~spin',
  completed: 'device-camera-video',
  failed: 'error',
  cleaned: 'trash',
  notFound: 'question',
  cancelled: 'debug-pause',
  timedOut: 'clock',
  stopped: 'warning',
  unconfirmed: 'question',
};

/** What each job state is called, wherever jobs are listed. */
export function stateWords(state: JobState): string {
  switch (state) {
    case 'submitting':
      return vscode.l10n.t('submitting');
    case 'maybeCreated':
      return vscode.l10n.t('may have been created: looking for it');
    case 'running':
      return vscode.l10n.t('generating');
    case 'completed':
      return vscode.l10n.t('ready');
    case 'failed':
      return vscode.l10n.t('failed');
    case 'cleaned':
      return vscode.l10n.t('removed by Pictory');
    case 'notFound':
      return vscode.l10n.t('unknown to Pictory');
    case 'cancelled':
      return vscode.l10n.t('stopped waiting');
    case 'timedOut':
      return vscode.l10n.t('timed out');
    case 'stopped':
      return vscode.l10n.t('stopped');
    case 'unconfirmed':
      return vscode.l10n.t('may have been created: not found in your videos');
  }
}
