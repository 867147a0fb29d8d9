// The gallery's parts that need no VS Code API: the cards made from job records, the page's
// Content Security Policy and its HTML. The bench (test/bench/gallery.ts) times these same
// functions, and unit tests check them in plain Node.
import { requestedDuration, type JobRecord } from '../jobs/jobRecord';
import type { LocalCopy } from '../jobs/localCopies';
import { shortenPrompt } from '../pictory/prompts';
import { safeMediaUrl } from '../pictory/urls';
import { GalleryClip } from './galleryProtocol';

/** How long a card's prompt may be, on one line; the card shows two lines of it at most. */
export const CARD_TITLE_LENGTH = 120;

export interface CardSources {
  /** A local file as the page may load it (`webview.asWebviewUri`). */
  toWebviewUri(path: string): string;
  /** The copy kept on this machine, if any. */
  localCopy(jobId: string): LocalCopy | undefined;
  /** Credits the clip cost (`jobCredits`). */
  credits(record: JobRecord): number | undefined;
}

export interface GalleryContent {
  /** Newest first. */
  readonly clips: GalleryClip[];
  readonly models: string[];
  /** The origins of Pictory's addresses the cards use, for the page's Content Security Policy. */
  readonly imageOrigins: string[];
  readonly mediaOrigins: string[];
}

const RATIO = /^(\d{1,3}):(\d{1,3})$/;

/**
 * `shortenPrompt(prompt, CARD_TITLE_LENGTH)`, faster: it reads only the start of a long prompt,
 * and counts characters without splitting the text when it has no surrogate pairs (then each
 * character is one UTF-16 unit). Anything else goes to `shortenPrompt` itself.
 */
export function cardTitle(prompt: string): string {
  const start = prompt.length <= CARD_TITLE_LENGTH * 2 ? prompt : prompt.slice(0, CARD_TITLE_LENGTH * 2);
  const oneLine = start.replace(/\s+/g, ' ').trim();
  if (/[\uD800-\uDFFF]/.test(oneLine)) return shortenPrompt(prompt, CARD_TITLE_LENGTH);
  if (oneLine.length <= CARD_TITLE_LENGTH) return start === prompt ? oneLine : shortenPrompt(prompt, CARD_TITLE_LENGTH);
  // The start is longer than a title: its beginning is the whole prompt's.
  return oneLine.slice(0, CARD_TITLE_LENGTH - 1).trimEnd() + '…';
}

function aspectRatio(value: string): string {
  const match = RATIO.exec(value.trim());
  return match && Number(match[1]) > 0 && Number(match[2]) > 0 ? `${Number(match[1])}:${Number(match[2])}` : '';
}

/** The finished video clips of `records` (completed, with a video; not images), newest first, as cards. */
export function buildGallery(records: readonly JobRecord[], sources: CardSources): GalleryContent {
  const finished = records.filter((record) => record.state === 'completed' && !!record.video && record.kind !== 'image');
  finished.sort((a, b) => b.submittedAt - a.submittedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const imageOrigins = new Set<string>();
  const mediaOrigins = new Set<string>();
  const models = new Set<string>();
  const clips = finished.map((record): GalleryClip => {
    const video = record.video!;
    const copy = sources.localCopy(record.id);
    const remoteVideo = safeMediaUrl(video.url, record.endpoint);
    const remoteThumbnail = copy?.thumbnail ? undefined : safeMediaUrl(video.thumbnailImageUrl ?? video.previewImageUrl, record.endpoint);
    const thumbnailUrl = copy?.thumbnail ? sources.toWebviewUri(copy.thumbnail) : remoteThumbnail;
    const videoUrl = copy?.video ? sources.toWebviewUri(copy.video) : remoteVideo;
    if (remoteThumbnail) imageOrigins.add(new URL(remoteThumbnail).origin);
    if (!copy?.video && remoteVideo) mediaOrigins.add(new URL(remoteVideo).origin);
    models.add(record.request.model);
    return {
      jobId: record.id,
      prompt: record.request.prompt,
      title: cardTitle(record.request.prompt),
      model: record.request.model,
      aspectRatio: aspectRatio(record.request.aspectRatio),
      duration: video.duration ?? requestedDuration(record) ?? '',
      credits: sources.credits(record),
      submittedAt: record.submittedAt,
      thumbnailUrl,
      videoUrl,
      hasRemoteVideo: !!remoteVideo,
      hasLastFrame: !!safeMediaUrl(video.lastFrameImageUrl, record.endpoint),
    };
  });
  return {
    clips,
    models: [...models].sort((a, b) => a.localeCompare(b)),
    imageOrigins: [...imageOrigins].sort(),
    mediaOrigins: [...mediaOrigins].sort(),
  };
}

export interface GalleryPolicy {
  /** `webview.cspSource`: the extension's files and the local copies. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly imageOrigins: readonly string[];
  readonly mediaOrigins: readonly string[];
}

/** Nothing but the page's own script, style and fonts, and the media of the cards. */
export function galleryCsp(policy: GalleryPolicy): string {
  const sources = (origins: readonly string[]) => [policy.cspSource, ...origins].join(' ');
  return [
    "default-src 'none'",
    `img-src ${sources(policy.imageOrigins)}`,
    `media-src ${sources(policy.mediaOrigins)}`,
    `style-src ${policy.cspSource}`,
    `font-src ${policy.cspSource}`,
    `script-src 'nonce-${policy.nonce}'`,
  ].join('; ');
}

/** Whether a page made with `policy` may load everything `content` uses. */
export function policyCovers(policy: Pick<GalleryPolicy, 'imageOrigins' | 'mediaOrigins'>, content: Pick<GalleryContent, 'imageOrigins' | 'mediaOrigins'>): boolean {
  return (
    content.imageOrigins.every((origin) => policy.imageOrigins.includes(origin)) &&
    content.mediaOrigins.every((origin) => policy.mediaOrigins.includes(origin))
  );
}

export interface GalleryPage {
  readonly csp: string;
  readonly nonce: string;
  /** The page's language (`vscode.env.language`). */
  readonly lang: string;
  /** Style sheets, in order (the codicons' first, when shipped). */
  readonly styles: readonly string[];
  readonly script: string;
  /** Card buttons show codicons rather than words. */
  readonly codicons: boolean;
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The page: an empty frame; the clips and every word arrive by message once it says it is ready. */
export function galleryHtml(page: GalleryPage): string {
  const styles = page.styles.map((href) => `<link rel="stylesheet" href="${attribute(href)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="${attribute(page.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(page.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>Pictory Gallery</title>
</head>
<body class="${page.codicons ? 'codicons' : 'no-codicons'}">
<header class="toolbar">
  <input id="filter" type="search" autocomplete="off" spellcheck="false">
  <select id="model"></select>
  <span id="count" role="status" aria-live="polite"></span>
</header>
<section id="empty" class="empty" hidden>
  <p id="empty-text"></p>
  <button type="button" id="generate"></button>
</section>
<section id="no-match" class="empty" hidden>
  <p id="no-match-text"></p>
  <button type="button" id="clear-filter" class="secondary"></button>
</section>
<main id="grid" class="grid" role="list"></main>
<script nonce="${attribute(page.nonce)}" src="${attribute(page.script)}"></script>
</body>
</html>`;
}
