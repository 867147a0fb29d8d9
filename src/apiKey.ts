import * as vscode from 'vscode';
import { showError } from './notify';
import { Logger } from './log';

export { SECRET_KEY } from './contributionIds';
import { SECRET_KEY } from './contributionIds';
export const API_KEY_PAGE = 'https://app.pictory.ai/api-access';

/** The API key, kept only in VS Code's SecretStorage (the system keychain). */
export class ApiKeyStore {
  /** Kept for this window when the keychain refuses to store it. */
  private unsaved: string | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly logger: Logger,
    /** Awaited after the key is stored or removed here, so that what depends on it has followed when this resolves. */
    private readonly onChanged: () => Promise<void> = async () => undefined,
  ) {}

  async get(): Promise<string | undefined> {
    const key = this.unsaved ?? (await this.secrets.get(SECRET_KEY));
    this.logger.hide(key);
    return key;
  }

  /** The stored key, or one the user enters now; `undefined` if they decline. */
  async getOrAsk(): Promise<string | undefined> {
    return (await this.get()) ?? (await this.askAndStore('missing'));
  }

  async askAndStore(reason: 'missing' | 'rejected' | 'change'): Promise<string | undefined> {
    const key = await askForKey(reason);
    if (!key) return undefined;
    this.logger.hide(key);
    await this.store(key);
    return key;
  }

  async clear(): Promise<void> {
    this.unsaved = undefined;
    await this.secrets.delete(SECRET_KEY);
    await this.onChanged();
  }

  async store(key: string): Promise<void> {
    this.logger.hide(key);
    try {
      await this.secrets.store(SECRET_KEY, key);
      this.unsaved = undefined;
    } catch (error) {
      this.unsaved = key;
      const reason = error instanceof Error ? this.logger.redact(error.message) : '';
      this.logger.error(`Storing the API key failed: ${reason}`);
      void showError(
        vscode.l10n.t(
          'The API key could not be saved in the system keychain ({0}). It will be used in this window only; set up a keychain (for example gnome-keyring) to keep it.',
          reason,
        ),
      );
    }
    await this.onChanged();
  }
}

function askForKey(reason: 'missing' | 'rejected' | 'change'): Promise<string | undefined> {
  const input = vscode.window.createInputBox();
  input.title = vscode.l10n.t('Pictory API Key');
  input.password = true;
  input.ignoreFocusOut = true;
  input.placeholder = 'pictai_…';
  input.prompt =
    reason === 'rejected'
      ? vscode.l10n.t('Pictory rejected the stored key. Enter a new key (issued at {0}).', API_KEY_PAGE)
      : vscode.l10n.t('Enter your Pictory API key (issued at {0}). It is kept in the system keychain.', API_KEY_PAGE);
  const getKey: vscode.QuickInputButton = {
    iconPath: new vscode.ThemeIcon('link-external'),
    tooltip: vscode.l10n.t('Get an API key'),
  };
  input.buttons = [getKey];
  return new Promise((resolve) => {
    const disposables: vscode.Disposable[] = [];
    const finish = (value: string | undefined) => {
      disposables.forEach((d) => d.dispose());
      input.dispose();
      resolve(value);
    };
    input.onDidTriggerButton(() => void vscode.env.openExternal(vscode.Uri.parse(API_KEY_PAGE)), undefined, disposables);
    input.onDidChangeValue((value) => (input.validationMessage = keyProblem(value.trim())), undefined, disposables);
    input.onDidAccept(
      () => {
        const value = input.value.trim();
        input.validationMessage = keyProblem(value);
        if (value && !input.validationMessage) finish(value);
      },
      undefined,
      disposables,
    );
    input.onDidHide(() => finish(undefined), undefined, disposables);
    input.show();
  });
}

/**
 * A key travels in an HTTP header, which takes printable ASCII only: anything else (a
 * space, a letter pasted with an accent, an invisible character) cannot be sent at all.
 */
export function keyProblem(key: string): string | undefined {
  const bad = [...key].find((character) => !/^[\x21-\x7e]$/.test(character));
  if (bad === undefined) return undefined;
  if (/\s/.test(bad)) return vscode.l10n.t('A key has no spaces or line breaks.');
  const code = `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return vscode.l10n.t('A key has only printable ASCII characters; this one contains {0}.', code);
}
