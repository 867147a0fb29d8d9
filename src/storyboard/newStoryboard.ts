import * as vscode from 'vscode';
import { showError } from '../notify';

/** The example a new storyboard starts from: three scenes, each continuing the one before. */
export function exampleStoryboard(): string {
  return [
    '---',
    'pictory: storyboard',
    'model: pixverse5.5',
    'aspectRatio: "16:9"',
    'duration: 5s',
    'continuity: lastFrame   # each scene starts from the last frame of the one before (or: none)',
    'transition: fade        # between scenes of the rendered film',
    '---',
    '',
    vscode.l10n.t('## The lantern'),
    vscode.l10n.t('A paper lantern floats over a calm lake at night, its warm light on the water, slow camera push-in'),
    '',
    vscode.l10n.t('## It rises'),
    '<!-- duration: 8s -->',
    vscode.l10n.t('The lantern rises toward the stars as the camera tilts up to follow it, gentle breeze'),
    '',
    vscode.l10n.t('## Among the stars'),
    vscode.l10n.t('The lantern drifts among the stars and becomes one more of them, wide shot, slow fade of its glow'),
    '',
  ].join('\n');
}

/** The first free `storyboard.md`, `storyboard-2.md`… in `folder`. */
async function freeName(folder: vscode.Uri): Promise<vscode.Uri> {
  for (let number = 1; ; number++) {
    const candidate = vscode.Uri.joinPath(folder, number === 1 ? 'storyboard.md' : `storyboard-${number}.md`);
    try {
      await vscode.workspace.fs.stat(candidate);
    } catch {
      return candidate;
    }
  }
}

/**
 * "Pictory: New Storyboard": a file with the example, in the workspace's first folder (named
 * by the user), or without a folder open an untitled one. Scenes' clips are remembered by the
 * file's location, so a saved file is best.
 */
export async function newStoryboard(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) {
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: exampleStoryboard() });
    await vscode.window.showTextDocument(document);
    return;
  }
  const suggested = await freeName(folder);
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('New Storyboard'),
    prompt: vscode.l10n.t('The storyboard file, in {0}', folder.path.split('/').pop() ?? folder.path),
    value: suggested.path.split('/').pop(),
    validateInput: (value) => validName(value),
  });
  if (!name) return;
  const target = vscode.Uri.joinPath(folder, name.endsWith('.md') ? name : `${name}.md`);
  try {
    await vscode.workspace.fs.stat(target);
    void showError(vscode.l10n.t('{0} already exists: pick another name.', name));
    return;
  } catch {
    // Free: made below.
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(exampleStoryboard()));
  await vscode.window.showTextDocument(target);
}

function validName(value: string): string | undefined {
  if (!value.trim()) return vscode.l10n.t('Give the file a name.');
  if (/[\\/:*?"<>|]/.test(value)) return vscode.l10n.t('A file name without / \\ : * ? " < > |');
  return undefined;
}
