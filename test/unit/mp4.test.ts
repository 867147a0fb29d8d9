import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { locateMoov, MediaTrack, probeMp4, readMp4Tracks } from '../../src/pictory/mp4';
import { locateFixturesDir, serveFile } from '../server/media';
import { startPictoryServer, type PictoryServer } from '../server/pictoryServer';
import { FetchCall, makeClient, recordingFetch, videoRequest } from './support';

const fixtures = locateFixturesDir();
const withAudio = fs.readFileSync(path.join(fixtures, 'with-audio.mp4'));
const noAudio = fs.readFileSync(path.join(fixtures, 'no-audio.mp4'));
const thumbnail = fs.readFileSync(path.join(fixtures, 'thumbnail.jpg'));

/** H.264 baseline profile (0x42), as the fixtures are encoded, then constraints and level. */
const BASELINE_AVC = /^avc1\.42[0-9a-f]{4}$/;

function box(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
}

/** The fixture's top-level boxes by type (each one is there once). */
function topLevelBoxes(file: Buffer): Record<string, Buffer> {
  const boxes: Record<string, Buffer> = {};
  for (let offset = 0; offset < file.length; ) {
    const size = file.readUInt32BE(offset);
    boxes[file.toString('latin1', offset + 4, offset + 8)] = file.subarray(offset, offset + size);
    offset += size;
  }
  return boxes;
}

function kinds(tracks: MediaTrack[] | undefined): string[] {
  return (tracks ?? []).map((track) => track.kind).sort();
}

interface FileServer {
  readonly url: string;
  /** The Range header of each request, in order. */
  readonly ranges: (string | undefined)[];
  close(): Promise<void>;
}

/** Serves one file at `/video.mp4`, honouring Range like a CDN, or ignoring it like some servers do. */
async function serveBytes(bytes: Buffer, options: { ignoreRange?: boolean } = {}): Promise<FileServer> {
  const ranges: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    ranges.push(req.headers.range);
    if (options.ignoreRange) {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': bytes.length });
      res.end(bytes);
    } else {
      serveFile(req, res, { bytes, contentType: 'video/mp4' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/video.mp4`,
    ranges,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('MP4 probing', () => {
  const { ftyp, moov, free } = topLevelBoxes(withAudio);
  /** 2 MiB of media data: far more than the first range request asks for. */
  const bigMdat = box('mdat', Buffer.alloc(2 * 1024 * 1024, 0x5a));
  const moovFirst = Buffer.concat([ftyp, moov, free, bigMdat]);
  const moovLast = Buffer.concat([ftyp, free, bigMdat, moov]);

  describe('readMp4Tracks', () => {
    it('finds an H.264 video track and an AAC-LC audio track in a file with sound', () => {
      const tracks = readMp4Tracks(withAudio);
      assert.ok(tracks);
      assert.deepEqual(kinds(tracks), ['audio', 'video']);
      assert.match(tracks.find((track) => track.kind === 'video')!.codec, BASELINE_AVC);
      assert.equal(tracks.find((track) => track.kind === 'audio')!.codec, 'mp4a.40.2');
    });

    it('finds only the video track in a silent file', () => {
      const tracks = readMp4Tracks(noAudio);
      assert.ok(tracks);
      assert.equal(tracks.length, 1);
      assert.equal(tracks[0].kind, 'video');
      assert.match(tracks[0].codec, BASELINE_AVC);
    });

    it('names an AC-3 audio track by its sample entry', () => {
      const tracks = readMp4Tracks(fs.readFileSync(path.join(fixtures, 'ac3-audio.mp4')));
      assert.deepEqual(tracks?.map((track) => `${track.kind} ${track.kind === 'audio' ? track.codec : ''}`.trim()), ['video', 'audio ac-3']);
    });

    it('reads the moov box on its own, as the bytes of a range request', () => {
      assert.deepEqual(readMp4Tracks(moov), readMp4Tracks(withAudio));
    });

    it('answers undefined for bytes that are not an MP4', () => {
      assert.equal(readMp4Tracks(thumbnail), undefined);
      assert.equal(readMp4Tracks(Buffer.from('<html>502 Bad Gateway</html>')), undefined);
      assert.equal(readMp4Tracks(new Uint8Array(0)), undefined);
    });
  });

  describe('locateMoov', () => {
    it('finds the moov box in the first bytes, at its place in the file', () => {
      assert.deepEqual(locateMoov(withAudio, 0), { moov: { start: ftyp.length, end: ftyp.length + moov.length } });
      assert.deepEqual(locateMoov(Buffer.concat([free, moov]), 5000), {
        moov: { start: 5000 + free.length, end: 5000 + free.length + moov.length },
      });
    });

    it('points past a large mdat box whose content is not in the bytes read', () => {
      const mdatSize = 50_000_000;
      const mdatHeader = Buffer.alloc(8);
      mdatHeader.writeUInt32BE(mdatSize, 0);
      mdatHeader.write('mdat', 4, 'latin1');
      const head = Buffer.concat([ftyp, mdatHeader, Buffer.alloc(100)]);
      assert.deepEqual(locateMoov(head, 0), { next: ftyp.length + mdatSize });
      assert.deepEqual(locateMoov(head, 1234), { next: 1234 + ftyp.length + mdatSize });
    });

    it('understands a 64-bit box size', () => {
      const largeSize = 5 * 1024 ** 3;
      const mdatHeader = Buffer.alloc(16);
      mdatHeader.writeUInt32BE(1, 0);
      mdatHeader.write('mdat', 4, 'latin1');
      mdatHeader.writeBigUInt64BE(BigInt(largeSize), 8);
      assert.deepEqual(locateMoov(Buffer.concat([ftyp, mdatHeader]), 0), { next: ftyp.length + largeSize });
    });

    it('answers undefined when the bytes do not start with a box', () => {
      assert.equal(locateMoov(Buffer.from('GIF8'), 0), undefined);
      assert.equal(locateMoov(Buffer.from([0, 0, 0, 4, 0x6d, 0x6f, 0x6f, 0x76]), 0), undefined);
    });
  });

  describe('probeMp4 over HTTP', () => {
    let server: PictoryServer;

    before(async () => {
      server = await startPictoryServer({ pollsUntilDone: 0 });
    });

    after(() => server.close());

    /** Submits a job and returns the URL of its finished video. */
    async function videoUrlOf(prompt: string): Promise<{ jobId: string; url: string }> {
      const client = makeClient(server.baseUrl);
      const jobId = await client.createVideo(videoRequest(prompt));
      const status = await client.getJob(jobId);
      assert.equal(status.state, 'completed');
      return { jobId, url: status.video.url };
    }

    async function probe(url: string): Promise<{ tracks: MediaTrack[] | undefined; calls: FetchCall[] }> {
      const calls: FetchCall[] = [];
      const fetch = await recordingFetch(calls)();
      return { tracks: await probeMp4(fetch, url), calls };
    }

    it("reads a finished job's video and audio tracks with one range request", async () => {
      const { jobId, url } = await videoUrlOf('A lighthouse at dawn, waves rolling in');
      assert.equal(url, `${server.origin}/media/${jobId}.mp4`);
      const before = server.mediaRequests.length;
      const { tracks, calls } = await probe(url);
      assert.deepEqual(kinds(tracks), ['audio', 'video']);
      assert.equal(tracks!.find((track) => track.kind === 'audio')!.codec, 'mp4a.40.2');
      assert.equal(server.mediaRequests.length - before, 1);
      assert.equal(calls.length, 1);
      assert.match(calls[0].init.headers.Range ?? '', /^bytes=0-\d+$/);
      assert.equal(calls[0].status, 206);
    });

    it('finds no audio track in the video of a silent job', async () => {
      const { url } = await videoUrlOf('A silent film of a lighthouse #silent');
      const { tracks, calls } = await probe(url);
      assert.deepEqual(kinds(tracks), ['video']);
      assert.match(tracks![0].codec, BASELINE_AVC);
      assert.ok(calls.every((call) => call.status === 206 && call.init.headers.Range !== undefined));
    });

    it('answers undefined for an image or a missing file', async () => {
      const { jobId } = await videoUrlOf('A lighthouse at dusk, seen from the sea');
      assert.equal((await probe(`${server.origin}/media/${jobId}_thumbnail.jpg`)).tracks, undefined);
      assert.equal((await probe(`${server.origin}/media/thumbnail.jpg`)).tracks, undefined);
      assert.equal((await probe(`${server.origin}/media/no-such-job.mp4`)).tracks, undefined);
    });

    it('reads only the start of a large file whose moov box comes first', async () => {
      const file = await serveBytes(moovFirst);
      try {
        const { tracks, calls } = await probe(file.url);
        assert.deepEqual(tracks, readMp4Tracks(withAudio));
        assert.equal(calls.length, 1);
        assert.equal(calls[0].status, 206);
        assert.ok(calls[0].contentLength! < moovFirst.length / 4, `downloaded ${calls[0].contentLength} of ${moovFirst.length} bytes`);
      } finally {
        await file.close();
      }
    });

    it('jumps over a large mdat box to a moov box at the end', async () => {
      const file = await serveBytes(moovLast);
      try {
        const { tracks, calls } = await probe(file.url);
        assert.deepEqual(tracks, readMp4Tracks(withAudio));
        assert.equal(calls.length, 2);
        const moovStart = ftyp.length + free.length + bigMdat.length;
        assert.match(file.ranges[1] ?? '', new RegExp(`^bytes=${moovStart}-\\d+$`));
        const downloaded = calls.reduce((sum, call) => sum + (call.contentLength ?? Infinity), 0);
        assert.ok(downloaded < moovLast.length / 4, `downloaded ${downloaded} of ${moovLast.length} bytes`);
      } finally {
        await file.close();
      }
    });

    it('still finds the tracks when the server ignores Range and sends the whole file', async () => {
      for (const bytes of [moovFirst, moovLast]) {
        const file = await serveBytes(bytes, { ignoreRange: true });
        try {
          const { tracks } = await probe(file.url);
          assert.deepEqual(tracks, readMp4Tracks(withAudio), `moov ${bytes === moovFirst ? 'first' : 'last'}`);
        } finally {
          await file.close();
        }
      }
    });
  });
});
