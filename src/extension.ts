import * as vscode from 'vscode';
import { announce } from './announcements';
import { PictoryApp } from './app';
import { registerCommands } from './commands';
import { PREVIEW_VIEW_TYPE } from './preview/previewPanel';

export interface TestApi {
  readonly app: PictoryApp;
}

export async function activate(context: vscode.ExtensionContext): Promise<TestApi | undefined> {
  const app: PictoryApp = new PictoryApp(context, (record) => announce(app, record));
  context.subscriptions.push(app, ...registerCommands(app));
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        const jobId = (state as { jobId?: unknown } | undefined)?.jobId;
        app.previews.restore(panel, typeof jobId === 'string' ? await app.jobs.get(jobId) : undefined);
      },
    }),
  );
  // Start-up activation exists only to resume jobs left by a closed window.
  if (await app.hasPendingJobs()) {
    await app.jobs.resume().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      app.logger.error(`Resuming jobs failed: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Pictory could not resume unfinished jobs: {0}', message));
    });
  }
  return context.extensionMode === vscode.ExtensionMode.Test ? { app } : undefined;
}

export function deactivate(): void {}
