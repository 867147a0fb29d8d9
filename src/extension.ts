// The start-up entry. The extension activates at every start-up, to follow jobs a closed window
// left unfinished, so this module is kept small: it registers what a user can reach before
// anything else is loaded (the commands of the palette and menus, the clips view, the chat
// participant), looks for unfinished jobs with one directory listing (and again every few
// seconds, for jobs other windows start), and loads the rest (`dist/main.js`) on first use.
// What shows only later is registered when it can first show: the library view and the chat
// tools once a key is known to be set (their `when`), the running view, the other commands
// and the panel serializers with the rest. Its modules import with `import x = require()`:
// `import * as x` makes the bundler build a copy of the module's namespace, a getter per
// export, in every file that imports it.
import path = require('path');
import vscode = require('vscode');
import {
  CLIPS_VIEW, GALLERY_VIEW_TYPE, HAS_API_KEY_CONTEXT, LIBRARY_VIEW, PARTICIPANT_ID, PREVIEW_VIEW_TYPE, RUNNING_VIEW, SECRET_KEY, STARTUP_COMMAND_IDS, STORYBOARD_VIEW_TYPE, TOOL_NAMES,
} from './contributionIds';
import { deferredView } from './deferredTree';
import { lookForPending } from './jobs/pendingMarkers';
import { whenStoryboardOpens } from './storyboard/watch';
import type { DeferredView } from './deferredTree';
import type { Main, TestApi } from './main';
import type { LibraryNode } from './studio/libraryTree';
import type { StudioNode } from './studio/clipsTree';
import type { StudioViews } from './studio/studio';

export type { TestApi } from './main';

/** What `deactivate` waits for: set once the rest is loaded. */
let closeMain: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): Promise<TestApi | undefined> | undefined {
  let main: Main | undefined;
  let loading = false;
  const load = (): Main => {
    if (main) return main;
    // Whatever asks during the load (a view's rows, a command) asks again once it is done.
    if (loading) throw new Error('Pictory is still loading');
    loading = true;
    try {
      main = loadMain(context, views);
      closeMain = main.closed;
    } finally {
      loading = false;
    }
    // The rest follows jobs by itself.
    lookingForJobs.dispose();
    // Panels opened from now on are to come back after a reload.
    serializers.register();
    return main;
  };
  const lookingForJobs = followJobsFromStart(context, load);
  const views = studioViews(context, load);
  const subscriptions = context.subscriptions;
  subscriptions.push(lookingForJobs);
  for (const id of STARTUP_COMMAND_IDS) subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => load().runCommand(id, args)));
  const serializers = panelSerializers(context, () => load());
  subscriptions.push(...registerParticipant(context, load), whenStoryboardOpens(() => load().storyboardOpened()));
  showWhetherKeyIsSet(context, () => main !== undefined, views.keyIsSet);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  const loaded = load();
  return loaded.resumed.then(() => loaded.testApi);
}

/** `dist/main.js`, required by a computed path so that the bundler keeps it a bundle of its own. */
function loadMain(context: vscode.ExtensionContext, views: StudioViews): Main {
  const module = require(path.join(context.extensionPath, 'dist', 'main.js')) as typeof import('./main');
  return module.start(context, views);
}

/**
 * The side bar's views, each made when it can first show: the clips view now, the library view
 * once a key is known to be set, the running view with the rest (only it says that jobs run).
 */
function studioViews(context: vscode.ExtensionContext, load: () => Main): StudioViews {
  const fill = () => void load();
  const made = <T>(view: DeferredView<T>): DeferredView<T> => {
    context.subscriptions.push(view.view, view.provider);
    return view;
  };
  const clips = made(deferredView<StudioNode>(CLIPS_VIEW, fill, { canSelectMany: true, showCollapseAll: true }));
  let running: DeferredView<StudioNode> | undefined;
  let library: DeferredView<LibraryNode> | undefined;
  const libraryView = () => (library ??= made(deferredView<LibraryNode>(LIBRARY_VIEW, fill)));
  let toolsRegistered = false;
  return {
    clips,
    get running() {
      return (running ??= made(deferredView<StudioNode>(RUNNING_VIEW, fill)));
    },
    get library() {
      return libraryView();
    },
    keyIsSet: () => {
      libraryView();
      if (toolsRegistered) return;
      toolsRegistered = true;
      context.subscriptions.push(...registerTools(load));
    },
  };
}

const PANEL_TYPES = [PREVIEW_VIEW_TYPE, GALLERY_VIEW_TYPE, STORYBOARD_VIEW_TYPE] as const;

/**
 * The serializers that bring Pictory's panels back after a reload, registered only when there
 * is a panel to bring back (one among the restored tabs) or once the rest is loaded (every
 * panel is opened by it). VS Code keeps a restored panel waiting until its serializer comes.
 */
function panelSerializers(context: vscode.ExtensionContext, load: () => Main): { register(): void } {
  let registered = false;
  let watching: vscode.Disposable | undefined;
  const register = () => {
    if (registered) return;
    registered = true;
    watching?.dispose();
    for (const type of PANEL_TYPES) {
      context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(type, { deserializeWebviewPanel: (panel, state: unknown) => load().restorePanel(type, panel, state) }));
    }
  };
  const isPanelTab = (tab: vscode.Tab) => tab.input instanceof vscode.TabInputWebview && PANEL_TYPES.some((type) => isViewType(tab.input as vscode.TabInputWebview, type));
  if (vscode.window.tabGroups.all.some((group) => group.tabs.some(isPanelTab))) {
    register();
  } else {
    // Tabs still being restored when an early event activated the extension.
    watching = vscode.window.tabGroups.onDidChangeTabs((event) => event.opened.some(isPanelTab) && register());
    context.subscriptions.push(watching);
  }
  return { register };
}

/** A webview tab's view type, as the workbench reports it: prefixed for panels of extensions. */
function isViewType(input: vscode.TabInputWebview, type: string): boolean {
  return input.viewType === type || input.viewType.endsWith(`-${type}`);
}

/** `@pictory`, where the host has chat (older hosts and some forks do not). */
function registerParticipant(context: vscode.ExtensionContext, load: () => Main): vscode.Disposable[] {
  if (typeof vscode.chat?.createChatParticipant !== 'function') return [];
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, (request, chatContext, stream, token) => load().chatHandler(request, chatContext, stream, token));
  participant.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
  participant.followupProvider = { provideFollowups: (result) => load().followups(result) };
  return [participant];
}

/** The chat tools, where the host has them: enabled only while a key is set (their `when`). */
function registerTools(load: () => Main): vscode.Disposable[] {
  if (typeof vscode.lm?.registerTool !== 'function') return [];
  return Object.values(TOOL_NAMES).map((name) =>
    vscode.lm.registerTool<unknown>(name, {
      prepareInvocation: (options, token) => load().tool(name).prepareInvocation?.(options, token),
      invoke: (options, token) => load().tool(name).invoke(options, token),
    }),
  );
}

/** How often a window that has not loaded the rest looks for jobs other windows started. */
const LOOK_FOR_JOBS_EVERY_MS = 5000;

/**
 * Loads the rest when a job is to be followed: one a closed window left (one directory
 * listing, not awaited), or one another window starts from now on (so that it lives on if
 * that window closes), seen by the same listing every few seconds. Once loaded, the job
 * manager watches by itself.
 */
function followJobsFromStart(context: vscode.ExtensionContext, load: () => void): { dispose(): void } {
  return lookForPending(path.join(context.globalStorageUri.fsPath, 'jobs'), LOOK_FOR_JOBS_EVERY_MS, load);
}

/**
 * Views, menus and the chat tools show whether a key is set, before the rest is loaded (which
 * then keeps the context up to date). What shows only with a key is made before the context says so.
 */
function showWhetherKeyIsSet(context: vscode.ExtensionContext, loaded: () => boolean, keyIsSet: () => void): void {
  const update = () =>
    void context.secrets.get(SECRET_KEY).then((key) => {
      if (key) keyIsSet();
      return loaded() ? undefined : vscode.commands.executeCommand('setContext', HAS_API_KEY_CONTEXT, !!key);
    }, () => undefined);
  context.subscriptions.push(context.secrets.onDidChange((event) => event.key === SECRET_KEY && update()));
  update();
}

/** VS Code closes the subscriptions right after calling this, and waits for what it returns. */
export function deactivate(): Promise<void> | undefined {
  const closing = closeMain?.();
  closeMain = undefined;
  return closing;
}
