import { randomUUID } from 'crypto';
import { PictoryClient, VideoRequest } from '../pictory/client';
import { PictoryApiError } from '../pictory/errors';
import { PollOutcome, pollJob } from '../pictory/poller';
import { JobStatus } from '../pictory/responses';
import { JobRecord, RESUMABLE_STATES } from './jobRecord';
import { JobStore } from './jobStore';

export interface JobTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
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
}

type Listener<T> = (value: T) => void;

class LeaseHeldElsewhere extends Error {}

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
 * is on disk before anything else happens, each is polled on its own schedule by the one
 * window holding its lease, and each result is announced once.
 */
export class JobManager {
  private readonly polls = new Map<string, AbortController>();
  private readonly tracked = new Map<string, JobRecord>();
  private readonly changeListeners = new Set<Listener<JobRecord>>();
  private readonly finishListeners = new Set<Listener<JobRecord>>();
  private readonly owner: string;
  private readonly now: () => number;
  private disposed = false;

  constructor(private readonly options: JobManagerOptions) {
    this.owner = options.owner ?? randomUUID();
    this.now = options.now ?? Date.now;
  }

  /** Any change of a job followed in this window. */
  onDidChange(listener: Listener<JobRecord>): { dispose(): void } {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /** A job reached an end (or its deadline) and this window is the one to say so. */
  onDidFinish(listener: Listener<JobRecord>): { dispose(): void } {
    this.finishListeners.add(listener);
    return { dispose: () => this.finishListeners.delete(listener) };
  }

  /** Jobs this window is following now, oldest first. */
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
   * Sends one generation request. Resolves once the job is accepted and recorded; polling
   * goes on in the background. Throws `PictoryApiError`, or `SubmissionUncertain` when the
   * job may exist although no id came back.
   */
  async submit(client: PictoryClient, endpoint: string, request: VideoRequest): Promise<JobRecord> {
    const { store } = this.options;
    const submittedAt = this.now();
    const deadline = submittedAt + this.options.timing().timeoutMs;
    const pending: JobRecord = { id: `local-${randomUUID()}`, endpoint, request, submittedAt, deadline, state: 'submitting', updatedAt: submittedAt };
    await store.save(pending);
    let jobId: string;
    try {
      jobId = await client.createVideo(request);
    } catch (error) {
      if (error instanceof PictoryApiError && error.details.maybeCreated) {
        const uncertain = { ...pending, state: 'maybeCreated' as const, updatedAt: this.now(), error: { code: error.kind, message: error.message } };
        await store.save(uncertain);
        throw new SubmissionUncertain(uncertain, error);
      }
      await store.remove(pending.id);
      throw error;
    }
    const record: JobRecord = { ...pending, id: jobId, state: 'running', updatedAt: this.now() };
    this.options.log(`Job ${jobId} accepted (${request.model}, ${request.aspectRatio}, ${request.duration})`);
    try {
      await store.save(record);
      await store.remove(pending.id);
    } catch (error) {
      // The job exists and is paid for: follow it in this window even if the disk refused it.
      this.options.log(`Recording job ${jobId} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.follow(record, this.options.timing().intervalMs);
    return record;
  }

  /** Picks up every job left running by a closed window (or by this one before a reload). */
  async resume(): Promise<void> {
    const records = await this.options.store.list();
    for (const record of records) {
      if (record.state === 'running' && !this.tracked.has(record.id)) this.follow(record, 0);
      if (record.state === 'submitting' && this.now() - record.updatedAt > this.options.timing().timeoutMs) {
        await this.options.store.save({ ...record, state: 'maybeCreated', updatedAt: this.now() });
      }
    }
  }

  /** Polls a cancelled, timed-out or stopped job again, with a fresh deadline. */
  async checkAgain(id: string): Promise<void> {
    const record = await this.options.store.get(id);
    if (!record || !RESUMABLE_STATES.includes(record.state) || this.tracked.has(id)) return;
    const renewed: JobRecord = { ...record, state: 'running', deadline: this.now() + this.options.timing().timeoutMs, updatedAt: this.now() };
    await this.options.store.resetAnnouncement(id);
    await this.options.store.save(renewed);
    this.follow(renewed, 0);
  }

  /** Stops polling; Pictory offers no way to stop the generation itself. */
  async cancel(id: string): Promise<void> {
    const record = this.tracked.get(id) ?? (await this.options.store.get(id));
    if (!record || record.state !== 'running') return;
    this.polls.get(id)?.abort();
    // Recorded on disk, so that a window polling it elsewhere stops too.
    await this.finish(record, { state: 'cancelled' }, false);
  }

  async forget(id: string): Promise<void> {
    const record = this.tracked.get(id) ?? (await this.options.store.get(id));
    this.polls.get(id)?.abort();
    this.untrack(id);
    await this.options.store.remove(id);
    if (record) this.emit(this.changeListeners, record);
  }

  /** Stops following jobs without changing them: another window or the next start resumes them. */
  dispose(): void {
    this.disposed = true;
    for (const controller of this.polls.values()) controller.abort();
    this.options.store.releaseLeasesNow(this.tracked.keys(), this.owner);
    this.polls.clear();
    this.tracked.clear();
  }

  private follow(record: JobRecord, initialDelayMs: number): void {
    if (this.disposed) return;
    const controller = new AbortController();
    this.polls.set(record.id, controller);
    this.tracked.set(record.id, record);
    this.emit(this.changeListeners, record);
    void this.pollUntilDone(record, initialDelayMs, controller.signal).catch(async (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.options.log(`Following job ${record.id} failed: ${message}`);
      await this.finish(record, { state: 'stopped', error: { code: 'INTERNAL', message } }).catch(() => this.untrack(record.id));
    });
  }

  private async pollUntilDone(record: JobRecord, initialDelayMs: number, signal: AbortSignal): Promise<void> {
    const client = await this.options.clientFor(record.endpoint);
    if (typeof client === 'string') {
      await this.finish(record, { state: 'stopped', error: { code: 'NO_CLIENT', message: client } });
      return;
    }
    const { intervalMs } = this.options.timing();
    for (let delay = initialDelayMs; !signal.aborted; delay = intervalMs) {
      try {
        const outcome = await pollJob((pollSignal) => this.pollOnce(record.id, client, pollSignal), {
          intervalMs,
          deadline: record.deadline,
          initialDelayMs: delay,
          signal,
          onError: (error, retryInMs) => this.options.log(`Job ${record.id}: ${error.message} Retrying in ${Math.round(retryInMs / 1000)} s.`),
          now: this.now,
        });
        if (outcome.kind === 'cancelled') return;
        await this.finish(record, stateOf(outcome));
        return;
      } catch (error) {
        if (!(error instanceof LeaseHeldElsewhere)) throw error;
        if (await this.endedElsewhere(record.id)) return;
      }
    }
  }

  private async pollOnce(id: string, client: PictoryClient, signal?: AbortSignal): Promise<JobStatus> {
    const { intervalMs } = this.options.timing();
    // Long enough to cover the longest wait between two polls (backoff) and one request with its retries.
    const leaseMs = Math.max(intervalMs * 8, 120_000) + 120_000;
    const leased = await this.options.store.tryLease(id, this.owner, leaseMs, this.now());
    if (!leased) throw new LeaseHeldElsewhere();
    // The lease may have been freed because another window brought the job to an end.
    if ((await this.options.store.get(id))?.state !== 'running') {
      await this.options.store.releaseLease(id, this.owner);
      throw new LeaseHeldElsewhere();
    }
    const status = await client.getJob(id, signal);
    if (status.state === 'running') await this.noteRunning(id, status.apiStatus);
    return status;
  }

  private async noteRunning(id: string, apiStatus: string): Promise<void> {
    const record = this.tracked.get(id);
    if (!record || record.apiStatus === apiStatus) return;
    const updated = { ...record, apiStatus, updatedAt: this.now() };
    if (apiStatus !== 'in-progress') this.options.log(`Job ${id}: undocumented status "${apiStatus}", still waiting`);
    else this.options.log(`Job ${id}: ${apiStatus}`);
    this.tracked.set(id, updated);
    await this.options.store.save(updated);
    this.emit(this.changeListeners, updated);
  }

  /** Another window holds the lease: true once that window has brought the job to an end. */
  private async endedElsewhere(id: string): Promise<boolean> {
    const stored = await this.options.store.get(id);
    if (!stored || stored.state !== 'running') {
      this.untrack(id);
      if (stored) this.emit(this.changeListeners, stored);
      return true;
    }
    return false;
  }

  private async finish(record: JobRecord, change: Pick<JobRecord, 'state' | 'video' | 'error'>, announce = true): Promise<void> {
    const current = this.tracked.get(record.id) ?? record;
    this.untrack(record.id);
    const stored = await this.options.store.get(record.id);
    if (stored && stored.state !== 'running') {
      // Another window (or the user, from another window) ended it first: its word stands.
      this.emit(this.changeListeners, stored);
      return;
    }
    const updated: JobRecord = { ...current, ...change, updatedAt: this.now() };
    await this.options.store.save(updated);
    await this.options.store.releaseLease(record.id, this.owner);
    this.options.log(`Job ${record.id}: ${updated.state}${updated.error ? ` (${updated.error.code}: ${updated.error.message})` : ''}`);
    this.emit(this.changeListeners, updated);
    if (announce && (await this.options.store.claimAnnouncement(record.id))) this.emit(this.finishListeners, updated);
  }

  private untrack(id: string): void {
    this.tracked.delete(id);
    this.polls.delete(id);
  }

  private emit<T>(listeners: Set<Listener<T>>, value: T): void {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch (error) {
        this.options.log(`A job listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

function stateOf(outcome: Exclude<PollOutcome, { kind: 'cancelled' }>): Pick<JobRecord, 'state' | 'video' | 'error'> {
  switch (outcome.kind) {
    case 'completed':
      return { state: 'completed', video: outcome.video };
    case 'failed':
      return { state: 'failed', error: { code: outcome.errorCode, message: outcome.errorMessage } };
    case 'stopped':
      return { state: 'stopped', error: { code: outcome.error.kind, message: outcome.error.message } };
    case 'cleaned':
    case 'notFound':
    case 'timedOut':
      return { state: outcome.kind };
  }
}
