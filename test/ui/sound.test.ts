// End-to-end: a clip's sound decoded by the extension (pictory.preview.decodeAudio: always) and
// played in step with the muted video, in the packaged .vsix in code-server, in Chromium.
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import type { BrowserSession } from '../harness/browser';
import { DemoWindow, openDemoWindow } from './demoWindow';
import { DEMO_KEY } from '../demo/demo';
import { Workbench } from './workbench';

const FILE = 'sound.md';
const PROMPT = 'A tuning fork ringing on a wooden table in a quiet studio #stereo';

/** What the page shows of the sound: its note, the level meter, and where sound and video are. */
const SOUND_STATE = `(() => {
  const video = document.querySelector('video');
  const level = document.getElementById('sound-level');
  return {
    note: document.getElementById('audio-note').textContent,
    muted: video.muted,
    paused: video.paused,
    videoTime: video.currentTime,
    level: Number(level.value),
    soundTime: Number(level.dataset.soundTime),
  };
})()`;

interface SoundState {
  note: string;
  muted: boolean;
  paused: boolean;
  videoTime: number;
  level: number;
  soundTime: number;
}

describe('A clip\'s sound, decoded by the extension', function () {
  this.timeout(180_000);
  let browser: BrowserSession;
  let workbench: Workbench;
  let window: DemoWindow;

  before(async () => {
    window = await openDemoWindow({
      pollsUntilDone: 1,
      pollingIntervalSeconds: 1,
      settings: {
        'pictory.preview.decodeAudio': 'always',
        'pictory.defaultModel': 'pixverse5.5',
        'pictory.defaultAspectRatio': '16:9',
        'pictory.defaultDuration': '8s',
        'pictory.confirmBeforeGenerating': false,
      },
    }, { [FILE]: `# Sound\n\n${PROMPT}\n` });
    ({ browser, workbench } = window);
  });

  after(() => window?.close());

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await window.reportFailure('sound-failure');
  });

  async function state(frame: Frame): Promise<SoundState> {
    return (await frame.evaluate(SOUND_STATE)) as SoundState;
  }

  async function until(frame: Frame, what: string, test: (state: SoundState) => boolean): Promise<SoundState> {
    const deadline = Date.now() + 15_000;
    let last = await state(frame);
    while (Date.now() < deadline) {
      if (test(last)) return last;
      await browser.page.waitForTimeout(100);
      last = await state(frame);
    }
    throw new Error(`${what}: ${JSON.stringify(last)}`);
  }

  it('plays the decoded sound in step with the muted video: heard while playing, silent while paused, together after a seek', async () => {
    await workbench.openFromExplorer(FILE);
    await workbench.selectLine(3);
    await workbench.runCommand('Pictory: Generate Video');
    await workbench.typeIntoInput(DEMO_KEY, { password: true });
    const frame = await workbench.webviewFrameShowing('#audio-note', 'Sound decoded by the extension', 60_000);
    assert.equal((await state(frame)).muted, true, 'the video itself is muted');
    // A click on the video plays it, as a user does (and lets the page make sound).
    await frame.click('video', { position: { x: 60, y: 40 } });
    const playing = await until(frame, 'a sound while playing', (current) => !current.paused && current.level > 0.02);
    assert.ok(playing.level > 0.02);
    await workbench.screenshot('sound-playing');
    await frame.evaluate(`document.querySelector('video').pause()`);
    await until(frame, 'silence while paused', (current) => current.paused && current.level < 0.001);
    await frame.evaluate(`(() => { const video = document.querySelector('video'); video.currentTime = 2; return video.play(); })()`);
    const synced = await until(frame, 'sound and video together after the seek', (current) => !current.paused && current.videoTime > 2.2 && current.soundTime > 0);
    assert.ok(Math.abs(synced.soundTime - synced.videoTime) < 0.1, `sound ${synced.soundTime} s, video ${synced.videoTime} s`);
  });
});

describe('A clip\'s sound, with pictory.preview.decodeAudio "never"', function () {
  this.timeout(180_000);
  let workbench: Workbench;
  let window: DemoWindow;

  before(async () => {
    window = await openDemoWindow({
      pollsUntilDone: 1,
      pollingIntervalSeconds: 1,
      settings: {
        'pictory.preview.decodeAudio': 'never',
        'pictory.defaultModel': 'pixverse5.5',
        'pictory.defaultAspectRatio': '16:9',
        'pictory.defaultDuration': '5s',
        'pictory.confirmBeforeGenerating': false,
      },
    }, { 'silent.md': '# Sound\n\nA brass band marching through a square at noon #ac3\n' });
    ({ workbench } = window);
  });

  after(() => window?.close());

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await window.reportFailure('sound-never-failure');
  });

  it('decodes nothing, and says when a clip plays silently and where to hear it', async () => {
    await workbench.openFromExplorer('silent.md');
    await workbench.selectLine(3);
    await workbench.runCommand('Pictory: Generate Video');
    await workbench.typeIntoInput(DEMO_KEY, { password: true });
    const frame = await workbench.webviewFrameShowing('#audio-note', "cannot be played by this editor's built-in player", 60_000);
    assert.match((await frame.textContent('#audio-note')) ?? '', /audio \(ac-3\) cannot be played by this editor's built-in player.*Open in Browser/);
    assert.equal(await frame.evaluate(`document.querySelector('video').muted`), false, 'nothing decoded, nothing muted');
  });
});
