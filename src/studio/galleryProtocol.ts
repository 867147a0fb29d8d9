/** Messages between the gallery's page (media/gallery.js) and the extension. */

/**
 * The buttons of a card, in the order shown. Names shared with the preview panel's
 * (`PREVIEW_ACTIONS` in src/preview/protocol.ts) mean the same thing there.
 */
export const GALLERY_ACTIONS = ['continueFromLastFrame', 'regenerate', 'download', 'copyUrl', 'removeFromMachine'] as const;

export type GalleryAction = (typeof GALLERY_ACTIONS)[number];

/** One card: everything the page shows of a finished clip. */
export interface GalleryClip {
  readonly jobId: string;
  /** The whole prompt: what the text filter searches, and the card's tooltip. */
  readonly prompt: string;
  /** The prompt on one line, shortened for the card. */
  readonly title: string;
  readonly model: string;
  /** `16:9`, `9:16`…; empty when the record's is not of that form (the card is then 16:9). */
  readonly aspectRatio: string;
  readonly duration: string;
  readonly credits?: number;
  /** When the job was submitted (ms since 1970, on the extension host's clock). */
  readonly submittedAt: number;
  /** The local copy's thumbnail as a webview URI, else Pictory's (checked by `safeMediaUrl`). */
  readonly thumbnailUrl?: string;
  /** The local copy's video as a webview URI, else Pictory's (checked by `safeMediaUrl`). */
  readonly videoUrl?: string;
  /** Pictory's own video address is usable (for Copy URL). */
  readonly hasRemoteVideo: boolean;
  /** Pictory gave the clip's last frame, so it can be continued. */
  readonly hasLastFrame: boolean;
}

/** Every string the page shows, translated by the extension. */
export const GALLERY_LABELS = [
  'filter',
  'model',
  'allModels',
  'oneClip',
  'clips',
  'clipsFiltered',
  'empty',
  'generate',
  'noMatch',
  'clearFilter',
  'credits',
  'justNow',
  'minutesAgo',
  'hoursAgo',
  'daysAgo',
  'noThumbnail',
  ...GALLERY_ACTIONS,
] as const;

export type GalleryLabel = (typeof GALLERY_LABELS)[number];
export type GalleryLabels = Readonly<Record<GalleryLabel, string>>;

export type GalleryExtensionMessage =
  | {
      readonly type: 'clips';
      /** Newest first: all of them, or the first ones of `total` (the others follow in `moreClips`). */
      readonly clips: readonly GalleryClip[];
      readonly total: number;
      /** The models of all the clips, for the model filter. */
      readonly models: readonly string[];
      readonly labels: GalleryLabels;
      /** The extension host's clock, so that ages are right when the page runs on another machine. */
      readonly now: number;
      /** Tells the parts of one set of clips from those of another. */
      readonly build: number;
    }
  | {
      /** The next clips of the `clips` message of the same build, from index `from` on. */
      readonly type: 'moreClips';
      readonly clips: readonly GalleryClip[];
      readonly from: number;
      readonly build: number;
    };

export type GalleryWebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'open'; readonly jobId: string }
  | { readonly type: 'action'; readonly action: GalleryAction; readonly jobId: string }
  /** The empty gallery's button. */
  | { readonly type: 'generate' }
  /** The page painted the cards of a `clips` message, `ms` after receiving it. */
  | { readonly type: 'rendered'; readonly count: number; readonly ms: number };

const ACTIONS = new Set<string>(GALLERY_ACTIONS);
const MAX_JOB_ID_LENGTH = 1000;

function isJobId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_JOB_ID_LENGTH;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Messages from the page are checked like any outside input. */
export function parseGalleryMessage(value: unknown): GalleryWebviewMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'generate':
      return { type: 'generate' };
    case 'open':
      return isJobId(message.jobId) ? { type: 'open', jobId: message.jobId } : undefined;
    case 'action':
      return typeof message.action === 'string' && ACTIONS.has(message.action) && isJobId(message.jobId)
        ? { type: 'action', action: message.action as GalleryAction, jobId: message.jobId }
        : undefined;
    case 'rendered':
      return isCount(message.count) && isDuration(message.ms) ? { type: 'rendered', count: message.count, ms: message.ms } : undefined;
    default:
      return undefined;
  }
}
