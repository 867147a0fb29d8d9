import { promises as fs } from 'fs';
import * as vscode from 'vscode';
import { isImageJob, JobRecord } from '../jobs/jobRecord';
import { LocalCopy } from '../jobs/localCopies';
import { ProgressReporter, showError, showInfo, showWarning, withCancellableProgress } from '../notify';
import { copyToFile, downloadToFile, MediaLoader } from '../pictory/download';
import { shortenPrompt } from '../pictory/prompts';
import { safeMediaUrl } from '../pictory/urls';
import { PreviewAction } from '../preview/protocol';
import { claimFile, clipBaseName } from './clipFiles';

/** The command each button of the preview and the gallery runs, with the clip as its argument. */
export const ACTION_COMMANDS: Readonly<Record<PreviewAction, string>> = {
  continueFromLastFrame: 'pictory.continueFromLastFrame',
  regenerate: 'pictory.regenerate',
  editPromptAndGenerate: 'pictory.editPromptAndGenerate',
  extendVideo: 'pictory.extendVideo',
  openInBrowser: 'pictory.openInBrowser',
  copyUrl: 'pictory.copyVideoUrl',
  download: 'pictory.download',
  insertLink: 'pictory.insertLink',
  saveToWorkspace: 'pictory.saveToWorkspace',
  animate: 'pictory.animateImage',
  useAsReference: 'pictory.useImageAsReference',
  insertImage: 'pictory.insertLink',
};

/** Runs a clip's action exactly as its menu item in the studio does. */
export async function runClipAction(action: PreviewAction, record: JobRecord): Promise<void> {
  await vscode.commands.executeCommand(ACTION_COMMANDS[action], { kind: 'job', record });
}

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

/** `[prompt](url)`, or for an image `![prompt](url)`, with the prompt's brackets escaped. */
export function markdownLink(prompt: string, url: string, image = false): string {
  const text = shortenPrompt(prompt, 60).replace(/([\\[\]])/g, '\\$1');
  return `${image ? '!' : ''}[${text}](${url.replace(/\)/g, '%29').replace(/ /g, '%20')})`;
}

/** Pictory's address of the clip's video, when it is safe to open. */
export function clipUrl(record: JobRecord): string | undefined {
  const url = safeMediaUrl(record.video?.url, record.endpoint);
  if (!url) void showError(vscode.l10n.t('This job has no video address that is safe to open.'));
  return url;
}

export async function openInBrowser(record: JobRecord): Promise<void> {
  const url = clipUrl(record);
  if (url) await vscode.env.openExternal(vscode.Uri.parse(url, true));
}

export async function copyUrl(record: JobRecord): Promise<void> {
  const url = clipUrl(record);
  if (!url) return;
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage(vscode.l10n.t('Video URL copied'), 3000);
}

export async function insertLink(record: JobRecord, editors: LastEditorTracker): Promise<void> {
  const url = clipUrl(record);
  if (!url) return;
  const editor = editors.editor;
  if (!editor) {
    void showWarning(vscode.l10n.t('Open a text editor to insert the link into.'));
    return;
  }
  const link = markdownLink(record.request.prompt, url, isImageJob(record));
  const inserted = await editor.edit((edit) => edit.insert(editor.selection.active, link));
  if (inserted) await vscode.window.showTextDocument(editor.document, editor.viewColumn);
}

export interface DownloadDeps {
  readonly loadFetch: MediaLoader;
  /** The copy kept on this machine, copied instead of downloaded again. */
  readonly localCopy: (record: JobRecord) => Promise<LocalCopy | undefined>;
  readonly log: (message: string) => void;
}

interface Downloadable {
  readonly record: JobRecord;
  readonly url: string;
}

/** One clip: to a file the user names. Several: into a folder the user picks, each under a free name. */
export async function downloadClips(records: readonly JobRecord[], deps: DownloadDeps): Promise<void> {
  const clips = records.flatMap((record) => {
    const url = record.state === 'completed' ? safeMediaUrl(record.video?.url, record.endpoint) : undefined;
    return url ? [{ record, url }] : [];
  });
  if (clips.length === 0) {
    void showInfo(vscode.l10n.t('Only finished clips with a video can be downloaded.'));
    return;
  }
  const targets = clips.length === 1 ? await askFile(clips[0]) : await askFolder(clips.length);
  if (!targets) return;
  const title = clips.length === 1 ? vscode.l10n.t('Downloading "{0}"', shortenPrompt(clips[0].record.request.prompt)) : vscode.l10n.t('Downloading {0} clips', clips.length);
  const saved = await withCancellableProgress(title, (progress, signal) => downloadAll(clips, targets, deps, progress, signal));
  if (saved.length === 0) return;
  const reveal = vscode.l10n.t('Reveal in File Explorer');
  const message = saved.length === 1 ? vscode.l10n.t('Saved {0}', saved[0]) : vscode.l10n.t('Saved {0} clips to {1}', saved.length, targets.folder ?? '');
  void showInfo(message, reveal).then((answer) => {
    if (answer === reveal) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(saved[0]));
  });
}

function extensionOf(record: JobRecord): string {
  return isImageJob(record) ? 'png' : 'mp4';
}

interface Targets {
  /** The file chosen for a single clip. */
  readonly file?: string;
  /** The folder chosen for several. */
  readonly folder?: string;
}

async function askFile(clip: Downloadable): Promise<Targets | undefined> {
  const name = `${clipBaseName(clip.record.request.prompt, `pictory-${clip.record.id}`)}.${extensionOf(clip.record)}`;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: isImageJob(clip.record) ? { [vscode.l10n.t('PNG image')]: ['png'] } : { [vscode.l10n.t('MP4 video')]: ['mp4'] },
    saveLabel: vscode.l10n.t('Download'),
    title: vscode.l10n.t('Save the video'),
  });
  if (!target) return undefined;
  if (target.scheme !== 'file') {
    void showError(vscode.l10n.t('Videos can only be saved to a local folder.'));
    return undefined;
  }
  return { file: target.fsPath };
}

async function askFolder(count: number): Promise<Targets | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: vscode.l10n.t('Download Here'),
    title: vscode.l10n.t('Choose the folder to download {0} clips into', count),
  });
  const folder = picked?.[0];
  if (!folder) return undefined;
  if (folder.scheme !== 'file') {
    void showError(vscode.l10n.t('Videos can only be saved to a local folder.'));
    return undefined;
  }
  return { folder: folder.fsPath };
}

async function downloadAll(clips: readonly Downloadable[], targets: Targets, deps: DownloadDeps, progress: ProgressReporter, signal: AbortSignal): Promise<string[]> {
  const saved: string[] = [];
  const failures: string[] = [];
  const share = 100 / clips.length;
  for (const [index, clip] of clips.entries()) {
    if (signal.aborted) break;
    if (clips.length > 1) progress.report({ message: vscode.l10n.t('{0} of {1}: {2}', index + 1, clips.length, shortenPrompt(clip.record.request.prompt)) });
    let target: string | undefined;
    try {
      target = targets.file ?? (await claimFile(targets.folder as string, clipBaseName(clip.record.request.prompt, `pictory-${clip.record.id}`), extensionOf(clip.record)));
      const local = (await deps.localCopy(clip.record))?.video;
      if (local) {
        await copyToFile(local, target);
        progress.report({ increment: share });
      } else {
        await downloadToFile(clip.url, target, deps.loadFetch, signal, (fraction) => progress.report({ increment: fraction * share }));
      }
      saved.push(target);
      deps.log(`Downloaded job ${clip.record.id} to ${target}${local ? ' (from the local copy)' : ''}`);
    } catch (error) {
      // A claimed, empty name is given back; a file the user named keeps whatever it held.
      if (target && !targets.file) await fs.rm(target, { force: true });
      if (signal.aborted) break;
      const reason = error instanceof Error ? error.message : String(error);
      deps.log(`Download of job ${clip.record.id} failed: ${reason}`);
      failures.push(vscode.l10n.t('"{0}": {1}', shortenPrompt(clip.record.request.prompt), reason));
    }
  }
  if (failures.length) void showError(vscode.l10n.t('The download failed: {0}', failures.join('; ')));
  return saved;
}
