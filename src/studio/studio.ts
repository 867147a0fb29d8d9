import * as vscode from 'vscode';
import { JobManager } from '../jobs/jobManager';
import { JobRecord } from '../jobs/jobRecord';
import { creditsThisMonth, groupByDay, jobItem, StudioNode } from './clipsTree';
import { CreditWatch, describeQuota, formatNumber } from './credits';
import { LibraryNode, LibraryProvider } from './libraryTree';
import type { DeferredView } from '../deferredTree';
import { LocalCopies } from '../jobs/localCopies';

export { CLIPS_VIEW, RUNNING_VIEW } from '../contributionIds';
import { HAS_API_KEY_CONTEXT } from '../contributionIds';

/** The side bar's views, made by the start-up entry (each when first asked for): the studio fills them once it is loaded. */
export interface StudioViews {
  readonly running: DeferredView<StudioNode>;
  readonly clips: DeferredView<StudioNode>;
  readonly library: DeferredView<LibraryNode>;
  /** Makes what shows only while a key is set (the library view, the chat tools), before the key's context says so. */
  keyIsSet(): void;
}

/** The jobs this window follows now, with their elapsed time. */
class RunningProvider implements vscode.TreeDataProvider<StudioNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly jobs: JobManager) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: StudioNode): vscode.TreeItem {
    return node.kind === 'job' ? jobItem(node.record, Date.now(), true) : new vscode.TreeItem(node.label);
  }

  getChildren(node?: StudioNode): StudioNode[] {
    return node ? [] : this.jobs.running().map((record) => ({ kind: 'job', record }));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Every job of this machine's store, newest first, grouped by day. */
class ClipsProvider implements vscode.TreeDataProvider<StudioNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private records: JobRecord[] = [];

  constructor(
    private readonly jobs: JobManager,
    private readonly copies: LocalCopies,
    private readonly onLoaded: (records: readonly JobRecord[]) => void,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: StudioNode): vscode.TreeItem {
    if (node.kind === 'job') return jobItem(node.record, Date.now(), false, this.copies.known(node.record.id));
    const item = new vscode.TreeItem(node.label, node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `day:${node.label}`;
    item.description = node.jobs.length === 1 ? vscode.l10n.t('1 clip') : vscode.l10n.t('{0} clips', node.jobs.length);
    return item;
  }

  async getChildren(node?: StudioNode): Promise<StudioNode[]> {
    if (node) return node.kind === 'day' ? node.jobs.map((record) => ({ kind: 'job', record })) : [];
    const [records] = await Promise.all([this.jobs.list(), this.copies.load()]);
    this.records = records.filter((record) => record.state !== 'submitting');
    this.onLoaded(this.records);
    return groupByDay(this.records, Date.now());
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The Pictory view container: the running jobs and this machine's clips. The views read
 * the job store only when shown; context keys keep their menus and welcome pages honest.
 */
export class Studio implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly running: RunningProvider;
  private readonly clips: ClipsProvider;
  private readonly clipsView: vscode.TreeView<StudioNode>;
  private ticker: NodeJS.Timeout | undefined;

  private records: readonly JobRecord[] = [];

  constructor(
    private readonly jobs: JobManager,
    copies: LocalCopies,
    private readonly credits: CreditWatch,
    readonly library: LibraryProvider,
    private readonly hasKey: () => Promise<boolean>,
    private readonly views: StudioViews,
  ) {
    this.running = new RunningProvider(jobs);
    this.clips = new ClipsProvider(jobs, copies, (records) => this.describe(records));
    views.running.provider.attach(this.running);
    views.clips.provider.attach(this.clips);
    views.library.provider.attach(library);
    this.clipsView = views.clips.view;
    this.disposables.push(this.running, this.clips, library);
    this.clipsView.onDidChangeVisibility((event) => event.visible && this.onOpened(), undefined, this.disposables);
    credits.onDidChange(() => this.describe(), undefined, this.disposables);
    const subscription = jobs.onDidChange((record) => this.onJobsChanged(record));
    const copiesSubscription = copies.onDidChange(() => this.clips.refresh());
    this.disposables.push(subscription, copiesSubscription);
    this.onJobsChanged();
    if (this.clipsView.visible) this.onOpened();
  }

  /** The clips view's rows as shown now (for tests and the log). */
  get clipsProvider(): vscode.TreeDataProvider<StudioNode> {
    return this.clips;
  }

  get runningProvider(): vscode.TreeDataProvider<StudioNode> {
    return this.running;
  }

  /** The credits line shown at the top of This Machine. */
  get creditsText(): string | undefined {
    return this.clipsView.message;
  }

  refresh(): void {
    this.running.refresh();
    this.clips.refresh();
    void this.refreshKeyContext();
  }

  async refreshKeyContext(): Promise<void> {
    const hasKey = await this.hasKey();
    if (hasKey) this.views.keyIsSet();
    await vscode.commands.executeCommand('setContext', HAS_API_KEY_CONTEXT, hasKey);
  }

  /** A key was set or removed: the welcome page, and the credits shown, follow. */
  async onKeyChanged(): Promise<void> {
    await this.refreshKeyContext();
    this.library.refresh();
    if (this.clipsView.visible) await this.credits.refresh();
  }

  dispose(): void {
    this.stopTicking();
    for (const disposable of this.disposables.reverse()) disposable.dispose();
  }

  private onOpened(): void {
    void this.refreshKeyContext();
    // Shown again within moments (the side bar's layout changing): the credits just read still hold.
    void this.credits.refresh({ maxAgeMs: 10_000 });
  }

  private onJobsChanged(record?: JobRecord): void {
    // A completed job spent credits: read them again, if they are shown at all.
    if (record?.state === 'completed' && (this.credits.latest || this.clipsView.visible)) void this.credits.refresh();
    const running = this.jobs.running().length > 0;
    void vscode.commands.executeCommand('setContext', 'pictory.hasRunningJobs', running);
    this.running.refresh();
    this.clips.refresh();
    if (running) this.ticker ??= setInterval(() => this.running.refresh(), 1000);
    else this.stopTicking();
  }

  private describe(records: readonly JobRecord[] = this.records): void {
    this.records = records;
    const month = creditsThisMonth(records, Date.now());
    const quota = this.credits.latest;
    const parts = [quota ? describeQuota(quota) : undefined, month > 0 ? vscode.l10n.t('{0} credits this month', formatNumber(month)) : undefined];
    // As a message, not the view's description: VS Code hides a lone view's header. Not on an
    // empty view, though: a message hides the welcome page that says how to begin.
    this.clipsView.message = records.length > 0 ? parts.filter(Boolean).join(' · ') || undefined : undefined;
  }

  private stopTicking(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
