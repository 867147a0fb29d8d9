import * as vscode from 'vscode';
import { pageHtml } from '../webview/page';
import { pageShell } from '../webview/shell';
import { PreviewData } from './protocol';

/** Every text the page shows, translated here: the page itself has none of its own. */
export function labels(): Record<string, string> {
  return {
    prompt: vscode.l10n.t('Prompt'),
    model: vscode.l10n.t('Model'),
    aspectRatio: vscode.l10n.t('Aspect ratio'),
    duration: vscode.l10n.t('Duration'),
    size: vscode.l10n.t('Size'),
    credits: vscode.l10n.t('AI credits used'),
    jobId: vscode.l10n.t('Job id'),
    source: vscode.l10n.t('Plays from'),
    playingLocal: vscode.l10n.t('The copy kept on this machine'),
    generationGroup: vscode.l10n.t('Generate'),
    clipGroup: vscode.l10n.t('This clip'),
    continueFromLastFrame: vscode.l10n.t('Continue from Last Frame'),
    regenerate: vscode.l10n.t('Regenerate'),
    editPromptAndGenerate: vscode.l10n.t('Edit Prompt and Generate'),
    extendVideo: vscode.l10n.t('Extend Video'),
    openInBrowser: vscode.l10n.t('Open in Browser'),
    copyUrl: vscode.l10n.t('Copy URL'),
    download: vscode.l10n.t('Download…'),
    insertLink: vscode.l10n.t('Insert Link'),
    saveToWorkspace: vscode.l10n.t('Save to Workspace'),
    animate: vscode.l10n.t('Animate'),
    useAsReference: vscode.l10n.t('Use as Reference'),
    insertImage: vscode.l10n.t('Insert Image'),
    imageGroup: vscode.l10n.t('This image'),
    style: vscode.l10n.t('Style'),
    imageFailed: vscode.l10n.t('The image cannot be shown here ({0}). Use Open in Browser or Download… instead.'),
    noLastFrame: vscode.l10n.t("Pictory did not give this clip's last frame, so it cannot be continued."),
    silentHere: vscode.l10n.t(
      "This video's audio ({0}) cannot be played by this editor's built-in player, so it plays silently here. Use Open in Browser to hear it.",
    ),
    decodingSound: vscode.l10n.t("This editor's player cannot play the video's sound: the extension is decoding it…"),
    soundDecoded: vscode.l10n.t('Sound decoded by the extension'),
    soundLevel: vscode.l10n.t('Sound level'),
    soundFailed: vscode.l10n.t("The video's sound could not be decoded here ({0}), so it plays silently. Use Open in Browser to hear it."),
    playbackFailed: vscode.l10n.t('The video cannot be played here ({0}). Use Open in Browser or Download… instead.'),
    unsafeUrl: vscode.l10n.t('Pictory returned a video address that is not safe to open here.'),
  };
}

/** Where a URL may be loaded from, as a CSP source: the webview's own source for files of this machine. */
function source(webview: vscode.Webview, url: string | undefined): string | undefined {
  if (!url) return undefined;
  const origin = new URL(url).origin;
  // Webview resource origins (`https://file+.vscode-resource…`) are not valid CSP sources.
  return webview.asWebviewUri(vscode.Uri.file('/')).toString().startsWith(origin) || origin.includes('+') ? webview.cspSource : origin;
}

/** A button of the panel: its label and state are set by the page's script. */
function button(action: string, icon: string, kind: 'primary' | 'secondary'): string {
  return `<button type="button" class="${kind}" data-action="${action}"><span class="codicon codicon-${icon}" aria-hidden="true"></span><span class="label"></span></button>`;
}

/** Builds the panel's page: no inline content from the API, everything arrives by message. */
export function previewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, data: PreviewData): string {
  const remote = (url: string | undefined) => {
    const origin = source(webview, url);
    return origin && origin !== webview.cspSource ? [origin] : [];
  };
  const mediaOrigins = remote(data.videoUrl);
  const origins = { imageOrigins: [...new Set([...remote(data.posterUrl), ...mediaOrigins])], mediaOrigins };
  const shell = pageShell(webview, extensionUri, { style: 'preview.css', scripts: ['soundSync.js', 'preview.js'] }, origins);
  return pageHtml(shell, 'Pictory Video', data.kind === 'image' ? imageBody() : data.kind === 'film' ? filmBody() : videoBody());
}

/** The page's frame: the media (a video or an image) beside or above its actions and details. */
function body(kind: 'video' | 'image' | 'film', media: string, actions: string): string {
  return `<main id="app" data-playback="loading" data-kind="${kind}">
  <div class="stage">
    <div class="player">
      ${media}
      <div id="playback-error" class="notice error" role="alert" hidden></div>
    </div>
    <p id="audio-note" class="notice" role="status" hidden></p>
    <meter id="sound-level" min="0" max="1" value="0" data-label-title="soundLevel" hidden></meter>
  </div>
  <div class="side">
    <div class="actions">
      ${actions}
    </div>
    <section class="details">
      <h2 id="prompt-label" data-label="prompt"></h2>
      <p id="prompt"></p>
      <dl id="facts"></dl>
    </section>
  </div>
</main>`;
}

/** A group of buttons under a heading. */
function group(id: string, label: string, buttons: string[]): string {
  return `<div class="group" role="group" aria-labelledby="${id}"><h3 id="${id}" data-label="${label}"></h3>${buttons.join('')}</div>`;
}

/** An image: the picture, and what can be made from it. */
function imageBody(): string {
  return body('image', '<img id="image" alt="">', [
    button('animate', 'play', 'primary'),
    group('generation-group', 'generationGroup', [button('regenerate', 'refresh', 'secondary'), button('useAsReference', 'references', 'secondary')]),
    group('clip-group', 'imageGroup', [
      button('openInBrowser', 'link-external', 'secondary'),
      button('copyUrl', 'copy', 'secondary'),
      button('download', 'cloud-download', 'secondary'),
      button('insertImage', 'file-media', 'secondary'),
    ]),
  ].join('\n'));
}

const VIDEO_ELEMENT = '<video id="video" controls playsinline preload="metadata"></video>';

/** What can be done with a clip, whatever made it. */
function clipGroup(): string {
  return group('clip-group', 'clipGroup', [
    button('openInBrowser', 'link-external', 'secondary'),
    button('copyUrl', 'copy', 'secondary'),
    button('download', 'cloud-download', 'secondary'),
    button('insertLink', 'link', 'secondary'),
    button('saveToWorkspace', 'save', 'secondary'),
  ]);
}

/** A rendered film: it can be rendered again from the same clips, not continued or extended. */
function filmBody(): string {
  return body('film', VIDEO_ELEMENT, [group('generation-group', 'generationGroup', [button('regenerate', 'refresh', 'secondary')]), clipGroup()].join('\n'));
}

function videoBody(): string {
  return body('video', VIDEO_ELEMENT, [
    button('continueFromLastFrame', 'debug-continue', 'primary'),
    group('generation-group', 'generationGroup', [
      button('regenerate', 'refresh', 'secondary'),
      button('editPromptAndGenerate', 'edit', 'secondary'),
      button('extendVideo', 'unfold', 'secondary'),
    ]),
    clipGroup(),
  ].join('\n'));
}
