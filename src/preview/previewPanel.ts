import * as vscode from 'vscode';
import { showError } from '../notify';
import { isFilmJob, isImageJob, JobRecord, requestedDuration } from '../jobs/jobRecord';
import { safeMediaUrl } from '../pictory/urls';
import { shortenPrompt } from '../pictory/prompts';
import { inertText } from '../pictory/text';
import { LocalCopy } from '../jobs/localCopies';
import { labels, previewHtml } from './previewHtml';
import { AudioInfo, ExtensionMessage, parseWebviewMessage, PreviewAction, PreviewData, WebviewMessage } from './protocol';
import { DecodedSound } from './sound/decodeSound';
import { DecodeAudio } from '../config';
import { PageReadiness } from '../webview/readiness';

export { PREVIEW_VIEW_TYPE } from '../contributionIds';
import { PREVIEW_VIEW_TYPE } from '../contributionIds';

export interface PreviewHost {
  readonly extensionUri: vscode.Uri;
  /** Where local copies of clips are kept: panels may load files from there. */
  readonly copiesFolder: vscode.Uri;
  /** The clip's files kept on this machine; asks for them to be made when there are none. */
  localCopy(record: JobRecord): Promise<LocalCopy | undefined>;
  /** Learns the video's audio codec from the file itself (a URL, or a path on this machine). */
  probeAudio(video: { url: string } | { path: string }): Promise<AudioInfo>;
  /** Decodes the video's sound itself (a URL, or a path on this machine), for a player that cannot. */
  decodeSound(video: { url: string } | { path: string }): Promise<DecodedSound>;
  /** `pictory.preview.decodeAudio`, read when a page is made. */
  decodeAudio(): DecodeAudio;
  runAction(action: PreviewAction, record: JobRecord): Promise<void>;
  log(message: string): void;
}

/** What the panel last reported showing (kept for the log and for tests). */
export interface PanelReport {
  readonly jobId: string;
  readonly playback: string;
  readonly audioNote: string;
  readonly detail?: string;
  /** Seconds into the video. */
  readonly position?: number;
  readonly source?: 'local' | 'remote';
  /** Seconds into the sound decoded by the extension, while it plays. */
  readonly soundPosition?: number;
  readonly soundLevel?: number;
}

/** What the page shows: the local copy's files when there are any, else Pictory's addresses. */
export function previewData(record: JobRecord, copy: LocalCopy | undefined, toWebview: (path: string) => string, decodeAudio: DecodeAudio = 'auto'): PreviewData {
  const video = record.video;
  const local = (path: string | undefined) => (path ? toWebview(path) : undefined);
  const localVideo = local(copy?.video);
  return {
    kind: isImageJob(record) ? 'image' : isFilmJob(record) ? 'film' : 'video',
    jobId: record.id,
    prompt: record.request.prompt,
    model: record.request.model,
    aspectRatio: record.request.aspectRatio,
    duration: video?.duration ?? requestedDuration(record) ?? '',
    width: video?.width,
    height: video?.height,
    aiCreditsUsed: video?.aiCreditsUsed,
    style: isImageJob(record) ? record.request.style : undefined,
    videoUrl: localVideo ?? safeMediaUrl(video?.url, record.endpoint),
    posterUrl: local(copy?.thumbnail) ?? safeMediaUrl(video?.thumbnailImageUrl ?? video?.previewImageUrl, record.endpoint),
    source: localVideo ? 'local' : 'remote',
    hasLastFrame: !!safeMediaUrl(video?.lastFrameImageUrl, record.endpoint),
    decodeAudio,
    labels: labels(),
  };
}

export function panelResourceRoots(host: PreviewHost): vscode.Uri[] {
  return [vscode.Uri.joinPath(host.extensionUri, 'media'), vscode.Uri.joinPath(host.extensionUri, 'dist', 'codicons'), host.copiesFolder];
}

/** One panel showing one finished job. */
class PreviewPanel {
  /** What the page needs, sent again whenever it (re)loads and says it is ready. */
  private readonly state: { show?: Extract<ExtensionMessage, { type: 'show' }>; audio?: ExtensionMessage } = {};
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly readiness: PageReadiness;
  report: PanelReport | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private record: JobRecord,
    private readonly host: PreviewHost,
    onDispose: () => void,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: panelResourceRoots(host) };
    panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message), undefined, this.disposables);
    this.readiness = new PageReadiness(panel, {
      name: `Preview of job ${record.id}`,
      set: () => this.setPage(),
      log: (line) => host.log(line),
    });
    this.disposables.push(this.readiness);
    panel.onDidDispose(
      () => {
        this.disposed = true;
        this.disposables.forEach((d) => d.dispose());
        onDispose();
      },
      undefined,
      this.disposables,
    );
    void this.render();
  }

  /** Sets the page with what it shows now. */
  private setPage(): void {
    if (this.state.show) this.panel.webview.html = previewHtml(this.panel.webview, this.host.extensionUri, this.state.show.data);
    this.readiness.expect();
  }

  reveal(record: JobRecord, preserveFocus: boolean): void {
    this.record = record;
    this.panel.reveal(undefined, preserveFocus);
  }

  /** Where the clip's sound is decoded from: the copy on this machine, else Pictory's address. */
  private soundSource: { url: string } | { path: string } | undefined;

  /** Decodes the clip's sound for the page, which asked for it; says why when it cannot. */
  private async sendSound(): Promise<void> {
    const source = this.soundSource;
    let message: ExtensionMessage;
    try {
      if (!source) throw new Error(vscode.l10n.t('the video has no address'));
      const started = Date.now();
      const sound = await this.host.decodeSound(source);
      this.host.log(`Preview of job ${this.record.id}: sound decoded by the extension (${sound.channels.length} channels at ${sound.sampleRate} Hz) in ${Date.now() - started} ms`);
      message = { type: 'sound', sampleRate: sound.sampleRate, channels: sound.channels };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.host.log(`Preview of job ${this.record.id}: the sound could not be decoded (${reason})`);
      message = { type: 'soundFailed', reason };
    }
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private async render(): Promise<void> {
    const image = isImageJob(this.record);
    this.panel.title = image ? vscode.l10n.t('Image: {0}', shortenPrompt(this.record.request.prompt, 30)) : vscode.l10n.t('Video: {0}', shortenPrompt(this.record.request.prompt, 30));
    this.panel.iconPath = new vscode.ThemeIcon(image ? 'file-media' : 'device-camera-video');
    const copy = await this.host.localCopy(this.record).catch(() => undefined);
    if (this.disposed) return;
    const webview = this.panel.webview;
    const data = previewData(this.record, copy, (path) => webview.asWebviewUri(vscode.Uri.file(path)).toString(), this.host.decodeAudio());
    this.soundSource = copy?.video ? { path: copy.video } : data.videoUrl ? { url: data.videoUrl } : undefined;
    this.host.log(`Preview of job ${this.record.id}: made (${data.source} video, sound decoding ${data.decodeAudio})`);
    this.state.show = { type: 'show', data };
    this.setPage();
    if (data.videoUrl && !image) {
      void this.host.probeAudio(copy?.video ? { path: copy.video } : { url: data.videoUrl }).then((audio) => {
        this.state.audio = { type: 'audio', audio };
        // A page not ready yet gets it after the clip, when it says it is ready.
        if (!this.disposed && this.readiness.isReady) void this.panel.webview.postMessage(this.state.audio);
      });
    }
  }

  private receive(raw: unknown): void {
    const message: WebviewMessage | undefined = parseWebviewMessage(raw);
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.readiness.onReady();
        for (const pending of [this.state.show, this.state.audio]) if (pending) void this.panel.webview.postMessage(pending);
        return;
      case 'needSound':
        void this.sendSound();
        return;
      case 'action':
        this.host.runAction(message.action, this.record).catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          this.host.log(`${message.action} failed for job ${this.record.id}: ${reason}`);
          void showError(vscode.l10n.t('Pictory: {0}', inertText(reason)));
        });
        return;
      case 'status':
        this.report = {
          jobId: this.record.id,
          playback: message.playback,
          audioNote: message.audioNote,
          detail: message.detail,
          position: message.position,
          source: this.state.show?.data.source,
          soundPosition: message.soundPosition,
          soundLevel: message.soundLevel,
        };
        this.host.log(`Preview of job ${this.record.id}: ${message.playback}${message.audioNote ? `; ${message.audioNote}` : ''}${message.detail ? ` (${message.detail})` : ''}`);
        return;
    }
  }
}

/** Opens, reuses and restores preview panels, one per job. */
export class PreviewPanels implements vscode.Disposable {
  private readonly panels = new Map<string, PreviewPanel>();

  constructor(private readonly host: PreviewHost) {}

  isOpen(jobId: string): boolean {
    return this.panels.has(jobId);
  }

  /** Closes the panel of a job, if one is open (the job is being removed). */
  close(jobId: string): void {
    this.panels.get(jobId)?.panel.dispose();
  }

  show(record: JobRecord, options: { preserveFocus?: boolean } = {}): void {
    const preserveFocus = options.preserveFocus ?? false;
    const existing = this.panels.get(record.id);
    if (existing) {
      existing.reveal(record, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(PREVIEW_VIEW_TYPE, '', { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: panelResourceRoots(this.host),
    });
    this.adopt(panel, record);
  }

  /** Brings back a panel VS Code restored after a reload. */
  restore(panel: vscode.WebviewPanel, record: JobRecord | undefined): void {
    if (!record?.video) {
      panel.dispose();
      return;
    }
    this.adopt(panel, record);
  }

  /** For tests and the log: what each open panel last reported. */
  reports(): PanelReport[] {
    return [...this.panels.values()].map((panel) => panel.report).filter((report): report is PanelReport => !!report);
  }

  openPanelTitles(): string[] {
    return [...this.panels.values()].map((panel) => panel.panel.title);
  }

  dispose(): void {
    for (const panel of this.panels.values()) panel.panel.dispose();
    this.panels.clear();
  }

  private adopt(panel: vscode.WebviewPanel, record: JobRecord): void {
    const preview = new PreviewPanel(panel, record, this.host, () => this.panels.delete(record.id));
    this.panels.set(record.id, preview);
  }
}
