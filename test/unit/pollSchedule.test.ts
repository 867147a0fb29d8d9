import assert from 'node:assert/strict';
import type { JobRecord } from '../../src/jobs/jobRecord';
import { GenerationTimes, kindOf, MIN_SAMPLES, nextPollDelay, waitUntilPlausible } from '../../src/jobs/pollSchedule';

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
  const tenToOneHundred = (extra: Partial<JobRecord> = {}) => [100, 110, 120, 130, 140, 150, 160, 170, 180, 190].map((seconds) => finished(seconds, extra));

  it('polls as configured until enough jobs of the same kind are known', () => {
    const times = GenerationTimes.from([120, 130, 140, 150].map((seconds) => finished(seconds)));
    assert.equal(MIN_SAMPLES, 5);
    assert.equal(times.learned(finished(0)), undefined, '4 jobs are too few');
    assert.equal(nextPollDelay(0, 15_000, undefined), 15_000);
    assert.equal(nextPollDelay(500_000, 15_000, undefined), 15_000);
    assert.equal(waitUntilPlausible(0, 15_000, undefined), undefined);
    times.add(finished(160));
    assert.deepEqual(times.learned(finished(0)), { earliest: 120_000, late: 150_000 });
  });

  it('learns per endpoint, model and duration, and only from completed jobs', () => {
    const times = GenerationTimes.from([...tenToOneHundred(), ...[10, 10, 10, 10, 10].map((seconds) => finished(seconds, { state: 'failed' }))]);
    assert.equal(times.learned(finished(0))?.earliest, 100_000);
    const other = finished(0, { request: { prompt: 'x', model: 'veo3.1', aspectRatio: '16:9', duration: '4s' } });
    assert.equal(times.learned(other), undefined, 'another duration is another kind');
    assert.notEqual(kindOf(finished(0)), kindOf(finished(0, { endpoint: 'http://127.0.0.1:9/pictoryapis' })));
  });

  it('remembers the latest 50 jobs of a kind: generation times drift', () => {
    const old = Array.from({ length: 60 }, (_, index) => finished(30, { updatedAt: 1_000_000 + 30_000, submittedAt: 1_000_000 - index }));
    const recent = Array.from({ length: 50 }, () => finished(200, { submittedAt: 5_000_000, updatedAt: 5_200_000 }));
    assert.equal(GenerationTimes.from([...recent, ...old]).learned(finished(0))?.earliest, 200_000);
  });

  it('waits once until shortly before the earliest plausible end, then looks closer while the job is likely to end, then as configured', () => {
    const learned = GenerationTimes.from(tenToOneHundred()).learned(finished(0));
    assert.deepEqual(learned, { earliest: 100_000, late: 180_000 });
    assert.equal(waitUntilPlausible(0, 15_000, learned), 95_000);
    assert.equal(nextPollDelay(0, 15_000, learned), 95_000, 'one wait until 95 % of the earliest end');
    assert.equal(waitUntilPlausible(85_000, 15_000, learned), undefined, 'close to it');
    assert.equal(nextPollDelay(85_000, 15_000, learned), 12_750, 'likely to end: 85 % of the interval');
    assert.equal(nextPollDelay(100_000, 11_000, learned), 10_000, 'never below Pictory\'s documented 10 s');
    assert.equal(nextPollDelay(100_000, 30_000, learned), 25_500);
    assert.equal(nextPollDelay(100_000, 2_000, learned), 2_000, 'never slower than the interval');
    assert.equal(nextPollDelay(180_000, 15_000, learned), 15_000, 'late: as configured');
  });
});
