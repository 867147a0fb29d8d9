import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { locateFixturesDir } from '../server/media';
import { startPictoryServer, type PictoryServer } from '../server/pictoryServer';

const KEY = 'pictai_test_key';

interface JsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

describe('Pictory test server', () => {
  let server: PictoryServer;

  before(async () => {
    server = await startPictoryServer();
  });

  afterEach(() => server.reset());

  after(() => server.close());

  async function call(path: string, init: RequestInit & { key?: string | null } = {}): Promise<JsonAnswer> {
    const { key = KEY, ...rest } = init;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'pictory-vscode/0.0.0 VSCode/test' };
    if (key !== null) headers.Authorization = key;
    const response = await fetch(server.baseUrl + path, { ...rest, headers });
    const text = await response.text();
    const isJson = response.headers.get('content-type') === 'application/json';
    return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : text };
  }

  function generate(body: object): Promise<JsonAnswer> {
    return call('/v1/aistudio/videos', { method: 'POST', body: JSON.stringify(body) });
  }

  async function generateJob(body: object): Promise<string> {
    const answer = await generate(body);
    assert.equal(answer.status, 200);
    const { data } = answer.body as { data: { jobId: string } };
    return data.jobId;
  }

  async function pollUntilFinal(jobId: string): Promise<{ job_id: string; success: boolean; data: Record<string, unknown> }[]> {
    const answers = [];
    for (let poll = 0; poll < 3; poll++) answers.push((await call(`/v1/jobs/${jobId}`)).body);
    return answers as { job_id: string; success: boolean; data: Record<string, unknown> }[];
  }

  describe('authentication', () => {
    it('refuses a missing or invalid key with 401', async () => {
      for (const key of [null, 'nope', 'pictai_wrong_key']) {
        const answer = await call('/v1/quota', { key });
        assert.equal(answer.status, 401);
        assert.deepEqual(answer.body, { message: 'Unauthorized' });
      }
    });

    it('refuses a key sent with a Bearer prefix', async () => {
      const answer = await call('/v1/quota', { key: `Bearer ${KEY}` });
      assert.equal(answer.status, 401);
    });

    it('records where the key went and the user agent', async () => {
      await call('/v1/quota');
      assert.equal(server.requests.length, 1);
      const [recorded] = server.requests;
      assert.equal(recorded.authorization, KEY);
      assert.equal(recorded.userAgent, 'pictory-vscode/0.0.0 VSCode/test');
      assert.equal(recorded.path, '/pictoryapis/v1/quota');
    });
  });

  describe('POST /v1/aistudio/videos', () => {
    it('lists every invalid field in a 400', async () => {
      const answer = await generate({ prompt: 'hi', model: 'veo3.1', aspectRatio: '1:1', duration: '5s', webhook: 'not a uri' });
      assert.equal(answer.status, 400);
      const body = answer.body as { code: string; fields: { name: string; errors: string }[] };
      assert.equal(body.code, 'INVALID_REQUEST_BODY');
      assert.deepEqual(body.fields.map((field) => field.name), ['prompt', 'aspectRatio', 'duration', 'webhook']);
    });

    it('refuses more than one image or video input', async () => {
      const url = 'https://example.com/a.jpg';
      const answer = await generate({ prompt: 'a calm lake', firstFrameImageUrl: url, referenceImageUrls: [url] });
      const body = answer.body as { fields: { name: string }[] };
      assert.deepEqual(body.fields.map((field) => field.name), ['firstFrameImageUrl', 'referenceImageUrls']);
    });

    it('refuses a body that is not JSON', async () => {
      const answer = await call('/v1/aistudio/videos', { method: 'POST', body: '{"prompt":' });
      assert.equal(answer.status, 400);
      assert.equal(server.requests[0].body, '{"prompt":');
    });

    it('answers a job id and applies the model defaults', async () => {
      const jobId = await generateJob({ prompt: 'a calm lake at dawn' });
      assert.match(jobId, /^[0-9a-f-]{36}$/);
      const job = server.jobs().get(jobId);
      assert.equal(job?.request.model, 'pixverse5.5');
      assert.equal(job?.request.aspectRatio, '16:9');
      assert.equal(job?.request.duration, '5s');
    });
  });

  describe('GET /v1/jobs/{id}', () => {
    it('reports in-progress, then the completed video', async () => {
      const jobId = await generateJob({ prompt: 'a calm lake at dawn', aspectRatio: '9:16', duration: '8s' });
      const [first, second, final] = await pollUntilFinal(jobId);
      assert.deepEqual(first, { job_id: jobId, success: true, data: { status: 'in-progress' } });
      assert.equal(second.data.status, 'in-progress');
      assert.equal(final.success, true);
      assert.equal(final.data.status, 'completed');
      assert.equal(final.data.url, `${server.origin}/media/${jobId}.mp4`);
      assert.equal(final.data.thumbnailImageUrl, `${server.origin}/media/${jobId}_thumbnail.jpg`);
      assert.equal(typeof final.data.previewImageUrl, 'string');
      assert.equal(typeof final.data.lastFrameImageUrl, 'string');
      assert.equal(final.data.duration, '8s');
      assert.equal(final.data.width, 720);
      assert.equal(final.data.height, 1280);
      assert.equal(final.data.aiCreditsUsed, 12.8);
    });

    it('prices and sizes Veo clips', async () => {
      const jobId = await generateJob({ prompt: 'a calm lake at dawn', model: 'veo3.1', duration: '8s' });
      const final = (await pollUntilFinal(jobId))[2];
      assert.equal(final.data.aiCreditsUsed, 160);
      assert.equal(final.data.width, 1920);
      assert.equal(final.data.height, 1080);
    });

    it('fails a #fail prompt', async () => {
      const jobId = await generateJob({ prompt: 'a storm #fail' });
      const final = (await pollUntilFinal(jobId))[2];
      assert.deepEqual(final, {
        job_id: jobId,
        success: false,
        data: { status: 'failed', error_code: 'TEXT_TO_VIDEO_FAILED', error_message: 'The video could not be generated from this prompt.' },
      });
    });

    it('follows the #queued, #cleaned and #forever markers', async () => {
      const queued = await pollUntilFinal(await generateJob({ prompt: 'a storm #queued' }));
      assert.deepEqual(queued.map((answer) => answer.data.status), ['queued', 'queued', 'completed']);
      const cleaned = (await pollUntilFinal(await generateJob({ prompt: 'a storm #cleaned' })))[2];
      assert.deepEqual(cleaned.data, { status: 'cleaned' });
      const forever = (await pollUntilFinal(await generateJob({ prompt: 'a storm #forever' })))[2];
      assert.equal(forever.data.status, 'in-progress');
    });

    it('finishes a #takes-…s job after that time, however often it is polled', async () => {
      const jobId = await generateJob({ prompt: 'a storm #takes-0.4s' });
      const early = await Promise.all([1, 2, 3, 4].map(() => call(`/v1/jobs/${jobId}`)));
      assert.deepEqual(early.map((answer) => (answer.body as { data: { status: string } }).data.status), ['in-progress', 'in-progress', 'in-progress', 'in-progress']);
      await new Promise((resolve) => setTimeout(resolve, 450));
      assert.equal(((await call(`/v1/jobs/${jobId}`)).body as { data: { status: string } }).data.status, 'completed');
    });

    it('answers 404 JOB_NOT_FOUND for unknown and forgotten jobs', async () => {
      const jobId = await generateJob({ prompt: 'a calm lake at dawn' });
      server.forgetJob(jobId);
      for (const id of [jobId, 'no-such-job']) {
        const answer = await call(`/v1/jobs/${id}`);
        assert.equal(answer.status, 404);
        assert.deepEqual(answer.body, { success: false, error: { error_code: '5000', error_message: 'JOB_NOT_FOUND' } });
      }
    });
  });

  describe('related endpoints', () => {
    it('lists finished videos newest first', async () => {
      const older = await generateJob({ prompt: 'the older clip' });
      const newer = await generateJob({ prompt: 'the newer clip' });
      await pollUntilFinal(older);
      await pollUntilFinal(newer);
      const answer = await call('/v1/aistudio/videos');
      const { items } = answer.body as { items: { prompt: string; url: string }[] };
      assert.deepEqual(items.map((item) => item.prompt), ['the newer clip', 'the older clip']);
      assert.equal(items[0].url, `${server.origin}/media/${newer}.mp4`);
    });

    it('lists what a lost submission is recognised by', async () => {
      const before = Date.now();
      await pollUntilFinal(await generateJob({ prompt: 'a calm lake at dawn', model: 'veo3.1_fast', aspectRatio: '9:16', duration: '6s' }));
      const { items } = (await call('/v1/aistudio/videos')).body as { items: Record<string, unknown>[] };
      const [video] = items;
      assert.equal(video.prompt, 'a calm lake at dawn');
      assert.equal(video.model, 'veo3.1_fast');
      assert.equal(video.aspectRatio, '9:16');
      assert.equal(video.duration, '6s');
      assert.equal(typeof video.createdDate, 'string');
      assert.equal(new Date(video.createdDate as string).toISOString(), video.createdDate);
      assert.ok(Date.parse(video.createdDate as string) >= before - 1);
    });

    it('reports the quota', async () => {
      const answer = await call('/v1/quota');
      const body = answer.body as { aiCredits: { used: number; limit: number } };
      assert.equal(typeof body.aiCredits.used, 'number');
      assert.equal(typeof body.aiCredits.limit, 'number');
    });

    it('answers 404 JSON for an unknown route', async () => {
      const answer = await call('/v2/whatever');
      assert.equal(answer.status, 404);
      assert.equal(answer.headers.get('content-type'), 'application/json');
    });
  });

  describe('faults', () => {
    it('answers a canned 429 with Retry-After, once', async () => {
      server.addFault({ method: 'GET', path: /quota/, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '3' } } });
      const limited = await call('/v1/quota');
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '3');
      assert.equal((await call('/v1/quota')).status, 200);
    });

    it('answers a proxy HTML page', async () => {
      server.addFault({ fault: { kind: 'html', status: 502 } });
      const answer = await call('/v1/quota');
      assert.equal(answer.status, 502);
      assert.equal(answer.headers.get('content-type'), 'text/html');
      assert.match(answer.body as string, /502 Bad Gateway/);
    });

    it('resets the connection, before or during the body', async () => {
      server.addFault({ fault: { kind: 'reset' } });
      await assert.rejects(call('/v1/quota'));
      server.addFault({ fault: { kind: 'resetMidBody' } });
      await assert.rejects(call('/v1/quota'));
      assert.equal(server.requests.length, 2);
    });

    it('creates the job, then drops the connection instead of answering', async () => {
      server.addFault({ method: 'POST', fault: { kind: 'createThenReset' } });
      await assert.rejects(generate({ prompt: 'a calm lake at dawn' }));
      assert.equal(server.jobs().size, 1);
      const [job] = server.jobs().values();
      assert.equal(job.request.prompt, 'a calm lake at dawn');
      assert.equal((await call(`/v1/jobs/${job.id}`)).status, 200);
    });

    it('hangs until the client gives up', async () => {
      server.addFault({ path: /quota/, times: Infinity, fault: { kind: 'hang' } });
      await assert.rejects(call('/v1/quota', { signal: AbortSignal.timeout(100) }), { name: 'TimeoutError' });
      await assert.rejects(call('/v1/quota', { signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });
      server.clearFaults();
      assert.equal((await call('/v1/quota')).status, 200);
    });

    it('delays a normal answer', async () => {
      server.addFault({ fault: { kind: 'delay', ms: 80 } });
      const started = Date.now();
      assert.equal((await call('/v1/quota')).status, 200);
      assert.ok(Date.now() - started >= 75);
    });
  });

  describe('media', () => {
    const withAudio = readFileSync(`${locateFixturesDir()}/with-audio.mp4`);
    const noAudio = readFileSync(`${locateFixturesDir()}/no-audio.mp4`);

    async function finishedVideoUrl(prompt: string): Promise<string> {
      const jobId = await generateJob({ prompt });
      return (await pollUntilFinal(jobId))[2].data.url as string;
    }

    it('serves the video of a job without auth, with CORS', async () => {
      const response = await fetch(await finishedVideoUrl('a calm lake at dawn'));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'video/mp4');
      assert.equal(response.headers.get('accept-ranges'), 'bytes');
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), withAudio);
      assert.equal(server.mediaRequests.length, 1);
    });

    it('serves the silent video for #silent', async () => {
      const response = await fetch(await finishedVideoUrl('a calm lake #silent'));
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), noAudio);
    });

    it('answers byte ranges with 206', async () => {
      const url = await finishedVideoUrl('a calm lake at dawn');
      const cases: [string, number, number][] = [
        ['bytes=0-99', 0, 99],
        ['bytes=100-', 100, withAudio.length - 1],
        ['bytes=-10', withAudio.length - 10, withAudio.length - 1],
      ];
      for (const [range, start, end] of cases) {
        const response = await fetch(url, { headers: { Range: range } });
        assert.equal(response.status, 206);
        assert.equal(response.headers.get('content-range'), `bytes ${start}-${end}/${withAudio.length}`);
        assert.deepEqual(Buffer.from(await response.arrayBuffer()), withAudio.subarray(start, end + 1));
      }
    });

    it('answers 416 to an unsatisfiable range', async () => {
      const response = await fetch(await finishedVideoUrl('a calm lake at dawn'), { headers: { Range: `bytes=${withAudio.length}-` } });
      assert.equal(response.status, 416);
      assert.equal(response.headers.get('content-range'), `bytes */${withAudio.length}`);
      await response.arrayBuffer();
    });

    it('answers HEAD with the length and no body', async () => {
      const url = new URL(await finishedVideoUrl('a calm lake at dawn'));
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        httpRequest(url, { method: 'HEAD' }, (response) => {
          response.resume();
          resolve({ status: response.statusCode, length: response.headers['content-length'] });
        })
          .on('error', reject)
          .end();
      });
      assert.deepEqual(headers, { status: 200, length: String(withAudio.length) });
    });

    it('serves the thumbnail as a JPEG', async () => {
      const jobId = await generateJob({ prompt: 'a calm lake at dawn' });
      const response = await fetch(`${server.origin}/media/${jobId}_thumbnail.jpg`);
      assert.equal(response.headers.get('content-type'), 'image/jpeg');
      assert.equal(Buffer.from(await response.arrayBuffer()).subarray(0, 2).toString('hex'), 'ffd8');
    });
  });

  describe('POST /v1/aistudio/images', () => {
    function generateImage(body: object, key?: string | null): Promise<JsonAnswer> {
      return call('/v1/aistudio/images', { method: 'POST', body: JSON.stringify(body), key });
    }

    async function refusedFields(body: object): Promise<{ name: string; errors: string }[]> {
      const answer = await generateImage(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      const refusal = answer.body as { code: string; message: string; fields: { name: string; errors: string }[] };
      assert.equal(refusal.code, 'INVALID_REQUEST_BODY');
      assert.equal(refusal.message, 'Request body is invalid: check the fields array.');
      assert.equal(server.imageJobs().size, 0);
      return refusal.fields;
    }

    it('answers a job id and applies the defaults', async () => {
      const answer = await generateImage({ prompt: 'a quiet harbour' });
      assert.equal(answer.status, 200);
      const { success, data } = answer.body as { success: boolean; data: { jobId: string } };
      assert.equal(success, true);
      assert.deepEqual(server.imageJobs().get(data.jobId)?.request, { prompt: 'a quiet harbour', model: 'seedream3.0', aspectRatio: '1:1' });
      assert.equal(server.jobs().size, 0, 'not a video job');
    });

    it('refuses an unknown field, such as a typo', async () => {
      assert.deepEqual(await refusedFields({ prompt: 'a quiet harbour', aspect_ratio: '16:9' }), [{ name: 'aspect_ratio', errors: 'is not allowed' }]);
      assert.deepEqual(await refusedFields({ prompt: 'a quiet harbour', duration: '5s' }), [{ name: 'duration', errors: 'is not allowed' }]);
    });

    it('refuses a model, aspect ratio or style it does not know', async () => {
      const names = async (body: object) => (await refusedFields(body)).map((field) => field.name);
      assert.deepEqual(await names({ prompt: 'a quiet harbour', model: 'dall-e' }), ['model']);
      assert.deepEqual(await names({ prompt: 'a quiet harbour', model: 'pixverse5.5' }), ['model']);
      assert.deepEqual(await names({ prompt: 'a quiet harbour', aspectRatio: '4:3' }), ['aspectRatio']);
      assert.deepEqual(await names({ prompt: 'a quiet harbour', model: 'nanobanana', aspectRatio: '16:9' }), ['aspectRatio']);
      assert.deepEqual(await names({ prompt: 'a quiet harbour', style: 'Vintage' }), ['style']);
      assert.deepEqual(await names({ prompt: 'a quiet harbour', style: null }), ['style']);
      assert.deepEqual(await names({ prompt: 'hi', model: 'flux-schnell', aspectRatio: 1, webhook: 'not a uri' }), ['prompt', 'aspectRatio', 'webhook']);
    });

    it('takes a reference image on seedream3.0 only, and only over https or loopback http', async () => {
      for (const model of ['flux-schnell', 'nanobanana', 'nanobanana-pro']) {
        const fields = await refusedFields({ prompt: 'a quiet harbour', model, referenceImageUrl: 'https://cdn.example/a.png' });
        assert.deepEqual(fields, [{ name: 'referenceImageUrl', errors: 'is not supported by this model' }], model);
      }
      for (const referenceImageUrl of ['http://cdn.example/a.png', 'ftp://cdn.example/a.png', 'a.png', 42, 'https://u:p@cdn.example/a.png']) {
        const fields = await refusedFields({ prompt: 'a quiet harbour', referenceImageUrl });
        assert.deepEqual(fields.map((field) => field.name), ['referenceImageUrl'], String(referenceImageUrl));
      }
      for (const referenceImageUrl of ['https://cdn.example/a.png', 'http://127.0.0.1:9/a.png', 'http://localhost/a.png']) {
        assert.equal((await generateImage({ prompt: 'a quiet harbour', referenceImageUrl })).status, 200, referenceImageUrl);
      }
    });

    it('refuses a body that is not a JSON object, and a missing key', async () => {
      assert.equal((await call('/v1/aistudio/images', { method: 'POST', body: '{"prompt":' })).status, 400);
      assert.deepEqual(await refusedFields([]), [{ name: 'body', errors: 'must be a JSON object' }]);
      assert.equal((await generateImage({ prompt: 'a quiet harbour' }, null)).status, 401);
    });

    it('is polled at /v1/jobs/{id} to a PNG with its size and cost', async () => {
      const answer = await generateImage({ prompt: 'a quiet harbour', model: 'flux-schnell', aspectRatio: '16:9', style: 'minimalist' });
      const { jobId } = (answer.body as { data: { jobId: string } }).data;
      const [first, , final] = await pollUntilFinal(jobId);
      assert.deepEqual(first, { job_id: jobId, success: true, data: { status: 'in-progress' } });
      assert.deepEqual(final, {
        job_id: jobId,
        success: true,
        data: { status: 'completed', url: `${server.origin}/media/${jobId}.png`, width: 1344, height: 768, aiCreditsUsed: 0.6 },
      });
      const image = await fetch(final.data.url as string);
      assert.equal(image.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await image.arrayBuffer()), readFileSync(`${locateFixturesDir()}/image.png`));
      const { items } = (await call('/v1/aistudio/images')).body as { items: Record<string, unknown>[] };
      assert.equal(items.length, 1);
      assert.equal(items[0].url, final.data.url);
      assert.equal(items[0].style, 'minimalist');
      assert.equal(items[0].width, 1344);
      assert.equal((await fetch(`${server.origin}/media/no-such-job.png`)).status, 404);
    });

    it('fails a #fail prompt and follows the other markers', async () => {
      const jobOf = async (prompt: string) => ((await generateImage({ prompt })).body as { data: { jobId: string } }).data.jobId;
      const failed = (await pollUntilFinal(await jobOf('a storm #fail')))[2];
      assert.equal(failed.success, false);
      assert.equal(failed.data.status, 'failed');
      assert.equal(failed.data.error_code, 'TEXT_TO_IMAGE_FAILED');
      assert.equal((await pollUntilFinal(await jobOf('a storm #cleaned')))[2].data.status, 'cleaned');
      assert.equal((await pollUntilFinal(await jobOf('a storm #forever')))[2].data.status, 'in-progress');
      assert.deepEqual(((await call('/v1/aistudio/images')).body as { items: unknown[] }).items, []);
    });

    it('counts image credits in the quota', async () => {
      const before = ((await call('/v1/quota')).body as { aiCredits: { used: number } }).aiCredits.used;
      await generateImage({ prompt: 'a quiet harbour', model: 'nanobanana-pro' });
      const after = ((await call('/v1/quota')).body as { aiCredits: { used: number } }).aiCredits.used;
      assert.equal(after - before, 14);
    });

    it('lists images only with the key', async () => {
      assert.equal((await call('/v1/aistudio/images', { key: null })).status, 401);
    });

    it('fails on demand: a 500, a gateway page, a reset', async () => {
      server.addFault({ method: 'POST', path: /\/v1\/aistudio\/images$/, fault: { kind: 'status', status: 500 } });
      assert.equal((await generateImage({ prompt: 'a quiet harbour' })).status, 500);
      server.addFault({ method: 'GET', path: /\/v1\/aistudio\/images/, fault: { kind: 'html', status: 502 } });
      assert.equal((await call('/v1/aistudio/images')).status, 502);
      server.addFault({ method: 'POST', path: /images/, fault: { kind: 'reset' } });
      await assert.rejects(generateImage({ prompt: 'a quiet harbour' }));
      assert.equal(server.imageJobs().size, 0);
    });
  });

  describe('POST /v1/media/generateurl and the storage host', () => {
    function generateUrl(body: unknown, key?: string | null): Promise<JsonAnswer> {
      return call('/v1/media/generateurl', { method: 'POST', body: JSON.stringify(body), key });
    }

    async function signed(contentType = 'image/png', fileName = 'a.png'): Promise<{ signedUrl: string; url: string; key: string }> {
      const answer = await generateUrl({ fileName, contentType });
      assert.equal(answer.status, 200);
      const { success, data } = answer.body as { success: boolean; data: { signedUrl: string; url: string; key: string } };
      assert.equal(success, true);
      return data;
    }

    function put(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; contentType: string | null; text: string }> {
      return fetch(url, { method: 'PUT', body, headers }).then(async (response) => ({
        status: response.status,
        contentType: response.headers.get('content-type'),
        text: await response.text(),
      }));
    }

    const png = Buffer.from('89504e470d0a1a0a', 'hex');

    it('signs an upload to the storage host and serves the file at its url', async () => {
      const { signedUrl, url, key } = await signed();
      assert.ok(signedUrl.startsWith(`${server.storage.origin}/uploads/`));
      assert.equal(url, signedUrl.split('?')[0]);
      assert.equal(`${server.storage.origin}/${key}`, url);
      assert.equal((await put(signedUrl, png, { 'Content-Type': 'image/png' })).status, 200);
      const response = await fetch(url);
      assert.equal(response.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), png);
      assert.deepEqual(
        server.storage.requests.map((request) => [request.method, request.contentType, request.authorization]),
        [['PUT', 'image/png', undefined], ['GET', undefined, undefined]],
      );
    });

    it('refuses an unknown field, a type it does not sign and a missing or odd name', async () => {
      const cases: [unknown, string[]][] = [
        [{ fileName: 'a.png', contentType: 'image/png', bucket: 'x' }, ['bucket']],
        [{ fileName: 'a.gif', contentType: 'image/gif' }, ['contentType']],
        [{ fileName: 'a.svg', contentType: 'image/svg+xml' }, ['contentType']],
        [{ fileName: 'a.png', contentType: 'IMAGE/PNG' }, ['contentType']],
        [{ fileName: 'a.png' }, ['contentType']],
        [{ contentType: 'image/png' }, ['fileName']],
        [{ fileName: '', contentType: 'image/png' }, ['fileName']],
        [{ fileName: 'up/a.png', contentType: 'image/png' }, ['fileName']],
        [{ fileName: 7, contentType: 7 }, ['fileName', 'contentType']],
        ['a.png', ['body']],
      ];
      for (const [body, names] of cases) {
        const answer = await generateUrl(body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        const refusal = answer.body as { code: string; fields: { name: string }[] };
        assert.equal(refusal.code, 'INVALID_REQUEST_BODY');
        assert.deepEqual(refusal.fields.map((field) => field.name), names, JSON.stringify(body));
      }
    });

    it('needs the key, and fails on demand', async () => {
      assert.equal((await generateUrl({ fileName: 'a.png', contentType: 'image/png' }, null)).status, 401);
      server.addFault({ method: 'POST', path: /generateurl/, fault: { kind: 'html', status: 502 } });
      assert.equal((await generateUrl({ fileName: 'a.png', contentType: 'image/png' })).status, 502);
      server.addFault({ method: 'POST', path: /generateurl/, fault: { kind: 'reset' } });
      await assert.rejects(generateUrl({ fileName: 'a.png', contentType: 'image/png' }));
    });

    async function refusal(url: string, headers: Record<string, string>): Promise<{ status: number; code: string }> {
      const answer = await put(url, png, headers);
      assert.equal(answer.contentType, 'application/xml');
      const code = /<Code>(\w+)<\/Code>/.exec(answer.text)?.[1] ?? '';
      return { status: answer.status, code };
    }

    it('refuses a PUT with another Content-Type, an Authorization header, a changed or missing signature', async () => {
      const { signedUrl, url } = await signed();
      assert.deepEqual(await refusal(signedUrl, { 'Content-Type': 'image/jpeg' }), { status: 403, code: 'SignatureDoesNotMatch' });
      assert.deepEqual(await refusal(signedUrl, {}), { status: 403, code: 'SignatureDoesNotMatch' });
      assert.deepEqual(await refusal(signedUrl, { 'Content-Type': 'image/png', Authorization: KEY }), { status: 400, code: 'InvalidArgument' });
      assert.deepEqual(await refusal(url, { 'Content-Type': 'image/png' }), { status: 403, code: 'AccessDenied' });
      const other = (await signed('image/png', 'b.png')).signedUrl;
      const swapped = `${url}?${new URL(other).searchParams}`;
      assert.deepEqual(await refusal(swapped, { 'Content-Type': 'image/png' }), { status: 403, code: 'SignatureDoesNotMatch' });
      const later = signedUrl.replace(/Expires=(\d+)/, (_, expires: string) => `Expires=${Number(expires) + 1000}`);
      assert.deepEqual(await refusal(later, { 'Content-Type': 'image/png' }), { status: 403, code: 'SignatureDoesNotMatch' });
      assert.equal(server.storage.files().size, 0);
      assert.equal((await fetch(url)).status, 404);
    });

    it('refuses an expired link', async () => {
      server.storage.urlLifetimeMs = 0;
      const { signedUrl } = await signed();
      const answer = await put(signedUrl, png, { 'Content-Type': 'image/png' });
      assert.equal(answer.status, 403);
      assert.match(answer.text, /<Code>AccessDenied<\/Code><Message>Request has expired\.<\/Message>/);
      server.reset();
      assert.equal(server.storage.urlLifetimeMs, 24 * 60 * 60 * 1000, 'reset restores the lifetime');
    });

    it('refuses a chunked upload without a Content-Length', async () => {
      const { signedUrl } = await signed();
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const request = httpRequest(signedUrl, { method: 'PUT', headers: { 'Content-Type': 'image/png' } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        });
        request.on('error', reject);
        request.write(png.subarray(0, 4));
        request.end(png.subarray(4));
      });
      assert.equal(status, 411);
      assert.equal(server.storage.requests[0].transferEncoding, 'chunked');
    });

    it('answers 404 for a file never uploaded or outside the uploads, and 405 for other methods', async () => {
      const { url } = await signed();
      assert.equal((await fetch(url)).status, 404);
      assert.equal((await fetch(`${server.storage.origin}/etc/passwd`)).status, 404);
      assert.equal((await fetch(url, { method: 'DELETE' })).status, 405);
    });

    it('fails on demand too', async () => {
      const { signedUrl } = await signed();
      server.storage.addFault({ method: 'PUT', fault: { kind: 'status', status: 500 } });
      assert.equal((await put(signedUrl, png, { 'Content-Type': 'image/png' })).status, 500);
      server.storage.addFault({ method: 'PUT', fault: { kind: 'reset' } });
      await assert.rejects(put(signedUrl, png, { 'Content-Type': 'image/png' }));
      server.storage.addFault({ method: 'PUT', fault: { kind: 'createThenReset' } });
      await assert.rejects(put(signedUrl, png, { 'Content-Type': 'image/png' }));
      assert.equal(server.storage.files().size, 1, 'stored, then the answer was dropped');
    });
  });

  describe('lifecycle', () => {
    it('refuses a non-loopback host', async () => {
      await assert.rejects(startPictoryServer({ host: '0.0.0.0' }), /loopback/);
    });

    it('closes while a request hangs', async () => {
      const other = await startPictoryServer({ pollsUntilDone: 0 });
      other.addFault({ fault: { kind: 'hang' } });
      const pending = fetch(`${other.baseUrl}/v1/quota`, { headers: { Authorization: KEY } });
      await waitFor(() => other.requests.length === 1);
      await other.close();
      await assert.rejects(pending);
    });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
