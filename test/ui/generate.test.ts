// End-to-end: the packaged .vsix installed in code-server, driven through the UI in Chromium.
// The scenarios run in order, in one window: the first one stores the API key the others use.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserSession } from '../harness/browser';
import { findExtensionHostLogs } from '../harness/extensionHostLogs';
import { repoRoot } from '../harness/paths';
import { workbenchUrl } from '../harness/codeServer';
import { waitUntil } from '../harness/processes';
import { Demo, DEMO_KEY } from '../demo/demo';
import { DemoWindow, openDemoWindow } from './demoWindow';
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
const LANTERN_PROMPT = 'A paper lantern floating over a calm lake at night, slow camera push-in';
const LANTERN_READY = 'Video ready: "A paper lantern';
const FOX_LINE = 7;
const FOX_PROMPT = 'A red fox running through fresh snow at sunrise, wide shot';
const FOX_READY = 'Video ready: "A red fox';
const FAIL_LINE = 9;

/** A file of three more prompts, one every other line from line 3. */
const MORE_PROMPTS_FILE = 'more-prompts.md';
const MORE_PROMPTS = [
  'A lighthouse on a cliff at dawn, waves crashing below',
  'A hot air balloon drifting over a red desert canyon',
  'A snowy mountain village at night with warm windows',
];

/** The quick picks' title, with the step counter VS Code adds to it. */
const GENERATE = 'Generate Video';
const step = (current: number, total: number): string => `${GENERATE} (${current}/${total})`;

/** A poll answer that keeps a job running, whatever the server's own count says. */
const STILL_RUNNING = { kind: 'status', status: 200, body: '{"success":true,"data":{"status":"in-progress"}}' } as const;
const JOB_POLL = /\/v1\/jobs\//;

/** The first words of a prompt, as notifications and tab titles show it shortened. */
const opening = (prompt: string): string => prompt.split(' ').slice(0, 4).join(' ');

describe('Pictory in VS Code, as a user drives it', function () {
  this.timeout(180_000);
  let demo: Demo;
  let browser: BrowserSession;
  let workbench: Workbench;

  const apiRequests = () => demo.pictory.requests;
  const posts = () => apiRequests().filter((request) => request.method === 'POST');
  const postedPrompts = () => posts().map((request) => (request.body as { prompt: string }).prompt);

  let demoWindow: DemoWindow | undefined;

  before(async () => {
    demoWindow = await openDemoWindow({ pollsUntilDone: 3, pollingIntervalSeconds: 1 });
    ({ demo, browser, workbench } = demoWindow);
  });

  after(() => demoWindow?.close());

  beforeEach(() => demo.pictory.reset());

  afterEach(async function () {
    const test = this.currentTest;
    if (!test) return;
    const name = test.title.replace(/[^\w]+/g, '-').toLowerCase();
    if (test.state === 'failed') await demoWindow?.reportFailure(name);
    else await workbench.screenshot(name).catch(() => undefined);
    await browser.page.keyboard.press('Escape');
    await workbench.runCommand('View: Close All Editors');
  });

  async function startGeneration(line: number): Promise<void> {
    await workbench.openFile('prompts.md');
    await workbench.selectLine(line);
    await workbench.runCommand('Pictory: Generate Video');
  }

  async function chooseVideo(model: string, ratio: string, duration: string): Promise<void> {
    await workbench.pick(step(1, 3), model);
    await workbench.pick(step(2, 3), ratio);
    await workbench.pick(step(3, 3), duration);
  }

  /** Opens the file of three more prompts (written now, as if by another program) and selects the three. */
  async function selectMorePrompts(): Promise<void> {
    const file = path.join(demo.workspace, MORE_PROMPTS_FILE);
    if (!fs.existsSync(file)) fs.writeFileSync(file, `# More video ideas\n\n${MORE_PROMPTS.join('\n\n')}\n`);
    await workbench.openFromExplorer(MORE_PROMPTS_FILE);
    await workbench.goToLine(3);
    await workbench.addCursorAt(MORE_PROMPTS[1]); // Alt+Click
    await workbench.addCursorAt(MORE_PROMPTS[2]);
    await browser.page.keyboard.press('Control+L'); // each cursor selects its line
  }

  /** Accepts the one confirmation that several selections get, after checking what it says. */
  async function confirmVideos(count: number, cost: RegExp): Promise<void> {
    const dialog = browser.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    assert.match(text, new RegExp(`Generate ${count} videos`));
    assert.match(text, cost);
    await dialog.locator('.monaco-button', { hasText: `Generate ${count} Videos` }).click();
  }

  const userSettingsFile = () => path.join(demo.userDataDir, 'User', 'settings.json');

  /** The user settings as they are now: what a scenario that changes settings puts back. */
  function userSettings(): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(userSettingsFile(), 'utf8')) as Record<string, unknown>;
  }

  const useSettings = (settings: Record<string, unknown>) => workbench.replaceUserSettings(userSettingsFile(), settings);

  /** Extension hosts that ended because their window told them to, in every window so far. */
  const hostLogLines = (pattern: RegExp): number =>
    findExtensionHostLogs(demo.userDataDir)
      .filter((file) => path.basename(file) === 'remoteexthost.log')
      .reduce((count, file) => count + (fs.readFileSync(file, 'utf8').match(pattern)?.length ?? 0), 0);
  const endedExtensionHosts = (): number => hostLogLines(/received terminate message from renderer/g);
  /** Windows so far whose extension host activated Pictory. */
  const pictoryActivations = (): number => hostLogLines(/_doActivateExtension pictory-vscode\.pictory-vscode,/g);

  /**
   * Closes a window as a person closing its tab does: the page is left first, so that VS Code
   * ends the window's extension host (a tab that just vanishes leaves it running, for a
   * reconnection that never comes), and only then closed.
   */
  async function closeWindowCleanly(window: Workbench): Promise<void> {
    const ended = endedExtensionHosts();
    await window.page.goto('about:blank');
    const deadline = Date.now() + 15_000;
    while (endedExtensionHosts() === ended && Date.now() < deadline) await browser.page.waitForTimeout(200);
    assert.ok(endedExtensionHosts() > ended, "the closed window's extension host ended");
    await window.page.close();
  }

  /** Log lines of the extension's output channel that contain `text`, in every window so far. */
  function pictoryLogLines(text: string): string[] {
    return findExtensionHostLogs(demo.userDataDir)
      .filter((file) => path.basename(file) === 'Pictory.log')
      .flatMap((file) => fs.readFileSync(file, 'utf8').split('\n'))
      .filter((line) => line.includes(text));
  }

  it('generates a video from the selection and plays it in the preview', async () => {
    await workbench.openFile('prompts.md');
    await workbench.selectLine(LANTERN_LINE);
    await workbench.statusBarItem('Markdown').waitFor();
    await workbench.syntaxColoured();
    await workbench.settled();
    await workbench.screenshot('01-select-text');
    await workbench.runCommand('Pictory: Generate Video');
    await workbench.quickTitle(step(1, 3));
    await workbench.settledQuickInput();
    await workbench.screenshot('02-pick-model');
    await workbench.pick(step(1, 3), 'PixVerse 5.5');
    await workbench.pick(step(2, 3), '16:9');
    await workbench.quickTitle(step(3, 3));
    assert.match((await workbench.quickRow('5s').first().textContent()) ?? '', /≈ 8 credits/);
    assert.match((await workbench.quickRow('10s').first().textContent()) ?? '', /≈ 16 credits/);
    await workbench.settledQuickInput();
    await workbench.screenshot('03-pick-duration');
    await workbench.pick(step(3, 3), '5s');
    await workbench.typeIntoInput(DEMO_KEY, { password: true });

    await workbench.statusBarItem(/Pictory: generating \d+:\d\d/).waitFor({ timeout: 20_000 });
    await workbench.notification('Submitting').waitFor({ state: 'hidden', timeout: 10_000 });
    await workbench.settled();
    await workbench.screenshot('status-bar-generating');
    const ready = workbench.notification(LANTERN_READY);
    await ready.waitFor({ timeout: 30_000 });
    await workbench.statusBarItem('Pictory: generating').waitFor({ state: 'hidden', timeout: 10_000 });
    // The preview opens beside the editor, which keeps the keyboard; so the notification needs no button.
    assert.equal(await ready.first().locator('.monaco-button').count(), 0, 'no "Open Preview" button');
    const previewTab = browser.page.locator('.tab', { hasText: 'Video: A paper lantern' });
    await previewTab.waitFor();
    const activeGroupTab = browser.page.locator('.editor-group-container.active .tab.active');
    assert.match((await activeGroupTab.textContent()) ?? '', /prompts\.md/, 'the editor keeps the focus');

    // The page's markup comes first, its content a moment later by message.
    const frame = await workbench.webviewFrameShowing('#prompt', LANTERN_PROMPT);
    assert.equal(await frame.locator('#prompt').textContent(), LANTERN_PROMPT);
    await frame.locator('video#video').waitFor();
    assert.match((await frame.locator('#facts').textContent()) ?? '', /16:9.*5s.*1280 × 720/);
    const playback = await frame.evaluate<{ readyState: number; advanced: boolean }>(PLAY_FOR_A_SECOND);
    assert.ok(playback.readyState >= 2, `readyState ${playback.readyState}`);
    assert.ok(playback.advanced, 'currentTime advances');
    await workbench.settled();
    await workbench.screenshot('04-preview');

    const post = apiRequests().find((request) => request.method === 'POST');
    assert.deepEqual(post?.body, {
      prompt: 'A paper lantern floating over a calm lake at night, slow camera push-in',
      model: 'pixverse5.5',
      aspectRatio: '16:9',
      duration: '5s',
    });
    assert.equal(post?.authorization, DEMO_KEY);
    assert.ok(demo.pictory.mediaRequests.length > 0, 'the video was fetched');
    assert.ok(demo.pictory.mediaRequests.every((request) => request.authorization === undefined), 'the key is sent to the API only');
  });

  it('downloads the video and inserts a link to it from the preview', async () => {
    await startGeneration(FOX_LINE);
    await chooseVideo('PixVerse 5.5', '4:3', '10s');
    await workbench.notification('Video ready: "A red fox').waitFor({ timeout: 30_000 });
    await workbench.focusFirstEditor();
    await workbench.openFile('notes.md');
    const frame = await workbench.webviewFrame('video#video');
    await frame.locator('button[data-action="insertLink"]').click();
    const link = browser.page.locator('.monaco-editor .view-lines', { hasText: '[A red fox running through fresh snow at sunrise, wide shot](http://127.0.0.1' });
    await link.waitFor({ timeout: 10_000 });
    await link.click();
    await browser.page.keyboard.press('Control+S');

    const target = path.join(demo.workspace, 'A red fox running through fresh snow at sunrise wide shot.mp4');
    await frame.locator('button[data-action="download"]').click();
    // The save dialog proposes the workspace folder and a file name made of the prompt.
    await workbench.quickInput().locator('input').first().waitFor();
    await browser.page.keyboard.press('Enter');
    await workbench.notification(`Saved ${target}`).waitFor({ timeout: 20_000 });
    const fixture = fs.statSync(path.join(repoRoot(), 'test', 'fixtures', 'with-audio.mp4')).size;
    assert.equal(fs.statSync(target).size, fixture);
    await workbench.screenshot('downloaded-and-linked');
  });

  it('offers only what the chosen model supports, goes back, and sends nothing on Escape', async () => {
    await startGeneration(FOX_LINE);
    await workbench.pick(step(1, 3), 'Veo 3.1 Fast');
    await workbench.quickTitle(step(2, 3));
    assert.deepEqual(await workbench.quickLabels(['16:9', '9:16']), ['16:9', '9:16']);
    await workbench.quickInput().getByRole('button', { name: 'Back' }).click();
    await workbench.pick(step(1, 3), 'PixVerse 5.5');
    await workbench.quickTitle(step(2, 3));
    const pixverseRatios = ['16:9', '9:16', '1:1', '3:4', '4:3'];
    assert.deepEqual(await workbench.quickLabels(pixverseRatios), pixverseRatios);
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

  it('resumes a job after the window reloads and announces its result', async () => {
    await startGeneration(FOX_LINE);
    await chooseVideo('PixVerse 5.5', '9:16', '8s');
    await workbench.statusBarItem('Pictory: generating').waitFor({ timeout: 20_000 });
    // Hold the job's next poll until the window is gone, so that the reloaded window ends it.
    demo.pictory.addFault({ method: 'GET', fault: { kind: 'delay', ms: 5000 } });
    await workbench.reload();
    await workbench.statusBarItem('Pictory: generating').waitFor({ timeout: 30_000 });
    await workbench.notification('Video ready').waitFor({ timeout: 60_000 });
    await workbench.webviewFrame('video#video');
    assert.equal(apiRequests().filter((request) => request.method === 'POST').length, 1);
  });

  it('announces a job once when two windows follow it', async () => {
    await startGeneration(LANTERN_LINE);
    await chooseVideo('Veo 3.1 Fast', '16:9', '4s');
    await workbench.statusBarItem('Pictory: generating').waitFor({ timeout: 20_000 });
    const second = new Workbench(await browser.context.newPage());
    try {
      await second.open(demo.url);
      await Promise.race([
        workbench.notification(LANTERN_READY).waitFor({ timeout: 60_000 }),
        second.notification(LANTERN_READY).waitFor({ timeout: 60_000 }),
      ]);
      await browser.page.waitForTimeout(4000);
      const shown = (await workbench.notification(LANTERN_READY).count()) + (await second.notification(LANTERN_READY).count());
      assert.equal(shown, 1, 'one window announces the video');
      await second.screenshot('second-window');
    } finally {
      await second.page.close();
    }
  });

  it('shows a prompt full of markup as text and runs none of it', async () => {
    const prompt = 'A cat <img src=x onerror="document.title=\'pwned\'"> at dusk </script><b>bold</b>';
    await workbench.openFile('notes.md');
    await workbench.runCommand('Pictory: Generate Video');
    await workbench.typeIntoInput(prompt);
    await chooseVideo('PixVerse 5.5', '1:1', '5s');
    await workbench.notification('Video ready: "A cat').waitFor({ timeout: 30_000 });
    // The page shows the clip once the panel's message with it arrives.
    const frame = await workbench.webviewFrameShowing('#prompt', 'A cat');
    const shown = await frame.evaluate<{ text: string | null; elements: number; title: string }>(
      `({ text: document.getElementById('prompt').textContent,
          elements: document.getElementById('prompt').children.length,
          title: document.title })`,
    );
    assert.deepEqual(shown, { text: prompt, elements: 0, title: 'Pictory Video' });
    await workbench.screenshot('markup-as-text');
  });

  it('makes one video per selection after one confirmation with the total cost', async () => {
    await workbench.openFile('prompts.md');
    await workbench.goToLine(LANTERN_LINE);
    await workbench.addCursorAt('A red fox running'); // Alt+Click
    await browser.page.keyboard.press('Control+L'); // each cursor selects its line
    await workbench.runCommand('Pictory: Generate Video');
    await chooseVideo('Veo 3.1', '16:9', '8s');
    const dialog = browser.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /Generate 2 videos.*320 credits in all/s);
    await workbench.screenshot('confirm-two-videos');
    await dialog.locator('.monaco-button', { hasText: 'Generate 2 Videos' }).click();
    await workbench.statusBarItem('Pictory: 2 videos').waitFor({ timeout: 20_000 });
    const prompts = apiRequests().filter((request) => request.method === 'POST').map((request) => (request.body as { prompt: string }).prompt);
    assert.deepEqual(prompts.sort(), [
      'A paper lantern floating over a calm lake at night, slow camera push-in',
      'A red fox running through fresh snow at sunrise, wide shot',
    ]);
    await workbench.notification('Video ready: "A red fox').waitFor({ timeout: 30_000 });
  });

  it('lets the user stop waiting for a job from the status bar', async () => {
    demo.pictory.addFault({ method: 'GET', times: Infinity, fault: { kind: 'status', status: 200, body: '{"success":true,"data":{"status":"in-progress"}}' } });
    await startGeneration(FOX_LINE);
    await chooseVideo('Veo 3.1 Fast', '9:16', '6s');
    const item = workbench.statusBarItem('Pictory: generating');
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    await workbench.pick('Running Pictory Jobs', 'A red fox running through fresh snow at sunrise, wide shot');
    const dialog = browser.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /cannot stop a generation, so its credits may still be charged/);
    await dialog.locator('.monaco-button', { hasText: 'Stop Waiting' }).click();
    await item.waitFor({ state: 'hidden', timeout: 10_000 });
    const polls = apiRequests().length;
    await browser.page.waitForTimeout(2500);
    assert.equal(apiRequests().length, polls, 'no more polling');
    demo.pictory.clearFaults();
  });

  it('says why the video cannot play, and still offers its actions', async () => {
    demo.pictory.addFault({ path: /^\/media\/.*\.mp4$/, times: Infinity, fault: { kind: 'status', status: 404 } });
    try {
      await startGeneration(LANTERN_LINE);
      await chooseVideo('PixVerse 5.5', '3:4', '8s');
      await workbench.notification('Video ready: "A paper lantern').waitFor({ timeout: 30_000 });
      const frame = await workbench.webviewFrame('video#video');
      const error = frame.locator('#playback-error');
      await error.waitFor({ timeout: 20_000 });
      assert.match((await error.textContent()) ?? '', /cannot be played here/);
      assert.equal(await frame.locator('button[data-action="openInBrowser"]').isEnabled(), true);
      await workbench.screenshot('playback-error');
    } finally {
      demo.pictory.clearFaults();
    }
  });

  it("says when neither this editor's player nor the extension can play the video's sound, and where to hear it", async () => {
    await workbench.openFile('notes.md');
    await workbench.runCommand('Pictory: Generate Video');
    // AC-3: the page's player cannot decode it, and the extension's decoder reads AAC, not AC-3.
    await workbench.typeIntoInput('A brass band marching through a square #ac3');
    await chooseVideo('PixVerse 5.5', '16:9', '5s');
    await workbench.notification('Video ready: "A brass band').waitFor({ timeout: 30_000 });
    const frame = await workbench.webviewFrameShowing('#audio-note', 'could not be decoded', 30_000);
    assert.match(
      (await frame.textContent('#audio-note')) ?? '',
      /^The video's sound could not be decoded here \(the extension cannot decode this kind of sound\), so it plays silently\. Use Open in Browser to hear it\.$/,
    );
    await workbench.screenshot('audio-not-playable');
  });

  it('opens a preview for each of several videos that finish together, and each one plays', async () => {
    // Every job stays "in progress" until the three are accepted, so that they end in the same second.
    demo.pictory.addFault({ method: 'GET', path: JOB_POLL, times: Infinity, fault: STILL_RUNNING });
    await selectMorePrompts();
    await workbench.runCommand('Pictory: Generate Video');
    await chooseVideo('PixVerse 5.5', '16:9', '5s');
    await confirmVideos(3, /24 credits in all/);
    await workbench.statusBarItem('Pictory: 3 videos').waitFor({ timeout: 20_000 });
    assert.deepEqual(postedPrompts(), MORE_PROMPTS);
    const reloadsBefore = pictoryLogLines('setting its page again').length;
    demo.pictory.clearFaults();

    await Promise.all(MORE_PROMPTS.map((prompt) => workbench.notification(`Video ready: "${opening(prompt)}`).waitFor({ timeout: 30_000 })));
    const previewTabs = browser.page.locator('.tab', { hasText: 'Video: ' });
    await workbench.statusBarItem('Pictory: ').filter({ hasText: /videos|generating/ }).waitFor({ state: 'hidden', timeout: 10_000 });
    assert.equal(await previewTabs.count(), 3, 'one preview per video');
    await workbench.screenshot('three-previews');

    for (const prompt of MORE_PROMPTS) {
      await browser.page.locator('.tab', { hasText: `Video: ${opening(prompt)}` }).click();
      const frame = await workbench.webviewFrameShowing('#prompt', prompt);
      const playback = await frame.evaluate<{ readyState: number; advanced: boolean }>(PLAY_FOR_A_SECOND);
      assert.ok(playback.readyState >= 2, `"${prompt}": readyState ${playback.readyState}`);
      assert.ok(playback.advanced, `"${prompt}": currentTime advances`);
    }
    const reloads = pictoryLogLines('setting its page again').slice(reloadsBefore);
    console.log(`      (preview pages set again after not loading: ${reloads.length})`);
  });

  it('stops a batch at a rejected key with one message, and sends all of it after a new key', async () => {
    await workbench.runCommand('Pictory: Set API Key');
    await workbench.typeIntoInput('pictai_wrong_key', { password: true });
    await selectMorePrompts();
    await workbench.runCommand('Pictory: Generate Video');
    await chooseVideo('Veo 3.1 Fast', '9:16', '4s');
    await confirmVideos(3, /120 credits in all/);

    const rejected = workbench.notification('rejected the API key');
    await rejected.waitFor({ timeout: 20_000 });
    await browser.page.waitForTimeout(3000); // time enough for the other two to fail, if they were sent
    assert.equal(await workbench.errorNotifications('Pictory').count(), 1, 'one error notification');
    assert.match((await rejected.first().textContent()) ?? '', /Pictory rejected the API key \(HTTP 401\).*3 videos were not sent yet\./s);
    assert.equal(posts().length, 1, 'the batch stopped at the first rejection');
    assert.equal(posts()[0].authorization, 'pictai_wrong_key');
    await workbench.screenshot('batch-key-rejected');

    await workbench.clickNotificationButton('rejected the API key', 'Enter New Key');
    await workbench.typeIntoInput(DEMO_KEY, { password: true });
    await Promise.all(MORE_PROMPTS.map((prompt) => workbench.notification(`Video ready: "${opening(prompt)}`).waitFor({ timeout: 40_000 })));
    const resent = posts().slice(1);
    assert.deepEqual(resent.map((request) => (request.body as { prompt: string }).prompt), MORE_PROMPTS);
    assert.ok(resent.every((request) => request.authorization === DEMO_KEY), 'the new key is used');
  });

  it('skips the steps the default settings answer, and shows what nobody picked before sending it', async () => {
    const original = userSettings();
    try {
      await useSettings({ ...original, 'pictory.defaultDuration': '8s' });
      await startGeneration(LANTERN_LINE);
      await workbench.pick(step(1, 2), 'Veo 3.1 Fast');
      await workbench.pick(step(2, 2), '16:9');
      await workbench.statusBarItem('Pictory: generating').waitFor({ timeout: 20_000 });
      await workbench.quickInput().waitFor({ state: 'hidden', timeout: 5000 }); // no duration is asked
      assert.deepEqual(posts().map((request) => request.body), [{ prompt: LANTERN_PROMPT, model: 'veo3.1_fast', aspectRatio: '16:9', duration: '8s' }]);
      await workbench.notification(LANTERN_READY).waitFor({ timeout: 30_000 });
      await workbench.runCommand('View: Close All Editors');

      await useSettings({ ...original, 'pictory.defaultModel': 'veo3.1_fast', 'pictory.defaultAspectRatio': '16:9', 'pictory.defaultDuration': '4s' });
      demo.pictory.reset();
      await startGeneration(FOX_LINE);
      await workbench.quickTitle(GENERATE);
      const generate = workbench.quickRow('Generate');
      assert.match((await generate.first().textContent()) ?? '', /Veo 3\.1 Fast · 16:9 · 4s · ≈ 40 credits/);
      await workbench.settledQuickInput();
      await workbench.screenshot('confirm-preset-choice');
      await browser.page.keyboard.press('Escape');
      await browser.page.waitForTimeout(1500);
      assert.equal(apiRequests().length, 0, 'Escape sends nothing');

      // The answer is held for a moment, so that the "Submitting…" notification can be seen.
      demo.pictory.addFault({ method: 'POST', fault: { kind: 'delay', ms: 2500 } });
      await startGeneration(FOX_LINE);
      await workbench.quickTitle(GENERATE);
      await workbench.quickRow('Generate').first().waitFor();
      await browser.page.keyboard.press('Enter');
      await workbench.notification('Submitting "A red fox').waitFor({ timeout: 10_000 });
      await workbench.notification(FOX_READY).waitFor({ timeout: 30_000 });
      assert.deepEqual(posts().map((request) => request.body), [{ prompt: FOX_PROMPT, model: 'veo3.1_fast', aspectRatio: '16:9', duration: '4s' }]);
    } finally {
      await browser.page.keyboard.press('Escape');
      await useSettings(original);
    }
  });

  it('announces a job in another window when the window that started it is closed', async () => {
    // Every poll says "in progress" until the starting window is gone.
    demo.pictory.addFault({ method: 'GET', path: JOB_POLL, times: Infinity, fault: STILL_RUNNING });
    const starting = new Workbench(await browser.context.newPage());
    try {
      await starting.open(demo.url);
      await starting.openFile('prompts.md');
      await starting.selectLine(FOX_LINE);
      await starting.runCommand('Pictory: Generate Video');
      await starting.pick(step(1, 3), 'PixVerse 5.5');
      await starting.pick(step(2, 3), '1:1');
      await starting.pick(step(3, 3), '5s');
      await starting.statusBarItem('Pictory: generating').waitFor({ timeout: 20_000 });
      assert.deepEqual(postedPrompts(), [FOX_PROMPT]);
      // This window follows the job too, from the moment the other one started it.
      await workbench.statusBarItem('Pictory: generating').waitFor({ timeout: 20_000 });
    } finally {
      await closeWindowCleanly(starting);
    }
    demo.pictory.clearFaults();

    const ready = workbench.notification(FOX_READY);
    await ready.waitFor({ timeout: 90_000 });
    await browser.page.waitForTimeout(4000);
    assert.equal(await ready.count(), 1, 'announced once');
    const frame = await workbench.webviewFrameShowing('#prompt', FOX_PROMPT);
    assert.equal(await frame.locator('video#video').count(), 1);
    assert.equal(posts().length, 1, 'sent once');
    await workbench.screenshot('taken-over-by-another-window');
  });

  it('follows a job another window starts, in a window on another folder where Pictory has done nothing yet', async () => {
    // Every poll says "in progress" until the second window is closed.
    demo.pictory.addFault({ method: 'GET', path: JOB_POLL, times: Infinity, fault: STILL_RUNNING });
    // A folder never opened before: its window restores no editor or panel that would load the rest of Pictory.
    const otherFolder = path.join(path.dirname(demo.workspace), 'other-folder');
    fs.mkdirSync(otherFolder, { recursive: true });
    const untouched = new Workbench(await browser.context.newPage());
    try {
      const activated = pictoryActivations();
      await untouched.open(workbenchUrl(demo.codeServer, otherFolder));
      // Pictory has looked for jobs there at start-up, and found none.
      assert.ok(await waitUntil(() => pictoryActivations() > activated, 30_000, 200), 'Pictory activated in the second window');
      await startGeneration(LANTERN_LINE);
      await chooseVideo('Veo 3.1 Fast', '16:9', '4s');
      await workbench.statusBarItem('Pictory: generating').waitFor({ timeout: 20_000 });
      await untouched.statusBarItem('Pictory: generating').waitFor({ timeout: 20_000 });
      await untouched.screenshot('following-a-job-of-another-window');
    } finally {
      await closeWindowCleanly(untouched);
    }
    demo.pictory.clearFaults();
    await workbench.notification(LANTERN_READY).waitFor({ timeout: 60_000 });
    assert.deepEqual(postedPrompts(), [LANTERN_PROMPT], 'sent once');
  });
});
