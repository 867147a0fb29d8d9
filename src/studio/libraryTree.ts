import * as vscode from 'vscode';
import { JobRecord } from '../jobs/jobRecord';
import { PictoryClient } from '../pictory/client';
import { describeError, PictoryApiError } from '../pictory/errors';
import { LibraryVideo } from '../pictory/responses';
import { jobItem, StudioNode } from './clipsTree';

export const LIBRARY_VIEW = 'pictory.library';
export const LOAD_MORE_COMMAND = 'pictory.loadMoreLibrary';

export type LibraryNode = StudioNode | { readonly kind: 'more' } | { readonly kind: 'problem'; readonly message: string };

/** A video of the account, as a finished job, so that the clip actions work on it too. */
export function libraryRecord(video: LibraryVideo, endpoint: string): JobRecord {
  const createdAt = Date.parse(video.createdDate ?? '') || 0;
  return {
    id: `library-${video.id ?? video.url}`,
    endpoint,
    request: { prompt: video.prompt ?? '', model: video.model ?? '', aspectRatio: video.aspectRatio ?? '', duration: video.duration ?? '' },
    submittedAt: createdAt,
    deadline: createdAt,
    state: 'completed',
    updatedAt: createdAt,
    video,
  };
}

/** The account's videos from Pictory, newest first, a page at a time (loaded when shown). */
export class LibraryProvider implements vscode.TreeDataProvider<LibraryNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private videos: JobRecord[] = [];
  private nextPageKey: string | undefined;
  private loaded = false;
  /** The page being loaded: the view and a command asking at once share one request. */
  private loading: Promise<void> = Promise.resolve();
  private problem: string | undefined;

  constructor(private readonly client: () => Promise<{ client: PictoryClient; endpoint: string } | undefined>) {}

  /** Forgets what was loaded; the next look loads the first page again. */
  refresh(): void {
    this.loaded = false;
    this.changed.fire();
  }

  async loadMore(): Promise<void> {
    await this.loading;
    if (!this.nextPageKey) return;
    this.loading = this.load(this.nextPageKey);
    await this.loading;
    this.changed.fire();
  }

  getTreeItem(node: LibraryNode): vscode.TreeItem {
    switch (node.kind) {
      case 'job': {
        const item = jobItem(node.record, Date.now(), false);
        item.id = node.record.id;
        item.contextValue = 'pictory.library.video';
        if (!node.record.request.prompt) item.label = vscode.l10n.t('Untitled video');
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(vscode.l10n.t('Load more…'));
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: LOAD_MORE_COMMAND, title: vscode.l10n.t('Load more…') };
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(node.message);
        item.iconPath = new vscode.ThemeIcon('warning');
        item.tooltip = node.message;
        return item;
      }
      case 'day':
        return new vscode.TreeItem(node.label);
    }
  }

  async getChildren(node?: LibraryNode): Promise<LibraryNode[]> {
    if (node) return [];
    if (!this.loaded) {
      this.loaded = true;
      this.videos = [];
      this.nextPageKey = undefined;
      this.loading = this.load(undefined);
    }
    await this.loading;
    const nodes: LibraryNode[] = this.videos.map((record) => ({ kind: 'job', record }));
    if (this.problem) nodes.push({ kind: 'problem', message: this.problem });
    else if (this.nextPageKey) nodes.push({ kind: 'more' });
    return nodes;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async load(pageKey: string | undefined): Promise<void> {
    this.problem = undefined;
    // A refresh while this page loads starts a new list: this page then belongs to none.
    const list = this.videos;
    const connection = await this.client();
    if (!connection) {
      this.problem = vscode.l10n.t('Set an API key to see your Pictory videos.');
      return;
    }
    try {
      const page = await connection.client.listVideos(pageKey, AbortSignal.timeout(30_000));
      if (list !== this.videos) return;
      list.push(...page.items.map((video) => libraryRecord(video, connection.endpoint)));
      this.nextPageKey = page.nextPageKey;
    } catch (error) {
      const reason = error instanceof PictoryApiError ? describeError(error, vscode.l10n.t) : String(error);
      this.problem = vscode.l10n.t('Could not load your Pictory videos: {0}', reason);
    }
  }
}
