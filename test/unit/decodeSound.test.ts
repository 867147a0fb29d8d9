import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeInWorker, decodeSound, decoderIn, DecodedSound } from '../../src/preview/sound/decodeSound';

const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, 'test', 'fixtures');

interface Reference {
  sampleRate: number;
  channels: number;
  frames: number;
  windowStart: number;
  windowFrames: number;
}

/** The reference window, channel by channel, from its 16-bit interleaved file. */
function referenceWindow(reference: Reference): Float32Array[] {
  const bytes = fs.readFileSync(path.join(fixtures, 'stereo-tone.reference.s16'));
  return Array.from({ length: reference.channels }, (_, channel) => {
    const samples = new Float32Array(reference.windowFrames);
    for (let frame = 0; frame < reference.windowFrames; frame++) samples[frame] = bytes.readInt16LE((frame * reference.channels + channel) * 2) / 32767;
    return samples;
  });
}

/** Signal-to-noise ratio (dB) of `decoded` against `expected` once shifted by `lag` frames. */
function snr(expected: Float32Array, decoded: Float32Array, start: number): number {
  let signal = 0;
  let noise = 0;
  for (let frame = 0; frame < expected.length; frame++) {
    const difference = (decoded[start + frame] ?? 0) - expected[frame];
    signal += expected[frame] ** 2;
    noise += difference ** 2;
  }
  return 10 * Math.log10(signal / Math.max(noise, 1e-20));
}

/** The best alignment within one AAC frame either way (decoders trim the encoder's priming differently). */
function bestSnr(expected: Float32Array, decoded: Float32Array, start: number): number {
  let best = -Infinity;
  for (let lag = -1024; lag <= 1024; lag++) best = Math.max(best, snr(expected, decoded, start + lag));
  return best;
}

describe('sound decoded by the extension (AAC in MP4)', function () {
  this.timeout(20_000);
  let sound: DecodedSound;
  const reference = JSON.parse(fs.readFileSync(path.join(fixtures, 'stereo-tone.reference.json'), 'utf8')) as Reference;

  before(async () => {
    sound = await decodeSound(fs.readFileSync(path.join(fixtures, 'stereo-tone.mp4')), decoderIn(path.join(root, 'dist', 'lgpl')));
  });

  it('gives both channels at the clip\'s rate, as long as ffmpeg\'s decode within one AAC frame', () => {
    assert.equal(sound.sampleRate, reference.sampleRate);
    assert.equal(sound.channels.length, 2);
    assert.ok(Math.abs(sound.channels[0].length - reference.frames) <= 1024, `${sound.channels[0].length} frames, ffmpeg ${reference.frames}`);
  });

  it('matches ffmpeg\'s decode, left and right, above 40 dB', () => {
    const expected = referenceWindow(reference);
    for (const [channel, samples] of expected.entries()) {
      const ratio = bestSnr(samples, sound.channels[channel], reference.windowStart);
      assert.ok(ratio > 40, `channel ${channel}: ${ratio.toFixed(1)} dB`);
    }
    const crossed = bestSnr(expected[0], sound.channels[1], reference.windowStart);
    assert.ok(crossed < 0, `the channels are not swapped (${crossed.toFixed(1)} dB)`);
  });

  it('decodes the same in a worker thread, as the extension does (off its own thread)', async () => {
    const dist = path.join(root, 'dist');
    const inWorker = await decodeInWorker(path.join(dist, 'soundWorker.js'), path.join(dist, 'lgpl'), fs.readFileSync(path.join(fixtures, 'stereo-tone.mp4')));
    assert.equal(inWorker.sampleRate, sound.sampleRate);
    assert.deepEqual(
      inWorker.channels.map((channel) => channel.length),
      sound.channels.map((channel) => channel.length),
    );
    assert.equal(inWorker.channels[1][5000], sound.channels[1][5000]);
    await assert.rejects(decodeInWorker(path.join(dist, 'soundWorker.js'), path.join(dist, 'lgpl'), Buffer.from('not a video')), /./, 'a file without sound is refused, not hung on');
  });
});
