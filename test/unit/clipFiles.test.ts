import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobRecord } from '../../src/jobs/jobRecord';
import { claimClipFiles, clipBaseName, clipSidecar, releaseClipFiles } from '../../src/studio/clipFiles';
import { makeTempDir, removeDir } from './support';

describe('names of saved clips', () => {
  it('are the prompt\'s first words, with nothing a file system refuses or reads as a path', () => {
    assert.equal(clipBaseName('A red kite over the dunes', 'pictory-1'), 'A red kite over the dunes');
    assert.equal(clipBaseName('../../etc/passwd', 'pictory-1'), 'etc passwd');
    assert.equal(clipBaseName('Waves: "at dawn" / slow?*<>|\\', 'pictory-1'), 'Waves at dawn slow');
    assert.equal(clipBaseName('line one\nline\ttwo\u0000three', 'pictory-1'), 'line one line two three');
    assert.equal(clipBaseName('  -rf the.old.files.  ', 'pictory-1'), 'rf the old files');
    assert.equal(clipBaseName('Café au lait, 東京の夜 🌃', 'pictory-1'), 'Café au lait 東京の夜');
    assert.equal(clipBaseName('CON', 'pictory-1'), 'CON_');
    assert.equal(clipBaseName('lpt1', 'pictory-1'), 'lpt1_');
  });

  it('fall back to the job when the prompt leaves nothing', () => {
    assert.equal(clipBaseName('🌃 ... ?!', 'pictory-job/42'), 'pictory-job 42');
    assert.equal(clipBaseName('', '..'), 'clip');
  });

  it('are short, cut between words, in characters and in bytes', () => {
    const long = 'A slow pan across a misty mountain valley at sunrise with birds circling above the pines';
    const name = clipBaseName(long, 'x');
    assert.equal(name, 'A slow pan across a misty mountain valley at sunrise with');
    assert.ok([...name].length <= 60);
    const wide = clipBaseName('東'.repeat(200), 'x');
    assert.ok(Buffer.byteLength(wide) <= 180, `${Buffer.byteLength(wide)} bytes`);
  });
});

describe('the sidecar of a saved clip', () => {
  const record: JobRecord = {
    id: 'job-7',
    endpoint: 'https://api.pictory.ai/pictoryapis',
    request: { prompt: 'A red kite', model: 'veo3.1', aspectRatio: '9:16', duration: '8s', firstFrameImageUrl: 'https://cdn.example/f.jpg' },
    submittedAt: Date.parse('2026-03-10T12:00:00.000Z'),
    deadline: 0,
    state: 'completed',
    updatedAt: 0,
    video: { url: 'https://cdn.example/v.mp4', aiCreditsUsed: 160 },
  };

  it('has the request, the cost, the job, the date and the address, and nothing else', () => {
    assert.deepEqual(clipSidecar(record, 'https://cdn.example/v.mp4'), {
      prompt: 'A red kite',
      model: 'veo3.1',
      aspectRatio: '9:16',
      duration: '8s',
      credits: 160,
      jobId: 'job-7',
      date: '2026-03-10T12:00:00.000Z',
      url: 'https://cdn.example/v.mp4',
    });
  });

  it('says null when Pictory reported no cost', () => {
    assert.equal(clipSidecar({ ...record, video: { url: 'https://cdn.example/v.mp4' } }, 'https://cdn.example/v.mp4').credits, null);
  });
});

describe('claiming the files of a clip', () => {
  let folder: string;
  beforeEach(() => {
    folder = makeTempDir('clips');
  });
  afterEach(() => removeDir(folder));

  it('numbers the name until both files are free, and never touches an existing file', async () => {
    fs.writeFileSync(path.join(folder, 'Kite.mp4'), 'mine');
    fs.writeFileSync(path.join(folder, 'Kite (2).json'), '{"mine":true}');
    const files = await claimClipFiles(folder, 'Kite');
    assert.deepEqual(files, { video: path.join(folder, 'Kite (3).mp4'), sidecar: path.join(folder, 'Kite (3).json') });
    assert.equal(fs.readFileSync(path.join(folder, 'Kite.mp4'), 'utf8'), 'mine');
    assert.equal(fs.readFileSync(path.join(folder, 'Kite (2).json'), 'utf8'), '{"mine":true}');
    assert.deepEqual(fs.readdirSync(folder).sort(), ['Kite (2).json', 'Kite (3).json', 'Kite (3).mp4', 'Kite.mp4']);
  });

  it('gives clips claimed at the same moment different names', async () => {
    const claimed = await Promise.all([1, 2, 3].map(() => claimClipFiles(folder, 'Same')));
    assert.deepEqual(claimed.map((files) => path.basename(files.video)).sort(), ['Same (2).mp4', 'Same (3).mp4', 'Same.mp4']);
  });

  it('releases what it claimed', async () => {
    await releaseClipFiles(await claimClipFiles(folder, 'Gone'));
    assert.deepEqual(fs.readdirSync(folder), []);
  });
});
