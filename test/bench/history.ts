// A machine with a long history: 10,000 job records (and, as the baseline, 100), written as
// a busy user's machine keeps them (see clipHistory.ts), with local copies of the newest clips
// (as many as the default 2 GB limit holds). Measures, with the real modules:
// - activation with nothing pending: what the start-up entry asks of the job store's folder
//   (lookForPending's first listing, checkPending), its time and every file-system call it makes
//   there (the goal: one directory listing, no record read);
// - the studio's "This machine" view opening: the root rows and the clips of every day VS Code
//   shows expanded, built as tree items by the real ClipsProvider (and the first day alone);
// - the gallery's first paint: its host part (the real store, copies, buildGallery, the JSON
//   copy) while the page loads in headless Chromium, then the page's post → paint;
// - "Show Jobs" opening: from the command to the quick pick's items built;
// - recording a completion (JobStore.save of a completed record, and what the store does per
//   save), and the store's footprint on disk.
// Run with `node esbuild.js --production && node esbuild.js --tests && flock /tmp/pictory-vscode.lock node out/test/bench/history.js`
// (BENCH_SAMPLES=n runs of each measure). Figures go to the bench table (results.ts).
import { onQuickPick } from './vscodeStandIn';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as vscode from 'vscode';
import type { PictoryApp } from '../../src/app';
import { deferredView } from '../../src/deferredTree';
import { showJobs } from '../../src/jobList';
import { JobManager } from '../../src/jobs/jobManager';
import type { JobRecord } from '../../src/jobs/jobRecord';
import { JobStore } from '../../src/jobs/jobStore';
import { checkPending } from '../../src/jobs/pendingMarkers';
import { LocalCopies } from '../../src/jobs/localCopies';
import type { StudioNode } from '../../src/studio/clipsTree';
import { jobCredits } from '../../src/studio/clipsTree';
import { CreditWatch } from '../../src/studio/credits';
import { galleryLabels } from '../../src/studio/gallery';
import { galleryDeck, galleryMessages } from '../../src/studio/galleryCards';
import type { GalleryClip } from '../../src/studio/galleryProtocol';
import { LIBRARY_VIEW, LibraryProvider } from '../../src/studio/libraryTree';
import { CLIPS_VIEW, RUNNING_VIEW, Studio, StudioViews } from '../../src/studio/studio';
import type { Page } from 'playwright-core';
import { BrowserSession, launchBrowser } from '../harness/browser';
import { makeTempDir, removeTempDir } from '../harness/cleanup';
import { fixtures, IMAGE_ORIGIN, makeHistory, VIDEO_ORIGIN, writeCopies, writeRecords } from './clipHistory';
import { emptyPageMs, newContext, PageSample, pageSample, run, VIEWPORT, writeEmptyPage, writePage } from './galleryPage';
import { median, recordRow } from './results';

const SECTION = '3. A history of 10,000 clips';
const HISTORY = 10_000;
const BASELINE = 100;
const RUNS = Number(process.env.BENCH_SAMPLES ?? 7);
const SAVES = 30;
const GOAL_MS = 300;
const GROWTH_LIMIT = 1.5;
/** A history this long fits in a few files of a thousand records, with the last hour's on their own. */
const MAX_FILES = 100;
/** A busy user's pace: 10,000 clips in a little over a year. */
const CLIPS_PER_DAY = 27;
/** Copies kept: what the default 2 GB limit holds at some 6 MB per clip. */
const COPIES = 300;

/** The records as the store kept them before roll-ups (one file each), then the roll-up that changes that. */
interface Migration {
  readonly footprint: Footprint;
  /** The listing activation makes. */
  readonly hasPendingMs: number;
  /** The first listing, which calls for the roll-up. */
  readonly listMs: number;
  readonly rollUpMs: number;
  readonly rolledUp: number;
}

interface Machine {
  readonly clips: number;
  readonly migration: Migration;
  readonly folder: string;
  /** The extension's global storage: jobs/ and clips/ (the copies), as the app lays them out. */
  readonly storage: string;
  readonly jobsFolder: string;
  readonly copiesFolder: string;
  readonly copies: number;
}

async function makeMachine(clips: number, now: number): Promise<Machine> {
  const folder = makeTempDir(`pictory-history-bench-${clips}-`);
  const storage = path.join(folder, 'storage');
  const jobsFolder = path.join(storage, 'jobs');
  const copiesFolder = path.join(storage, 'clips');
  const records = makeHistory(clips, now, Math.max(1, clips / CLIPS_PER_DAY)).sort((a, b) => b.submittedAt - a.submittedAt);
  writeRecords(records, jobsFolder);
  let kept = 0;
  const copies = writeCopies(records, copiesFolder, (record) => record.state === 'completed' && record.kind !== 'image' && kept++ < COPIES);
  return { clips, folder, storage, jobsFolder, copiesFolder, copies, migration: await migrate(jobsFolder) };
}

/** Measures the records kept one file each, as before roll-ups, then rolls them up as the first listing calls for. */
async function migrate(jobsFolder: string): Promise<Migration> {
  const before = footprint(jobsFolder);
  const hasPendingMs = median(await sampleMs(RUNS, () => timed(() => new Promise((resolve) => checkPending(jobsFolder, resolve)))));
  const store = new JobStore(jobsFolder);
  const listMs = await timed(() => store.list());
  let rolledUp = 0;
  const rollUpMs = await timed(async () => (rolledUp = await store.rollUp()));
  return { footprint: before, hasPendingMs, listMs, rollUpMs, rolledUp };
}

/** What a window reads the store with: a store of its own, as a new window has. */
function newStore(machine: Machine): JobStore {
  return new JobStore(machine.jobsFolder);
}

function newManager(machine: Machine): JobManager {
  return new JobManager({
    store: newStore(machine),
    clientFor: () => Promise.resolve('no client in the bench'),
    timing: () => ({ intervalMs: 15_000, timeoutMs: 30 * 60_000 }),
    log: () => undefined,
  });
}

function newCopies(machine: Machine): LocalCopies {
  return new LocalCopies(machine.copiesFolder, { loadFetch: () => Promise.reject(new Error('no network')), limitBytes: () => Infinity, inUse: () => false, log: () => undefined });
}

async function sampleMs(runs: number, sample: () => Promise<number>): Promise<number[]> {
  await sample(); // warm up the JIT, as a running extension host is
  const values: number[] = [];
  for (let run = 0; run < runs; run++) values.push(await sample());
  return values;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

// --- Activation ---------------------------------------------------------------------------

interface ActivationFigures {
  readonly ms: number;
  readonly listings: number;
  readonly reads: number;
  readonly calls: readonly string[];
}

type Patchable = Record<string, unknown>;
const WATCHED_CALLS = ['mkdir', 'mkdirSync', 'readdir', 'readdirSync', 'opendir', 'opendirSync', 'readFile', 'readFileSync', 'open', 'openSync', 'stat', 'statSync', 'lstat', 'lstatSync', 'access', 'accessSync', 'existsSync', 'watch'];

/** Notes every file-system call on a path under `folder` (by name: `fs.promises.readdir`) until restored. */
function noteCalls(folder: string): { calls: string[]; restore(): void } {
  // The module object itself, which the store's code calls through.
  const nodeFs = require('node:fs') as typeof fs;
  const calls: string[] = [];
  const undo: Array<() => void> = [];
  for (const [target, prefix] of [[nodeFs as unknown as Patchable, 'fs.'], [nodeFs.promises as unknown as Patchable, 'fs.promises.']] as const) {
    for (const name of WATCHED_CALLS) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      target[name] = function (this: unknown, ...args: unknown[]): unknown {
        if (String(args[0]).startsWith(folder)) calls.push(`${prefix}${name}`);
        return (original as (...values: unknown[]) => unknown).apply(this, args);
      };
      undo.push(() => (target[name] = original));
    }
  }
  return { calls, restore: () => undo.forEach((step) => step()) };
}

/** What activation with nothing pending does in the store's folder: the first listing of `lookForPending`, whether any job is pending. */
async function activationSample(machine: Machine): Promise<{ ms: number; calls: string[] }> {
  const noted = noteCalls(machine.jobsFolder);
  try {
    const started = performance.now();
    const pending = await new Promise<boolean>((resolve) => checkPending(machine.jobsFolder, resolve));
    const ms = performance.now() - started;
    if (pending) throw new Error('A job of the bench is pending');
    return { ms, calls: [...noted.calls] };
  } finally {
    noted.restore();
  }
}

async function activation(machine: Machine): Promise<ActivationFigures> {
  const samples: Array<{ ms: number; calls: string[] }> = [];
  await activationSample(machine);
  for (let run = 0; run < RUNS; run++) samples.push(await activationSample(machine));
  const calls = samples[0].calls;
  return {
    ms: median(samples.map((sample) => sample.ms)),
    listings: calls.filter((call) => /\.(readdir|opendir)(Sync)?$/.test(call)).length,
    reads: calls.filter((call) => /\.(readFile|open|stat|lstat)(Sync)?$/.test(call)).length,
    calls,
  };
}

// --- The studio's "This machine" view ------------------------------------------------------

interface TreeSample {
  /** The root rows (days) and the first day's clips, as tree items. */
  readonly firstDayMs: number;
  /** The root rows and the clips of every day shown expanded: what VS Code asks for before it paints. */
  readonly expandedMs: number;
  readonly expandedDays: number;
  readonly items: number;
}

async function itemOf(provider: vscode.TreeDataProvider<StudioNode>, node: StudioNode): Promise<vscode.TreeItem> {
  return provider.getTreeItem(node);
}

async function childrenOf(provider: vscode.TreeDataProvider<StudioNode>, node?: StudioNode): Promise<StudioNode[]> {
  return (await provider.getChildren(node)) ?? [];
}

/** The side bar's views, as the extension makes them (no key is set here). */
function studioViews(): StudioViews {
  const load = () => undefined;
  return { running: deferredView(RUNNING_VIEW, load), clips: deferredView(CLIPS_VIEW, load), library: deferredView(LIBRARY_VIEW, load), keyIsSet: () => undefined };
}

async function treeSample(machine: Machine): Promise<TreeSample> {
  const jobs = newManager(machine);
  const credits = new CreditWatch(() => Promise.resolve(undefined), () => undefined);
  const studio = new Studio(jobs, newCopies(machine), credits, new LibraryProvider(() => Promise.resolve(undefined)), () => Promise.resolve(false), studioViews());
  try {
    const provider = studio.clipsProvider;
    const started = performance.now();
    const days = await childrenOf(provider);
    const dayItems = await Promise.all(days.map((day) => itemOf(provider, day)));
    let items = dayItems.length;
    const first = days.length ? await childrenOf(provider, days[0]) : [];
    for (const clip of first) await itemOf(provider, clip);
    items += first.length;
    const firstDayMs = performance.now() - started;
    let expandedDays = days.length ? 1 : 0;
    for (const [index, day] of days.entries()) {
      if (index === 0 || dayItems[index].collapsibleState !== 2) continue;
      expandedDays++;
      for (const clip of await childrenOf(provider, day)) {
        await itemOf(provider, clip);
        items++;
      }
    }
    return { firstDayMs, expandedMs: performance.now() - started, expandedDays, items };
  } finally {
    studio.dispose();
    jobs.dispose();
  }
}

// --- Show Jobs -------------------------------------------------------------------------------

async function showJobsSample(machine: Machine): Promise<{ ms: number; items: number }> {
  const jobs = newManager(machine);
  let shownAt = 0;
  let items = 0;
  onQuickPick((picks) => {
    shownAt = performance.now();
    items = picks.length;
    return Promise.resolve(undefined);
  });
  const app: Pick<PictoryApp, 'jobs'> = { jobs };
  try {
    const started = performance.now();
    await showJobs(app as PictoryApp);
    return { ms: shownAt - started, items };
  } finally {
    jobs.dispose();
  }
}

// --- The gallery -------------------------------------------------------------------------------

interface GalleryHostSample {
  /** The clips and the copies, read together as the panel does. */
  readonly readMs: number;
  /** The deck (count, models, origins) and the first message's cards. */
  readonly buildMs: number;
  /** The first message to JSON (what crossing to the webview costs). */
  readonly serializeMs: number;
  /** The other messages, made and turned to JSON after the first went. */
  readonly restMs: number;
  readonly firstJson: string;
  readonly restJson: string[];
  readonly clips: number;
  readonly origins: { imageOrigins: string[]; mediaOrigins: string[] };
}

/** What the panel does from opening to its first message, with the real store, copies and cards. */
async function galleryHostSample(machine: Machine): Promise<GalleryHostSample> {
  const t0 = performance.now();
  const copies = newCopies(machine);
  const [records] = await Promise.all([newStore(machine).list(), copies.load()]);
  const t1 = performance.now();
  const deck = galleryDeck(records, { toWebviewUri: (file) => pathToFileURL(file).href, localCopy: (jobId) => copies.known(jobId), credits: jobCredits });
  const [first, ...rest] = galleryMessages(deck, galleryLabels(), Date.now(), 1);
  const firstMessage = first();
  const t2 = performance.now();
  const firstJson = JSON.stringify(firstMessage);
  const t3 = performance.now();
  const restJson = rest.map((message) => JSON.stringify(message()));
  const t4 = performance.now();
  return {
    readMs: t1 - t0,
    buildMs: t2 - t1,
    serializeMs: t3 - t2,
    restMs: t4 - t3,
    firstJson,
    restJson,
    clips: deck.total,
    origins: { imageOrigins: deck.imageOrigins, mediaOrigins: deck.mediaOrigins },
  };
}

/** Posts the other parts to a page that painted the first, and waits for every card: ms from posting to the last card made. */
async function restOfCards(page: Page, rest: readonly string[], total: number): Promise<number> {
  await run(page, `window.__rest = [${rest.join(',')}], 0`);
  const started = performance.now();
  await run(page, `(() => { for (const message of window.__rest) window.postMessage(message, '*'); })()`);
  await page.waitForFunction((count) => (globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } }).document.querySelectorAll('#grid .card').length === count, total, { polling: 5, timeout: 20_000 });
  return performance.now() - started;
}

interface GalleryFigures {
  readonly host: GalleryHostSample[];
  readonly pages: PageSample[];
  /** The other cards, once the first were painted: from posting them to the last one made. */
  readonly restMs: number[];
  readonly emptyMs: number[];
  /** The panel sets its page first and reads the clips meanwhile; then the page paints them. */
  readonly firstPaintMs: number[];
}

async function gallery(machine: Machine, session: BrowserSession): Promise<GalleryFigures> {
  await galleryHostSample(machine);
  const thumbnail = fs.readFileSync(path.join(fixtures, 'thumbnail.jpg'));
  const video = fs.readFileSync(path.join(fixtures, 'no-audio.mp4'));
  const emptyUrl = writeEmptyPage(machine.folder);
  const host: GalleryHostSample[] = [];
  const pages: PageSample[] = [];
  const restMs: number[] = [];
  const emptyMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const sample = await galleryHostSample(machine);
    host.push(sample);
    const url = writePage(machine.folder, sample.origins);
    emptyMs.push(await emptyPageMs(session, emptyUrl));
    const { context, errors } = await newContext(session);
    await context.route(`${IMAGE_ORIGIN}/**`, (route) => route.fulfill({ body: thumbnail, contentType: 'image/jpeg' }));
    await context.route(`${VIDEO_ORIGIN}/**`, (route) => route.fulfill({ body: video, contentType: 'video/mp4' }));
    try {
      const { page, sample: measured } = await pageSample(context, url, sample.firstJson);
      pages.push(measured);
      restMs.push(await restOfCards(page, sample.restJson, sample.clips));
      const problems = [...errors, ...(run === RUNS - 1 ? await checkParts(page, sample) : [])];
      if (problems.length) throw new Error(`The gallery page failed: ${problems.join('; ')}`);
    } finally {
      await context.close();
    }
  }
  const firstPaintMs = host.map((h, i) => Math.max(h.readMs + h.buildMs + h.serializeMs, pages[i].loadMs) + pages[i].postToPaintMs);
  return { host, pages, restMs, emptyMs, firstPaintMs };
}

/** The page holds every clip of the parts, in order, counts them all and filters across parts; returns the problems. */
async function checkParts(page: Page, sample: GalleryHostSample): Promise<string[]> {
  const clips = [sample.firstJson, ...sample.restJson].flatMap((json) => (JSON.parse(json) as { clips: GalleryClip[] }).clips);
  const problems: string[] = [];
  const expect = (ok: boolean, problem: string) => ok || problems.push(problem);
  const labels = await run<string[]>(page, `[...document.querySelectorAll('#grid .card')].map((card) => card.getAttribute('aria-label'))`);
  expect(JSON.stringify(labels) === JSON.stringify(clips.map((clip) => clip.title)), 'the cards are not the clips of the parts, in order');
  expect((await page.locator('#count').textContent()) === `${clips.length} clips`, 'the count line does not count every clip');
  const word = 'glacier';
  await page.locator('#filter').fill(word);
  await page.waitForTimeout(300);
  const matching = clips.filter((clip) => clip.prompt.toLowerCase().includes(word)).length;
  expect((await page.locator('#grid .card:not([hidden])').count()) === matching, 'the filter does not search every part');
  expect((await page.locator('#count').textContent()) === `${matching} of ${clips.length} clips`, 'the filtered count line');
  return problems;
}

// --- Recording a completion, and the footprint ---------------------------------------------

function completion(index: number, now: number): { running: JobRecord; completed: JobRecord } {
  const id = `bench-completion-${index}-${now}`;
  const running: JobRecord = {
    id,
    endpoint: 'https://api.pictory.ai/pictoryapis',
    request: { prompt: 'A lighthouse at dawn, waves rolling in, slow push-in, warm light', model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s' },
    submittedAt: now,
    deadline: now + 30 * 60_000,
    state: 'running',
    updatedAt: now,
  };
  const completed: JobRecord = {
    ...running,
    state: 'completed',
    updatedAt: now + 90_000,
    video: { url: `https://cdn.pictory.example/aistudio/${id}/video.mp4`, duration: '5s', width: 1920, height: 1080, thumbnailImageUrl: `https://img.pictory.example/aistudio/${id}/thumbnail.jpg`, aiCreditsUsed: 8 },
  };
  return { running, completed };
}

/**
 * The median time of saving a completed record (its running record written before, untimed)
 * in each machine's store, the machines taking turns: a busy moment of the machine slows both.
 */
async function saveCompletions(machines: readonly Machine[]): Promise<number[]> {
  const stores = machines.map(newStore);
  const now = Date.now();
  const times: number[][] = machines.map(() => []);
  for (let index = 0; index < SAVES; index++) {
    const { running, completed } = completion(index, now);
    for (const [at, store] of stores.entries()) {
      await store.save(running);
      times[at].push(await timed(() => store.save(completed)));
    }
  }
  for (const store of stores) for (let index = 0; index < SAVES; index++) await store.remove(completion(index, now).completed.id);
  return times.map((values) => median(values.slice(1)));
}

interface Footprint {
  readonly files: number;
  readonly bytes: number;
  /** What the files take on disk: whole blocks. */
  readonly allocated: number;
}

function footprint(folder: string): Footprint {
  let files = 0;
  let bytes = 0;
  let allocated = 0;
  for (const name of fs.readdirSync(folder)) {
    const stat = fs.statSync(path.join(folder, name));
    files++;
    bytes += stat.size;
    allocated += stat.blocks * 512;
  }
  return { files, bytes, allocated };
}

// --- Report --------------------------------------------------------------------------------

interface Figures {
  readonly machine: Machine;
  readonly activation: ActivationFigures;
  readonly listMs: number;
  readonly tree: TreeSample[];
  readonly showJobs: Array<{ ms: number; items: number }>;
  readonly gallery: GalleryFigures;
  readonly saveMs: number;
  readonly footprint: Footprint;
}

async function measure(machine: Machine, session: BrowserSession): Promise<Omit<Figures, 'saveMs'>> {
  const listMs = median(await sampleMs(RUNS, () => timed(() => newStore(machine).list())));
  const tree: TreeSample[] = [];
  await treeSample(machine);
  for (let run = 0; run < RUNS; run++) tree.push(await treeSample(machine));
  const shown: Array<{ ms: number; items: number }> = [];
  await showJobsSample(machine);
  for (let run = 0; run < RUNS; run++) shown.push(await showJobsSample(machine));
  const galleryFigures = await gallery(machine, session);
  const figures = { footprint: footprint(machine.jobsFolder), activation: await activation(machine) };
  return { machine, listMs, tree, showJobs: shown, gallery: galleryFigures, ...figures };
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

function describeFootprint({ files, bytes, allocated }: Footprint, clips: number): string {
  return `${kb(allocated)} on disk (${kb(bytes)} of data) in ${files} files: ${(allocated / clips).toFixed(0)} B per clip`;
}

function printFigures(figures: Figures): void {
  const { machine } = figures;
  const g = figures.gallery;
  const rows: Array<[string, string]> = [
    ['activation, nothing pending: the start-up listing (checkPending)', ms(figures.activation.ms)],
    ['  their file-system calls in the job store', figures.activation.calls.join(', ')],
    ['JobStore.list() in a new window', ms(figures.listMs)],
    ["'This machine': days + first day's clips as tree items", ms(median(figures.tree.map((t) => t.firstDayMs)))],
    [`'This machine': + every expanded day (${figures.tree[0].expandedDays} days, ${figures.tree[0].items} items)`, ms(median(figures.tree.map((t) => t.expandedMs)))],
    [`Show Jobs: command → ${figures.showJobs[0].items} quick-pick items`, ms(median(figures.showJobs.map((s) => s.ms)))],
    ['gallery host: read the store and the copies (list ∥ LocalCopies.load)', ms(median(g.host.map((h) => h.readMs)))],
    [`gallery host: galleryDeck (${g.host[0].clips} clips) and the first message's cards`, ms(median(g.host.map((h) => h.buildMs)))],
    [`gallery host: first message to JSON (${kb(Buffer.byteLength(g.host[0].firstJson))})`, ms(median(g.host.map((h) => h.serializeMs)))],
    ['gallery page: load until ready', ms(median(g.pages.map((p) => p.loadMs)))],
    ['  an empty page, for comparison', ms(median(g.emptyMs))],
    ['gallery page: first message posted → painted', ms(median(g.pages.map((p) => p.postToPaintMs)))],
    ['gallery first paint (host ∥ page load, + paint)', ms(median(g.firstPaintMs))],
    [`gallery, then: the other ${g.host[0].restJson.length} messages made, to JSON (${kb(g.host[0].restJson.reduce((sum, json) => sum + Buffer.byteLength(json), 0))})`, ms(median(g.host.map((h) => h.restMs)))],
    ['gallery, then: posted → every card made in the page', ms(median(g.restMs))],
    ['record a completion (JobStore.save)', ms(figures.saveMs)],
    ['footprint', describeFootprint(figures.footprint, machine.clips)],
    ['before the roll-up (one file a record): footprint', describeFootprint(machine.migration.footprint, machine.clips)],
    ['before the roll-up: checkPending (the listing at activation)', ms(machine.migration.hasPendingMs)],
    ['before the roll-up: JobStore.list() in a new window', ms(machine.migration.listMs)],
    [`the roll-up, once (${machine.migration.rolledUp} records)`, ms(machine.migration.rollUpMs)],
  ];
  console.log(`\n${machine.clips} job records (${machine.copies} local copies)`);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(66)} ${value}`);
}

function record(history: Figures, baseline: Figures): void {
  const row = (measure: string, value: string, base: string, goal?: string, met?: boolean) => recordRow({ section: SECTION, measure, value, baseline: base, goal, met });
  const withBaseline = (value: string) => `${value} with ${BASELINE} records`;
  const { migration } = history.machine;
  const activationText = (figures: Figures) => `${figures.activation.listings} listing, ${figures.activation.reads} files read, ${ms(figures.activation.ms)}`;
  row(
    'activation with nothing pending: what it asks of the job store',
    activationText(history),
    `${withBaseline(activationText(baseline))}; before the roll-up, a listing of ${HISTORY.toLocaleString('en-US')} files: ${ms(migration.hasPendingMs)}`,
    'one directory listing, no record read',
    history.activation.listings === 1 && history.activation.reads === 0,
  );
  const tree = (figures: Figures) => median(figures.tree.map((t) => t.expandedMs));
  row(`'This machine' view: the days, and the clips of every day shown open, as tree items`, ms(tree(history)), withBaseline(ms(tree(baseline))), `< ${GOAL_MS} ms`, tree(history) < GOAL_MS);
  const firstDay = (figures: Figures) => median(figures.tree.map((t) => t.firstDayMs));
  row(`'This machine' view: the days, and the first day's clips`, ms(firstDay(history)), withBaseline(ms(firstDay(baseline))), `< ${GOAL_MS} ms`, firstDay(history) < GOAL_MS);
  const paint = (figures: Figures) => median(figures.gallery.firstPaintMs);
  row('gallery first paint (clips read while the page loads, then painted)', ms(paint(history)), withBaseline(ms(paint(baseline))), `< ${GOAL_MS} ms`, paint(history) < GOAL_MS);
  const shown = (figures: Figures) => median(figures.showJobs.map((s) => s.ms));
  row('Show Jobs: command → its quick-pick items', ms(shown(history)), withBaseline(ms(shown(baseline))), `< ${GOAL_MS} ms`, shown(history) < GOAL_MS);
  row('JobStore.list() in a new window', ms(history.listMs), `${withBaseline(ms(baseline.listMs))}; ${ms(migration.listMs)} before the roll-up`);
  row(
    'record a completion (JobStore.save)',
    ms(history.saveMs),
    withBaseline(ms(baseline.saveMs)),
    `does not grow: ≤ ${GROWTH_LIMIT}× the time with ${BASELINE} records`,
    history.saveMs <= GROWTH_LIMIT * baseline.saveMs,
  );
  const perClip = (figures: Figures) => figures.footprint.allocated / figures.machine.clips;
  row(
    'job store footprint',
    describeFootprint(history.footprint, HISTORY),
    `${withBaseline(describeFootprint(baseline.footprint, BASELINE))}; before the roll-up ${describeFootprint(migration.footprint, HISTORY)}`,
    `per clip ≤ ${GROWTH_LIMIT}× the footprint with ${BASELINE} records, ≤ ${MAX_FILES} files`,
    perClip(history) <= GROWTH_LIMIT * perClip(baseline) && history.footprint.files <= MAX_FILES,
  );
  row(`the roll-up of a history kept one file a record (once, in the background, after the first listing)`, `${ms(migration.rollUpMs)} for ${migration.rolledUp} records`, withBaseline(ms(baseline.machine.migration.rollUpMs)));
}

async function main(): Promise<void> {
  const now = Date.now();
  const machines: Machine[] = [];
  const session = await launchBrowser({ viewport: VIEWPORT });
  try {
    const loadBefore = os.loadavg()[0];
    const measured: Array<Omit<Figures, 'saveMs'>> = [];
    for (const clips of [BASELINE, HISTORY]) {
      const machine = await makeMachine(clips, now);
      machines.push(machine);
      measured.push(await measure(machine, session));
    }
    const saves = await saveCompletions(machines);
    const figures: Figures[] = measured.map((figure, index) => ({ ...figure, saveMs: saves[index] }));
    figures.forEach(printFigures);
    console.log(
      `\nHistory bench: ${RUNS} runs of each measure, Node ${process.version}, Chromium ${session.browser.version()}, ` +
        `${os.cpus().length} CPUs (load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)})`,
    );
    record(figures[1], figures[0]);
  } finally {
    await session.close();
    for (const machine of machines) removeTempDir(machine.folder);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
