import { promises as fs } from 'fs';
import * as vscode from 'vscode';
import { JobRecord } from '../jobs/jobRecord';
import { ProgressReporter, showError, showInfo, showWarning, withCancellableProgress } from '../notify';
import { downloadToFile, MediaLoader } from '../pictory/download';
import { shortenPrompt } from '../pictory/prompts';
import { safeMediaUrl } from '../pictory/urls';
import { claimClipFiles, clipBaseName, clipSidecar, ClipFiles, releaseClipFiles } from './clipFiles';

/**
 * The `workspaceState` key under which each workspace remembers the folder its clips are
 * saved into: an absolute file-system path, chosen with a folder picker on the first save.
 * When that folder no longer exists, the next save offers to create it again or to choose
 * another.
 */
export const SAVE_FOLDER_KEY = 'pictory.saveToWorkspace.folder';

export interface SaveToWorkspaceDeps {
  readonly loadFetch: MediaLoader;
  /** Where the chosen folder is remembered, under `SAVE_FOLDER_KEY`. */
  readonly workspaceState: vscode.Memento;
  readonly log: (message: string) => void;
}

interface Clip {
  readonly record: JobRecord;
  readonly url: string;
}

interface Outcome {
  /** The videos saved, in order. */
  readonly saved: readonly string[];
  readonly failed: readonly { readonly record: JobRecord; readonly reason: string }[];
  readonly cancelled: boolean;
}

/**
 * Saves finished clips into the workspace folder chosen for them: each one's video as
 * `<prompt>.mp4` with its details in `<prompt>.json`, never over an existing file. One
 * progress notification for them all; Cancel stops at the clip being saved, which is removed.
 */
export async function saveToWorkspace(deps: SaveToWorkspaceDeps, records: readonly JobRecord[]): Promise<void> {
  const clips = savableClips(records);
  if (clips.length === 0) {
    void showInfo(vscode.l10n.t('Only finished clips with a video can be saved.'));
    return;
  }
  if (clips.length < records.length) deps.log(`Save to workspace: ${records.length - clips.length} of ${records.length} jobs have no video to save`);
  const folder = await saveFolder(deps);
  if (!folder) return;
  const title =
    clips.length === 1
      ? vscode.l10n.t('Saving "{0}" to {1}', shortenPrompt(clips[0].record.request.prompt), displayPath(folder))
      : vscode.l10n.t('Saving {0} clips to {1}', clips.length, displayPath(folder));
  const outcome = await withCancellableProgress(title, (progress, signal) => saveClips(clips, folder, deps, progress, signal));
  report(outcome, clips.length, folder, deps);
}

/** Completed jobs whose video address may be fetched. */
function savableClips(records: readonly JobRecord[]): Clip[] {
  return records.flatMap((record) => {
    const url = record.state === 'completed' ? safeMediaUrl(record.video?.url, record.endpoint) : undefined;
    return url ? [{ record, url }] : [];
  });
}

async function saveClips(
  clips: readonly Clip[],
  folder: string,
  deps: SaveToWorkspaceDeps,
  progress: ProgressReporter,
  signal: AbortSignal,
): Promise<Outcome> {
  const saved: string[] = [];
  const failed: { record: JobRecord; reason: string }[] = [];
  const share = 100 / clips.length;
  for (const [index, clip] of clips.entries()) {
    if (signal.aborted) break;
    if (clips.length > 1) progress.report({ message: vscode.l10n.t('{0} of {1}: {2}', index + 1, clips.length, shortenPrompt(clip.record.request.prompt)) });
    let reported = 0;
    try {
      const video = await saveClip(clip, folder, deps.loadFetch, signal, (fraction) => {
        reported += fraction * share;
        progress.report({ increment: fraction * share });
      });
      saved.push(video);
      deps.log(`Saved job ${clip.record.id} to ${video}`);
    } catch (error) {
      if (signal.aborted) break;
      const reason = error instanceof Error ? error.message : String(error);
      failed.push({ record: clip.record, reason });
      deps.log(`Saving job ${clip.record.id} failed: ${reason}`);
    }
    progress.report({ increment: Math.max(0, share - reported) });
  }
  return { saved, failed, cancelled: signal.aborted };
}

/** The video and its sidecar, or neither. */
async function saveClip(clip: Clip, folder: string, loadFetch: MediaLoader, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<string> {
  const files: ClipFiles = await claimClipFiles(folder, clipBaseName(clip.record.request.prompt, `pictory-${clip.record.id}`));
  try {
    await downloadToFile(clip.url, files.video, loadFetch, signal, onProgress);
    await fs.writeFile(files.sidecar, JSON.stringify(clipSidecar(clip.record, clip.url), null, 2) + '\n');
    return files.video;
  } catch (error) {
    await releaseClipFiles(files);
    throw error;
  }
}

function report(outcome: Outcome, total: number, folder: string, deps: SaveToWorkspaceDeps): void {
  const { saved, failed, cancelled } = outcome;
  const where = displayPath(folder);
  if (cancelled) {
    deps.log(`Save to workspace cancelled after ${saved.length} of ${total} clips`);
    if (saved.length > 0) void showInfo(vscode.l10n.t('Stopped: {0} of {1} clips were saved to {2}.', saved.length, total, where));
    return;
  }
  if (failed.length > 0) {
    const reasons = failed.map(({ record, reason }) => vscode.l10n.t('"{0}": {1}', shortenPrompt(record.request.prompt), reason)).join('; ');
    void showError(vscode.l10n.t('{0} of {1} clips could not be saved to {2}: {3}', failed.length, total, where, reasons));
    return;
  }
  const show = vscode.l10n.t('Show in Explorer');
  const change = vscode.l10n.t('Use Another Folder Next Time');
  const message = saved.length === 1 ? vscode.l10n.t('Saved the clip to {0}.', where) : vscode.l10n.t('Saved {0} clips to {1}.', saved.length, where);
  void showInfo(message, show, change).then(async (answer) => {
    if (answer === show) {
      const first = vscode.Uri.file(saved[0]);
      await vscode.commands.executeCommand(vscode.workspace.getWorkspaceFolder(first) ? 'revealInExplorer' : 'revealFileInOS', first);
    }
    if (answer === change) await pickFolder(deps);
  });
}

/** The remembered folder when it exists; else one the user picks (or creates again), remembered. */
async function saveFolder(deps: SaveToWorkspaceDeps): Promise<string | undefined> {
  if (!vscode.workspace.workspaceFolders?.length) {
    void showInfo(vscode.l10n.t('Open a folder first: clips are saved into a folder of the workspace.'));
    return undefined;
  }
  const remembered = deps.workspaceState.get<unknown>(SAVE_FOLDER_KEY);
  if (typeof remembered !== 'string' || remembered === '') return pickFolder(deps);
  if (await isFolder(remembered)) return remembered;
  const create = vscode.l10n.t('Create It Again');
  const choose = vscode.l10n.t('Choose Another Folder');
  const answer = await showWarning(vscode.l10n.t('The folder clips are saved into no longer exists: {0}', remembered), create, choose);
  if (answer === choose) return pickFolder(deps);
  if (answer !== create) return undefined;
  await fs.mkdir(remembered, { recursive: true });
  return remembered;
}

async function pickFolder(deps: SaveToWorkspaceDeps): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: vscode.l10n.t('Save Clips Here'),
    title: vscode.l10n.t('Choose the folder to save clips into'),
  });
  const folder = picked?.[0];
  if (!folder) return undefined;
  if (folder.scheme !== 'file') {
    void showError(vscode.l10n.t('Clips can only be saved to a local folder.'));
    return undefined;
  }
  await deps.workspaceState.update(SAVE_FOLDER_KEY, folder.fsPath);
  deps.log(`Clips of this workspace are saved to ${folder.fsPath}`);
  return folder.fsPath;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The folder relative to the workspace when inside it, else its full path. */
function displayPath(folder: string): string {
  return vscode.workspace.asRelativePath(folder, false) || folder;
}
