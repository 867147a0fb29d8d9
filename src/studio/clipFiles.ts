import { promises as fs } from 'fs';
import * as path from 'path';
import { JobRecord, requestedDuration } from '../jobs/jobRecord';

/** What is written beside a saved clip, as `<name>.json`. */
export interface ClipSidecar {
  readonly prompt: string;
  readonly model: string;
  readonly aspectRatio: string;
  readonly duration: string | null;
  /** The AI credits Pictory reported for the clip; null when it reported none. */
  readonly credits: number | null;
  readonly jobId: string;
  /** When the clip was requested, ISO 8601. */
  readonly date: string;
  /** Where the video was downloaded from. */
  readonly url: string;
}

export function clipSidecar(record: JobRecord, url: string): ClipSidecar {
  const { prompt, model, aspectRatio } = record.request;
  return {
    prompt,
    model,
    aspectRatio,
    duration: requestedDuration(record) ?? null,
    credits: record.video?.aiCreditsUsed ?? null,
    jobId: record.id,
    date: new Date(record.submittedAt).toISOString(),
    url,
  };
}

const MAX_NAME_CHARACTERS = 60;
/** Well under the 255 bytes most file systems allow, with room for " (999).json". */
const MAX_NAME_BYTES = 180;
/** Names Windows keeps for devices, whatever the extension. */
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9\u00B9\u00B2\u00B3]|lpt[0-9\u00B9\u00B2\u00B3])$/i;

/**
 * A file name (without extension) made of the prompt's first words: letters and digits of
 * any script, spaces, `-` and `_`; anything else (path separators, dots, quotes, control
 * characters, emoji) becomes a space. Names no file system refuses or reads as something
 * else: no leading `-`, no trailing dot or space, no Windows device name. `fallback`, made
 * safe the same way, when the prompt leaves nothing.
 */
export function clipBaseName(prompt: string, fallback: string): string {
  return safeName(prompt) || safeName(fallback) || 'clip';
}

function safeName(text: string): string {
  const words = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}_-]+/gu, ' ')
    .replace(/^[\s_-]+/, '')
    .trim();
  let name = '';
  for (const character of words) {
    const longer = name + character;
    if ([...longer].length > MAX_NAME_CHARACTERS || Buffer.byteLength(longer) > MAX_NAME_BYTES) {
      const lastSpace = name.lastIndexOf(' ');
      if (lastSpace >= MAX_NAME_CHARACTERS / 2) name = name.slice(0, lastSpace);
      break;
    }
    name = longer;
  }
  name = name.trim();
  return WINDOWS_DEVICE_NAME.test(name) ? `${name}_` : name;
}

/** `name`, then `name (2)`, `name (3)`… */
export function numberedName(base: string, attempt: number): string {
  return attempt <= 1 ? base : `${base} (${attempt})`;
}

export interface ClipFiles {
  readonly video: string;
  readonly sidecar: string;
}

const MAX_ATTEMPTS = 1000;

/**
 * Creates the clip's two files, empty, under the first name free for both in `folder`
 * (`name.mp4` and `name.json`, else `name (2)`…). Each is created exclusively, so an
 * existing file is never overwritten, not even one another save creates at the same moment.
 */
export async function claimClipFiles(folder: string, base: string): Promise<ClipFiles> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const name = numberedName(base, attempt);
    const files = { video: path.join(folder, `${name}.mp4`), sidecar: path.join(folder, `${name}.json`) };
    if (!(await createExclusively(files.video))) continue;
    try {
      if (await createExclusively(files.sidecar)) return files;
    } catch (error) {
      await fs.rm(files.video, { force: true });
      throw error;
    }
    await fs.rm(files.video, { force: true });
  }
  throw new Error(`"${base}" and ${MAX_ATTEMPTS - 1} numbered names are all taken in ${folder}`);
}

/** Creates `name.extension` (else `name (2).extension`…) in `folder`, empty and exclusively; returns its path. */
export async function claimFile(folder: string, base: string, extension: string): Promise<string> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const file = path.join(folder, `${numberedName(base, attempt)}.${extension}`);
    if (await createExclusively(file)) return file;
  }
  throw new Error(`"${base}" and ${MAX_ATTEMPTS - 1} numbered names are all taken in ${folder}`);
}

/** False when the file exists already. */
async function createExclusively(file: string): Promise<boolean> {
  try {
    await (await fs.open(file, 'wx')).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Removes claimed files that were not completed. */
export async function releaseClipFiles(files: ClipFiles): Promise<void> {
  await Promise.all([fs.rm(files.video, { force: true }), fs.rm(files.sidecar, { force: true })]);
}
