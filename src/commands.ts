import * as vscode from 'vscode';
import { showError, showInfo } from './notify';
import { PictoryApp } from './app';
import { generateVideo } from './generate/generateVideo';
import { showJobs } from './jobList';
import { showRunningJobs, SHOW_RUNNING_JOBS_COMMAND } from './statusBar';

type CommandHandler = (app: PictoryApp) => Promise<unknown>;

/** Every command the extension contributes, by id (the ids are public: keep them). */
const COMMANDS: Record<string, CommandHandler> = {
  'pictory.generateVideo': generateVideo,
  'pictory.setApiKey': async (app) => {
    if (await app.keys.askAndStore('change')) void showInfo(vscode.l10n.t('Pictory API key saved.'));
  },
  'pictory.clearApiKey': async (app) => {
    await app.keys.clear();
    void showInfo(vscode.l10n.t('Pictory API key removed.'));
  },
  'pictory.showJobs': showJobs,
  [SHOW_RUNNING_JOBS_COMMAND]: (app) => showRunningJobs(app.jobs),
};

export function registerCommands(app: PictoryApp): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async () => {
      try {
        await handler(app);
      } catch (error) {
        const message = app.logger.redact(error instanceof Error ? error.message : String(error));
        app.logger.error(`${id} failed: ${message}`);
        void showError(vscode.l10n.t('Pictory: {0}', message));
      }
    }),
  );
}
