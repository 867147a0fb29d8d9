import assert from 'node:assert/strict';
import { FILM_MODEL, JobRecord, JobState, parseJobRecord, VideoJobRecord } from '../../src/jobs/jobRecord';
import { buildRenderRequest, renderRequestProblems } from '../../src/pictory/render';
import { readJobStatus } from '../../src/pictory/responses';
import { filmName, planFilm } from '../../src/storyboard/film';
import { chainOf, needsClip, sceneRequest, sceneStatuses, scenesToSend } from '../../src/storyboard/sceneClips';
import { parseStoryboard } from '../../src/storyboard/storyboard';

const FILE = 'file:///work/lantern.md';

function board(continuity: 'lastFrame' | 'none', secondPrompt = 'The lantern rises into the stars, camera tilts up') {
  return parseStoryboard(`---
pictory: storyboard
model: pixverse5.5
aspectRatio: "16:9"
duration: 5s
continuity: ${continuity}
transition: fade
---
## One
A paper lantern floats over a calm lake at night
## Two
${secondPrompt}
## Three
The lantern becomes one more star in the sky
`);
}

let clock = 1_000;

function clip(scene: number, state: JobState, request: Partial<VideoJobRecord['request']> = {}, storyboard = FILE): VideoJobRecord {
  const b = board('lastFrame');
  const base = sceneRequest(b, b.scenes[scene]);
  clock += 1000;
  return {
    id: `job-${scene}-${clock}`,
    endpoint: 'https://api.pictory.ai/pictoryapis',
    submittedAt: clock,
    updatedAt: clock,
    deadline: clock + 60_000,
    state,
    request: { ...base, ...request },
    origin: { storyboard, scene },
    ...(state === 'completed' && {
      video: { url: `https://cdn.example/${scene}-${clock}.mp4`, duration: base.duration, lastFrameImageUrl: `https://cdn.example/${scene}-${clock}_last.jpg`, aiCreditsUsed: 8 },
    }),
    ...(state === 'failed' && { error: { code: 'TEXT_TO_VIDEO_FAILED', message: 'The video could not be generated.' } }),
  };
}

/** A chain of finished clips, each starting from the one before's last frame. */
function chain(count: number): VideoJobRecord[] {
  const clips: VideoJobRecord[] = [];
  for (let scene = 0; scene < count; scene++) {
    const previous = clips[scene - 1]?.video?.lastFrameImageUrl;
    clips.push(clip(scene, 'completed', previous ? { firstFrameImageUrl: previous } : {}));
  }
  return clips;
}

describe('storyboard scenes and their clips', () => {
  it('a scene continues from the last frame of the one before, and sends only the API fields', () => {
    const b = board('lastFrame');
    assert.deepEqual(sceneRequest(b, b.scenes[0], 'https://x/last.jpg'), {
      prompt: 'A paper lantern floats over a calm lake at night',
      model: 'pixverse5.5',
      aspectRatio: '16:9',
      duration: '5s',
    });
    assert.equal(sceneRequest(b, b.scenes[1], 'https://x/last.jpg').firstFrameImageUrl, 'https://x/last.jpg');
    const none = board('none');
    assert.equal(sceneRequest(none, none.scenes[1], 'https://x/last.jpg').firstFrameImageUrl, undefined);
  });

  it('know each scene: none, generating, ready, failed', () => {
    const b = board('lastFrame');
    const records: JobRecord[] = [clip(0, 'completed'), clip(1, 'running'), clip(2, 'failed'), clip(2, 'completed', {}, 'file:///work/other.md')];
    const statuses = sceneStatuses(b, records, FILE);
    assert.deepEqual(statuses.map((status) => status.kind), ['ready', 'generating', 'failed']);
    assert.deepEqual(sceneStatuses(b, [], FILE).map((status) => status.kind), ['none', 'none', 'none']);
  });

  it('do not pay again for a scene whose job Pictory may still finish', () => {
    const b = board('none');
    for (const state of ['timedOut', 'stopped', 'cancelled', 'unconfirmed'] as const) {
      const statuses = sceneStatuses(b, [clip(0, state)], FILE);
      assert.equal(statuses[0].kind, 'unfinished', state);
      assert.deepEqual(scenesToSend({ board: b, statuses }).map((scene) => scene.index), [1, 2], `${state}: checked again, not sent again`);
    }
  });

  it('mark a clip outdated when its text changes, never dropping it', () => {
    const clips = chain(3);
    const edited = board('lastFrame', 'The lantern rises and bursts into sparks of light');
    const statuses = sceneStatuses(edited, clips, FILE);
    assert.deepEqual(statuses.map((status) => status.kind), ['ready', 'outdated', 'ready']);
    assert.equal(statuses[1].kind === 'outdated' && statuses[1].reason, 'text');
    assert.equal(statuses[1].kind === 'outdated' && statuses[1].record.id, clips[1].id, 'the old clip is still the scene’s');
  });

  it('mark the next scene outdated when the one before is made again', () => {
    const clips = chain(3);
    const remade = clip(0, 'completed');
    const statuses = sceneStatuses(board('lastFrame'), [...clips, remade], FILE);
    assert.deepEqual(statuses.map((status) => status.kind), ['ready', 'outdated', 'ready']);
    assert.equal(statuses[1].kind === 'outdated' && statuses[1].reason, 'previousScene');
  });

  it('generate all: without continuity only the scenes lacking a clip; with lastFrame every scene from the first lacking one', () => {
    const clips = chain(3);
    const edited = board('lastFrame', 'The lantern rises and bursts into sparks of light');
    const lastFrame = { board: edited, statuses: sceneStatuses(edited, clips, FILE) };
    assert.deepEqual(scenesToSend(lastFrame).map((scene) => scene.index), [1, 2]);
    assert.deepEqual(chainOf(lastFrame), [1, 2]);
    const none = board('none', 'The lantern rises and bursts into sparks of light');
    const noneState = { board: none, statuses: sceneStatuses(none, clips.map((record) => ({ ...record, request: { ...record.request, firstFrameImageUrl: undefined } })), FILE) };
    assert.deepEqual(scenesToSend(noneState).map((scene) => scene.index), [1]);
    const fresh = board('lastFrame');
    assert.deepEqual(scenesToSend({ board: fresh, statuses: sceneStatuses(fresh, [], FILE) }).map((scene) => scene.index), [0, 1, 2]);
    const running = sceneStatuses(fresh, [clip(0, 'running')], FILE);
    assert.deepEqual(scenesToSend({ board: fresh, statuses: running }).map((scene) => scene.index), [1, 2], 'a scene on its way is not paid for twice');
    assert.deepEqual(chainOf({ board: fresh, statuses: running }), [0, 1, 2], 'but the chain waits for it');
    assert.equal(needsClip({ kind: 'generating', record: clips[0] }), false);
  });
});

describe('the film of a storyboard', () => {
  it('is one visual-only scene per clip, in order, with the clips’ sound and the transition between them', () => {
    const clips = chain(3);
    const b = board('lastFrame');
    const plan = planFilm(b, sceneStatuses(b, clips, FILE), filmName('/work/lantern.md'));
    assert.equal(plan.kind, 'film');
    if (plan.kind !== 'film') return;
    assert.equal(plan.request.prompt, 'lantern');
    assert.equal(plan.request.model, FILM_MODEL);
    assert.equal(plan.request.duration, '15s');
    assert.deepEqual(plan.request.render, {
      videoName: 'lantern',
      aspectRatio: '16:9',
      voiceOver: { enabled: false },
      backgroundMusic: { enabled: false },
      scenes: clips.map((record, index) => ({
        background: { visualUrl: record.video?.url, type: 'video', settings: { mute: false, loop: false } },
        minimumDuration: 5,
        ...(index > 0 && { sceneTransition: 'fade' }),
      })),
    });
  });

  it('is refused while a scene has no current clip, naming the scenes', () => {
    const b = board('lastFrame');
    const plan = planFilm(b, sceneStatuses(b, [chain(1)[0]], FILE), 'lantern');
    assert.deepEqual(plan, { kind: 'missing', scenes: [1, 2] });
  });

  it('is checked before it is sent', () => {
    const request = buildRenderRequest({ videoName: ' ', aspectRatio: '16:9', clips: [{ url: 'javascript:alert(1)', seconds: 0 }] });
    assert.deepEqual(renderRequestProblems(request, 'https://api.pictory.ai/pictoryapis').map((problem) => problem.name), [
      'videoName',
      'scenes[0].background.visualUrl',
      'scenes[0].minimumDuration',
    ]);
    assert.equal(buildRenderRequest({ videoName: 'a', aspectRatio: '16:9', clips: [{ url: 'https://x/1.mp4', seconds: 4 }], transition: 'none' }).scenes[0].sceneTransition, undefined);
  });

  it('is read from the render job: progress while rendering, then videoURL and videoDuration', () => {
    assert.deepEqual(readJobStatus({ job_id: 'r', success: true, data: { status: 'in-progress', renderProgress: 42, renderProgressMessage: 'Rendering' } }), {
      state: 'running',
      apiStatus: 'in-progress',
      progress: 42,
    });
    const done = readJobStatus({ job_id: 'r', success: true, data: { status: 'completed', videoURL: 'https://cdn.example/film.mp4', videoDuration: 18.04, thumbnail: 'https://cdn.example/film.jpg' } });
    assert.deepEqual(done.state === 'completed' && [done.video.url, done.video.duration, done.video.thumbnailImageUrl], ['https://cdn.example/film.mp4', '18s', 'https://cdn.example/film.jpg']);
    const noStatus = readJobStatus({ success: true, data: { videoURL: 'https://cdn.example/film.mp4' } });
    assert.equal(noStatus.state, 'completed');
  });

  it('is kept as a film record, checked when read back', () => {
    const b = board('lastFrame');
    const plan = planFilm(b, sceneStatuses(b, chain(3), FILE), 'lantern');
    assert.equal(plan.kind, 'film');
    if (plan.kind !== 'film') return;
    const record = { id: 'r1', endpoint: 'https://api.pictory.ai/pictoryapis', submittedAt: 1, deadline: 2, updatedAt: 1, state: 'running', kind: 'film', request: plan.request, origin: { storyboard: FILE } };
    assert.equal(parseJobRecord(record)?.kind, 'film');
    assert.equal(parseJobRecord({ ...record, request: { ...plan.request, render: { videoName: 'x' } } }), undefined, 'a damaged render is not trusted');
    assert.equal(parseJobRecord({ ...record, origin: { storyboard: FILE, scene: -1 } }), undefined, 'nor a damaged origin');
  });
});
