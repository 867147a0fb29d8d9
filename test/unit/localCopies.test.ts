import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobRecord } from '../../src/jobs/jobRecord';
import { copyFolderName, LocalCopies } from '../../src/jobs/localCopies';
import { locateFixturesDir } from '../server/media';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { loadFetch, makeTempDir, removeDir, videoRequest } from './support';

const withAudio = fs.readFileSync(path.join(locateFixturesDir(), 'with-audio.mp4'));
const thumbnail = fs.readFileSync(path.join(locateFixturesDir(), 'thumbnail.jpg'));

describe('local copies of finished clips', () => {
  let server: PictoryServer;
  let folder: string;
  let logged: string[];
  let limit: number;
  let inUse: Set<string>;

  const completed = (id: string, overrides: Partial<JobRecord['video']> = {}): JobRecord => ({
    id,
    endpoint: server.origin,
    request: videoRequest(),
    submittedAt: 1,
    deadline: 2,
    updatedAt: 1,
    state: 'completed',
    video: {
      url: `${server.origin}/media/with-audio.mp4`,
      thumbnailImageUrl: `${server.origin}/media/thumbnail.jpg`,
      lastFrameImageUrl: `${server.origin}/media/thumbnail.jpg?frame=last`,
      ...overrides,
    },
  });

  const copies = () =>
    new LocalCopies(folder, { loadFetch, limitBytes: () => limit, inUse: (id) => inUse.has(id), log: (message) => logged.push(message) });

  before(async () => {
    server = await startPictoryServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    folder = makeTempDir('copies');
    logged = [];
    limit = 2e9;
    inUse = new Set();
  });
  afterEach(() => removeDir(folder));

  it('keeps the video, its thumbnail and its last frame, fetched with no headers, and finds them again', async () => {
    const store = copies();
    await store.keep(completed('job-1'));
    const copy = store.known('job-1');
    assert.ok(copy?.video && copy.thumbnail && copy.lastFrame, JSON.stringify(copy));
    assert.ok(fs.readFileSync(copy.video).equals(withAudio));
    assert.ok(fs.readFileSync(copy.thumbnail).equals(thumbnail));
    assert.equal(path.basename(copy.thumbnail), 'thumbnail.jpg');
    assert.equal(path.basename(copy.lastFrame), 'last-frame.jpg');
    assert.equal(server.mediaRequests.length, 3);
    assert.ok(server.mediaRequests.every((request) => request.authorization === undefined));

    const later = copies();
    await later.load();
    assert.deepEqual(later.known('job-1'), copy, 'another window finds the copy on disk');
    await later.keep(completed('job-1'));
    assert.equal(server.mediaRequests.length, 3, 'nothing is fetched twice');
  });

  it('keeps what it could when one file fails, and fetches only the rest later', async () => {
    const store = copies();
    await store.keep(completed('job-1', { lastFrameImageUrl: `${server.origin}/media/missing.jpg` }));
    assert.deepEqual(Object.keys(store.known('job-1') ?? {}).sort(), ['thumbnail', 'video']);
    assert.ok(logged.some((line) => /lastFrame of job job-1.*HTTP 404/.test(line)), logged.join('\n'));
    assert.deepEqual(fs.readdirSync(path.join(folder, 'job-1')).sort(), ['thumbnail.jpg', 'video.mp4'], 'no partial file left');
    const before = server.mediaRequests.length;
    await store.keep(completed('job-1'));
    assert.equal(server.mediaRequests.length, before + 1, 'only the missing last frame is fetched');
    assert.ok(store.known('job-1')?.lastFrame);
  });

  it('never fetches an address that is not safe media, nor keeps a clip with none', async () => {
    const store = copies();
    await store.keep(completed('job-1', { url: 'file:///etc/passwd', thumbnailImageUrl: 'javascript:alert(1)', lastFrameImageUrl: undefined }));
    assert.equal(store.known('job-1'), undefined);
    assert.equal(server.mediaRequests.length, 0);
  });

  it('removes the oldest copies first past the limit, never one in use', async () => {
    const store = copies();
    for (const id of ['oldest', 'middle', 'newest']) {
      await store.keep(completed(id));
      const when = new Date(Date.now() - (id === 'oldest' ? 3 : id === 'middle' ? 2 : 1) * 3600_000);
      for (const file of fs.readdirSync(path.join(folder, id))) fs.utimesSync(path.join(folder, id, file), when, when);
    }
    const oneClip = fs.readdirSync(path.join(folder, 'newest')).reduce((sum, file) => sum + fs.statSync(path.join(folder, 'newest', file)).size, 0);
    inUse.add('oldest');
    limit = oneClip * 2;
    const removed = await store.enforceLimit();
    assert.deepEqual(removed, ['middle'], 'the oldest is open in a panel, so the next oldest goes');
    assert.deepEqual(fs.readdirSync(folder).sort(), ['newest', 'oldest']);
    assert.equal(store.known('middle'), undefined);

    inUse.clear();
    limit = oneClip;
    assert.deepEqual(await store.enforceLimit(), ['oldest']);
    assert.deepEqual(fs.readdirSync(folder), ['newest']);
  });

  it('applies the limit after each clip it keeps', async () => {
    const store = copies();
    await store.keep(completed('first'));
    const old = new Date(Date.now() - 3600_000);
    for (const file of fs.readdirSync(path.join(folder, 'first'))) fs.utimesSync(path.join(folder, 'first', file), old, old);
    limit = 1.5 * fs.readdirSync(path.join(folder, 'first')).reduce((sum, file) => sum + fs.statSync(path.join(folder, 'first', file)).size, 0);
    const changed: string[] = [];
    store.onDidChange((id) => changed.push(id));
    await store.keep(completed('second'));
    assert.deepEqual(fs.readdirSync(folder), ['second']);
    assert.deepEqual(changed, ['second', 'first']);
  });

  it('keeps a job whose id is not a plain name inside its own folder, and finds it again', async () => {
    for (const id of ['..', '.', 'a/b', '%zz', 'job 1?']) {
      const name = copyFolderName(id);
      assert.ok(!name.includes('/') && name !== '..' && name !== '.', `${id} → ${name}`);
    }
    assert.notEqual(copyFolderName('a/b'), copyFolderName('a_b'), 'different ids, different folders');
    const store = copies();
    await store.keep(completed('..'));
    await store.keep(completed('%zz'));
    assert.deepEqual(fs.readdirSync(folder).sort(), [copyFolderName('%zz'), copyFolderName('..')].sort());
    const later = copies();
    await later.load();
    assert.ok(later.known('..')?.video?.startsWith(folder + path.sep));
    assert.ok(later.known('%zz')?.video);
    limit = 0;
    await later.enforceLimit();
    assert.deepEqual(fs.readdirSync(folder), [], 'removing them touches nothing outside');
    assert.ok(fs.existsSync(folder));
  });

  it('makes whole files when two windows copy the same clip at once', async () => {
    server.addFault({ method: 'GET', path: /^\/media\/with-audio/, times: 2, fault: { kind: 'delay', ms: 100 } });
    const [first, second] = [copies(), copies()];
    await Promise.all([first.keep(completed('job-1')), second.keep(completed('job-1'))]);
    const copy = await copies().find('job-1');
    assert.ok(copy?.video && fs.readFileSync(copy.video).equals(withAudio));
    assert.deepEqual(fs.readdirSync(path.join(folder, 'job-1')).sort(), ['last-frame.jpg', 'thumbnail.jpg', 'video.mp4'], 'no partial file left');
  });

  it('removes every copy not in use when the limit is 0, and the least recently opened first otherwise', async () => {
    const store = copies();
    for (const id of ['a', 'b', 'c']) {
      await store.keep(completed(id));
      const when = new Date(Date.now() - (id === 'a' ? 3 : id === 'b' ? 2 : 1) * 3600_000);
      for (const file of fs.readdirSync(path.join(folder, id))) fs.utimesSync(path.join(folder, id, file), when, when);
    }
    await store.touch('a');
    const oneClip = fs.readdirSync(path.join(folder, 'a')).reduce((sum, file) => sum + fs.statSync(path.join(folder, 'a', file)).size, 0);
    limit = oneClip * 2;
    assert.deepEqual(await store.enforceLimit(), ['b'], '"a" was opened just now');
    inUse.add('c');
    limit = 0;
    assert.deepEqual(await store.enforceLimit(), ['a']);
    assert.deepEqual(fs.readdirSync(folder), ['c']);
  });

  it('leaves alone a copy another window is still downloading, and clears partial files a closed window abandoned', async () => {
    const store = copies();
    await store.keep(completed('busy'));
    fs.writeFileSync(path.join(folder, 'busy', 'video.mp4.0123abcd.part'), 'in progress');
    limit = 0;
    assert.deepEqual(await store.enforceLimit(), []);
    const abandoned = path.join(folder, 'busy', 'video.mp4.0123abcd.part');
    const old = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(abandoned, old, old);
    fs.rmSync(path.join(folder, 'busy', 'last-frame.jpg'));
    limit = 2e9;
    await store.keep(completed('busy'));
    assert.ok(!fs.existsSync(abandoned));
  });
});
