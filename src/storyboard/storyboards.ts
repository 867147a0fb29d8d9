import * as vscode from 'vscode';
import { JobRecord, VideoJobRecord } from '../jobs/jobRecord';
import { LocalCopy } from '../jobs/localCopies';
import { formatElapsed } from '../statusBar';
import { stateWords } from '../jobStates';
import { safeMediaUrl } from '../pictory/urls';
import { jobCredits } from '../studio/clipsTree';
import { checkStoryboard, sceneCredits } from './checkStoryboard';
import { SceneStatus, sceneStatuses, scenesToSend } from './sceneClips';
import { Translate } from '../pictory/text';
import { LineRange, Storyboard, StoryboardProblem } from './storyboardFormat';
import { isStoryboardDocument } from './watch';

export type ParseStoryboard = (text: string, t: Translate) => Storyboard;

/** A storyboard as it stands now: its text read, checked, and its scenes matched to their clips. */
export interface StoryboardState {
  readonly uri: string;
  /** The file's path, for naming the film. */
  readonly path: string;
  readonly board: Storyboard;
  readonly problems: readonly StoryboardProblem[];
  readonly statuses: readonly SceneStatus[];
}

export interface StoryboardsOptions {
  /** The YAML-reading parser, loaded on first use. */
  readonly parser: () => ParseStoryboard;
  readonly listJobs: () => Promise<JobRecord[]>;
  readonly onDidChangeJobs: (listener: () => void) => vscode.Disposable;
  readonly apiBaseUrl: () => string;
  readonly localCopy: (jobId: string) => LocalCopy | undefined;
  /** Jobs changed or a storyboard was edited: open views of storyboards refresh. */
  readonly onDidChangeStoryboards?: () => void;
}

/** Scene lenses name what a click does: the command ids are contributed in package.json. */
export const STORYBOARD_COMMANDS = {
  generateScene: 'pictory.storyboard.generateScene',
  generateAll: 'pictory.storyboard.generateAll',
  playFilm: 'pictory.storyboard.playFilm',
  renderFilm: 'pictory.storyboard.renderFilm',
} as const;

const CONTEXT_KEY = 'pictory.activeEditorIsStoryboard';

function toRange(range: LineRange, document: vscode.TextDocument): vscode.Range {
  const start = Math.max(0, Math.min(range.start, document.lineCount - 1));
  const end = Math.max(start, Math.min(range.end, document.lineCount - 1));
  return new vscode.Range(start, 0, end, document.lineAt(end).text.length);
}

/**
 * Storyboard files in the editor: their problems in the Problems panel, a lens above each
 * scene with its cost and state, and a hover with its clip. Made when the first storyboard is
 * opened; Markdown files that are not storyboards cost one look at their front matter.
 */
export class Storyboards implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('pictory-storyboard');
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.diagnostics, this.lensesChanged];
  /** The lenses are to be replaced: what they say changed. */
  readonly onDidChangeLenses = this.lensesChanged.event;
  private readonly parsed = new Map<string, { readonly version: number; readonly board: Storyboard }>();
  /** What the lenses last given to the editor said, by document: they are replaced only when that changes. */
  private readonly shownLenses = new Map<string, string>();
  private readonly pendingChecks = new Map<string, NodeJS.Timeout>();
  private records: Promise<JobRecord[]> | undefined;
  private ticker: NodeJS.Timeout | undefined;
  /** Open storyboards with a scene being generated: their lenses tick. */
  private readonly generating = new Set<string>();
  private firstCheck: NodeJS.Timeout | undefined;

  constructor(private readonly options: StoryboardsOptions) {
    const selector: vscode.DocumentSelector = [{ language: 'markdown' }];
    this.disposables.push(
      vscode.languages.registerCodeLensProvider(selector, { onDidChangeCodeLenses: this.onDidChangeLenses, provideCodeLenses: (document) => this.provideLenses(document) }),
      vscode.languages.registerHoverProvider(selector, { provideHover: (document, position) => this.hover(document, position) }),
      vscode.workspace.onDidOpenTextDocument((document) => this.check(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.checkSoon(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document)),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.setActiveContext(editor)),
      options.onDidChangeJobs(() => this.jobsChanged()),
    );
    // After activation returns: reading the open storyboards loads the YAML parser.
    this.firstCheck = setTimeout(() => {
      this.firstCheck = undefined;
      for (const document of vscode.workspace.textDocuments) this.check(document);
      this.setActiveContext(vscode.window.activeTextEditor);
    }, 0);
  }

  /** The storyboard at `uri` (opened if needed), or undefined when the file is not one. */
  async stateOf(uri: string): Promise<StoryboardState | undefined> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    return this.stateOfDocument(document);
  }

  async stateOfDocument(document: vscode.TextDocument): Promise<StoryboardState | undefined> {
    const board = this.boardOf(document);
    if (!board) return undefined;
    const uri = document.uri.toString();
    const statuses = sceneStatuses(board, await this.jobRecords(), uri);
    return { uri, path: document.uri.path, board, problems: checkStoryboard(board, this.options.apiBaseUrl(), vscode.l10n.t), statuses };
  }

  /** Forgets the job records read, so that the next look reads them again (after a submission). */
  jobsChanged(): void {
    this.records = undefined;
    void this.replaceLensesIfChanged();
    this.options.onDidChangeStoryboards?.();
  }

  /**
   * Jobs change often without changing what a storyboard's lenses say (a copy kept, another
   * window's job, the records read again after a reload). Replacing the lenses then would only
   * lose a click that lands while they are redrawn, so they are replaced when their words change.
   */
  private async replaceLensesIfChanged(): Promise<void> {
    // Editors not in view ask for their lenses again when they come back.
    const visible = new Set(vscode.window.visibleTextEditors.map((editor) => editor.document));
    for (const document of visible) {
      const shown = this.shownLenses.get(document.uri.toString());
      if (shown === undefined) continue;
      const now = await this.lenses(document).then(lensWords, () => undefined);
      if (now !== shown) return this.lensesChanged.fire();
    }
  }

  dispose(): void {
    this.stopTicking();
    clearTimeout(this.firstCheck);
    for (const timer of this.pendingChecks.values()) clearTimeout(timer);
    for (const disposable of this.disposables) disposable.dispose();
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
  }

  private jobRecords(): Promise<JobRecord[]> {
    this.records ??= this.options.listJobs().catch((error: unknown) => {
      this.records = undefined;
      throw error;
    });
    return this.records;
  }

  private boardOf(document: vscode.TextDocument): Storyboard | undefined {
    if (!isStoryboardDocument(document)) return undefined;
    const key = document.uri.toString();
    const cached = this.parsed.get(key);
    if (cached?.version === document.version) return cached.board;
    const board = this.options.parser()(document.getText(), vscode.l10n.t);
    this.parsed.set(key, { version: document.version, board });
    return board;
  }

  private checkSoon(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    // Other documents (output channels included) change all the time: only storyboards are looked at.
    if (!this.parsed.has(key) && !isStoryboardDocument(document)) return;
    clearTimeout(this.pendingChecks.get(key));
    this.pendingChecks.set(
      key,
      setTimeout(() => {
        this.pendingChecks.delete(key);
        this.check(document);
        this.options.onDidChangeStoryboards?.();
      }, 250),
    );
  }

  private check(document: vscode.TextDocument): void {
    const board = this.boardOf(document);
    if (!board) {
      this.diagnostics.delete(document.uri);
      return;
    }
    const diagnostics = checkStoryboard(board, this.options.apiBaseUrl(), vscode.l10n.t).map((problem) => {
      const diagnostic = new vscode.Diagnostic(toRange(problem.range, document), problem.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'Pictory';
      return diagnostic;
    });
    this.diagnostics.set(document.uri, diagnostics);
    if (vscode.window.activeTextEditor?.document === document) this.setActiveContext(vscode.window.activeTextEditor);
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.pendingChecks.get(key));
    this.pendingChecks.delete(key);
    this.diagnostics.delete(document.uri);
    this.parsed.delete(key);
    this.shownLenses.delete(key);
    this.tickFor(key, false);
  }

  private setActiveContext(editor: vscode.TextEditor | undefined): void {
    const active = !!editor && isStoryboardDocument(editor.document);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, active);
  }

  private async provideLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const lenses = await this.lenses(document);
    const uri = document.uri.toString();
    if (lenses.length > 0) this.shownLenses.set(uri, lensWords(lenses));
    else this.shownLenses.delete(uri);
    return lenses;
  }

  private async lenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const state = await this.stateOfDocument(document);
    if (!state) return [];
    const uri = state.uri;
    const { board, statuses } = state;
    const lenses: vscode.CodeLens[] = [];
    const first = board.scenes[0];
    if (first) {
      const at = toRange({ start: first.range.start, end: first.range.start }, document);
      lenses.push(
        new vscode.CodeLens(at, { title: generateAllTitle(board, statuses), command: STORYBOARD_COMMANDS.generateAll, arguments: [uri] }),
        new vscode.CodeLens(at, { title: vscode.l10n.t('$(play) Play film'), command: STORYBOARD_COMMANDS.playFilm, arguments: [uri, 0] }),
        new vscode.CodeLens(at, { title: vscode.l10n.t('$(file-media) Render film'), command: STORYBOARD_COMMANDS.renderFilm, arguments: [uri] }),
      );
    }
    for (const scene of board.scenes) {
      const line = scene.title === undefined ? scene.range.start : Math.min(scene.range.start + 1, scene.range.end);
      const at = toRange({ start: line, end: line }, document);
      lenses.push(...this.sceneLenses(at, uri, scene.index, statuses[scene.index], sceneCredits(board, scene)));
    }
    this.tickFor(uri, statuses.some((status) => status.kind === 'generating'));
    return lenses;
  }

  private sceneLenses(at: vscode.Range, uri: string, index: number, status: SceneStatus, credits: number | undefined): vscode.CodeLens[] {
    const generate = (title: string) => new vscode.CodeLens(at, { title, command: STORYBOARD_COMMANDS.generateScene, arguments: [uri, index] });
    const play = new vscode.CodeLens(at, { title: vscode.l10n.t('Play'), command: STORYBOARD_COMMANDS.playFilm, arguments: [uri, index] });
    const cost = credits === undefined ? '' : vscode.l10n.t(' · {0} credits', credits);
    switch (status.kind) {
      case 'none':
        return [generate(vscode.l10n.t('$(play) Generate scene{0}', cost))];
      case 'generating':
        return [new vscode.CodeLens(at, { title: vscode.l10n.t('$(sync~spin) generating {0}', formatElapsed(Date.now() - status.record.submittedAt)), command: '' })];
      case 'ready':
        return [new vscode.CodeLens(at, { title: describeClip(status.record), command: '' }), play];
      case 'outdated':
        return [generate(vscode.l10n.t('$(history) outdated: {0} · Regenerate{1}', outdatedWords(status.reason), cost)), play];
      case 'failed':
        return [generate(vscode.l10n.t('$(error) {0} · Retry{1}', status.record.error?.message ? shorten(status.record.error.message) : vscode.l10n.t('failed'), cost))];
      case 'unfinished':
        return [
          new vscode.CodeLens(at, { title: vscode.l10n.t('$(watch) {0} · Check Again', stateWords(status.record.state)), command: 'pictory.checkAgain', arguments: [{ kind: 'job', record: status.record }] }),
          generate(vscode.l10n.t('Regenerate{0}', cost)),
        ];
    }
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> | undefined {
    if (!isStoryboardDocument(document)) return undefined;
    return this.stateOfDocument(document).then((state) => {
      const scene = state?.board.scenes.find((candidate) => position.line >= candidate.range.start && position.line <= candidate.range.end);
      if (!state || !scene) return undefined;
      return new vscode.Hover(this.sceneHover(scene.index, scene.title, state.statuses[scene.index]), toRange(scene.range, document));
    });
  }

  private sceneHover(index: number, title: string | undefined, status: SceneStatus): vscode.MarkdownString {
    const markdown = new vscode.MarkdownString(undefined, true);
    markdown.isTrusted = false;
    markdown.appendMarkdown(`**${escapeMarkdown(title ?? vscode.l10n.t('Scene {0}', index + 1))}**\n\n`);
    const clip = status.kind === 'none' ? undefined : status.record;
    if (!clip) return markdown.appendText(vscode.l10n.t('No clip yet.'));
    const thumbnail = this.thumbnailOf(clip);
    if (thumbnail) markdown.appendMarkdown(`![${escapeMarkdown(vscode.l10n.t('Thumbnail'))}](${thumbnail}|width=240)\n\n`);
    const state = status.kind === 'ready' ? vscode.l10n.t('ready') : statusWords(status);
    const details = [state, clip.request.model, clip.request.aspectRatio, clip.video?.duration ?? clip.request.duration, creditsWords(clip)].filter(Boolean);
    markdown.appendText(details.join(' · ') + '\n\n' + vscode.l10n.t('Job {0}', clip.id));
    return markdown;
  }

  private thumbnailOf(record: VideoJobRecord): string | undefined {
    const local = this.options.localCopy(record.id)?.thumbnail;
    const address = local ? vscode.Uri.file(local).toString() : safeMediaUrl(record.video?.thumbnailImageUrl, record.endpoint);
    // Parentheses would end the Markdown link early.
    return address?.replace(/\(/g, '%28').replace(/\)/g, '%29');
  }

  /** Ticks the "generating 0:42" lenses once a second while an open storyboard has a scene being made. */
  private tickFor(uri: string, generating: boolean): void {
    if (generating) this.generating.add(uri);
    else this.generating.delete(uri);
    if (this.generating.size === 0) return this.stopTicking();
    this.ticker ??= setInterval(() => this.lensesChanged.fire(), 1000);
  }

  private stopTicking(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

/** What a set of lenses says and does, to tell whether it changed. */
function lensWords(lenses: readonly vscode.CodeLens[]): string {
  return JSON.stringify(lenses.map((lens) => [lens.range.start.line, lens.command?.title, lens.command?.command, lens.command?.arguments]));
}

/** "Generate all 3 scenes · 28.8 credits", "Generate 2 of 3 scenes · 20.8 credits", or that every scene has its clip. */
function generateAllTitle(board: Storyboard, statuses: readonly SceneStatus[]): string {
  const toSend = scenesToSend({ board, statuses });
  const total = roundCredits(toSend.reduce((sum, scene) => sum + (sceneCredits(board, scene) ?? 0), 0));
  const count = board.scenes.length;
  const generating = statuses.filter((status) => status.kind === 'generating').length;
  if (toSend.length === 0 && generating > 0) return vscode.l10n.t('$(sync~spin) {0} of {1} scenes generating', generating, count);
  if (toSend.length === 0) return vscode.l10n.t('$(check) All {0} scenes have their clip', count);
  if (toSend.length === count) return vscode.l10n.t('$(run-all) Generate all {0} scenes · {1} credits', count, total);
  return vscode.l10n.t('$(run-all) Generate {0} of {1} scenes · {2} credits', toSend.length, count, total);
}

function roundCredits(credits: number): number {
  return Math.round(credits * 100) / 100;
}

function creditsWords(record: JobRecord): string | undefined {
  const credits = jobCredits(record);
  return credits === undefined ? undefined : vscode.l10n.t('{0} credits', credits);
}

/** "✓ 8 s · 12.8 credits". */
export function describeClip(record: VideoJobRecord): string {
  const seconds = (record.video?.duration ?? record.request.duration).replace(/s$/, ' s');
  const credits = creditsWords(record);
  return ['✓ ' + seconds, credits].filter(Boolean).join(' · ');
}

export function outdatedWords(reason: 'text' | 'settings' | 'previousScene'): string {
  switch (reason) {
    case 'text':
      return vscode.l10n.t('the text changed');
    case 'settings':
      return vscode.l10n.t('the settings changed');
    case 'previousScene':
      return vscode.l10n.t('the scene before was made again');
  }
}

export function statusWords(status: SceneStatus): string {
  switch (status.kind) {
    case 'none':
      return vscode.l10n.t('no clip yet');
    case 'generating':
      return vscode.l10n.t('generating {0}', formatElapsed(Date.now() - status.record.submittedAt));
    case 'ready':
      return describeClip(status.record);
    case 'outdated':
      return vscode.l10n.t('outdated: {0}', outdatedWords(status.reason));
    case 'failed':
      return status.record.error?.message ? vscode.l10n.t('failed: {0}', shorten(status.record.error.message)) : vscode.l10n.t('failed');
    case 'unfinished':
      return stateWords(status.record.state);
  }
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
