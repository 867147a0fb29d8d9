import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { showError } from '../notify';
import { JobRecord } from '../jobs/jobRecord';
import { safeMediaUrl } from '../pictory/urls';
import { shortenPrompt } from '../pictory/prompts';
import { inertText } from '../pictory/text';
import { AudioInfo, ExtensionMessage, parseWebviewMessage, PreviewAction, PreviewData, WebviewMessage } from './protocol';

export const PREVIEW_VIEW_TYPE = 'pictory.preview';
const READY_TIMEOUT_MS = 5000;
const MAX_RELOADS = 3;

export interface PreviewHost {
  readonly extensionUri: vscode.Uri;
  /** Learns the video's audio codec from the file itself. */
  probeAudio(videoUrl: string): Promise<AudioInfo>;
  runAction(action: PreviewAction, record: JobRecord): Promise<void>;
  log(message: string): void;
}

/** What the panel last reported showing (kept for the log and for tests). */
export interface PanelReport {
  readonly jobId: string;
  readonly playback: string;
  readonly audioNote: string;
  readonly detail?: string;
}

function labels(): Record<string, string> {
  return {
    prompt: vscode.l10n.t('Prompt'),
    model: vscode.l10n.t('Model'),
    aspectRatio: vscode.l10n.t('Aspect ratio'),
    duration: vscode.l10n.t('Duration'),
    size: vscode.l10n.t('Size'),
    credits: vscode.l10n.t('AI credits used'),
    jobId: vscode.l10n.t('Job id'),
    openInBrowser: vscode.l10n.t('Open in Browser'),
    copyUrl: vscode.l10n.t('Copy URL'),
    download: vscode.l10n.t('Download…'),
    insertLink: vscode.l10n.t('Insert Link'),
    silentHere: vscode.l10n.t(
      "This video's audio ({0}) cannot be played by this editor's built-in player, so it plays silently here. Use Open in Browser to hear it.",
    ),
    playbackFailed: vscode.l10n.t('The video cannot be played here ({0}). Use Open in Browser or Download… instead.'),
    unsafeUrl: vscode.l10n.t('Pictory returned a video address that is not safe to open here.'),
  };
}

export function previewData(record: JobRecord): PreviewData {
  const video = record.video;
  return {
    jobId: record.id,
    prompt: record.request.prompt,
    model: record.request.model,
    aspectRatio: record.request.aspectRatio,
    duration: video?.duration ?? record.request.duration,
    width: video?.width,
    height: video?.height,
    aiCreditsUsed: video?.aiCreditsUsed,
    videoUrl: safeMediaUrl(video?.url, record.endpoint),
    posterUrl: safeMediaUrl(video?.thumbnailImageUrl ?? video?.previewImageUrl, record.endpoint),
    labels: labels(),
  };
}

function origin(url: string | undefined): string | undefined {
  return url ? new URL(url).origin : undefined;
}

/** Builds the panel's page: no inline content from the API, everything arrives by message. */
export function previewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, data: PreviewData): string {
  const nonce = randomBytes(16).toString('base64');
  const mediaOrigin = origin(data.videoUrl);
  const imageOrigins = [origin(data.posterUrl), mediaOrigin].filter((value): value is string => !!value);
  const csp = [
    "default-src 'none'",
    `img-src ${imageOrigins.length ? [...new Set(imageOrigins)].join(' ') : "'none'"}`,
    `media-src ${mediaOrigin ?? "'none'"}`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', file)).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('preview.css')}">
<title>Pictory Video</title>
</head>
<body>
<main id="app" data-playback="loading">
  <div class="player">
    <video id="video" controls playsinline preload="metadata"></video>
    <div id="playback-error" class="notice error" role="alert" hidden></div>
  </div>
  <p id="audio-note" class="notice" role="status" hidden></p>
  <div class="actions">
    <button type="button" data-action="openInBrowser"></button>
    <button type="button" data-action="copyUrl" class="secondary"></button>
    <button type="button" data-action="download" class="secondary"></button>
    <button type="button" data-action="insertLink" class="secondary"></button>
  </div>
  <section class="details">
    <h2 id="prompt-label"></h2>
    <p id="prompt"></p>
    <dl id="facts"></dl>
  </section>
</main>
<script nonce="${nonce}" src="${media('preview.js')}"></script>
</body>
</html>`;
}

/** One panel showing one finished job. */
class PreviewPanel {
  /** What the page needs, sent again whenever it (re)loads and says it is ready. */
  private readonly state: { show?: ExtensionMessage; audio?: ExtensionMessage } = {};
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private ready = false;
  private readyTimer: NodeJS.Timeout | undefined;
  /** How often the page was set again because it never said it was ready (since it last was). */
  private reloads = 0;
  report: PanelReport | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private record: JobRecord,
    private readonly host: PreviewHost,
    onDispose: () => void,
  ) {
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(host.extensionUri, 'media')],
    };
    panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message), undefined, this.disposables);
    panel.onDidDispose(
      () => {
        this.disposed = true;
        clearTimeout(this.readyTimer);
        this.disposables.forEach((d) => d.dispose());
        onDispose();
      },
      undefined,
      this.disposables,
    );
    // A hidden panel's page is discarded; it loads again when shown, and must say so again.
    let wasVisible = panel.visible;
    panel.onDidChangeViewState(
      () => {
        if (panel.visible && !wasVisible) this.expectReady();
        wasVisible = panel.visible;
      },
      undefined,
      this.disposables,
    );
    this.render();
  }

  /**
   * VS Code (web) sometimes never delivers a page's script and style when several panels
   * open at once, leaving a blank panel that never says it is ready: set its page again.
   */
  private expectReady(): void {
    this.ready = false;
    clearTimeout(this.readyTimer);
    this.readyTimer = setTimeout(() => this.onReadyOverdue(), READY_TIMEOUT_MS);
  }

  private onReadyOverdue(): void {
    if (this.disposed || this.ready || !this.panel.visible) return;
    if (this.reloads >= MAX_RELOADS) {
      this.host.log(`Preview of job ${this.record.id} did not load after ${this.reloads} attempts`);
      return;
    }
    this.reloads++;
    this.host.log(`Preview of job ${this.record.id} did not load within ${READY_TIMEOUT_MS / 1000} s: setting its page again (attempt ${this.reloads})`);
    this.panel.webview.html = previewHtml(this.panel.webview, this.host.extensionUri, previewData(this.record));
    this.expectReady();
  }

  reveal(record: JobRecord, preserveFocus: boolean): void {
    this.record = record;
    this.panel.reveal(undefined, preserveFocus);
  }

  private render(): void {
    const data = previewData(this.record);
    this.panel.title = vscode.l10n.t('Video: {0}', shortenPrompt(this.record.request.prompt, 30));
    this.panel.iconPath = new vscode.ThemeIcon('device-camera-video');
    this.state.show = { type: 'show', data };
    this.panel.webview.html = previewHtml(this.panel.webview, this.host.extensionUri, data);
    this.expectReady();
    if (data.videoUrl) {
      void this.host.probeAudio(data.videoUrl).then((audio) => {
        this.state.audio = { type: 'audio', audio };
        if (!this.disposed) void this.panel.webview.postMessage(this.state.audio);
      });
    }
  }

  private receive(raw: unknown): void {
    const message: WebviewMessage | undefined = parseWebviewMessage(raw);
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.reloads = 0;
        clearTimeout(this.readyTimer);
        for (const pending of [this.state.show, this.state.audio]) if (pending) void this.panel.webview.postMessage(pending);
        return;
      case 'action':
        this.host.runAction(message.action, this.record).catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          this.host.log(`${message.action} failed for job ${this.record.id}: ${reason}`);
          void showError(vscode.l10n.t('Pictory: {0}', inertText(reason)));
        });
        return;
      case 'status':
        this.report = { jobId: this.record.id, playback: message.playback, audioNote: message.audioNote, detail: message.detail };
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
      localResourceRoots: [vscode.Uri.joinPath(this.host.extensionUri, 'media')],
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
