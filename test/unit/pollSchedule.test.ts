import assert from 'node:assert/strict';
import type { JobRecord } from '../../src/jobs/jobRecord';
import { GenerationTimes, kindOf, MIN_SAMPLES, nextPollDelay } from '../../src/jobs/pollSchedule';

const ENDPOINT = 'https://api.pictory.ai/pictoryapis';

function finished(tookSeconds: number, extra: Partial<JobRecord> = {}): JobRecord {
  return {
    id: `job-${tookSeconds}-${Math.random()}`,
    endpoint: ENDPOINT,
    request: { prompt: 'A fox in the snow', model: 'veo3.1', aspectRatio: '16:9', duration: '8s' },
    submittedAt: 1_000_000,
    updatedAt: 1_000_000 + tookSeconds * 1000,
    deadline: 9_000_000,
    state: 'completed',
    video: { url: 'https://cdn.example/v.mp4' },
    ...extra,
  } as JobRecord;
}

describe('polling that learns from earlier jobs', () => {
  it('polls as configured until enough jobs of the same kind are known', () => {
    const times = GenerationTimes.from([120, 130, 140, 150].map((seconds) => finished(seconds)));
    assert.equal(MIN_SAMPLES, 5);
    assert.equal(times.earliestEnd(finished(0)), undefined, '4 jobs are too few');
    assert.equal(nextPollDelay(0, 15_000, undefined), 15_000);
    times.add(finished(160));
    assert.equal(times.earliestEnd(finished(0)), 120_000);
  });

  it('learns per endpoint, model and duration, and only from completed jobs', () => {
    const times = GenerationTimes.from([
      ...[100, 110, 120, 130, 140].map((seconds) => finished(seconds)),
      ...[10, 10, 10, 10, 10].map((seconds) => finished(seconds, { state: 'failed' })),
    ]);
    assert.equal(times.earliestEnd(finished(0)), 100_000);
    const other = finished(0, { request: { prompt: 'x', model: 'veo3.1', aspectRatio: '16:9', duration: '4s' } });
    assert.equal(times.earliestEnd(other), undefined, 'another duration is another kind');
    assert.notEqual(kindOf(finished(0)), kindOf(finished(0, { endpoint: 'http://127.0.0.1:9/pictoryapis' })));
  });

  it('looks first shortly before the earliest plausible end, then at the configured interval', () => {
    assert.equal(nextPollDelay(0, 15_000, 100_000), 90_000, 'one wait until 90 % of the earliest end');
    assert.equal(nextPollDelay(80_000, 15_000, 100_000), 15_000, 'close to it: the interval');
    assert.equal(nextPollDelay(200_000, 15_000, 100_000), 15_000);
  });
});
