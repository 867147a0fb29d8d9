import assert from 'node:assert/strict';
import { PollPacer } from '../../src/jobs/pollPacer';
import { PictoryApiError } from '../../src/pictory/errors';
import { ManualClock } from './manualClock';

const API = 'https://api.pictory.ai/pictoryapis';
const OTHER = 'http://127.0.0.1:9/pictoryapis';

/** Lets the promises that a clock step resolved run their continuations. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await Promise.resolve();
}

/** The most of `times` that fall in any one-second window. */
function peakPerSecond(times: readonly number[]): number {
  return Math.max(...times.map((start) => times.filter((time) => time >= start && time < start + 1000).length));
}

describe('the pace of status requests', () => {
  let clock: ManualClock;
  let pacer: PollPacer;
  let perSecond: number;

  beforeEach(() => {
    clock = new ManualClock(1_000_000);
    perSecond = 2;
    pacer = new PollPacer({ maxPerSecond: () => perSecond, now: clock.now, sleep: clock.sleep });
  });

  /** Asks for `count` turns at once and runs the clock until all are given; their times. */
  async function turns(count: number, endpoint = API): Promise<number[]> {
    const started: number[] = [];
    const all = Array.from({ length: count }, () => pacer.turn(endpoint).then(() => started.push(clock.now())));
    for (let step = 0; step < count * 4 && started.length < count; step++) {
      await settle();
      clock.advanceToNextWake();
    }
    await Promise.all(all);
    return started;
  }

  it('lets 50 jobs that all want to ask now through at most 2 a second, evenly spread', async () => {
    const started = await turns(50);
    assert.equal(started.length, 50);
    assert.ok(peakPerSecond(started) <= 2, `peak ${peakPerSecond(started)} per second`);
    const gaps = started.slice(1).map((time, index) => time - started[index]);
    assert.ok(Math.min(...gaps) >= 500 && Math.max(...gaps) <= 600, `gaps from ${Math.min(...gaps)} to ${Math.max(...gaps)} ms`);
    assert.ok(started[49] - started[0] < 50 * 600, 'no time lost');
  });

  it('follows the setting', async () => {
    perSecond = 0.5;
    const started = await turns(4);
    assert.ok(started[3] - started[0] >= 3 * 2000, `three gaps of 2 s at least: ${started[3] - started[0]} ms`);
  });

  it('lets a lone request through at once', async () => {
    const before = clock.now();
    await pacer.turn(API);
    assert.equal(clock.now(), before);
  });

  it('holds back every request to an endpoint that said too many, and only to it', async () => {
    await pacer.turn(API);
    clock.advance(5000);
    pacer.holdBack(API, 30_000);
    const heldAt = clock.now();
    let apiAt: number | undefined;
    let otherAt: number | undefined;
    const api = pacer.turn(API).then(() => (apiAt = clock.now()));
    const other = pacer.turn(OTHER).then(() => (otherAt = clock.now()));
    for (let step = 0; step < 10 && (apiAt === undefined || otherAt === undefined); step++) {
      await settle();
      clock.advanceToNextWake();
    }
    await Promise.all([api, other]);
    assert.ok(otherAt !== undefined && otherAt - heldAt < 1000, 'another endpoint goes on');
    assert.ok(apiAt !== undefined && apiAt - heldAt >= 30_000, `the held endpoint waits 30 s: ${(apiAt ?? 0) - heldAt} ms`);
  });

  it('holds back a request already waiting for its turn when the limit is met meanwhile', async () => {
    await pacer.turn(API);
    let startedAt: number | undefined;
    const waiting = pacer.turn(API).then(() => (startedAt = clock.now()));
    await settle();
    pacer.holdBack(API, 20_000);
    const heldAt = clock.now();
    for (let step = 0; step < 10 && startedAt === undefined; step++) {
      await settle();
      clock.advanceToNextWake();
    }
    await waiting;
    assert.ok(startedAt !== undefined && startedAt - heldAt >= 20_000);
  });

  it('gives up a turn when its job stops being followed', async () => {
    await pacer.turn(API);
    const controller = new AbortController();
    const waiting = pacer.turn(API, controller.signal);
    controller.abort();
    await assert.rejects(waiting, (error: unknown) => error instanceof PictoryApiError && error.kind === 'cancelled');
  });
});
