import * as vscode from 'vscode';
import { showError } from '../notify';
import { originsCover, pageHtml, PageShell, WebOrigins, withOrigins } from '../webview/page';
import { PageReadiness } from '../webview/readiness';
import { pageShell } from '../webview/shell';
import { inertText } from '../pictory/text';
import { FilmLabels, FilmView, loadableFilm, readPageMessage, StoryboardAction, StoryboardExtensionMessage } from './storyboardProtocol';

export { STORYBOARD_VIEW_TYPE } from '../contributionIds';
import { STORYBOARD_VIEW_TYPE } from '../contributionIds';
const MAX_URI_LENGTH = 8192;

export interface StoryboardPanelsOptions {
  readonly extensionUri: vscode.Uri;
  /** The local copies' root folder: the page may load files under it. */
  readonly copiesFolder: vscode.Uri;
  /** The film of a storyboard file; `toWebview` turns a local file's path into an address the page may load. */
  filmOf(storyboardUri: string, toWebview: (file: string) => string): Promise<FilmView | undefined>;
  runAction(storyboardUri: string, action: StoryboardAction, scene?: number): Promise<void>;
  log(message: string): void;
}

type FilmMessage = Extract<StoryboardExtensionMessage, { type: 'film' }>;

export function filmLabels(): FilmLabels {
  return {
    playFilm: vscode.l10n.t('Play Film'),
    pause: vscode.l10n.t('Pause'),
    generateAll: vscode.l10n.t('Generate All'),
    renderFilm: vscode.l10n.t('Render Film'),
    regenerate: vscode.l10n.t('Regenerate'),
    regenerateScene: vscode.l10n.t('Regenerate {0}'),
    generate: vscode.l10n.t('Generate'),
    generateScene: vscode.l10n.t('Generate {0}'),
    scene: vscode.l10n.t('Scene {0}'),
    sceneOf: vscode.l10n.t('Scene {0} · {1}'),
    playFromScene: vscode.l10n.t('Play the film from {0}'),
    nowPlaying: vscode.l10n.t('Now playing: {0}'),
    noClip: vscode.l10n.t('No clip yet'),
    noClips: vscode.l10n.t('No scene has a clip yet. Generate the scenes to watch the film.'),
    noScenes: vscode.l10n.t('This storyboard has no scenes yet.'),
    scenes: vscode.l10n.t('Scenes'),
    unmute: vscode.l10n.t('Unmute'),
    cannotPlay: vscode.l10n.t('{0} cannot be played here: skipped.'),
  };
}

/** The key of a storyboard's panel: the URI in VS Code's own spelling. */
function normalUri(uri: string): string {
  try {
    return vscode.Uri.parse(uri, true).toString();
  } catch {
    return uri;
  }
}

function baseName(uri: string): string {
  return vscode.Uri.parse(uri).path.split('/').pop() || uri;
}

/** The storyboard a restored panel showed, from the state its page saved. */
function savedStoryboardUri(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const uri = (state as Record<string, unknown>).storyboardUri;
  return typeof uri === 'string' && uri.length > 0 && uri.length <= MAX_URI_LENGTH ? uri : undefined;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toolbarButton(id: string, icon: string, kind: 'primary' | 'secondary'): string {
  return `<button type="button" id="${id}" class="${kind}" disabled><span class="icon codicon codicon-${icon}" aria-hidden="true"></span><span class="label"></span></button>`;
}

/** The page: an empty frame; the film and every word arrive by message once it says it is ready. */
function storyboardHtml(shell: PageShell): string {
  return pageHtml(
    shell,
    'Pictory Film',
    `<header class="toolbar">
  ${toolbarButton('play-film', 'play', 'primary')}
  ${toolbarButton('generate-all', 'sparkle', 'secondary')}
  ${toolbarButton('render-film', 'export', 'secondary')}
  <span id="now-playing" role="status" aria-live="polite"></span>
</header>
<main id="film" class="film">
  <section id="stage" class="stage">
    <div id="player" class="player">
      <video class="film-video active" playsinline preload="auto" disablepictureinpicture controlslist="nodownload nofullscreen noremoteplayback"></video>
      <video class="film-video" playsinline preload="auto" disablepictureinpicture controlslist="nodownload nofullscreen noremoteplayback" aria-hidden="true"></video>
      <p id="player-empty" class="player-empty" hidden></p>
      <button type="button" id="unmute" class="unmute" hidden><span class="icon codicon codicon-unmute" aria-hidden="true"></span><span class="label"></span></button>
    </div>
  </section>
  <p id="no-scenes" class="no-scenes" hidden></p>
  <ol id="scenes" class="scenes"></ol>
</main>`,
  );
}

/** One panel playing one storyboard's film. */
class StoryboardPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly readiness: PageReadiness;
  /** The web origins the page's policy allows; they only grow, so that a refresh rarely reloads the page. */
  private policy: WebOrigins = { imageOrigins: [], mediaOrigins: [] };
  private message: FilmMessage | undefined;
  /** Where to play from once the page is ready and has the film. */
  private pendingPlay: number | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly storyboardUri: string,
    private readonly options: StoryboardPanelsOptions,
    onDispose: () => void,
  ) {
    panel.title = vscode.l10n.t('Film: {0}', baseName(storyboardUri));
    panel.iconPath = new vscode.ThemeIcon('play-circle');
    panel.webview.options = { enableScripts: true, localResourceRoots: resourceRoots(options) };
    panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message), undefined, this.disposables);
    panel.onDidDispose(() => this.onDisposed(onDispose), undefined, this.disposables);
    this.readiness = new PageReadiness(panel, { name: `Film of ${storyboardUri}`, set: () => this.setPage(), log: (line) => options.log(line) });
    this.disposables.push(this.readiness);
  }

  /** Sets the page and gives it the film. */
  async start(): Promise<void> {
    this.setPage();
    await this.refresh();
  }

  play(from: number): void {
    this.pendingPlay = from;
    this.post();
  }

  /** Reads the film and gives it to the page; calls during one run make one more run. */
  refresh(): Promise<void> {
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
          this.options.log(`Film of ${this.storyboardUri}: could not be shown: ${reasonOf(error)}`);
        }
      } while (this.refreshAgain && !this.disposed);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private onDisposed(onDispose: () => void): void {
    this.disposed = true;
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
    onDispose();
  }

  private async build(): Promise<void> {
    const webview = this.panel.webview;
    const local = new Set<string>();
    const toWebview = (file: string): string => {
      const uri = webview.asWebviewUri(vscode.Uri.file(file)).toString();
      local.add(uri);
      return uri;
    };
    let film: FilmView | undefined;
    try {
      film = await this.options.filmOf(this.storyboardUri, toWebview);
    } catch (error) {
      this.options.log(`Film of ${this.storyboardUri}: could not be read: ${reasonOf(error)}`);
    }
    if (this.disposed) return;
    if (!film) this.options.log(`Film of ${this.storyboardUri}: no storyboard to show`);
    const loadable = loadableFilm(film ?? { title: baseName(this.storyboardUri), aspectRatio: '', scenes: [] }, (url) => local.has(url));
    this.message = { type: 'film', storyboardUri: this.storyboardUri, film: loadable.film, labels: filmLabels() };
    if (originsCover(this.policy, loadable)) {
      this.post();
      return;
    }
    // The page may only load what its policy names: a new origin needs a new page.
    this.policy = withOrigins(this.policy, loadable);
    this.options.log(`Film of ${this.storyboardUri}: its page may now load from ${[...this.policy.imageOrigins, ...this.policy.mediaOrigins].join(', ')}`);
    this.setPage();
  }

  /** Gives a ready page the film, then the request to play if there is one. */
  private post(): void {
    if (!this.readiness.isReady || !this.message || this.disposed) return;
    void this.panel.webview.postMessage(this.message);
    if (this.pendingPlay === undefined) return;
    const play: StoryboardExtensionMessage = { type: 'play', from: this.pendingPlay };
    this.pendingPlay = undefined;
    void this.panel.webview.postMessage(play);
  }

  private setPage(): void {
    if (this.disposed) return;
    this.panel.webview.html = storyboardHtml(pageShell(this.panel.webview, this.options.extensionUri, { style: 'storyboard.css', scripts: ['storyboard.js'] }, this.policy));
    this.readiness.expect();
  }

  private onReady(): void {
    this.readiness.onReady();
    this.post();
  }

  private receive(raw: unknown): void {
    const message = readPageMessage(raw);
    if (!message || this.disposed) return;
    switch (message.type) {
      case 'ready':
        this.onReady();
        return;
      case 'playing':
        this.options.log(`Film of ${this.storyboardUri}: playing scene ${message.scene + 1}`);
        return;
      case 'ended':
        this.options.log(`Film of ${this.storyboardUri}: played to the end`);
        return;
      case 'regenerate':
        if (message.scene < (this.message?.film.scenes.length ?? 0)) this.run('regenerate', message.scene);
        else this.options.log(`Film of ${this.storyboardUri}: there is no scene ${message.scene + 1} to regenerate`);
        return;
      case 'generateAll':
      case 'renderFilm':
        this.run(message.type);
        return;
    }
  }

  private run(action: StoryboardAction, scene?: number): void {
    this.options.runAction(this.storyboardUri, action, scene).catch((error: unknown) => {
      const reason = reasonOf(error);
      this.options.log(`${action} failed for ${this.storyboardUri}${scene === undefined ? '' : ` (scene ${scene + 1})`}: ${reason}`);
      void showError(vscode.l10n.t('Pictory: {0}', inertText(reason)));
    });
  }
}

function resourceRoots(options: StoryboardPanelsOptions): vscode.Uri[] {
  return [vscode.Uri.joinPath(options.extensionUri, 'media'), vscode.Uri.joinPath(options.extensionUri, 'dist', 'codicons'), options.copiesFolder];
}

/** Opens, reuses and restores film panels, one per storyboard file. */
export class StoryboardPanels implements vscode.Disposable {
  private readonly panels = new Map<string, StoryboardPanel>();

  constructor(private readonly options: StoryboardPanelsOptions) {}

  /** Opens the storyboard's film, or brings its open panel forward; plays from scene `playFrom` (0-based) if given. */
  async show(storyboardUri: string, playFrom?: number): Promise<void> {
    const uri = normalUri(storyboardUri);
    const existing = this.panels.get(uri);
    const play = (panel: StoryboardPanel) => {
      if (playFrom !== undefined && Number.isSafeInteger(playFrom) && playFrom >= 0) panel.play(playFrom);
    };
    if (existing) {
      existing.panel.reveal();
      play(existing);
      return;
    }
    const panel = vscode.window.createWebviewPanel(STORYBOARD_VIEW_TYPE, vscode.l10n.t('Film: {0}', baseName(uri)), vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: resourceRoots(this.options),
    });
    const storyboard = this.adopt(panel, uri);
    play(storyboard);
    await storyboard.start();
  }

  /** Sends the film again to the panel of `storyboardUri`, or to every open panel. */
  async refresh(storyboardUri?: string): Promise<void> {
    const targets = storyboardUri === undefined ? [...this.panels.values()] : [this.panels.get(normalUri(storyboardUri))];
    await Promise.all(targets.map((panel) => panel?.refresh()));
  }

  /** Takes a panel VS Code restored after a reload (from a `WebviewPanelSerializer`); `state` is what its page saved. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = savedStoryboardUri(state);
    if (!saved) {
      this.options.log('A film panel came back without its storyboard: closed');
      panel.dispose();
      return;
    }
    const uri = normalUri(saved);
    const existing = this.panels.get(uri);
    if (existing) {
      panel.dispose();
      existing.panel.reveal();
      return;
    }
    await this.adopt(panel, uri).start();
  }

  isOpen(storyboardUri: string): boolean {
    return this.panels.has(normalUri(storyboardUri));
  }

  dispose(): void {
    for (const storyboard of [...this.panels.values()]) storyboard.panel.dispose();
    this.panels.clear();
  }

  private adopt(panel: vscode.WebviewPanel, uri: string): StoryboardPanel {
    const storyboard = new StoryboardPanel(panel, uri, this.options, () => {
      if (this.panels.get(uri) === storyboard) this.panels.delete(uri);
    });
    this.panels.set(uri, storyboard);
    return storyboard;
  }
}
