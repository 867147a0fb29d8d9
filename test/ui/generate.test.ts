// End-to-end: the packaged .vsix installed in code-server, driven through the UI in Chromium.
import assert from 'node:assert/strict';
import { BrowserSession, launchBrowser } from '../harness/browser';
import { findExtensionHostLogs, printLogTails } from '../harness/extensionHostLogs';
import { Demo, DEMO_KEY, startDemo } from '../demo/demo';
import { Workbench } from './workbench';

/** Runs in the webview: plays the video (muted, as autoplay rules require) and watches it move. */
const PLAY_FOR_A_SECOND = `(async () => {
  const video = document.querySelector('video');
  video.muted = true;
  await video.play();
  const start = video.currentTime;
  await new Promise((resolve) => setTimeout(resolve, 1200));
  return { readyState: video.readyState, advanced: video.currentTime > start };
})()`;

const LANTERN_LINE = 5;
const FOX_LINE = 6;
const FAIL_LINE = 7;

describe('Pictory in VS Code, as a user drives it', function () {
  this.timeout(180_000);
  let demo: Demo;
  let browser: BrowserSession;
  let workbench: Workbench;

  const apiRequests = () => demo.pictory.requests;

  before(async () => {
    demo = await startDemo({ pollsUntilDone: 3, pollingIntervalSeconds: 1 });
    browser = await launchBrowser();
    workbench = new Workbench(browser.page);
    await workbench.open(demo.url);
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  beforeEach(() => demo.pictory.reset());

  afterEach(async function () {
    const test = this.currentTest;
    if (!test) return;
    const name = test.title.replace(/[^\w]+/g, '-').toLowerCase();
    const shot = await workbench.screenshot(name).catch(() => undefined);
    if (test.state === 'failed') {
      console.log(`Screenshot of the failure: ${shot}`);
      printLogTails(findExtensionHostLogs(demo.userDataDir), 40);
    }
    await browser.page.keyboard.press('Escape');
  });

  async function startGeneration(line: number): Promise<void> {
    await workbench.openFile('prompts.md');
    await workbench.selectLine(line);
    await workbench.runCommand('Pictory: Generate Video');
  }

  async function chooseVideo(model: string, ratio: string, duration: string): Promise<void> {
    await workbench.pick('Step 1/3', model);
    await workbench.pick('Step 2/3', ratio);
    await workbench.pick('Step 3/3', duration);
  }

  it('generates a video from the selection and plays it in the preview', async () => {
    await startGeneration(LANTERN_LINE);
    await chooseVideo('PixVerse 5.5', '16:9', '5s');
    await workbench.typeIntoInput(DEMO_KEY, { password: true });

    await workbench.statusBarItem(/Pictory: generating \d+:\d\d/).waitFor({ timeout: 20_000 });
    await workbench.screenshot('status-bar-generating');
    await workbench.notification('Video ready').waitFor({ timeout: 30_000 });
    await workbench.statusBarItem('Pictory: generating').waitFor({ state: 'hidden', timeout: 10_000 });

    const frame = await workbench.webviewFrame('video#video');
    const prompt = await frame.locator('#prompt').textContent();
    assert.equal(prompt, 'A paper lantern floating over a calm lake at night, slow camera push-in');
    assert.match((await frame.locator('#facts').textContent()) ?? '', /1280 × 720/);
    const playback = await frame.evaluate<{ readyState: number; advanced: boolean }>(PLAY_FOR_A_SECOND);
    assert.ok(playback.readyState >= 2, `readyState ${playback.readyState}`);
    assert.ok(playback.advanced, 'currentTime advances');
    await workbench.screenshot('preview-playing');

    const post = apiRequests().find((request) => request.method === 'POST');
    assert.deepEqual(post?.body, {
      prompt: 'A paper lantern floating over a calm lake at night, slow camera push-in',
      model: 'pixverse5.5',
      aspectRatio: '16:9',
      duration: '5s',
    });
    assert.equal(post?.authorization, DEMO_KEY);
  });

  it('sends nothing when the user presses Escape in a quick pick', async () => {
    await startGeneration(FOX_LINE);
    await workbench.pick('Step 1/3', 'Veo 3.1 Fast');
    await workbench.quickTitle('Step 2/3');
    await browser.page.keyboard.press('Escape');
    await browser.page.waitForTimeout(1500);
    assert.equal(apiRequests().length, 0);
  });

  it('says a wrong key was rejected and lets the user enter a new one', async () => {
    await workbench.runCommand('Pictory: Clear API Key');
    await workbench.notification('API key removed').waitFor();
    await startGeneration(FOX_LINE);
    await chooseVideo('Veo 3.1 Fast', '9:16', '4s');
    await workbench.typeIntoInput('pictai_wrong_key', { password: true });
    await workbench.notification('rejected the API key').waitFor({ timeout: 20_000 });
    await workbench.screenshot('key-rejected');
    await workbench.clickNotificationButton('rejected the API key', 'Enter New Key');
    await workbench.typeIntoInput(DEMO_KEY, { password: true });
    await workbench.notification('Video ready').waitFor({ timeout: 30_000 });
    const posts = apiRequests().filter((request) => request.method === 'POST');
    assert.deepEqual(posts.map((request) => request.authorization), ['pictai_wrong_key', DEMO_KEY]);
  });

  it("shows the API's message when a job fails", async () => {
    await startGeneration(FAIL_LINE);
    await chooseVideo('Veo 3.1', '16:9', '8s');
    const failure = workbench.notification('TEXT_TO_VIDEO_FAILED');
    await failure.waitFor({ timeout: 30_000 });
    assert.match((await failure.first().textContent()) ?? '', /could not be generated from this prompt/);
  });
});
