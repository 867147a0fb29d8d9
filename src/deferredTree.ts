import vscode = require('vscode');

/**
 * A tree view's data provider that loads the real one when the view first asks for its rows,
 * so that a view nobody opens costs nothing. Until then it has no rows to describe.
 */
export class DeferredTreeProvider<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | T[] | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private target: vscode.TreeDataProvider<T> | undefined;
  private subscription: vscode.Disposable | undefined;

  /** `load` makes the real provider attach itself (see `attach`). */
  constructor(private readonly load: () => void) {}

  /** Hands the rows over to `provider`, from now on. */
  attach(provider: vscode.TreeDataProvider<T>): void {
    this.subscription?.dispose();
    this.target = provider;
    this.subscription = provider.onDidChangeTreeData?.((change) => this.changed.fire(change ?? undefined));
    this.changed.fire();
  }

  getChildren(element?: T): vscode.ProviderResult<T[]> {
    if (!this.target) this.load();
    return this.target?.getChildren(element) ?? [];
  }

  getTreeItem(element: T): vscode.TreeItem | Thenable<vscode.TreeItem> {
    if (!this.target) throw new Error('A row was asked for before its view had any');
    return this.target.getTreeItem(element);
  }

  getParent(element: T): vscode.ProviderResult<T> {
    return this.target?.getParent?.(element);
  }

  dispose(): void {
    this.subscription?.dispose();
    this.changed.dispose();
  }
}

/** A view of the Pictory side bar and its provider, made at start-up and filled on first use. */
export interface DeferredView<T> {
  readonly view: vscode.TreeView<T>;
  readonly provider: DeferredTreeProvider<T>;
}

export function deferredView<T>(id: string, load: () => void, options: Omit<vscode.TreeViewOptions<T>, 'treeDataProvider'> = {}): DeferredView<T> {
  const provider = new DeferredTreeProvider<T>(load);
  const view = vscode.window.createTreeView(id, { ...options, treeDataProvider: provider });
  return { view, provider };
}
