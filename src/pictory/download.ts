import { randomBytes } from 'crypto';
import { createWriteStream, promises as fs } from 'fs';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { DirectUnavailable, downloadDirect } from './directDownload';
import { Fetch, proxyConfigured } from './http';

/**
 * Loads node-fetch; `direct` says whether media may be read over a connection of our own (no
 * proxy named in the editor's settings). Without it, only proxies in the environment count.
 */
export interface MediaLoader {
  (): Promise<Fetch>;
  readonly direct?: () => boolean;
}

/**
 * Streams a video to `path`: into `<path>.<random>.part` first, renamed into place once complete, so
 * that a failed or cancelled download leaves nothing behind. Media is fetched without the
 * API key (no headers at all): only API requests carry it. `onProgress` gets the share of the
 * file each part adds, when the server says how long the file is.
 * The file is read over a connection of its own through fixed buffers (see directDownload.ts)
 * unless a proxy is configured or that connection cannot be made; then node-fetch streams it.
 */
export async function downloadToFile(
  url: string,
  path: string,
  loadFetch: MediaLoader,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<void> {
  // Named for this download alone: another window may be fetching the same file.
  const partial = `${path}.${randomBytes(4).toString('hex')}.part`;
  const progress = inSteps(onProgress);
  try {
    const direct = loadFetch.direct?.() ?? true;
    if (!(direct && (await tryDirect(url, partial, signal, progress.add)))) await fetchToFile(url, partial, loadFetch, signal, progress.add);
    progress.flush();
    await fs.rename(partial, path);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
}

/** The least share of the file worth a progress report. */
const PROGRESS_STEP = 0.01;

/**
 * Progress in steps of at least 1%: reads come every 64 to 512 KB, and a report for each would
 * be thousands of messages to the window for a large clip.
 */
function inSteps(onProgress: (fraction: number) => void): { add(fraction: number): void; flush(): void } {
  let unreported = 0;
  const flush = () => {
    if (unreported > 0) onProgress(unreported);
    unreported = 0;
  };
  return {
    add: (fraction) => {
      unreported += fraction;
      if (unreported >= PROGRESS_STEP) flush();
    },
    flush,
  };
}

/** Set once a direct connection could not be made (a proxy may be required): node-fetch from then on. */
let directUnreachable = false;

/** True once the file is written directly; false when node-fetch is to fetch it (nothing was written). */
async function tryDirect(url: string, partial: string, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<boolean> {
  if (directUnreachable || proxyConfigured()) return false;
  const file = await fs.open(partial, 'w');
  let reported = 0;
  try {
    await downloadDirect(url, file, {
      signal,
      onBytes: (written, total) => {
        if (total) onProgress((written - reported) / total);
        reported = written;
      },
    });
    return true;
  } catch (error) {
    if (!(error instanceof DirectUnavailable)) throw error;
    if (error.unreachable) directUnreachable = true;
    return false;
  } finally {
    await file.close();
  }
}

async function fetchToFile(url: string, partial: string, loadFetch: () => Promise<Fetch>, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<void> {
  const fetch = await loadFetch();
  const response = await fetch(url, { method: 'GET', headers: {}, signal });
  if (response.status !== 200 || !response.body) throw new Error(`HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (total) onProgress(chunk.length / total);
      callback(null, chunk);
    },
  });
  await pipeline(response.body as Readable, counter, createWriteStream(partial), { signal });
}

/** Copies a file on this machine to `path` the same way: complete or not at all. */
export async function copyToFile(source: string, path: string): Promise<void> {
  const partial = `${path}.${randomBytes(4).toString('hex')}.part`;
  try {
    await fs.copyFile(source, partial);
    await fs.rename(partial, path);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
}

/**
 * A media file in memory (without the API key, as every media request), refused past
 * `maxBytes`: for a short clip whose whole file is needed at once.
 */
export async function downloadBytes(fetch: Fetch, url: string, maxBytes: number, signal: AbortSignal = AbortSignal.timeout(120_000)): Promise<Buffer> {
  const response = await fetch(url, { method: 'GET', headers: {}, signal });
  if (response.status !== 200 || !response.body) throw new Error(`HTTP ${response.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as Readable) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > maxBytes) throw new Error(`the file is larger than ${Math.round(maxBytes / 1e6)} MB`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
