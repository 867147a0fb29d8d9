import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JobRecord, VideoJobRecord } from '../../src/jobs/jobRecord';
import { JobStore, JobStoreOptions } from '../../src/jobs/jobStore';
import { jobRecord, makeTempDir, removeDir, waitFor } from './support';

const HOUR_MS = 3_600_000;
const HISTORY = { rollUpAt: 3, quietMs: HOUR_MS, fileSize: 4 };

/** A clip that finished a minute after it was sent. */
function record(id: string, submittedAt: number, extra: Partial<VideoJobRecord> = {}): JobRecord {
  return jobRecord(id, submittedAt, { state: 'completed', updatedAt: submittedAt + 60_000, video: { url: `https://cdn.example/${id}.mp4` }, ...extra });
}

describe('job history (records rolled up)', () => {
  let root: string;
  let directory: string;
  const past = Date.now() - 30 * 24 * HOUR_MS;

  beforeEach(() => {
    root = makeTempDir('job-history');
    directory = path.join(root, 'jobs');
  });

  afterEach(() => removeDir(root));

  function newStore(options: JobStoreOptions = {}): JobStore {
    return new JobStore(directory, { history: HISTORY, ...options });
  }

  /** Saves `records` as a window did long ago: their files last written an hour and more before now. */
  async function saveLongAgo(records: readonly JobRecord[]): Promise<void> {
    const store = new JobStore(directory);
    for (const job of records) {
      await store.save(job);
      const when = new Date(job.updatedAt);
      fs.utimesSync(path.join(directory, `${job.id}.json`), when, when);
    }
  }

  function historyFiles(): string[] {
    return fs.readdirSync(directory).filter((name) => name.startsWith('history-') && name.endsWith('.jsonl'));
  }

  /** The ids in the history files, as many times as they are there. */
  function idsInHistory(): string[] {
    return historyFiles()
      .flatMap((name) => fs.readFileSync(path.join(directory, name), 'utf8').split('\n'))
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as JobRecord).id)
      .sort();
  }

  function ended(count: number, prefix = 'old'): JobRecord[] {
    return Array.from({ length: count }, (_, index) => record(`${prefix}-${index}`, past + index * 1000));
  }

  it('rolls ended records into history files, and lists and reads them as before', async () => {
    const records = ended(10);
    await saveLongAgo(records);
    const before = await newStore().list();
    assert.equal(await newStore().rollUp(), 10);
    assert.deepEqual(fs.readdirSync(directory).filter((name) => name.endsWith('.json')), [], 'no file of one record left');
    assert.deepEqual(historyFiles().length, 3, 'at most four records a file');
    assert.deepEqual(idsInHistory(), records.map((job) => job.id).sort());
    const store = newStore();
    assert.deepEqual(await store.list(), before);
    assert.deepEqual(await newStore().get('old-4'), records[4]);
    assert.deepEqual(await newStore().read('old-7'), { kind: 'found', record: records[7] });
    assert.deepEqual(await newStore().read('never-there'), { kind: 'missing' });
  });

  it('leaves followed, recent and newer-version records in files of their own', async () => {
    await saveLongAgo([...ended(3), record('running', past, { state: 'running', video: undefined })]);
    const store = newStore();
    await store.save(record('just-finished', Date.now() - 60_000, { updatedAt: Date.now() }));
    fs.writeFileSync(path.join(directory, 'newer.json'), JSON.stringify({ ...record('newer', past), state: 'rendering' }));
    fs.utimesSync(path.join(directory, 'newer.json'), new Date(past), new Date(past));
    assert.equal(await store.rollUp(), 3);
    assert.deepEqual(fs.readdirSync(directory).filter((name) => name.endsWith('.json')).sort(), ['just-finished.json', 'newer.json', 'running.json']);
    assert.deepEqual((await newStore().list()).map((job) => job.id).sort(), ['just-finished', 'old-0', 'old-1', 'old-2', 'running']);
    assert.equal(await newStore().hasPending(), true);
  });

  it('does nothing until enough records are worth it', async () => {
    await saveLongAgo(ended(2));
    assert.equal(await newStore().rollUp(), 0);
    assert.deepEqual(historyFiles(), []);
  });

  it('lists a record saved again after its roll-up as last saved, once', async () => {
    const records = ended(4);
    await saveLongAgo(records);
    await newStore().rollUp();
    const store = newStore();
    await store.list();
    const { video: _video, ...unfinished } = records[1];
    const checked: JobRecord = { ...unfinished, state: 'running', updatedAt: Date.now() };
    await store.save(checked);
    assert.deepEqual(await store.get('old-1'), checked);
    const listed = await store.list();
    assert.deepEqual(listed.filter((job) => job.id === 'old-1'), [checked]);
    assert.equal(listed.length, 4);
    // Ended again, long ago, and rolled up again: the newest version wins over the older copy.
    const finished: JobRecord = { ...records[1], updatedAt: records[1].updatedAt + 5000, video: { url: 'https://cdn.example/again.mp4' } };
    await saveLongAgo([finished]);
    await saveLongAgo(ended(2, 'more'));
    assert.equal(await newStore().rollUp(), 3);
    assert.deepEqual((await newStore().list()).filter((job) => job.id === 'old-1'), [finished]);
    assert.deepEqual(await newStore().get('old-1'), finished);
  });

  it('takes a removed record out of the history, for this window and the others', async () => {
    await saveLongAgo(ended(6));
    const other = newStore();
    assert.equal((await other.list()).length, 6, 'read before the roll-up');
    await newStore().rollUp();
    assert.equal((await other.list()).length, 6, 'read again from the history files');
    const store = newStore();
    await store.remove('old-2');
    assert.equal(await store.get('old-2'), undefined);
    assert.ok(!idsInHistory().includes('old-2'), 'not in any history file');
    assert.deepEqual((await other.list()).map((job) => job.id).sort(), ['old-0', 'old-1', 'old-3', 'old-4', 'old-5'], 'the other window sees the change');
    assert.equal(await other.get('old-2'), undefined);
    for (const id of ['old-0', 'old-1', 'old-3', 'old-4', 'old-5']) await store.remove(id);
    assert.deepEqual(historyFiles(), [], 'an emptied history file goes');
  });

  it('leaves the history files alone when it records a completion', async () => {
    await saveLongAgo(ended(8));
    const store = newStore();
    await store.rollUp();
    const stamps = () => historyFiles().map((name) => `${name} ${fs.statSync(path.join(directory, name)).mtimeMs}`);
    const before = stamps();
    await store.save(record('new', Date.now(), { state: 'running', video: undefined, updatedAt: Date.now() }));
    await store.save(record('new', Date.now(), { updatedAt: Date.now() }));
    assert.deepEqual(stamps(), before);
    assert.deepEqual(fs.readdirSync(directory).filter((name) => !name.startsWith('history-')), ['new.json']);
  });

  it('merges the history files left small into full ones', async () => {
    await saveLongAgo(ended(9));
    await newStore().rollUp();
    const store = newStore();
    for (const id of ['old-0', 'old-1', 'old-4', 'old-5', 'old-8']) await store.remove(id);
    await saveLongAgo(ended(3, 'later'));
    assert.equal(await newStore().rollUp(), 3);
    const sizes = historyFiles().map((name) => fs.readFileSync(path.join(directory, name), 'utf8').trim().split('\n').length);
    assert.deepEqual(sizes.sort(), [3, 4], `sizes: ${sizes.join(', ')}`);
    assert.deepEqual(idsInHistory(), ['later-0', 'later-1', 'later-2', 'old-2', 'old-3', 'old-6', 'old-7']);
  });

  it('rolls up once when several windows try at once', async () => {
    await saveLongAgo(ended(12));
    const counts = await Promise.all([newStore(), newStore(), newStore()].map((store) => store.rollUp()));
    assert.equal(counts.reduce((sum, count) => sum + count, 0), 12, `rolled up: ${counts.join(', ')}`);
    assert.deepEqual(idsInHistory(), ended(12).map((job) => job.id).sort(), 'each record once');
    assert.ok(!fs.existsSync(path.join(directory, 'history.lock')));
  });

  it('rolls up by itself, a moment after a listing finds enough', async () => {
    await saveLongAgo(ended(5));
    const store = newStore({ history: { ...HISTORY, rollUpDelayMs: 10 } });
    assert.equal((await store.list()).length, 5);
    await waitFor('the roll-up', () => historyFiles().length > 0 && fs.readdirSync(directory).every((name) => !name.endsWith('.json')));
    assert.equal((await store.list()).length, 5);
  });

  it('moves a damaged history file aside, keeping its readable records', async () => {
    await saveLongAgo(ended(3));
    await newStore().rollUp();
    const [name] = historyFiles();
    const file = path.join(directory, name);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const kept = [lines[0], lines[2]].map((line) => (JSON.parse(line) as JobRecord).id).sort();
    const damagedText = `${lines[0]}\n{"id":"old-1","endpoint":\n${lines[2]}\n`;
    fs.writeFileSync(file, damagedText);
    const logs: string[] = [];
    const store = newStore({ log: (message) => logs.push(message) });
    const { records, damaged } = await store.recover();
    const aside = file.replace(/\.jsonl$/, '.damaged');
    assert.deepEqual(records.map((job) => job.id).sort(), kept);
    assert.deepEqual(damaged, [aside]);
    assert.equal(fs.readFileSync(aside, 'utf8'), damagedText, 'kept as it was, for inspection');
    assert.deepEqual(idsInHistory(), kept);
    assert.ok(logs.some((line) => line.includes(aside)));
    assert.deepEqual(await newStore().recover(), { records, damaged: [] }, 'reported once');
  });

  it('reads a history file again once another window changed it, not before', async () => {
    await saveLongAgo(ended(4));
    await newStore().rollUp();
    const store = newStore();
    assert.equal((await store.list()).length, 4);
    const [name] = historyFiles();
    const file = path.join(directory, name);
    // The module itself, which the store calls through.
    const nodeFs = require('node:fs') as typeof fs;
    const reads: string[] = [];
    const original = nodeFs.readFileSync;
    nodeFs.readFileSync = function (this: unknown, ...args: Parameters<typeof fs.readFileSync>) {
      reads.push(String(args[0]));
      return original.apply(this, args);
    } as typeof fs.readFileSync;
    try {
      await store.list();
      assert.equal(reads.length, 0, 'unchanged: from memory');
      // Another window rewrote it (a removal): the same name, other content.
      const kept = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1);
      fs.writeFileSync(`${file}.new`, `${kept.join('\n')}\n`);
      fs.renameSync(`${file}.new`, file);
      assert.equal((await store.list()).length, 3);
    } finally {
      nodeFs.readFileSync = original;
    }
  });

  it('takes over a history lock left by a window that stopped, and waits for a live one', async () => {
    await saveLongAgo(ended(4));
    const lock = path.join(directory, 'history.lock');
    fs.writeFileSync(lock, 'another window');
    assert.equal(await newStore().rollUp(), 0, 'a live roll-up elsewhere');
    fs.utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    assert.equal(await newStore().rollUp(), 4, 'the stopped window’s lock is taken over');
    fs.writeFileSync(lock, 'another window');
    const store = newStore({ history: { ...HISTORY, lockWaitMs: 50 } });
    await assert.rejects(store.remove('old-1'), /being rewritten by another window/);
    setTimeout(() => fs.rmSync(lock), 100);
    await newStore({ history: { ...HISTORY, lockWaitMs: 5000 } }).remove('old-1');
    assert.ok(!idsInHistory().includes('old-1'));
  });
});
