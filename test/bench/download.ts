// Measures what saving a large clip costs the extension host: its peak memory above idle while
// a 200 MB video streams to disk, and the throughput beside a plain `curl` of the same file in
// the same run. Run with
//   node esbuild.js --tests && node esbuild.js --production && node out/test/bench/download.js
// (BENCH_SAMPLES rounds, default 9: single runs of the same path vary by a factor of three on a
// shared machine; BENCH_DOWNLOAD_MB, default 200; MB = 2^20 bytes).
//
// The loopback Pictory server runs in this process and serves the video made on the fly (a
// repeated block, streamed, never held whole). Each measured save runs the extension's own
// code in a fresh Node process of its own, as the extension host would (the file is read over a
// connection of its own, src/pictory/directDownload.ts; node-fetch, loaded from dist/fetch.js
// by `lazyFetch`, is there for what that reader leaves to it):
// - Download: `downloadToFile`, called as the Download and Save to Workspace commands call it
//   (a progress callback at each chunk);
// - local copy: `LocalCopies.keep`, which keeps a finished clip's video on this machine;
// - from the local copy: `copyToFile`, what Download does when the clip has a copy.
// That process collects garbage and takes its idle memory once the code and node-fetch are
// loaded, then samples process.memoryUsage() every 5 ms (and rss at each chunk of a Download)
// and reads the kernel's high-water mark of its rss (VmHWM, reset before the save). Peak growth
// is the higher of the two, minus the idle rss.
// The baseline, `curl -s -o <file> <url>`, fetches the same URL in each round; so does, for
// reference, Node's own http.get piped to a file in a fresh process measured the same way (what
// any Node code can do; the baseline itself when curl is missing, labelled as such). Every file is checked
// (size and SHA-256) and deleted. Throughputs are medians; the memory growth is the highest of
// the rounds. A last, untimed Download and local copy collect garbage every 10 ms and sample
// right after: what the save holds, as opposed to written chunks waiting for a collection.
// A missed goal is a verdict recorded in the bench table (results.ts); the exit code is
// non-zero only on errors.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VideoJobRecord } from '../../src/jobs/jobRecord';
import { LocalCopies } from '../../src/jobs/localCopies';
import { copyToFile, downloadToFile } from '../../src/pictory/download';
import { Fetch, lazyFetch } from '../../src/pictory/http';
import { Cleanup, cleanUpOnInterrupt, makeTempDir, removeTempDir } from '../harness/cleanup';
import { repoRoot } from '../harness/paths';
import { startPictoryServer } from '../server/pictoryServer';
import { generatedBytes } from '../server/media';
import { median, recordRow } from './results';

const MB = 1024 * 1024;
const FILE_MB = Number(process.env.BENCH_DOWNLOAD_MB ?? 200);
const ROUNDS = Number(process.env.BENCH_SAMPLES ?? 9);
const SAMPLE_MS = 5;
const COLLECT_MS = 10;
const GOAL_GROWTH_MB = 30;
const GOAL_RATIO = 0.8;
const SECTION = '5. Downloads and local copies';
const CHILD_FLAG = '--measure-save';
const VIDEO_NAME = 'bench-large.mp4';

type Task = (
  | { readonly kind: 'download'; readonly url: string; readonly target: string }
  | { readonly kind: 'copy'; readonly url: string; readonly endpoint: string; readonly folder: string; readonly jobId: string }
  | { readonly kind: 'copyFile'; readonly source: string; readonly target: string }
  | { readonly kind: 'nodeHttp'; readonly url: string; readonly target: string }
) & {
  /**
   * Collects garbage this often (array buffers swept at once) and samples right after, instead
   * of sampling every 5 ms: what the save holds, without the chunks already written that wait
   * for a collection.
   */
  readonly collectEveryMs?: number;
};

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

const MEMORY_FIELDS: readonly (keyof Memory)[] = ['rss', 'heapUsed', 'external', 'arrayBuffers'];

/** What the measured process reports: the saved file, its time, and its memory. */
interface Measured {
  readonly file: string;
  readonly seconds: number;
  readonly idle: Memory;
  /** The highest value of each field (not necessarily at the same moment). */
  readonly peak: Memory;
  /** The kernel's high-water mark of rss since the save began, where Linux tells. */
  readonly highWater: number | undefined;
  readonly samples: number;
}

// ---------------------------------------------------------------------------------------------
// The measured process

function memoryNow(): Memory {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

class PeakMemory {
  private highest: Record<keyof Memory, number> = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  count = 0;

  readonly sample = (): void => {
    const now = memoryNow();
    for (const field of MEMORY_FIELDS) this.highest[field] = Math.max(this.highest[field], now[field]);
    this.count++;
  };

  /** The cheap probe, at every chunk. */
  readonly sampleRss = (): void => {
    this.highest.rss = Math.max(this.highest.rss, process.memoryUsage.rss());
    this.count++;
  };

  get peak(): Memory {
    return { ...this.highest };
  }
}

/** Resets the kernel's rss high-water mark of this process (Linux); false where it cannot. */
function resetHighWater(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function highWater(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function collectGarbage(): void {
  if (!globalThis.gc) throw new Error('The measured process needs --expose-gc');
  globalThis.gc();
}

/** Idle memory: after a few garbage collections, once the code is loaded. */
async function settle(): Promise<Memory> {
  for (let pass = 0; pass < 3; pass++) {
    collectGarbage();
    await delay(20);
  }
  return memoryNow();
}

/** Samples every 5 ms (and at each chunk), or right after a collection every `collectEveryMs`. */
function startSampling(peak: PeakMemory, collectEveryMs: number | undefined): { stop(): void; onChunk(): void } {
  const timer = collectEveryMs
    ? setInterval(() => {
        collectGarbage();
        peak.sample();
      }, collectEveryMs)
    : setInterval(peak.sample, SAMPLE_MS);
  return { stop: () => clearInterval(timer), onChunk: collectEveryMs ? () => undefined : peak.sampleRss };
}

function finishedClip(task: Extract<Task, { kind: 'copy' }>): VideoJobRecord {
  const now = Date.now();
  return {
    id: task.jobId,
    endpoint: task.endpoint,
    submittedAt: now,
    deadline: now + 3_600_000,
    state: 'completed',
    updatedAt: now,
    request: { prompt: 'a large clip', model: 'pixverse5.5', aspectRatio: '16:9', duration: '8s' },
    video: { url: task.url },
  };
}

/** A local-copy save: the copies are loaded first, as the extension host has them. */
async function prepareCopy(task: Extract<Task, { kind: 'copy' }>, loadFetch: () => Promise<Fetch>): Promise<() => Promise<string>> {
  const log: string[] = [];
  const copies = new LocalCopies(task.folder, { loadFetch, limitBytes: () => 1024 * 1024 * MB, inUse: () => false, log: (line) => log.push(line) });
  await copies.load();
  return async () => {
    await copies.keep(finishedClip(task));
    const video = copies.known(task.jobId)?.video;
    if (!video) throw new Error(`No copy was kept: ${log.join('; ')}`);
    return video;
  };
}

/** The baseline without curl: Node's own HTTP client piped to a file. */
function plainGet(url: string, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`HTTP ${response.statusCode}`));
          return;
        }
        pipeline(response, fs.createWriteStream(target)).then(() => resolve(target), reject);
      })
      .on('error', reject);
  });
}

/** Loads what the save needs; resolves with the save itself, given a per-chunk probe. */
async function prepare(task: Task): Promise<(onChunk: () => void) => Promise<string>> {
  if (task.kind === 'nodeHttp') return () => plainGet(task.url, task.target);
  const loadFetch = lazyFetch(path.join(repoRoot(), 'dist', 'fetch.js'));
  await loadFetch(); // node-fetch is loaded, as after the extension's first request
  if (task.kind === 'copy') return prepareCopy(task, loadFetch);
  if (task.kind === 'copyFile') return () => copyToFile(task.source, task.target).then(() => task.target);
  const signal = new AbortController().signal;
  return (onChunk) => downloadToFile(task.url, task.target, loadFetch, signal, onChunk).then(() => task.target);
}

async function measure(task: Task): Promise<Measured> {
  const save = await prepare(task);
  const idle = await settle();
  const kernelPeak = resetHighWater();
  const peak = new PeakMemory();
  const sampling = startSampling(peak, task.collectEveryMs);
  const started = performance.now();
  let file: string;
  try {
    file = await save(sampling.onChunk);
  } finally {
    sampling.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  if (task.collectEveryMs) collectGarbage();
  peak.sample();
  return { file, seconds, idle, peak: peak.peak, highWater: kernelPeak ? highWater() : undefined, samples: peak.count };
}

async function measuredProcess(): Promise<void> {
  const task = JSON.parse(process.argv[3]) as Task;
  const result = await measure(task);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The bench

interface Expected {
  readonly size: number;
  readonly sha256: string;
}

const running = new Set<ChildProcess>();

function collectOutput(child: ChildProcess, what: string): Promise<string> {
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      running.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${what} exited with ${code}: ${err.trim()}`));
    });
  });
}

/** Runs one save in a fresh process (async: this process serves the file meanwhile). */
async function runMeasured(task: Task): Promise<Measured> {
  // V8 frees array buffers on a background thread after a collection, unless told otherwise.
  const flags = ['--expose-gc', ...(task.collectEveryMs ? ['--no-concurrent-array-buffer-sweeping'] : [])];
  const child = spawn(process.execPath, [...flags, __filename, CHILD_FLAG, JSON.stringify(task)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = await collectOutput(child, `the ${task.kind} process`);
  return JSON.parse(out.trim().split('\n').pop() ?? '') as Measured;
}

/** curl's own transfer time, in seconds; -q: no .curlrc, and no proxy for a loopback URL. */
async function curl(url: string, target: string): Promise<number> {
  const args = ['-q', '-s', '-S', '-f', '--noproxy', '*', '-o', target, '-w', '%{time_total}', url];
  const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return Number((await collectOutput(child, 'curl')).trim());
}

function curlFound(): boolean {
  const found = spawnSync('curl', ['--version'], { encoding: 'utf8' }).status === 0;
  if (!found) console.log('curl was not found: the baseline is Node http.get piped to a file, in a fresh process.');
  return found;
}

async function sha256(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function verify(file: string, expected: Expected, what: string): Promise<void> {
  const size = (await fs.promises.stat(file)).size;
  if (size !== expected.size) throw new Error(`${what} saved ${size} bytes, not ${expected.size}`);
  if ((await sha256(fs.createReadStream(file))) !== expected.sha256) throw new Error(`${what} saved different bytes than were served`);
}

interface Figures {
  readonly speeds: number[];
  readonly runs: Measured[];
}

interface Context {
  readonly url: string;
  readonly endpoint: string;
  readonly expected: Expected;
  readonly curl: boolean;
  readonly curlSpeeds: number[];
  /** Node's http.get piped to a file: the reference (and the baseline without curl). */
  readonly plain: Figures;
  readonly download: Figures;
  readonly copy: Figures;
  readonly copyFile: Figures;
  /** The untimed saves with a collection every 10 ms: what streaming holds. */
  readonly held: { download?: Measured; copy?: Measured };
}

function speed(expected: Expected, seconds: number): number {
  return expected.size / MB / seconds;
}

async function keep(figures: Figures, measured: Measured, context: Context, what: string): Promise<void> {
  await verify(measured.file, context.expected, what);
  figures.runs.push(measured);
  figures.speeds.push(speed(context.expected, measured.seconds));
}

async function curlStep(context: Context, folder: string): Promise<void> {
  const target = path.join(folder, 'curl.mp4');
  const seconds = await curl(context.url, target);
  await verify(target, context.expected, 'curl');
  context.curlSpeeds.push(speed(context.expected, seconds));
  await fs.promises.rm(target);
}

async function plainStep(context: Context, folder: string): Promise<void> {
  const measured = await runMeasured({ kind: 'nodeHttp', url: context.url, target: path.join(folder, 'plain.mp4') });
  await keep(context.plain, measured, context, 'Node http.get');
  await fs.promises.rm(measured.file);
}

async function downloadStep(context: Context, folder: string): Promise<void> {
  const measured = await runMeasured({ kind: 'download', url: context.url, target: path.join(folder, 'download.mp4') });
  await keep(context.download, measured, context, 'Download');
  await fs.promises.rm(measured.file);
}

/** Keeps a local copy, then copies it out as Download does when a copy exists. */
async function copyStep(context: Context, folder: string, round: number): Promise<void> {
  const task = { kind: 'copy', url: context.url, endpoint: context.endpoint, folder: path.join(folder, 'copies'), jobId: `bench-${round}` } as const;
  const copy = await runMeasured(task);
  await keep(context.copy, copy, context, 'the local copy');
  const copied = await runMeasured({ kind: 'copyFile', source: copy.file, target: path.join(folder, 'from-copy.mp4') });
  await keep(context.copyFile, copied, context, 'the copy of the local copy');
  await fs.promises.rm(path.join(folder, 'copies'), { recursive: true });
  await fs.promises.rm(copied.file);
}

/** One round: every path once, in an order that turns from round to round. */
async function runRound(context: Context, dir: string, round: number): Promise<void> {
  const folder = path.join(dir, `round-${round}`);
  await fs.promises.mkdir(folder);
  const steps = [() => plainStep(context, folder), () => downloadStep(context, folder), () => copyStep(context, folder, round)];
  if (context.curl) steps.push(() => curlStep(context, folder));
  for (let index = 0; index < steps.length; index++) await steps[(index + round) % steps.length]();
  await fs.promises.rm(folder, { recursive: true });
}

/** Once more, untimed, collecting garbage every 10 ms: the memory the save holds. */
async function heldStep(context: Context, dir: string): Promise<void> {
  const folder = path.join(dir, 'held');
  await fs.promises.mkdir(folder);
  const collectEveryMs = COLLECT_MS;
  const download = await runMeasured({ kind: 'download', url: context.url, target: path.join(folder, 'download.mp4'), collectEveryMs });
  await verify(download.file, context.expected, 'Download');
  const copy = await runMeasured({ kind: 'copy', url: context.url, endpoint: context.endpoint, folder: path.join(folder, 'copies'), jobId: 'bench-held', collectEveryMs });
  await verify(copy.file, context.expected, 'the local copy');
  context.held.download = download;
  context.held.copy = copy;
  await fs.promises.rm(folder, { recursive: true });
}

// ---------------------------------------------------------------------------------------------
// Figures

function growth(run: Measured): number {
  return Math.max(run.peak.rss, run.highWater ?? 0) - run.idle.rss;
}

function worstRun(figures: Figures): Measured {
  return figures.runs.reduce((worst, run) => (growth(run) > growth(worst) ? run : worst));
}

function megabytes(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

function fieldGrowth(figures: Figures, field: keyof Memory): string {
  return megabytes(Math.max(...figures.runs.map((run) => run.peak[field] - run.idle[field])));
}

/** The baseline's name and speeds: curl's, or without curl Node's http.get's. */
function baselineOf(context: Context): { label: string; speeds: readonly number[] } {
  return context.curl ? { label: 'curl', speeds: context.curlSpeeds } : { label: 'Node http.get piped to a file (no curl)', speeds: context.plain.speeds };
}

const COLUMNS = ['MB/s', '× base', 'idle rss', 'peak +', 'sampled +', 'VmHWM +', 'heapUsed +', 'external +', 'arrayBuf +', 'samples'];

function printRow(label: string, cells: readonly string[], tail: string): void {
  console.log(`${label.padEnd(34)}${cells.map((cell) => cell.padStart(11)).join('')}  ${tail}`);
}

function runs(speeds: readonly number[]): string {
  return speeds.map((value) => value.toFixed(0)).join(', ');
}

/** One line per path: its median speed and its worst run's memory (MB; other fields: their highest growth). */
function printPath(label: string, figures: Figures, baseSpeed: number): void {
  const worst = worstRun(figures);
  const speedMedian = median(figures.speeds);
  printRow(label, [
    speedMedian.toFixed(0),
    `${(speedMedian / baseSpeed).toFixed(2)}×`,
    megabytes(worst.idle.rss),
    megabytes(growth(worst)),
    megabytes(worst.peak.rss - worst.idle.rss),
    worst.highWater === undefined ? 'n/a' : megabytes(worst.highWater - worst.idle.rss),
    fieldGrowth(figures, 'heapUsed'),
    fieldGrowth(figures, 'external'),
    fieldGrowth(figures, 'arrayBuffers'),
    String(worst.samples),
  ], runs(figures.speeds));
}

function recordMemory(label: string, figures: Figures, context: Context): boolean {
  const worst = worstRun(figures);
  const met = growth(worst) <= GOAL_GROWTH_MB * MB;
  recordRow({
    section: SECTION,
    measure: `peak memory saving a ${FILE_MB} MB video: ${label}`,
    value: `${megabytes(growth(worst))} MB above idle`,
    baseline: `idle rss ${megabytes(worst.idle.rss)} MB (Node http.get piped to a file: ${megabytes(growth(worstRun(context.plain)))} MB above idle)`,
    goal: `≤ ${GOAL_GROWTH_MB} MB above idle`,
    met,
  });
  return met;
}

function recordThroughput(label: string, figures: Figures, context: Context): boolean {
  const base = baselineOf(context);
  const ratio = median(figures.speeds) / median(base.speeds);
  const met = ratio >= GOAL_RATIO;
  const reference = context.curl ? ` (Node http.get piped to a file: ${median(context.plain.speeds).toFixed(0)} MB/s)` : '';
  recordRow({
    section: SECTION,
    measure: `throughput: ${label}`,
    value: `${median(figures.speeds).toFixed(0)} MB/s (${ratio.toFixed(2)}×)`,
    baseline: `${base.label}: ${median(base.speeds).toFixed(0)} MB/s${reference}`,
    goal: `≥ ${GOAL_RATIO}× ${context.curl ? 'curl' : 'the baseline'}`,
    met,
  });
  return met;
}

/** Heap and buffers right after collections (rss is left out: freed memory stays mapped a while). */
function held(run: Measured | undefined): string {
  if (!run) return 'n/a';
  const heap = megabytes(run.peak.heapUsed - run.idle.heapUsed);
  return `heap +${heap} MB, buffers +${megabytes(run.peak.arrayBuffers - run.idle.arrayBuffers)} MB`;
}

function reportHeld(context: Context): void {
  const { download, copy } = context.held;
  console.log(`\nHeld while saving (untimed runs, a full collection every ${COLLECT_MS} ms, sampled right after): Download ${held(download)}; local copy ${held(copy)}.`);
  console.log("What a save holds is what survives a collection; the rest of its peak is chunks already written to disk that wait for V8's next collection.");
  recordRow({
    section: SECTION,
    measure: `memory held while saving: after a full collection every ${COLLECT_MS} ms (untimed run)`,
    value: `Download ${held(download)}; local copy ${held(copy)}`,
  });
}

function report(context: Context, load: readonly [number, number]): void {
  const base = baselineOf(context);
  const baseSpeed = median(base.speeds);
  console.log(
    `\nDownloads and local copies: a ${FILE_MB} MB video from the loopback server, ${ROUNDS} round(s), Node ${process.version}, ` +
      `${os.cpus().length} CPUs (load average ${load[0].toFixed(1)} → ${load[1].toFixed(1)}); medians of MB/s, the highest memory growth (MB)\n`,
  );
  printRow('', COLUMNS, 'MB/s of each run');
  if (context.curl) printRow('curl (baseline)', [baseSpeed.toFixed(0), '1.00×', ...COLUMNS.slice(2).map(() => '')], runs(context.curlSpeeds));
  printPath(context.curl ? 'Node http.get piped to a file' : 'Node http.get piped (baseline)', context.plain, baseSpeed);
  printPath('Download (downloadToFile)', context.download, baseSpeed);
  printPath('local copy (LocalCopies.keep)', context.copy, baseSpeed);
  printPath('from the local copy (copyToFile)', context.copyFile, baseSpeed);
  const memory = [
    recordMemory('Download (downloadToFile)', context.download, context),
    recordMemory('local copy (LocalCopies.keep)', context.copy, context),
    recordMemory('from the local copy (copyToFile)', context.copyFile, context),
  ];
  const speed = [recordThroughput('Download (downloadToFile)', context.download, context), recordThroughput('local copy (LocalCopies.keep)', context.copy, context)];
  reportHeld(context);
  console.log(
    `\n${memory.every(Boolean) ? 'PASS' : 'FAIL'}: peak memory within ${GOAL_GROWTH_MB} MB of idle on every path; ` +
      `${speed.every(Boolean) ? 'PASS' : 'FAIL'}: throughput ≥ ${GOAL_RATIO}× ${base.label}. Every file checked (size, SHA-256).`,
  );
}

async function expectedFile(): Promise<Expected> {
  const size = Math.round(FILE_MB * MB);
  return { size, sha256: await sha256(generatedBytes(0, size - 1)) };
}

function newFigures(): Figures {
  return { speeds: [], runs: [] };
}

async function main(): Promise<void> {
  if (!(FILE_MB > 0) || !Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('BENCH_DOWNLOAD_MB must be positive and BENCH_SAMPLES a positive integer');
  if (!fs.existsSync(path.join(repoRoot(), 'dist', 'fetch.js'))) throw new Error('dist/fetch.js is missing: run `node esbuild.js --production` first');
  const cleanup = new Cleanup();
  cleanUpOnInterrupt(cleanup);
  try {
    const expected = await expectedFile();
    const server = await startPictoryServer({ generatedVideos: { [VIDEO_NAME]: expected.size } });
    cleanup.add('the Pictory test server', () => server.close());
    const dir = makeTempDir('pictory-download-bench-');
    cleanup.add('the temp folder', () => removeTempDir(dir));
    cleanup.add('the measured processes', () => running.forEach((child) => child.kill()));
    const url = `${server.origin}/media/${VIDEO_NAME}`;
    const context: Context = {
      url,
      endpoint: server.baseUrl,
      expected,
      curl: curlFound(),
      curlSpeeds: [],
      plain: newFigures(),
      download: newFigures(),
      copy: newFigures(),
      copyFile: newFigures(),
      held: {},
    };
    const loadBefore = os.loadavg()[0];
    for (let round = 0; round < ROUNDS; round++) await runRound(context, dir, round);
    await heldStep(context, dir);
    report(context, [loadBefore, os.loadavg()[0]]);
  } finally {
    await cleanup.runAll();
  }
}

const entry = process.argv[2] === CHILD_FLAG ? measuredProcess : main;
entry().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
