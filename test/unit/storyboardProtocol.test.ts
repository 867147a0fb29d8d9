import assert from 'node:assert/strict';
import { FilmView, loadableFilm, readPageMessage } from '../../src/storyboard/storyboardProtocol';

describe('messages from the storyboard page', () => {
  it('are read when well formed', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'generateAll' },
      { type: 'renderFilm' },
      { type: 'ended' },
      { type: 'regenerate', scene: 0 },
      { type: 'regenerate', scene: 12 },
      { type: 'playing', scene: 3 },
    ]) {
      assert.deepEqual(readPageMessage(message), message);
    }
  });

  it('keep only the known fields', () => {
    assert.deepEqual(readPageMessage({ type: 'ready', command: 'workbench.action.quit' }), { type: 'ready' });
    assert.deepEqual(readPageMessage({ type: 'regenerate', scene: 1, action: 'renderFilm' }), { type: 'regenerate', scene: 1 });
  });

  it('are refused when anything is off', () => {
    for (const value of [
      undefined,
      null,
      'ready',
      42,
      [],
      [{ type: 'ready' }],
      {},
      { type: 'play' },
      { type: 'film' },
      { type: 'toString' },
      { type: ['ready'] },
      { type: { type: 'ready' } },
      { message: { type: 'ready' } },
      { type: 'regenerate' },
      { type: 'regenerate', scene: -1 },
      { type: 'regenerate', scene: 1.5 },
      { type: 'regenerate', scene: '2' },
      { type: 'regenerate', scene: Number.NaN },
      { type: 'regenerate', scene: Infinity },
      { type: 'regenerate', scene: 2 ** 60 },
      { type: 'regenerate', scene: { index: 2 } },
      { type: 'playing', scene: -3 },
      { type: 'playing', scene: null },
    ]) {
      assert.equal(readPageMessage(value), undefined, JSON.stringify(value));
    }
  });
});

describe('a film as the page may load it', () => {
  const LOCAL = 'https://file+.vscode-resource.vscode-cdn.net/copies/job-1/video.mp4';
  const LOCAL_POSTER = 'https://file+.vscode-resource.vscode-cdn.net/copies/job-1/thumbnail.jpg';
  const scene = (index: number, clip?: FilmView['scenes'][number]['clip']) => ({
    index,
    title: `Scene ${index + 1}`,
    prompt: 'A lantern',
    status: clip ? ('ready' as const) : ('none' as const),
    statusText: '',
    ...(clip && { clip }),
  });
  const isLocal = (url: string) => url === LOCAL || url === LOCAL_POSTER;

  it('keeps local files and web addresses, and lists the web origins', () => {
    const film: FilmView = {
      title: 'Lantern',
      aspectRatio: '16:9',
      scenes: [
        scene(0, { jobId: 'job-1', src: LOCAL, poster: LOCAL_POSTER }),
        scene(1, { jobId: 'job-2', src: 'https://cdn.pictory.ai/v/2.mp4', poster: 'https://img.pictory.ai/2.jpg', seconds: 8 }),
        scene(2, { jobId: 'job-3', src: 'http://127.0.0.1:4100/v/3.mp4' }),
        scene(3),
      ],
    };
    const loadable = loadableFilm(film, isLocal);
    assert.deepEqual(loadable.film, film);
    assert.deepEqual(loadable.mediaOrigins, ['http://127.0.0.1:4100', 'https://cdn.pictory.ai']);
    assert.deepEqual(loadable.imageOrigins, ['https://img.pictory.ai']);
  });

  it('drops clips and posters the page must not load', () => {
    const film: FilmView = {
      title: 'Lantern',
      aspectRatio: '',
      scenes: [
        scene(0, { jobId: 'job-1', src: 'file:///home/me/video.mp4' }),
        scene(1, { jobId: 'job-2', src: 'http://example.com/2.mp4' }),
        scene(2, { jobId: 'job-3', src: 'https://user:secret@cdn.pictory.ai/3.mp4' }),
        scene(3, { jobId: 'job-4', src: LOCAL, poster: 'javascript:alert(1)' }),
        scene(4, { jobId: 'job-5', src: 'not a url' }),
      ],
    };
    const loadable = loadableFilm(film, isLocal);
    assert.deepEqual(
      loadable.film.scenes.map((each) => each.clip),
      [undefined, undefined, undefined, { jobId: 'job-4', src: LOCAL }, undefined],
    );
    assert.equal(loadable.film.scenes[0].status, 'ready');
    assert.deepEqual(loadable.mediaOrigins, []);
    assert.deepEqual(loadable.imageOrigins, []);
  });
});
