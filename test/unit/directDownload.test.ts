import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { DirectUnavailable, downloadDirect, FileSink, WRITE_BUFFER_BYTES } from '../../src/pictory/directDownload';
import { makeTempDir, removeDir } from './support';
import { makeSelfSignedPair } from './tlsServers';

const BODY = randomBytes(3 * 1024 * 1024 + 17);

/** A raw server: each connection gets what `answer` writes, whatever was asked. */
async function rawServer(answer: (socket: net.Socket, request: string) => void): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    let head = '';
    socket.on('data', (data) => {
      if (head.includes('\r\n\r\n')) return;
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      requests.push(head);
      answer(socket, head);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/media/clip.mp4`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Writes `body` in pieces of `size`, a moment apart, so that reads split them anywhere. */
async function writeInPieces(socket: net.Socket, body: Buffer, size: number): Promise<void> {
  for (let at = 0; at < body.length; at += size) {
    socket.write(body.subarray(at, at + size));
    if ((at / size) % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function chunked(body: Buffer, sizes: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (let index = 0; at < body.length; index++) {
    const size = Math.min(sizes[index % sizes.length], body.length - at);
    parts.push(Buffer.from(`${size.toString(16)}${index % 2 ? ';name=value' : ''}\r\n`), body.subarray(at, at + size), Buffer.from('\r\n'));
    at += size;
  }
  parts.push(Buffer.from('0\r\nX-Trailer: yes\r\n\r\n'));
  return Buffer.concat(parts);
}

describe('reading a media file over a direct connection', () => {
  let folder: string;
  let target: string;
  beforeEach(() => {
    folder = makeTempDir('direct');
    target = path.join(folder, 'clip.mp4');
  });
  afterEach(() => removeDir(folder));

  async function download(url: string, signal = new AbortController().signal): Promise<{ progress: [number, number | undefined][] }> {
    const progress: [number, number | undefined][] = [];
    const file = await fs.promises.open(target, 'w');
    try {
      await downloadDirect(url, file, { signal, onBytes: (written, total) => progress.push([written, total]) });
    } finally {
      await file.close();
    }
    return { progress };
  }

  it('writes a body of a stated length, asking for it plainly and reporting its progress', async () => {
    const server = await rawServer(async (socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: ${BODY.length}\r\n\r\n`);
      await writeInPieces(socket, BODY, 100_003);
    });
    try {
      const { progress } = await download(server.url);
      assert.ok(fs.readFileSync(target).equals(BODY));
      assert.deepEqual(progress.at(-1), [BODY.length, BODY.length]);
      assert.ok(progress.every(([written], index) => index === 0 || written > progress[index - 1][0]));
      const [request] = server.requests;
      assert.match(request, /^GET \/media\/clip\.mp4 HTTP\/1\.1\r\n/);
      assert.match(request, /\r\nHost: 127\.0\.0\.1:\d+\r\n/);
      assert.match(request, /\r\nUser-Agent: pictory-vscode\r\n/);
      assert.doesNotMatch(request, /authorization/i);
    } finally {
      await server.close();
    }
  });

  it('reads a chunked body, its size lines split across reads, extensions and trailers included', async () => {
    const server = await rawServer(async (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      await writeInPieces(socket, chunked(BODY, [1, 65_536, 3, 200_000, 17]), 4_099);
    });
    try {
      await download(server.url);
      assert.ok(fs.readFileSync(target).equals(BODY));
    } finally {
      await server.close();
    }
  });

  it('reads a body that ends when the server closes, with the head split across reads', async () => {
    const server = await rawServer(async (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Ty');
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.write('pe: video/mp4\r\n\r');
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.write('\n');
      await writeInPieces(socket, BODY, 50_000);
      socket.end();
    });
    try {
      await download(server.url);
      assert.ok(fs.readFileSync(target).equals(BODY));
    } finally {
      await server.close();
    }
  });

  it('follows a redirect, and leaves a refusal to the regular client, whose answer stands', async () => {
    const server = await rawServer((socket, request) => {
      if (request.startsWith('GET /media/clip.mp4 ')) socket.end('HTTP/1.1 302 Found\r\nLocation: /elsewhere/clip.mp4\r\nContent-Length: 0\r\n\r\n');
      else if (request.startsWith('GET /elsewhere/')) socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nvideo`);
    });
    try {
      await download(server.url);
      assert.equal(fs.readFileSync(target, 'utf8'), 'video');
    } finally {
      await server.close();
    }
    const refusing = await rawServer((socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found'));
    try {
      await assert.rejects(download(refusing.url), (error: unknown) => error instanceof DirectUnavailable && error.message === 'HTTP 404' && !error.unreachable);
      assert.equal(fs.statSync(target).size, 0, 'nothing written');
    } finally {
      await refusing.close();
    }
  });

  it('leaves to the regular client what it does not read: compressed bodies, other answers, no server', async () => {
    const compressed = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc'));
    try {
      await assert.rejects(download(compressed.url), (error: unknown) => error instanceof DirectUnavailable && !error.unreachable);
    } finally {
      await compressed.close();
    }
    const notHttp = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    try {
      await assert.rejects(download(notHttp.url), (error: unknown) => error instanceof DirectUnavailable && !error.unreachable);
    } finally {
      await notHttp.close();
    }
    const closed = await rawServer(() => undefined);
    const url = closed.url;
    await closed.close();
    await assert.rejects(download(url), (error: unknown) => error instanceof DirectUnavailable && error.unreachable);
  });

  it('fails, not falls back, when the connection drops mid-body; stops when cancelled', async () => {
    const dropping = await rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`);
      socket.end(BODY.subarray(0, 1000));
    });
    try {
      await assert.rejects(download(dropping.url), (error: unknown) => error instanceof Error && !(error instanceof DirectUnavailable) && /closed before the file was complete/.test(error.message));
    } finally {
      await dropping.close();
    }
    const hanging = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\nabc`));
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('cancelled by the test')), 50);
      await assert.rejects(download(hanging.url, controller.signal), /cancelled by the test/);
    } finally {
      await hanging.close();
    }
  });

  it('reads over TLS, checking the certificate', async function () {
    const pair = makeSelfSignedPair();
    if ('missing' in pair) return this.skip();
    const server = https.createServer(pair, (_request, response) => {
      response.writeHead(200, { 'Content-Length': BODY.length });
      response.end(BODY);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/media/clip.mp4`;
    try {
      // Not trusted: left to the regular client, which says why.
      await assert.rejects(download(url), (error: unknown) => error instanceof DirectUnavailable);
      const trusting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      try {
        await download(url);
      } finally {
        if (trusting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
        else process.env.NODE_TLS_REJECT_UNAUTHORIZED = trusting;
      }
      assert.ok(fs.readFileSync(target).equals(BODY));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("reads what Node's own HTTP server sends", async () => {
    const server = http.createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await download(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
      assert.equal(fs.readFileSync(target, 'utf8'), 'ok');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the write buffers of a direct download', () => {
  /** A file whose writes take a while, and which says how large each write was. */
  function slowFile(): { handle: FileHandle; content(): Buffer; writes: number[] } {
    let content = Buffer.alloc(0);
    const writes: number[] = [];
    const handle = {
      write: async (buffer: Buffer, offset: number, length: number, position: number) => {
        await new Promise((resolve) => setTimeout(resolve, 3));
        const part = Buffer.from(buffer.subarray(offset, offset + Math.min(length, 700_000)));
        const grown = Buffer.alloc(Math.max(content.length, position + part.length));
        content.copy(grown);
        part.copy(grown, position);
        content = grown;
        writes.push(part.length);
        return { bytesWritten: part.length, buffer };
      },
    } as unknown as FileHandle;
    return { handle, content: () => content, writes };
  }

  it('keeps the order of every byte while the disk lags, in writes no larger than a buffer, pausing the reads meanwhile', async () => {
    const file = slowFile();
    let paused = false;
    let pauses = 0;
    const sink = new FileSink(file.handle, 300_000, () => ((paused = true), pauses++), () => (paused = false));
    const source = randomBytes(5 * WRITE_BUFFER_BYTES + 12_345);
    const landing = Buffer.alloc(300_000);
    let at = 0;
    let piece = 0;
    while (at < source.length) {
      // Reads keep coming for a while after a pause, as a TLS socket delivers what it has decrypted.
      if (paused && piece % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      const size = Math.min([17, 65_536, 299_999, 16_384][piece++ % 4], source.length - at);
      source.copy(landing, 0, at, at + size);
      sink.push(landing, 0, size);
      landing.fill(0);
      at += size;
    }
    await sink.end();
    assert.ok(file.content().equals(source));
    assert.equal(sink.written, source.length);
    assert.ok(pauses > 0, 'the reads waited for the disk');
    assert.equal(paused, false, 'and went on after');
    assert.ok(file.writes.every((size) => size <= WRITE_BUFFER_BYTES));
  });
});
