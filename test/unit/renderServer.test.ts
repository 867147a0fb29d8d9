import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { locateFixturesDir } from '../server/media';
import { startPictoryServer, type PictoryServer } from '../server/pictoryServer';

const KEY = 'pictai_test_key';

interface JsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

type JobAnswer = { job_id: string; success: boolean; data: Record<string, unknown> };

describe('Pictory test server: storyboard render', () => {
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

  function render(body: unknown, key?: string | null): Promise<JsonAnswer> {
    return call('/v2/video/storyboard/render', { method: 'POST', body: JSON.stringify(body), key });
  }

  /** The documented example: two video clips, the second faded in. */
  function film(videoName = 'my-film'): Record<string, unknown> & { scenes: Record<string, unknown>[] } {
    return {
      videoName,
      aspectRatio: '16:9',
      voiceOver: { enabled: false },
      backgroundMusic: { enabled: false },
      scenes: [
        { background: { visualUrl: 'https://cdn.example/clip-1.mp4', type: 'video', settings: { mute: false, loop: false } }, minimumDuration: 8 },
        {
          background: { visualUrl: 'https://cdn.example/clip-2.mp4', type: 'video', settings: { mute: false, loop: false } },
          minimumDuration: 8,
          sceneTransition: 'fade',
        },
      ],
    };
  }

  /** `film()` with its second scene changed. */
  function filmWithSecondScene(change: (scene: Record<string, unknown> & { background: Record<string, unknown> }) => void): object {
    const body = film();
    change(body.scenes[1] as Record<string, unknown> & { background: Record<string, unknown> });
    return body;
  }

  async function renderJob(body: object): Promise<string> {
    const answer = await render(body);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const { success, data } = answer.body as { success: boolean; data: { jobId: string } };
    assert.equal(success, true);
    return data.jobId;
  }

  async function pollUntilFinal(jobId: string): Promise<JobAnswer[]> {
    const answers = [];
    for (let poll = 0; poll < 3; poll++) answers.push((await call(`/v1/jobs/${jobId}`)).body);
    return answers as JobAnswer[];
  }

  async function refusedFields(body: unknown): Promise<{ name: string; errors: string }[]> {
    const answer = await render(body);
    assert.equal(answer.status, 400, JSON.stringify(body));
    const refusal = answer.body as { code: string; message: string; fields: { name: string; errors: string }[] };
    assert.equal(refusal.code, 'INVALID_REQUEST_BODY');
    assert.equal(refusal.message, 'Request body is invalid: check the fields array.');
    assert.equal(server.renderJobs().size, 0);
    return refusal.fields;
  }

  const names = async (body: unknown) => (await refusedFields(body)).map((field) => field.name);

  it('accepts the documented body and polls through its progress to the film, which it serves', async () => {
    const jobId = await renderJob(film());
    assert.match(jobId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(server.renderJobs().get(jobId)?.request, film());
    assert.equal(server.jobs().size, 0, 'not a video job');
    assert.equal(server.imageJobs().size, 0, 'not an image job');
    const [first, second, final] = await pollUntilFinal(jobId);
    assert.deepEqual(first, { job_id: jobId, success: true, data: { status: 'in-progress', renderProgress: 33, renderProgressMessage: 'Rendering' } });
    assert.deepEqual(second, { job_id: jobId, success: true, data: { status: 'in-progress', renderProgress: 67, renderProgressMessage: 'Rendering' } });
    assert.deepEqual(final, {
      job_id: jobId,
      success: true,
      data: {
        status: 'completed',
        videoURL: `${server.origin}/media/${jobId}_film.mp4`,
        videoDuration: 16,
        thumbnail: `${server.origin}/media/${jobId}_film.jpg`,
      },
    });
    const video = await fetch(final.data.videoURL as string);
    assert.equal(video.status, 200);
    assert.equal(video.headers.get('content-type'), 'video/mp4');
    assert.deepEqual(Buffer.from(await video.arrayBuffer()), readFileSync(`${locateFixturesDir()}/with-audio.mp4`));
    const thumbnail = await fetch(final.data.thumbnail as string);
    assert.equal(thumbnail.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await thumbnail.arrayBuffer()), readFileSync(`${locateFixturesDir()}/thumbnail.jpg`));
    assert.deepEqual(server.requests.map((request) => [request.method, request.path]), [
      ['POST', '/pictoryapis/v2/video/storyboard/render'],
      ['GET', `/pictoryapis/v1/jobs/${jobId}`],
      ['GET', `/pictoryapis/v1/jobs/${jobId}`],
      ['GET', `/pictoryapis/v1/jobs/${jobId}`],
    ]);
    assert.deepEqual(server.requests[0].body, film());
  });

  it('accepts the least it needs: a name and one image scene', async () => {
    const body = { videoName: 'x', scenes: [{ background: { visualUrl: 'http://127.0.0.1:9/a.png', type: 'image' }, minimumDuration: 2.5 }] };
    const jobId = await renderJob(body);
    assert.deepEqual(server.renderJobs().get(jobId)?.request, body);
    assert.equal((await pollUntilFinal(jobId))[2].data.videoDuration, 2.5);
  });

  it('refuses a misspelt field at any depth', async () => {
    assert.deepEqual(await refusedFields(filmWithSecondScene((scene) => {
      scene.sceneTransiton = scene.sceneTransition;
      delete scene.sceneTransition;
    })), [{ name: 'scenes[1].sceneTransiton', errors: 'is not allowed' }]);
    assert.deepEqual(await names({ ...film(), video_name: 'my-film' }), ['video_name']);
    assert.deepEqual(await names({ ...film(), voiceOver: { enabled: true, voice: 'Brian' } }), ['voiceOver.voice']);
    assert.deepEqual(await names(filmWithSecondScene((scene) => (scene.background.visualURL = 'https://cdn.example/a.mp4'))), ['scenes[1].background.visualURL']);
    assert.deepEqual(await names(filmWithSecondScene((scene) => (scene.background.settings = { mute: true, volume: 0 }))), ['scenes[1].background.settings.volume']);
  });

  it('refuses an unknown key in a background', async () => {
    assert.deepEqual(await refusedFields(filmWithSecondScene((scene) => (scene.background.url = 'https://cdn.example/a.mp4'))), [
      { name: 'scenes[1].background.url', errors: 'is not allowed' },
    ]);
  });

  it('refuses a missing, empty or overlong video name', async () => {
    const { videoName: _, ...nameless } = film();
    assert.deepEqual(await refusedFields(nameless), [{ name: 'videoName', errors: 'is required and must be a non-empty string' }]);
    for (const videoName of ['', '   ', 7, null, 'x'.repeat(201)]) {
      assert.deepEqual(await names({ ...film(), videoName }), ['videoName'], String(videoName));
    }
    assert.equal((await render(film('x'.repeat(200)))).status, 200);
  });

  it('refuses a transition, aspect ratio or background type it does not know', async () => {
    assert.deepEqual(await refusedFields(filmWithSecondScene((scene) => (scene.sceneTransition = 'crossfade'))), [
      { name: 'scenes[1].sceneTransition', errors: 'must be one of none, wipeup, wipedown, wipeleft, wiperight, smoothleft, smoothright, radial, circlecrop, hblur, fade' },
    ]);
    assert.deepEqual(await names(filmWithSecondScene((scene) => (scene.sceneTransition = 'Fade'))), ['scenes[1].sceneTransition']);
    assert.deepEqual(await names({ ...film(), aspectRatio: '21:9' }), ['aspectRatio']);
    assert.deepEqual(await names(filmWithSecondScene((scene) => (scene.background.type = 'audio'))), ['scenes[1].background.type']);
    assert.deepEqual(await names(filmWithSecondScene((scene) => delete scene.background.type)), ['scenes[1].background.type']);
    for (const aspectRatio of ['16:9', '9:16', '1:1', '4:5', '4:3', '3:4']) {
      assert.equal((await render({ ...film(), aspectRatio })).status, 200, aspectRatio);
    }
  });

  it('refuses no scenes, too many, and a scene that is not an object', async () => {
    const scenesError = [{ name: 'scenes', errors: 'is required and must be an array of 1 to 100 scenes' }];
    assert.deepEqual(await refusedFields({ ...film(), scenes: [] }), scenesError);
    assert.deepEqual(await refusedFields({ ...film(), scenes: undefined }), scenesError);
    assert.deepEqual(await refusedFields({ ...film(), scenes: {} }), scenesError);
    assert.deepEqual(await refusedFields({ ...film(), scenes: Array.from({ length: 101 }, () => film().scenes[0]) }), scenesError);
    assert.deepEqual(await names({ ...film(), scenes: [film().scenes[0], 'clip-2.mp4'] }), ['scenes[1]']);
    assert.deepEqual(await names({ ...film(), scenes: [{ minimumDuration: 8 }] }), ['scenes[0].background']);
    assert.equal((await render({ ...film(), scenes: Array.from({ length: 100 }, () => film().scenes[0]) })).status, 200);
  });

  it('refuses a setting that is not a boolean, and a switch that is not exactly { enabled }', async () => {
    assert.deepEqual(await refusedFields(filmWithSecondScene((scene) => (scene.background.settings = { mute: 'false', loop: false }))), [
      { name: 'scenes[1].background.settings.mute', errors: 'must be a boolean' },
    ]);
    assert.deepEqual(await names(filmWithSecondScene((scene) => (scene.background.settings = { loop: 1 }))), ['scenes[1].background.settings.loop']);
    assert.deepEqual(await names(filmWithSecondScene((scene) => (scene.background.settings = true))), ['scenes[1].background.settings']);
    assert.deepEqual(await names({ ...film(), voiceOver: {} }), ['voiceOver.enabled']);
    assert.deepEqual(await names({ ...film(), voiceOver: true }), ['voiceOver']);
    assert.deepEqual(await names({ ...film(), backgroundMusic: { enabled: 'no' } }), ['backgroundMusic.enabled']);
  });

  it('refuses a visual that is not an http(s) URL and a scene length out of range', async () => {
    for (const visualUrl of ['clip.mp4', 'ftp://cdn.example/clip.mp4', 42, undefined]) {
      assert.deepEqual(await names(filmWithSecondScene((scene) => (scene.background.visualUrl = visualUrl))), ['scenes[1].background.visualUrl'], String(visualUrl));
    }
    for (const minimumDuration of [0, -1, 601, '8', null, undefined]) {
      assert.deepEqual(await names(filmWithSecondScene((scene) => (scene.minimumDuration = minimumDuration))), ['scenes[1].minimumDuration'], String(minimumDuration));
    }
    assert.equal((await render(filmWithSecondScene((scene) => (scene.minimumDuration = 600)))).status, 200);
  });

  it('lists every problem at once', async () => {
    const body = {
      videoName: '',
      aspectRatio: '2:1',
      voiceOver: { enabled: 'yes' },
      scenes: [{ background: { visualUrl: 'nope', type: 'gif', settings: { mute: 0 } }, minimumDuration: 0, sceneTransition: 'dissolve', extra: 1 }],
      webhook: 'https://hooks.example',
    };
    assert.deepEqual(await names(body), [
      'videoName',
      'aspectRatio',
      'voiceOver.enabled',
      'scenes[0].background.visualUrl',
      'scenes[0].background.type',
      'scenes[0].background.settings.mute',
      'scenes[0].minimumDuration',
      'scenes[0].sceneTransition',
      'scenes[0].extra',
      'webhook',
    ]);
  });

  it('refuses a body that is not a JSON object', async () => {
    assert.deepEqual(await refusedFields([]), [{ name: 'body', errors: 'must be a JSON object' }]);
    const answer = await call('/v2/video/storyboard/render', { method: 'POST', body: '{"videoName":' });
    assert.equal(answer.status, 400);
    assert.deepEqual((answer.body as { fields: unknown }).fields, [{ name: 'body', errors: 'must be valid JSON' }]);
  });

  it('needs the key', async () => {
    for (const key of [null, 'nope', 'pictai_wrong_key', `Bearer ${KEY}`]) {
      const answer = await render(film(), key);
      assert.equal(answer.status, 401, String(key));
      assert.deepEqual(answer.body, { message: 'Unauthorized' });
    }
    assert.equal(server.renderJobs().size, 0);
  });

  it('answers 404 to another method on the route', async () => {
    assert.equal((await call('/v2/video/storyboard/render')).status, 404);
    assert.equal((await call('/v1/video/storyboard/render', { method: 'POST', body: JSON.stringify(film()) })).status, 404);
  });

  it('fails a #fail film, and never finishes a #forever one', async () => {
    const failed = await renderJob(film('my-film #FAIL'));
    assert.deepEqual((await pollUntilFinal(failed))[2], {
      job_id: failed,
      success: false,
      data: { status: 'failed', error_code: 'RENDER_FAILED', error_message: 'The film could not be rendered.' },
    });
    const forever = await renderJob(film('my-film #forever'));
    const answers = [...(await pollUntilFinal(forever)), ...(await pollUntilFinal(forever))];
    assert.deepEqual(answers.map((answer) => answer.data.status), Array(6).fill('in-progress'));
    const progress = answers.map((answer) => answer.data.renderProgress as number);
    assert.deepEqual(progress, [33, 67, 99, 99, 99, 99]);
  });

  it('forgets a render, and resets', async () => {
    const jobId = await renderJob(film());
    server.forgetJob(jobId);
    assert.deepEqual((await call(`/v1/jobs/${jobId}`)).body, { success: false, error: { error_code: '5000', error_message: 'JOB_NOT_FOUND' } });
    assert.equal((await fetch(`${server.origin}/media/${jobId}_film.mp4`)).status, 404);
    assert.equal((await fetch(`${server.origin}/media/${jobId}_film.jpg`)).status, 404);
    await renderJob(film());
    assert.equal(server.renderJobs().size, 1);
    server.reset();
    assert.equal(server.renderJobs().size, 0);
  });

  it('costs no AI credits and is not listed among the videos', async () => {
    const quota = async () => ((await call('/v1/quota')).body as { aiCredits: { used: number } }).aiCredits.used;
    const before = await quota();
    await pollUntilFinal(await renderJob(film()));
    assert.equal(await quota(), before);
    assert.deepEqual(((await call('/v1/aistudio/videos')).body as { items: unknown[] }).items, []);
  });

  it('creates the job, then drops the connection, on demand', async () => {
    server.addFault({ method: 'POST', path: /storyboard\/render$/, fault: { kind: 'createThenReset' } });
    await assert.rejects(render(film()));
    assert.equal(server.renderJobs().size, 1);
    const [job] = server.renderJobs().values();
    assert.equal(job.request.videoName, 'my-film');
    assert.equal((await call(`/v1/jobs/${job.id}`)).status, 200);
  });
});
