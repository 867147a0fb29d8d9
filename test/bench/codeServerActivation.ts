// Measures the extension's activation inside a real VS Code extension host (code-server's),
// beside an empty extension's. Run with
//   npm run package && node esbuild.js --tests && node out/test/bench/codeServerActivation.js
// (BENCH_SAMPLES=n samples of each, 10 by default; at least 5 count for the goals; about
// 15 s per sample). Goals: at most 1.3× the empty extension's time (medians), and at most
// 500 KB of heap growth with no job pending.
//
// The packaged pictory-vscode.vsix is installed into a temporary extensions folder, and the
// installed copy's manifest loses its `onStartupFinished` activation event, so that nothing
// activates it on its own. Beside it go two extensions generated here: an empty one (the same
// `engines`, one command, activated only by that command) and a probe, activated on
// `onStartupFinished`. The probe waits 5 s for start-up to settle, forces a full garbage
// collection, reads the heap and the clock, calls `activate()` on the target extension through
// the API (the extension host then loads its module and awaits its `activate()`), collects
// again and reads again, and writes the time and the heap growth to a file the bench waits
// for. The target's id and that file's path reach the probe through the server's environment,
// which its extension host inherits.
//
// Every sample is a fresh code-server (its own user data, an empty workspace, no stored
// jobs: nothing pending) with a fresh browser context opening its workbench, so a fresh
// extension host; samples alternate the extension and the empty one. Every sample is printed,
// as the times are not always unimodal. The figures go to the bench table (results.ts); a
// missed goal is a verdict for report.ts, and the exit code is non-zero only on errors.
//
// Limits: the time includes the extension host's own work for any activation (creating the
// extension's context, the storage round trip to the workbench), which the empty extension
// shows too; it is wall-clock time on a machine shared with the browser and code-server, so
// single samples vary by tens of milliseconds. The heap figure is the whole extension host's
// heap, so other extensions' work during the activation would count (the settling wait keeps
// it small: the empty extension's growth, around 0 ± 100 KB, shows that noise).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { BrowserSession, launchBrowser, openWorkbench } from '../harness/browser';
import { Cleanup, cleanUpOnInterrupt, errorMessage, makeTempDir, removeTempDir } from '../harness/cleanup';
import { installExtension, startCodeServer, workbenchUrl } from '../harness/codeServer';
import { findExtensionHostLogs, printLogTails } from '../harness/extensionHostLogs';
import { repoRoot } from '../harness/paths';
import { tailOfFile, waitUntil } from '../harness/processes';
import { ensureToolchain } from '../harness/toolchain';
import { median, recordRow } from './results';

const SECTION = '4. Activation in a real VS Code';
const MIN_SAMPLES_FOR_GOALS = 5;
const RATIO_GOAL = 1.3;
const HEAP_GOAL_KB = 500;
const SAMPLE_TIMEOUT_MS = 90_000;
/**
 * How long the probe waits after `onStartupFinished` before measuring. Built-in extensions
 * and the workbench are still busy for a few seconds; 5 s gave the steadiest baseline.
 */
const SETTLE_MS = 5000;

const PICTORY_ID = 'pictory-vscode.pictory-vscode';
const BENCH_PUBLISHER = 'pictory-bench';
const EMPTY_NAME = 'empty-extension';
const PROBE_NAME = 'activation-probe';
const EMPTY_ID = `${BENCH_PUBLISHER}.${EMPTY_NAME}`;
const TARGET_ENV = 'PICTORY_BENCH_TARGET';
const RESULT_ENV = 'PICTORY_BENCH_RESULT_FILE';

type Subject = 'pictory' | 'empty';
const SUBJECT_IDS: Record<Subject, string> = { pictory: PICTORY_ID, empty: EMPTY_ID };

interface Sample {
  readonly subject: Subject;
  /** From the call to `activate()` until its promise settled. */
  readonly ms: number;
  /** Growth of the extension host's heap across the activation, both read after a full GC. */
  readonly heapBytes: number;
}

/** What the probe writes: the figures, or why it could not measure. */
interface ProbeResult {
  readonly ms?: number;
  readonly heapBytes?: number;
  readonly error?: string;
}

function samplesPerSubject(): number {
  const value = Number(process.env.BENCH_SAMPLES ?? 10);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BENCH_SAMPLES must be a positive integer, not "${process.env.BENCH_SAMPLES}"`);
  return value;
}

function vsixPath(): string {
  return path.join(repoRoot(), 'pictory-vscode.vsix');
}

// ---------------------------------------------------------------------------------------
// The extensions folder: the installed extension, the empty extension and the probe.

const PROBE_SOURCE = String.raw`
const vscode = require('vscode');
const fs = require('fs');
const v8 = require('v8');
const vm = require('vm');

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');
v8.setFlagsFromString('--no-expose-gc');

function heapUsed() {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function report(result) {
  const file = process.env.${RESULT_ENV};
  fs.writeFileSync(file + '.tmp', JSON.stringify(result));
  fs.renameSync(file + '.tmp', file);
}

async function measure() {
  const id = process.env.${TARGET_ENV};
  const target = vscode.extensions.getExtension(id);
  if (!target) throw new Error('extension ' + id + ' is not installed');
  if (target.isActive) throw new Error('extension ' + id + ' was activated before the probe');
  const heapBefore = heapUsed();
  const start = performance.now();
  await target.activate();
  const ms = performance.now() - start;
  report({ ms, heapBytes: heapUsed() - heapBefore });
}

exports.activate = function () {
  setTimeout(() => measure().catch((error) => report({ error: String(error && error.stack || error) })), ${SETTLE_MS});
};
exports.deactivate = function () {};
`;

const EMPTY_SOURCE = String.raw`
const vscode = require('vscode');
exports.activate = function (context) {
  context.subscriptions.push(vscode.commands.registerCommand('${EMPTY_NAME}.hello', () => undefined));
};
exports.deactivate = function () {};
`;

interface ExtensionsJsonEntry {
  identifier: { id: string };
  version: string;
  location: { $mid: number; path: string; scheme: string };
  relativeLocation: string;
  metadata?: Record<string, unknown>;
}

function readExtensionsJson(extensionsDir: string): ExtensionsJsonEntry[] {
  return JSON.parse(fs.readFileSync(path.join(extensionsDir, 'extensions.json'), 'utf8')) as ExtensionsJsonEntry[];
}

function installedFolder(extensionsDir: string, id: string): string {
  const entry = readExtensionsJson(extensionsDir).find((candidate) => candidate.identifier.id === id);
  if (!entry) throw new Error(`${id} is not listed in ${extensionsDir}/extensions.json`);
  return path.join(extensionsDir, entry.relativeLocation);
}

/** The installed copy's manifest without `onStartupFinished`: only the probe activates it. */
function removeStartupActivation(extensionFolder: string): string[] {
  const manifestFile = path.join(extensionFolder, 'package.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { activationEvents?: string[] };
  const events = manifest.activationEvents ?? [];
  if (!events.includes('onStartupFinished')) throw new Error(`${manifestFile} has no onStartupFinished activation event`);
  manifest.activationEvents = events.filter((event) => event !== 'onStartupFinished');
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  return manifest.activationEvents;
}

function engines(extensionFolder: string): Record<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionFolder, 'package.json'), 'utf8')) as { engines: Record<string, string> };
  return manifest.engines;
}

/** Writes an unpackaged extension into the folder and lists it in extensions.json, as an install would. */
function addExtension(extensionsDir: string, name: string, manifest: Record<string, unknown>, source: string): void {
  const version = '1.0.0';
  const relativeLocation = `${BENCH_PUBLISHER}.${name}-${version}`;
  const folder = path.join(extensionsDir, relativeLocation);
  fs.mkdirSync(folder, { recursive: true });
  const fullManifest = { name, publisher: BENCH_PUBLISHER, version, main: './extension.js', ...manifest };
  fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify(fullManifest, null, 2));
  fs.writeFileSync(path.join(folder, 'extension.js'), source);
  const entries = readExtensionsJson(extensionsDir);
  entries.push({
    identifier: { id: `${BENCH_PUBLISHER}.${name}` },
    version,
    location: { $mid: 1, path: folder, scheme: 'file' },
    relativeLocation,
    metadata: { installedTimestamp: Date.now(), source: 'vsix' },
  });
  fs.writeFileSync(path.join(extensionsDir, 'extensions.json'), JSON.stringify(entries));
}

function addEmptyExtension(extensionsDir: string, sameEngines: Record<string, string>): void {
  const command = `${EMPTY_NAME}.hello`;
  addExtension(extensionsDir, EMPTY_NAME, {
    displayName: 'Empty extension (bench baseline)',
    engines: sameEngines,
    activationEvents: [`onCommand:${command}`],
    contributes: { commands: [{ command, title: 'Hello from the empty extension' }] },
  }, EMPTY_SOURCE);
}

function addProbe(extensionsDir: string, sameEngines: Record<string, string>): void {
  addExtension(extensionsDir, PROBE_NAME, {
    displayName: 'Activation probe (bench)',
    engines: sameEngines,
    activationEvents: ['onStartupFinished'],
  }, PROBE_SOURCE);
}

async function prepareExtensions(extensionsDir: string): Promise<void> {
  await installExtension(vsixPath(), extensionsDir);
  const pictoryFolder = installedFolder(extensionsDir, PICTORY_ID);
  const remaining = removeStartupActivation(pictoryFolder);
  console.log(`Installed ${path.basename(pictoryFolder)}; activation events left: ${remaining.join(', ')}`);
  const sameEngines = engines(pictoryFolder);
  addEmptyExtension(extensionsDir, sameEngines);
  addProbe(extensionsDir, sameEngines);
}

// ---------------------------------------------------------------------------------------
// One sample: a fresh code-server and workbench, until the probe reports.

async function runSample(browser: Browser, extensionsDir: string, subject: Subject): Promise<Sample> {
  const dir = makeTempDir('pictory-bench-activation-sample-');
  const cleanup = new Cleanup();
  cleanup.add('sample folder', () => removeTempDir(dir));
  try {
    return await measureIn(dir, cleanup, browser, extensionsDir, subject);
  } finally {
    await cleanup.runAll();
  }
}

async function measureIn(dir: string, cleanup: Cleanup, browser: Browser, extensionsDir: string, subject: Subject): Promise<Sample> {
  const workspace = path.join(dir, 'workspace');
  const userDataDir = path.join(dir, 'user-data');
  const resultFile = path.join(dir, 'probe-result.json');
  fs.mkdirSync(workspace, { recursive: true });
  const server = await startCodeServer({
    workspace,
    userDataDir,
    extensionsDir,
    env: { [TARGET_ENV]: SUBJECT_IDS[subject], [RESULT_ENV]: resultFile },
    settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
    smokeTestDriver: false,
  });
  cleanup.add('code-server', () => server.stop());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  cleanup.add('browser context', () => context.close());
  await openWorkbench(await context.newPage(), workbenchUrl(server, workspace));
  if (!(await waitUntil(() => fs.existsSync(resultFile), SAMPLE_TIMEOUT_MS, 50))) {
    printLogTails([server.logFile, ...findExtensionHostLogs(userDataDir)], 30);
    throw new Error(`The probe did not report within ${SAMPLE_TIMEOUT_MS / 1000} s (${subject})`);
  }
  return toSample(subject, JSON.parse(fs.readFileSync(resultFile, 'utf8')) as ProbeResult, server.logFile);
}

function toSample(subject: Subject, result: ProbeResult, logFile: string): Sample {
  if (result.error !== undefined || result.ms === undefined || result.heapBytes === undefined) {
    throw new Error(`The probe could not measure ${subject}: ${result.error ?? 'no figures'}\n${tailOfFile(logFile, 20)}`);
  }
  return { subject, ms: result.ms, heapBytes: result.heapBytes };
}

// ---------------------------------------------------------------------------------------
// The run and its figures.

async function runAll(browser: Browser, extensionsDir: string, rounds: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const subject of ['pictory', 'empty'] as const) {
      const sample = await runSample(browser, extensionsDir, subject);
      console.log(`  ${round}/${rounds} ${subject.padEnd(7)} ${sample.ms.toFixed(1).padStart(6)} ms  ${kilobytes(sample.heapBytes).padStart(8)}`);
      samples.push(sample);
    }
  }
  return samples;
}

function kilobytes(bytes: number): string {
  return `${bytes < 0 ? '−' : '+'}${Math.abs(bytes / 1024).toFixed(0)} KB`;
}

function of(samples: readonly Sample[], subject: Subject): Sample[] {
  return samples.filter((sample) => sample.subject === subject);
}

interface Figures {
  readonly pictory: Sample[];
  readonly empty: Sample[];
  readonly pictoryMs: number;
  readonly emptyMs: number;
  readonly pictoryHeap: number;
  readonly emptyHeap: number;
  readonly ratio: number;
  /** Whether there are enough samples to judge the goals. */
  readonly enough: boolean;
}

function figuresOf(samples: readonly Sample[]): Figures {
  const pictory = of(samples, 'pictory');
  const empty = of(samples, 'empty');
  const pictoryMs = median(pictory.map((sample) => sample.ms));
  const emptyMs = median(empty.map((sample) => sample.ms));
  return {
    pictory,
    empty,
    pictoryMs,
    emptyMs,
    pictoryHeap: median(pictory.map((sample) => sample.heapBytes)),
    emptyHeap: median(empty.map((sample) => sample.heapBytes)),
    ratio: pictoryMs / emptyMs,
    enough: pictory.length >= MIN_SAMPLES_FOR_GOALS,
  };
}

function printSummary(figures: Figures): void {
  console.log('');
  console.log(`Activation (module load + activate()), median of ${figures.pictory.length} fresh extension hosts each:`);
  console.log(`  pictory-vscode    ${figures.pictoryMs.toFixed(1)} ms  heap ${kilobytes(figures.pictoryHeap)}`);
  console.log(`  empty extension   ${figures.emptyMs.toFixed(1)} ms  heap ${kilobytes(figures.emptyHeap)}`);
  console.log(`  ratio             ${figures.ratio.toFixed(2)}× (goal ≤ ${RATIO_GOAL}×); heap goal ≤ ${HEAP_GOAL_KB} KB`);
  if (!figures.enough) console.log(`  (fewer than ${MIN_SAMPLES_FOR_GOALS} samples each: goals not judged)`);
}

function listMs(samples: readonly Sample[]): string {
  return samples.map((sample) => sample.ms.toFixed(1)).join(', ');
}

function listKb(samples: readonly Sample[]): string {
  return samples.map((sample) => (sample.heapBytes / 1024).toFixed(0)).join(', ');
}

function recordRows(figures: Figures): void {
  const verdict = (met: boolean): { met?: boolean } => (figures.enough ? { met } : {});
  recordRow({
    section: SECTION,
    measure: "activation in code-server's extension host (median)",
    value: `${figures.pictoryMs.toFixed(1)} ms (${figures.ratio.toFixed(2)}×)`,
    baseline: `empty extension: ${figures.emptyMs.toFixed(1)} ms`,
    goal: `≤ ${RATIO_GOAL}× the empty extension`,
    ...verdict(figures.ratio <= RATIO_GOAL),
  });
  recordRow({
    section: SECTION,
    measure: 'heap growth on activation, nothing pending (median)',
    value: `${(figures.pictoryHeap / 1024).toFixed(0)} KB`,
    baseline: `empty extension: ${(figures.emptyHeap / 1024).toFixed(0)} KB`,
    goal: `≤ ${HEAP_GOAL_KB} KB`,
    ...verdict(figures.pictoryHeap <= HEAP_GOAL_KB * 1024),
  });
  recordRow({
    section: SECTION,
    measure: 'every sample, in order: ms / KB',
    value: `${listMs(figures.pictory)} ms / ${listKb(figures.pictory)} KB`,
    baseline: `empty extension: ${listMs(figures.empty)} ms / ${listKb(figures.empty)} KB`,
  });
}

async function main(): Promise<void> {
  const rounds = samplesPerSubject();
  if (!fs.existsSync(vsixPath())) throw new Error(`${vsixPath()} is missing: run \`npm run package\` first`);
  await ensureToolchain();
  const cleanup = new Cleanup();
  cleanUpOnInterrupt(cleanup);
  try {
    const root = makeTempDir('pictory-bench-activation-');
    cleanup.add('temp folder', () => removeTempDir(root));
    const extensionsDir = path.join(root, 'extensions');
    await prepareExtensions(extensionsDir);
    const session: BrowserSession = await launchBrowser();
    cleanup.add('browser', () => session.close());
    console.log(`Activation in code-server's extension host (${os.cpus().length} CPUs), ${rounds} samples each, alternating:`);
    const figures = figuresOf(await runAll(session.browser, extensionsDir, rounds));
    printSummary(figures);
    recordRows(figures);
  } finally {
    await cleanup.runAll();
  }
}

main().catch((error: unknown) => {
  console.error(`The activation bench failed: ${errorMessage(error)}`);
  process.exit(1);
});
