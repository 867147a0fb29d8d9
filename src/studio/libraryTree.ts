import * as vscode from 'vscode';
import { isImageJob, JobRecord } from '../jobs/jobRecord';
import { PictoryClient } from '../pictory/client';
import { describeError, PictoryApiError } from '../pictory/errors';
import { LibraryImage, LibraryVideo } from '../pictory/responses';
import { jobItem, StudioNode } from './clipsTree';

export { LIBRARY_VIEW } from '../contributionIds';
export const LOAD_MORE_COMMAND = 'pictory.loadMoreLibrary';

/** The two lists of the account: its videos and its images, each loaded a page at a time. */
export type LibraryList = 'videos' | 'images';

export type LibraryNode =
  | StudioNode
  | { readonly kind: 'images' }
  | { readonly kind: 'more'; readonly list: LibraryList }
  | { readonly kind: 'problem'; readonly message: string };

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

/** An image of the account, as a finished image job, so that the image actions work on it too. */
export function libraryImageRecord(image: LibraryImage, endpoint: string): JobRecord {
  const createdAt = Date.parse(image.createdDate ?? '') || 0;
  const { url, width, height, style, referenceImageUrl } = image;
  return {
    kind: 'image',
    id: `library-image-${image.id ?? image.url}`,
    endpoint,
    request: {
      prompt: image.prompt ?? '',
      model: image.model ?? '',
      aspectRatio: image.aspectRatio ?? '',
      ...(style ? { style } : {}),
      ...(referenceImageUrl ? { referenceImageUrl } : {}),
    },
    submittedAt: createdAt,
    deadline: createdAt,
    state: 'completed',
    updatedAt: createdAt,
    video: { url, width, height },
  };
}

interface Page {
  readonly records: JobRecord[];
  readonly nextPageKey?: string;
}

/** One list of the account, read a page at a time; a refresh starts it again. */
class PagedList {
  records: JobRecord[] = [];
  nextPageKey: string | undefined;
  problem: string | undefined;
  private loaded = false;
  /** The page being loaded: the view and a command asking at once share one request. */
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly readPage: (pageKey: string | undefined) => Promise<Page | string>,
    private readonly describeProblem: (reason: string) => string,
  ) {}

  reset(): void {
    this.loaded = false;
  }

  async current(): Promise<void> {
    if (!this.loaded) {
      this.loaded = true;
      this.records = [];
      this.nextPageKey = undefined;
      this.loading = this.load(undefined);
    }
    await this.loading;
  }

  async more(): Promise<void> {
    await this.loading;
    if (!this.nextPageKey) return;
    this.loading = this.load(this.nextPageKey);
    await this.loading;
  }

  nodes(list: LibraryList): LibraryNode[] {
    const nodes: LibraryNode[] = this.records.map((record) => ({ kind: 'job', record }));
    if (this.problem) nodes.push({ kind: 'problem', message: this.problem });
    else if (this.nextPageKey) nodes.push({ kind: 'more', list });
    return nodes;
  }

  private async load(pageKey: string | undefined): Promise<void> {
    this.problem = undefined;
    // A refresh while this page loads starts a new list: this page then belongs to none.
    const list = this.records;
    try {
      const page = await this.readPage(pageKey);
      if (list !== this.records) return;
      if (typeof page === 'string') {
        this.problem = page;
        return;
      }
      list.push(...page.records);
      this.nextPageKey = page.nextPageKey;
    } catch (error) {
      const reason = error instanceof PictoryApiError ? describeError(error, vscode.l10n.t) : String(error);
      this.problem = this.describeProblem(reason);
    }
  }
}

type Connection = { client: PictoryClient; endpoint: string } | undefined;

/**
 * The account's videos from Pictory, newest first, a page at a time (loaded when shown), with
 * its images in a folder of their own at the top (loaded when opened).
 */
export class LibraryProvider implements vscode.TreeDataProvider<LibraryNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly videos: PagedList;
  private readonly images: PagedList;

  constructor(client: () => Promise<Connection>) {
    const noKey = vscode.l10n.t('Set an API key to see your Pictory videos and images.');
    this.videos = new PagedList(
      async (pageKey) => {
        const connection = await client();
        if (!connection) return noKey;
        const page = await connection.client.listVideos(pageKey, AbortSignal.timeout(30_000));
        return { records: page.items.map((video) => libraryRecord(video, connection.endpoint)), nextPageKey: page.nextPageKey };
      },
      (reason) => vscode.l10n.t('Could not load your Pictory videos: {0}', reason),
    );
    this.images = new PagedList(
      async (pageKey) => {
        const connection = await client();
        if (!connection) return noKey;
        const page = await connection.client.listImages(pageKey, AbortSignal.timeout(30_000));
        return { records: page.items.map((image) => libraryImageRecord(image, connection.endpoint)), nextPageKey: page.nextPageKey };
      },
      (reason) => vscode.l10n.t('Could not load your Pictory images: {0}', reason),
    );
  }

  /** Forgets what was loaded; the next look loads the first pages again. */
  refresh(): void {
    this.videos.reset();
    this.images.reset();
    this.changed.fire();
  }

  async loadMore(list: LibraryList = 'videos'): Promise<void> {
    await (list === 'images' ? this.images : this.videos).more();
    this.changed.fire();
  }

  getTreeItem(node: LibraryNode): vscode.TreeItem {
    switch (node.kind) {
      case 'job': {
        const item = jobItem(node.record, Date.now(), false);
        const image = isImageJob(node.record);
        item.id = node.record.id;
        item.contextValue = image ? 'pictory.library.image' : 'pictory.library.video';
        if (!node.record.request.prompt) item.label = image ? vscode.l10n.t('Untitled image') : vscode.l10n.t('Untitled video');
        return item;
      }
      case 'images': {
        const item = new vscode.TreeItem(vscode.l10n.t('Images'), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'library-images';
        item.iconPath = new vscode.ThemeIcon('file-media');
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(vscode.l10n.t('Load more…'));
        item.id = `library-more-${node.list}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: LOAD_MORE_COMMAND, title: vscode.l10n.t('Load more…'), arguments: [node] };
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
    if (node?.kind === 'images') {
      await this.images.current();
      return this.images.nodes('images');
    }
    if (node) return [];
    await this.videos.current();
    return [{ kind: 'images' }, ...this.videos.nodes('videos')];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
