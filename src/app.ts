import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { ApiKeyStore, SECRET_KEY } from './apiKey';
import { normalizeEndpoint, proxyInSettings, readSettings } from './config';
import { JobManager } from './jobs/jobManager';
import { isImageJob, JobRecord } from './jobs/jobRecord';
import { JobStore } from './jobs/jobStore';
import { Logger } from './log';
import { PictoryClient } from './pictory/client';
import { endpointProblem, lazyFetch } from './pictory/http';
import { probeMp4, probeMp4File } from './pictory/mp4';
import { LocalCopies, LocalCopy } from './jobs/localCopies';
import { LastEditorTracker, runClipAction } from './studio/clipActions';
import { PreviewPanels } from './preview/previewPanel';
import { AudioInfo } from './preview/protocol';
import { JobStatusBar } from './statusBar';
import { SubmissionsInFlight } from './generate/submission';
import { CreditWatch } from './studio/credits';
import { LibraryProvider } from './studio/libraryTree';
import { Studio, StudioViews } from './studio/studio';
import { Gallery } from './studio/gallery';
import { askModal } from './notify';
import { shortenPrompt } from './pictory/prompts';
import { Quota } from './pictory/responses';
import { ParseStoryboard, Storyboards } from './storyboard/storyboards';
import { StoryboardPanels } from './storyboard/storyboardPanel';
import { StoryboardRuntime, generateAllScenes, generateScene } from './storyboard/generateScenes';
import { renderFilm } from './storyboard/renderFilm';
import { filmView } from './storyboard/filmView';
import { ChatProposals } from './chat/participant';
import { DecodedSound, decodeInWorker } from './preview/sound/decodeSound';
import { downloadBytes, MediaLoader } from './pictory/download';

/** A clip bigger than this is not downloaded to decode its sound (Pictory's are a few MB). */
const MAX_SOUND_SOURCE_BYTES = 200 * 1024 * 1024;

/**
 * Owns everything the extension creates. Parts are made on first use, so that activation
 * (which also happens at start-up, to resume jobs) costs next to nothing.
 */
export class PictoryApp implements vscode.Disposable {
  readonly logger = new Logger();
  readonly keys: ApiKeyStore;
  readonly loadFetch: MediaLoader;
  readonly submissions = new SubmissionsInFlight();
  /** Requests `@pictory` proposed, until a Generate button sends one. */
  readonly chatProposals = new ChatProposals();
  readonly credits: CreditWatch;
  private readonly disposables: vscode.Disposable[] = [this.logger];
  private jobManager: JobManager | undefined;
  private jobStatusBar: JobStatusBar | undefined;
  private panels: PreviewPanels | undefined;
  private editorTracker: LastEditorTracker | undefined;
  private studioViews: Studio | undefined;
  private localCopies: LocalCopies | undefined;
  private galleryPanel: Gallery | undefined;
  private storyboardService: Storyboards | undefined;
  private filmPanels: StoryboardPanels | undefined;
  private readonly storyboardRuns = new Set<string>();
  /** Aborted as the window closes, so that work waiting on jobs stops waiting. */
  private readonly closing = new AbortController();

  constructor(
    readonly context: vscode.ExtensionContext,
    private readonly onJobFinished: (record: JobRecord) => void,
    private readonly onJobUnrecorded: (record: JobRecord, reason: string) => void,
  ) {
    this.keys = new ApiKeyStore(context.secrets, this.logger, () => this.keyMayHaveChanged());
    this.loadFetch = Object.assign(lazyFetch(path.join(context.extensionPath, 'dist', 'fetch.js')), { direct: () => !proxyInSettings() });
    this.credits = new CreditWatch(() => this.fetchQuota(), (message) => this.logger.warn(message));
    this.disposables.push(this.credits);
  }

  /** A client for the configured endpoint with the stored key, for reading the account; none without a key. */
  async accountClient(): Promise<{ client: PictoryClient; endpoint: string } | undefined> {
    const key = await this.keys.get();
    const endpoint = readSettings().apiBaseUrl;
    if (!key || endpointProblem(endpoint)) return undefined;
    return { client: this.createClient(endpoint, key), endpoint };
  }

  /** The account's credits from the configured endpoint, when a key is set. */
  private async fetchQuota(): Promise<Quota | undefined> {
    return (await this.accountClient())?.client.getQuota(AbortSignal.timeout(20_000));
  }

  get jobsFolder(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'jobs');
  }

  get jobs(): JobManager {
    if (!this.jobManager) {
      const manager = new JobManager({
        store: new JobStore(this.jobsFolder, { log: (message) => this.logger.warn(message) }),
        clientFor: (endpoint) => this.clientForStoredJob(endpoint),
        timing: () => {
          const settings = readSettings();
          return {
            intervalMs: settings.pollingIntervalSeconds * 1000,
            timeoutMs: settings.timeoutMinutes * 60_000,
            maxRequestsPerSecond: settings.pollingMaxRequestsPerSecond,
          };
        },
        log: (message) => this.logger.info(message),
      });
      this.jobManager = manager;
      this.jobStatusBar = new JobStatusBar(manager, () => this.credits.latest);
      this.disposables.push(
        manager.onDidFinish((record) => {
          this.onJobFinished(record);
          if (record.state === 'completed') void this.keepCopy(record);
        }),
        manager.onDidFailToRecord(this.onJobUnrecorded),
        { dispose: () => manager.dispose() },
        this.jobStatusBar,
      );
    }
    return this.jobManager;
  }

  /** The key last acted on (`null`: none yet), so that one change is acted on once, however it is heard of. */
  private keyActedOn: string | undefined | null = null;

  /** The views, the key context (which shows the chat tools) and the credits follow the key. */
  async keyMayHaveChanged(): Promise<void> {
    const key = await this.keys.get();
    if (key === this.keyActedOn) return;
    this.keyActedOn = key;
    await this.studioViews?.onKeyChanged();
  }

  /** The Pictory views, once registered (at activation: a view may be open from the last session). */
  get studio(): Studio | undefined {
    return this.studioViews;
  }

  registerStudio(views: StudioViews): void {
    if (this.studioViews) return;
    const studio = new Studio(this.jobs, this.copies, this.credits, new LibraryProvider(() => this.accountClient()), async () => !!(await this.keys.get()), views);
    this.studioViews = studio;
    this.disposables.push(
      studio,
      // A key set or removed in another window: what depends on it here follows too.
      this.context.secrets.onDidChange((event) => {
        if (event.key === SECRET_KEY) void this.keyMayHaveChanged();
      }),
    );
  }

  get copiesFolder(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'clips');
  }

  /** Copies of finished clips on this machine, bounded by `pictory.localCopies.maxSizeGB`. */
  get copies(): LocalCopies {
    if (!this.localCopies) {
      const copies = new LocalCopies(this.copiesFolder, {
        loadFetch: this.loadFetch,
        limitBytes: () => readSettings().localCopiesMaxBytes,
        inUse: (jobId) => this.panels?.isOpen(jobId) ?? false,
        log: (message) => this.logger.info(message),
      });
      this.localCopies = copies;
      // A lowered limit (or 0) applies at once, not at the next clip.
      this.disposables.push(
        vscode.workspace.onDidChangeConfiguration((event) => {
          if (event.affectsConfiguration('pictory.localCopies.maxSizeGB')) void copies.enforceLimit().catch(() => undefined);
        }),
      );
    }
    return this.localCopies;
  }

  /** Downloads a finished clip's files in the background; a failure only means it plays from its URL. */
  async keepCopy(record: JobRecord): Promise<void> {
    // Copies are of video clips; an image shows from its address.
    if (readSettings().localCopiesMaxBytes <= 0 || isImageJob(record)) return;
    try {
      await this.copies.keep(record);
    } catch (error) {
      this.logger.warn(`Could not keep job ${record.id} on this machine: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The clip's local copy; one is made in the background for a clip that has none (yet). */
  async localCopyOf(record: JobRecord): Promise<LocalCopy | undefined> {
    const copy = await this.copies.find(record.id);
    if (!copy?.video && record.state === 'completed') void this.keepCopy(record);
    if (copy) void this.copies.touch(record.id);
    return copy;
  }

  /** The grid of this machine's clips, in an editor panel. */
  get gallery(): Gallery {
    if (!this.galleryPanel) {
      this.galleryPanel = new Gallery({
        extensionUri: this.context.extensionUri,
        copiesFolder: vscode.Uri.file(this.copiesFolder),
        listClips: () => this.jobs.list(),
        loadCopies: () => this.copies.load(),
        localCopy: (jobId) => this.copies.known(jobId),
        onDidChangeClips: (listener) => {
          const subscriptions = [this.jobs.onDidChange(() => listener()), this.copies.onDidChange(() => listener())];
          return { dispose: () => subscriptions.forEach((subscription) => subscription.dispose()) };
        },
        openPreview: (record) => this.previews.show(record),
        runAction: async (action, record) => {
          if (action === 'removeFromMachine') await removeFromGallery(record);
          else await runClipAction(action, record);
        },
        log: (message) => this.logger.info(message),
      });
      this.disposables.push(this.galleryPanel);
    }
    return this.galleryPanel;
  }

  /** Storyboard files in the editor: made when the first one is opened. */
  get storyboards(): Storyboards {
    if (!this.storyboardService) {
      const parserBundle = path.join(this.context.extensionPath, 'dist', 'storyboardParser.js');
      this.storyboardService = new Storyboards({
        // The YAML parser is a bundle of its own, loaded with the first storyboard.
        parser: () => (require(parserBundle) as { parseStoryboard: ParseStoryboard }).parseStoryboard,
        listJobs: () => this.jobs.list(),
        onDidChangeJobs: (listener) => {
          const subscriptions = [this.jobs.onDidChange(() => listener()), this.copies.onDidChange(() => listener())];
          return new vscode.Disposable(() => subscriptions.forEach((subscription) => subscription.dispose()));
        },
        apiBaseUrl: () => readSettings().apiBaseUrl,
        localCopy: (jobId) => this.copies.known(jobId),
        onDidChangeStoryboards: () => void this.filmPanels?.refresh(),
      });
      this.disposables.push(this.storyboardService);
      void this.copies.load().catch(() => undefined);
    }
    return this.storyboardService;
  }

  /** What the storyboard commands work with. */
  get storyboardRuntime(): StoryboardRuntime {
    return { app: this, state: (uri) => this.storyboards.stateOf(uri), refresh: () => this.storyboards.jobsChanged(), runs: this.storyboardRuns, closing: this.closing.signal };
  }

  /** The panels that play a storyboard's scenes as one film. */
  get films(): StoryboardPanels {
    if (!this.filmPanels) {
      this.filmPanels = new StoryboardPanels({
        extensionUri: this.context.extensionUri,
        copiesFolder: vscode.Uri.file(this.copiesFolder),
        filmOf: async (uri, toWebview) => {
          await this.copies.load().catch(() => undefined);
          const state = await this.storyboards.stateOf(uri);
          return state && filmView(state, (jobId) => this.copies.known(jobId), toWebview);
        },
        runAction: async (uri, action, scene) => {
          if (action === 'regenerate') await generateScene(this.storyboardRuntime, uri, scene);
          else if (action === 'generateAll') await generateAllScenes(this.storyboardRuntime, uri);
          else await renderFilm(this.storyboardRuntime, uri);
        },
        log: (message) => this.logger.info(message),
      });
      this.disposables.push(this.filmPanels);
    }
    return this.filmPanels;
  }

  get statusBarText(): string | undefined {
    return this.jobStatusBar?.shownText;
  }

  get previews(): PreviewPanels {
    if (!this.panels) {
      this.trackEditors();
      this.panels = new PreviewPanels({
        extensionUri: this.context.extensionUri,
        copiesFolder: vscode.Uri.file(this.copiesFolder),
        localCopy: (record) => this.localCopyOf(record),
        probeAudio: (video) => this.probeAudio(video),
        decodeSound: (video) => this.decodeSound(video),
        decodeAudio: () => readSettings().previewDecodeAudio,
        runAction: (action, record) => runClipAction(action, record),
        log: (message) => this.logger.info(message),
      });
      this.disposables.push(this.panels);
    }
    return this.panels;
  }

  /** The last text editor the user worked in, tracked from the first generation on, for "Insert Link". */
  trackEditors(): LastEditorTracker {
    if (!this.editorTracker) {
      this.editorTracker = new LastEditorTracker();
      this.disposables.push(this.editorTracker);
    }
    return this.editorTracker;
  }

  /** True when a window left a job unfinished: one directory listing, nothing more. */
  hasPendingJobs(): Promise<boolean> {
    return new JobStore(this.jobsFolder).hasPending();
  }

  createClient(endpoint: string, apiKey: string): PictoryClient {
    const version = String(this.context.extension.packageJSON.version ?? '0.0.0');
    return new PictoryClient({
      baseUrl: endpoint,
      apiKey,
      userAgent: `pictory-vscode/${version} VSCode/${vscode.version}`,
      loadFetch: this.loadFetch,
      onRequest: (entry) =>
        this.logger.info(`${entry.method} ${entry.path} ${entry.status ?? '-'} ${entry.ms}ms${entry.error ? ` ${entry.error}` : ''}`),
    });
  }

  /** A job is only ever polled at the endpoint it was submitted to, with the user's key. */
  private async clientForStoredJob(endpoint: string): Promise<PictoryClient | string> {
    if (normalizeEndpoint(endpoint) !== readSettings().apiBaseUrl) {
      return vscode.l10n.t('The job was submitted to {0}, but "pictory.apiBaseUrl" is now different.', endpoint);
    }
    const problem = endpointProblem(endpoint);
    if (problem) return problem;
    const key = await this.keys.get();
    return key ? this.createClient(normalizeEndpoint(endpoint), key) : vscode.l10n.t('No API key is set.');
  }

  /** A clip's sound decoded here (in a worker thread), from its copy on this machine or its address (never with the key). */
  private async decodeSound(video: { url: string } | { path: string }): Promise<DecodedSound> {
    const bytes = 'path' in video ? await fs.promises.readFile(video.path) : await downloadBytes(await this.loadFetch(), video.url, MAX_SOUND_SOURCE_BYTES);
    const dist = path.join(this.context.extensionPath, 'dist');
    try {
      return await decodeInWorker(path.join(dist, 'soundWorker.js'), path.join(dist, 'lgpl'), bytes, this.closing.signal);
    } catch (error) {
      this.logger.warn(`The decoder could not read the clip's sound: ${error instanceof Error ? error.message : String(error)}`);
      throw new Error(vscode.l10n.t('the extension cannot decode this kind of sound'));
    }
  }

  private async probeAudio(video: { url: string } | { path: string }): Promise<AudioInfo> {
    try {
      const tracks = 'path' in video ? await probeMp4File(video.path) : await probeMp4(await this.loadFetch(), video.url, AbortSignal.timeout(20_000));
      if (!tracks) return { kind: 'unknown' };
      const audio = tracks.find((track) => track.kind === 'audio');
      this.logger.info(`Video tracks: ${tracks.map((t) => `${t.kind} ${t.codec}`).join(', ') || 'none'}`);
      return audio ? { kind: 'track', codec: audio.codec } : { kind: 'none' };
    } catch (error) {
      this.logger.warn(`Could not read the video's tracks: ${error instanceof Error ? error.message : String(error)}`);
      return { kind: 'unknown' };
    }
  }

  /** See `JobManager.closed`. */
  jobsClosed(): Promise<void> {
    return this.jobManager?.closed() ?? Promise.resolve();
  }

  dispose(): void {
    this.closing.abort();
    // One part failing to close must not keep the others open: the job manager gives up its
    // leases here, and other windows wait for them until they expire.
    for (const disposable of this.disposables.reverse()) {
      try {
        disposable.dispose();
      } catch (error) {
        this.logger.error(`Closing failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** A card's trash button is easily clicked: the gallery asks first. */
async function removeFromGallery(record: JobRecord): Promise<void> {
  const remove = vscode.l10n.t('Remove');
  const answer = await askModal(
    vscode.l10n.t('Remove "{0}" from this machine?', shortenPrompt(record.request.prompt)),
    vscode.l10n.t('Its record and the copy kept here are deleted. Pictory keeps the video.'),
    remove,
  );
  if (answer === remove) await vscode.commands.executeCommand('pictory.removeJobs', { kind: 'job', record });
}
