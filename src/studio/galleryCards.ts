// The gallery's parts that need no VS Code API: the cards made from job records and the page's
// HTML. The bench (test/bench/gallery.ts) times these same
// functions, and unit tests check them in plain Node.
import { requestedDuration, type JobRecord } from '../jobs/jobRecord';
import type { LocalCopy } from '../jobs/localCopies';
import { shortenPrompt } from '../pictory/prompts';
import { parseMediaUrl } from '../pictory/urls';
import { GalleryClip, GalleryExtensionMessage, GalleryLabels } from './galleryProtocol';
import { pageHtml, PageShell } from '../webview/page';

/** How long a card's prompt may be, on one line; the card shows two lines of it at most. */
export const CARD_TITLE_LENGTH = 120;

/** The cards of the first message: more than a 4K screen holds, few enough to paint at once. */
export const FIRST_CARDS = 300;
/** The cards of each later message: small enough for the page to take without a pause. */
export const MORE_CARDS = 1000;

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

/** The finished video clips of `records` (completed, with a video; not images), newest first. */
function finishedClips(records: readonly JobRecord[]): JobRecord[] {
  const finished = records.filter((record) => record.state === 'completed' && !!record.video && record.kind !== 'image');
  return finished.sort((a, b) => b.submittedAt - a.submittedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** One card, with the remote origins it loads from. */
function card(record: JobRecord, sources: CardSources): { clip: GalleryClip; imageOrigin?: string; mediaOrigin?: string } {
  const video = record.video!;
  const copy = sources.localCopy(record.id);
  const remoteVideo = parseMediaUrl(video.url, record.endpoint);
  const remoteThumbnail = copy?.thumbnail ? undefined : parseMediaUrl(video.thumbnailImageUrl ?? video.previewImageUrl, record.endpoint);
  const clip: GalleryClip = {
    jobId: record.id,
    prompt: record.request.prompt,
    title: cardTitle(record.request.prompt),
    model: record.request.model,
    aspectRatio: aspectRatio(record.request.aspectRatio),
    duration: video.duration ?? requestedDuration(record) ?? '',
    credits: sources.credits(record),
    submittedAt: record.submittedAt,
    thumbnailUrl: copy?.thumbnail ? sources.toWebviewUri(copy.thumbnail) : remoteThumbnail?.href,
    videoUrl: copy?.video ? sources.toWebviewUri(copy.video) : remoteVideo?.href,
    hasRemoteVideo: !!remoteVideo,
    hasLastFrame: !!parseMediaUrl(video.lastFrameImageUrl, record.endpoint),
  };
  return { clip, imageOrigin: remoteThumbnail?.origin, mediaOrigin: copy?.video ? undefined : remoteVideo?.origin };
}

function sortedModels(records: readonly JobRecord[]): string[] {
  return [...new Set(records.map((record) => record.request.model))].sort((a, b) => a.localeCompare(b));
}

/** The finished video clips of `records` (completed, with a video; not images), newest first, as cards. */
export function buildGallery(records: readonly JobRecord[], sources: CardSources): GalleryContent {
  const finished = finishedClips(records);
  const cards = finished.map((record) => card(record, sources));
  return {
    clips: cards.map((made) => made.clip),
    models: sortedModels(finished),
    imageOrigins: [...new Set(cards.flatMap((made) => (made.imageOrigin ? [made.imageOrigin] : [])))].sort(),
    mediaOrigins: [...new Set(cards.flatMap((made) => (made.mediaOrigin ? [made.mediaOrigin] : [])))].sort(),
  };
}

/**
 * The gallery of a long history: what the page needs before any card (how many, the models,
 * the origins of every card, for its policy) at once, the cards as they are asked for.
 */
export interface GalleryDeck extends Omit<GalleryContent, 'clips'> {
  readonly total: number;
  /** The jobs of the cards, in order. */
  readonly jobIds: readonly string[];
  /** The cards from index `from` up to `to` (excluded). */
  cards(from: number, to: number): GalleryClip[];
}

/** A URL's scheme and host, when nothing in it (user info) makes the host other than it looks. */
const MEDIA_PREFIX = /^https?:\/\/[^/?#\\@]*(?=[/?#\\]|$)/i;

/**
 * The origin `parseMediaUrl` gives `value`, parsing only its scheme and host, once for all
 * the URLs that share them (`known`): thousands of clips load from a handful of hosts.
 */
function mediaOrigin(value: string | undefined, endpoint: string, known: Map<string, string | undefined>): string | undefined {
  if (!value) return undefined;
  const prefix = MEDIA_PREFIX.exec(value)?.[0];
  if (prefix === undefined) return parseMediaUrl(value, endpoint)?.origin;
  const key = `${endpoint} ${prefix}`;
  if (!known.has(key)) known.set(key, parseMediaUrl(`${prefix}/`, endpoint)?.origin);
  return known.get(key);
}

export function galleryDeck(records: readonly JobRecord[], sources: CardSources): GalleryDeck {
  const finished = finishedClips(records);
  const imageOrigins = new Set<string>();
  const mediaOrigins = new Set<string>();
  const known = new Map<string, string | undefined>();
  for (const record of finished) {
    const video = record.video!;
    const copy = sources.localCopy(record.id);
    const image = copy?.thumbnail ? undefined : mediaOrigin(video.thumbnailImageUrl ?? video.previewImageUrl, record.endpoint, known);
    const media = copy?.video ? undefined : mediaOrigin(video.url, record.endpoint, known);
    if (image) imageOrigins.add(image);
    if (media) mediaOrigins.add(media);
  }
  return {
    total: finished.length,
    jobIds: finished.map((record) => record.id),
    models: sortedModels(finished),
    imageOrigins: [...imageOrigins].sort(),
    mediaOrigins: [...mediaOrigins].sort(),
    cards: (from, to) => finished.slice(from, to).map((record) => card(record, sources).clip),
  };
}

/**
 * The messages that give the page a deck: the first cards (all of a small gallery) with the
 * count of all, so that the page paints at once, then the others in parts it appends. Each is
 * made when first called for, so that the first goes out before the others are made.
 */
export function galleryMessages(deck: GalleryDeck, labels: GalleryLabels, now: number, build: number): Array<() => GalleryExtensionMessage> {
  const { total, models } = deck;
  const parts = [once((): GalleryExtensionMessage => ({ type: 'clips', clips: deck.cards(0, FIRST_CARDS), total, models, labels, now, build }))];
  for (let from = FIRST_CARDS; from < total; from += MORE_CARDS) {
    parts.push(once((): GalleryExtensionMessage => ({ type: 'moreClips', clips: deck.cards(from, from + MORE_CARDS), from, build })));
  }
  return parts;
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** The page: an empty frame; the clips and every word arrive by message once it says it is ready. */
export function galleryHtml(shell: PageShell): string {
  return pageHtml(
    shell,
    'Pictory Gallery',
    `<header class="toolbar">
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
<main id="grid" class="grid" role="list"></main>`,
  );
}
