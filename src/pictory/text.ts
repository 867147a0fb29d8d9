/**
 * Tiny message formatter with the same contract as `vscode.l10n.t`: `{0}`, `{1}`… are
 * replaced by the arguments. Modules here take a `Translate` so that the VS Code layer can
 * pass `vscode.l10n.t` while unit tests use this one.
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

export const formatMessage: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (placeholder, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? placeholder : String(value);
  });

/**
 * Text from the API or from a file, made safe for a notification: VS Code renders Markdown
 * links there, and a `[label](command:…)` from outside must not become a clickable command.
 */
export function inertText(text: string): string {
  return text.replace(/\]\s*\(/g, '] (');
}
