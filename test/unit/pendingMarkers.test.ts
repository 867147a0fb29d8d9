import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lookForPending } from '../../src/jobs/pendingMarkers';

const EVERY_MS = 20;

function until(condition: () => boolean, limitMs = 5000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  return new Promise((resolve) => {
    const check = () => (condition() ? resolve(true) : Date.now() > deadline ? resolve(false) : setTimeout(check, 5));
    check();
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('looking for pending jobs from start-up', () => {
  let root: string;
  let folder: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pictory-pending-'));
    folder = path.join(root, 'jobs');
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds a job left pending by a closed window', async () => {
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'job-1.pending'), '');
    let found = 0;
    const looking = lookForPending(folder, 60_000, () => found++);
    try {
      assert.ok(await until(() => found > 0), 'found');
      await pause(EVERY_MS * 3);
      assert.equal(found, 1, 'reported once');
    } finally {
      looking.dispose();
    }
  });

  it('finds a job another window starts later, and makes no folder while there is none', async () => {
    let found = 0;
    const looking = lookForPending(folder, EVERY_MS, () => found++);
    try {
      await pause(EVERY_MS * 4);
      assert.equal(found, 0);
      assert.equal(fs.existsSync(folder), false, 'no folder made');
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, 'job-1.json'), '{}');
      await pause(EVERY_MS * 4);
      assert.equal(found, 0, 'a finished record is not a pending job');
      fs.writeFileSync(path.join(folder, 'job-2.pending'), '');
      assert.ok(await until(() => found > 0), 'found');
      fs.writeFileSync(path.join(folder, 'job-3.pending'), '');
      await pause(EVERY_MS * 4);
      assert.equal(found, 1, 'reported once');
    } finally {
      looking.dispose();
    }
  });

  it('stops looking once disposed, also with a listing under way', async () => {
    let found = 0;
    const waiting = lookForPending(folder, EVERY_MS, () => found++);
    await pause(EVERY_MS * 2);
    waiting.dispose();
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'job-1.pending'), '');
    lookForPending(folder, EVERY_MS, () => found++).dispose();
    await pause(EVERY_MS * 5);
    assert.equal(found, 0);
  });
});
