// Reads a media file over one HTTP/1.1 connection straight into a file. Node's HTTP clients
// (node-fetch, http.get, fetch) hand over every read as a new buffer, which stays in memory
// until V8's next collection: 30 to 45 MB of them while a large clip streams. Here the socket
// reads into a buffer of our own (`onread`), each read is copied into one of three fixed write
// buffers, and full ones are written while the next fills; the socket waits when the next is
// still being written. A save holds about 7 MB whatever the file's size, and writes in large parts.
// No library reads a response into a buffer it is given: this module is the smallest reader
// that does, and anything it does not expect goes back to node-fetch before a byte is written.
// Only what a media download needs: GET, no body, no key, no compression; anything else
// (a proxy to go through, an unusual answer) is left to the regular client.
import net = require('net');
import tls = require('tls');
import type { FileHandle } from 'fs/promises';

const READ_BUFFER_BYTES = 512 * 1024;
export const WRITE_BUFFER_BYTES = 2 * 1024 * 1024;
/** How many write buffers, so at most one fewer writes at a time. */
const WRITE_BUFFERS = 3;
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE_BYTES = 1024;
const MAX_REDIRECTS = 5;
const CONNECT_TIMEOUT_MS = 15_000;
const IDLE_TIMEOUT_MS = 60_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Some media hosts refuse requests that name no client. */
const USER_AGENT = 'pictory-vscode';

/** The regular client should fetch this file: the direct reader could not start (nothing was written). */
export class DirectUnavailable extends Error {
  /** `unreachable`: no connection could be made at all (a proxy may be required). */
  constructor(message: string, readonly unreachable = false) {
    super(message);
  }
}

export interface DirectDownload {
  /** Bytes written so far, and the file's length when the server said it. */
  readonly onBytes: (written: number, total: number | undefined) => void;
  readonly signal: AbortSignal;
}

/**
 * Writes the body of `url` into `file` from its start; follows up to five redirects (never from
 * HTTPS to HTTP). Throws `DirectUnavailable` before anything is written when the regular client
 * should fetch the file instead, for an answer other than 200 too: that client's answer, its
 * retries and its message stand, as they did before this reader existed.
 */
export async function downloadDirect(url: string, file: FileHandle, options: DirectDownload): Promise<void> {
  let address = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const outcome = await readOnce(address, file, options);
    if (outcome.kind === 'done') return;
    const next = new URL(outcome.location, address);
    if (redirects >= MAX_REDIRECTS) throw new DirectUnavailable('too many redirects');
    if (address.protocol === 'https:' && next.protocol !== 'https:') throw new DirectUnavailable(`a redirect from HTTPS to ${next.protocol}`);
    address = next;
  }
}

type Outcome = { kind: 'done' } | { kind: 'redirect'; status: number; location: string };

interface Head {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
}

/** How the body ends: after a length, after the last chunk, or when the server closes. */
type Framing = { kind: 'length'; left: number } | { kind: 'chunked'; chunk: ChunkReader } | { kind: 'close' };

function readOnce(address: URL, file: FileHandle, options: DirectDownload): Promise<Outcome> {
  if (address.protocol !== 'http:' && address.protocol !== 'https:') return Promise.reject(new DirectUnavailable(`${address.protocol} is not HTTP`));
  return new Promise<Outcome>((resolve, reject) => {
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    let head: Buffer | undefined = Buffer.alloc(0);
    let framing: Framing | undefined;
    let total: number | undefined;
    let settled = false;
    let connected = false;
    /** The whole body is in: what remains is to write it. */
    let bodyEnded = false;
    const finish = (error: Error | undefined, outcome?: Outcome) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', abort);
      socket.destroy();
      if (error) reject(error);
      else resolve(outcome ?? { kind: 'done' });
    };
    // Before the body begins, any failure leaves the file to the regular client.
    // Once the whole body is in, only its writing can fail (a reset or a slow disk does not matter then).
    const fail = (error: Error) => bodyEnded || finish(framing ? error : new DirectUnavailable(error.message, !connected));
    const abort = () => finish(options.signal.reason instanceof Error ? options.signal.reason : new Error('The download was cancelled'));

    const sink = new FileSink(file, READ_BUFFER_BYTES, () => socket.pause(), () => socket.resume());
    let reported = -1;
    const report = () => {
      if (sink.written === reported) return;
      reported = sink.written;
      options.onBytes(sink.written, total);
    };
    const end = () =>
      sink.end().then(
        () => {
          report();
          finish(undefined);
        },
        (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
      );

    const onRead = (count: number): boolean => {
      if (settled || bodyEnded) return false;
      let offset = 0;
      if (head) {
        const parsed = readHead(head, buffer.subarray(0, count));
        if ('more' in parsed) {
          head = parsed.more;
          return true;
        }
        head = undefined;
        const decided = framingOf(parsed.head);
        if ('outcome' in decided) {
          finish(undefined, decided.outcome);
          return false;
        }
        if ('error' in decided) {
          finish(decided.error);
          return false;
        }
        framing = decided.framing;
        total = framing.kind === 'length' ? framing.left : undefined;
        offset = count - parsed.bodyBytes;
      }
      const body = bodyRanges(framing!, buffer, offset, count);
      if (body.error) {
        finish(body.error);
        return false;
      }
      for (const [start, stop] of body.ranges) sink.push(buffer, start, stop);
      if (sink.failure) {
        finish(sink.failure);
        return false;
      }
      report();
      if (!body.ended) return true;
      bodyEnded = true;
      void end();
      return false;
    };

    const secure = address.protocol === 'https:';
    const port = Number(address.port) || (secure ? 443 : 80);
    const host = address.hostname.replace(/^\[|\]$/g, '');
    const onread = { buffer, callback: onRead };
    const socket: net.Socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], onread } as tls.ConnectionOptions)
      : net.connect({ host, port, onread });
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      connected = true;
      socket.setTimeout(IDLE_TIMEOUT_MS);
      const target = `${address.pathname}${address.search}`;
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${address.host}\r\nUser-Agent: ${USER_AGENT}\r\nAccept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n`);
    });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => fail(new Error(connected ? 'the server stopped sending' : 'the connection could not be made in time')));
    socket.on('error', fail);
    socket.on('end', () => {
      if (bodyEnded) return;
      if (framing?.kind === 'close') {
        bodyEnded = true;
        return void end();
      }
      fail(new Error('the connection closed before the file was complete'));
    });
    if (options.signal.aborted) return abort();
    options.signal.addEventListener('abort', abort, { once: true });
  });
}

/**
 * A few write buffers: reads are copied into one while the others are written, several writes
 * at a time (a write into the page cache is a copy the kernel makes on the writing thread, so
 * two overlap on two cores). The socket is paused while the next buffer is still being written
 * and this one has no room for a whole read; what arrives all the same (a TLS socket delivers
 * what it has already decrypted) waits in copies of its own, written next.
 */
export class FileSink {
  private readonly buffers = Array.from({ length: WRITE_BUFFERS }, () => Buffer.allocUnsafe(WRITE_BUFFER_BYTES));
  private readonly writes: (Promise<void> | undefined)[] = new Array(WRITE_BUFFERS).fill(undefined);
  private filling = 0;
  private filled = 0;
  private paused = false;
  /** Bytes that found no room, in order, to be taken in once a write ends. */
  private overflow: Buffer[] = [];
  /** Bytes written or being written. */
  written = 0;
  failure: Error | undefined;

  /** `readBytes`: the most one read delivers. */
  constructor(
    private readonly file: FileHandle,
    private readonly readBytes: number,
    private readonly pause: () => void,
    private readonly resume: () => void,
  ) {}

  push(source: Buffer, start: number, end: number): void {
    let at = this.overflow.length > 0 ? end : start;
    if (at === end && start < end) this.overflow.push(Buffer.from(source.subarray(start, end)));
    while (at < end) {
      const copied = source.copy(this.buffers[this.filling], this.filled, at, end);
      this.filled += copied;
      at += copied;
      if (this.filled < WRITE_BUFFER_BYTES) continue;
      if (this.nextBusy()) {
        this.overflow.push(Buffer.from(source.subarray(at, end)));
        break;
      }
      this.startWrite();
    }
    if (this.mustWait() && !this.paused) {
      this.paused = true;
      this.pause();
    }
  }

  /** Everything pushed, on disk. */
  async end(): Promise<void> {
    await this.allWritten();
    if (this.failure) throw this.failure;
    if (this.filled > 0) {
      this.startWrite();
      await this.allWritten();
    }
    if (this.failure) throw this.failure;
  }

  private async allWritten(): Promise<void> {
    for (let pending = this.writes.filter(Boolean); pending.length > 0; pending = this.writes.filter(Boolean)) await Promise.all(pending);
  }

  private nextBusy(): boolean {
    return this.writes[(this.filling + 1) % WRITE_BUFFERS] !== undefined;
  }

  /** No room for another read, and nowhere to go next. */
  private mustWait(): boolean {
    return this.nextBusy() && WRITE_BUFFER_BYTES - this.filled < this.readBytes;
  }

  private startWrite(): void {
    const index = this.filling;
    const length = this.filled;
    const position = this.written;
    this.filling = (index + 1) % WRITE_BUFFERS;
    this.filled = 0;
    this.written += length;
    this.writes[index] = this.writeAll(this.buffers[index], length, position).then(
      () => this.writeEnded(index),
      (error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
        this.writes[index] = undefined;
      },
    );
  }

  private async writeAll(buffer: Buffer, length: number, position: number): Promise<void> {
    let at = 0;
    while (at < length) at += (await this.file.write(buffer, at, length - at, position + at)).bytesWritten;
  }

  /** A full buffer waiting for this one is written now, what waited in copies is taken in, and reading goes on. */
  private writeEnded(index: number): void {
    this.writes[index] = undefined;
    if (this.filled === WRITE_BUFFER_BYTES && !this.nextBusy()) this.startWrite();
    const waited = this.overflow;
    this.overflow = [];
    for (const copy of waited) this.push(copy, 0, copy.length);
    if (this.paused && !this.mustWait()) {
      this.paused = false;
      this.resume();
    }
  }
}

/** The status line and headers, once they are all in; else what was read of them so far. */
function readHead(before: Buffer, read: Buffer): { head: Head; bodyBytes: number } | { more: Buffer } {
  const joined = before.length === 0 ? read : Buffer.concat([before, read]);
  const end = joined.indexOf('\r\n\r\n');
  if (end < 0) {
    // Status 0, like an unreadable status line: an answer this reader leaves to node-fetch.
    if (joined.length > MAX_HEAD_BYTES) return { head: { status: 0, headers: new Map() }, bodyBytes: 0 };
    return { more: Buffer.from(joined) };
  }
  const [statusLine, ...lines] = joined.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { head: { status: status ? Number(status[1]) : 0, headers }, bodyBytes: joined.length - end - 4 };
}

function framingOf(head: Head): { framing: Framing } | { outcome: Outcome } | { error: Error } {
  const location = head.headers.get('location');
  if (REDIRECTS.has(head.status) && location) return { outcome: { kind: 'redirect', status: head.status, location } };
  if (head.status === 0) return { error: new DirectUnavailable('not an HTTP/1.1 answer') };
  if (head.status !== 200) return { error: new DirectUnavailable(`HTTP ${head.status}`) };
  const encoding = head.headers.get('content-encoding')?.toLowerCase();
  if (encoding && encoding !== 'identity') return { error: new DirectUnavailable(`encoded as ${encoding}`) };
  const transfer = head.headers.get('transfer-encoding')?.toLowerCase();
  if (transfer === 'chunked') return { framing: { kind: 'chunked', chunk: new ChunkReader() } };
  if (transfer) return { error: new DirectUnavailable(`transfer encoding ${transfer}`) };
  const length = head.headers.get('content-length');
  if (length === undefined) return { framing: { kind: 'close' } };
  if (!/^\d+$/.test(length)) return { error: new DirectUnavailable(`content length ${length}`) };
  return { framing: { kind: 'length', left: Number(length) } };
}

/** The parts of `buffer[offset, count)` that belong to the file, and whether the body ended. */
function bodyRanges(framing: Framing, buffer: Buffer, offset: number, count: number): { ranges: [number, number][]; ended: boolean; error?: Error } {
  switch (framing.kind) {
    case 'close':
      return { ranges: offset < count ? [[offset, count]] : [], ended: false };
    case 'length': {
      const end = Math.min(count, offset + framing.left);
      framing.left -= end - offset;
      return { ranges: offset < end ? [[offset, end]] : [], ended: framing.left === 0 };
    }
    case 'chunked':
      return framing.chunk.read(buffer, offset, count);
  }
}

/** Chunked transfer coding: size lines, data, and the CRLF after each chunk; trailers are not waited for. */
class ChunkReader {
  private state: 'size' | 'data' | 'crlf' | 'ended' = 'size';
  private line = '';
  private left = 0;

  read(buffer: Buffer, offset: number, count: number): { ranges: [number, number][]; ended: boolean; error?: Error } {
    const ranges: [number, number][] = [];
    let at = offset;
    while (at < count && this.state !== 'ended') {
      if (this.state === 'size') {
        const newline = buffer.indexOf(10, at);
        const end = newline < 0 || newline >= count ? count : newline;
        this.line += buffer.toString('latin1', at, end);
        if (this.line.length > MAX_CHUNK_LINE_BYTES) return { ranges, ended: false, error: new Error('a chunk size line is too long') };
        at = end;
        if (newline < 0 || newline >= count) break;
        at++;
        const size = /^([0-9a-fA-F]+)\s*(?:;.*)?\r?$/.exec(this.line);
        this.line = '';
        if (!size) return { ranges, ended: false, error: new Error('a chunk size could not be read') };
        this.left = parseInt(size[1], 16);
        this.state = this.left === 0 ? 'ended' : 'data';
      } else if (this.state === 'data') {
        const end = Math.min(count, at + this.left);
        ranges.push([at, end]);
        this.left -= end - at;
        at = end;
        if (this.left === 0) {
          this.state = 'crlf';
          this.left = 2;
        }
      } else {
        const skip = Math.min(this.left, count - at);
        at += skip;
        this.left -= skip;
        if (this.left === 0) this.state = 'size';
      }
    }
    return { ranges, ended: this.state === 'ended' };
  }
}
