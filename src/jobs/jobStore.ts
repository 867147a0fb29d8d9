import { randomUUID } from 'crypto';
import { promises as fs, readFileSync, rmSync } from 'fs';
import * as path from 'path';
import { JobRecord, JobState, parseJobRecord } from './jobRecord';

const PENDING_STATES: readonly JobState[] = ['submitting', 'running'];

interface Lease {
  readonly owner: string;
  readonly expiresAt: number;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

function isTaken(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'EEXIST';
}

/**
 * Jobs on disk, one JSON file each, shared by every window of VS Code. Writes are atomic
 * (write then rename); a lease file says which window polls a job; an exclusive marker file
 * makes sure a result is announced once.
 */
export class JobStore {
  constructor(private readonly directory: string) {}

  async save(record: JobRecord): Promise<void> {
    await fs.mkdir(this.directory, { recursive: true });
    await this.writeAtomically(this.file(record.id, 'json'), JSON.stringify(record, null, 1));
    // A marker per unfinished job lets start-up tell, from one directory listing, whether there is anything to resume.
    if (PENDING_STATES.includes(record.state)) await fs.writeFile(this.file(record.id, 'pending'), '');
    else await fs.rm(this.file(record.id, 'pending'), { force: true });
  }

  /** Whether any job is still to be followed: one directory listing, no file read. */
  async hasPending(): Promise<boolean> {
    try {
      return (await fs.readdir(this.directory)).some((name) => name.endsWith('.pending'));
    } catch {
      return false;
    }
  }

  private async writeAtomically(target: string, content: string): Promise<void> {
    const temporary = `${target}.${randomUUID()}.tmp`;
    await fs.writeFile(temporary, content);
    await fs.rename(temporary, target);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    try {
      return parseJobRecord(JSON.parse(await fs.readFile(this.file(id, 'json'), 'utf8')));
    } catch {
      return undefined;
    }
  }

  async list(): Promise<JobRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.directory);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((record): record is JobRecord => record !== undefined).sort((a, b) => b.submittedAt - a.submittedAt);
  }

  async remove(id: string): Promise<void> {
    await Promise.all(['json', 'pending', 'lease', 'announced'].map((kind) => fs.rm(this.file(id, kind), { force: true })));
    await this.removeStaleCopies(this.file(id, 'lease'), '');
  }

  /** Takes or renews the right to poll `id` for `ttlMs`; false while another live window has it. */
  async tryLease(id: string, owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    await fs.mkdir(this.directory, { recursive: true });
    const file = this.file(id, 'lease');
    const lease: Lease = { owner, expiresAt: now + ttlMs };
    const current = await this.readLease(file);
    if (current && current.owner !== owner && current.expiresAt > now) return false;
    if (!current) await this.removeDamagedLease(file, ttlMs, now);
    if (current?.owner === owner) {
      await this.writeAtomically(file, JSON.stringify(lease));
      return true;
    }
    if (current) {
      // Expired: the one window that creates this expired lease's takeover marker replaces it.
      const takeover = `${file}.${current.expiresAt}.old`;
      try {
        await fs.writeFile(takeover, owner, { flag: 'wx' });
      } catch (error) {
        if (isTaken(error)) return false;
        throw error;
      }
      await this.writeAtomically(file, JSON.stringify(lease));
      await this.removeStaleCopies(file, takeover);
      return true;
    }
    try {
      await fs.writeFile(file, JSON.stringify(lease), { flag: 'wx' });
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

  /** Removes takeover markers of older leases of this job. */
  private async removeStaleCopies(file: string, keep: string): Promise<void> {
    const base = path.basename(file);
    const names = await fs.readdir(this.directory);
    const stale = names.filter((name) => name.startsWith(`${base}.`) && name.endsWith('.old') && path.join(this.directory, name) !== keep);
    await Promise.all(stale.map((name) => fs.rm(path.join(this.directory, name), { force: true })));
  }

  private file(id: string, kind: string): string {
    // Ids come from the API: keep them from naming anything outside the folder.
    const safeId = id.replace(/[^A-Za-z0-9_-]/g, '_');
    return path.join(this.directory, `${safeId}.${kind}`);
  }
}
