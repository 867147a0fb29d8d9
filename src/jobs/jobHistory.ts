import { randomUUID } from 'crypto';
import { closeSync, fstatSync, promises as fs, openSync, readFileSync, Stats, statSync } from 'fs';
import * as path from 'path';
import { JobRecord, PENDING_STATES, readJobRecord } from './jobRecord';

/**
 * The job store's long memory. Ended records that have not changed for a while are rolled up
 * from their files of one record each into history files of up to a thousand records, one
 * JSON record per line: a long history then costs a few files to read, not thousands, and a
 * few blocks on disk per record rather than one per file. History files are written whole
 * (temporary file, sync, rename), and only by the window holding the history lock; each
 * window keeps the history files it has read in memory until they change on disk.
 */

const PREFIX = 'history-';
const SUFFIX = '.jsonl';
const LOCK = 'history.lock';
const LOCK_POLL_MS = 25;
const REMOVALS_AT_ONCE = 50;
/** How many rolled-up files are removed between two renewals of the lock. */
const REMOVALS_PER_TOUCH = 500;

export interface HistoryOptions {
  /** How many ended records, unchanged for `quietMs`, make a roll-up worthwhile (default 50). */
  readonly rollUpAt?: number;
  /** How long an ended record stays a file of its own (default an hour): recent jobs are the likeliest to change. */
  readonly quietMs?: number;
  /** The most records in one history file (default 1,000). */
  readonly fileSize?: number;
  /** How long `remove` waits for a roll-up of another window to finish (default 10 s). */
  readonly lockWaitMs?: number;
  /** A lock older than this was left by a window that stopped (default 30 s). */
  readonly lockStaleMs?: number;
  /** How long after a listing that calls for a roll-up it starts (default 2 s): not while what asked for the listing works. */
  readonly rollUpDelayMs?: number;
}

/** What the history needs of the store. */
export interface HistoryFiles {
  readonly directory: string;
  /** Writes a file whole and durably: readers see the old content or the new. */
  write(file: string, content: string): Promise<void>;
  syncDirectory(): Promise<void>;
  /** The names in the folder; none when it does not exist. */
  names(): Promise<string[]>;
  log(message: string): void;
}

/** The newest known version of a job in the history; no record: written by a newer version of the extension. */
export interface HistoryEntry {
  readonly updatedAt: number;
  readonly record?: JobRecord;
}

export interface HistoryRead {
  /** Each job's newest version across the history files. */
  readonly entries: ReadonlyMap<string, HistoryEntry>;
  /** Where records that could not be read are kept. */
  readonly damaged: string[];
  /** A history file went or came while it was read: the listing is to be taken again. */
  readonly raced: boolean;
}

/** One line of a history file. */
interface Line {
  readonly text: string;
  readonly id?: string;
  readonly entry?: HistoryEntry;
}

/** A history file as read, kept while its stamp stays the same. */
interface HistoryFile {
  readonly stamp: string;
  readonly entries: ReadonlyMap<string, HistoryEntry>;
  readonly lines: number;
  readonly damagedLines: number;
}

type FileRead = { readonly kind: 'read'; readonly file: HistoryFile } | { readonly kind: 'missing' } | { readonly kind: 'unreadable'; readonly path: string };

/** An ended record in a file of its own, to be rolled up. */
interface Candidate {
  readonly name: string;
  readonly stamp: string;
  readonly line: Line;
}

interface HeldLock {
  /** Tells other windows the lock is still in use. */
  touch(): Promise<void>;
  release(): Promise<void>;
}

export function isHistoryFile(name: string): boolean {
  return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
}

function stampOf(stat: Stats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function yieldToOthers(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function parseLine(text: string): Line {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { text };
  }
  const reading = readJobRecord(value);
  if (reading.kind === 'damaged') return { text };
  const { id, updatedAt } = value as { id: string; updatedAt: number };
  return { text, id, entry: reading.kind === 'record' ? { updatedAt, record: reading.record } : { updatedAt } };
}

function linesOf(text: string): Line[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(parseLine);
}

/** The jobs of a history file's text, line by line, without keeping the lines. */
function entriesOf(text: string): Omit<HistoryFile, 'stamp'> {
  const entries = new Map<string, HistoryEntry>();
  let lines = 0;
  let damagedLines = 0;
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    const raw = text.slice(start, stop);
    if (raw.trim() !== '') {
      const line = parseLine(raw);
      lines++;
      if (line.id !== undefined && line.entry) keepNewest(entries, line.id, line.entry);
      else damagedLines++;
    }
    start = stop + 1;
  }
  return { entries, lines, damagedLines };
}

/** Keeps `entry` when it is newer than what `entries` has for `id` (later ones win a tie). */
function keepNewest(entries: Map<string, HistoryEntry>, id: string, entry: HistoryEntry): void {
  const known = entries.get(id);
  if (!known || known.updatedAt <= entry.updatedAt) entries.set(id, entry);
}

/** The newest line of each job, in the order first seen. */
function newestLines(lines: readonly Line[]): Line[] {
  const newest = new Map<string, Line>();
  for (const line of lines) {
    const known = line.id === undefined ? undefined : newest.get(line.id);
    if (line.id !== undefined && line.entry && (!known?.entry || known.entry.updatedAt <= line.entry.updatedAt)) newest.set(line.id, line);
  }
  return [...newest.values()];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

export class JobHistory {
  private readonly read = new Map<string, HistoryFile>();
  private readonly rollUpAt: number;
  private readonly quietMs: number;
  private readonly fileSize: number;
  private readonly lockWaitMs: number;
  private readonly lockStaleMs: number;

  constructor(
    private readonly files: HistoryFiles,
    options: HistoryOptions = {},
  ) {
    this.rollUpAt = options.rollUpAt ?? 50;
    this.quietMs = options.quietMs ?? 3_600_000;
    this.fileSize = options.fileSize ?? 1000;
    this.lockWaitMs = options.lockWaitMs ?? 10_000;
    this.lockStaleMs = options.lockStaleMs ?? 30_000;
  }

  /** Whether `count` ended records unchanged since `quietSince` are worth a roll-up. */
  worthRollingUp(count: number): boolean {
    return count >= this.rollUpAt;
  }

  /** Records last changed before this are candidates for a roll-up. */
  quietSince(now: number): number {
    return now - this.quietMs;
  }

  /** The history files among `names` (a listing of the folder), from memory when unchanged on disk. */
  async readFiles(names: readonly string[]): Promise<HistoryRead> {
    const listed = names.filter(isHistoryFile);
    for (const name of this.read.keys()) if (!listed.includes(name)) this.read.delete(name);
    const entries = new Map<string, HistoryEntry>();
    const damaged: string[] = [];
    let raced = false;
    for (const name of listed) {
      const read = await this.readFile(name);
      if (read.kind === 'missing') raced = true;
      if (read.kind === 'unreadable') damaged.push(read.path);
      if (read.kind === 'read') {
        for (const [id, entry] of read.file.entries) keepNewest(entries, id, entry);
        if (read.file.damagedLines > 0) {
          const salvaged = await this.salvage(name);
          damaged.push(salvaged.path);
          // Its readable records are in a new file now.
          raced ||= salvaged.moved;
        }
      }
    }
    return { entries, damaged, raced };
  }

  /** The newest version of job `id` in the history. */
  async find(id: string): Promise<HistoryEntry | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const read = await this.readFiles(await this.files.names());
      if (!read.raced || read.entries.has(id)) return read.entries.get(id);
    }
    return undefined;
  }

  /** Takes job `id` out of every history file that holds it. */
  async remove(id: string): Promise<void> {
    if ((await this.filesHolding(id)).length === 0) return;
    const lock = await this.lock(this.lockWaitMs);
    if (!lock) throw new Error(`The job history in ${this.files.directory} is being rewritten by another window; try again in a moment`);
    try {
      for (const name of await this.filesHolding(id)) await this.rewrite(name, (line) => line.id !== id);
    } finally {
      await lock.release();
    }
  }

  /**
   * Rolls ended records unchanged for a while (and history files left small) into full
   * history files, then removes the files they came from. Does nothing while another window
   * rolls up. Resolves with how many records were rolled up.
   */
  async rollUp(now = Date.now()): Promise<number> {
    const lock = await this.lock(0);
    if (!lock) return 0;
    try {
      const names = await this.files.names();
      const candidates = await this.candidates(names, now);
      if (!this.worthRollingUp(candidates.length)) return 0;
      const merged = await this.smallFiles(names);
      const lines = newestLines([...merged.lines, ...candidates.map((candidate) => candidate.line)]);
      for (const chunk of chunks(lines, this.fileSize)) await this.files.write(this.newFile(), `${chunk.map((line) => line.text).join('\n')}\n`);
      await this.files.syncDirectory();
      await Promise.all(merged.names.map((name) => fs.rm(this.path(name), { force: true })));
      await this.removeRolledUp(candidates, lock);
      return candidates.length;
    } finally {
      await lock.release();
    }
  }

  private path(name: string): string {
    return path.join(this.files.directory, name);
  }

  private newFile(): string {
    return this.path(`${PREFIX}${Date.now().toString(36)}-${randomUUID().slice(0, 8)}${SUFFIX}`);
  }

  /** A history file, from memory when its stamp is unchanged. */
  private async readFile(name: string): Promise<FileRead> {
    const file = this.path(name);
    try {
      const known = this.read.get(name);
      if (known && known.stamp === stampOf(statSync(file))) return { kind: 'read', file: known };
      await yieldToOthers();
      const { stamp, text } = this.readText(file);
      const read = { stamp, ...entriesOf(text) };
      this.read.set(name, read);
      return { kind: 'read', file: read };
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
      this.files.log(`Job history ${file} could not be read: ${messageOf(error)}`);
      return { kind: 'unreadable', path: file };
    }
  }

  /** The text and stamp of one file, from one opening, so that the two go together. */
  private readText(file: string): { stamp: string; text: string } {
    const handle = openSync(file, 'r');
    try {
      return { stamp: stampOf(fstatSync(handle)), text: readFileSync(handle, 'utf8') };
    } finally {
      closeSync(handle);
    }
  }

  /**
   * Moves a history file with unreadable lines aside (to `.damaged`, kept for inspection),
   * its readable records first written to a new history file. Returns where the damaged lines are now.
   */
  private async salvage(name: string): Promise<{ path: string; moved: boolean }> {
    const file = this.path(name);
    const lock = await this.lock(0);
    if (!lock) return { path: file, moved: false };
    try {
      const lines = linesOf(this.readText(file).text);
      const readable = lines.filter((line) => line.entry);
      if (readable.length === lines.length) return { path: file, moved: false };
      if (readable.length > 0) await this.files.write(this.newFile(), `${readable.map((line) => line.text).join('\n')}\n`);
      const aside = file.replace(/\.jsonl$/, '.damaged');
      await fs.rename(file, aside);
      this.read.delete(name);
      this.files.log(`Job history ${file} had ${lines.length - readable.length} unreadable line(s); it was moved to ${aside}, its other records kept`);
      return { path: aside, moved: true };
    } catch (error) {
      this.files.log(`Job history ${file} has unreadable lines and could not be moved aside: ${messageOf(error)}`);
      return { path: file, moved: false };
    } finally {
      await lock.release();
    }
  }

  private async filesHolding(id: string): Promise<string[]> {
    const names = (await this.files.names()).filter(isHistoryFile);
    await this.readFiles(names);
    return names.filter((name) => this.read.get(name)?.entries.has(id));
  }

  /** Writes a history file anew with only the lines `keep` keeps (unreadable ones included); removes it when none is left. */
  private async rewrite(name: string, keep: (line: Line) => boolean): Promise<void> {
    const file = this.path(name);
    const lines = linesOf(this.readText(file).text);
    const kept = lines.filter(keep);
    this.read.delete(name);
    if (kept.length === lines.length) return;
    if (kept.length === 0) await fs.rm(file, { force: true });
    else await this.files.write(file, `${kept.map((line) => line.text).join('\n')}\n`);
  }

  /** Ended records in files of their own, unchanged since `quietMs` before `now`, no marker saying they are followed. */
  private async candidates(names: readonly string[], now: number): Promise<Candidate[]> {
    const present = new Set(names);
    const quietSince = this.quietSince(now);
    const candidates: Candidate[] = [];
    for (const [index, name] of names.entries()) {
      if (index % 100 === 99) await yieldToOthers();
      if (!name.endsWith('.json') || present.has(`${name.slice(0, -'.json'.length)}.pending`)) continue;
      const candidate = this.candidate(name, quietSince);
      if (candidate) candidates.push(candidate);
    }
    return candidates;
  }

  private candidate(name: string, quietSince: number): Candidate | undefined {
    let read: { stamp: string; text: string };
    try {
      const handle = openSync(this.path(name), 'r');
      try {
        const stat = fstatSync(handle);
        if (stat.mtimeMs > quietSince) return undefined;
        read = { stamp: stampOf(stat), text: readFileSync(handle, 'utf8') };
      } finally {
        closeSync(handle);
      }
    } catch {
      // Gone, or unreadable: the listing reports what cannot be read.
      return undefined;
    }
    const line = parseLine(read.text);
    const record = line.entry?.record;
    if (!record || PENDING_STATES.includes(record.state)) return undefined;
    return { name, stamp: read.stamp, line: { ...line, text: JSON.stringify(record) } };
  }

  /** The small history files (left so by earlier roll-ups and removals) worth merging, with their lines. */
  private async smallFiles(names: readonly string[]): Promise<{ names: string[]; lines: Line[] }> {
    const small: Array<{ name: string; lines: number }> = [];
    for (const name of names.filter(isHistoryFile)) {
      const read = await this.readFile(name);
      if (read.kind === 'read' && read.file.damagedLines === 0 && read.file.lines < this.fileSize) small.push({ name, lines: read.file.lines });
    }
    const chosen: string[] = [];
    const lines: Line[] = [];
    let total = 0;
    // Smallest first, and at most two files' worth: each roll-up does a bounded amount of work.
    for (const { name, lines: count } of small.sort((a, b) => a.lines - b.lines)) {
      if (total + count > 2 * this.fileSize) break;
      const read = linesOf(this.readText(this.path(name)).text);
      if (read.some((line) => !line.entry)) continue;
      chosen.push(name);
      lines.push(...read);
      total += count;
    }
    return { names: chosen, lines };
  }

  /** Removes the files of rolled-up records, but not one saved again meanwhile, nor one followed again. */
  private async removeRolledUp(candidates: readonly Candidate[], lock: HeldLock): Promise<void> {
    for (const [index, batch] of chunks(candidates, REMOVALS_AT_ONCE).entries()) {
      if (index > 0 && (index * REMOVALS_AT_ONCE) % REMOVALS_PER_TOUCH === 0) await lock.touch();
      await Promise.all(batch.map((candidate) => this.removeRolledUpFile(candidate)));
    }
  }

  private async removeRolledUpFile(candidate: Candidate): Promise<void> {
    const file = this.path(candidate.name);
    try {
      if (await this.exists(`${candidate.name.slice(0, -'.json'.length)}.pending`)) return;
      if (stampOf(await fs.stat(file)) === candidate.stamp) await fs.rm(file, { force: true });
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') this.files.log(`Rolled-up job record ${file} could not be removed: ${messageOf(error)}`);
    }
  }

  private async exists(name: string): Promise<boolean> {
    try {
      await fs.stat(this.path(name));
      return true;
    } catch {
      return false;
    }
  }

  /** The history lock, waiting up to `waitMs` for another window to give it up; undefined when it does not. */
  private async lock(waitMs: number): Promise<HeldLock | undefined> {
    const file = this.path(LOCK);
    const token = randomUUID();
    const started = Date.now();
    for (;;) {
      try {
        await fs.writeFile(file, token, { flag: 'wx' });
        return this.held(file, token);
      } catch (error) {
        // No folder: no history to change.
        if (errorCode(error) === 'ENOENT') return undefined;
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      if (await this.removeIfStale(file)) continue;
      if (Date.now() - started >= waitMs) return undefined;
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  private held(file: string, token: string): HeldLock {
    return {
      touch: async () => {
        const now = new Date();
        await fs.utimes(file, now, now).catch(() => undefined);
      },
      release: async () => {
        // Not another window's, taken over after this one was thought gone.
        const current = await fs.readFile(file, 'utf8').catch(() => undefined);
        if (current === token) await fs.rm(file, { force: true });
      },
    };
  }

  private async removeIfStale(file: string): Promise<boolean> {
    try {
      if (Date.now() - (await fs.stat(file)).mtimeMs <= this.lockStaleMs) return false;
    } catch (error) {
      // Given up meanwhile: try again at once.
      return errorCode(error) === 'ENOENT';
    }
    this.files.log(`The job history lock ${file} was left by a window that stopped; taking it over`);
    await fs.rm(file, { force: true });
    return true;
  }
}
