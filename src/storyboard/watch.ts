import vscode = require('vscode');
import { isMarkerLine } from './storyboardFormat';

const FRONT_MATTER_LINES = 50;

/** Whether a document is a storyboard, from its first lines only (no copy of the whole text). */
export function isStoryboardDocument(document: vscode.TextDocument): boolean {
  if (document.languageId !== 'markdown' || document.lineCount < 2 || document.lineAt(0).text.trim() !== '---') return false;
  for (let line = 1; line < Math.min(document.lineCount, FRONT_MATTER_LINES); line++) {
    const text = document.lineAt(line).text;
    if (/^(---|\.\.\.)\s*$/.test(text)) return false;
    if (isMarkerLine(text)) return true;
  }
  return false;
}

/**
 * Calls `found` once, when the first storyboard is open (now, or opened or written later):
 * until then the storyboard features cost nothing but this look at Markdown files.
 */
export function whenStoryboardOpens(found: () => void): vscode.Disposable {
  if (vscode.workspace.textDocuments.some(isStoryboardDocument)) {
    found();
    return new vscode.Disposable(() => undefined);
  }
  const listeners: vscode.Disposable[] = [];
  const check = (document: vscode.TextDocument) => {
    if (!isStoryboardDocument(document)) return;
    listeners.forEach((listener) => listener.dispose());
    found();
  };
  listeners.push(
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((event) => check(event.document)),
  );
  return new vscode.Disposable(() => listeners.forEach((listener) => listener.dispose()));
}
