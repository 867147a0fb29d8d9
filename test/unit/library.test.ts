import assert from 'node:assert/strict';
import { ImageRequest, PictoryClient } from '../../src/pictory/client';
import { PictoryApiError } from '../../src/pictory/errors';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { makeClient, videoRequest } from './support';

const MINUTE = 60_000;
const SUBMITTED_AT = Date.parse('2026-03-10T12:00:00.000Z');
const REQUEST = videoRequest('A paper boat drifting down a rainy street');

/** A library item as Pictory lists it, `minutesAfter` the submission. */
function item(minutesAfter: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `video-${minutesAfter}`,
    url: `https://cdn.example/videos/${minutesAfter}.mp4`,
    ...REQUEST,
    createdDate: new Date(SUBMITTED_AT + minutesAfter * MINUTE).toISOString(),
    width: 1280,
    height: 720,
    ...overrides,
  };
}

describe('finding a video in the library', () => {
  let server: PictoryServer;
  let client: PictoryClient;
  const listRequests = () => server.requests.filter((r) => r.method === 'GET' && r.path.includes('/v1/aistudio/videos')).map((r) => r.path);

  /** Serves `items` as the page reached with `pageKey` (the first page when undefined). */
  function servePage(pageKey: string | undefined, items: unknown[], nextPageKey?: string): void {
    const path = pageKey === undefined ? /\/v1\/aistudio\/videos$/ : new RegExp(`\\?nextPageKey=${pageKey}$`);
    const body = JSON.stringify({ items, ...(nextPageKey && { nextPageKey }) });
    server.addFault({ method: 'GET', path, fault: { kind: 'status', status: 200, body } });
  }

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 1 });
    client = makeClient(server.baseUrl);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('lists a page, passing the page key, and skips malformed items', async () => {
    servePage('next%2Fpage', [item(1), { url: '' }, 'not an item', null, { prompt: 'no url' }, item(0, { width: 'wide' })], 'p3');
    const page = await client.listVideos('next/page');
    assert.deepEqual(listRequests(), ['/pictoryapis/v1/aistudio/videos?nextPageKey=next%2Fpage']);
    assert.equal(page.nextPageKey, 'p3');
    assert.deepEqual(page.items.map((video) => video.id), ['video-1', 'video-0']);
    const [first, second] = page.items;
    assert.equal(first.prompt, REQUEST.prompt);
    assert.equal(first.model, REQUEST.model);
    assert.equal(first.aspectRatio, REQUEST.aspectRatio);
    assert.equal(first.duration, REQUEST.duration);
    assert.equal(first.createdDate, '2026-03-10T12:01:00.000Z');
    assert.equal(second.width, undefined);
  });

  it('retries listing after a server error, as any GET', async () => {
    server.addFault({ method: 'GET', fault: { kind: 'status', status: 503 } });
    servePage(undefined, [item(1)]);
    assert.equal((await client.listVideos()).items.length, 1);
    assert.equal(listRequests().length, 2);
  });

  it('rejects a list without items', async () => {
    server.addFault({ method: 'GET', times: 2, fault: { kind: 'status', status: 200, body: '{"videos":[]}' } });
    await assert.rejects(client.listVideos(), (error: unknown) => error instanceof PictoryApiError && error.kind === 'unexpectedResponse');
  });

  it('finds the matching video on a later page', async () => {
    servePage(undefined, [item(9, { prompt: 'Another prompt' }), item(8, { model: 'veo3.1' })], 'p2');
    servePage('p2', [item(7, { aspectRatio: '9:16' }), item(6, { duration: '8s' }), item(5), item(4)], 'p3');
    const found = await client.findCreatedVideo(REQUEST, SUBMITTED_AT);
    assert.equal(found?.url, 'https://cdn.example/videos/5.mp4');
    assert.equal(listRequests().length, 2);
  });

  it('skips videos already found for other submissions, on any page', async () => {
    const taken = new Set(['https://cdn.example/videos/5.mp4', 'https://cdn.example/videos/4.mp4']);
    servePage(undefined, [item(5), item(4)], 'p2');
    servePage('p2', [item(3), item(2)]);
    const found = await client.findCreatedVideo(REQUEST, SUBMITTED_AT, undefined, taken);
    assert.equal(found?.url, 'https://cdn.example/videos/3.mp4');
    assert.equal(listRequests().length, 2);
    servePage(undefined, [item(5), item(4)]);
    assert.equal(await client.findCreatedVideo(REQUEST, SUBMITTED_AT, undefined, taken), undefined);
  });

  it('compares durations in seconds, whatever their form', async () => {
    assert.equal(REQUEST.duration, '5s');
    for (const duration of [5, '5', '5s', '5.0s', ' 5 s', '5 seconds', '0:05', 5.04]) {
      servePage(undefined, [item(2, { duration: 8 }), item(1, { duration })]);
      const found = await client.findCreatedVideo(REQUEST, SUBMITTED_AT);
      assert.equal(found?.url, 'https://cdn.example/videos/1.mp4', JSON.stringify(duration));
    }
    for (const duration of [8, '8', '8s', '10.0s', 4.5]) {
      servePage(undefined, [item(1, { duration })]);
      assert.equal(await client.findCreatedVideo(REQUEST, SUBMITTED_AT), undefined, JSON.stringify(duration));
    }
  });

  it('does not refuse an item that gives no duration', async () => {
    servePage(undefined, [item(2, { duration: '8s' }), item(1, { duration: undefined })]);
    const found = await client.findCreatedVideo(REQUEST, SUBMITTED_AT);
    assert.equal(found?.url, 'https://cdn.example/videos/1.mp4');
    assert.equal(found?.duration, undefined);
  });

  it('reads a duration given as a number of seconds', async () => {
    servePage(undefined, [item(1, { duration: 8 })]);
    assert.equal((await client.listVideos()).items[0].duration, '8s');
  });

  it('allows for two minutes of clock skew, and no more', async () => {
    servePage(undefined, [item(-1.5)]);
    assert.equal((await client.findCreatedVideo(REQUEST, SUBMITTED_AT))?.url, 'https://cdn.example/videos/-1.5.mp4');
    servePage(undefined, [item(-2.5)]);
    assert.equal(await client.findCreatedVideo(REQUEST, SUBMITTED_AT), undefined);
  });

  it('stops at the first item older than the submission', async () => {
    servePage(undefined, [item(3, { prompt: 'Someone else' }), item(-10), item(-20)], 'p2');
    assert.equal(await client.findCreatedVideo(REQUEST, SUBMITTED_AT), undefined);
    assert.equal(listRequests().length, 1);
  });

  it('reads at most five pages', async () => {
    for (let page = 1; page <= 6; page++) {
      servePage(page === 1 ? undefined : `p${page}`, [item(60 - page, { prompt: 'Not it' })], `p${page + 1}`);
    }
    assert.equal(await client.findCreatedVideo(REQUEST, SUBMITTED_AT), undefined);
    assert.equal(listRequests().length, 5);
  });

  it("finds the job whose answer was lost on the way back, and not another prompt's", async () => {
    const submittedAt = Date.now();
    server.addFault({ method: 'POST', fault: { kind: 'createThenReset' } });
    const error = await client.createVideo(REQUEST).then(
      () => assert.fail('the answer was dropped'),
      (rejected: unknown) => rejected,
    );
    assert.ok(error instanceof PictoryApiError);
    assert.equal(error.kind, 'network');
    assert.equal(error.details.maybeCreated, true);
    const [jobId] = server.jobs().keys();
    assert.equal(server.jobs().size, 1);
    assert.equal(await client.findCreatedVideo(REQUEST, submittedAt), undefined, 'not listed while rendering');
    await client.getJob(jobId);
    await client.getJob(jobId);
    const found = await client.findCreatedVideo(REQUEST, submittedAt);
    assert.equal(found?.url, `${server.origin}/media/${jobId}.mp4`);
    assert.equal(await client.findCreatedVideo({ ...REQUEST, prompt: 'A paper plane over a rainy street' }, submittedAt), undefined);
  });
});

const IMAGE_REQUEST: ImageRequest = {
  prompt: 'A paper boat on a puddle, watercolour',
  model: 'seedream3.0',
  aspectRatio: '16:9',
  style: 'vintage',
  referenceImageUrl: 'https://cdn.example/refs/boat sketch.png',
};

/** An image list item as Pictory lists it, `minutesAfter` the submission. */
function imageItem(minutesAfter: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { prompt, model, aspectRatio, style, referenceImageUrl } = IMAGE_REQUEST;
  return {
    id: `image-${minutesAfter}`,
    url: `https://cdn.example/images/${minutesAfter}.png`,
    prompt,
    model,
    aspectRatio,
    style,
    referenceImageUrl,
    createdDate: new Date(SUBMITTED_AT + minutesAfter * MINUTE).toISOString(),
    width: 1344,
    height: 768,
    ...overrides,
  };
}

describe('finding an image in the library', () => {
  let server: PictoryServer;
  let client: PictoryClient;
  const listRequests = () => server.requests.filter((r) => r.method === 'GET' && r.path.includes('/v1/aistudio/images')).map((r) => r.path);
  const imageUrl = (minutesAfter: number) => `https://cdn.example/images/${minutesAfter}.png`;

  /** Serves `items` as the image page reached with `pageKey` (the first page when undefined). */
  function servePage(pageKey: string | undefined, items: unknown[], nextPageKey?: string): void {
    const path = pageKey === undefined ? /\/v1\/aistudio\/images$/ : new RegExp(`images\\?nextPageKey=${pageKey}$`);
    const body = JSON.stringify({ items, ...(nextPageKey && { nextPageKey }) });
    server.addFault({ method: 'GET', path, fault: { kind: 'status', status: 200, body } });
  }

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 1 });
    client = makeClient(server.baseUrl);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('finds the matching image on a later page, passing over images of other requests', async () => {
    servePage(
      undefined,
      [
        imageItem(9, { prompt: 'Another prompt' }),
        imageItem(8, { model: 'flux-schnell' }),
        imageItem(7, { aspectRatio: '1:1' }),
        imageItem(6, { style: 'cartoon' }),
      ],
      'p2',
    );
    servePage('p2', [imageItem(5, { referenceImageUrl: 'https://cdn.example/refs/other.png' }), imageItem(4), imageItem(3)], 'p3');
    const found = await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT);
    assert.equal(found?.url, imageUrl(4));
    assert.equal(found?.width, 1344);
    assert.equal(found?.height, 768);
    assert.deepEqual(listRequests(), ['/pictoryapis/v1/aistudio/images', '/pictoryapis/v1/aistudio/images?nextPageKey=p2']);
    assert.equal(server.requests.filter((r) => r.path.includes('/v1/aistudio/videos')).length, 0, 'the videos are not searched');
  });

  it('matches a style or a reference image only with the same one, or none with none', async () => {
    const plain: ImageRequest = { prompt: IMAGE_REQUEST.prompt, model: IMAGE_REQUEST.model, aspectRatio: IMAGE_REQUEST.aspectRatio };
    servePage(undefined, [imageItem(3), imageItem(2, { style: undefined }), imageItem(1, { referenceImageUrl: undefined })]);
    assert.equal(await client.findCreatedImage(plain, SUBMITTED_AT), undefined, 'an image with a style or a reference is not one asked for without');
    servePage(undefined, [imageItem(2, { style: undefined }), imageItem(1, { style: undefined, referenceImageUrl: undefined })]);
    assert.equal((await client.findCreatedImage(plain, SUBMITTED_AT))?.url, imageUrl(1));
    servePage(undefined, [imageItem(2, { style: undefined }), imageItem(1, { referenceImageUrl: undefined })]);
    assert.equal(await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT), undefined, 'an image without a style or a reference is not one asked for with them');
  });

  it('compares reference images in their normalised form', async () => {
    servePage(undefined, [imageItem(1, { referenceImageUrl: 'https://CDN.example:443/refs/boat%20sketch.png' })]);
    assert.equal((await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT))?.url, imageUrl(1));
  });

  it('skips images already found for other submissions, on any page', async () => {
    const taken = new Set([imageUrl(5), imageUrl(4)]);
    servePage(undefined, [imageItem(5), imageItem(4)], 'p2');
    servePage('p2', [imageItem(3), imageItem(2)]);
    assert.equal((await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT, undefined, taken))?.url, imageUrl(3));
    assert.equal(listRequests().length, 2);
    servePage(undefined, [imageItem(5), imageItem(4)]);
    assert.equal(await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT, undefined, taken), undefined);
  });

  it('allows for two minutes of clock skew, and no more', async () => {
    servePage(undefined, [imageItem(-1.5)]);
    assert.equal((await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT))?.url, imageUrl(-1.5));
    servePage(undefined, [imageItem(-2.5)]);
    assert.equal(await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT), undefined);
  });

  it('never matches an image without a readable creation date', async () => {
    servePage(undefined, [imageItem(2, { createdDate: undefined }), imageItem(1, { createdDate: 'yesterday' })]);
    assert.equal(await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT), undefined);
  });

  it('stops at the first image older than the submission, and reads at most five pages', async () => {
    servePage(undefined, [imageItem(3, { prompt: 'Someone else' }), imageItem(-10), imageItem(-20)], 'p2');
    assert.equal(await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT), undefined);
    assert.equal(listRequests().length, 1);
    server.reset();
    for (let page = 1; page <= 6; page++) {
      servePage(page === 1 ? undefined : `p${page}`, [imageItem(60 - page, { prompt: 'Not it' })], `p${page + 1}`);
    }
    assert.equal(await client.findCreatedImage(IMAGE_REQUEST, SUBMITTED_AT), undefined);
    assert.equal(listRequests().length, 5);
  });

  it("finds the image whose answer was lost on the way back, and not another prompt's", async () => {
    const submittedAt = Date.now();
    const request: ImageRequest = { ...IMAGE_REQUEST, referenceImageUrl: `${server.origin}/media/image.png` };
    server.addFault({ method: 'POST', fault: { kind: 'createThenReset' } });
    const error = await client.createImage(request).then(
      () => assert.fail('the answer was dropped'),
      (rejected: unknown) => rejected,
    );
    assert.ok(error instanceof PictoryApiError);
    assert.equal(error.kind, 'network');
    assert.equal(error.details.maybeCreated, true);
    assert.equal(server.imageJobs().size, 1);
    const [jobId] = server.imageJobs().keys();
    assert.equal(await client.findCreatedImage(request, submittedAt), undefined, 'not listed while it is being made');
    await client.getJob(jobId);
    await client.getJob(jobId);
    const found = await client.findCreatedImage(request, submittedAt);
    assert.equal(found?.url, `${server.origin}/media/${jobId}.png`);
    assert.equal(found?.width, 1344);
    assert.equal(found?.height, 768);
    assert.equal(await client.findCreatedImage({ ...request, prompt: 'A paper plane over a puddle' }, submittedAt), undefined);
    assert.equal(await client.findCreatedImage({ ...request, style: undefined }, submittedAt), undefined);
  });
});
