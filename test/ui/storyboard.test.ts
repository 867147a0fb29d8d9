// End-to-end: a storyboard written, generated, watched and rendered with the packaged .vsix in
// code-server, driven through the UI in Chromium. The scenarios run in order, in one window.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import type { BrowserSession } from '../harness/browser';
import { DemoWindow, openDemoWindow } from './demoWindow';
import { Demo, DEMO_KEY } from '../demo/demo';
import { Workbench } from './workbench';

const FILE = 'storyboard.md';

/** What the page reports of its film: the current scene and the playing video. */
const PLAYER_STATE = `(() => {
  const current = document.querySelector('.scene-card.current');
  const video = document.querySelector('video.film-video.active');
  return { scene: current ? Number(current.dataset.scene) : -1, playing: !!video && !video.paused && !video.ended, src: video ? video.currentSrc : '' };
})()`;

interface PlayerState {
  scene: number;
  playing: boolean;
  src: string;
}

describe('A storyboard, from script to film', function () {
  this.timeout(240_000);
  let demo: Demo;
  let browser: BrowserSession;
  let workbench: Workbench;
  let window: DemoWindow;

  const videoPosts = () => demo.pictory.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/v1/aistudio/videos'));
  const renders = () => demo.pictory.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/v2/video/storyboard/render'));
  /** A lens of the editor: a link when it runs a command, plain text when it only tells. */
  const lens = (text: string | RegExp) => browser.page.locator('.codelens-decoration > a, .codelens-decoration > span', { hasText: text });

  before(async () => {
    window = await openDemoWindow({ pollsUntilDone: 2, pollingIntervalSeconds: 1 });
    ({ demo, browser, workbench } = window);
  });

  after(() => window?.close());

  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state === 'failed') await window.reportFailure(`storyboard-${test.title.replace(/[^\w]+/g, '-').toLowerCase()}`);
  });

  async function playerState(frame: Frame): Promise<PlayerState> {
    return (await frame.evaluate(PLAYER_STATE)) as PlayerState;
  }

  /** Waits until the film panel plays scene `scene`. */
  async function playingScene(frame: Frame, scene: number): Promise<PlayerState> {
    const deadline = Date.now() + 20_000;
    let state = await playerState(frame);
    while (Date.now() < deadline) {
      if (state.scene === scene && state.playing) return state;
      await browser.page.waitForTimeout(100);
      state = await playerState(frame);
    }
    throw new Error(`The film did not play scene ${scene}: ${JSON.stringify(state)}`);
  }

  /**
   * Clicks a lens until `shown` finds what the click shows. A lens clicked in the instant the
   * editor replaces its lenses (as it does when the clips' states load, or the editor takes the
   * focus) runs nothing, and a user would click it again.
   */
  async function clickLens<T>(text: string, shown: (timeoutMs: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await lens(text).click();
      try {
        return await shown(15_000);
      } catch (error) {
        if (attempt === 3) throw error;
        console.log(`      (${text} showed nothing after click ${attempt}; clicking again)`);
      }
    }
  }

  it('writes a new storyboard with an example of three scenes, each with its cost', async () => {
    await workbench.runCommand('Pictory: New Storyboard');
    await workbench.typeIntoInput(FILE);
    await lens('Generate all 3 scenes · 28.8 credits').waitFor({ timeout: 30_000 });
    assert.ok(fs.existsSync(path.join(demo.workspace, FILE)));
    await lens('Generate scene · 12.8 credits').waitFor();
    assert.equal(await lens('Generate scene · 8 credits').count(), 2);
  });

  it('generates every scene after one confirmation, each from the last frame of the one before', async () => {
    await lens('Generate all 3 scenes').click();
    await workbench.typeIntoInput(DEMO_KEY, { password: true });
    const dialog = browser.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    assert.match(text, /Generate 3 scenes of storyboard\.md\?/);
    assert.match(text, /Estimated cost: 28\.8 credits\. Credits left: 21,310\./);
    await dialog.locator('.monaco-button', { hasText: 'Generate 3 Scenes' }).click();
    await lens(/✓ 5 s · 8 credits/).first().waitFor({ timeout: 60_000 });
    const deadline = Date.now() + 60_000;
    while ((await lens('✓').count()) < 3 && Date.now() < deadline) await browser.page.waitForTimeout(250);
    assert.equal(await lens('✓').count(), 3, 'three scenes ready');
    const posts = videoPosts();
    assert.equal(posts.length, 3);
    const jobs = [...demo.pictory.jobs().values()];
    assert.equal((posts[1].body as { firstFrameImageUrl?: string }).firstFrameImageUrl, `${demo.pictory.origin}/media/${jobs[0].id}_last_frame.jpg`);
    assert.equal((posts[2].body as { firstFrameImageUrl?: string }).firstFrameImageUrl, `${demo.pictory.origin}/media/${jobs[1].id}_last_frame.jpg`);
  });

  it('remembers the scenes\' clips after the window reloads', async () => {
    await workbench.reloadWindow();
    await lens('✓').first().waitFor({ timeout: 30_000 });
    const deadline = Date.now() + 20_000;
    while ((await lens('✓').count()) < 3 && Date.now() < deadline) await browser.page.waitForTimeout(250);
    assert.equal(await lens('✓').count(), 3);
    assert.equal(videoPosts().length, 3, 'nothing sent again');
  });

  it('plays the scenes as one film, the current scene following the clips', async () => {
    const frame = await clickLens('Play film', (timeoutMs) => workbench.webviewFrame('.scene-card[data-scene="2"]', timeoutMs));
    const first = await playingScene(frame, 0);
    await workbench.screenshot('storyboard-playing');
    const second = await playingScene(frame, 1);
    const third = await playingScene(frame, 2);
    const jobs = [...demo.pictory.jobs().values()];
    const played = [first, second, third].map((state, index) => state.src.includes(jobs[index].id));
    assert.deepEqual(played, [true, true, true], 'each scene plays its own clip (its address names its job)');
    assert.match((await frame.textContent('#now-playing')) ?? '', /Among the stars/);
    await workbench.screenshot('storyboard');
  });

  it('renders the film from the three clips, shows its progress, and plays it in the preview', async () => {
    await workbench.focusFirstEditor();
    const dialog = browser.page.locator('.monaco-dialog-box');
    await clickLens('Render film', (timeout) => dialog.waitFor({ timeout }));
    assert.match((await dialog.textContent()) ?? '', /Render "storyboard" as one film\?.*3 clips, 18s in all, 16:9/s);
    await dialog.locator('.monaco-button', { hasText: 'Render Film' }).click();
    await workbench.statusBarItem(/rendering film/).waitFor({ timeout: 30_000 });
    assert.equal(renders().length, 1);
    const clips = [...demo.pictory.jobs().values()].map((job) => `${demo.pictory.origin}/media/${job.id}.mp4`);
    const body = renders()[0].body as { videoName: string; scenes: { background: { visualUrl: string }; minimumDuration: number }[] };
    assert.equal(body.videoName, 'storyboard');
    assert.deepEqual(body.scenes.map((scene) => scene.background.visualUrl), clips);
    assert.deepEqual(body.scenes.map((scene) => scene.minimumDuration), [5, 8, 5]);
    const preview = await workbench.webviewFrameShowing('body', 'storyboard render', 60_000);
    const playing = await preview.evaluate(`(async () => {
      const video = document.querySelector('video');
      video.muted = true;
      await video.play();
      const start = video.currentTime;
      await new Promise((resolve) => setTimeout(resolve, 1200));
      return { src: video.currentSrc, advanced: video.currentTime > start };
    })()`);
    assert.equal((playing as { advanced: boolean }).advanced, true, 'the film plays');
    await workbench.screenshot('storyboard-film');
  });
});
