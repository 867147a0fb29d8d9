import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { downloadToFile, MediaLoader } from '../pictory/download';
import { safeMediaUrl } from '../pictory/urls';
import { JobRecord } from './jobRecord';

/** The files kept on this machine for one finished clip (absolute paths; each may be missing). */
export interface LocalCopy {
  readonly video?: string;
  readonly thumbnail?: string;
  readonly lastFrame?: string;
}

type Part = keyof LocalCopy;
const PARTS: readonly Part[] = ['video', 'thumbnail', 'lastFrame'];
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif']);
/** Where a folder whose name is not the job id itself keeps the id. */
const ID_FILE = 'job-id';
/** A partial file this old was left by a download that will never finish. */
const ABANDONED_PART_MS = 60 * 60_000;
/** A partial file younger than this may be another window's download under way. */
const ACTIVE_PART_MS = 10 * 60_000;

/**
 * The folder of a job's copy: the id itself when it is a plain name, else a cleaned name
 * with a hash of the id, so that no id (`..`, `a/b`) can reach outside the copies' folder.
 */
export function copyFolderName(jobId: string): string {
  if (/^[A-Za-z0-9_-]{1,100}$/.test(jobId)) return jobId;
  const hash = createHash('sha256').update(jobId).digest('hex').slice(0, 16);
  return `${jobId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}.${hash}`;
}

export interface LocalCopiesOptions {
  readonly loadFetch: MediaLoader;
  /** The most the copies may take, in bytes (read at each check, so a changed setting applies). */
  readonly limitBytes: () => number;
  /** Copies shown now (in a panel) are never removed to make room. */
  readonly inUse: (jobId: string) => boolean;
  readonly log: (message: string) => void;
}

/** The file name a part is kept under; images keep their extension so that they are served as images. */
function fileName(part: Part, url: string): string {
  if (part === 'video') return 'video.mp4';
  const extension = path.extname(new URL(url).pathname).toLowerCase();
  return `${part === 'thumbnail' ? 'thumbnail' : 'last-frame'}${IMAGE_EXTENSIONS.has(extension) ? extension : '.jpg'}`;
}

function partOf(name: string): Part | undefined {
  if (name === 'video.mp4') return 'video';
  if (/^thumbnail\.\w+$/.test(name)) return 'thumbnail';
  if (/^last-frame\.\w+$/.test(name)) return 'lastFrame';
  return undefined;
}

function sourceUrl(record: JobRecord, part: Part): string | undefined {
  const video = record.video;
  const url = part === 'video' ? video?.url : part === 'thumbnail' ? (video?.thumbnailImageUrl ?? video?.previewImageUrl) : video?.lastFrameImageUrl;
  return safeMediaUrl(url, record.endpoint);
}

/**
 * Copies of finished clips (the video, its thumbnail and last frame) in one folder per job,
 * so that previews replay instantly, offline, and after Pictory's addresses expire. Files are
 * streamed into place (a `.part` file renamed when complete), one clip at a time, in the
 * background; past the size limit the oldest copies go first, never one in use.
 */
export class LocalCopies {
  private readonly copies = new Map<string, LocalCopy>();
  private loading: Promise<void> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(jobId: string) => void>();

  constructor(
    readonly folder: string,
    private readonly options: LocalCopiesOptions,
  ) {}

  /** Reads what is on disk, once; later answers come from memory. */
  load(): Promise<void> {
    this.loading ??= this.scan().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  /** The copy of a clip as last known (after `load()`). */
  known(jobId: string): LocalCopy | undefined {
    return this.copies.get(jobId);
  }

  /** The copy of a clip, looking on disk again (another window may have made it). */
  async find(jobId: string): Promise<LocalCopy | undefined> {
    await this.load();
    const copy = await this.read(jobId);
    if (copy) this.copies.set(jobId, copy);
    else this.copies.delete(jobId);
    return copy;
  }

  onDidChange(listener: (jobId: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Downloads whatever of a finished clip is not here yet, after the clips queued before it. */
  keep(record: JobRecord): Promise<void> {
    const next = this.queue.then(() => this.download(record));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async remove(jobId: string): Promise<void> {
    await fs.rm(this.jobFolder(jobId), { recursive: true, force: true });
    if (this.copies.delete(jobId)) this.emit(jobId);
  }

  /** Marks a copy as just used, so that it is among the last to go when space runs out. */
  async touch(jobId: string): Promise<void> {
    const copy = this.copies.get(jobId);
    const now = new Date();
    await Promise.all(Object.values(copy ?? {}).map((file: string) => fs.utimes(file, now, now).catch(() => undefined)));
  }

  /**
   * Removes the least recently used copies (by when they were made or last opened) until the
   * rest fit the limit; never one in use here, nor one another window is still downloading.
   */
  async enforceLimit(): Promise<string[]> {
    const limit = this.options.limitBytes();
    const entries = await this.measure();
    let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    const removed: string[] = [];
    for (const entry of entries.sort((a, b) => a.usedAt - b.usedAt)) {
      if (total <= limit) break;
      if (this.options.inUse(entry.jobId) || entry.downloading) continue;
      await this.remove(entry.jobId);
      total -= entry.bytes;
      removed.push(entry.jobId);
    }
    if (removed.length) this.options.log(`Removed the local copies of ${removed.length} clip(s) to stay within ${Math.round(limit / 1e6)} MB: ${removed.join(', ')}`);
    return removed;
  }

  private jobFolder(jobId: string): string {
    return path.join(this.folder, copyFolderName(jobId));
  }

  /** The job a copy's folder belongs to: its name, or the id kept in it. */
  private async jobIdOf(name: string): Promise<string | undefined> {
    if (copyFolderName(name) === name) return name;
    const id = await fs.readFile(path.join(this.folder, name, ID_FILE), 'utf8').catch(() => undefined);
    return id !== undefined && copyFolderName(id) === name ? id : undefined;
  }

  private async scan(): Promise<void> {
    const names = await fs.readdir(this.folder).catch(() => [] as string[]);
    await Promise.all(
      names.map(async (name) => {
        const jobId = await this.jobIdOf(name);
        const copy = jobId === undefined ? undefined : await this.read(jobId);
        if (jobId !== undefined && copy) this.copies.set(jobId, copy);
      }),
    );
  }

  private async read(jobId: string): Promise<LocalCopy | undefined> {
    const folder = this.jobFolder(jobId);
    const names = await fs.readdir(folder).catch(() => [] as string[]);
    const copy: { -readonly [P in Part]?: string } = {};
    for (const name of names) {
      const part = partOf(name);
      if (part) copy[part] = path.join(folder, name);
    }
    return Object.keys(copy).length ? copy : undefined;
  }

  private async measure(): Promise<Array<{ jobId: string; bytes: number; usedAt: number; downloading: boolean }>> {
    const names = await fs.readdir(this.folder).catch(() => [] as string[]);
    const entries = await Promise.all(
      names.map(async (name) => {
        const folder = path.join(this.folder, name);
        const files = await fs.readdir(folder).catch(() => [] as string[]);
        const stats = await Promise.all(files.map(async (file) => ({ file, stat: await fs.stat(path.join(folder, file)).catch(() => undefined) })));
        const sizes = stats.flatMap(({ file, stat }) => (stat ? [{ file, stat }] : []));
        const bytes = sizes.reduce((sum, { stat }) => sum + stat.size, 0);
        const usedAt = Math.max(0, ...sizes.map(({ stat }) => stat.mtimeMs));
        const downloading = sizes.some(({ file, stat }) => file.endsWith('.part') && Date.now() - stat.mtimeMs < ACTIVE_PART_MS);
        const jobId = await this.jobIdOf(name);
        return jobId === undefined ? [] : [{ jobId, bytes, usedAt, downloading }];
      }),
    );
    return entries.flat();
  }

  /** Partial files that a closed or crashed window will never finish. */
  private async removeAbandonedParts(folder: string): Promise<void> {
    const files = (await fs.readdir(folder).catch(() => [] as string[])).filter((file) => file.endsWith('.part'));
    for (const file of files) {
      const stat = await fs.stat(path.join(folder, file)).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > ABANDONED_PART_MS) await fs.rm(path.join(folder, file), { force: true });
    }
  }

  private async download(record: JobRecord): Promise<void> {
    await this.load();
    const folder = this.jobFolder(record.id);
    const existing = (await this.read(record.id)) ?? {};
    const missing = PARTS.filter((part) => !existing[part] && sourceUrl(record, part));
    if (missing.length === 0) return;
    await fs.mkdir(folder, { recursive: true });
    await this.removeAbandonedParts(folder);
    if (copyFolderName(record.id) !== record.id) await fs.writeFile(path.join(folder, ID_FILE), record.id);
    for (const part of missing) {
      const url = sourceUrl(record, part) as string;
      const target = path.join(folder, fileName(part, url));
      try {
        await downloadToFile(url, target, this.options.loadFetch, AbortSignal.timeout(10 * 60_000), () => undefined);
      } catch (error) {
        this.options.log(`Could not keep the ${part} of job ${record.id} on this machine: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const copy = await this.read(record.id);
    if (copy) this.copies.set(record.id, copy);
    this.emit(record.id);
    this.options.log(`Kept job ${record.id} on this machine: ${Object.keys(copy ?? {}).join(', ') || 'nothing'}`);
    await this.enforceLimit();
  }

  private emit(jobId: string): void {
    for (const listener of this.listeners) {
      try {
        listener(jobId);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}
