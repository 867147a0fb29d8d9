import * as vscode from 'vscode';
import { showError, showInfo } from './notify';
import { PictoryApp } from './app';
import { generateVideo } from './generate/generateVideo';
import { generateImage } from './generate/generateImage';
import { generateVideoFromImage, generateVideoWithReferences } from './generate/imageSources';
import { showJobs } from './jobList';
import { showRunningJobs, SHOW_RUNNING_JOBS_COMMAND } from './statusBar';
import {
  animateImage, checkAgain, continueFromLastFrame, copyVideoUrl, download, editPromptAndGenerate, extendVideo, insertLink, openInBrowser, openPictory, openPreview,
  regenerate, removeJobs, saveClipsToWorkspace, stopWaiting, useImageAsReference,
} from './studio/studioCommands';
import { newStoryboard } from './storyboard/newStoryboard';
import { generateAllScenes, generateScene, openStoryboard } from './storyboard/generateScenes';
import { renderFilm } from './storyboard/renderFilm';
import { CHAT_COMMANDS, editProposal, generateProposal } from './chat/participant';
import { CommandId } from './contributionIds';

/** Tree commands get the clicked row and the selected rows as their arguments. */
type CommandHandler = (app: PictoryApp, ...args: unknown[]) => Promise<unknown>;

/** Every command the extension contributes, by id (the ids are public: keep them). */
const COMMANDS: Record<CommandId, CommandHandler> = {
  'pictory.generateVideo': (app) => generateVideo(app),
  'pictory.generateImage': (app) => generateImage(app),
  'pictory.generateVideoFromImage': generateVideoFromImage,
  'pictory.generateVideoWithReferences': generateVideoWithReferences,
  'pictory.animateImage': animateImage,
  'pictory.useImageAsReference': useImageAsReference,
  'pictory.setApiKey': async (app) => {
    if (await app.keys.askAndStore('change')) void showInfo(vscode.l10n.t('Pictory API key saved.'));
  },
  'pictory.clearApiKey': async (app) => {
    await app.keys.clear();
    void showInfo(vscode.l10n.t('Pictory API key removed.'));
  },
  'pictory.openPreview': openPreview,
  'pictory.checkAgain': checkAgain,
  'pictory.stopWaiting': stopWaiting,
  'pictory.regenerate': regenerate,
  'pictory.editPromptAndGenerate': editPromptAndGenerate,
  'pictory.continueFromLastFrame': continueFromLastFrame,
  'pictory.extendVideo': extendVideo,
  'pictory.copyVideoUrl': copyVideoUrl,
  'pictory.openInBrowser': openInBrowser,
  'pictory.download': download,
  'pictory.insertLink': insertLink,
  'pictory.saveToWorkspace': saveClipsToWorkspace,
  'pictory.openPictory': openPictory,
  'pictory.removeJobs': removeJobs,
  'pictory.openGallery': (app) => app.gallery.show(),
  'pictory.refreshClips': async (app) => app.studio?.refresh(),
  'pictory.loadMoreLibrary': async (app, node) => app.studio?.library.loadMore(isMoreNode(node) ? node.list : 'videos'),
  'pictory.refreshLibrary': async (app) => app.studio?.library.refresh(),
  'pictory.showJobs': showJobs,
  'pictory.newStoryboard': () => newStoryboard(),
  'pictory.storyboard.generateScene': (app, uri, scene) => generateScene(app.storyboardRuntime, uri, scene),
  'pictory.storyboard.generateAll': (app, uri) => generateAllScenes(app.storyboardRuntime, uri),
  'pictory.storyboard.renderFilm': (app, uri) => renderFilm(app.storyboardRuntime, uri),
  [CHAT_COMMANDS.generate]: generateProposal,
  [CHAT_COMMANDS.editInPalette]: editProposal,
  [CHAT_COMMANDS.openJob]: async (app, id) => {
    const record = typeof id === 'string' ? await app.jobs.get(id) : undefined;
    if (record?.video) app.previews.show(record);
  },
  'pictory.storyboard.playFilm': async (app, uri, from) => {
    const state = await openStoryboard(app.storyboardRuntime, uri);
    if (state) await app.films.show(state.uri, typeof from === 'number' ? from : 0);
  },
  [SHOW_RUNNING_JOBS_COMMAND]: (app) => showRunningJobs(app.jobs),
};

/** Runs command `id` (registered at start-up, before this module was loaded); errors are logged and shown. */
export async function runCommand(app: PictoryApp, id: CommandId, args: readonly unknown[]): Promise<void> {
  try {
    await COMMANDS[id](app, ...args);
  } catch (error) {
    const message = app.logger.redact(error instanceof Error ? error.message : String(error));
    app.logger.error(`${id} failed: ${message}`);
    void showError(vscode.l10n.t('Pictory: {0}', message));
  }
}

function isMoreNode(node: unknown): node is { kind: 'more'; list: 'videos' | 'images' } {
  const candidate = node as { kind?: unknown; list?: unknown } | undefined;
  return candidate?.kind === 'more' && (candidate.list === 'videos' || candidate.list === 'images');
}
