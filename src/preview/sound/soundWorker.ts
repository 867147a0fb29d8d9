// Decodes a clip's sound off the extension host's thread (a decode takes a few hundred
// milliseconds of solid work): bundled as dist/soundWorker.js, run by `decodeInWorker`.
import { parentPort, workerData } from 'worker_threads';
import { decodeSound, decoderIn } from './decodeSound';

interface Job {
  readonly decoderFolder: string;
  readonly file: Uint8Array;
}

async function run(): Promise<void> {
  const { decoderFolder, file } = workerData as Job;
  try {
    const sound = await decodeSound(file, decoderIn(decoderFolder));
    parentPort?.postMessage({ sampleRate: sound.sampleRate, channels: sound.channels }, sound.channels.map((channel) => channel.buffer as ArrayBuffer));
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}

void run();
