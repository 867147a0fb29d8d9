import assert from 'node:assert/strict';
import * as path from 'node:path';
import { PictoryClient } from '../../src/pictory/client';
import { PictoryApiError } from '../../src/pictory/errors';
import { lazyFetch } from '../../src/pictory/http';
import { backoffDelay, pollJob, PollOptions } from '../../src/pictory/poller';
import { JobStatus } from '../../src/pictory/responses';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';

const loadFetch = lazyFetch(path.resolve(__dirname, '../../../dist/fetch.js'));
const INTERVAL = 40;
const START = 1_000_000;

/**
 * Time that passes only when the poller waits: each wait is noted and moves the clock on at
 * once, by `oversleep(ms)` (by default the time asked for), so no test depends on real timers.
 */
class FakeClock {
  time = START;
  readonly waits: number[] = [];
  /** Runs before a wait; may abort the poll, as a user pressing Cancel would. */
  beforeWait?: (waitNumber: number) => void;
  oversleep: (ms: number) => number = (ms) => ms;

  readonly now = (): number => this.time;

  readonly sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    this.beforeWait?.(this.waits.length + 1);
    if (signal?.aborted) throw new PictoryApiError('cancelled');
    this.waits.push(ms);
    this.time += this.oversleep(ms);
  };
}

const RUNNING: JobStatus = { state: 'running', apiStatus: 'in-progress' };
const COMPLETED: JobStatus = { state: 'completed', video: { url: 'https://cdn.example/v.mp4' } };

describe('pollJob over HTTP, on a fake clock', () => {
  let server: PictoryServer;
  let client: PictoryClient;
  let clock: FakeClock;
  const gets = () => server.requests.filter((r) => r.method === 'GET');

  async function submit(prompt: string): Promise<string> {
    return client.createVideo({ prompt, model: 'veo3.1_fast', aspectRatio: '16:9', duration: '4s' });
  }

  function poll(jobId: string, options: Partial<PollOptions> = {}) {
    return pollJob((signal) => client.getJob(jobId, signal), {
      intervalMs: INTERVAL,
      deadline: START + 5000,
      maxBackoffMs: 200,
      now: clock.now,
      sleep: clock.sleep,
      ...options,
    });
  }

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 3 });
    client = new PictoryClient({
      baseUrl: server.baseUrl,
      apiKey: 'pictai_poller',
      userAgent: 'test',
      loadFetch,
      requestTimeoutMs: 1000,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    clock = new FakeClock();
  });

  it('polls until the job completes, once per interval', async () => {
    const jobId = await submit('A lighthouse in a storm at night');
    const outcome = await poll(jobId);
    assert.equal(outcome.kind, 'completed');
    assert.equal(gets().length, 4);
    assert.deepEqual(clock.waits, [INTERVAL, INTERVAL, INTERVAL, INTERVAL]);
  });

  it('ends on failed, cleaned and a job that no longer exists', async () => {
    assert.equal((await poll(await submit('It will #fail, sadly'))).kind, 'failed');
    assert.equal((await poll(await submit('Old and #cleaned up'))).kind, 'cleaned');
    const gone = await submit('Soon forgotten by the server');
    server.forgetJob(gone);
    assert.equal((await poll(gone)).kind, 'notFound');
  });

  it('keeps waiting through an unknown status', async () => {
    const outcome = await poll(await submit('Standing in line #queued'));
    assert.equal(outcome.kind, 'completed');
  });

  it('times out without failing, one request per interval up to the deadline', async () => {
    const jobId = await submit('This takes #forever to render');
    const outcome = await poll(jobId, { deadline: START + 400 });
    assert.equal(outcome.kind, 'timedOut');
    assert.equal(gets().length, 400 / INTERVAL);
    assert.equal(clock.time, START + 400);
  });

  it('asks once when resuming a job whose deadline passed while no one looked', async () => {
    const jobId = await submit('Finished while the editor was closed');
    for (let i = 0; i < 3; i++) await client.getJob(jobId);
    const outcome = await poll(jobId, { deadline: START - 1000, initialDelayMs: 0 });
    assert.equal(outcome.kind, 'completed');
    const late = await submit('Still rendering after the deadline #forever');
    const before = gets().length;
    assert.equal((await poll(late, { deadline: START - 1000, initialDelayMs: 0 })).kind, 'timedOut');
    assert.equal(gets().length - before, 1);
    assert.deepEqual(clock.waits, []);
  });

  it('backs off exponentially on errors, then returns to the interval', async () => {
    const jobId = await submit('A slow server under load');
    server.addFault({ method: 'GET', times: 3, fault: { kind: 'status', status: 503 } });
    const retries: number[] = [];
    const outcome = await poll(jobId, { onError: (_error, delay) => retries.push(delay), random: () => 0 });
    assert.equal(outcome.kind, 'completed');
    assert.deepEqual(retries, [80, 160, 200]);
    assert.deepEqual(clock.waits, [INTERVAL, 80, 160, 200, INTERVAL, INTERVAL, INTERVAL]);
  });

  it('stops (without failing the job) when the key is rejected', async () => {
    const jobId = await submit('A key that is later revoked');
    const rejected = new PictoryClient({ baseUrl: server.baseUrl, apiKey: 'pictai_wrong', userAgent: 't', loadFetch });
    const outcome = await pollJob((signal) => rejected.getJob(jobId, signal), {
      intervalMs: INTERVAL,
      deadline: START + 5000,
      now: clock.now,
      sleep: clock.sleep,
    });
    assert.equal(outcome.kind, 'stopped');
    assert.equal(gets().length, 1);
  });

  it('stops at once when cancelled during a wait', async () => {
    const jobId = await submit('Cancel me during the wait #forever');
    const controller = new AbortController();
    clock.beforeWait = (waitNumber) => {
      if (waitNumber === 3) controller.abort();
    };
    const outcome = await poll(jobId, { signal: controller.signal });
    assert.equal(outcome.kind, 'cancelled');
    assert.equal(gets().length, 2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(gets().length, 2);
  });
});

describe('pollJob at the deadline', () => {
  let clock: FakeClock;
  let asked: number[];

  /** A job that is running until `completesAt` on the fake clock (never, by default). */
  function poll(options: Partial<PollOptions> & { completesAt?: number } = {}) {
    const { completesAt = Infinity, ...rest } = options;
    return pollJob(
      async () => {
        asked.push(clock.time);
        return clock.time >= completesAt ? COMPLETED : RUNNING;
      },
      { intervalMs: 1000, deadline: START + 2500, now: clock.now, sleep: clock.sleep, ...rest },
    );
  }

  beforeEach(() => {
    clock = new FakeClock();
    asked = [];
  });

  it('looks once more when the deadline passes during a wait, and reports a finished job', async () => {
    // The computer sleeps for an hour during the second wait; the video finished meanwhile.
    clock.oversleep = (ms) => (clock.waits.length === 2 ? 3_600_000 : ms);
    const outcome = await poll({ completesAt: START + 10_000 });
    assert.equal(outcome.kind, 'completed');
    assert.deepEqual(asked, [START + 1000, START + 3_601_000]);
  });

  it('times out after exactly one request at the deadline for a job still running', async () => {
    const outcome = await poll();
    assert.equal(outcome.kind, 'timedOut');
    assert.deepEqual(asked, [START + 1000, START + 2000, START + 2500]);
    assert.deepEqual(clock.waits, [1000, 1000, 500]);
  });

  it('looks again when a look that began before the deadline ended after it', async () => {
    const outcome = await pollJob(
      async () => {
        asked.push(clock.time);
        clock.time += 2000; // a slow answer
        return RUNNING;
      },
      { intervalMs: 1000, deadline: START + 2500, now: clock.now, sleep: clock.sleep },
    );
    assert.equal(outcome.kind, 'timedOut');
    assert.deepEqual(asked, [START + 1000, START + 3000]);
  });

  it('times out rather than retry when the final look fails', async () => {
    let calls = 0;
    const outcome = await pollJob(
      async () => {
        calls++;
        asked.push(clock.time);
        if (clock.time >= START + 2500) throw new PictoryApiError('network', { cause: 'connection reset' });
        return RUNNING;
      },
      { intervalMs: 1000, deadline: START + 2500, now: clock.now, sleep: clock.sleep },
    );
    assert.equal(outcome.kind, 'timedOut');
    assert.equal(calls, 3);
  });
});

describe('backoffDelay', () => {
  it('doubles, caps, adds at most 20% jitter and never goes below the interval', () => {
    assert.equal(backoffDelay(1000, 1, 60_000, () => 0), 2000);
    assert.equal(backoffDelay(1000, 3, 60_000, () => 0), 8000);
    assert.equal(backoffDelay(1000, 10, 60_000, () => 0), 60_000);
    assert.equal(backoffDelay(1000, 1, 60_000, () => 1), 2400);
    assert.equal(backoffDelay(1000, 0, 60_000, () => 0), 1000);
    assert.equal(backoffDelay(1000, 1, 60_000, () => 0, 30_000), 30_000);
  });
});
