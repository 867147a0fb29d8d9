import * as vscode from 'vscode';
import { JobRecord } from '../jobs/jobRecord';
import { LocalCopy } from '../jobs/localCopies';
import { showError } from '../notify';
import { originsCover, WebOrigins, withOrigins } from '../webview/page';
import { PageReadiness } from '../webview/readiness';
import { pageShell } from '../webview/shell';
import { inertText } from '../pictory/text';
import { jobCredits } from './clipsTree';
import { galleryDeck, galleryHtml, galleryMessages } from './galleryCards';
import { GalleryAction, GalleryExtensionMessage, GalleryLabels, parseGalleryMessage, GalleryWebviewMessage } from './galleryProtocol';

export { GALLERY_VIEW_TYPE } from '../contributionIds';
import { GALLERY_VIEW_TYPE } from '../contributionIds';
/** Jobs and copies change in bursts (a copy is three files): one refresh per burst. */
const REFRESH_DELAY_MS = 150;

export interface GalleryHost {
  readonly extensionUri: vscode.Uri;
  /** The local copies' root folder: the page may load files under it. */
  readonly copiesFolder: vscode.Uri;
  /** This machine's job records (the gallery keeps the completed ones with a video). */
  listClips(): Promise<readonly JobRecord[]>;
  /** A clip's local copy, as known after `loadCopies()`. */
  localCopy(jobId: string): LocalCopy | undefined;
  loadCopies(): Promise<void>;
  /** Jobs changed, or copies arrived or went. */
  onDidChangeClips(listener: () => void): { dispose(): void };
  openPreview(record: JobRecord): void;
  runAction(action: GalleryAction, record: JobRecord): Promise<void>;
  log(message: string): void;
}

export function galleryLabels(): GalleryLabels {
  return {
    filter: vscode.l10n.t('Filter by prompt'),
    model: vscode.l10n.t('Model'),
    allModels: vscode.l10n.t('All models'),
    oneClip: vscode.l10n.t('1 clip'),
    clips: vscode.l10n.t('{0} clips'),
    clipsFiltered: vscode.l10n.t('{0} of {1} clips'),
    empty: vscode.l10n.t('No clips yet. Generate a video to see it here.'),
    generate: vscode.l10n.t('Generate Video'),
    noMatch: vscode.l10n.t('No clip matches the filter.'),
    clearFilter: vscode.l10n.t('Clear Filter'),
    credits: vscode.l10n.t('{0} credits'),
    justNow: vscode.l10n.t('just now'),
    minutesAgo: vscode.l10n.t('{0} min ago'),
    hoursAgo: vscode.l10n.t('{0} h ago'),
    daysAgo: vscode.l10n.t('{0} d ago'),
    noThumbnail: vscode.l10n.t('No thumbnail'),
    continueFromLastFrame: vscode.l10n.t('Continue from Last Frame'),
    regenerate: vscode.l10n.t('Regenerate'),
    download: vscode.l10n.t('Download…'),
    copyUrl: vscode.l10n.t('Copy URL'),
    removeFromMachine: vscode.l10n.t('Remove from This Machine'),
  };
}

/**
 * The gallery: one editor panel with a card for each finished clip of this machine, newest
 * first. The page gets its clips by message and filters them itself; the panel sends them
 * again when jobs or local copies change.
 */
export class Gallery implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private records = new Map<string, JobRecord>();
  /** What the page is given: the first cards, then the others in parts (each made when first sent). */
  private messages: Array<() => GalleryExtensionMessage> = [];
  private jobIds: readonly string[] = [];
  private builds = 0;
  private postings = 0;
  /**
   * The remote origins the page's Content Security Policy allows, kept when the panel closes:
   * the page can then load while the clips are read, without waiting to learn them.
   */
  private policy: WebOrigins = { imageOrigins: [], mediaOrigins: [] };
  private readiness: PageReadiness | undefined;
  /** Clips changed while the page was hidden (and discarded): build them again when it is back. */
  private stale = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private rendered: { count: number; ms: number } | undefined;

  constructor(private readonly host: GalleryHost) {}

  /** Opens the gallery, or brings the open one forward. */
  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(GALLERY_VIEW_TYPE, '', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: this.resourceRoots(),
    });
    await this.adopt(panel);
  }

  /** Takes a panel VS Code restored after a reload (from a `WebviewPanelSerializer`). */
  async restore(panel: vscode.WebviewPanel): Promise<void> {
    if (this.panel) {
      panel.dispose();
      this.panel.reveal();
      return;
    }
    await this.adopt(panel);
  }

  get isOpen(): boolean {
    return !!this.panel;
  }

  /** What the page last reported painting (for tests and the log). */
  get lastRendered(): { count: number; ms: number } | undefined {
    return this.rendered;
  }

  /** The jobs of the cards last sent to the page, in order (before any filter typed there). */
  visibleJobIds(): string[] {
    return [...this.jobIds];
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private resourceRoots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.host.extensionUri, 'media'), vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'codicons'), this.host.copiesFolder];
  }

  private async adopt(panel: vscode.WebviewPanel): Promise<void> {
    this.panel = panel;
    panel.title = vscode.l10n.t('Pictory Gallery');
    panel.iconPath = new vscode.ThemeIcon('device-camera-video');
    panel.webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
    const disposables = this.panelDisposables;
    panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message), undefined, disposables);
    panel.onDidDispose(() => this.onPanelDisposed(panel), undefined, disposables);
    this.readiness = new PageReadiness(panel, { name: 'Gallery', set: () => this.setPage(), log: (line) => this.host.log(line) });
    disposables.push(this.readiness);
    const subscription = this.host.onDidChangeClips(() => this.scheduleRefresh());
    disposables.push({ dispose: () => subscription.dispose() });
    // The page loads while the clips are read; it is set again only if they need a new origin.
    this.setPage();
    await this.refresh();
  }

  private onPanelDisposed(panel: vscode.WebviewPanel): void {
    if (this.panel !== panel) return;
    clearTimeout(this.refreshTimer);
    for (const disposable of this.panelDisposables) disposable.dispose();
    this.panelDisposables = [];
    this.panel = undefined;
    this.messages = [];
    this.jobIds = [];
    this.records.clear();
    this.readiness = undefined;
    this.stale = false;
  }

  private scheduleRefresh(): void {
    if (!this.panel) return;
    if (!this.panel.visible) {
      this.stale = true;
      return;
    }
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
  }

  /** Reads the clips and gives them to the page; calls during one run make one more run. */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          await this.build();
        } catch (error) {
          this.host.log(`Gallery: could not show the clips: ${error instanceof Error ? error.message : String(error)}`);
        }
      } while (this.refreshAgain && this.panel);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async build(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    let records: readonly JobRecord[];
    try {
      [records] = await Promise.all([this.host.listClips(), this.host.loadCopies()]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.host.log(`Gallery: could not read this machine's clips: ${reason}`);
      void showError(vscode.l10n.t('Pictory: could not read the clips of this machine: {0}', inertText(reason)));
      records = [];
    }
    if (this.panel !== panel) return;
    const webview = panel.webview;
    const deck = galleryDeck(records, {
      toWebviewUri: (file) => webview.asWebviewUri(vscode.Uri.file(file)).toString(),
      localCopy: (jobId) => this.host.localCopy(jobId),
      credits: jobCredits,
    });
    this.records = new Map(records.map((record) => [record.id, record]));
    this.messages = galleryMessages(deck, galleryLabels(), Date.now(), ++this.builds);
    this.jobIds = deck.jobIds;
    this.stale = false;
    if (!originsCover(this.policy, deck)) {
      // The page may only load what its policy names: a new origin needs a new page.
      this.policy = withOrigins(this.policy, deck);
      this.host.log(`Gallery: its page may now load from ${[...this.policy.imageOrigins, ...this.policy.mediaOrigins].join(', ')}`);
      this.setPage();
    } else if (this.readiness?.isReady) {
      void this.post();
    }
  }

  /** Gives the page its messages in order, each once the one before is on its way; stops when posting starts again. */
  private async post(): Promise<void> {
    const { panel, messages } = this;
    const posting = ++this.postings;
    for (const message of messages) {
      if (!panel || this.panel !== panel || posting !== this.postings || !this.readiness?.isReady) return;
      await panel.webview.postMessage(message());
    }
  }

  private setPage(): void {
    const panel = this.panel;
    if (!panel) return;
    panel.webview.html = galleryHtml(pageShell(panel.webview, this.host.extensionUri, { style: 'gallery.css', scripts: ['gallery.js'] }, this.policy));
    this.readiness?.expect();
  }

  private receive(raw: unknown): void {
    const message: GalleryWebviewMessage | undefined = parseGalleryMessage(raw);
    if (!message || !this.panel) return;
    switch (message.type) {
      case 'ready':
        this.readiness?.onReady();
        if (this.stale) void this.refresh();
        else void this.post();
        return;
      case 'rendered':
        this.rendered = { count: message.count, ms: message.ms };
        this.host.log(`Gallery showed ${message.count} clip(s) in ${Math.round(message.ms)} ms`);
        return;
      case 'generate':
        void vscode.commands.executeCommand('pictory.generateVideo');
        return;
      case 'open': {
        const record = this.records.get(message.jobId);
        if (record) this.host.openPreview(record);
        else this.host.log(`Gallery: job ${message.jobId} is no longer on this machine`);
        return;
      }
      case 'action': {
        const record = this.records.get(message.jobId);
        if (!record) {
          this.host.log(`Gallery: job ${message.jobId} is no longer on this machine`);
          return;
        }
        this.host.runAction(message.action, record).catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          this.host.log(`${message.action} failed for job ${record.id}: ${reason}`);
          void showError(vscode.l10n.t('Pictory: {0}', inertText(reason)));
        });
        return;
      }
    }
  }
}
