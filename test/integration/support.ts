// Shared pieces of the integration suites, which run inside VS Code's extension host.
import * as vscode from 'vscode';

export const EXTENSION_ID = 'pictory-vscode.pictory-vscode';

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('pictory').update(key, value, vscode.ConfigurationTarget.Global);
}

export async function selectInNewDocument(text: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ content: text, language: 'markdown' });
  const editor = await vscode.window.showTextDocument(document);
  editor.selection = new vscode.Selection(document.positionAt(0), document.positionAt(text.length));
}
