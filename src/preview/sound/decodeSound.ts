// The sound of a clip decoded by the extension itself, for editors whose player cannot decode
// AAC (desktop VS Code ships without that decoder). The decoder is FFmpeg's, compiled to wasm
// (LGPL-2.1), a file of its own in dist/lgpl/, loaded only when a clip's sound is decoded.
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';

/** PCM, one array per channel, samples from -1 to 1. */
export interface DecodedSound {
  readonly sampleRate: number;
  readonly channels: readonly Float32Array[];
}

/** The part of the decoder's module the extension uses (its script has no types of ours). */
interface DecoderModule {
  getAudioDecoder(wasm: string, file: ArrayBuffer): Promise<{
    readonly sampleRate: number;
    readonly channelCount: number;
    decodeAudioData(start: number, duration: number, options: { multiChannel: boolean }): Float32Array;
    dispose(): void;
  }>;
}

export const DECODER_SCRIPT = 'audio-file-decoder.js';
export const DECODER_WASM = 'decode-audio.wasm';

function isDecoderModule(value: unknown): value is DecoderModule {
  return typeof (value as { getAudioDecoder?: unknown } | undefined)?.getAudioDecoder === 'function';
}

/** Loads the decoder from `folder` (dist/lgpl/) on first use. */
export function decoderIn(folder: string): () => { module: DecoderModule; wasm: string } {
  let loaded: { module: DecoderModule; wasm: string } | undefined;
  return () => {
    if (!loaded) {
      // A computed path keeps the bundler from inlining the LGPL script into the extension's own.
      const module: unknown = require(path.join(folder, DECODER_SCRIPT));
      if (!isDecoderModule(module)) throw new Error(`${DECODER_SCRIPT} is not the expected decoder`);
      // The decoder fetches its wasm by address; a data: address works in Node, where a path does not.
      const wasm = `data:application/wasm;base64,${fs.readFileSync(path.join(folder, DECODER_WASM)).toString('base64')}`;
      loaded = { module, wasm };
    }
    return loaded;
  };
}

/** Decodes the first audio track of an MP4 (or M4A, ADTS…) to PCM, channel by channel. */
export async function decodeSound(file: Uint8Array, decoder: () => { module: DecoderModule; wasm: string }): Promise<DecodedSound> {
  const { module, wasm } = decoder();
  const data = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const decoded = await module.getAudioDecoder(wasm, data);
  try {
    const count = decoded.channelCount;
    if (!(count > 0) || !(decoded.sampleRate > 0)) throw new Error('the file has no sound the decoder can read');
    const interleaved = decoded.decodeAudioData(0, -1, { multiChannel: true });
    const frames = Math.floor(interleaved.length / count);
    const channels = Array.from({ length: count }, (_, channel) => {
      const samples = new Float32Array(frames);
      for (let frame = 0; frame < frames; frame++) samples[frame] = interleaved[frame * count + channel];
      return samples;
    });
    return { sampleRate: decoded.sampleRate, channels };
  } finally {
    decoded.dispose();
  }
}

/**
 * Decodes in a worker thread (`workerScript`, dist/soundWorker.js), so that the extension
 * host goes on answering meanwhile; the worker ends with the decode, or when `signal` aborts.
 */
export function decodeInWorker(workerScript: string, decoderFolder: string, file: Uint8Array, signal?: AbortSignal): Promise<DecodedSound> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript, { workerData: { decoderFolder, file } });
    const abort = () => {
      void worker.terminate();
      reject(new Error('cancelled'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    const done = () => signal?.removeEventListener('abort', abort);
    worker.once('message', (message: unknown) => {
      done();
      void worker.terminate();
      const result = message as { error?: unknown; sampleRate?: unknown; channels?: unknown };
      if (typeof result.error === 'string') return reject(new Error(result.error));
      const channels = Array.isArray(result.channels) ? result.channels.filter((channel): channel is Float32Array => channel instanceof Float32Array) : [];
      if (typeof result.sampleRate !== 'number' || channels.length === 0) return reject(new Error('the decoder gave no sound'));
      resolve({ sampleRate: result.sampleRate, channels });
    });
    worker.once('error', (error) => {
      done();
      reject(error);
    });
  });
}
