// A fast check, beside the measurement in a real editor (codeServerActivation.ts): what
// activation costs when no job is pending (the start-up case) with a stand-in for the `vscode`
// module, that nothing but the start-up entry is loaded, what loading node-fetch would add,
// and the size of what ships. Run with `npm run bench`.
//
// Each sample is a fresh Node process: it requires the production bundle with a minimal
// stand-in for the `vscode` module (only what activation touches), calls activate(), and
// reports timings and which bundles got loaded.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { recordRow } from './results';

const root = path.resolve(__dirname, '../../..');
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 15);

const SAMPLE_SCRIPT = String.raw`
const Module = require('module');
const path = require('path');
const calls = [];
const disposable = { dispose() {} };
const record = (name) => (...args) => { calls.push(name); return disposable; };
class EventEmitter {
  constructor() { this.listeners = []; this.event = (listener) => { this.listeners.push(listener); return disposable; }; }
  fire(value) { for (const listener of this.listeners) listener(value); }
  dispose() {}
}
const treeView = () => ({ visible: false, onDidChangeVisibility: () => disposable, dispose() {} });
const vscode = {
  version: '1.139.1',
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  EventEmitter,
  commands: { registerCommand: record('commands.registerCommand'), executeCommand: async (...args) => { calls.push('commands.executeCommand'); } },
  window: {
    registerWebviewPanelSerializer: record('window.registerWebviewPanelSerializer'),
    createTreeView: (...args) => { calls.push('window.createTreeView'); return treeView(); },
    tabGroups: { all: [], onDidChangeTabs: record('window.tabGroups.onDidChangeTabs') },
  },
  TabInputWebview: class {},
  workspace: {
    textDocuments: [],
    onDidOpenTextDocument: record('workspace.onDidOpenTextDocument'),
    onDidChangeTextDocument: record('workspace.onDidChangeTextDocument'),
    onDidChangeConfiguration: record('workspace.onDidChangeConfiguration'),
  },
  Disposable: class { constructor(dispose) { this.dispose = dispose; } },
  env: {}, l10n: { t: (m) => m },
};
const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return vscode;
  return originalLoad.call(this, request, parent, isMain);
};
const [bundle, storage] = process.argv.slice(1);
const t0 = process.hrtime.bigint();
const extension = require(bundle);
const t1 = process.hrtime.bigint();
const context = {
  subscriptions: [], extensionPath: path.dirname(path.dirname(bundle)), extensionUri: {},
  globalStorageUri: { fsPath: storage }, secrets: { onDidChange: record('secrets.onDidChange'), get: async () => { calls.push('secrets.get'); return undefined; } }, extensionMode: 1,
};
Promise.resolve(extension.activate(context)).then(() => {
  const t2 = process.hrtime.bigint();
  const loaded = Object.keys(require.cache).map((file) => path.basename(file));
  process.stdout.write(JSON.stringify({
    requireMs: Number(t1 - t0) / 1e6,
    activateMs: Number(t2 - t1) / 1e6,
    fetchLoaded: loaded.includes('fetch.js'),
    mainLoaded: loaded.includes('main.js'),
    vscodeCalls: calls.length,
  }));
  // The job folder's watcher would keep this process alive.
  process.exit(0);
});
`;

const FETCH_SCRIPT = String.raw`
const t0 = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`;

interface Sample {
  requireMs: number;
  activateMs: number;
  fetchLoaded: boolean;
  mainLoaded: boolean;
  vscodeCalls: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function kilobytes(file: string): string {
  return fs.existsSync(file) ? `${(fs.statSync(file).size / 1024).toFixed(1)} KB` : 'not built';
}

function runNode(script: string, args: string[]): string {
  const result = spawnSync(process.execPath, ['-e', script, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

function main(): void {
  const bundle = path.join(root, 'dist', 'extension.js');
  const fetchBundle = path.join(root, 'dist', 'fetch.js');
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'pictory-bench-'));
  try {
    const samples: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(JSON.parse(runNode(SAMPLE_SCRIPT, [bundle, storage])) as Sample);
    const fetchMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) fetchMs.push(Number(runNode(FETCH_SCRIPT, [fetchBundle])));

    console.log(`Pictory extension benchmark (commit ${head}, Node ${process.version}, ${os.cpus().length} CPUs, ${SAMPLES} fresh processes each)`);
    console.log('');
    console.log(`dist/extension.js            ${kilobytes(bundle)}`);
    console.log(`dist/fetch.js (node-fetch)   ${kilobytes(fetchBundle)}`);
    console.log(`pictory-vscode.vsix          ${kilobytes(path.join(root, 'pictory-vscode.vsix'))}`);
    console.log('');
    console.log('Activation with no pending job (start-up):');
    console.log(`  require extension bundle   median ${median(samples.map((s) => s.requireMs)).toFixed(2)} ms`);
    console.log(`  activate()                 median ${median(samples.map((s) => s.activateMs)).toFixed(2)} ms`);
    console.log(`  VS Code API calls          ${samples[0].vscodeCalls} (command, serializer and tree view registrations, one context key)`);
    console.log(`  node-fetch loaded          ${samples.some((s) => s.fetchLoaded) ? 'YES (regression)' : 'no'}`);
    console.log(`  dist/main.js loaded        ${samples.some((s) => s.mainLoaded) ? 'YES (regression)' : 'no'}`);
    console.log(`Loading node-fetch, deferred to the first request: median ${median(fetchMs).toFixed(2)} ms`);
    const section = '4. Activation: fast check in plain Node, with a stand-in for vscode';
    const onlyEntry = !samples.some((s) => s.fetchLoaded || s.mainLoaded);
    recordRow({ section, measure: 'Start-up entry (dist/extension.js) and the rest (dist/main.js)', value: `${kilobytes(bundle)} + ${kilobytes(path.join(root, 'dist', 'main.js'))}` });
    recordRow({ section, measure: `require + activate() with no pending job (median of ${SAMPLES} processes)`, value: `${median(samples.map((s) => s.requireMs)).toFixed(2)} + ${median(samples.map((s) => s.activateMs)).toFixed(2)} ms` });
    recordRow({ section, measure: 'Loaded at activation', value: onlyEntry ? 'the entry only' : 'more than the entry', goal: 'neither dist/main.js nor node-fetch', met: onlyEntry });
  } finally {
    fs.rmSync(storage, { recursive: true, force: true });
  }
}

main();
