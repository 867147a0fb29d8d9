// Everything but the start-up entry: loaded by `extension.ts` on first use (a command, a view
// or panel to fill, a chat request, a storyboard opened, a job to follow).
import * as vscode from 'vscode';
import { observeNotifications, showError, ShownNotification, showWarning } from './notify';
import { announce, announceUnrecorded } from './announcements';
import { PictoryApp } from './app';
import { runCommand } from './commands';
import { CommandId, GALLERY_VIEW_TYPE, LOADED_COMMAND_IDS, PREVIEW_VIEW_TYPE, STORYBOARD_VIEW_TYPE, ToolName } from './contributionIds';
import { chatTools } from './chat/tools';
import { chatHandler, followups } from './chat/participant';
import { StudioViews } from './studio/studio';

export interface TestApi {
  readonly app: PictoryApp;
  /** Every notification shown since the extension was loaded, oldest first. */
  readonly notifications: ShownNotification[];
}

type PanelType = typeof PREVIEW_VIEW_TYPE | typeof GALLERY_VIEW_TYPE | typeof STORYBOARD_VIEW_TYPE;

/** What the start-up entry calls into. */
export interface Main {
  runCommand(id: CommandId, args: readonly unknown[]): Promise<void>;
  restorePanel(type: PanelType, panel: vscode.WebviewPanel, state: unknown): Promise<void>;
  tool(name: ToolName): vscode.LanguageModelTool<unknown>;
  readonly chatHandler: vscode.ChatRequestHandler;
  followups(result: vscode.ChatResult): vscode.ChatFollowup[];
  storyboardOpened(): void;
  /** Settles once the jobs left unfinished are followed again. */
  readonly resumed: Promise<void>;
  /** The window's last moments: settles once no lease is being written (see `JobManager.closed`). */
  closed(): Promise<void>;
  readonly testApi: TestApi | undefined;
}

export function start(context: vscode.ExtensionContext, views: StudioViews): Main {
  const app: PictoryApp = new PictoryApp(
    context,
    (record) => announce(app, record),
    announceUnrecorded,
  );
  context.subscriptions.push(app);
  const testApi = context.extensionMode === vscode.ExtensionMode.Test ? observe(app) : undefined;
  // Jobs other windows start from now on are followed here too (so that they live on if that window closes).
  context.subscriptions.push(app.jobs.watchForJobs());
  for (const id of LOADED_COMMAND_IDS) context.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => runCommand(app, id, args)));
  app.registerStudio(views);
  const resumed = resumeJobs(app);
  let tools: Record<ToolName, vscode.LanguageModelTool<unknown>> | undefined;
  return {
    runCommand: (id, args) => runCommand(app, id, args),
    restorePanel: (type, panel, state) => restorePanel(app, type, panel, state),
    tool: (name) => (tools ??= chatTools(app))[name],
    chatHandler: chatHandler(app),
    followups,
    storyboardOpened: () => void app.storyboards,
    resumed,
    closed: () => app.jobsClosed(),
    testApi,
  };
}

async function restorePanel(app: PictoryApp, type: PanelType, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  switch (type) {
    case PREVIEW_VIEW_TYPE: {
      const jobId = (state as { jobId?: unknown } | undefined)?.jobId;
      app.previews.restore(panel, typeof jobId === 'string' ? await app.jobs.get(jobId) : undefined);
      return;
    }
    case GALLERY_VIEW_TYPE:
      return app.gallery.restore(panel);
    case STORYBOARD_VIEW_TYPE:
      return app.films.restore(panel, state);
  }
}

/** Follows the jobs a closed window (or this one, before a reload) left unfinished. */
async function resumeJobs(app: PictoryApp): Promise<void> {
  try {
    if (!(await app.hasPendingJobs())) return;
    const { damaged } = await app.jobs.resume();
    if (damaged.length > 0) {
      void showWarning(vscode.l10n.t('Pictory could not read {0} stored job records; they were kept for inspection: {1}', damaged.length, damaged.join(', ')));
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    app.logger.error(`Resuming jobs failed: ${message}`);
    void showError(vscode.l10n.t('Pictory could not resume unfinished jobs: {0}', message));
  }
}

function observe(app: PictoryApp): TestApi {
  const notifications: ShownNotification[] = [];
  app.context.subscriptions.push(observeNotifications((notification) => notifications.push(notification)));
  return { app, notifications };
}
