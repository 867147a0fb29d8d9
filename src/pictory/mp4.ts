import { promises as fs } from 'fs';
import { Fetch } from './http';

/** A track of an MP4 file and its RFC 6381 codec string, e.g. `mp4a.40.2` or `avc1.42c01e`. */
export interface MediaTrack {
  readonly kind: 'audio' | 'video' | 'other';
  readonly codec: string;
}

interface Box {
  readonly type: string;
  readonly start: number;
  /** Where the payload begins (after size, type and any 64-bit size). */
  readonly contentStart: number;
  readonly end: number;
}

function readType(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

/** Reads one box header at `offset`; `end` may lie beyond the buffer. */
function readBoxHeader(view: DataView, offset: number, limit: number): Box | undefined {
  if (offset + 8 > view.byteLength) return undefined;
  let size = view.getUint32(offset);
  const type = readType(view, offset + 4);
  let contentStart = offset + 8;
  if (size === 1) {
    if (offset + 16 > view.byteLength) return undefined;
    size = Number(view.getBigUint64(offset + 8));
    contentStart = offset + 16;
  } else if (size === 0) {
    size = limit - offset;
  }
  if (size < contentStart - offset) return undefined;
  return { type, start: offset, contentStart, end: offset + size };
}

function children(view: DataView, parent: { contentStart: number; end: number }): Box[] {
  const boxes: Box[] = [];
  const end = Math.min(parent.end, view.byteLength);
  for (let offset = parent.contentStart; offset < end; ) {
    const box = readBoxHeader(view, offset, parent.end);
    if (!box || box.end > end) break;
    boxes.push(box);
    offset = box.end;
  }
  return boxes;
}

function child(view: DataView, parent: Box, type: string): Box | undefined {
  return children(view, parent).find((box) => box.type === type);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** Reads an MPEG-4 descriptor's variable-length size at `offset`. */
function readDescriptorSize(view: DataView, offset: number): { size: number; next: number } {
  let size = 0;
  let next = offset;
  for (let i = 0; i < 4; i++) {
    const byte = view.getUint8(next++);
    size = (size << 7) | (byte & 0x7f);
    if ((byte & 0x80) === 0) break;
  }
  return { size, next };
}

/** `mp4a.40.2` for AAC-LC: object type indication, then the audio object type. */
function mp4aCodec(view: DataView, entry: Box): string {
  const esds = children(view, { contentStart: entry.contentStart + 28, end: entry.end }).find((box) => box.type === 'esds');
  if (!esds) return 'mp4a';
  let offset = esds.contentStart + 4;
  const end = Math.min(esds.end, view.byteLength);
  while (offset < end) {
    const tag = view.getUint8(offset);
    const { size, next } = readDescriptorSize(view, offset + 1);
    if (tag === 0x03) {
      const flags = view.getUint8(next + 2);
      offset = next + 3;
      if (flags & 0x80) offset += 2;
      if (flags & 0x40) offset += 1 + view.getUint8(offset);
      if (flags & 0x20) offset += 2;
    } else if (tag === 0x04) {
      const objectType = view.getUint8(next);
      const inner = next + 13;
      if (objectType === 0x40 && inner < end && view.getUint8(inner) === 0x05) {
        const info = readDescriptorSize(view, inner + 1).next;
        let audioObjectType = view.getUint8(info) >> 3;
        if (audioObjectType === 31) audioObjectType = 32 + (((view.getUint8(info) & 0x07) << 3) | (view.getUint8(info + 1) >> 5));
        return `mp4a.40.${audioObjectType}`;
      }
      return `mp4a.${hex(objectType)}`;
    } else {
      offset = next + size;
    }
  }
  return 'mp4a';
}

/** `avc1.42c01e`: profile, constraint flags and level from the avcC box. */
function avcCodec(view: DataView, entry: Box): string {
  const avcC = children(view, { contentStart: entry.contentStart + 78, end: entry.end }).find((box) => box.type === 'avcC');
  if (!avcC) return entry.type;
  const at = avcC.contentStart;
  return `${entry.type}.${hex(view.getUint8(at + 1))}${hex(view.getUint8(at + 2))}${hex(view.getUint8(at + 3))}`;
}

function handlerKind(view: DataView, mdia: Box): MediaTrack['kind'] {
  const hdlr = child(view, mdia, 'hdlr');
  if (!hdlr) return 'other';
  const handler = readType(view, hdlr.contentStart + 8);
  return handler === 'soun' ? 'audio' : handler === 'vide' ? 'video' : 'other';
}

function trackOf(view: DataView, trak: Box): MediaTrack | undefined {
  const mdia = child(view, trak, 'mdia');
  const minf = mdia && child(view, mdia, 'minf');
  const stbl = minf && child(view, minf, 'stbl');
  const stsd = stbl && child(view, stbl, 'stsd');
  if (!mdia || !stsd) return undefined;
  const entry = children(view, { contentStart: stsd.contentStart + 8, end: stsd.end })[0];
  if (!entry) return undefined;
  const kind = handlerKind(view, mdia);
  if (entry.type === 'mp4a') return { kind, codec: mp4aCodec(view, entry) };
  if (entry.type === 'avc1' || entry.type === 'avc3') return { kind, codec: avcCodec(view, entry) };
  return { kind, codec: entry.type.trim() };
}

/** Tracks described by a complete `moov` box (the bytes of that box alone, or a whole file). */
export function readMp4Tracks(bytes: Uint8Array): MediaTrack[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const moov = children(view, { contentStart: 0, end: bytes.byteLength }).find((box) => box.type === 'moov');
  if (!moov) return undefined;
  return children(view, moov)
    .filter((box) => box.type === 'trak')
    .map((trak) => trackOf(view, trak))
    .filter((track): track is MediaTrack => track !== undefined);
}

/**
 * Where the `moov` box is, judged from top-level box headers in `bytes` (the file's first
 * bytes, starting at `offset` in the file): `found`, or the next header to read.
 */
export function locateMoov(bytes: Uint8Array, offset: number): { moov: { start: number; end: number } } | { next: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; ; ) {
    const box = readBoxHeader(view, at, Number.MAX_SAFE_INTEGER);
    if (!box) return at > 0 ? { next: offset + at } : undefined;
    if (box.type === 'moov') return { moov: { start: offset + box.start, end: offset + box.end } };
    at = box.end;
  }
}

const HEAD_BYTES = 256 * 1024;
const MAX_MOOV_BYTES = 16 * 1024 * 1024;

async function readRange(fetch: Fetch, url: string, start: number, end: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  const response = await fetch(url, { method: 'GET', headers: { Range: `bytes=${start}-${end - 1}` }, signal });
  if (response.status !== 206 && response.status !== 200) return undefined;
  const body = response.body;
  if (!body) return undefined;
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= (response.status === 200 ? end : end - start)) break;
  }
  // A server that ignores Range answers 200 with the whole file: keep what was asked for.
  const bytes = Buffer.concat(chunks);
  return response.status === 200 ? bytes.subarray(start, end) : bytes.subarray(0, end - start);
}

type RangeReader = (start: number, end: number) => Promise<Uint8Array | undefined>;

/** Finds the `moov` box with a few reads of the file's top-level box headers, never the whole file. */
async function readTracks(read: RangeReader): Promise<MediaTrack[] | undefined> {
  let offset = 0;
  for (let step = 0; step < 4; step++) {
    const head = await read(offset, offset + HEAD_BYTES);
    if (!head) return undefined;
    const where = locateMoov(head, offset);
    if (!where) return undefined;
    if ('next' in where) {
      if (where.next <= offset) return undefined;
      offset = where.next;
      continue;
    }
    const { start, end } = where.moov;
    if (end - start > MAX_MOOV_BYTES) return undefined;
    const inHead = end <= offset + head.byteLength;
    const moov = inHead ? head.subarray(start - offset, end - offset) : await read(start, end);
    return moov ? readMp4Tracks(moov) : undefined;
  }
  return undefined;
}

/**
 * Reads an MP4's track list from its URL with a few range requests, never the whole file.
 * Resolves `undefined` when the file is not an MP4 this can read.
 */
export function probeMp4(fetch: Fetch, url: string, signal?: AbortSignal): Promise<MediaTrack[] | undefined> {
  return readTracks((start, end) => readRange(fetch, url, start, end, signal));
}

/** The same, from a file on this machine. */
export async function probeMp4File(path: string): Promise<MediaTrack[] | undefined> {
  const file = await fs.open(path, 'r');
  try {
    return await readTracks(async (start, end) => {
      const buffer = Buffer.alloc(end - start);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
      return bytesRead > 0 ? buffer.subarray(0, bytesRead) : undefined;
    });
  } finally {
    await file.close();
  }
}
