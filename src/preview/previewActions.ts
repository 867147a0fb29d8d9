import * as vscode from 'vscode';
import { showError, showInfo, showWarning, withCancellableProgress } from '../notify';
import { JobRecord } from '../jobs/jobRecord';
import { downloadToFile } from '../pictory/download';
import { Fetch } from '../pictory/http';
import { shortenPrompt } from '../pictory/prompts';
import { safeMediaUrl, videoFileName } from '../pictory/urls';
import { PreviewAction } from './protocol';

/** Remembers the last text editor the user worked in, since a focused webview hides it. */
export class LastEditorTracker implements vscode.Disposable {
  private last: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly subscription = vscode.window.onDidChangeActiveTextEditor((editor) => {
    if (editor) this.last = editor;
  });

  get editor(): vscode.TextEditor | undefined {
    const last = this.last;
    if (last && vscode.window.visibleTextEditors.includes(last)) return last;
    return vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

export function markdownLink(prompt: string, url: string): string {
  const text = shortenPrompt(prompt, 60).replace(/([\\[\]])/g, '\\$1');
  return `[${text}](${url.replace(/\)/g, '%29').replace(/ /g, '%20')})`;
}

export interface PreviewActionsDeps {
  readonly loadFetch: () => Promise<Fetch>;
  readonly editors: LastEditorTracker;
  readonly log: (message: string) => void;
}

export async function runPreviewAction(action: PreviewAction, record: JobRecord, deps: PreviewActionsDeps): Promise<void> {
  const url = safeMediaUrl(record.video?.url, record.endpoint);
  if (!url) {
    void showError(vscode.l10n.t('This job has no video address that is safe to open.'));
    return;
  }
  switch (action) {
    case 'openInBrowser':
      await vscode.env.openExternal(vscode.Uri.parse(url, true));
      return;
    case 'copyUrl':
      await vscode.env.clipboard.writeText(url);
      vscode.window.setStatusBarMessage(vscode.l10n.t('Video URL copied'), 3000);
      return;
    case 'insertLink':
      return insertLink(record, url, deps.editors);
    case 'download':
      return downloadVideo(record, url, deps);
  }
}

async function insertLink(record: JobRecord, url: string, editors: LastEditorTracker): Promise<void> {
  const editor = editors.editor;
  if (!editor) {
    void showWarning(vscode.l10n.t('Open a text editor to insert the link into.'));
    return;
  }
  const link = markdownLink(record.request.prompt, url);
  const inserted = await editor.edit((edit) => edit.insert(editor.selection.active, link));
  if (inserted) await vscode.window.showTextDocument(editor.document, editor.viewColumn);
}

async function downloadVideo(record: JobRecord, url: string, deps: PreviewActionsDeps): Promise<void> {
  const fileName = videoFileName(url, `pictory-${record.id}`);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
    filters: { [vscode.l10n.t('MP4 video')]: ['mp4'] },
    saveLabel: vscode.l10n.t('Download'),
    title: vscode.l10n.t('Save the video'),
  });
  if (!target) return;
  if (target.scheme !== 'file') {
    void showError(vscode.l10n.t('Videos can only be saved to a local folder.'));
    return;
  }
  await withCancellableProgress(vscode.l10n.t('Downloading {0}', fileName), async (progress, signal) => {
    try {
      await downloadToFile(url, target.fsPath, deps.loadFetch, signal, (fraction) => progress.report({ increment: fraction * 100 }));
      deps.log(`Downloaded job ${record.id} to ${target.fsPath}`);
      const reveal = vscode.l10n.t('Reveal in File Explorer');
      void showInfo(vscode.l10n.t('Saved {0}', target.fsPath), reveal).then((answer) => {
        if (answer === reveal) void vscode.commands.executeCommand('revealFileInOS', target);
      });
    } catch (error) {
      if (signal.aborted) return;
      const reason = error instanceof Error ? error.message : String(error);
      deps.log(`Download of job ${record.id} failed: ${reason}`);
      void showError(vscode.l10n.t('The download failed: {0}', reason));
    }
  });
}
