import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JobManager, SubmissionUncertain } from '../../src/jobs/jobManager';
import { JobRecord, VideoJobRecord } from '../../src/jobs/jobRecord';
import { JobStore, RecordRead } from '../../src/jobs/jobStore';
import { ImageRequest, PictoryClient } from '../../src/pictory/client';
import { PictoryApiError } from '../../src/pictory/errors';
import { startPictoryServer, type PictoryServer } from '../server/pictoryServer';
import { ManualClock } from './manualClock';
import { delay, loadFetch, makeClient, makeTempDir, postRequests, recordingFetch, removeDir, statusRequests, videoRequest, waitFor, WRONG_KEY } from './support';

interface Window {
  readonly manager: JobManager;
  /** What `onDidFinish` reported, in order. */
  readonly finished: JobRecord[];
  /** What `onDidFailToRecord` reported, in order. */
  readonly unrecorded: { readonly record: JobRecord; readonly reason: string }[];
  readonly logs: string[];
}

interface WindowOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly owner?: string;
  /** What `clientFor` answers (an Error: what it throws); by default a client with a valid key. */
  readonly client?: PictoryClient | string | Error;
  /** The window's view of the shared folder; by default the test's `store`. */
  readonly store?: JobStore;
}

/** The shared folder as one window sees it: what that window wrote, and hooks run as it writes or reads. */
class WatchedStore extends JobStore {
  readonly saved: JobRecord[] = [];
  beforeSave?: (record: JobRecord) => void;
  beforeLease?: (id: string) => void;
  beforeRead?: (id: string) => void;
  afterRead?: (id: string) => void;

  override async save(record: JobRecord): Promise<void> {
    this.beforeSave?.(record);
    this.saved.push(record);
    return super.save(record);
  }

  override saveNow(record: JobRecord): void {
    this.saved.push(record);
    super.saveNow(record);
  }

  /** Lease writes ended so far. */
  leaseWritesEnded = 0;
  /** Held until it settles before a lease is written. */
  leaseGate?: Promise<void>;

  override async tryLease(id: string, owner: string, ttlMs: number, now?: number): Promise<boolean> {
    this.beforeLease?.(id);
    await this.leaseGate;
    try {
      return await super.tryLease(id, owner, ttlMs, now);
    } finally {
      this.leaseWritesEnded++;
    }
  }

  override async read(id: string): Promise<RecordRead> {
    this.beforeRead?.(id);
    const read = await super.read(id);
    this.afterRead?.(id);
    return read;
  }
}

const IMAGE_REQUEST: ImageRequest = { prompt: 'A lighthouse at dawn, watercolour', model: 'seedream3.0', aspectRatio: '16:9', style: 'vintage' };

// Time is the test's own (ManualClock): these are the real settings' orders of size.
const INTERVAL = 15_000;
const TIMEOUT = 30 * 60_000;

describe('JobManager', function () {
  this.timeout(10_000);

  let server: PictoryServer;
  let root: string;
  let directory: string;
  let store: JobStore;
  let windows: Window[];
  let clock: ManualClock;

  before(async () => {
    // A job answers "in progress" twice, then its outcome on the third poll.
    server = await startPictoryServer({ pollsUntilDone: 2 });
  });

  after(() => server.close());

  beforeEach(() => {
    root = makeTempDir('job-manager');
    directory = path.join(root, 'jobs');
    store = new JobStore(directory);
    windows = [];
    clock = new ManualClock();
  });

  afterEach(() => {
    for (const window of windows) window.manager.dispose();
    server.reset();
    removeDir(root);
  });

  /** A JobManager as one VS Code window would have it, sharing the folder and the clock of this test. */
  function openWindow(options: WindowOptions = {}): Window {
    const finished: JobRecord[] = [];
    const unrecorded: { record: JobRecord; reason: string }[] = [];
    const logs: string[] = [];
    // Each window's requests carry its owner, to tell on the server which window polled.
    const client = options.client ?? makeClient(server.baseUrl, { userAgent: `pictory-vscode/0.0.0 unit-tests ${options.owner ?? 'window'}` });
    const manager = new JobManager({
      store: options.store ?? store,
      clientFor: async () => {
        if (client instanceof Error) throw client;
        return client;
      },
      timing: () => ({ intervalMs: options.intervalMs ?? INTERVAL, timeoutMs: options.timeoutMs ?? TIMEOUT }),
      log: (message) => logs.push(message),
      owner: options.owner,
      now: clock.now,
      sleep: clock.sleep,
    });
    manager.onDidFinish((record) => finished.push(record));
    manager.onDidFailToRecord((record, reason) => unrecorded.push({ record, reason }));
    const window = { manager, finished, unrecorded, logs };
    windows.push(window);
    return window;
  }

  function submit(window: Window, prompt?: string, client: PictoryClient = makeClient(server.baseUrl)): Promise<JobRecord> {
    return window.manager.submit(client, server.baseUrl, { kind: 'video', request: videoRequest(prompt) });
  }

  async function submitUncertain(window: Window, client?: PictoryClient): Promise<SubmissionUncertain> {
    const thrown = await submit(window, undefined, client).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(thrown instanceof SubmissionUncertain, `threw ${String(thrown)}`);
    return thrown;
  }

  async function submitImageUncertain(window: Window): Promise<SubmissionUncertain> {
    const thrown = await window.manager.submit(makeClient(server.baseUrl), server.baseUrl, { kind: 'image', request: IMAGE_REQUEST }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(thrown instanceof SubmissionUncertain, `threw ${String(thrown)}`);
    return thrown;
  }

  async function stateOf(id: string): Promise<string | undefined> {
    return (await store.get(id))?.state;
  }

  /** The states of the records on disk at this instant, read directly from the folder. */
  function statesOnDisk(): string[] {
    if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) return [];
    return fs
      .readdirSync(directory)
      .filter((name) => name.endsWith('.json'))
      .map((name) => (JSON.parse(fs.readFileSync(path.join(directory, name), 'utf8')) as JobRecord).state);
  }

  function listRequests(): number {
    return server.requests.filter((request) => request.method === 'GET' && request.path.includes('/v1/aistudio/videos')).length;
  }

  function imageListRequests(): number {
    return server.requests.filter((request) => request.method === 'GET' && request.path.includes('/v1/aistudio/images')).length;
  }

  function pollers(jobId: string): (string | undefined)[] {
    return server.requests
      .filter((request) => request.method === 'GET' && request.path.endsWith(jobId))
      .map((request) => request.userAgent?.split(' ').at(-1));
  }

  /** Poll loops under way: one per job each window follows. */
  function loops(): number {
    return windows.reduce((sum, window) => sum + window.manager.running().length, 0);
  }

  /** Waits until every poll loop waits for the clock (`others`: waits that are not poll loops). */
  async function settle(others = 0): Promise<void> {
    await waitFor('every poll loop to wait for the clock', () => clock.sleeping >= loops() + others);
  }

  /** Moves the clock from one wake-up to the next, each time once every poll loop waits, until `done`. */
  async function runUntil(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
    for (let step = 0; step < 200; step++) {
      if (await done()) return;
      await waitFor(what, async () => (await done()) || clock.sleeping >= Math.max(loops(), 1));
      if (await done()) return;
      clock.advanceToNextWake();
    }
    throw new Error(`Still waiting for ${what} after 200 wake-ups`);
  }

  /** Nothing can poll any more: no job followed, nothing waiting for the clock. */
  function assertIdle(): void {
    assert.equal(loops(), 0, 'no job is followed');
    assert.equal(clock.sleeping, 0, 'nothing waits to poll');
  }

  /** A job on the server and its record on disk, as a window that closed left them. */
  async function storedJob(extra: Partial<VideoJobRecord>, prompt?: string): Promise<JobRecord> {
    const request = videoRequest(prompt);
    const id = await makeClient(server.baseUrl).createVideo(request);
    const now = clock.now();
    const record: VideoJobRecord = { id, endpoint: server.baseUrl, request, submittedAt: now, deadline: now + TIMEOUT, state: 'running', updatedAt: now, ...extra };
    await store.save(record);
    return record;
  }

  function leaseFiles(): string[] {
    return fs.readdirSync(directory).filter((name) => name.endsWith('.lease'));
  }

  function videoUrl(jobId: string): string {
    return `${server.origin}/media/${jobId}.mp4`;
  }

  function imageUrl(jobId: string): string {
    return `${server.origin}/media/${jobId}.png`;
  }

  /** Polls a job on the server directly, as if it ran to its end unseen. */
  async function finishOnServer(jobId: string): Promise<void> {
    const client = makeClient(server.baseUrl);
    for (let poll = 0; poll < 3; poll++) await client.getJob(jobId);
  }

  /** Submits a job from a window that is then closed before its first poll, as on a reload. */
  async function leaveRunningJob(prompt?: string): Promise<JobRecord> {
    const closing = openWindow({ owner: 'closed-window' });
    const record = await submit(closing, prompt);
    closing.manager.dispose();
    assert.equal(await stateOf(record.id), 'running');
    assert.equal(statusRequests(server, record.id), 0);
    return record;
  }

  describe('submit', () => {
    it('records the job before sending it, and as running before polling it', async () => {
      const seen: { method: string; states: string[] }[] = [];
      const client = makeClient(server.baseUrl, {
        loadFetch: recordingFetch([], (_url, init) => seen.push({ method: init.method, states: statesOnDisk() })),
      });
      const window = openWindow({ client });
      const record = await submit(window, undefined, client);
      const onDisk = await store.list();
      assert.equal(statusRequests(server, record.id), 0, 'no poll before submit resolves');
      assert.deepEqual(
        onDisk.map((job) => [job.id, job.state]),
        [[record.id, 'running']],
      );
      assert.equal(record.state, 'running');
      assert.deepEqual(seen[0], { method: 'POST', states: ['submitting'] });

      await runUntil('the job to finish', () => window.finished.length > 0);
      const firstPoll = seen.find((request) => request.method === 'GET');
      assert.deepEqual(firstPoll?.states, ['running'], 'the record was running on disk when first polled');
    });

    it('follows an accepted job to its video and announces it once', async () => {
      const window = openWindow();
      const changes: string[] = [];
      window.manager.onDidChange((record) => changes.push(record.state));
      const submittedAt = clock.now();
      const record = await submit(window);
      assert.deepEqual(
        window.manager.running().map((job) => job.id),
        [record.id],
      );
      await runUntil('the job to finish', () => window.finished.length > 0);

      assert.equal(clock.now() - submittedAt, 3 * INTERVAL, 'polled once per interval');
      assert.equal(window.finished.length, 1);
      const [finished] = window.finished;
      assert.equal(finished.id, record.id);
      assert.equal(finished.state, 'completed');
      assert.equal(finished.video?.url, `${server.origin}/media/${record.id}.mp4`);
      assert.deepEqual(await store.get(record.id), finished);
      assert.equal(statusRequests(server, record.id), 3, 'two "in progress" answers, then the result');
      assert.equal(changes.at(-1), 'completed');
      assertIdle();
      assert.deepEqual(fs.readdirSync(directory).sort(), [`${record.id}.announced`, `${record.id}.json`], 'the lease is released');
    });

    it('follows an image job to its picture, checking every 5 s, and keeps it as an image', async () => {
      const window = openWindow();
      const submittedAt = clock.now();
      const request = { prompt: 'A lighthouse at dawn, watercolour', model: 'seedream3.0', aspectRatio: '16:9', style: 'vintage' };
      const record = await window.manager.submit(makeClient(server.baseUrl), server.baseUrl, { kind: 'image', request });
      assert.equal(record.kind, 'image');
      await runUntil('the image to finish', () => window.finished.length > 0);
      assert.equal(clock.now() - submittedAt, 3 * 5000, 'polled every 5 s, not every 15 s');
      const [finished] = window.finished;
      assert.equal(finished.state, 'completed');
      assert.equal(finished.video?.url, `${server.origin}/media/${record.id}.png`);
      assert.equal(finished.video?.aiCreditsUsed, 2);
      const stored = await store.get(record.id);
      assert.deepEqual(stored, JSON.parse(JSON.stringify(finished)), 'on disk as announced');
      assert.ok(stored?.kind === 'image' && stored.request.style === 'vintage');
      const posted = server.requests.find((entry) => entry.method === 'POST');
      assert.equal(posted?.path, '/pictoryapis/v1/aistudio/images');
      assert.deepEqual(posted?.body, request);
    });

    it('records a failed job with the reason Pictory gave', async () => {
      const window = openWindow();
      const record = await submit(window, 'A lighthouse that cannot be drawn #fail');
      await runUntil('the job to finish', () => window.finished.length > 0);
      const stored = await store.get(record.id);
      assert.equal(stored?.state, 'failed');
      assert.deepEqual(stored?.error, { code: 'TEXT_TO_VIDEO_FAILED', message: 'The video could not be generated from this prompt.' });
      assert.equal(stored?.video, undefined);
      assert.deepEqual(window.finished, [stored]);
    });

    it('leaves nothing behind when Pictory refuses the request', async () => {
      const window = openWindow();
      const invalid = { ...videoRequest(), duration: '7s' };
      await assert.rejects(window.manager.submit(makeClient(server.baseUrl), server.baseUrl, { kind: 'video', request: invalid }), (error: unknown) => {
        assert.ok(error instanceof PictoryApiError);
        assert.equal(error.kind, 'invalidRequest');
        assert.equal(error.status, 400);
        return true;
      });
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(statesOnDisk(), []);
      assert.equal(postRequests(server), 1);
      assertIdle();
    });

    it('follows several jobs at once, each on its own schedule', async () => {
      const window = openWindow();
      const slow = await submit(window, 'A lighthouse behind a flaky proxy');
      // Six 500s: three failed polls (each retried once), so three growing back-offs.
      server.addFault({ method: 'GET', path: new RegExp(slow.id), times: 6, fault: { kind: 'status', status: 500 } });
      const quick = [await submit(window, 'A lighthouse at noon'), await submit(window, 'A lighthouse at night')];

      await runUntil('the two healthy jobs to finish', () => window.finished.length >= 2);
      assert.deepEqual(
        window.finished.map((job) => job.id).sort(),
        quick.map((job) => job.id).sort(),
      );
      assert.ok(window.finished.every((job) => job.state === 'completed'));
      assert.equal(await stateOf(slow.id), 'running', 'the job behind errors is still being waited for');

      await runUntil('the slow job to finish', () => window.finished.length >= 3);
      assert.equal(window.finished[2].id, slow.id);
      assert.equal(window.finished[2].state, 'completed');
      assert.equal(statusRequests(server, slow.id), 6 + 3);
      assertIdle();
    });
  });

  describe('the schedule of status requests', () => {
    /** A finished job of the same kind as `videoRequest()`, that took `seconds` to be seen completed. */
    async function finishedEarlier(seconds: number, index: number): Promise<void> {
      const submittedAt = clock.now() - 3_600_000 + index * 1000;
      await store.save({ id: `earlier-${index}`, endpoint: server.baseUrl, kind: 'video', request: videoRequest(), submittedAt, deadline: submittedAt + TIMEOUT, state: 'completed', updatedAt: submittedAt + seconds * 1000, video: { url: `${server.origin}/media/earlier-${index}.mp4` } });
    }

    it('looks first at the interval while fewer than five jobs of the kind are known', async () => {
      for (const [index, seconds] of [120, 125, 130, 135].entries()) await finishedEarlier(seconds, index);
      const window = openWindow();
      const record = await submit(window);
      await runUntil('the first look', () => statusRequests(server, record.id) >= 1);
      assert.equal(clock.now() - record.submittedAt, INTERVAL);
    });

    it('waits until shortly before the quickest earlier jobs of the kind took, then looks a little more often than the interval', async () => {
      for (const [index, seconds] of [120, 125, 130, 135, 140, 145].entries()) await finishedEarlier(seconds, index);
      const window = openWindow();
      const record = await submit(window);
      await runUntil('the first look', () => statusRequests(server, record.id) >= 1);
      assert.equal(clock.now() - record.submittedAt, 0.95 * 120_000, 'one wait until 95 % of 120 s');
      await runUntil('the second look', () => statusRequests(server, record.id) >= 2);
      assert.equal(clock.now() - record.submittedAt, 0.95 * 120_000 + 0.85 * INTERVAL);
      await runUntil('the job to finish', () => window.finished.length === 1);
      assertIdle();
    });

    it('holds back every job against an endpoint that answered "too many requests"', async () => {
      const window = openWindow();
      const limited = await submit(window, 'A lighthouse in a storm');
      const other = await submit(window, 'A lighthouse in the fog');
      server.addFault({ method: 'GET', path: new RegExp(limited.id), times: 2, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '60' } } });
      // Two 429s: the client asks once more by itself, then the poll fails.
      await runUntil('the rate-limited look', () => statusRequests(server, limited.id) >= 2);
      const limitedAt = clock.now();
      const otherLooks = statusRequests(server, other.id);
      await runUntil('the other job\'s next look', () => statusRequests(server, other.id) > otherLooks);
      assert.ok(clock.now() - limitedAt >= 60_000, `the other job waited ${(clock.now() - limitedAt) / 1000} s`);
      await runUntil('both jobs to finish', () => window.finished.length === 2);
      assertIdle();
    });
  });

  describe('a submission whose answer was lost', () => {
    it("finds the job in the account's videos and announces it, without sending it again", async () => {
      server.addFault({ method: 'POST', fault: { kind: 'createThenReset' } });
      const window = openWindow();
      const uncertain = await submitUncertain(window);
      assert.equal(uncertain.record.state, 'maybeCreated');
      assert.equal(uncertain.cause.details.maybeCreated, true);
      assert.deepEqual(await store.get(uncertain.record.id), uncertain.record);
      assert.deepEqual(
        window.manager.running().map((job) => job.id),
        [uncertain.record.id],
      );
      const [created] = server.jobs().values();

      await runUntil('a first look in the videos', () => listRequests() >= 1);
      await settle();
      assert.equal(window.finished.length, 0, 'not in the list while it is being generated');
      await finishOnServer(created.id);

      await runUntil('the video to be found', () => window.finished.length > 0);
      const [found] = window.finished;
      assert.equal(found.id, uncertain.record.id);
      assert.equal(found.state, 'completed');
      assert.equal(found.video?.url, `${server.origin}/media/${created.id}.mp4`);
      assert.deepEqual(await store.get(found.id), found);
      assert.equal(await store.hasPending(), false);
      assert.equal(postRequests(server), 1, 'sent once');
      assert.equal(listRequests(), 2);
      assertIdle();
    });

    it('is unconfirmed when not found by its deadline, and looked for again on request', async () => {
      server.addFault({ method: 'POST', fault: { kind: 'hang' } });
      const window = openWindow({ timeoutMs: 4 * INTERVAL });
      const uncertain = await submitUncertain(window, makeClient(server.baseUrl, { requestTimeoutMs: 150 }));
      assert.equal(uncertain.cause.kind, 'timeout');
      const records = await store.list();
      assert.deepEqual(
        records.map((record) => [record.state, record.error?.code]),
        [['maybeCreated', 'timeout']],
      );
      assert.deepEqual(records[0].request, videoRequest());
      assert.deepEqual(uncertain.record, records[0]);

      await runUntil('the deadline', () => window.finished.length > 0);
      assert.equal(window.finished[0].state, 'unconfirmed');
      assert.equal(await stateOf(uncertain.record.id), 'unconfirmed');
      assert.equal(await store.hasPending(), false);
      assert.equal(listRequests(), 4, 'one look per interval, the last at the deadline');
      assert.equal(postRequests(server), 1);
      assertIdle();

      await window.manager.checkAgain(uncertain.record.id);
      assert.equal(await stateOf(uncertain.record.id), 'maybeCreated');
      await runUntil('another look', () => listRequests() >= 5);
      assert.equal(postRequests(server), 1);
    });

    it("is not matched to the video of an earlier job with the same request, but to its own", async () => {
      const window = openWindow();
      const first = await submit(window);
      await runUntil('the first job to finish', () => window.finished.length > 0);
      server.addFault({ method: 'POST', fault: { kind: 'createThenReset' } });
      const { record } = await submitUncertain(window);
      const second = [...server.jobs().keys()].find((id) => id !== first.id);
      assert.ok(second);

      await runUntil('a first look in the videos', () => listRequests() >= 1);
      await settle();
      assert.equal(window.finished.length, 1, "the first job's video, same request and minutes old, is not taken for the second");
      await finishOnServer(second);
      await runUntil('its own video to be found', () => window.finished.length > 1);
      assert.deepEqual(
        window.finished.map((job) => [job.id, job.state, job.video?.url]),
        [
          [first.id, 'completed', videoUrl(first.id)],
          [record.id, 'completed', videoUrl(second)],
        ],
      );
      assert.equal(listRequests(), 2);
      assertIdle();
    });

    it("finds an image job in the account's images and completes it with its picture, without sending it again", async () => {
      server.addFault({ method: 'POST', fault: { kind: 'createThenReset' } });
      const window = openWindow();
      const { record } = await submitImageUncertain(window);
      assert.equal(record.state, 'maybeCreated');
      assert.equal(record.kind, 'image');
      assert.deepEqual(await store.get(record.id), record);
      assert.equal(server.imageJobs().size, 1);
      const [created] = server.imageJobs().values();

      await runUntil('a first look in the images', () => imageListRequests() >= 1);
      await settle();
      assert.equal(window.finished.length, 0, 'not in the list while it is being made');
      await finishOnServer(created.id);

      await runUntil('the image to be found', () => window.finished.length > 0);
      const [found] = window.finished;
      assert.equal(found.id, record.id);
      assert.equal(found.state, 'completed');
      assert.equal(found.kind, 'image');
      assert.deepEqual(found.video, { url: imageUrl(created.id), width: 1344, height: 768 });
      assert.deepEqual(await store.get(found.id), JSON.parse(JSON.stringify(found)));
      assert.equal(await store.hasPending(), false);
      assert.equal(postRequests(server), 1, 'sent once');
      assert.equal(imageListRequests(), 2);
      assert.equal(listRequests(), 0, 'the videos are not searched for an image');
      assertIdle();
    });

    it('is not matched to the image of an earlier image job with the same request, but to its own', async () => {
      const window = openWindow();
      const first = await window.manager.submit(makeClient(server.baseUrl), server.baseUrl, { kind: 'image', request: IMAGE_REQUEST });
      await runUntil('the first image to finish', () => window.finished.length > 0);
      server.addFault({ method: 'POST', fault: { kind: 'createThenReset' } });
      const { record } = await submitImageUncertain(window);
      const second = [...server.imageJobs().keys()].find((id) => id !== first.id);
      assert.ok(second);

      await runUntil('a first look in the images', () => imageListRequests() >= 1);
      await settle();
      assert.equal(window.finished.length, 1, "the first job's image, same request and seconds old, is not taken for the second");
      await finishOnServer(second);
      await runUntil('its own image to be found', () => window.finished.length > 1);
      assert.deepEqual(
        window.finished.map((job) => [job.id, job.state, job.video?.url]),
        [
          [first.id, 'completed', imageUrl(first.id)],
          [record.id, 'completed', imageUrl(second)],
        ],
      );
      assert.equal(postRequests(server), 2);
      assertIdle();
    });

    it('is looked for when a window closed while sending it', async () => {
      const request = videoRequest();
      const jobId = await makeClient(server.baseUrl).createVideo(request);
      await finishOnServer(jobId);
      // Sent long ago, and the window closed before the answer came.
      const sentAt = clock.now() - TIMEOUT - 1;
      const placeholder: JobRecord = { id: 'local-closed', endpoint: server.baseUrl, request, submittedAt: sentAt, deadline: sentAt + TIMEOUT, state: 'submitting', updatedAt: sentAt };
      await store.save(placeholder);

      const reopened = openWindow();
      await reopened.manager.resume();
      await runUntil('the video to be found', () => reopened.finished.length > 0);
      assert.equal(reopened.finished[0].state, 'completed');
      assert.equal(reopened.finished[0].video?.url, `${server.origin}/media/${jobId}.mp4`);
      assert.equal(postRequests(server), 1);
    });
  });

  describe('resume', () => {
    it('picks up a job left running by a window that was closed', async () => {
      const record = await leaveRunningJob();
      const reopened = openWindow({ owner: 'reopened' });
      await reopened.manager.resume();
      assert.deepEqual(
        reopened.manager.running().map((job) => job.id),
        [record.id],
      );
      await runUntil('the job to finish', () => reopened.finished.length > 0);
      assert.equal(reopened.finished.length, 1);
      assert.equal(reopened.finished[0].state, 'completed');
      assert.equal(await stateOf(record.id), 'completed');
      assert.equal(statusRequests(server, record.id), 3);
      assert.equal(windows[0].finished.length, 0);
      assertIdle();
    });

    it('lets only one of two windows poll a job, and announce it', async () => {
      const record = await leaveRunningJob();
      const first = openWindow({ owner: 'first' });
      const second = openWindow({ owner: 'second' });
      await Promise.all([first.manager.resume(), second.manager.resume()]);
      await runUntil('the announcement, and both windows to stop following the job', () => first.finished.length + second.finished.length > 0 && loops() === 0);

      assert.equal(first.finished.length + second.finished.length, 1, 'announced once in all');
      assert.equal(await stateOf(record.id), 'completed');
      const polledBy = pollers(record.id);
      assert.equal(polledBy.length, 3, `polled by ${polledBy.join(', ')}`);
      assert.equal(new Set(polledBy).size, 1, `polled by ${polledBy.join(', ')}`);
      assertIdle();
    });

    it('stops a job that another window follows when the user stops waiting here', async () => {
      const record = await leaveRunningJob('An endless render #forever');
      const polling = openWindow({ owner: 'polling' });
      const other = openWindow({ owner: 'other' });
      await polling.manager.resume();
      await runUntil('the first poll', () => statusRequests(server, record.id) >= 1);
      await settle();
      await other.manager.cancel(record.id);
      assert.equal(await stateOf(record.id), 'cancelled');
      await runUntil('the polling window to let go', () => polling.manager.running().length === 0);
      assert.equal(statusRequests(server, record.id), 1, 'no poll after the cancel');
      assert.equal(await stateOf(record.id), 'cancelled', 'the cancel is not overwritten');
      assert.equal(polling.finished.length + other.finished.length, 0);
      assertIdle();
    });

    it('does not resume jobs that have ended', async () => {
      const window = openWindow();
      const record = await submit(window, 'A lighthouse that cannot be drawn #fail');
      await runUntil('the job to finish', () => window.finished.length > 0);
      const requests = statusRequests(server, record.id);
      const reopened = openWindow({ owner: 'reopened' });
      await reopened.manager.resume();
      assertIdle();
      assert.equal(statusRequests(server, record.id), requests);
      assert.equal(reopened.finished.length, 0);
    });

    it('stops with the reason when the key is rejected while polling', async () => {
      const record = await leaveRunningJob();
      const reopened = openWindow({ owner: 'reopened', client: makeClient(server.baseUrl, { apiKey: WRONG_KEY }) });
      await reopened.manager.resume();
      await runUntil('the job to stop', () => reopened.finished.length > 0);
      const stored = await store.get(record.id);
      assert.equal(stored?.state, 'stopped');
      assert.equal(stored?.error?.code, 'unauthorized');
      assert.deepEqual(reopened.finished, [stored]);
      assert.equal(statusRequests(server, record.id), 1, 'a rejected key is not retried');
      assert.equal(server.requests.at(-1)?.authorization, WRONG_KEY);

      // With a valid key again, the user can check it once more.
      const fixed = openWindow({ owner: 'fixed' });
      await fixed.manager.checkAgain(record.id);
      await runUntil('the job to finish', () => fixed.finished.length > 0);
      assert.equal(fixed.finished[0].state, 'completed');
    });

    it('gives a job resumed after its deadline one last look, and keeps its deadline', async () => {
      const past = clock.now() - 1;
      const unfinished = await storedJob({ submittedAt: past - TIMEOUT, deadline: past });
      const finished = await storedJob({ submittedAt: past - TIMEOUT, deadline: past }, 'A lighthouse finished while no one looked');
      await finishOnServer(finished.id);
      const reopened = openWindow();
      await reopened.manager.resume();
      await runUntil('both jobs to end', () => reopened.finished.length === 2);

      const byId = new Map(reopened.finished.map((record) => [record.id, record]));
      assert.equal(byId.get(finished.id)?.state, 'completed');
      assert.equal(byId.get(unfinished.id)?.state, 'timedOut');
      assert.equal(byId.get(unfinished.id)?.deadline, past, 'the deadline the job had');
      assert.equal(statusRequests(server, unfinished.id), 1);
      assertIdle();

      await reopened.manager.checkAgain(unfinished.id);
      assert.equal((await store.get(unfinished.id))?.deadline, clock.now() + TIMEOUT);
      await runUntil('the job to finish', () => reopened.finished.length === 3);
      assert.equal(reopened.finished[2].state, 'completed');
    });

    it('waits for the clock while another window holds the lease of a job past its deadline', async () => {
      const past = clock.now() - 1;
      const record = await storedJob({ submittedAt: past - TIMEOUT, deadline: past });
      assert.equal(await store.tryLease(record.id, 'other-window', 10 * INTERVAL, clock.now()), true);
      const window = openWindow();
      await window.manager.resume();
      await settle();
      assert.equal(statusRequests(server, record.id), 0);

      // The other window closes without having polled.
      await store.releaseLease(record.id, 'other-window');
      await runUntil('the job to end', () => window.finished.length > 0);
      assert.equal(window.finished[0].state, 'timedOut');
      assert.equal(statusRequests(server, record.id), 1, 'one last look');
    });

    it('reports damaged records and moves them aside', async () => {
      fs.mkdirSync(directory, { recursive: true });
      fs.writeFileSync(path.join(directory, 'job-x.json'), '');
      fs.writeFileSync(path.join(directory, 'job-x.pending'), '');
      const window = openWindow();
      const { damaged } = await window.manager.resume();
      assert.deepEqual(damaged, [path.join(directory, 'job-x.damaged')]);
      assert.ok(window.logs.some((line) => line.includes(path.join(directory, 'job-x.damaged'))));
      assert.equal(await store.hasPending(), false);
    });
  });

  describe('windows that close', () => {
    it('lets a window that stays open take over the jobs of a window that closes', async () => {
      const staying = openWindow({ owner: 'staying' });
      staying.manager.watchForJobs();
      const closing = openWindow({ owner: 'closing' });
      const record = await submit(closing);
      await waitFor('the staying window to follow the new job', () => staying.manager.running().some((job) => job.id === record.id));
      await runUntil('a first poll', () => statusRequests(server, record.id) >= 1);
      await settle();
      closing.manager.dispose();

      await runUntil('the job to finish', () => staying.finished.length > 0);
      assert.deepEqual(
        staying.finished.map((job) => [job.id, job.state]),
        [[record.id, 'completed']],
      );
      assert.equal(closing.finished.length, 0);
      assert.deepEqual(pollers(record.id), ['closing', 'staying', 'staying']);
      assertIdle();
    });

    it('lets a window that stays open take over looking for a job of a window that closes', async () => {
      const staying = openWindow({ owner: 'staying' });
      staying.manager.watchForJobs();
      const closing = openWindow({ owner: 'closing' });
      server.addFault({ method: 'POST', fault: { kind: 'createThenReset' } });
      const { record } = await submitUncertain(closing);
      await waitFor('the staying window to follow the job', () => staying.manager.running().some((job) => job.id === record.id));
      await runUntil('a first look', () => listRequests() >= 1);
      await settle();
      closing.manager.dispose();
      await finishOnServer([...server.jobs().keys()][0]);

      await runUntil('the video to be found', () => staying.finished.length > 0);
      assert.deepEqual(
        staying.finished.map((job) => [job.id, job.state]),
        [[record.id, 'completed']],
      );
      assert.equal(closing.finished.length, 0);
      assert.equal(listRequests(), 2);
      assertIdle();
    });

    it('hands a submission still being sent to a window that stays open, which finds it', async () => {
      const stayingStore = new WatchedStore(directory);
      const readByStaying: string[] = [];
      stayingStore.afterRead = (id) => readByStaying.push(id);
      const staying = openWindow({ owner: 'staying', store: stayingStore });
      staying.manager.watchForJobs();
      const closing = openWindow({ owner: 'closing' });
      server.addFault({ method: 'POST', fault: { kind: 'hang' } });
      const sending = submit(closing, undefined, makeClient(server.baseUrl, { requestTimeoutMs: 1500 })).then(
        () => undefined,
        (error: unknown) => error,
      );
      await waitFor('the POST to arrive', () => postRequests(server) === 1);
      const [placeholder] = await store.list();
      assert.equal(placeholder.state, 'submitting');
      // Seen, and left to its window: only a new write of its marker makes the staying window look again.
      await waitFor('the staying window to see the submission', () => readByStaying.includes(placeholder.id));
      assert.deepEqual(staying.manager.running(), []);

      closing.manager.dispose();
      assert.equal(await stateOf(placeholder.id), 'maybeCreated', 'recorded by dispose itself');
      await waitFor('the staying window to look for it', () => staying.manager.running().some((job) => job.id === placeholder.id && job.state === 'maybeCreated'));
      // Pictory took it, although its answer will never reach the closed window.
      const jobId = await makeClient(server.baseUrl).createVideo(videoRequest());
      await finishOnServer(jobId);
      await runUntil('the video to be found', () => staying.finished.length > 0);
      assert.deepEqual(
        staying.finished.map((job) => [job.id, job.state, job.video?.url]),
        [[placeholder.id, 'completed', videoUrl(jobId)]],
      );

      // The closed window's POST ends later; it writes nothing over what the staying window found.
      assert.ok((await sending) instanceof SubmissionUncertain);
      assert.equal(await stateOf(placeholder.id), 'completed');
      assert.deepEqual(statesOnDisk(), ['completed']);
      assert.deepEqual(leaseFiles(), []);
      assert.equal(closing.finished.length, 0);
      assert.equal(staying.finished.length, 1);
      assertIdle();
    });

    for (const moment of ['its lease is taken', 'its record is written'] as const) {
      it(`gives up the lease of a job accepted as its window closes, while ${moment}`, async () => {
        const watched = new WatchedStore(directory);
        const closing = openWindow({ owner: 'closing', store: watched });
        if (moment === 'its lease is taken') watched.beforeLease = () => closing.manager.dispose();
        else watched.beforeSave = (record) => record.state === 'running' && closing.manager.dispose();
        const record = await submit(closing);
        assert.deepEqual(leaseFiles(), []);
        assert.equal(await store.tryLease(record.id, 'other-window', INTERVAL, clock.now()), true, 'another window may poll it at once');
        // Closed before its record was begun, the job is looked for as its submission; after, it is polled by id.
        assert.deepEqual(statesOnDisk(), [moment === 'its lease is taken' ? 'maybeCreated' : 'running']);
        assert.equal(statusRequests(server, record.id), 0);
      });
    }

    it('gives up a lease renewed as its window closes before the window is gone', async () => {
      const watched = new WatchedStore(directory);
      const closing = openWindow({ owner: 'closing', store: watched });
      const record = await submit(closing);
      let closeCalled = false;
      let openGate = () => undefined as void;
      watched.leaseGate = new Promise((resolve) => (openGate = resolve));
      const lastMoments = new Promise<Promise<void>>((resolve) => {
        watched.beforeLease = () => {
          watched.beforeLease = undefined;
          // As VS Code closes a window while a poll renews the lease: `deactivate`, then the subscriptions.
          queueMicrotask(() => {
            resolve(closing.manager.closed());
            closing.manager.dispose();
            closeCalled = true;
            openGate();
          });
        };
      });
      const running = runUntil('the window to close as it renews the lease', () => closeCalled);
      // What VS Code waits for before the window's process ends.
      await (await lastMoments);
      const endedWhenGone = watched.leaseWritesEnded;
      assert.deepEqual(leaseFiles(), [], 'nothing of the window is left to wait for');
      await delay(50);
      assert.equal(watched.leaseWritesEnded, endedWhenGone, 'no lease write outlives the window');
      await running;
      assert.equal(await store.tryLease(record.id, 'other-window', INTERVAL, clock.now()), true);
    });

    it('leaves a result that comes in as its window closes to the window that takes the job up', async () => {
      const watched = new WatchedStore(directory);
      const closing = openWindow({ owner: 'closing', store: watched });
      const record = await submit(closing);
      // The window closes once the final answer is in, as the job's record is read before writing it.
      let closed = false;
      let readSinceClosing = false;
      watched.beforeRead = (id) => {
        if (closed || id !== record.id || (server.jobs().get(id)?.polls ?? 0) <= 2) return;
        closing.manager.dispose();
        closed = true;
      };
      watched.afterRead = () => (readSinceClosing ||= closed);
      await runUntil('the final answer, and the window to close', () => readSinceClosing);
      // Time for a write, were one to follow.
      await delay(50);
      assert.deepEqual(
        [...new Set(watched.saved.map((job) => job.state))],
        ['submitting', 'running'],
        'no result written',
      );
      assert.equal(await stateOf(record.id), 'running', 'unchanged');
      assert.equal(closing.finished.length, 0);
      assert.deepEqual(
        fs.readdirSync(directory).filter((name) => !name.endsWith('.json') && !name.endsWith('.pending')),
        [],
        'no lease, no announcement',
      );

      const next = openWindow({ owner: 'next' });
      await next.manager.resume();
      await runUntil('the job to be announced', () => next.finished.length > 0);
      assert.deepEqual(
        next.finished.map((job) => [job.id, job.state]),
        [[record.id, 'completed']],
      );
      assertIdle();
    });

    it('starts no more tries to write a result once its window has closed', async () => {
      const watched = new WatchedStore(directory);
      const closing = openWindow({ owner: 'closing', store: watched });
      watched.beforeSave = (record) => {
        if (record.state !== 'completed') return;
        closing.manager.dispose();
        throw new Error('ENOSPC: no space left on device');
      };
      const record = await submit(closing);
      await runUntil('the result', () => closing.logs.includes(`Job ${record.id}: completed`));
      assert.equal(clock.sleeping, 0, 'nothing waits to write it again');
      assert.equal(closing.finished.length, 0, 'announced by the window that takes the job up');
      assert.equal(await stateOf(record.id), 'running');

      const next = openWindow({ owner: 'next' });
      await next.manager.resume();
      await runUntil('the job to be announced', () => next.finished.length > 0);
      assert.equal(next.finished[0].state, 'completed');
    });
  });

  describe('a window that cannot poll', () => {
    const cases = [
      ['has no key', 'No API key is set.'],
      ['cannot read its key', new Error('The keychain is locked')],
    ] as const;
    for (const [what, client] of cases) {
      it(`leaves a job that another window polls to that window when it ${what}`, async () => {
        const polling = openWindow({ owner: 'polling' });
        const keylessStore = new WatchedStore(directory);
        const keyless = openWindow({ owner: 'keyless', client, store: keylessStore });
        keyless.manager.watchForJobs();
        const record = await submit(polling);
        await waitFor('the keyless window to follow the job', () => keyless.manager.running().some((job) => job.id === record.id));

        await runUntil('the job to finish, and both windows to let go of it', () => polling.finished.length > 0 && loops() === 0);
        assert.deepEqual(
          polling.finished.map((job) => [job.id, job.state]),
          [[record.id, 'completed']],
        );
        assert.equal(keyless.finished.length, 0);
        assert.deepEqual(keylessStore.saved, [], 'the keyless window wrote no record');
        assert.deepEqual(pollers(record.id), ['polling', 'polling', 'polling']);
        assertIdle();
      });
    }

    it('takes a job over when the window polling it closes, and only then stops it, saying why', async () => {
      const polling = openWindow({ owner: 'polling' });
      const keyless = openWindow({ owner: 'keyless', client: 'No API key is set.' });
      keyless.manager.watchForJobs();
      const record = await submit(polling, 'An endless render #forever');
      await waitFor('the keyless window to follow the job', () => keyless.manager.running().some((job) => job.id === record.id));
      await runUntil('a first poll', () => statusRequests(server, record.id) >= 1);
      await settle();
      assert.equal(await stateOf(record.id), 'running');

      polling.manager.dispose();
      await runUntil('the job to stop', () => keyless.finished.length > 0);
      const stored = await store.get(record.id);
      assert.equal(stored?.state, 'stopped');
      assert.deepEqual(stored?.error, { code: 'NO_CLIENT', message: 'No API key is set.' });
      assert.deepEqual(keyless.finished, [stored]);
      assert.equal(statusRequests(server, record.id), 1);
      assertIdle();
    });
  });

  describe('a record that cannot be written', () => {
    const away = () => `${directory}.away`;

    /** The disk stops taking writes: the folder becomes a file, which even root cannot write into. */
    function breakFolder(): void {
      fs.renameSync(directory, away());
      fs.writeFileSync(directory, 'not a folder');
    }

    function repairFolder(): void {
      fs.rmSync(directory);
      fs.renameSync(away(), directory);
    }

    /** A client whose POST leaves once the `submitting` record is written, and breaks the folder. */
    function clientBreakingFolder(): PictoryClient {
      return makeClient(server.baseUrl, { loadFetch: recordingFetch([], (_url, init) => init.method === 'POST' && breakFolder()) });
    }

    /** A client after whose POST the new job's record alone cannot be written (its marker's name is taken by a folder). */
    function clientBlockingNewRecord(): PictoryClient {
      return makeClient(server.baseUrl, {
        loadFetch: async () => {
          const fetch = await loadFetch();
          return async (url, init) => {
            const response = await fetch(url, init);
            const created = [...server.jobs().keys()].at(-1);
            if (init.method === 'POST' && created) fs.mkdirSync(path.join(directory, `${created}.pending`));
            return response;
          };
        },
      });
    }

    it('keeps following a job whose record alone cannot be written, while the folder can be read', async () => {
      const window = openWindow();
      const record = await submit(window, undefined, clientBlockingNewRecord());
      assert.deepEqual(
        window.unrecorded.map(({ record: job }) => job.id),
        [record.id],
      );
      assert.match(window.unrecorded[0].reason, /EISDIR/);
      await runUntil('a first poll', () => statusRequests(server, record.id) >= 1);
      await settle();
      assert.deepEqual(statesOnDisk(), ['submitting']);
      assert.deepEqual(
        window.manager.running().map((job) => job.id),
        [record.id],
        'still followed',
      );

      fs.rmdirSync(path.join(directory, `${record.id}.pending`));
      await runUntil('the job to finish', () => window.finished.length > 0);
      assert.deepEqual(
        window.finished.map((job) => [job.id, job.state]),
        [[record.id, 'completed']],
      );
      assert.deepEqual(statesOnDisk(), ['completed']);
      assert.equal(window.unrecorded.length, 1);
      assertIdle();
    });

    it('follows the job from memory, says so once, and records it when the disk is back', async () => {
      const window = openWindow();
      const record = await submit(window, undefined, clientBreakingFolder());
      assert.equal(record.state, 'running');
      assert.deepEqual(
        window.unrecorded.map(({ record: job }) => [job.id, job.state]),
        [[record.id, 'running']],
      );
      assert.match(window.unrecorded[0].reason, /EEXIST/);

      await runUntil('a first poll', () => statusRequests(server, record.id) >= 1);
      await settle();
      assert.ok(fs.statSync(directory).isFile(), 'still unwritable');
      assert.equal(window.unrecorded.length, 1, 'told once');

      repairFolder();
      assert.deepEqual(statesOnDisk(), ['submitting'], 'only the record written before sending');
      await runUntil('a second poll', () => statusRequests(server, record.id) >= 2);
      await settle();
      assert.equal(await stateOf(record.id), 'running');
      assert.deepEqual(statesOnDisk(), ['running'], 'the submitting record is replaced');

      await runUntil('the job to finish', () => window.finished.length > 0);
      assert.deepEqual(
        window.finished.map((job) => [job.id, job.state]),
        [[record.id, 'completed']],
      );
      assert.equal(await stateOf(record.id), 'completed');
      assert.ok(fs.existsSync(path.join(directory, `${record.id}.announced`)));
      assert.equal(window.unrecorded.length, 1);
      assertIdle();
    });

    it('announces the result even when nothing can be written, and records it once the disk is back', async () => {
      const window = openWindow();
      const record = await submit(window, undefined, clientBreakingFolder());
      await runUntil('the job to finish', () => window.finished.length > 0);
      assert.deepEqual(
        window.finished.map((job) => [job.id, job.state, job.video?.url]),
        [[record.id, 'completed', `${server.origin}/media/${record.id}.mp4`]],
      );
      assert.equal(window.unrecorded.length, 1);
      assert.ok(fs.statSync(directory).isFile());

      repairFolder();
      await waitFor('another try to write the result', () => clock.sleeping === 1);
      clock.advanceToNextWake();
      await waitFor('the result to be recorded, in place of the submitting record', () => statesOnDisk().join() === 'completed');
      assert.equal(await stateOf(record.id), 'completed');
      assert.equal(await store.hasPending(), false);
      assert.equal(window.finished.length, 1);
      await waitFor('nothing left to write', () => clock.sleeping === 0);
    });
  });

  describe('ending a job', () => {
    it('stops polling on cancel, and checks again on request', async () => {
      const window = openWindow();
      const record = await submit(window);
      await runUntil('a first poll', () => statusRequests(server, record.id) >= 1);
      await settle();
      await window.manager.cancel(record.id);
      assert.equal(await stateOf(record.id), 'cancelled');
      assertIdle();
      assert.equal(statusRequests(server, record.id), 1);
      assert.equal(window.finished.length, 0, 'cancelling is not announced');

      await window.manager.checkAgain(record.id);
      assert.deepEqual(
        window.manager.running().map((job) => job.id),
        [record.id],
      );
      await runUntil('the job to finish', () => window.finished.length > 0);
      assert.equal(window.finished.length, 1);
      assert.equal(window.finished[0].state, 'completed');
      assert.equal(await stateOf(record.id), 'completed');
    });

    it('gives up after a last look at the deadline, keeps the job and announces it', async () => {
      const window = openWindow({ timeoutMs: 6 * INTERVAL });
      const record = await submit(window, 'A lighthouse that takes forever #forever');
      await runUntil('the deadline', () => window.finished.length > 0);
      assert.equal(window.finished[0].state, 'timedOut');
      assert.equal(window.finished[0].deadline, record.deadline);
      assert.equal(await stateOf(record.id), 'timedOut');
      assert.equal(statusRequests(server, record.id), 6, 'one poll per interval, the last at the deadline');
      assert.equal(window.finished.length, 1);
      assertIdle();
    });

    it('ends a job that Pictory no longer knows as not found', async () => {
      const window = openWindow();
      const record = await submit(window, 'A lighthouse that takes forever #forever');
      await runUntil('a first poll', () => statusRequests(server, record.id) >= 1);
      server.forgetJob(record.id);
      await runUntil('the job to end', () => window.finished.length > 0);
      assert.equal(window.finished[0].state, 'notFound');
      assert.equal(await stateOf(record.id), 'notFound');
    });

    it('stops a job it cannot poll for want of a client, saying why', async () => {
      const window = openWindow({ client: 'Set an API key with "Pictory: Set API Key".' });
      const record = await submit(window);
      await runUntil('the job to stop', () => window.finished.length > 0);
      const stored = await store.get(record.id);
      assert.equal(stored?.state, 'stopped');
      assert.deepEqual(stored?.error, { code: 'NO_CLIENT', message: 'Set an API key with "Pictory: Set API Key".' });
      assert.deepEqual(window.finished, [stored]);
      assert.equal(statusRequests(server, record.id), 0);
    });
  });
});
