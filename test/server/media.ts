import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';

export interface MediaFile {
  readonly bytes: Buffer;
  readonly contentType: string;
}

export interface MediaLibrary {
  readonly withAudio: MediaFile;
  readonly noAudio: MediaFile;
  readonly ac3Audio: MediaFile;
  /** 8 s, stereo AAC-LC at 48 kHz: 440 Hz left, 660 Hz right. */
  readonly stereoTone: MediaFile;
  readonly thumbnail: MediaFile;
  /** A 64×36 PNG, the file of every generated image. */
  readonly image: MediaFile;
}

const MARKER_FILE = join('test', 'fixtures', 'with-audio.mp4');

/**
 * The server is bundled into several files at different depths under out/test/, so the
 * fixtures are found by walking up from the bundle (or the working directory) to the repo.
 */
export function locateFixturesDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (existsSync(join(dir, MARKER_FILE))) return join(dir, 'test', 'fixtures');
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`Cannot find ${MARKER_FILE} above ${__dirname} or ${process.cwd()}`);
}

export function loadMedia(fixturesDir: string): MediaLibrary {
  const load = (name: string, contentType: string): MediaFile => ({
    bytes: readFileSync(join(fixturesDir, name)),
    contentType,
  });
  return {
    withAudio: load('with-audio.mp4', 'video/mp4'),
    noAudio: load('no-audio.mp4', 'video/mp4'),
    ac3Audio: load('ac3-audio.mp4', 'video/mp4'),
    stereoTone: load('stereo-tone.mp4', 'video/mp4'),
    thumbnail: load('thumbnail.jpg', 'image/jpeg'),
    image: load('image.png', 'image/png'),
  };
}

type RangeRequest = { start: number; end: number } | 'unsatisfiable' | undefined;

/** Serves a file like a CDN: GET and HEAD, single byte ranges, open CORS. */
export function serveFile(req: IncomingMessage, res: ServerResponse, file: MediaFile): void {
  const size = file.bytes.length;
  const headers = {
    'Content-Type': file.contentType,
    'Accept-Ranges': 'bytes',
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'Accept-Ranges, Content-Length, Content-Range',
  };
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  res.writeHead(range ? 206 : 200, {
    ...headers,
    'Content-Length': end - start + 1,
    ...(range && { 'Content-Range': `bytes ${start}-${end}/${size}` }),
  });
  res.end(req.method === 'HEAD' ? undefined : file.bytes.subarray(start, end + 1));
}

/** Multiple or malformed ranges are ignored (a full 200 answer), as RFC 9110 allows. */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first, last] = match;
  if (first === '') {
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
