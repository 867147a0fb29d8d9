import { randomBytes } from 'crypto';
import { createWriteStream, promises as fs } from 'fs';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { Fetch } from './http';

/**
 * Streams a video to `path`: into `<path>.<random>.part` first, renamed into place once complete, so
 * that a failed or cancelled download leaves nothing behind. Media is fetched without the
 * API key (no headers at all): only API requests carry it. `onProgress` gets the share of the
 * file each chunk adds, when the server says how long the file is.
 */
export async function downloadToFile(
  url: string,
  path: string,
  loadFetch: () => Promise<Fetch>,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<void> {
  const fetch = await loadFetch();
  const response = await fetch(url, { method: 'GET', headers: {}, signal });
  if (response.status !== 200 || !response.body) throw new Error(`HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || 0;
  // Named for this download alone: another window may be fetching the same file.
  const partial = `${path}.${randomBytes(4).toString('hex')}.part`;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (total) onProgress(chunk.length / total);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(response.body as Readable, counter, createWriteStream(partial), { signal });
    await fs.rename(partial, path);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
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
