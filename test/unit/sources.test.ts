import assert from 'node:assert/strict';
import { parseJobRecord, readJobRecord } from '../../src/jobs/jobRecord';
import { checkSources, SourceProblem } from '../../src/pictory/catalog';
import { PictoryClient, VideoRequest } from '../../src/pictory/client';
import { PictoryApiError } from '../../src/pictory/errors';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { validateVideoRequest } from '../server/videoContract';
import { FetchCall, makeClient, recordingFetch, rejection, videoRequest } from './support';

const IMAGE = 'https://cdn.example/images/start.png';
const CLIP = 'https://cdn.example/videos/earlier.mp4';
const REFERENCES = ['https://cdn.example/images/a.png', 'https://cdn.example/images/b.png', 'https://cdn.example/images/c.png'];
const MINUTE = 60_000;


describe('video requests that start from a picture or continue a clip', () => {
  let server: PictoryServer;
  let client: PictoryClient;
  let calls: FetchCall[];
  let logged: string[];
  const posts = () => server.requests.filter((r) => r.method === 'POST');

  /** Polls a job of the loopback server until it completes, and gives its video. */
  async function finish(jobId: string) {
    for (;;) {
      const status = await client.getJob(jobId);
      if (status.state === 'completed') return status.video;
      assert.equal(status.state, 'running');
    }
  }

  /** Expects `request` to be refused before sending, with errors on `fields`. */
  async function refused(request: VideoRequest, fields: string[], reason: RegExp): Promise<PictoryApiError> {
    const error = await rejection(client.createVideo(request));
    assert.equal(error.kind, 'invalidRequest', JSON.stringify(request));
    assert.equal(error.status, undefined);
    assert.equal(error.details.maybeCreated, false);
    assert.equal(error.transient, false);
    assert.deepEqual(error.details.fields?.map((field) => field.name), fields, JSON.stringify(request));
    for (const field of error.details.fields ?? []) assert.match(field.reason, reason, JSON.stringify(request));
    assert.deepEqual(calls, [], 'nothing was sent');
    assert.deepEqual(logged, [], 'no request was made');
    assert.equal(server.requests.length, 0);
    return error;
  }

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 1 });
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    calls = [];
    logged = [];
    client = makeClient(server.baseUrl, { loadFetch: recordingFetch(calls), onRequest: (entry) => logged.push(entry.method) });
  });

  it("continues a clip from its last frame: the request reaches the server with it", async () => {
    const first = await finish(await client.createVideo(videoRequest('A lighthouse at dawn, waves rolling in')));
    const lastFrame = first.lastFrameImageUrl;
    assert.ok(lastFrame?.startsWith(`${server.origin}/media/`), lastFrame);
    const next: VideoRequest = { ...videoRequest('The camera rises above the lighthouse'), firstFrameImageUrl: lastFrame };
    const jobId = await client.createVideo(next);
    assert.equal(posts().length, 2);
    assert.deepEqual(posts()[1].body, next);
    assert.equal(server.jobs().get(jobId)?.request.firstFrameImageUrl, lastFrame);
    await finish(jobId);
    const [listed] = (await client.listVideos()).items;
    assert.equal(listed.firstFrameImageUrl, lastFrame);
    assert.equal(listed.extendVideoUrl, undefined);
    assert.equal(listed.referenceImageUrls, undefined);
  });

  it('sends a clip to extend, or 1 to 3 reference images, each on its own', async () => {
    const requests: VideoRequest[] = [
      { ...videoRequest(), extendVideoUrl: CLIP },
      { ...videoRequest(), referenceImageUrls: REFERENCES.slice(0, 1) },
      { ...videoRequest(), referenceImageUrls: REFERENCES },
      { ...videoRequest(), firstFrameImageUrl: IMAGE, extendVideoUrl: undefined, referenceImageUrls: undefined },
    ];
    for (const request of requests) assert.ok(await client.createVideo(request), JSON.stringify(request));
    assert.deepEqual(
      posts().map((post) => post.body),
      requests.map((request) => JSON.parse(JSON.stringify(request))),
    );
    assert.equal(server.jobs().size, requests.length);
  });

  it('refuses two or three inputs together, sending nothing', async () => {
    const message = /^only one of firstFrameImageUrl, extendVideoUrl, referenceImageUrls may be given$/;
    await refused({ ...videoRequest(), firstFrameImageUrl: IMAGE, extendVideoUrl: CLIP }, ['firstFrameImageUrl', 'extendVideoUrl'], message);
    await refused({ ...videoRequest(), firstFrameImageUrl: IMAGE, referenceImageUrls: REFERENCES }, ['firstFrameImageUrl', 'referenceImageUrls'], message);
    await refused({ ...videoRequest(), extendVideoUrl: CLIP, referenceImageUrls: [IMAGE] }, ['extendVideoUrl', 'referenceImageUrls'], message);
    const all = await refused(
      { ...videoRequest(), firstFrameImageUrl: IMAGE, extendVideoUrl: CLIP, referenceImageUrls: REFERENCES },
      ['firstFrameImageUrl', 'extendVideoUrl', 'referenceImageUrls'],
      message,
    );
    assert.match(all.message, /firstFrameImageUrl: only one of/);
  });

  it('refuses more than three reference images, or none, sending nothing', async () => {
    const four = [...REFERENCES, 'https://cdn.example/images/d.png'];
    await refused({ ...videoRequest(), referenceImageUrls: four }, ['referenceImageUrls'], /^must list 1 to 3 URIs, not 4$/);
    await refused({ ...videoRequest(), referenceImageUrls: [] }, ['referenceImageUrls'], /^must list 1 to 3 URIs, not 0$/);
  });

  it('refuses a URL that is not https, sending nothing', async () => {
    const cases: [VideoRequest, string, RegExp][] = [
      [{ ...videoRequest(), firstFrameImageUrl: 'http://cdn.example/images/start.png' }, 'firstFrameImageUrl', /^must be an https URL$/],
      [{ ...videoRequest(), extendVideoUrl: 'ftp://cdn.example/videos/earlier.mp4' }, 'extendVideoUrl', /^must be an https URL$/],
      [{ ...videoRequest(), firstFrameImageUrl: 'file:///home/me/start.png' }, 'firstFrameImageUrl', /^must be an https URL$/],
      [{ ...videoRequest(), firstFrameImageUrl: 'data:image/png;base64,iVBORw0KGgo=' }, 'firstFrameImageUrl', /^must be an https URL$/],
      [{ ...videoRequest(), referenceImageUrls: [IMAGE, 'http://cdn.example/b.png'] }, 'referenceImageUrls', /^item 2 must be an https URL$/],
      [{ ...videoRequest(), firstFrameImageUrl: '/images/start.png' }, 'firstFrameImageUrl', /^must be an absolute URL$/],
      [{ ...videoRequest(), firstFrameImageUrl: '' }, 'firstFrameImageUrl', /^must be an absolute URL$/],
      [{ ...videoRequest(), referenceImageUrls: ['cdn.example/a.png'] }, 'referenceImageUrls', /^item 1 must be an absolute URL$/],
      [{ ...videoRequest(), extendVideoUrl: 'https://me:secret@cdn.example/v.mp4' }, 'extendVideoUrl', /^must not contain a user name or password$/],
    ];
    for (const [request, field, reason] of cases) {
      const error = await refused(request, [field], reason);
      assert.match(error.message, new RegExp(`${field}: `));
    }
  });

  it('takes plain http on this computer only while the API is on this computer too', async () => {
    const local = `${server.origin}/media/thumbnail.jpg`;
    assert.ok(await client.createVideo({ ...videoRequest(), referenceImageUrls: [local] }));
    assert.equal(posts().length, 1);
    const remote = makeClient('https://api.pictory.invalid/pictoryapis', { loadFetch: recordingFetch(calls) });
    calls.length = 0;
    const error = await rejection(remote.createVideo({ ...videoRequest(), firstFrameImageUrl: local }));
    assert.equal(error.kind, 'invalidRequest');
    assert.deepEqual(error.details.fields, [{ name: 'firstFrameImageUrl', reason: 'must be an https URL' }]);
    assert.deepEqual(calls, []);
  });

  it('lets through only what the documented contract accepts', () => {
    const requests: VideoRequest[] = [
      videoRequest(),
      { ...videoRequest(), firstFrameImageUrl: IMAGE },
      { ...videoRequest(), extendVideoUrl: CLIP },
      { ...videoRequest(), referenceImageUrls: REFERENCES },
      { ...videoRequest(), firstFrameImageUrl: IMAGE, extendVideoUrl: CLIP },
      { ...videoRequest(), referenceImageUrls: [...REFERENCES, IMAGE] },
      { ...videoRequest(), referenceImageUrls: [] },
      { ...videoRequest(), extendVideoUrl: 'not a url' },
    ];
    for (const request of requests) {
      const contract = validateVideoRequest(JSON.parse(JSON.stringify(request)));
      if (checkSources(request, 'https://api.pictory.ai/pictoryapis') === undefined) assert.ok(contract.ok, JSON.stringify(request));
      else assert.ok(!contract.ok, JSON.stringify(request));
    }
  });

  describe('checkSources', () => {
    it('describes each problem', () => {
      const cases: [Parameters<typeof checkSources>[0], SourceProblem | undefined][] = [
        [{}, undefined],
        [{ firstFrameImageUrl: undefined, extendVideoUrl: undefined }, undefined],
        [{ firstFrameImageUrl: IMAGE }, undefined],
        [{ referenceImageUrls: REFERENCES }, undefined],
        [{ referenceImageUrls: REFERENCES, extendVideoUrl: CLIP }, { kind: 'severalSources', fields: ['extendVideoUrl', 'referenceImageUrls'] }],
        [{ referenceImageUrls: [...REFERENCES, IMAGE] }, { kind: 'referenceImageCount', count: 4 }],
        [{ referenceImageUrls: [IMAGE, 'http://cdn.example/b.png'] }, { kind: 'invalidSourceUrl', field: 'referenceImageUrls', index: 1, fault: 'notHttps' }],
        [{ extendVideoUrl: 'javascript:alert(1)' }, { kind: 'invalidSourceUrl', field: 'extendVideoUrl', fault: 'notHttps' }],
        [{ firstFrameImageUrl: 'start.png' }, { kind: 'invalidSourceUrl', field: 'firstFrameImageUrl', fault: 'notUrl' }],
        [{ firstFrameImageUrl: 'https://u@cdn.example/a.png' }, { kind: 'invalidSourceUrl', field: 'firstFrameImageUrl', fault: 'credentials' }],
      ];
      for (const [sources, problem] of cases) assert.deepEqual(checkSources(sources), problem, JSON.stringify(sources));
    });

    it('refuses values of the wrong type, as a stored request could hold', () => {
      const odd = (value: unknown) => value as string & string[];
      assert.deepEqual(checkSources({ firstFrameImageUrl: odd(null) }), { kind: 'invalidSourceUrl', field: 'firstFrameImageUrl', fault: 'notUrl' });
      assert.deepEqual(checkSources({ referenceImageUrls: odd(IMAGE) }), { kind: 'invalidSourceUrl', field: 'referenceImageUrls', fault: 'notUrl' });
      assert.deepEqual(checkSources({ referenceImageUrls: odd([42]) }), { kind: 'invalidSourceUrl', field: 'referenceImageUrls', index: 0, fault: 'notUrl' });
    });

    it('takes loopback http when no API is named, and only from a loopback API otherwise', () => {
      for (const url of ['http://127.0.0.1:8123/a.png', 'http://localhost/a.png', 'http://[::1]:80/a.png']) {
        assert.equal(checkSources({ firstFrameImageUrl: url }), undefined, url);
        assert.equal(checkSources({ firstFrameImageUrl: url }, 'http://127.0.0.1:9000/pictoryapis'), undefined, url);
        assert.deepEqual(checkSources({ firstFrameImageUrl: url }, 'https://api.pictory.ai/pictoryapis'), {
          kind: 'invalidSourceUrl',
          field: 'firstFrameImageUrl',
          fault: 'notHttps',
        });
      }
      assert.equal(checkSources({ firstFrameImageUrl: 'http://192.168.1.2/a.png' })?.kind, 'invalidSourceUrl');
      assert.equal(checkSources({ firstFrameImageUrl: 'https://cdn.example/a.png' }, 'https://api.pictory.ai/pictoryapis'), undefined);
    });
  });

  describe('finding a lost submission', () => {
    const SUBMITTED_AT = Date.parse('2026-03-10T12:00:00.000Z');
    const PLAIN = videoRequest('A paper boat drifting down a rainy street');

    function item(minutesAfter: number, sources: Record<string, unknown> = {}): Record<string, unknown> {
      return {
        id: `video-${minutesAfter}`,
        url: `https://cdn.example/videos/${minutesAfter}.mp4`,
        ...PLAIN,
        createdDate: new Date(SUBMITTED_AT + minutesAfter * MINUTE).toISOString(),
        ...sources,
      };
    }

    function serve(items: unknown[]): void {
      server.addFault({ method: 'GET', path: /\/v1\/aistudio\/videos$/, fault: { kind: 'status', status: 200, body: JSON.stringify({ items }) } });
    }

    async function found(request: VideoRequest, items: unknown[]): Promise<string | undefined> {
      serve(items);
      return (await client.findCreatedVideo(request, SUBMITTED_AT))?.url;
    }

    it('requires the same inputs as the request, and none when it had none', async () => {
      const fromImage = item(3, { firstFrameImageUrl: IMAGE });
      const extending = item(2, { extendVideoUrl: CLIP });
      const guided = item(1, { referenceImageUrls: REFERENCES });
      const plain = item(0);
      const items = [fromImage, extending, guided, plain];
      assert.equal(await found(PLAIN, items), plain.url);
      assert.equal(await found({ ...PLAIN, firstFrameImageUrl: IMAGE }, items), fromImage.url);
      assert.equal(await found({ ...PLAIN, extendVideoUrl: CLIP }, items), extending.url);
      assert.equal(await found({ ...PLAIN, referenceImageUrls: REFERENCES }, items), guided.url);
      assert.equal(await found({ ...PLAIN, firstFrameImageUrl: 'https://cdn.example/images/other.png' }, items), undefined);
      assert.equal(await found({ ...PLAIN, extendVideoUrl: IMAGE }, items), undefined);
      assert.equal(await found({ ...PLAIN, referenceImageUrls: REFERENCES.slice(0, 2) }, items), undefined);
      assert.equal(await found({ ...PLAIN, firstFrameImageUrl: IMAGE }, [plain]), undefined, 'an item that lists no input');
    });

    it('takes reference images in any order, and URLs in their normal form', async () => {
      const guided = item(1, { referenceImageUrls: [...REFERENCES].reverse() });
      assert.equal(await found({ ...PLAIN, referenceImageUrls: REFERENCES }, [guided]), guided.url);
      const fromImage = item(1, { firstFrameImageUrl: 'HTTPS://CDN.example:443/images/start.png' });
      assert.equal(await found({ ...PLAIN, firstFrameImageUrl: IMAGE }, [fromImage]), fromImage.url);
      const emptyList = item(1, { referenceImageUrls: [] });
      assert.equal(await found(PLAIN, [emptyList]), emptyList.url, 'an empty list is no input');
    });

    it('finds a continued clip whose answer was lost, and not by its prompt alone', async () => {
      const first = await finish(await client.createVideo(videoRequest('A lighthouse at dawn, waves rolling in')));
      const next: VideoRequest = { ...videoRequest('The camera rises above the lighthouse'), firstFrameImageUrl: first.lastFrameImageUrl };
      const submittedAt = Date.now();
      server.addFault({ method: 'POST', fault: { kind: 'createThenReset' } });
      const error = await rejection(client.createVideo(next));
      assert.equal(error.details.maybeCreated, true);
      const jobId = [...server.jobs().keys()][1];
      assert.equal(server.jobs().get(jobId)?.request.firstFrameImageUrl, first.lastFrameImageUrl);
      await finish(jobId);
      const video = await client.findCreatedVideo(next, submittedAt);
      assert.equal(video?.url, `${server.origin}/media/${jobId}.mp4`);
      const { firstFrameImageUrl: _omitted, ...withoutSource } = next;
      assert.equal(await client.findCreatedVideo(withoutSource, submittedAt), undefined);
    });
  });

  describe('stored job records', () => {
    const record = (request: Record<string, unknown>) => ({
      id: 'job-1',
      endpoint: 'https://api.pictory.ai/pictoryapis',
      request: { ...videoRequest(), ...request },
      submittedAt: 1000,
      deadline: 2000,
      state: 'running',
      updatedAt: 1000,
    });

    it('keep their inputs', () => {
      for (const sources of [{}, { firstFrameImageUrl: IMAGE }, { extendVideoUrl: CLIP }, { referenceImageUrls: REFERENCES }]) {
        const stored = JSON.parse(JSON.stringify(record(sources)));
        assert.deepEqual(parseJobRecord(stored)?.request, { ...videoRequest(), ...sources });
      }
    });

    it('are damaged when an input has the wrong type', () => {
      const wrong = [
        { firstFrameImageUrl: 42 },
        { firstFrameImageUrl: null },
        { extendVideoUrl: { url: CLIP } },
        { referenceImageUrls: IMAGE },
        { referenceImageUrls: [IMAGE, 7] },
      ];
      for (const sources of wrong) {
        assert.equal(parseJobRecord(record(sources)), undefined, JSON.stringify(sources));
        assert.equal(readJobRecord(record(sources)).kind, 'damaged', JSON.stringify(sources));
      }
    });
  });
});
