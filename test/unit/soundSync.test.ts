import assert from 'node:assert/strict';
import * as path from 'node:path';

interface SoundPlayer {
  start(offset: number, rate: number): void;
  stop(): void;
}

interface SoundSyncApi {
  SoundSync: new (video: FakeVideo, player: SoundPlayer, clock: () => number, duration: number) => { position(): number | undefined; dispose(): void };
  DRIFT_SECONDS: number;
}

// The page's own script, as the preview loads it.
const { SoundSync, DRIFT_SECONDS } = require(path.resolve(__dirname, '../../../media/soundSync.js')) as SoundSyncApi;

/** A video the test moves by hand: its events are what a <video> fires. */
class FakeVideo extends EventTarget {
  currentTime = 0;
  paused = true;
  ended = false;
  seeking = false;
  playbackRate = 1;

  fire(type: string): void {
    this.dispatchEvent(new Event(type));
  }
}

function setup(duration = 8) {
  let now = 100;
  const calls: string[] = [];
  const video = new FakeVideo();
  const player: SoundPlayer = {
    start: (offset, rate) => calls.push(`start ${offset} ×${rate}`),
    stop: () => calls.push('stop'),
  };
  const sync = new SoundSync(video, player, () => now, duration);
  const advance = (seconds: number, videoSeconds = seconds) => {
    now += seconds;
    video.currentTime += videoSeconds;
    video.fire('timeupdate');
  };
  return { video, calls, sync, advance };
}

describe('the decoded sound kept in step with the video', () => {
  it('plays with the video and stops when it pauses or ends', () => {
    const { video, calls, sync, advance } = setup();
    assert.deepEqual(calls, [], 'silent while the video is paused');
    video.paused = false;
    video.fire('playing');
    assert.deepEqual(calls, ['start 0 ×1']);
    advance(1);
    assert.equal(sync.position(), 1);
    video.paused = true;
    video.fire('pause');
    assert.deepEqual(calls, ['start 0 ×1', 'stop']);
    assert.equal(sync.position(), undefined);
    video.paused = false;
    video.fire('play');
    assert.deepEqual(calls.slice(2), ['start 1 ×1'], 'resumes where the video is');
    video.ended = true;
    video.fire('ended');
    assert.equal(calls.at(-1), 'stop');
  });

  it('follows a seek, starting again from where the video lands', () => {
    const { video, calls } = setup();
    video.paused = false;
    video.fire('playing');
    video.seeking = true;
    video.fire('seeking');
    video.currentTime = 2;
    video.seeking = false;
    video.fire('seeked');
    assert.deepEqual(calls, ['start 0 ×1', 'stop', 'start 2 ×1']);
  });

  it('changes speed with the video', () => {
    const { video, calls, sync, advance } = setup();
    video.paused = false;
    video.fire('playing');
    advance(1);
    video.playbackRate = 2;
    video.fire('ratechange');
    assert.deepEqual(calls, ['start 0 ×1', 'stop', 'start 1 ×2']);
    advance(0.5, 1);
    assert.equal(sync.position(), 2);
  });

  it('puts the sound back in place once it drifts more than 80 ms, not before', () => {
    const { video, calls, advance } = setup();
    assert.equal(DRIFT_SECONDS, 0.08);
    video.paused = false;
    video.fire('playing');
    advance(1, 1.05);
    assert.deepEqual(calls, ['start 0 ×1'], '50 ms apart: left alone');
    advance(1, 1.05);
    assert.deepEqual(calls, ['start 0 ×1', 'stop', 'start 2.1 ×1'], '100 ms apart: put back');
  });

  it('stays silent past the end of the sound, and lets go of the video when disposed', () => {
    const { video, calls, sync } = setup(2);
    video.currentTime = 3;
    video.paused = false;
    video.fire('playing');
    assert.deepEqual(calls, []);
    video.currentTime = 0;
    video.fire('seeked');
    sync.dispose();
    assert.deepEqual(calls, ['start 0 ×1', 'stop']);
    video.fire('seeked');
    assert.equal(calls.length, 2);
  });
});
