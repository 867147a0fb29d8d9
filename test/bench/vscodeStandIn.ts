// A stand-in for the `vscode` module, enough for the extension's views to build their items
// in plain Node: tree items, icons, Markdown, l10n, events, tree views and quick picks. Import
// it before any module that imports `vscode` (the bundle keeps `vscode` external and requires
// it when those modules load).
import Module from 'node:module';

type Listener<T> = (value: T) => unknown;
type QuickPick = (items: readonly unknown[]) => Promise<unknown>;

const disposable = { dispose(): void {} };

class EventEmitter<T> {
  private readonly listeners: Array<Listener<T>> = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return disposable;
  };

  fire(value: T): void {
    for (const listener of this.listeners) listener(value);
  }

  dispose(): void {}
}

class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;

  constructor(
    readonly label: string,
    readonly collapsibleState = 0,
  ) {}
}

class ThemeIcon {
  constructor(readonly id: string) {}
}

/** As VS Code's: text appended is escaped, so that it shows as written. */
class MarkdownString {
  isTrusted = false;
  supportHtml = false;

  constructor(
    public value = '',
    readonly supportThemeIcons = false,
  ) {}

  appendText(text: string): this {
    this.value += text.replace(/[\\`*_{}[\]()#+\-.!<>]/g, '\\$&').replace(/\n/g, '\n\n');
    return this;
  }

  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
}

interface StandInUri {
  readonly scheme: string;
  readonly fsPath: string;
  readonly path: string;
  toString(): string;
}

function fileUri(fsPath: string): StandInUri {
  return { scheme: 'file', fsPath, path: fsPath, toString: () => `file://${encodeURI(fsPath)}` };
}

function format(message: string, ...values: unknown[]): string {
  return message.replace(/\{(\d+)\}/g, (whole, index: string) => (values[Number(index)] === undefined ? whole : String(values[Number(index)])));
}

let quickPick: QuickPick = () => Promise.resolve(undefined);

/** What `vscode.window.showQuickPick` does from now on: the bench sees the items it is given. */
export function onQuickPick(handler: QuickPick): void {
  quickPick = handler;
}

const vscode = {
  version: '1.139.1',
  EventEmitter,
  TreeItem,
  ThemeIcon,
  MarkdownString,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ViewColumn: { Active: -1, Beside: -2 },
  Uri: {
    file: fileUri,
    joinPath: (base: StandInUri, ...parts: string[]) => fileUri([base.fsPath, ...parts].join('/')),
  },
  Disposable: class {
    constructor(readonly dispose: () => void) {}
    static from(...items: Array<{ dispose(): unknown }>) {
      return { dispose: () => items.forEach((item) => item.dispose()) };
    }
  },
  l10n: { t: format },
  env: { language: 'en', clipboard: { writeText: () => Promise.resolve() } },
  commands: {
    registerCommand: () => disposable,
    executeCommand: () => Promise.resolve(undefined),
  },
  window: {
    createTreeView: () => ({ visible: false, message: undefined, onDidChangeVisibility: () => disposable, dispose(): void {} }),
    showQuickPick: (items: readonly unknown[] | Promise<readonly unknown[]>) => Promise.resolve(items).then((resolved) => quickPick(resolved)),
    showInformationMessage: () => Promise.resolve(undefined),
    showWarningMessage: () => Promise.resolve(undefined),
    showErrorMessage: () => Promise.resolve(undefined),
    createStatusBarItem: () => ({ show(): void {}, hide(): void {}, dispose(): void {} }),
  },
  workspace: {
    getConfiguration: () => ({ get: <T>(_key: string, fallback?: T) => fallback }),
    onDidChangeConfiguration: () => disposable,
  },
};

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Loader };
const originalLoad = loader._load;
loader._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
  return request === 'vscode' ? vscode : originalLoad.call(this, request, parent, isMain);
};
