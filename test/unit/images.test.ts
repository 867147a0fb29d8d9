import assert from 'node:assert/strict';
import { ImageRequest } from '../../src/pictory/client';
import { IMAGE_MODELS } from '../../src/pictory/catalog';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { makeClient, rejection } from './support';

const REQUEST: ImageRequest = { prompt: 'A lighthouse on a cliff at dusk', model: 'seedream3.0', aspectRatio: '16:9' };

describe('images', () => {
  let server: PictoryServer;
  const client = () => makeClient(server.baseUrl);
  const imagePosts = () => server.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/v1/aistudio/images'));

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 1 });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  describe('createImage', () => {
    it('sends exactly the contract fields, with the raw key, and returns the job id', async () => {
      const reference = `${server.origin}/media/image.png`;
      const request = { ...REQUEST, style: 'vintage', referenceImageUrl: reference, webhook: 'https://hooks.example/done' };
      const jobId = await client().createImage(request);
      assert.match(jobId, /^[0-9a-f-]{36}$/);
      const [posted] = imagePosts();
      assert.equal(posted.path, '/pictoryapis/v1/aistudio/images');
      assert.equal(posted.authorization, 'pictai_unit_tests');
      assert.deepEqual(posted.body, {
        prompt: REQUEST.prompt,
        model: 'seedream3.0',
        aspectRatio: '16:9',
        style: 'vintage',
        referenceImageUrl: reference,
        webhook: 'https://hooks.example/done',
      });
      assert.deepEqual(server.imageJobs().get(jobId)?.request, request);
    });

    it('leaves out optional fields not given, and anything that is not an image field', async () => {
      const stray = { ...REQUEST, style: undefined, duration: '8s', firstFrameImageUrl: 'https://cdn.example/a.png' } as ImageRequest;
      await client().createImage(stray);
      assert.deepEqual(imagePosts()[0].body, { prompt: REQUEST.prompt, model: 'seedream3.0', aspectRatio: '16:9' });
    });

    it('accepts every aspect ratio and style the catalog offers', async () => {
      for (const model of IMAGE_MODELS) {
        for (const aspectRatio of model.aspectRatios) {
          assert.ok(await client().createImage({ ...REQUEST, model: model.id, aspectRatio, style: 'cartoon' }), `${model.id} ${aspectRatio}`);
        }
      }
      assert.equal(server.imageJobs().size, IMAGE_MODELS.reduce((sum, model) => sum + model.aspectRatios.length, 0));
    });

    const refusals: [string, ImageRequest, string, RegExp][] = [
      ['an unknown model', { ...REQUEST, model: 'dall-e' }, 'model', /must be one of seedream3\.0, flux-schnell, nanobanana, nanobanana-pro/],
      ['an aspect ratio the model does not support', { ...REQUEST, model: 'nanobanana', aspectRatio: '16:9' }, 'aspectRatio', /must be one of 1:1 for nanobanana/],
      ['an aspect ratio no model supports', { ...REQUEST, aspectRatio: '4:3' }, 'aspectRatio', /1:1, 16:9, 9:16/],
      ['an unknown style', { ...REQUEST, style: 'baroque' }, 'style', /photorealistic, artistic, cartoon, minimalist, vintage, futuristic/],
      ['a reference image for a model that takes none', { ...REQUEST, model: 'flux-schnell', referenceImageUrl: 'https://cdn.example/a.png' }, 'referenceImageUrl', /not supported by flux-schnell/],
      ['a reference image that is not https', { ...REQUEST, referenceImageUrl: 'http://cdn.example/a.png' }, 'referenceImageUrl', /https/],
      ['a reference image that is not a URL', { ...REQUEST, referenceImageUrl: 'a.png' }, 'referenceImageUrl', /absolute URL/],
      ['a reference image with credentials', { ...REQUEST, referenceImageUrl: 'https://me:secret@cdn.example/a.png' }, 'referenceImageUrl', /user name or password/],
    ];
    for (const [what, request, field, reason] of refusals) {
      it(`refuses ${what}, sending nothing`, async () => {
        const error = await rejection(client().createImage(request));
        assert.equal(error.kind, 'invalidRequest');
        assert.equal(error.status, undefined);
        assert.equal(error.details.maybeCreated, false);
        assert.deepEqual(error.details.fields?.map((f) => f.name), [field]);
        assert.match(error.details.fields?.[0].reason ?? '', reason);
        assert.match(error.message, /^The request was not sent, because Pictory would refuse it: /);
        assert.equal(server.requests.length, 0);
      });
    }

    it('takes a loopback http reference only while the API is on this computer too', async () => {
      const reference = { ...REQUEST, referenceImageUrl: 'http://127.0.0.1:9/a.png' };
      const remote = makeClient('https://api.pictory.invalid/pictoryapis');
      const error = await rejection(remote.createImage(reference));
      assert.equal(error.kind, 'invalidRequest');
      assert.equal(error.details.fields?.[0].name, 'referenceImageUrl');
      assert.ok(await client().createImage(reference));
    });

    it('never resends a POST that may have arrived', async () => {
      server.addFault({ method: 'POST', path: /images/, fault: { kind: 'html', status: 502 } });
      const error = await rejection(client().createImage(REQUEST));
      assert.equal(error.details.maybeCreated, true);
      server.addFault({ method: 'POST', path: /images/, fault: { kind: 'createThenReset' } });
      const reset = await rejection(client().createImage(REQUEST));
      assert.equal(reset.kind, 'network');
      assert.equal(reset.details.maybeCreated, true);
      assert.equal(imagePosts().length, 2);
      assert.equal(server.imageJobs().size, 1, 'the reset one was made');
    });

    it('resends a POST Pictory refused in its own error shape', async () => {
      server.addFault({ method: 'POST', path: /images/, fault: { kind: 'status', status: 500, body: '{"code":"INTERNAL_ERROR"}' } });
      assert.ok(await client().createImage(REQUEST));
      assert.equal(imagePosts().length, 2);
    });

    it("reads the server's 400 fields", async () => {
      const error = await rejection(client().createImage({ ...REQUEST, prompt: 'hi' }));
      assert.equal(error.kind, 'invalidRequest');
      assert.equal(error.status, 400);
      assert.deepEqual(error.details.fields?.map((f) => f.name), ['prompt']);
    });
  });

  describe('an image job', () => {
    it('is polled to completion at /v1/jobs/{id}, with its url, size and cost', async () => {
      const jobId = await client().createImage({ ...REQUEST, model: 'nanobanana-pro', aspectRatio: '9:16' });
      assert.deepEqual(await client().getJob(jobId), { state: 'running', apiStatus: 'in-progress' });
      const done = await client().getJob(jobId);
      assert.equal(done.state, 'completed');
      if (done.state !== 'completed') return;
      assert.equal(done.video.url, `${server.origin}/media/${jobId}.png`);
      assert.equal(done.video.width, 768);
      assert.equal(done.video.height, 1344);
      assert.equal(done.video.aiCreditsUsed, 14);
      const response = await fetch(done.video.url);
      assert.equal(response.headers.get('content-type'), 'image/png');
      assert.equal(Buffer.from(await response.arrayBuffer()).subarray(1, 4).toString('latin1'), 'PNG');
    });

    it('costs what the catalog says, per model', async () => {
      for (const model of IMAGE_MODELS) {
        const jobId = await client().createImage({ ...REQUEST, model: model.id, aspectRatio: '1:1' });
        await client().getJob(jobId);
        const done = await client().getJob(jobId);
        assert.equal(done.state === 'completed' && done.video.aiCreditsUsed, model.creditsPerImage, model.id);
      }
    });

    it('fails with #fail, as a video job does', async () => {
      const jobId = await client().createImage({ ...REQUEST, prompt: 'A storm at sea #fail' });
      await client().getJob(jobId);
      const failed = await client().getJob(jobId);
      assert.equal(failed.state, 'failed');
      if (failed.state === 'failed') assert.equal(failed.errorCode, 'TEXT_TO_IMAGE_FAILED');
    });
  });

  describe('listImages', () => {
    it('lists finished images newest first, with what they were made with', async () => {
      const reference = `${server.origin}/media/image.png`;
      const older = await client().createImage({ ...REQUEST, prompt: 'The older image', style: 'artistic', referenceImageUrl: reference });
      const newer = await client().createImage({ ...REQUEST, prompt: 'The newer image', model: 'flux-schnell', aspectRatio: '1:1' });
      await client().createImage({ ...REQUEST, prompt: 'Never finished #forever' });
      for (const jobId of [older, newer]) for (let poll = 0; poll < 2; poll++) await client().getJob(jobId);
      const page = await client().listImages();
      assert.equal(page.nextPageKey, undefined);
      assert.deepEqual(page.items.map((item) => item.prompt), ['The newer image', 'The older image']);
      const [first, second] = page.items;
      assert.equal(first.url, `${server.origin}/media/${newer}.png`);
      assert.equal(first.model, 'flux-schnell');
      assert.equal(first.aspectRatio, '1:1');
      assert.equal(first.width, 1024);
      assert.equal(first.height, 1024);
      assert.equal(first.style, undefined);
      assert.equal(first.referenceImageUrl, undefined);
      assert.equal(typeof first.id, 'string');
      assert.notEqual(first.id, newer, 'the library id is not the job id');
      assert.equal(new Date(first.createdDate ?? '').toISOString(), first.createdDate);
      assert.equal(second.style, 'artistic');
      assert.equal(second.referenceImageUrl, reference);
    });

    it('pages through more than a hundred images with nextPageKey', async () => {
      server.addFinishedImages(Array.from({ length: 150 }, (_, index) => ({ prompt: `Image number ${index}`, model: 'seedream3.0' as const, aspectRatio: '1:1' })));
      const first = await client().listImages();
      assert.equal(first.items.length, 100);
      assert.equal(first.items[0].prompt, 'Image number 149');
      assert.ok(first.nextPageKey);
      const second = await client().listImages(first.nextPageKey);
      assert.equal(second.items.length, 50);
      assert.equal(second.items.at(-1)?.prompt, 'Image number 0');
      assert.equal(second.nextPageKey, undefined);
      const paths = server.requests.map((request) => request.path);
      assert.deepEqual(paths, ['/pictoryapis/v1/aistudio/images', `/pictoryapis/v1/aistudio/images?nextPageKey=${first.nextPageKey}`]);
    });

    it('does not list videos among images, nor images among videos', async () => {
      server.addFinishedImages([{ prompt: 'Only an image', model: 'seedream3.0', aspectRatio: '1:1' }]);
      server.addFinishedVideos([{ prompt: 'Only a video', model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s' }]);
      assert.deepEqual((await client().listImages()).items.map((item) => item.prompt), ['Only an image']);
      assert.deepEqual((await client().listVideos()).items.map((item) => item.prompt), ['Only a video']);
    });

    it('skips items without a url and drops fields of the wrong type', async () => {
      const items = [{ url: 'https://cdn.example/a.png', width: '512', height: 'tall', style: 3 }, { prompt: 'no url' }, 'junk', null];
      server.addFault({ method: 'GET', path: /images$/, fault: { kind: 'status', status: 200, body: JSON.stringify({ items, nextPageKey: '' }) } });
      const page = await client().listImages();
      assert.deepEqual(page, {
        items: [
          {
            url: 'https://cdn.example/a.png',
            id: undefined,
            prompt: undefined,
            model: undefined,
            aspectRatio: undefined,
            createdDate: undefined,
            width: 512,
            height: undefined,
            style: undefined,
            referenceImageUrl: undefined,
          },
        ],
      });
    });

    it('says an answer without items is unexpected, and retries a GET that failed', async () => {
      server.addFault({ method: 'GET', path: /images$/, fault: { kind: 'status', status: 200, body: '{"data":[]}' } });
      const error = await rejection(client().listImages());
      assert.equal(error.kind, 'unexpectedResponse');
      assert.match(error.message, /items is missing/);
      server.addFault({ method: 'GET', path: /images$/, fault: { kind: 'html', status: 502 } });
      assert.deepEqual((await client().listImages()).items, []);
      assert.equal(server.requests.length, 3);
    });

    it('needs the key', async () => {
      const error = await rejection(makeClient(server.baseUrl, { apiKey: 'pictai_wrong' }).listImages());
      assert.equal(error.kind, 'unauthorized');
    });
  });
});
