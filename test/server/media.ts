import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface MediaFile {
  readonly bytes: Buffer;
  readonly contentType: string;
}

/**
 * A file made on the fly, as large as wanted: one block of pseudo-random bytes (the same in
 * every process) repeated up to `size`, streamed and never held in memory whole.
 */
export interface GeneratedFile {
  readonly size: number;
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
type Span = { start: number; end: number };

/** Serves a file like a CDN: GET and HEAD, single byte ranges, open CORS. */
export function serveFile(req: IncomingMessage, res: ServerResponse, file: MediaFile): void {
  const span = writeHead(req, res, file.bytes.length, file.contentType);
  if (span) res.end(file.bytes.subarray(span.start, span.end + 1));
}

/** Serves a generated file the same way, streamed with back-pressure. */
export function serveGenerated(req: IncomingMessage, res: ServerResponse, file: GeneratedFile): void {
  const span = writeHead(req, res, file.size, file.contentType);
  // A client that goes away mid-file ends the stream; nothing else to do.
  if (span) pipeline(generatedBytes(span.start, span.end), res).catch(() => undefined);
}

/** Answers the status and headers (ending a 416 or HEAD answer): the bytes still to send, if any. */
function writeHead(req: IncomingMessage, res: ServerResponse, size: number, contentType: string): Span | undefined {
  const headers = {
    'Content-Type': contentType,
    'Accept-Ranges': 'bytes',
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'Accept-Ranges, Content-Length, Content-Range',
  };
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 }).end();
    return undefined;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  res.writeHead(range ? 206 : 200, {
    ...headers,
    'Content-Length': end - start + 1,
    ...(range && { 'Content-Range': `bytes ${start}-${end}/${size}` }),
  });
  if (req.method !== 'HEAD') return { start, end };
  res.end();
  return undefined;
}

const GENERATED_BLOCK_BYTES = 1 << 20;
let block: Buffer | undefined;

/** The block every generated file repeats: 1 MiB from a fixed-seed xorshift generator. */
export function generatedBlock(): Buffer {
  if (block) return block;
  const words = new Uint32Array(GENERATED_BLOCK_BYTES / 4);
  let state = 0x9e3779b9;
  for (let index = 0; index < words.length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[index] = state >>> 0;
  }
  block = Buffer.from(words.buffer);
  return block;
}

/** Bytes `start` to `end` (inclusive) of any generated file, as a stream of slices of the block. */
export function generatedBytes(start: number, end: number): Readable {
  const source = generatedBlock();
  let position = start;
  return new Readable({
    read() {
      if (position > end) {
        this.push(null);
        return;
      }
      const offset = position % source.length;
      const length = Math.min(source.length - offset, end + 1 - position);
      position += length;
      this.push(source.subarray(offset, offset + length));
    },
  });
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
