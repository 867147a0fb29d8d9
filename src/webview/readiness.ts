import * as vscode from 'vscode';

const READY_TIMEOUT_MS = 5000;
const MAX_RELOADS = 3;

/** The page a panel shows: how to set it again, and how to name it in the log. */
export interface PanelPage {
  /** Says what the page shows, for the log ("Gallery", "Preview of job 1"). */
  readonly name: string;
  /** Sets the page again; it calls `expect` once it has. */
  set(): void;
  log(line: string): void;
}

/**
 * Whether a panel's page has said it is ready since it was last set or shown. VS Code (web)
 * sometimes never delivers a page's script when several panels open at once, leaving a blank
 * page that never says so: the page is then set again, up to three times in a row. A hidden
 * panel's page is discarded and loads again when shown, so it must say it is ready again.
 */
export class PageReadiness implements vscode.Disposable {
  private ready = false;
  private disposed = false;
  private timer: NodeJS.Timeout | undefined;
  /** How often the page was set again because it never said it was ready (since it last was). */
  private reloads = 0;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly page: PanelPage,
  ) {
    let wasVisible = panel.visible;
    this.subscription = panel.onDidChangeViewState(() => {
      if (panel.visible && !wasVisible) this.expect();
      if (!panel.visible) this.ready = false;
      wasVisible = panel.visible;
    });
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** The page was just set (or shown again): it is to say it is ready. */
  expect(): void {
    this.ready = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onOverdue(), READY_TIMEOUT_MS);
  }

  /** The page said it is ready. */
  onReady(): void {
    this.ready = true;
    this.reloads = 0;
    clearTimeout(this.timer);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.subscription.dispose();
  }

  private onOverdue(): void {
    if (this.disposed || this.ready || !this.panel.visible) return;
    if (this.reloads >= MAX_RELOADS) {
      this.page.log(`${this.page.name} did not load after ${this.reloads} attempts`);
      return;
    }
    this.reloads++;
    this.page.log(`${this.page.name} did not load within ${READY_TIMEOUT_MS / 1000} s: setting its page again (attempt ${this.reloads})`);
    this.page.set();
  }
}
