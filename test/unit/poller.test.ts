import assert from 'node:assert/strict';
import * as path from 'node:path';
import { PictoryClient } from '../../src/pictory/client';
import { lazyFetch } from '../../src/pictory/http';
import { backoffDelay, pollJob, PollOptions } from '../../src/pictory/poller';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';

const loadFetch = lazyFetch(path.resolve(__dirname, '../../../dist/fetch.js'));
const INTERVAL = 40;

describe('pollJob over HTTP', () => {
  let server: PictoryServer;
  let client: PictoryClient;
  const gets = () => server.requests.filter((r) => r.method === 'GET');

  async function submit(prompt: string): Promise<string> {
    return client.createVideo({ prompt, model: 'veo3.1_fast', aspectRatio: '16:9', duration: '4s' });
  }

  function poll(jobId: string, options: Partial<PollOptions> = {}) {
    return pollJob((signal) => client.getJob(jobId, signal), {
      intervalMs: INTERVAL,
      deadline: Date.now() + 5000,
      maxBackoffMs: 200,
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
  beforeEach(() => server.reset());

  it('polls until the job completes, once per interval', async () => {
    const jobId = await submit('A lighthouse in a storm at night');
    const outcome = await poll(jobId);
    assert.equal(outcome.kind, 'completed');
    const times = gets().map((r) => r.at);
    assert.equal(times.length, 4);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= INTERVAL - 5, `polled after ${times[i] - times[i - 1]} ms`);
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

  it('times out without failing, with requests bounded by duration / interval', async () => {
    const jobId = await submit('This takes #forever to render');
    const outcome = await poll(jobId, { deadline: Date.now() + 400 });
    assert.equal(outcome.kind, 'timedOut');
    assert.ok(gets().length <= 400 / INTERVAL + 1, `${gets().length} requests in 400 ms`);
    assert.ok(gets().length >= 2, "it did poll meanwhile");
  });

  it('asks once when resuming a job whose deadline passed while no one looked', async () => {
    const jobId = await submit('Finished while the editor was closed');
    for (let i = 0; i < 3; i++) await client.getJob(jobId);
    const outcome = await poll(jobId, { deadline: Date.now() - 1000, initialDelayMs: 0 });
    assert.equal(outcome.kind, 'completed');
    const late = await submit('Still rendering after the deadline #forever');
    assert.equal((await poll(late, { deadline: Date.now() - 1000, initialDelayMs: 0 })).kind, 'timedOut');
  });

  it('backs off exponentially on errors, then returns to the interval', async () => {
    const jobId = await submit('A slow server under load');
    server.addFault({ method: 'GET', times: 3, fault: { kind: 'status', status: 503 } });
    const retries: number[] = [];
    const outcome = await poll(jobId, { onError: (_error, delay) => retries.push(delay), random: () => 0 });
    assert.equal(outcome.kind, 'completed');
    assert.deepEqual(retries, [80, 160, 200]);
    const times = gets().map((r) => r.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps[0] >= 75 && gaps[1] >= 155 && gaps[2] >= 195, `gaps ${gaps.join(', ')}`);
    assert.ok(gaps[3] < 150, `after a success the interval is back: ${gaps[3]} ms`);
  });

  it('stops (without failing the job) when the key is rejected', async () => {
    const jobId = await submit('A key that is later revoked');
    const rejected = new PictoryClient({ baseUrl: server.baseUrl, apiKey: 'pictai_wrong', userAgent: 't', loadFetch });
    const outcome = await pollJob((signal) => rejected.getJob(jobId, signal), { intervalMs: INTERVAL, deadline: Date.now() + 5000 });
    assert.equal(outcome.kind, 'stopped');
    assert.equal(gets().length, 1);
  });

  it('stops at once when cancelled', async () => {
    const jobId = await submit('Cancel me during the wait #forever');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const outcome = await poll(jobId, { signal: controller.signal });
    assert.equal(outcome.kind, 'cancelled');
    const count = gets().length;
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL));
    assert.equal(gets().length, count);
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
