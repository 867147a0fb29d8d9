import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JobManager, SubmissionUncertain } from '../../src/jobs/jobManager';
import { JobRecord } from '../../src/jobs/jobRecord';
import { JobStore } from '../../src/jobs/jobStore';
import { PictoryClient } from '../../src/pictory/client';
import { PictoryApiError } from '../../src/pictory/errors';
import { startPictoryServer, type PictoryServer } from '../server/pictoryServer';
import { delay, makeClient, makeTempDir, postRequests, recordingFetch, removeDir, statusRequests, videoRequest, waitFor, WRONG_KEY } from './support';

interface Window {
  readonly manager: JobManager;
  /** What `onDidFinish` reported, in order. */
  readonly finished: JobRecord[];
  readonly logs: string[];
}

interface WindowOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly owner?: string;
  /** What `clientFor` answers; by default a client with a valid key. */
  readonly client?: PictoryClient | string;
}

const INTERVAL = 25;

describe('JobManager', function () {
  this.timeout(5000);

  let server: PictoryServer;
  let directory: string;
  let store: JobStore;
  let windows: Window[];

  before(async () => {
    // A job answers "in progress" twice, then its outcome on the third poll.
    server = await startPictoryServer({ pollsUntilDone: 2 });
  });

  after(() => server.close());

  beforeEach(() => {
    directory = makeTempDir('job-manager');
    store = new JobStore(directory);
    windows = [];
  });

  afterEach(async () => {
    for (const window of windows) window.manager.dispose();
    await delay(10);
    server.reset();
    removeDir(directory);
  });

  /** A JobManager as one VS Code window would have it, sharing the folder of this test. */
  function openWindow(options: WindowOptions = {}): Window {
    const finished: JobRecord[] = [];
    const logs: string[] = [];
    // Each window's requests carry its owner, to tell on the server which window polled.
    const client = options.client ?? makeClient(server.baseUrl, { userAgent: `pictory-vscode/0.0.0 unit-tests ${options.owner ?? 'window'}` });
    const manager = new JobManager({
      store,
      clientFor: async () => client,
      timing: () => ({ intervalMs: options.intervalMs ?? INTERVAL, timeoutMs: options.timeoutMs ?? 60_000 }),
      log: (message) => logs.push(message),
      owner: options.owner,
    });
    manager.onDidFinish((record) => finished.push(record));
    const window = { manager, finished, logs };
    windows.push(window);
    return window;
  }

  function submit(window: Window, prompt?: string, client: PictoryClient = makeClient(server.baseUrl)): Promise<JobRecord> {
    return window.manager.submit(client, server.baseUrl, videoRequest(prompt));
  }

  async function stateOf(id: string): Promise<string | undefined> {
    return (await store.get(id))?.state;
  }

  /** The states of the records on disk at this instant, read directly from the folder. */
  function statesOnDisk(): string[] {
    if (!fs.existsSync(directory)) return [];
    return fs
      .readdirSync(directory)
      .filter((name) => name.endsWith('.json'))
      .map((name) => (JSON.parse(fs.readFileSync(path.join(directory, name), 'utf8')) as JobRecord).state);
  }

  /** Submits a job from a window that is then closed before its first poll, as on a reload. */
  async function leaveRunningJob(prompt?: string): Promise<JobRecord> {
    const closing = openWindow({ intervalMs: 60_000, owner: 'closed-window' });
    const record = await submit(closing, prompt);
    closing.manager.dispose();
    await delay(10);
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
      const window = openWindow({ intervalMs: 100, client });
      const record = await submit(window, undefined, client);
      const onDisk = await store.list();
      assert.equal(statusRequests(server, record.id), 0, 'no poll before submit resolves');
      assert.deepEqual(
        onDisk.map((job) => [job.id, job.state]),
        [[record.id, 'running']],
      );
      assert.equal(record.state, 'running');
      assert.deepEqual(seen[0], { method: 'POST', states: ['submitting'] });

      await waitFor('the job to finish', () => window.finished.length > 0);
      const firstPoll = seen.find((request) => request.method === 'GET');
      assert.deepEqual(firstPoll?.states, ['running'], 'the record was running on disk when first polled');
    });

    it('follows an accepted job to its video and announces it once', async () => {
      const window = openWindow();
      const changes: string[] = [];
      window.manager.onDidChange((record) => changes.push(record.state));
      const record = await submit(window);
      assert.deepEqual(
        window.manager.running().map((job) => job.id),
        [record.id],
      );
      await waitFor('the job to finish', () => window.finished.length > 0);
      await delay(INTERVAL * 4);

      assert.equal(window.finished.length, 1);
      const [finished] = window.finished;
      assert.equal(finished.id, record.id);
      assert.equal(finished.state, 'completed');
      assert.equal(finished.video?.url, `${server.origin}/media/${record.id}.mp4`);
      assert.deepEqual(await store.get(record.id), finished);
      assert.equal(statusRequests(server, record.id), 3, 'two "in progress" answers, then the result, then nothing');
      assert.deepEqual(window.manager.running(), []);
      assert.equal(changes.at(-1), 'completed');
      assert.deepEqual(fs.readdirSync(directory).sort(), [`${record.id}.announced`, `${record.id}.json`], 'the lease is released');
    });

    it('records a failed job with the reason Pictory gave', async () => {
      const window = openWindow();
      const record = await submit(window, 'A lighthouse that cannot be drawn #fail');
      await waitFor('the job to finish', () => window.finished.length > 0);
      const stored = await store.get(record.id);
      assert.equal(stored?.state, 'failed');
      assert.deepEqual(stored?.error, { code: 'TEXT_TO_VIDEO_FAILED', message: 'The video could not be generated from this prompt.' });
      assert.equal(stored?.video, undefined);
      assert.deepEqual(window.finished, [stored]);
    });

    it('keeps a job whose POST got no answer as maybe created, and never sends it twice', async () => {
      server.addFault({ method: 'POST', fault: { kind: 'hang' } });
      const window = openWindow();
      const client = makeClient(server.baseUrl, { requestTimeoutMs: 150 });
      let thrown: unknown;
      await submit(window, undefined, client).catch((error: unknown) => (thrown = error));
      assert.ok(thrown instanceof SubmissionUncertain, `threw ${String(thrown)}`);
      assert.equal(thrown.cause.kind, 'timeout');
      assert.equal(thrown.cause.details.maybeCreated, true);

      const records = await store.list();
      assert.equal(records.length, 1);
      assert.equal(records[0].state, 'maybeCreated');
      assert.equal(records[0].error?.code, 'timeout');
      assert.deepEqual(records[0].request, videoRequest());
      assert.deepEqual(thrown.record, records[0]);

      await delay(100);
      assert.equal(postRequests(server), 1);
      assert.equal(server.requests.length, 1, 'nothing is polled without a job id');
      assert.deepEqual(window.manager.running(), []);
    });

    it('leaves nothing behind when Pictory refuses the request', async () => {
      const window = openWindow();
      const invalid = { ...videoRequest(), duration: '7s' };
      await assert.rejects(window.manager.submit(makeClient(server.baseUrl), server.baseUrl, invalid), (error: unknown) => {
        assert.ok(error instanceof PictoryApiError);
        assert.equal(error.kind, 'invalidRequest');
        assert.equal(error.status, 400);
        return true;
      });
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(statesOnDisk(), []);
      assert.equal(postRequests(server), 1);
      assert.deepEqual(window.manager.running(), []);
    });

    it('follows several jobs at once, each on its own schedule', async () => {
      const window = openWindow();
      const slow = await submit(window, 'A lighthouse behind a flaky proxy');
      // Six 500s: three failed polls (each retried once), so three growing back-offs.
      server.addFault({ method: 'GET', path: new RegExp(slow.id), times: 6, fault: { kind: 'status', status: 500 } });
      const quick = [await submit(window, 'A lighthouse at noon'), await submit(window, 'A lighthouse at night')];

      await waitFor('the two healthy jobs to finish', () => window.finished.length >= 2);
      assert.deepEqual(
        window.finished.map((job) => job.id).sort(),
        quick.map((job) => job.id).sort(),
      );
      assert.ok(window.finished.every((job) => job.state === 'completed'));
      assert.equal(await stateOf(slow.id), 'running', 'the job behind errors is still being waited for');

      await waitFor('the slow job to finish', () => window.finished.length >= 3);
      assert.equal(window.finished[2].id, slow.id);
      assert.equal(window.finished[2].state, 'completed');
      assert.equal(statusRequests(server, slow.id), 6 + 3);
      await delay(INTERVAL * 3);
      assert.equal(window.finished.length, 3);
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
      await waitFor('the job to finish', () => reopened.finished.length > 0);
      await delay(INTERVAL * 3);
      assert.equal(reopened.finished.length, 1);
      assert.equal(reopened.finished[0].state, 'completed');
      assert.equal(await stateOf(record.id), 'completed');
      assert.equal(statusRequests(server, record.id), 3);
      assert.equal(windows[0].finished.length, 0);
    });

    it('lets only one of two windows poll a job, and announce it', async () => {
      const record = await leaveRunningJob();
      const first = openWindow({ owner: 'first' });
      const second = openWindow({ owner: 'second' });
      await Promise.all([first.manager.resume(), second.manager.resume()]);
      await waitFor('the job to end on disk', async () => (await stateOf(record.id)) === 'completed');
      await waitFor('both windows to stop following it', () => first.manager.running().length + second.manager.running().length === 0);
      await delay(INTERVAL * 4);

      assert.equal(first.finished.length + second.finished.length, 1, 'announced once in all');
      assert.equal(await stateOf(record.id), 'completed');
      // The job ends on its third poll: the window holding the lease made all three.
      const pollers = server.requests
        .filter((request) => request.method === 'GET' && request.path.endsWith(record.id))
        .map((request) => request.userAgent?.split(' ').at(-1));
      assert.ok(pollers.length >= 3 && pollers.length <= 4, `polled by ${pollers.join(', ')}`);
      assert.equal(new Set(pollers.slice(0, 3)).size, 1, `polled by ${pollers.join(', ')}`);
    });

    it('stops a job that another window follows when the user stops waiting here', async () => {
      const record = await leaveRunningJob('An endless render #forever');
      const polling = openWindow({ owner: 'polling' });
      const other = openWindow({ owner: 'other' });
      await polling.manager.resume();
      await waitFor('the first poll', () => statusRequests(server, record.id) >= 1);
      await other.manager.cancel(record.id);
      assert.equal(await stateOf(record.id), 'cancelled');
      await waitFor('the polling window to let go', () => polling.manager.running().length === 0);
      const polls = statusRequests(server, record.id);
      await delay(INTERVAL * 4);
      assert.ok(statusRequests(server, record.id) <= polls + 1, 'polling stopped');
      assert.equal(await stateOf(record.id), 'cancelled', 'the cancel is not overwritten');
      assert.equal(polling.finished.length + other.finished.length, 0);
    });

    it('does not resume jobs that have ended', async () => {
      const window = openWindow();
      const record = await submit(window, 'A lighthouse that cannot be drawn #fail');
      await waitFor('the job to finish', () => window.finished.length > 0);
      const requests = statusRequests(server, record.id);
      const reopened = openWindow({ owner: 'reopened' });
      await reopened.manager.resume();
      await delay(INTERVAL * 3);
      assert.deepEqual(reopened.manager.running(), []);
      assert.equal(statusRequests(server, record.id), requests);
      assert.equal(reopened.finished.length, 0);
    });

    it('stops with the reason when the key is rejected while polling', async () => {
      const record = await leaveRunningJob();
      const reopened = openWindow({ owner: 'reopened', client: makeClient(server.baseUrl, { apiKey: WRONG_KEY }) });
      await reopened.manager.resume();
      await waitFor('the job to stop', () => reopened.finished.length > 0);
      const stored = await store.get(record.id);
      assert.equal(stored?.state, 'stopped');
      assert.equal(stored?.error?.code, 'unauthorized');
      assert.deepEqual(reopened.finished, [stored]);
      assert.equal(statusRequests(server, record.id), 1, 'a rejected key is not retried');
      assert.equal(server.requests.at(-1)?.authorization, WRONG_KEY);

      // With a valid key again, the user can check it once more.
      const fixed = openWindow({ owner: 'fixed' });
      await fixed.manager.checkAgain(record.id);
      await waitFor('the job to finish', () => fixed.finished.length > 0);
      assert.equal(fixed.finished[0].state, 'completed');
    });
  });

  describe('ending a job', () => {
    it('stops polling on cancel, and checks again on request', async () => {
      const window = openWindow();
      const record = await submit(window);
      await waitFor('a first poll', () => statusRequests(server, record.id) >= 1);
      await window.manager.cancel(record.id);
      assert.equal(await stateOf(record.id), 'cancelled');
      assert.deepEqual(window.manager.running(), []);
      await delay(10);
      const polled = statusRequests(server, record.id);
      assert.ok(polled < 3, 'cancelled before the job finished');
      await delay(INTERVAL * 6);
      assert.equal(statusRequests(server, record.id), polled, 'no poll after cancelling');
      assert.equal(window.finished.length, 0, 'cancelling is not announced');

      await window.manager.checkAgain(record.id);
      assert.deepEqual(
        window.manager.running().map((job) => job.id),
        [record.id],
      );
      await waitFor('the job to finish', () => window.finished.length > 0);
      assert.equal(window.finished.length, 1);
      assert.equal(window.finished[0].state, 'completed');
      assert.equal(await stateOf(record.id), 'completed');
    });

    it('gives up at the deadline, keeps the job and announces it', async () => {
      const window = openWindow({ timeoutMs: 150 });
      const record = await submit(window, 'A lighthouse that takes forever #forever');
      await waitFor('the deadline', () => window.finished.length > 0);
      assert.equal(window.finished[0].state, 'timedOut');
      assert.equal(await stateOf(record.id), 'timedOut');
      const polled = statusRequests(server, record.id);
      assert.ok(polled >= 1 && polled <= 150 / INTERVAL, `${polled} polls`);
      await delay(INTERVAL * 4);
      assert.equal(statusRequests(server, record.id), polled);
      assert.equal(window.finished.length, 1);
    });

    it('ends a job that Pictory no longer knows as not found', async () => {
      const window = openWindow();
      const record = await submit(window, 'A lighthouse that takes forever #forever');
      await waitFor('a first poll', () => statusRequests(server, record.id) >= 1);
      server.forgetJob(record.id);
      await waitFor('the job to end', () => window.finished.length > 0);
      assert.equal(window.finished[0].state, 'notFound');
      assert.equal(await stateOf(record.id), 'notFound');
    });

    it('stops a job it cannot poll for want of a client, saying why', async () => {
      const window = openWindow({ client: 'Set an API key with "Pictory: Set API Key".' });
      const record = await submit(window);
      await waitFor('the job to stop', () => window.finished.length > 0);
      const stored = await store.get(record.id);
      assert.equal(stored?.state, 'stopped');
      assert.deepEqual(stored?.error, { code: 'NO_CLIENT', message: 'Set an API key with "Pictory: Set API Key".' });
      assert.deepEqual(window.finished, [stored]);
      assert.equal(statusRequests(server, record.id), 0);
    });
  });
});
