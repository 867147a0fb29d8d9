import * as vscode from 'vscode';

export const DEFAULT_API_BASE_URL = 'https://api.pictory.ai/pictoryapis';

export interface PictorySettings {
  readonly apiBaseUrl: string;
  readonly defaultModel?: string;
  readonly defaultAspectRatio?: string;
  readonly defaultDuration?: string;
  readonly pollingIntervalSeconds: number;
  /** The most status requests a window sends in any second, all jobs together. */
  readonly pollingMaxRequestsPerSecond: number;
  readonly timeoutMinutes: number;
  readonly webhookUrl?: string;
  readonly openPreviewOnCompletion: boolean;
  /** Show the request and its cost before sending when no pick was asked. */
  readonly confirmBeforeGenerating: boolean;
  /** How many bytes the local copies of clips may take (0: keep none). */
  readonly localCopiesMaxBytes: number;
  /** How many scenes of a storyboard without continuity are on their way at once. */
  readonly storyboardConcurrency: number;
  /** The most AI credits a chat agent's tool may spend on one request, asked or not. */
  readonly agentMaxCreditsPerRequest: number;
  /** When the preview plays a clip's sound decoded by the extension rather than the editor's player. */
  readonly previewDecodeAudio: DecodeAudio;
}

export const DECODE_AUDIO = ['auto', 'always', 'never'] as const;
export type DecodeAudio = (typeof DECODE_AUDIO)[number];

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function positive(value: unknown, fallback: number, minimum: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(value, minimum) : fallback;
}

/**
 * Where the key is sent, where Pictory posts results, and what is paid for are the user's
 * decision alone: a folder's `.vscode/settings.json` comes with whatever repository was
 * cloned, so only the user's own (global) value or the default counts, whatever the
 * setting's scope says.
 */
function userValue(section: vscode.WorkspaceConfiguration, key: string): unknown {
  const inspected = section.inspect(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** The agents' budget fails closed: a value that is not a number lets them spend nothing. */
function agentBudget(value: unknown): number {
  if (value === undefined) return 100;
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : 0;
}

/** `https://host/api/` and `https://host/api` are the same endpoint. */
export function normalizeEndpoint(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/**
 * A proxy named in the editor's own settings (`http.proxy`, unless proxy support is off):
 * requests then go through the editor's HTTP stack, which applies it.
 */
export function proxyInSettings(): boolean {
  const section = vscode.workspace.getConfiguration('http');
  return nonEmpty(section.get('proxy')) !== undefined && section.get('proxySupport') !== 'off';
}

/** The one place settings are read. */
export function readSettings(): PictorySettings {
  const section = vscode.workspace.getConfiguration('pictory');
  return {
    apiBaseUrl: normalizeEndpoint(nonEmpty(userValue(section, 'apiBaseUrl')) ?? DEFAULT_API_BASE_URL),
    defaultModel: nonEmpty(userValue(section, 'defaultModel')),
    defaultAspectRatio: nonEmpty(userValue(section, 'defaultAspectRatio')),
    defaultDuration: nonEmpty(userValue(section, 'defaultDuration')),
    pollingIntervalSeconds: positive(section.get('pollingIntervalSeconds'), 15, 1),
    pollingMaxRequestsPerSecond: positive(section.get('pollingMaxRequestsPerSecond'), 2, 0.1),
    timeoutMinutes: positive(section.get('timeoutMinutes'), 30, 1),
    webhookUrl: nonEmpty(userValue(section, 'webhookUrl')),
    openPreviewOnCompletion: section.get<boolean>('openPreviewOnCompletion') ?? true,
    confirmBeforeGenerating: userValue(section, 'confirmBeforeGenerating') !== false,
    localCopiesMaxBytes: Math.round(positive(section.get('localCopies.maxSizeGB'), 2, 0) * 1e9),
    storyboardConcurrency: Math.min(10, Math.floor(positive(section.get('storyboard.maxConcurrentScenes'), 3, 1))),
    agentMaxCreditsPerRequest: agentBudget(userValue(section, 'agent.maxCreditsPerRequest')),
    previewDecodeAudio: oneOf(section.get('preview.decodeAudio'), DECODE_AUDIO, 'auto'),
  };
}
