// A loopback stand-in for Pictory's AI Studio API (the routes the extension uses), with
// fault injection and CDN-like media serving, for unit, integration and UI tests. Uploads go
// to a second loopback server, the storage host that `POST /v1/media/generateurl` signs for.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { answerWithFault, FaultList, type FaultRule } from './faults';
import { imageCredits, validateImageRequest, validateUploadUrlRequest, type ImageRequest } from './imageContract';
import {
  createImageJob,
  createJob,
  createRenderJob,
  imageListItem,
  isFinished,
  listItem,
  parseImageName,
  parseMediaName,
  parseRenderName,
  pollImageJob,
  pollJob,
  pollRenderJob,
  type ImageJob,
  type PictoryJob,
  type RenderJob,
} from './jobs';
import { loadMedia, locateFixturesDir, serveFile, serveGenerated, type GeneratedFile, type MediaFile, type MediaLibrary } from './media';
import { validateRenderRequest } from './renderContract';
import { startStorageServer, type StorageServer } from './storageServer';
import { creditsFor, validateVideoRequest, type FieldError, type VideoRequest } from './videoContract';

export type { Fault, FaultRule } from './faults';
export type { ImageModel, ImageRequest } from './imageContract';
export type { ImageJob, JobOutcome, PictoryJob, RenderJob, RenderOutcome } from './jobs';
export type { RenderBackground, RenderBackgroundSettings, RenderRequest, RenderScene, RenderSwitch } from './renderContract';
export type { SignedUpload, StorageRequest, StorageServer } from './storageServer';
export type { VideoModel, VideoRequest } from './videoContract';

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  path: string;
  authorization: string | undefined;
  userAgent: string | undefined;
  /** Parsed JSON, or the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  at: number;
}

export interface PictoryServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1; only loopback addresses are accepted. */
  host?: string;
  /** Default: the key starts with `pictai_` and does not contain `wrong`. */
  acceptKey?: (key: string) => boolean;
  /** How many polls of a job answer "in progress" before its final state; default 2. */
  pollsUntilDone?: number;
  /** Default: the repository's test/fixtures, found by walking up from this file. */
  fixturesDir?: string;
  /** The storage server's port; default 0: any free port. */
  storagePort?: number;
  /**
   * Large videos made on the fly, served under `/media/<name>` (name → size in bytes): streamed
   * from a repeated block (see `generatedBytes` in media.ts), never held in memory whole.
   */
  generatedVideos?: Readonly<Record<string, number>>;
}

export interface PictoryServer {
  readonly origin: string;
  /** `origin + '/pictoryapis'`, the extension's API base URL. */
  readonly baseUrl: string;
  /** API requests in arrival order (media downloads excluded). */
  readonly requests: RecordedRequest[];
  /** Requests under /media/. */
  mediaRequests: RecordedRequest[];
  /**
   * The storage host the signed upload URLs point to (on the same loopback address), with its
   * own requests and faults. Started and closed with this server; `reset` resets it too.
   */
  readonly storage: StorageServer;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Clears recorded requests, faults and jobs, and resets the storage server. */
  reset(): void;
  /** Makes a job (video, image or storyboard render) that existed answer 404 from now on. */
  forgetJob(jobId: string): void;
  /** Videos the account already has, finished, oldest first (as if made earlier, elsewhere). */
  addFinishedVideos(requests: readonly VideoRequest[]): void;
  /** Video jobs. */
  jobs(): ReadonlyMap<string, Readonly<PictoryJob>>;
  /** Images the account already has, finished, oldest first. */
  addFinishedImages(requests: readonly ImageRequest[]): void;
  /** Image jobs. */
  imageJobs(): ReadonlyMap<string, Readonly<ImageJob>>;
  /** Storyboard render jobs (`POST /v2/video/storyboard/render`), which cost no AI credits. */
  renderJobs(): ReadonlyMap<string, Readonly<RenderJob>>;
  /** Ends hanging requests and open connections too. */
  close(): Promise<void>;
}

const API_PREFIX = '/pictoryapis';
const JOB_PATH = /^\/pictoryapis\/v1\/jobs\/([^/]+)$/;
const QUOTA_BASELINE = { aiCreditsUsed: 690, aiCreditsLimit: 22000 };
const LIST_PAGE_SIZE = 100;

export async function startPictoryServer(options: PictoryServerOptions = {}): Promise<PictoryServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`The Pictory test server only listens on loopback, not ${host}`);
  const media = loadMedia(locateFixturesDir(options.fixturesDir));
  const storage = await startStorageServer(host, options.storagePort ?? 0);
  const generated = generatedFiles(options.generatedVideos ?? {});
  const server = new LoopbackPictoryServer(media, generated, storage, options.acceptKey ?? defaultAcceptKey, options.pollsUntilDone ?? 2);
  try {
    await server.listen(options.port ?? 0, host);
  } catch (error) {
    await storage.close();
    throw error;
  }
  return server;
}

function generatedFiles(sizes: Readonly<Record<string, number>>): ReadonlyMap<string, GeneratedFile> {
  const files = new Map<string, GeneratedFile>();
  for (const [name, size] of Object.entries(sizes)) {
    if (!/^[\w.-]+$/.test(name) || !Number.isSafeInteger(size) || size < 0) throw new Error(`Cannot generate ${name} of ${size} bytes`);
    files.set(name, { size, contentType: 'video/mp4' });
  }
  return files;
}

function defaultAcceptKey(key: string): boolean {
  return key.startsWith('pictai_') && !key.includes('wrong');
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Sends a JSON answer, or, for a fault, drops it. */
type Reply = (status: number, body: object) => void;
type Handler = (req: IncomingMessage, reply: Reply, body: string) => void;

const INVALID_BODY_MESSAGE = 'Request body is invalid: check the fields array.';

class LoopbackPictoryServer implements PictoryServer {
  readonly requests: RecordedRequest[] = [];
  mediaRequests: RecordedRequest[] = [];
  private readonly http: Server;
  private readonly faults = new FaultList();
  private readonly jobTable = new Map<string, PictoryJob>();
  private readonly imageTable = new Map<string, ImageJob>();
  private readonly renderTable = new Map<string, RenderJob>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private address = '';
  private closing: Promise<void> | undefined;

  constructor(
    private readonly media: MediaLibrary,
    private readonly generated: ReadonlyMap<string, GeneratedFile>,
    readonly storage: StorageServer,
    private readonly acceptKey: (key: string) => boolean,
    private readonly pollsUntilDone: number,
  ) {
    this.http = createServer((req, res) => void this.receive(req, res));
  }

  get origin(): string {
    return this.address;
  }

  get baseUrl(): string {
    return this.origin + API_PREFIX;
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

  addFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  reset(): void {
    this.requests.length = 0;
    this.mediaRequests.length = 0;
    this.faults.clear();
    this.jobTable.clear();
    this.imageTable.clear();
    this.renderTable.clear();
    this.storage.reset();
  }

  addFinishedVideos(requests: readonly VideoRequest[]): void {
    for (const request of requests) {
      const job = createJob(request);
      job.polls = this.pollsUntilDone + 1;
      this.jobTable.set(job.id, job);
    }
  }

  forgetJob(jobId: string): void {
    this.jobTable.delete(jobId);
    this.imageTable.delete(jobId);
    this.renderTable.delete(jobId);
  }

  jobs(): ReadonlyMap<string, Readonly<PictoryJob>> {
    return this.jobTable;
  }

  addFinishedImages(requests: readonly ImageRequest[]): void {
    for (const request of requests) {
      const job = createImageJob(request);
      job.polls = this.pollsUntilDone + 1;
      this.imageTable.set(job.id, job);
    }
  }

  imageJobs(): ReadonlyMap<string, Readonly<ImageJob>> {
    return this.imageTable;
  }

  renderJobs(): ReadonlyMap<string, Readonly<RenderJob>> {
    return this.renderTable;
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([
      new Promise<void>((resolve) => {
        for (const timer of this.timers) clearTimeout(timer);
        this.timers.clear();
        this.http.close(() => resolve());
        this.http.closeAllConnections();
      }),
      this.storage.close(),
    ]).then(() => undefined);
    return this.closing;
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      return; // the client went away mid-request
    }
    const recorded = recordOf(req, body);
    (recorded.path.startsWith('/media/') ? this.mediaRequests : this.requests).push(recorded);
    const answerNormally = () => this.answer(req, res, body, (status, json) => sendJson(res, status, json));
    const handleThenReset = () => this.answer(req, res, body, () => res.socket?.destroy());
    const fault = this.faults.take(recorded.method, recorded.path);
    if (fault) answerWithFault(fault, res, { answerNormally, handleThenReset, after: (ms, action) => this.after(ms, action) });
    else answerNormally();
  }

  private after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: string, reply: Reply): void {
    if (res.destroyed) return;
    try {
      this.route(req, res, body, reply);
    } catch (error) {
      reply(500, { message: error instanceof Error ? error.message : 'Internal server error' });
    }
  }

  private route(req: IncomingMessage, res: ServerResponse, body: string, reply: Reply): void {
    const { pathname } = new URL(req.url ?? '/', this.origin);
    if (pathname.startsWith('/media/')) return this.serveMedia(req, res, pathname.slice('/media/'.length));
    const handler = this.handlerFor(req.method ?? 'GET', pathname);
    if (!handler) return reply(404, { message: 'Not Found' });
    if (!this.isAuthorized(req.headers.authorization)) return reply(401, { message: 'Unauthorized' });
    handler(req, reply, body);
  }

  private handlerFor(method: string, pathname: string): Handler | undefined {
    if (pathname === `${API_PREFIX}/v1/aistudio/videos`) {
      if (method === 'POST') return (_req, reply, body) => this.createVideo(reply, body);
      if (method === 'GET') return (req, reply) => this.listVideos(req, reply);
    }
    if (pathname === `${API_PREFIX}/v1/aistudio/images`) {
      if (method === 'POST') return (_req, reply, body) => this.createImage(reply, body);
      if (method === 'GET') return (req, reply) => this.listImages(req, reply);
    }
    if (method === 'POST' && pathname === `${API_PREFIX}/v2/video/storyboard/render`) return (_req, reply, body) => this.createRender(reply, body);
    if (method === 'POST' && pathname === `${API_PREFIX}/v1/media/generateurl`) return (_req, reply, body) => this.generateUploadUrl(reply, body);
    if (method === 'GET' && pathname === `${API_PREFIX}/v1/quota`) return (_req, reply) => this.quota(reply);
    const jobId = method === 'GET' ? JOB_PATH.exec(pathname)?.[1] : undefined;
    if (jobId !== undefined) return (_req, reply) => this.pollJob(reply, decodeURIComponent(jobId));
    return undefined;
  }

  /** The key goes in raw: a `Bearer` prefix is refused even by a lenient `acceptKey`. */
  private isAuthorized(authorization: string | undefined): boolean {
    return authorization !== undefined && !/^bearer\s/i.test(authorization) && this.acceptKey(authorization);
  }

  private createVideo(reply: Reply, body: string): void {
    const parsed = parseJson(body);
    const validation = parsed.ok
      ? validateVideoRequest(parsed.value)
      : { ok: false as const, fields: [{ name: 'body', errors: 'must be valid JSON' }] };
    if (!validation.ok) return refuseBody(reply, validation.fields);
    const job = createJob(validation.request);
    this.jobTable.set(job.id, job);
    reply(200, { success: true, data: { jobId: job.id } });
  }

  private createImage(reply: Reply, body: string): void {
    const parsed = parseJson(body);
    const validation = parsed.ok ? validateImageRequest(parsed.value) : { ok: false as const, fields: [{ name: 'body', errors: 'must be valid JSON' }] };
    if (!validation.ok) return refuseBody(reply, validation.fields);
    const job = createImageJob(validation.request);
    this.imageTable.set(job.id, job);
    reply(200, { success: true, data: { jobId: job.id } });
  }

  private createRender(reply: Reply, body: string): void {
    const parsed = parseJson(body);
    const validation = parsed.ok ? validateRenderRequest(parsed.value) : { ok: false as const, fields: [{ name: 'body', errors: 'must be valid JSON' }] };
    if (!validation.ok) return refuseBody(reply, validation.fields);
    const job = createRenderJob(validation.request);
    this.renderTable.set(job.id, job);
    reply(200, { success: true, data: { jobId: job.id } });
  }

  private generateUploadUrl(reply: Reply, body: string): void {
    const parsed = parseJson(body);
    const validation = parsed.ok ? validateUploadUrlRequest(parsed.value) : { ok: false as const, fields: [{ name: 'body', errors: 'must be valid JSON' }] };
    if (!validation.ok) return refuseBody(reply, validation.fields);
    const { signedUrl, url, key } = this.storage.sign(validation.request.fileName, validation.request.contentType);
    reply(200, { success: true, data: { signedUrl, url, key } });
  }

  private pollJob(reply: Reply, jobId: string): void {
    const job = this.jobTable.get(jobId);
    const image = this.imageTable.get(jobId);
    const render = this.renderTable.get(jobId);
    if (job) return reply(200, pollJob(job, this.origin, this.pollsUntilDone));
    if (image) return reply(200, pollImageJob(image, this.origin, this.pollsUntilDone));
    if (render) return reply(200, pollRenderJob(render, this.origin, this.pollsUntilDone));
    reply(404, { success: false, error: { error_code: '5000', error_message: 'JOB_NOT_FOUND' } });
  }

  private listVideos(req: IncomingMessage, reply: Reply): void {
    this.listPage(req, reply, [...this.jobTable.values()], (job) => listItem(job, this.origin));
  }

  private listImages(req: IncomingMessage, reply: Reply): void {
    this.listPage(req, reply, [...this.imageTable.values()], (job) => imageListItem(job, this.origin));
  }

  /** A page of the finished jobs, newest first; the page key is the offset. */
  private listPage<T extends PictoryJob | ImageJob>(req: IncomingMessage, reply: Reply, jobs: T[], item: (job: T) => object): void {
    const offset = Number(new URL(req.url ?? '/', this.origin).searchParams.get('nextPageKey') ?? 0) || 0;
    const finished = jobs.filter((job) => job.outcome === 'completed' && isFinished(job, this.pollsUntilDone)).reverse();
    const items = finished.slice(offset, offset + LIST_PAGE_SIZE).map(item);
    const more = offset + LIST_PAGE_SIZE < finished.length;
    reply(200, { items, ...(more && { nextPageKey: String(offset + LIST_PAGE_SIZE) }) });
  }

  private quota(reply: Reply): void {
    const spent =
      [...this.jobTable.values()].reduce((sum, job) => sum + creditsFor(job.request), 0) +
      [...this.imageTable.values()].reduce((sum, job) => sum + imageCredits(job.request), 0);
    reply(200, {
      aiCredits: { used: Math.round((QUOTA_BASELINE.aiCreditsUsed + spent) * 100) / 100, limit: QUOTA_BASELINE.aiCreditsLimit },
      videoMinutes: { used: 98, limit: 14400 },
    });
  }

  private serveMedia(req: IncomingMessage, res: ServerResponse, name: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { message: 'Method Not Allowed' });
    const decoded = decodeURIComponent(name);
    const generated = this.generated.get(decoded);
    if (generated) return serveGenerated(req, res, generated);
    const file = this.mediaFile(decoded);
    if (!file) return sendJson(res, 404, { message: 'Not Found' });
    serveFile(req, res, file);
  }

  /**
   * Job media (`<jobId>.mp4`, `<jobId>_thumbnail.jpg`, a render's `<jobId>_film.mp4`...) while
   * the job is known, or a fixture by name.
   */
  private mediaFile(name: string): MediaFile | undefined {
    const fixtures: Record<string, MediaFile> = {
      'with-audio.mp4': this.media.withAudio,
      'no-audio.mp4': this.media.noAudio,
      'ac3-audio.mp4': this.media.ac3Audio,
      'stereo-tone.mp4': this.media.stereoTone,
      'thumbnail.jpg': this.media.thumbnail,
      'image.png': this.media.image,
    };
    if (Object.hasOwn(fixtures, name)) return fixtures[name];
    // Before the video names: `<jobId>_film.mp4` also ends in `.mp4`.
    const render = parseRenderName(name);
    if (render !== undefined) {
      if (!this.renderTable.has(render.jobId)) return undefined;
      return render.media === 'video' ? this.media.withAudio : this.media.thumbnail;
    }
    const imageJobId = parseImageName(name);
    if (imageJobId !== undefined) return this.imageTable.has(imageJobId) ? this.media.image : undefined;
    const parsed = parseMediaName(name);
    const job = parsed && this.jobTable.get(parsed.jobId);
    if (!parsed || !job) return undefined;
    if (parsed.media !== 'video') return this.media.thumbnail;
    const videos = { aac: this.media.withAudio, none: this.media.noAudio, ac3: this.media.ac3Audio, stereo: this.media.stereoTone };
    return videos[job.audio];
  }
}

function refuseBody(reply: Reply, fields: readonly FieldError[]): void {
  reply(400, { code: 'INVALID_REQUEST_BODY', message: INVALID_BODY_MESSAGE, fields });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function recordOf(req: IncomingMessage, body: string): RecordedRequest {
  const parsed = parseJson(body);
  return {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    authorization: req.headers.authorization,
    userAgent: req.headers['user-agent'],
    body: body === '' ? undefined : parsed.ok ? parsed.value : body,
    at: Date.now(),
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function sendJson(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
