import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { downloadToFile } from '../../src/pictory/download';
import { locateFixturesDir } from '../server/media';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { loadFetch, makeTempDir, removeDir } from './support';

const withAudio = fs.readFileSync(path.join(locateFixturesDir(), 'with-audio.mp4'));

describe('downloading a video to a file', () => {
  let server: PictoryServer;
  let folder: string;
  before(async () => {
    server = await startPictoryServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    folder = makeTempDir('download');
  });
  afterEach(() => removeDir(folder));

  it('streams the bytes into place, reporting progress, with no headers at all', async () => {
    const target = path.join(folder, 'clip.mp4');
    let fraction = 0;
    await downloadToFile(`${server.origin}/media/with-audio.mp4`, target, loadFetch, new AbortController().signal, (share) => (fraction += share));
    assert.ok(fs.readFileSync(target).equals(withAudio));
    assert.ok(Math.abs(fraction - 1) < 1e-9, `progress added up to ${fraction}`);
    assert.deepEqual(fs.readdirSync(folder), ['clip.mp4']);
    assert.equal(server.mediaRequests.length, 1);
    assert.equal(server.mediaRequests[0].authorization, undefined);
  });

  it('reports progress in steps of at least 1%, whichever client reads the file', async () => {
    const large = await startPictoryServer({ generatedVideos: { 'large.mp4': 8 * 1024 * 1024 } });
    try {
      for (const loader of [loadFetch, Object.assign(() => loadFetch(), { direct: () => false })]) {
        const steps: number[] = [];
        await downloadToFile(`${large.origin}/media/large.mp4`, path.join(folder, 'large.mp4'), loader, new AbortController().signal, (share) => steps.push(share));
        assert.equal(fs.statSync(path.join(folder, 'large.mp4')).size, 8 * 1024 * 1024);
        assert.ok(Math.abs(steps.reduce((sum, share) => sum + share, 0) - 1) < 1e-9, 'the steps add up to the whole file');
        assert.ok(steps.length >= 2 && steps.length <= 101, `${steps.length} reports`);
        assert.ok(steps.slice(0, -1).every((share) => share >= 0.01), 'every report but the last is at least 1%');
      }
    } finally {
      await large.close();
    }
  });

  it('leaves the target alone and nothing beside it when the server refuses', async () => {
    const target = path.join(folder, 'clip.mp4');
    fs.writeFileSync(target, 'claimed');
    await assert.rejects(downloadToFile(`${server.origin}/media/missing.mp4`, target, loadFetch, new AbortController().signal, () => {}), /HTTP 404/);
    assert.deepEqual(fs.readdirSync(folder), ['clip.mp4']);
    assert.equal(fs.readFileSync(target, 'utf8'), 'claimed');
  });

  it('removes the partial file when the connection drops mid-body', async () => {
    server.addFault({ method: 'GET', path: /^\/media\//, fault: { kind: 'resetMidBody' } });
    const target = path.join(folder, 'clip.mp4');
    await assert.rejects(downloadToFile(`${server.origin}/media/with-audio.mp4`, target, loadFetch, new AbortController().signal, () => {}));
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it('stops when cancelled, leaving nothing', async () => {
    server.addFault({ method: 'GET', path: /^\/media\//, fault: { kind: 'hang' } });
    const controller = new AbortController();
    const target = path.join(folder, 'clip.mp4');
    const download = downloadToFile(`${server.origin}/media/with-audio.mp4`, target, loadFetch, controller.signal, () => {});
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(download);
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  describe('which client reads the file', () => {
    let media: http.Server;
    let userAgents: (string | undefined)[];
    let mediaUrl: string;
    before(async () => {
      media = http.createServer((request, response) => {
        userAgents.push(request.headers['user-agent']);
        response.writeHead(200, { 'Content-Length': withAudio.length, 'Content-Type': 'video/mp4' });
        response.end(withAudio);
      });
      await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
      mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/clip.mp4`;
    });
    after(() => new Promise((resolve) => media.close(resolve)));
    beforeEach(() => (userAgents = []));

    async function save(loader: Parameters<typeof downloadToFile>[2]): Promise<void> {
      const target = path.join(folder, 'clip.mp4');
      await downloadToFile(mediaUrl, target, loader, new AbortController().signal, () => {});
      assert.ok(fs.readFileSync(target).equals(withAudio));
    }

    it('reads it over a connection of its own when nothing says otherwise', async () => {
      await save(loadFetch);
      assert.deepEqual(userAgents, ['pictory-vscode']);
    });

    it("leaves it to node-fetch, the editor's HTTP stack, when the editor's settings name a proxy", async () => {
      await save(Object.assign(() => loadFetch(), { direct: () => false }));
      assert.equal(userAgents.length, 1);
      assert.match(userAgents[0] ?? '', /node-fetch/);
    });

    it('leaves it to node-fetch when the environment names a proxy', async () => {
      const before = process.env.HTTPS_PROXY;
      // A proxy in the environment is applied by whoever replaces Node's global agent; node-fetch goes through it.
      process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
      try {
        await save(loadFetch);
      } finally {
        if (before === undefined) delete process.env.HTTPS_PROXY;
        else process.env.HTTPS_PROXY = before;
      }
      assert.match(userAgents[0] ?? '', /node-fetch/);
    });
  });
});
