import * as vscode from 'vscode';
import { observeNotifications, showError, ShownNotification, showWarning } from './notify';
import { announce, announceUnrecorded } from './announcements';
import { PictoryApp } from './app';
import { registerCommands } from './commands';
import { PREVIEW_VIEW_TYPE } from './preview/previewPanel';
import { GALLERY_VIEW_TYPE } from './studio/gallery';
import { STORYBOARD_VIEW_TYPE } from './storyboard/storyboardPanel';
import { whenStoryboardOpens } from './storyboard/watch';
import { registerChatTools } from './chat/tools';
import { registerChatParticipant } from './chat/participant';

export interface TestApi {
  readonly app: PictoryApp;
  /** Every notification shown since activation, oldest first. */
  readonly notifications: ShownNotification[];
}

export async function activate(context: vscode.ExtensionContext): Promise<TestApi | undefined> {
  const app: PictoryApp = new PictoryApp(
    context,
    (record) => announce(app, record),
    announceUnrecorded,
  );
  context.subscriptions.push(app, ...registerCommands(app));
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        const jobId = (state as { jobId?: unknown } | undefined)?.jobId;
        app.previews.restore(panel, typeof jobId === 'string' ? await app.jobs.get(jobId) : undefined);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(GALLERY_VIEW_TYPE, { deserializeWebviewPanel: (panel) => app.gallery.restore(panel) }),
    vscode.window.registerWebviewPanelSerializer(STORYBOARD_VIEW_TYPE, { deserializeWebviewPanel: (panel, state: unknown) => app.films.restore(panel, state) }),
    whenStoryboardOpens(() => app.storyboards),
    ...registerChatTools(app),
    ...registerChatParticipant(app),
  );
  // Start-up activation exists only to follow jobs: those a closed window left, and those
  // another window starts from now on (so that they live on if that window closes).
  const test = context.extensionMode === vscode.ExtensionMode.Test ? testApi(app) : undefined;
  context.subscriptions.push(app.jobs.watchForJobs());
  app.registerStudio();
  if (await app.hasPendingJobs()) await resumeJobs(app);
  return test;
}

async function resumeJobs(app: PictoryApp): Promise<void> {
  try {
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

function testApi(app: PictoryApp): TestApi {
  const notifications: ShownNotification[] = [];
  app.context.subscriptions.push(observeNotifications((notification) => notifications.push(notification)));
  return { app, notifications };
}

export function deactivate(): void {}
