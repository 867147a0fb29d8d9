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
