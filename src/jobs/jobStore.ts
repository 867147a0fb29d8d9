import { randomUUID } from 'crypto';
import { closeSync, existsSync, fsyncSync, FSWatcher, promises as fs, mkdirSync, openSync, readFileSync, renameSync, rmSync, watch, writeSync } from 'fs';
import * as path from 'path';
import { HistoryEntry, HistoryOptions, JobHistory } from './jobHistory';
import { JobRecord, PENDING_STATES, readJobRecord } from './jobRecord';
import { checkPending } from './pendingMarkers';

export interface JobStoreOptions {
  /** Told about problems found on disk: damaged records, files left by a crash. */
  readonly log?: (message: string) => void;
  /** How long a lease takeover may take before its marker counts as left by a crashed window. */
  readonly takeoverGraceMs?: number;
  /** When ended records are rolled up into history files, and how. */
  readonly history?: HistoryOptions;
}

/** How many records are read in one go before other work gets a turn. */
const READ_SLICE = 100;
/** A listing that raced a roll-up (or a removal) of another window is taken again, this many times at most. */
const LISTING_ATTEMPTS = 3;
/** After a roll-up that found nothing to do (or failed), listings leave it for this long. */
const ROLL_UP_RETRY_MS = 10 * 60_000;

/** What reading one job's record found. */
export type RecordRead =
  | { readonly kind: 'found'; readonly record: JobRecord }
  | { readonly kind: 'missing' }
  /** The file could not be read as a record; it was moved to `path` for inspection. */
  | { readonly kind: 'damaged'; readonly path: string }
  /** Written by a newer version of the extension: left as it is. */
  | { readonly kind: 'unknownState' }
  /** The folder itself could not be read (permissions, not a folder). */
  | { readonly kind: 'unreadable'; readonly reason: string };

export interface Recovery {
  /** Every readable record, newest first. */
  readonly records: JobRecord[];
  /** Records that could not be read: where they are (moved aside to `<id>.damaged` when possible). */
  readonly damaged: string[];
}

export interface Watch {
  dispose(): void;
}

interface Lease {
  readonly owner: string;
  readonly expiresAt: number;
}

/** One listing of the folder, read. */
interface Listing {
  readonly records: JobRecord[];
  readonly damaged: string[];
  /** A file went while it was read (a roll-up or removal in another window): the listing is to be taken again. */
  readonly raced: boolean;
  /** Ended records in files of their own, unchanged for a while: what a roll-up would take. */
  readonly quiet: number;
}

/** A save writes a pending marker before its record: a younger marker without a record may be a save under way. */
const LEFTOVER_AGE_MS = 60_000;
const DEFAULT_TAKEOVER_GRACE_MS = 10_000;
const DEFAULT_WATCH_DELAY_MS = 100;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

function isMissing(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}

function isTaken(error: unknown): boolean {
  return errorCode(error) === 'EEXIST';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Jobs on disk, shared by every window of VS Code: one JSON file each, until ended records
 * that have not changed for a while are rolled up into history files (see JobHistory), so
 * that a long history stays quick to list and small on disk. A job's own file, when there is
 * one, is its latest version. Records are written durably (fsync, then rename); a `.pending`
 * marker per unfinished job lets start-up find work from one listing; a lease file says which
 * window polls a job; an exclusive marker file makes sure a result is announced once.
 */
export class JobStore {
  private readonly log: (message: string) => void;
  private readonly takeoverGraceMs: number;
  private readonly history: JobHistory;
  private rolling: Promise<number> | undefined;
  private rollUpTimer: NodeJS.Timeout | undefined;
  private nextRollUpAt = 0;
  private readonly rollUpDelayMs: number;

  constructor(
    private readonly directory: string,
    options: JobStoreOptions = {},
  ) {
    this.log = options.log ?? (() => undefined);
    this.takeoverGraceMs = options.takeoverGraceMs ?? DEFAULT_TAKEOVER_GRACE_MS;
    this.rollUpDelayMs = options.history?.rollUpDelayMs ?? 2000;
    this.history = new JobHistory(
      {
        directory,
        write: (file, content) => this.writeAtomically(file, content, true),
        syncDirectory: () => this.syncDirectory(),
        names: () => this.names(),
        log: this.log,
      },
      options.history,
    );
  }

  async save(record: JobRecord): Promise<void> {
    await fs.mkdir(this.directory, { recursive: true });
    const marker = this.file(record.id, 'pending');
    const pending = PENDING_STATES.includes(record.state);
    // The marker goes first: a crash in between leaves a marker start-up clears, never a job to follow without one.
    if (pending) await fs.writeFile(marker, '');
    await this.writeAtomically(this.file(record.id, 'json'), JSON.stringify(record, null, 1), true);
    if (!pending) await fs.rm(marker, { force: true });
    await this.syncDirectory();
  }

  /**
   * `save`, synchronously, for when the extension host shuts down. The pending marker is
   * written anew (write, then rename), so that the watchers of other windows report the job.
   */
  saveNow(record: JobRecord): void {
    mkdirSync(this.directory, { recursive: true });
    const marker = this.file(record.id, 'pending');
    const pending = PENDING_STATES.includes(record.state);
    if (pending) this.writeAtomicallyNow(marker, '', false);
    this.writeAtomicallyNow(this.file(record.id, 'json'), JSON.stringify(record, null, 1), true);
    if (!pending) rmSync(marker, { force: true });
    this.syncDirectoryNow();
  }

  /** Whether any job is still to be followed: one directory listing, no file read. */
  hasPending(): Promise<boolean> {
    return new Promise((resolve) => checkPending(this.directory, resolve));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const read = await this.read(id);
    return read.kind === 'found' ? read.record : undefined;
  }

  /**
   * Reads one record, from its own file, else from the history; a damaged one is moved aside
   * (and logged) rather than skipped in silence.
   */
  async read(id: string): Promise<RecordRead> {
    let text: string;
    try {
      text = await fs.readFile(this.file(id, 'json'), 'utf8');
    } catch (error) {
      return isMissing(error) ? this.readFromHistory(id) : { kind: 'unreadable', reason: messageOf(error) };
    }
    return this.interpret(id, text);
  }

  private async readFromHistory(id: string): Promise<RecordRead> {
    const entry = await this.history.find(id);
    if (!entry) return { kind: 'missing' };
    return entry.record ? { kind: 'found', record: entry.record } : { kind: 'unknownState' };
  }

  /**
   * The same for many records: small files are read synchronously, several times faster than
   * one asynchronous read each, in slices, so that the extension host is never held long.
   */
  private async readMany(ids: readonly string[]): Promise<RecordRead[]> {
    const reads: RecordRead[] = [];
    for (let start = 0; start < ids.length; start += READ_SLICE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const id of ids.slice(start, start + READ_SLICE)) {
        let text: string;
        try {
          text = readFileSync(this.file(id, 'json'), 'utf8');
        } catch (error) {
          reads.push(isMissing(error) ? { kind: 'missing' } : { kind: 'unreadable', reason: messageOf(error) });
          continue;
        }
        reads.push(await this.interpret(id, text));
      }
    }
    return reads;
  }

  private async interpret(id: string, text: string): Promise<RecordRead> {
    const value = parseJson(text);
    const reading = readJobRecord(value);
    if (reading.kind === 'record') return { kind: 'found', record: reading.record };
    if (reading.kind === 'unknownState') return { kind: 'unknownState' };
    const reason = text.trim() === '' ? 'the file is empty' : value === undefined ? 'not JSON' : reading.reason;
    return { kind: 'damaged', path: await this.moveAside(id, reason) };
  }

  async list(): Promise<JobRecord[]> {
    return (await this.readAll()).records;
  }

  /**
   * Start-up housekeeping, then every record: removes temporary files and pending markers
   * left by a crash, and moves damaged records aside, saying where.
   */
  async recover(): Promise<Recovery> {
    const names = await this.names();
    await this.tidy(() => this.removeLeftoverTemporaryFiles(names));
    const recovery = await this.readAll();
    await this.tidy(() => this.removeLeftoverMarkers(names, recovery.records));
    return recovery;
  }

  async remove(id: string): Promise<void> {
    await Promise.all(['json', 'pending', 'lease', 'announced'].map((kind) => fs.rm(this.file(id, kind), { force: true })));
    await this.removeTakeoverMarkers(this.file(id, 'lease'), '');
    await this.history.remove(id);
  }

  /**
   * Rolls ended records that have not changed for a while into the history files; resolves
   * with how many. Listings do it by themselves, a moment later, once enough have piled up.
   */
  rollUp(): Promise<number> {
    clearTimeout(this.rollUpTimer);
    this.rollUpTimer = undefined;
    this.rolling ??= this.history
      .rollUp()
      .then(
        (count) => {
          if (count > 0) this.log(`Rolled ${count} ended job record(s) up into the job history in ${this.directory}`);
          else this.nextRollUpAt = Date.now() + ROLL_UP_RETRY_MS;
          return count;
        },
        (error: unknown) => {
          this.nextRollUpAt = Date.now() + ROLL_UP_RETRY_MS;
          throw error;
        },
      )
      .finally(() => (this.rolling = undefined));
    return this.rolling;
  }

  private rollUpSoon(quiet: number): void {
    if (this.rolling || this.rollUpTimer || Date.now() < this.nextRollUpAt || !this.history.worthRollingUp(quiet)) return;
    this.rollUpTimer = setTimeout(() => {
      this.rollUp().catch((error: unknown) => this.log(`Rolling job records up into the history in ${this.directory} failed: ${messageOf(error)}`));
    }, this.rollUpDelayMs);
    this.rollUpTimer.unref();
  }

  /**
   * Calls `onPending` with the ids of all pending jobs shortly after a pending marker is
   * written or removed, or a lease given up, by any window. Creates the folder if needed, to
   * have one to watch.
   */
  watchPending(onPending: (ids: string[]) => void, delayMs = DEFAULT_WATCH_DELAY_MS): Watch {
    mkdirSync(this.directory, { recursive: true });
    let timer: NodeJS.Timeout | undefined;
    const report = () => {
      timer = undefined;
      this.pendingIds()
        .then((ids) => {
          if (ids.length > 0) onPending(ids);
        })
        .catch((error: unknown) => this.log(`Following new jobs in ${this.directory} failed: ${messageOf(error)}`));
    };
    const watcher: FSWatcher = watch(this.directory, { persistent: false }, (_event, name) => {
      // Some platforms do not say which file changed.
      if (name !== null && !String(name).endsWith('.pending') && !this.leaseGivenUp(String(name))) return;
      timer ??= setTimeout(report, delayMs);
    });
    watcher.on('error', (error) => this.log(`Watching ${this.directory} for jobs stopped: ${error.message}`));
    return {
      dispose: () => {
        watcher.close();
        if (timer) clearTimeout(timer);
      },
    };
  }

  /**
   * A lease file gone: the window that polled its job closed or stopped. Watchers report it too,
   * so that a window that had let the job go (it could not poll it then) takes it up.
   */
  private leaseGivenUp(name: string): boolean {
    return name.endsWith('.lease') && !existsSync(path.join(this.directory, name));
  }

  /** Takes or renews the right to poll `id` for `ttlMs`; false while another live window has it. */
  async tryLease(id: string, owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    await fs.mkdir(this.directory, { recursive: true });
    const file = this.file(id, 'lease');
    const lease = JSON.stringify({ owner, expiresAt: now + ttlMs } satisfies Lease);
    const current = await this.readLease(file);
    if (current && current.owner !== owner && current.expiresAt > now) return false;
    if (current?.owner === owner) {
      await this.writeAtomically(file, lease, false);
      return true;
    }
    if (current) return this.takeOver(file, current, lease, owner, now);
    await this.removeDamagedLease(file, ttlMs, now);
    try {
      await fs.writeFile(file, lease, { flag: 'wx' });
      return true;
    } catch (error) {
      if (isTaken(error)) return false;
      throw error;
    }
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    const file = this.file(id, 'lease');
    const current = await this.readLease(file);
    if (current?.owner === owner) await fs.rm(file, { force: true });
  }

  /**
   * Gives up this window's leases at once, so that another window (or this one after a
   * reload) takes the jobs over without waiting for the leases to expire. Synchronous,
   * because it runs while the extension host shuts down.
   */
  releaseLeasesNow(ids: Iterable<string>, owner: string): void {
    for (const id of ids) {
      const file = this.file(id, 'lease');
      try {
        const lease = JSON.parse(readFileSync(file, 'utf8')) as Partial<Lease>;
        if (lease.owner === owner) rmSync(file, { force: true });
      } catch {
        // No lease, or an unreadable one: nothing of ours to give up.
      }
    }
  }

  /** True exactly once per job, across all windows. */
  async claimAnnouncement(id: string): Promise<boolean> {
    await fs.mkdir(this.directory, { recursive: true });
    try {
      await fs.writeFile(this.file(id, 'announced'), String(Date.now()), { flag: 'wx' });
      return true;
    } catch (error) {
      if (isTaken(error)) return false;
      throw error;
    }
  }

  /** Lets a job be announced again, after the user asked to check it once more. */
  async resetAnnouncement(id: string): Promise<void> {
    await fs.rm(this.file(id, 'announced'), { force: true });
  }

  /**
   * Replaces an expired lease. Each takeover of one expired lease goes through markers
   * created exclusively, so one window wins; a marker older than the grace period was left
   * by a window that crashed mid-takeover, and the next marker in the sequence is tried.
   */
  private async takeOver(file: string, expired: Lease, lease: string, owner: string, now: number): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const marker = attempt === 0 ? `${file}.${expired.expiresAt}.old` : `${file}.${expired.expiresAt}.${attempt}.old`;
      try {
        await fs.writeFile(marker, JSON.stringify({ owner, at: now }), { flag: 'wx' });
      } catch (error) {
        if (!isTaken(error)) throw error;
        if (!(await this.isAbandoned(marker, now))) return false;
        this.log(`Lease takeover marker ${marker} was left by a window that stopped; trying the next one`);
        continue;
      }
      // A window slower than the grace period may find the lease already taken over.
      const still = await this.readLease(file);
      if (still?.owner !== expired.owner || still.expiresAt !== expired.expiresAt) return false;
      await this.writeAtomically(file, lease, false);
      await this.removeTakeoverMarkers(file, marker);
      return true;
    }
  }

  /** A takeover marker older than the grace period; its own time, else (written half) its file's. */
  private async isAbandoned(marker: string, now: number): Promise<boolean> {
    let createdAt: number;
    try {
      const content = parseJson(await fs.readFile(marker, 'utf8')) as { at?: unknown } | undefined;
      createdAt = typeof content?.at === 'number' ? content.at : (await fs.stat(marker)).mtimeMs;
    } catch (error) {
      // Removed meanwhile by a finished takeover: that one won.
      if (isMissing(error)) return false;
      throw error;
    }
    return now - createdAt > this.takeoverGraceMs;
  }

  /** A lease file left unreadable (a crash mid-write) stops blocking once a lease's time has passed. */
  private async removeDamagedLease(file: string, ttlMs: number, now: number): Promise<void> {
    try {
      const { mtimeMs } = await fs.stat(file);
      if (mtimeMs + ttlMs < now) await fs.rm(file, { force: true });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  private async readLease(file: string): Promise<Lease | undefined> {
    try {
      const value: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
      const lease = value as Partial<Lease>;
      return typeof lease?.owner === 'string' && typeof lease.expiresAt === 'number' ? (lease as Lease) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Removes takeover markers of this job's lease, but `keep`. */
  private async removeTakeoverMarkers(file: string, keep: string): Promise<void> {
    const base = path.basename(file);
    const names = await fs.readdir(this.directory);
    const stale = names.filter((name) => name.startsWith(`${base}.`) && name.endsWith('.old') && path.join(this.directory, name) !== keep);
    await Promise.all(stale.map((name) => fs.rm(path.join(this.directory, name), { force: true })));
  }

  /** Write then rename, so that readers see the old content or the new, never part of it. */
  private async writeAtomically(target: string, content: string, durable: boolean): Promise<void> {
    const temporary = `${target}.${randomUUID()}.tmp`;
    try {
      const handle = await fs.open(temporary, 'wx');
      try {
        await handle.writeFile(content);
        // Without it, a power cut after the rename can leave an empty record.
        if (durable) await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** `writeAtomically`, synchronously. */
  private writeAtomicallyNow(target: string, content: string, durable: boolean): void {
    const temporary = `${target}.${randomUUID()}.tmp`;
    try {
      const handle = openSync(temporary, 'wx');
      try {
        writeSync(handle, content);
        if (durable) fsyncSync(handle);
      } finally {
        closeSync(handle);
      }
      renameSync(temporary, target);
    } catch (error) {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // The folder itself refuses: there is no temporary file to remove.
      }
      throw error;
    }
  }

  /** `syncDirectory`, synchronously. */
  private syncDirectoryNow(): void {
    let handle: number | undefined;
    try {
      handle = openSync(this.directory, 'r');
      fsyncSync(handle);
    } catch {
      // Windows cannot open a folder: there the rename is as durable as it gets.
    } finally {
      if (handle !== undefined) closeSync(handle);
    }
  }

  /** Makes renames and new files in the folder durable too, where a folder can be synced. */
  private async syncDirectory(): Promise<void> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.directory, 'r');
      await handle.sync();
    } catch {
      // Windows cannot open a folder: there the rename is as durable as it gets.
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** Where the damaged record of `id` can be inspected: moved to `<id>.damaged`, or left where it was. */
  private async moveAside(id: string, reason: string): Promise<string> {
    const file = this.file(id, 'json');
    const target = this.file(id, 'damaged');
    try {
      await fs.rename(file, target);
      // Without its record, the marker would make start-up look for a job forever.
      await fs.rm(this.file(id, 'pending'), { force: true });
    } catch (error) {
      // Missing: another window moved it first.
      if (!isMissing(error)) {
        this.log(`Job record ${file} could not be read (${reason}) nor moved aside: ${messageOf(error)}`);
        return file;
      }
    }
    this.log(`Job record ${file} could not be read (${reason}); it was moved to ${target}`);
    return target;
  }

  private async names(): Promise<string[]> {
    try {
      return await fs.readdir(this.directory);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  private async readAll(): Promise<Recovery> {
    const damaged = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      const listing = await this.readListing();
      listing.damaged.forEach((file) => damaged.add(file));
      if (listing.raced && attempt < LISTING_ATTEMPTS) continue;
      this.rollUpSoon(listing.quiet);
      return { records: listing.records.sort((a, b) => b.submittedAt - a.submittedAt), damaged: [...damaged] };
    }
  }

  /** The history files, then the records in files of their own, which are newer. */
  private async readListing(): Promise<Listing> {
    const names = await this.names();
    const history = await this.history.readFiles(names);
    const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
    const entries = new Map<string, HistoryEntry>(history.entries);
    const loose = this.takeReads(ids, await this.readMany(ids), entries);
    const records = [...entries.values()].flatMap((entry) => (entry.record ? [entry.record] : []));
    return { records, damaged: [...history.damaged, ...loose.damaged], raced: history.raced || loose.raced, quiet: loose.quiet };
  }

  /** Puts the records read from files of their own (`reads`, of `ids`) in `entries`, over their history copies. */
  private takeReads(ids: readonly string[], reads: readonly RecordRead[], entries: Map<string, HistoryEntry>): Omit<Listing, 'records'> {
    const quietSince = this.history.quietSince(Date.now());
    const damaged: string[] = [];
    let raced = false;
    let quiet = 0;
    for (const [index, read] of reads.entries()) {
      if (read.kind === 'found') {
        entries.set(read.record.id, { updatedAt: read.record.updatedAt, record: read.record });
        if (!PENDING_STATES.includes(read.record.state) && read.record.updatedAt < quietSince) quiet++;
      }
      // Written by a newer version: its history copy is older.
      if (read.kind === 'unknownState') entries.set(ids[index], { updatedAt: Infinity });
      // Rolled up or removed by another window since the listing.
      if (read.kind === 'missing') raced = true;
      if (read.kind === 'damaged') damaged.push(read.path);
      if (read.kind === 'unreadable') {
        const file = this.file(ids[index], 'json');
        this.log(`Job record ${file} could not be read: ${read.reason}`);
        damaged.push(file);
      }
    }
    return { damaged, raced, quiet };
  }

  private async pendingIds(): Promise<string[]> {
    return (await this.names()).filter((name) => name.endsWith('.pending')).map((name) => name.slice(0, -'.pending'.length));
  }

  /** Housekeeping that fails is logged: it must not keep jobs from being resumed. */
  private async tidy(step: () => Promise<void>): Promise<void> {
    await step().catch((error: unknown) => this.log(`Tidying ${this.directory} failed: ${messageOf(error)}`));
  }

  /** Temporary files of writes cut short; a young one may be a write under way in another window. */
  private async removeLeftoverTemporaryFiles(names: readonly string[]): Promise<void> {
    for (const name of names.filter((candidate) => candidate.endsWith('.tmp'))) {
      const file = path.join(this.directory, name);
      if (await this.isOlderThan(file, LEFTOVER_AGE_MS)) {
        await fs.rm(file, { force: true });
        this.log(`Removed ${file}, left by a write that was cut short`);
      }
    }
  }

  /** Markers of jobs that have ended, or whose record was never written. */
  private async removeLeftoverMarkers(names: readonly string[], records: readonly JobRecord[]): Promise<void> {
    const stillPending = new Set(records.filter((record) => PENDING_STATES.includes(record.state)).map((record) => path.basename(this.file(record.id, 'pending'))));
    const known = new Set(names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length)));
    for (const name of names.filter((candidate) => candidate.endsWith('.pending') && !stillPending.has(candidate))) {
      const id = name.slice(0, -'.pending'.length);
      const file = path.join(this.directory, name);
      // A record kept for a newer version keeps its marker; so does a save that may be under way.
      if (known.has(id) && (await this.read(id)).kind === 'unknownState') continue;
      if (await this.isOlderThan(file, LEFTOVER_AGE_MS)) await fs.rm(file, { force: true });
    }
  }

  private async isOlderThan(file: string, ageMs: number): Promise<boolean> {
    try {
      return Date.now() - (await fs.stat(file)).mtimeMs > ageMs;
    } catch {
      return false;
    }
  }

  private file(id: string, kind: string): string {
    // Ids come from the API: keep them from naming anything outside the folder.
    const safeId = id.replace(/[^A-Za-z0-9_-]/g, '_');
    return path.join(this.directory, `${safeId}.${kind}`);
  }
}
