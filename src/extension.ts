// The start-up entry. The extension activates at every start-up, to follow jobs a closed window
// left unfinished, so this module is kept small: it registers what VS Code must know of at once
// (commands, views, panel serializers, chat tools and participant), looks for unfinished jobs
// with one directory listing, and loads the rest (`dist/main.js`) on first use. Its modules
// import with `import x = require()`: `import * as x` makes the bundler build a copy of the
// module's namespace, a getter per export, in every file that imports it.
import path = require('path');
import vscode = require('vscode');
import {
  CLIPS_VIEW, COMMAND_IDS, GALLERY_VIEW_TYPE, HAS_API_KEY_CONTEXT, LIBRARY_VIEW, PARTICIPANT_ID, PREVIEW_VIEW_TYPE, RUNNING_VIEW, SECRET_KEY, STORYBOARD_VIEW_TYPE, TOOL_NAMES,
} from './contributionIds';
import { deferredView } from './deferredTree';
import { checkPending, watchPendingMarkers } from './jobs/pendingMarkers';
import { whenStoryboardOpens } from './storyboard/watch';
import type { Main, TestApi } from './main';
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
    // Panels opened from now on are to come back after a reload.
    serializers.register();
    return main;
  };
  const views = studioViews(context, () => void load());
  const subscriptions = context.subscriptions;
  for (const id of COMMAND_IDS) subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => load().runCommand(id, args)));
  const serializers = panelSerializers(context, () => load());
  subscriptions.push(...registerChat(context, load), whenStoryboardOpens(() => load().storyboardOpened()));
  followJobsFromStart(context, () => main !== undefined, load);
  showWhetherKeyIsSet(context, () => main !== undefined);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  const loaded = load();
  return loaded.resumed.then(() => loaded.testApi);
}

/** `dist/main.js`, required by a computed path so that the bundler keeps it a bundle of its own. */
function loadMain(context: vscode.ExtensionContext, views: StudioViews): Main {
  const module = require(path.join(context.extensionPath, 'dist', 'main.js')) as typeof import('./main');
  return module.start(context, views);
}

function studioViews(context: vscode.ExtensionContext, load: () => void): StudioViews {
  const views: StudioViews = {
    running: deferredView(RUNNING_VIEW, load),
    clips: deferredView(CLIPS_VIEW, load, { canSelectMany: true, showCollapseAll: true }),
    library: deferredView(LIBRARY_VIEW, load),
  };
  for (const { view, provider } of Object.values(views)) context.subscriptions.push(view, provider);
  return views;
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

/** The chat tools and `@pictory`, where the host has them (older hosts and some forks do not). */
function registerChat(context: vscode.ExtensionContext, load: () => Main): vscode.Disposable[] {
  const registered: vscode.Disposable[] = [];
  if (typeof vscode.lm?.registerTool === 'function') {
    for (const name of Object.values(TOOL_NAMES)) {
      registered.push(
        vscode.lm.registerTool<unknown>(name, {
          prepareInvocation: (options, token) => load().tool(name).prepareInvocation?.(options, token),
          invoke: (options, token) => load().tool(name).invoke(options, token),
        }),
      );
    }
  }
  if (typeof vscode.chat?.createChatParticipant === 'function') {
    const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, (request, chatContext, stream, token) => load().chatHandler(request, chatContext, stream, token));
    participant.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    participant.followupProvider = { provideFollowups: (result) => load().followups(result) };
    registered.push(participant);
  }
  return registered;
}

/**
 * Loads the rest when a job is to be followed: one a closed window left (one directory
 * listing, not awaited), or one another window starts from now on (so that it lives on if
 * that window closes). Once loaded, the job manager watches by itself.
 */
function followJobsFromStart(context: vscode.ExtensionContext, loaded: () => boolean, load: () => void): void {
  const folder = path.join(context.globalStorageUri.fsPath, 'jobs');
  const watch = watchPendingMarkers(folder, () => {
    watch.dispose();
    load();
  });
  context.subscriptions.push(watch);
  checkPending(folder, (pending) => {
    if (!pending || loaded()) return;
    watch.dispose();
    load();
  });
}

/** Views, menus and the chat tools show whether a key is set, before the rest is loaded (which then keeps it up to date). */
function showWhetherKeyIsSet(context: vscode.ExtensionContext, loaded: () => boolean): void {
  const update = () => void context.secrets.get(SECRET_KEY).then((key) => (loaded() ? undefined : vscode.commands.executeCommand('setContext', HAS_API_KEY_CONTEXT, !!key)), () => undefined);
  context.subscriptions.push(context.secrets.onDidChange((event) => event.key === SECRET_KEY && update()));
  update();
}

/** VS Code closes the subscriptions right after calling this, and waits for what it returns. */
export function deactivate(): Promise<void> | undefined {
  const closing = closeMain?.();
  closeMain = undefined;
  return closing;
}
