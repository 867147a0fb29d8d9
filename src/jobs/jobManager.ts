import { randomUUID } from 'crypto';
import { PictoryClient, sleep as realSleep } from '../pictory/client';
import { PictoryApiError } from '../pictory/errors';
import { PollOutcome, pollJob } from '../pictory/poller';
import { JobStatus, LibraryImage, VideoResult } from '../pictory/responses';
import { hasJobId, isFilmJob, isFollowed, isImageJob, JobRecord, JobRequest, LOCAL_ID_PREFIX, requestedDuration, RESUMABLE_STATES } from './jobRecord';
import { JobStore, messageOf, Watch } from './jobStore';
import { PollPacer } from './pollPacer';
import { GenerationTimes, nextPollDelay, waitUntilPlausible } from './pollSchedule';

/** The longest wait between two checks of an image job. */
const IMAGE_POLL_INTERVAL_MS = 5000;

export interface JobTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** The most status requests this window sends in any second, all jobs together (default 2). */
  readonly maxRequestsPerSecond?: number;
}

export interface JobManagerOptions {
  readonly store: JobStore;
  /** A client for the endpoint with the user's key, or why there can be none. */
  readonly clientFor: (endpoint: string) => Promise<PictoryClient | string>;
  readonly timing: () => JobTiming;
  readonly log: (message: string) => void;
  /** Identifies this window among all that share the store. */
  readonly owner?: string;
  readonly now?: () => number;
  /** Waits between polls; rejects with a `cancelled` PictoryApiError when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ResumeResult {
  /** Records that could not be read: where they are (moved aside to `<id>.damaged` when possible). */
  readonly damaged: string[];
}

type Listener<Args extends unknown[]> = (...args: Args) => void;

type Ending = Pick<JobRecord, 'state' | 'video' | 'error'>;

/** A record this window could not write: followed from memory until it can. */
interface UnsavedJob {
  /** The local `submitting` record of the job, removed once the real one is written. */
  readonly placeholderId?: string;
}

class LeaseHeldElsewhere extends Error {}

/** This window can make no client for the job's endpoint (no key here, another endpoint set): why. */
class NoClient extends Error {}

/** Records the outcome of a POST whose answer never came. */
export class SubmissionUncertain extends Error {
  constructor(
    readonly record: JobRecord,
    readonly cause: PictoryApiError,
  ) {
    super(cause.message);
  }
}

/**
 * Submits jobs and follows them to the end, across reloads and windows: every accepted job
 * is on disk before anything else happens (or, when the disk refuses, followed from memory
 * and reported), each is polled on its own schedule by the one window holding its lease,
 * and each result is announced once.
 */
export class JobManager {
  private readonly polls = new Map<string, AbortController>();
  private readonly tracked = new Map<string, JobRecord>();
  private readonly unsaved = new Map<string, UnsavedJob>();
  /** `submitting` records of this window's POSTs, until a record of their job replaces them on disk. */
  private readonly placeholders = new Map<string, JobRecord>();
  /** Jobs whose lease this window holds, all given up when it closes. */
  private readonly leases = new Set<string>();
  private readonly reportedUnsaved = new Set<string>();
  private readonly recorders = new Set<AbortController>();
  private readonly watches = new Set<Watch>();
  private readonly changeListeners = new Set<Listener<[JobRecord]>>();
  private readonly finishListeners = new Set<Listener<[JobRecord]>>();
  private readonly recordFailureListeners = new Set<Listener<[JobRecord, string]>>();
  private readonly owner: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly pacer: PollPacer;
  /** How long this machine's finished jobs took, read from the store when the first job is followed. */
  private generationTimes: Promise<GenerationTimes> | undefined;
  private disposed = false;
  /** Lease writes under way: one that lands after `dispose` is given up again before the window is gone. */
  private readonly leaseWrites = new Set<Promise<boolean>>();

  constructor(private readonly options: JobManagerOptions) {
    this.owner = options.owner ?? randomUUID();
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.pacer = new PollPacer({ maxPerSecond: () => options.timing().maxRequestsPerSecond ?? 2, now: this.now, sleep: this.sleep });
  }

  /** Any change of a job followed in this window. */
  onDidChange(listener: Listener<[JobRecord]>): { dispose(): void } {
    return this.listen(this.changeListeners, listener);
  }

  /** A job reached an end (or its deadline) and this window is the one to say so. */
  onDidFinish(listener: Listener<[JobRecord]>): { dispose(): void } {
    return this.listen(this.finishListeners, listener);
  }

  /**
   * A job's record could not be written (disk full, read-only folder): once per job. The job
   * is still followed in this window and its result announced, but it would not survive
   * this window closing until the record is written; that is retried at every poll.
   */
  onDidFailToRecord(listener: Listener<[JobRecord, string]>): { dispose(): void } {
    return this.listen(this.recordFailureListeners, listener);
  }

  /** Jobs this window is following now (running, or looked for after a lost answer), oldest first. */
  running(): JobRecord[] {
    return [...this.tracked.values()].sort((a, b) => a.submittedAt - b.submittedAt);
  }

  list(): Promise<JobRecord[]> {
    return this.options.store.list();
  }

  get(id: string): Promise<JobRecord | undefined> {
    return this.options.store.get(id);
  }

  /**
   * Sends one generation request. Resolves once the job is accepted and followed; polling
   * goes on in the background. Throws `PictoryApiError`, or `SubmissionUncertain` when the
   * job may exist although no id came back (it is then looked for in the account's videos, or
   * for an image job its images).
   */
  async submit(client: PictoryClient, endpoint: string, job: JobRequest): Promise<JobRecord> {
    const submittedAt = this.now();
    const deadline = submittedAt + this.options.timing().timeoutMs;
    const id = `${LOCAL_ID_PREFIX}${randomUUID()}`;
    const placeholder: JobRecord = { id, endpoint, ...job, submittedAt, deadline, state: 'submitting', updatedAt: submittedAt };
    // Nothing is sent unless this works: a job that cannot be recorded must not cost anything yet.
    await this.options.store.save(placeholder);
    if (this.disposed) {
      await this.removeQuietly(placeholder.id);
      throw new PictoryApiError('cancelled');
    }
    // Should the window close before the job's own record replaces it, `dispose` hands it to other windows.
    this.placeholders.set(id, placeholder);
    let jobId: string;
    try {
      jobId = await sendJob(client, job);
    } catch (error) {
      if (error instanceof PictoryApiError && error.details.maybeCreated) throw await this.lookForLostJob(placeholder, error);
      await this.dropPlaceholder(placeholder.id);
      throw error;
    }
    const accepted: JobRecord = { ...placeholder, id: jobId, state: 'running', updatedAt: this.now() };
    this.options.log(`Job ${jobId} accepted (${job.kind}: ${[job.request.model, job.request.aspectRatio, requestedDuration(placeholder)].filter(Boolean).join(', ')})`);
    // Held before the record appears, so that other windows adopting the job leave it to this one.
    await this.holdLease(jobId);
    if (this.disposed) {
      // The window closed while the answer came: other windows look for `id` in the account's videos.
      this.options.log(`Job ${jobId} was accepted after this window closed; it is looked for as ${id}`);
      return accepted;
    }
    if (await this.record(accepted, placeholder.id)) await this.dropPlaceholder(placeholder.id);
    this.follow(accepted, this.intervalFor(accepted));
    return accepted;
  }

  /**
   * Picks up every job left by a closed window (or by this one before a reload), after
   * clearing what a crash may have left. Returns the damaged records found, moved aside.
   */
  async resume(): Promise<ResumeResult> {
    const { records, damaged } = await this.options.store.recover();
    for (const path of damaged) this.options.log(`A job record could not be read; it is kept at ${path}`);
    for (const record of records) await this.pickUp(record);
    return { damaged };
  }

  /** Follows the pending jobs `ids` (as `JobStore.watchPending` reports them) not followed here yet. */
  async adopt(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (this.disposed) return;
      if (this.tracked.has(id)) continue;
      const read = await this.options.store.read(id);
      if (read.kind === 'found' && !this.tracked.has(read.record.id)) await this.pickUp(read.record);
    }
  }

  /**
   * Follows, from now until disposed, the jobs other windows start, so that none is left
   * unfollowed when its window closes. Start it before `resume()`, so that no job falls between.
   */
  watchForJobs(): { dispose(): void } {
    const adopt = (ids: string[]) => void this.adopt(ids).catch((error: unknown) => this.options.log(`Following new jobs failed: ${messageOf(error)}`));
    let watch: Watch;
    try {
      watch = this.options.store.watchPending(adopt);
    } catch (error) {
      this.options.log(`Cannot watch for jobs of other windows: ${messageOf(error)}`);
      return { dispose: () => undefined };
    }
    this.watches.add(watch);
    return {
      dispose: () => {
        watch.dispose();
        this.watches.delete(watch);
      },
    };
  }

  /** Polls (or looks for) a job that stopped being followed again, with a fresh deadline. */
  async checkAgain(id: string): Promise<void> {
    const record = await this.options.store.get(id);
    if (!record || !RESUMABLE_STATES.includes(record.state) || this.tracked.has(id)) return;
    const state = hasJobId(record) ? 'running' : 'maybeCreated';
    const renewed: JobRecord = { ...record, state, deadline: this.now() + this.options.timing().timeoutMs, updatedAt: this.now() };
    await this.options.store.resetAnnouncement(id);
    await this.options.store.save(renewed);
    this.follow(renewed, 0);
  }

  /** Stops polling; Pictory offers no way to stop the generation itself. */
  async cancel(id: string): Promise<void> {
    const record = this.tracked.get(id) ?? (await this.options.store.get(id));
    if (!record || !isFollowed(record.state)) return;
    this.polls.get(id)?.abort();
    // Recorded on disk, so that a window polling it elsewhere stops too.
    await this.finish(record, { state: 'cancelled' }, false);
  }

  async forget(id: string): Promise<void> {
    const record = this.tracked.get(id) ?? (await this.options.store.get(id));
    this.polls.get(id)?.abort();
    this.untrack(id);
    this.unsaved.delete(id);
    this.placeholders.delete(id);
    this.leases.delete(id);
    await this.options.store.remove(id);
    if (record) this.emit(this.changeListeners, record);
  }

  /**
   * Stops following jobs without changing them, and gives up their leases: another window or
   * the next start resumes them. Submissions still waiting for Pictory's answer are recorded
   * as `maybeCreated`, so that other windows look for them in the account's videos at once.
   * Synchronous: it runs while the extension host shuts down.
   */
  dispose(): void {
    this.disposed = true;
    for (const id of this.unsaved.keys()) this.options.log(`Job ${id}: its latest state was never recorded; what is on disk of it is picked up by other windows or at the next start`);
    for (const watch of this.watches) watch.dispose();
    for (const controller of [...this.polls.values(), ...this.recorders]) controller.abort();
    this.handOverSubmissions();
    this.options.store.releaseLeasesNow(this.leases, this.owner);
    this.leases.clear();
    this.watches.clear();
    this.polls.clear();
    this.tracked.clear();
  }

  /** Records each POST of this window still without its job's record as `maybeCreated`, for other windows to look for. */
  private handOverSubmissions(): void {
    for (const placeholder of this.placeholders.values()) {
      const uncertain: JobRecord = { ...placeholder, state: 'maybeCreated', updatedAt: this.now() };
      try {
        this.options.store.saveNow(uncertain);
        this.options.log(`Job ${placeholder.id} was being sent as this window closed; other windows look for it in the account's videos`);
      } catch (error) {
        this.options.log(`Job ${placeholder.id} was being sent as this window closed and could not be handed over (${messageOf(error)}); it is looked for once its submitting record is older than the time limit`);
      }
    }
    this.placeholders.clear();
  }

  /** Records a submission whose answer was lost, and looks for its video (or image) from now on. */
  private async lookForLostJob(placeholder: JobRecord, error: PictoryApiError): Promise<SubmissionUncertain> {
    const uncertain: JobRecord = { ...placeholder, state: 'maybeCreated', updatedAt: this.now(), error: { code: error.kind, message: error.message } };
    await this.holdLease(uncertain.id);
    // Closed meanwhile: `dispose` already recorded it as `maybeCreated`, and other windows may be looking for it.
    if (this.disposed) return new SubmissionUncertain(uncertain, error);
    await this.record(uncertain);
    this.follow(uncertain, this.options.timing().intervalMs);
    return new SubmissionUncertain(uncertain, error);
  }

  /** Follows a job found on disk, if it is one to follow. */
  private async pickUp(record: JobRecord): Promise<void> {
    if (isFollowed(record.state)) return this.follow(record, 0);
    // A window that closed while sending: whether Pictory took the job is unknown.
    if (record.state === 'submitting' && this.now() - record.updatedAt > this.options.timing().timeoutMs) {
      const uncertain: JobRecord = { ...record, state: 'maybeCreated', updatedAt: this.now() };
      await this.record(uncertain);
      this.follow(uncertain, 0);
    }
  }

  private follow(record: JobRecord, initialDelayMs: number): void {
    if (this.disposed || this.tracked.has(record.id)) return;
    const controller = new AbortController();
    this.polls.set(record.id, controller);
    this.tracked.set(record.id, record);
    this.emit(this.changeListeners, record);
    void this.pollUntilDone(record, initialDelayMs, controller.signal).catch(async (error: unknown) => {
      const message = messageOf(error);
      this.options.log(`Following job ${record.id} failed: ${message}`);
      // Only the window that polls the job ends it: another window holding its lease may be doing fine.
      if (this.disposed || !(await this.holdLease(record.id))) {
        this.untrack(record.id);
        return;
      }
      await this.finish(record, { state: 'stopped', error: { code: 'INTERNAL', message } }).catch(() => this.untrack(record.id));
    });
  }

  /** Images take seconds, not minutes: they are checked at least every few seconds. */
  private intervalFor(record: JobRecord): number {
    const { intervalMs } = this.options.timing();
    return isImageJob(record) ? Math.min(intervalMs, IMAGE_POLL_INTERVAL_MS) : intervalMs;
  }

  private async pollUntilDone(record: JobRecord, initialDelayMs: number, signal: AbortSignal): Promise<void> {
    const intervalMs = this.intervalFor(record);
    const client = this.clientOnceLeased(record.endpoint);
    const learned = (await this.learnedTimes()).learned(record);
    const elapsed = () => this.now() - record.submittedAt;
    let delay = waitUntilPlausible(elapsed(), intervalMs, learned) ?? initialDelayMs;
    while (!signal.aborted) {
      try {
        const outcome = await pollJob((pollSignal) => this.pollOnce(record.id, client, pollSignal), {
          intervalMs,
          deadline: record.deadline,
          initialDelayMs: delay,
          nextDelayMs: () => nextPollDelay(elapsed(), intervalMs, learned),
          signal,
          onError: (error, retryInMs) => this.onPollError(record, error, retryInMs),
          now: this.now,
          sleep: this.sleep,
        });
        if (outcome.kind === 'cancelled') return;
        await this.finish(record, endingOf(record, outcome));
        return;
      } catch (error) {
        if (error instanceof NoClient) {
          // This window holds the lease: no other is polling the job.
          if (!signal.aborted) await this.finish(record, { state: 'stopped', error: { code: 'NO_CLIENT', message: error.message } });
          return;
        }
        if (!(error instanceof LeaseHeldElsewhere)) throw error;
        if (await this.endedElsewhere(record.id)) return;
        // Here, not in pollJob: past the deadline, pollJob asks without waiting.
        if (!(await this.rest(intervalMs, signal))) return;
        delay = 0;
      }
    }
  }

  private onPollError(record: JobRecord, error: PictoryApiError, retryInMs: number): void {
    this.options.log(`Job ${record.id}: ${error.message} Retrying in ${Math.round(retryInMs / 1000)} s.`);
    // Pictory limits the account, not the job: every job polling that endpoint waits.
    if (error.kind === 'rateLimited') this.pacer.holdBack(record.endpoint, retryInMs);
  }

  /** What the finished jobs on disk teach about generation times; nothing when they cannot be read. */
  private learnedTimes(): Promise<GenerationTimes> {
    this.generationTimes ??= this.options.store.list().then(
      (records) => GenerationTimes.from(records),
      (error: unknown) => {
        this.options.log(`Earlier jobs could not be read to learn their generation times (${messageOf(error)}); polling as configured`);
        return new GenerationTimes();
      },
    );
    return this.generationTimes;
  }

  /**
   * The client for `endpoint`, asked for at the first poll, once this window holds the lease:
   * a window that cannot poll (its key only in another window's memory) waits for the lease
   * rather than end a job that another window polls, and takes the job over when that one closes.
   */
  private clientOnceLeased(endpoint: string): () => Promise<PictoryClient> {
    let client: PictoryClient | undefined;
    return async () => {
      if (client) return client;
      const made = await this.options.clientFor(endpoint);
      if (typeof made === 'string') throw new NoClient(made);
      client = made;
      return client;
    };
  }

  private async pollOnce(id: string, clientOf: () => Promise<PictoryClient>, signal?: AbortSignal): Promise<JobStatus> {
    const record = this.tracked.get(id);
    if (!record) throw new PictoryApiError('cancelled');
    if (this.unsaved.has(id)) await this.record(record);
    if (!(await this.holdLease(id))) throw new LeaseHeldElsewhere();
    // The lease may have been freed because another window brought the job to an end.
    if ((await this.onDisk(record)).ended) {
      await this.releaseLease(id);
      throw new LeaseHeldElsewhere();
    }
    const client = await clientOf();
    await this.pacer.turn(record.endpoint, signal);
    if (record.state === 'maybeCreated') return this.lookForLostResult(record, client, signal);
    const status = await client.getJob(id, signal);
    if (status.state === 'running') await this.noteRunning(id, status.apiStatus, status.progress);
    return status;
  }

  /** One look in the account's videos (or, for an image job, images) for a job whose id never came back. */
  private async lookForLostResult(record: JobRecord, client: PictoryClient, signal?: AbortSignal): Promise<JobStatus> {
    // Renders are listed nowhere: a render whose id never came back cannot be found.
    if (isFilmJob(record)) throw new PictoryApiError('notFound');
    const taken = await this.resultsOfOtherJobs(record);
    if (!taken) return { state: 'running', apiStatus: 'job records could not be read' };
    if (isImageJob(record)) {
      const image = await client.findCreatedImage(record.request, record.submittedAt, signal, taken);
      return image ? { state: 'completed', video: imageOf(image) } : { state: 'running', apiStatus: 'not in the image list yet' };
    }
    const found = await client.findCreatedVideo(record.request, record.submittedAt, signal, taken);
    return found ? { state: 'completed', video: videoOf(found) } : { state: 'running', apiStatus: 'not in the video list yet' };
  }

  /**
   * The results (videos and images) of all other completed jobs, which a lost job must not be
   * matched to (the same request sent twice); undefined when the records cannot be read, so
   * that the look waits.
   */
  private async resultsOfOtherJobs(record: JobRecord): Promise<Set<string> | undefined> {
    const { id } = record;
    try {
      const records = await this.options.store.list();
      return new Set(records.flatMap((job) => (job.id !== id && job.state === 'completed' && job.video ? [job.video.url] : [])));
    } catch (error) {
      this.options.log(`Job ${id}: the other jobs' records could not be read (${messageOf(error)}); looking for its ${isImageJob(record) ? 'image' : 'video'} later`);
      return undefined;
    }
  }

  private async noteRunning(id: string, apiStatus: string, progress: number | undefined): Promise<void> {
    const record = this.tracked.get(id);
    if (!record || (record.apiStatus === apiStatus && record.progress === progress)) return;
    const updated: JobRecord = { ...record, apiStatus, updatedAt: this.now(), ...(progress !== undefined && { progress }) };
    if (record.apiStatus !== apiStatus) {
      if (apiStatus !== 'in-progress') this.options.log(`Job ${id}: undocumented status "${apiStatus}", still waiting`);
      else this.options.log(`Job ${id}: ${apiStatus}`);
    }
    this.tracked.set(id, updated);
    await this.record(updated);
    this.emit(this.changeListeners, updated);
  }

  /**
   * What the disk says of a job followed here: ended (by another window, or removed), with
   * the record that ended it; a record that cannot be read leaves the job followed from memory.
   */
  private async onDisk(record: JobRecord): Promise<{ ended: false } | { ended: true; stored?: JobRecord }> {
    // What is on disk is older than what is in memory (at best the `submitting` placeholder).
    if (this.unsaved.has(record.id)) return { ended: false };
    const read = await this.options.store.read(record.id);
    switch (read.kind) {
      case 'found':
        return isFollowed(read.record.state) ? { ended: false } : { ended: true, stored: read.record };
      case 'missing':
      case 'unknownState':
        return { ended: true };
      case 'damaged':
      case 'unreadable':
        await this.record(record);
        return { ended: false };
    }
  }

  /** Another window holds the lease: true once that window has brought the job to an end. */
  private async endedElsewhere(id: string): Promise<boolean> {
    const record = this.tracked.get(id);
    if (!record) return true;
    const view = await this.onDisk(record);
    if (!view.ended) return false;
    this.untrack(id);
    if (view.stored) this.emit(this.changeListeners, view.stored);
    return true;
  }

  private async finish(record: JobRecord, ending: Ending, announce = true): Promise<void> {
    const current = this.tracked.get(record.id) ?? record;
    this.untrack(record.id);
    // A closed window changes nothing (a poll was under way): the window that takes the job up ends and announces it.
    if (this.disposed) return;
    const view = await this.onDisk(current);
    if (view.ended) {
      // Another window (or the user, from another window) ended it first: its word stands.
      if (view.stored) this.emit(this.changeListeners, view.stored);
      return;
    }
    if (this.disposed) return;
    const updated: JobRecord = { ...current, ...ending, updatedAt: this.now() };
    if (this.generationTimes) void this.generationTimes.then((times) => times.add(updated));
    const recorded = await this.record(updated);
    if (!recorded) this.keepRecording(updated);
    await this.releaseLease(record.id);
    this.options.log(`Job ${record.id}: ${updated.state}${updated.error ? ` (${updated.error.code}: ${updated.error.message})` : ''}`);
    this.emit(this.changeListeners, updated);
    // Closed while the record was being written, in vain: announced by the window that takes the job up.
    if (!recorded && this.disposed) return;
    if (announce && (await this.claimAnnouncement(record.id))) this.emit(this.finishListeners, updated);
  }

  /**
   * Writes a job's record; true when it is on disk. When the disk refuses, the job goes on
   * from memory and the user is told (once per job); a later success removes the placeholder.
   */
  private async record(record: JobRecord, placeholderId?: string): Promise<boolean> {
    try {
      await this.options.store.save(record);
    } catch (error) {
      this.noteUnsaved(record, messageOf(error), placeholderId);
      return false;
    }
    // A record of the job itself (a lost one keeps the placeholder's id) replaces its placeholder.
    if (record.state !== 'submitting') this.placeholders.delete(record.id);
    const unsaved = this.unsaved.get(record.id);
    if (unsaved) {
      this.unsaved.delete(record.id);
      this.options.log(`Job ${record.id}: its record is written now`);
      if (unsaved.placeholderId) await this.dropPlaceholder(unsaved.placeholderId);
    }
    return true;
  }

  private noteUnsaved(record: JobRecord, reason: string, placeholderId?: string): void {
    const known = this.unsaved.get(record.id);
    this.unsaved.set(record.id, { placeholderId: placeholderId ?? known?.placeholderId });
    this.options.log(`Job ${record.id}: its record could not be written (${reason}); following it from memory`);
    if (this.reportedUnsaved.has(record.id)) return;
    this.reportedUnsaved.add(record.id);
    this.emit(this.recordFailureListeners, record, reason);
  }

  /** Tries again to write the final record of a job, once per interval, until it works or the window closes. */
  private keepRecording(record: JobRecord): void {
    // `dispose` aborts the loops under way, not one started after it.
    if (this.disposed) return;
    const controller = new AbortController();
    this.recorders.add(controller);
    const { intervalMs } = this.options.timing();
    void (async () => {
      while (this.unsaved.has(record.id) && (await this.rest(intervalMs, controller.signal))) await this.record(record);
    })().finally(() => this.recorders.delete(controller));
  }

  /** True when this window may poll `id`: it holds the lease, or no lease can be written (then it polls without one). */
  private async holdLease(id: string): Promise<boolean> {
    if (this.disposed) return false;
    const { intervalMs } = this.options.timing();
    // Long enough to cover the longest wait between two polls (backoff) and one request with its retries.
    const leaseMs = Math.max(intervalMs * 8, 120_000) + 120_000;
    let held: boolean;
    const write = this.options.store.tryLease(id, this.owner, leaseMs, this.now());
    this.leaseWrites.add(write);
    try {
      held = await write;
    } catch (error) {
      this.options.log(`Job ${id}: no lease could be written (${messageOf(error)}); polling without one`);
      return !this.disposed;
    } finally {
      this.leaseWrites.delete(write);
    }
    if (held && this.disposed) {
      // Taken or renewed as the window closed, after `dispose` gave up the others: given up at once, before the window is gone.
      this.options.store.releaseLeasesNow([id], this.owner);
      return false;
    }
    if (held) this.leases.add(id);
    else this.leases.delete(id);
    return held;
  }

  /**
   * Settles once this closed manager writes no lease any more (at most `limitMs`): the window's
   * last moments, so that a lease renewed as it closed does not hold other windows back.
   */
  async closed(limitMs = 2000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (this.leaseWrites.size > 0 && Date.now() < deadline) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref());
      await Promise.race([Promise.allSettled([...this.leaseWrites]), timer]);
    }
  }

  private async releaseLease(id: string): Promise<void> {
    this.leases.delete(id);
    await this.options.store.releaseLease(id, this.owner).catch((error: unknown) => this.options.log(`Job ${id}: releasing its lease failed: ${messageOf(error)}`));
  }

  /** True when this window is to announce the job; also when the claim cannot be written, so that it is announced at least here. */
  private async claimAnnouncement(id: string): Promise<boolean> {
    try {
      return await this.options.store.claimAnnouncement(id);
    } catch (error) {
      this.options.log(`Job ${id}: the announcement could not be claimed (${messageOf(error)}); announcing it from this window`);
      return true;
    }
  }

  /** Removes a placeholder that a record of its job replaced, or whose POST Pictory refused. */
  private async dropPlaceholder(id: string): Promise<void> {
    this.placeholders.delete(id);
    await this.removeQuietly(id);
  }

  private async removeQuietly(id: string): Promise<void> {
    await this.options.store.remove(id).catch((error: unknown) => this.options.log(`Removing job record ${id} failed: ${messageOf(error)}`));
  }

  /** Waits `ms`; false when `signal` aborted meanwhile. */
  private async rest(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.sleep(ms, signal);
      return !signal.aborted;
    } catch (error) {
      if (error instanceof PictoryApiError && error.kind === 'cancelled') return false;
      throw error;
    }
  }

  private untrack(id: string): void {
    this.tracked.delete(id);
    this.polls.delete(id);
  }

  private listen<Args extends unknown[]>(listeners: Set<Listener<Args>>, listener: Listener<Args>): { dispose(): void } {
    listeners.add(listener);
    return { dispose: () => listeners.delete(listener) };
  }

  private emit<Args extends unknown[]>(listeners: Set<Listener<Args>>, ...args: Args): void {
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (error) {
        this.options.log(`A job listener failed: ${messageOf(error)}`);
      }
    }
  }
}

/** The video fields of a library item (whose own `id` is not the job's), without empty ones. */
function videoOf(found: VideoResult): VideoResult {
  const { url, duration, width, height, thumbnailImageUrl, previewImageUrl, lastFrameImageUrl, aiCreditsUsed } = found;
  const fields = { duration, width, height, thumbnailImageUrl, previewImageUrl, lastFrameImageUrl, aiCreditsUsed };
  return { url, ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) };
}

/** Sends the POST that starts `job`, by its kind; resolves with Pictory's job id. */
function sendJob(client: PictoryClient, job: JobRequest): Promise<string> {
  switch (job.kind) {
    case 'image':
      return client.createImage(job.request);
    case 'film':
      return client.renderStoryboard(job.request.render);
    case 'video':
      return client.createVideo(job.request);
  }
}

/** The result of an image job found in the image list: its `url`, and its size when listed. */
function imageOf(found: LibraryImage): VideoResult {
  const { url, width, height } = found;
  return { url, ...Object.fromEntries(Object.entries({ width, height }).filter(([, value]) => value !== undefined)) };
}

/** The record's new state for how polling ended; a job looked for and never found is `unconfirmed`. */
function endingOf(record: JobRecord, outcome: Exclude<PollOutcome, { kind: 'cancelled' }>): Ending {
  switch (outcome.kind) {
    case 'completed':
      return { state: 'completed', video: outcome.video };
    case 'failed':
      return { state: 'failed', error: { code: outcome.errorCode, message: outcome.errorMessage } };
    case 'stopped':
      return { state: 'stopped', error: { code: outcome.error.kind, message: outcome.error.message } };
    case 'notFound':
    case 'timedOut':
      return { state: record.state === 'maybeCreated' ? 'unconfirmed' : outcome.kind };
    case 'cleaned':
      return { state: outcome.kind };
  }
}
