/** Messages between the preview panel's script (media/preview.js) and the extension. */

export type AudioInfo =
  /** The file has an audio track with this codec (RFC 6381, e.g. `mp4a.40.2`). */
  | { readonly kind: 'track'; readonly codec: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'unknown' };

export interface PreviewData {
  /** A video plays; an image is shown, with the actions that fit an image. */
  /** A film (joined by Pictory's render) plays like a video, without the actions that make clips. */
  readonly kind: 'video' | 'image' | 'film';
  readonly jobId: string;
  readonly prompt: string;
  readonly model: string;
  readonly aspectRatio: string;
  readonly duration: string;
  readonly width?: number;
  readonly height?: number;
  readonly aiCreditsUsed?: number;
  readonly style?: string;
  /** Already checked to be `https:` (or loopback `http:`); absent when the API's was unsafe. */
  readonly videoUrl?: string;
  readonly posterUrl?: string;
  /** Where the video plays from: the copy kept on this machine, or Pictory's address. */
  readonly source: 'local' | 'remote';
  /** Pictory gave the clip's last frame, so it can be continued. */
  readonly hasLastFrame: boolean;
  /** `pictory.preview.decodeAudio`: when the page asks the extension for the clip's decoded sound. */
  readonly decodeAudio: 'auto' | 'always' | 'never';
  readonly labels: Readonly<Record<string, string>>;
}

export type ExtensionMessage =
  | { readonly type: 'show'; readonly data: PreviewData }
  | { readonly type: 'audio'; readonly audio: AudioInfo }
  /** The clip's sound decoded by the extension: PCM, one array per channel. */
  | { readonly type: 'sound'; readonly sampleRate: number; readonly channels: readonly Float32Array[] }
  | { readonly type: 'soundFailed'; readonly reason: string };

/** The panel's buttons, in the order shown: the first is the primary one. */
export const PREVIEW_ACTIONS = [
  'continueFromLastFrame',
  'regenerate',
  'editPromptAndGenerate',
  'extendVideo',
  'openInBrowser',
  'copyUrl',
  'download',
  'insertLink',
  'saveToWorkspace',
  'animate',
  'useAsReference',
  'insertImage',
] as const;

export type PreviewAction = (typeof PREVIEW_ACTIONS)[number];

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'action'; readonly action: PreviewAction }
  /** The player cannot decode the clip's sound (or the setting says to decode it): the extension decodes it. */
  | { readonly type: 'needSound' }
  /** What the panel shows now, reported for the log and for tests. */
  | {
      readonly type: 'status';
      readonly playback: string;
      readonly audioNote: string;
      readonly detail?: string;
      readonly position?: number;
      /** Where the decoded sound is, in seconds, while it plays. */
      readonly soundPosition?: number;
      /** How loud the decoded sound is now (RMS, 0 to 1), while it is used. */
      readonly soundLevel?: number;
    };

const ACTIONS = new Set<string>(PREVIEW_ACTIONS);

/** Messages from the webview are checked like any outside input. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (message.type === 'ready') return { type: 'ready' };
  if (message.type === 'needSound') return { type: 'needSound' };
  if (message.type === 'action' && typeof message.action === 'string' && ACTIONS.has(message.action)) {
    return { type: 'action', action: message.action as PreviewAction };
  }
  if (message.type === 'status' && typeof message.playback === 'string' && typeof message.audioNote === 'string') {
    return {
      type: 'status',
      playback: message.playback,
      audioNote: message.audioNote,
      detail: typeof message.detail === 'string' ? message.detail : undefined,
      position: finite(message.position),
      soundPosition: finite(message.soundPosition),
      soundLevel: finite(message.soundLevel),
    };
  }
  return undefined;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
