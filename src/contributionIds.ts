// The names VS Code knows the extension's parts by, in one module with no dependencies, so that
// the start-up entry can register what must be there before anything else is loaded.

/**
 * Commands a user can reach before the rest of the extension is loaded: the palette, the
 * editor, explorer and view title menus, the welcome pages, and the buttons of a chat
 * restored from history. The start-up entry registers these.
 */
export const STARTUP_COMMAND_IDS = [
  'pictory.generateVideo',
  'pictory.generateImage',
  'pictory.generateVideoFromImage',
  'pictory.generateVideoWithReferences',
  'pictory.setApiKey',
  'pictory.clearApiKey',
  'pictory.openGallery',
  'pictory.refreshClips',
  'pictory.refreshLibrary',
  'pictory.showJobs',
  'pictory.newStoryboard',
  'pictory.chat.generate',
  'pictory.chat.editInPalette',
  'pictory.chat.openJob',
] as const;

/**
 * Commands reached only from what the rest of the extension shows (the views' rows, CodeLenses,
 * the status bar, notifications), hidden from the palette and menus until the rest says
 * otherwise (a storyboard in the editor, jobs running): registered when it loads.
 */
export const LOADED_COMMAND_IDS = [
  'pictory.animateImage',
  'pictory.useImageAsReference',
  'pictory.openPreview',
  'pictory.checkAgain',
  'pictory.stopWaiting',
  'pictory.regenerate',
  'pictory.editPromptAndGenerate',
  'pictory.continueFromLastFrame',
  'pictory.extendVideo',
  'pictory.copyVideoUrl',
  'pictory.openInBrowser',
  'pictory.download',
  'pictory.insertLink',
  'pictory.saveToWorkspace',
  'pictory.openPictory',
  'pictory.removeJobs',
  'pictory.loadMoreLibrary',
  'pictory.storyboard.generateScene',
  'pictory.storyboard.generateAll',
  'pictory.storyboard.renderFilm',
  'pictory.storyboard.playFilm',
  'pictory.showRunningJobs',
] as const;

export type CommandId = (typeof STARTUP_COMMAND_IDS)[number] | (typeof LOADED_COMMAND_IDS)[number];

export const SHOW_RUNNING_JOBS_COMMAND = 'pictory.showRunningJobs' satisfies CommandId;

/** Commands behind the chat participant's buttons (hidden from the palette). */
export const CHAT_COMMANDS = {
  generate: 'pictory.chat.generate',
  editInPalette: 'pictory.chat.editInPalette',
  openJob: 'pictory.chat.openJob',
} as const satisfies Record<string, CommandId>;

export const PREVIEW_VIEW_TYPE = 'pictory.preview';
export const GALLERY_VIEW_TYPE = 'pictory.gallery';
export const STORYBOARD_VIEW_TYPE = 'pictory.storyboard';

export const RUNNING_VIEW = 'pictory.running';
export const CLIPS_VIEW = 'pictory.clips';
export const LIBRARY_VIEW = 'pictory.library';

export const TOOL_NAMES = {
  generateVideo: 'pictory_generate_video',
  generateImage: 'pictory_generate_image',
  getJob: 'pictory_get_job',
  listClips: 'pictory_list_clips',
} as const;

export type ToolName = (typeof TOOL_NAMES)[keyof typeof TOOL_NAMES];

export const PARTICIPANT_ID = 'pictory.chat';

/** Where the API key is kept in SecretStorage. */
export const SECRET_KEY = 'pictory.apiKey';

/** The context key that says whether a key is set (welcome pages, menus, the chat tools). */
export const HAS_API_KEY_CONTEXT = 'pictory.hasApiKey';
