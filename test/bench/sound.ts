// What decoding a clip's sound costs, where the editor cannot: the decoder's size on disk (the
// LGPL files in dist/lgpl/, read only for such a clip), its first load, and the decode time of
// an 8 s stereo AAC clip (test/fixtures/stereo-tone.mp4), median of BENCH_SAMPLES runs (5).
// Run with `node esbuild.js --tests && node esbuild.js --production && node out/test/bench/sound.js`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DECODER_SCRIPT, DECODER_WASM, decodeSound, decoderIn } from '../../src/preview/sound/decodeSound';
import { repoRoot } from '../harness/paths';

const RUNS = Number(process.env.BENCH_SAMPLES ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function kilobytes(file: string): string {
  return `${Math.round(fs.statSync(file).size / 1024)} KB`;
}

async function main(): Promise<void> {
  const folder = path.join(repoRoot(), 'dist', 'lgpl');
  const clip = fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'stereo-tone.mp4'));
  const loadStarted = performance.now();
  const decoder = decoderIn(folder);
  decoder();
  const loadMs = performance.now() - loadStarted;
  const times: number[] = [];
  let seconds = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const sound = await decodeSound(clip, decoder);
    times.push(performance.now() - started);
    seconds = sound.channels[0].length / sound.sampleRate;
  }
  console.log('\nSound decoded by the extension (for editors without an AAC decoder)');
  console.log('| Measure | Value |');
  console.log('| --- | --- |');
  console.log(`| Decoder script (dist/lgpl/${DECODER_SCRIPT}) | ${kilobytes(path.join(folder, DECODER_SCRIPT))} |`);
  console.log(`| Decoder wasm (dist/lgpl/${DECODER_WASM}) | ${kilobytes(path.join(folder, DECODER_WASM))} |`);
  console.log(`| First load of the decoder | ${loadMs.toFixed(1)} ms |`);
  console.log(`| Decoding ${seconds.toFixed(2)} s of stereo AAC (median of ${RUNS}) | ${median(times).toFixed(1)} ms |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
