// A loopback stand-in for the storage host behind `POST /v1/media/generateurl` (S3-like): it
// takes a `PUT` to a signed URL, with exactly the signed Content-Type and no Authorization
// header, and serves the stored file at its permanent URL. Refusals are S3's XML errors.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerWithFault, FaultList, type FaultRule } from './faults';
import { serveFile, type MediaFile } from './media';

export interface StorageRequest {
  readonly method: string;
  /** Path and query (the query of a signed URL included). */
  readonly path: string;
  readonly contentType: string | undefined;
  readonly contentLength: string | undefined;
  readonly transferEncoding: string | undefined;
  readonly authorization: string | undefined;
  /** Bytes of body received. */
  readonly size: number;
  readonly at: number;
}

export interface SignedUpload {
  readonly signedUrl: string;
  readonly url: string;
  readonly key: string;
}

export interface StorageServer {
  readonly origin: string;
  /** Every request, uploads and downloads, in arrival order. */
  readonly requests: StorageRequest[];
  /**
   * How long a signed URL stays valid from its signing; 24 hours by default, as the real one.
   * 0 makes every URL signed from now on expired by the time it is used.
   */
  urlLifetimeMs: number;
  /** A signed URL for a `PUT` of `fileName` with exactly `contentType`, and its permanent URL. */
  sign(fileName: string, contentType: string): SignedUpload;
  /** The files uploaded, by key. */
  files(): ReadonlyMap<string, MediaFile>;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Clears requests, faults and files, and restores the URL lifetime. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_LIFETIME_MS = 24 * 60 * 60 * 1000;
const KEY_PREFIX = 'uploads/';

export async function startStorageServer(host = '127.0.0.1', port = 0): Promise<StorageServer> {
  const server = new LoopbackStorageServer();
  await server.listen(port, host);
  return server;
}

class LoopbackStorageServer implements StorageServer {
  readonly requests: StorageRequest[] = [];
  urlLifetimeMs = DEFAULT_LIFETIME_MS;
  private readonly http: Server;
  private readonly secret = randomBytes(32);
  private readonly stored = new Map<string, MediaFile>();
  private readonly faults = new FaultList();
  private readonly timers = new Set<NodeJS.Timeout>();
  private address = '';
  private closing: Promise<void> | undefined;

  constructor() {
    this.http = createServer((req, res) => void this.receive(req, res));
  }

  get origin(): string {
    return this.address;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        const { address, port: actual } = this.http.address() as AddressInfo;
        this.address = `http://${address.includes(':') ? `[${address}]` : address}:${actual}`;
        resolve();
      });
    });
  }

  sign(fileName: string, contentType: string): SignedUpload {
    const key = `${KEY_PREFIX}${randomUUID()}/${fileName}`;
    const expires = Date.now() + this.urlLifetimeMs;
    const url = `${this.origin}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const query = new URLSearchParams({ Expires: String(expires), Signature: this.signature(key, contentType, expires) });
    return { signedUrl: `${url}?${query}`, url, key };
  }

  files(): ReadonlyMap<string, MediaFile> {
    return this.stored;
  }

  addFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.clear();
    this.stored.clear();
    this.urlLifetimeMs = DEFAULT_LIFETIME_MS;
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    return this.closing;
  }

  private signature(key: string, contentType: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`PUT\n${key}\n${contentType}\n${expires}`).digest('hex');
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBytes(req);
    } catch {
      return; // the client went away mid-request
    }
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path,
      contentType: req.headers['content-type'],
      contentLength: req.headers['content-length'],
      transferEncoding: req.headers['transfer-encoding'],
      authorization: req.headers.authorization,
      size: body.length,
      at: Date.now(),
    });
    const answerNormally = () => this.answer(req, res, body, false);
    const handleThenReset = () => this.answer(req, res, body, true);
    const fault = this.faults.take(method, path);
    if (fault) {
      answerWithFault(fault, res, {
        answerNormally,
        handleThenReset,
        after: (ms, action) => {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            action();
          }, ms);
          this.timers.add(timer);
        },
      });
    } else {
      answerNormally();
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: Buffer, dropAnswer: boolean): void {
    if (res.destroyed) return;
    const url = new URL(req.url ?? '/', this.origin);
    const key = keyOf(url.pathname);
    type Send = (status: number, code: string, message: string) => void;
    const send: Send = dropAnswer ? () => void res.socket?.destroy() : (status, code, message) => sendXmlError(res, status, code, message);
    if (key === undefined) return send(404, 'NoSuchKey', 'The specified key does not exist.');
    switch (req.method) {
      case 'PUT':
        return this.put(req, res, url, key, body, send, dropAnswer);
      case 'GET':
      case 'HEAD': {
        const file = this.stored.get(key);
        if (!file) return send(404, 'NoSuchKey', 'The specified key does not exist.');
        if (dropAnswer) return void res.socket?.destroy();
        return serveFile(req, res, file);
      }
      default:
        return send(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    }
  }

  private put(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    key: string,
    body: Buffer,
    send: (status: number, code: string, message: string) => void,
    dropAnswer: boolean,
  ): void {
    const expires = url.searchParams.get('Expires');
    const signature = url.searchParams.get('Signature');
    if (req.headers.authorization !== undefined) {
      return send(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the Signature query parameter or the Authorization header should be specified.');
    }
    if (expires === null || signature === null) {
      return send(403, 'AccessDenied', 'Query-string authentication requires the Signature and Expires parameters.');
    }
    if (!/^\d+$/.test(expires) || Date.now() >= Number(expires)) return send(403, 'AccessDenied', 'Request has expired.');
    const contentType = req.headers['content-type'] ?? '';
    const expected = Buffer.from(this.signature(key, contentType, Number(expires)), 'hex');
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return send(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    }
    if (req.headers['content-length'] === undefined) return send(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    this.stored.set(key, { bytes: body, contentType });
    if (dropAnswer) return void res.socket?.destroy();
    res.writeHead(200, { ETag: `"${createHash('md5').update(body).digest('hex')}"`, 'Content-Length': 0 });
    res.end();
  }
}

/** The key of a path such as `/uploads/<uuid>/a%20b.png`; undefined outside the upload space. */
function keyOf(pathname: string): string | undefined {
  let key: string;
  try {
    key = pathname.slice(1).split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined;
  }
  return key.startsWith(KEY_PREFIX) ? key : undefined;
}

function readBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendXmlError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
