// End-to-end: the Pictory side bar (activity bar entry "Pictory", views "Running" and "This
// Machine") of the packaged .vsix in code-server, driven through the UI in Chromium.
// The scenarios run in order, in one window: the first one stores the API key, the second
// makes the clip that the third continues.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import type { BrowserSession } from '../harness/browser';
import { Demo, DEMO_KEY } from '../demo/demo';
import { DemoWindow, openDemoWindow } from './demoWindow';
import { locateFixturesDir } from '../server/media';
import { Workbench } from './workbench';

const CONTAINER = 'Pictory';
const RUNNING = 'Running';
const CLIPS = 'This Machine';

const LANTERN_LINE = 5;
const LANTERN_PROMPT = 'A paper lantern floating over a calm lake at night, slow camera push-in';
const CONTINUED_PROMPT = 'The lantern rises into the stars as the camera tilts up to follow it';
const EXTENDED_PROMPT = 'The stars swirl slowly as the lantern fades into a distant glow';
const FOREVER_PROMPT = 'A clock tower in thick fog, its hands turning #forever';

/** A file of prompts of its own, written while the window is open, as if by another program. */
const STUDIO_PROMPTS_FILE = 'studio-prompts.md';
const FOREVER_LINE = 3;
const IMAGE_PROMPTS_FILE = 'pictures.md';
const IMAGE_PROMPT = 'A lighthouse on a rocky cliff at dawn, gulls over the waves';
const IMAGE_LINE = 3;

const GENERATE = 'Generate Video';
const step = (current: number, total: number): string => `${GENERATE} (${current}/${total})`;

/** The first words of a prompt, as notifications show it shortened. */
const opening = (prompt: string): string => prompt.split(' ').slice(0, 4).join(' ');

/** What the API answers a poll of a finished job with (the fields the extension reads). */
interface CompletedPoll {
  data: { status: string; url: string; lastFrameImageUrl: string };
}

describe('The Pictory side bar, as a user works with it', function () {
  this.timeout(180_000);
  let demo: Demo;
  let browser: BrowserSession;
  let workbench: Workbench;

  const posts = () => demo.pictory.requests.filter((request) => request.method === 'POST');
  const postOf = (prompt: string) => posts().find((request) => (request.body as { prompt?: string }).prompt === prompt);
  const jobOf = (prompt: string) => [...demo.pictory.jobs().values()].find((job) => job.request.prompt === prompt);

  let demoWindow: DemoWindow | undefined;

  before(async () => {
    demoWindow = await openDemoWindow({ pollsUntilDone: 3, pollingIntervalSeconds: 1 });
    ({ demo, browser, workbench } = demoWindow);
  });

  after(() => demoWindow?.close());

  afterEach(async function () {
    const test = this.currentTest;
    if (!test) return;
    const name = `studio-${test.title.replace(/[^\w]+/g, '-').toLowerCase()}`;
    if (test.state === 'failed') await demoWindow?.reportFailure(name);
    else await workbench.screenshot(name).catch(() => undefined);
    await browser.page.keyboard.press('Escape');
    await workbench.runCommand('View: Close All Editors');
  });

  /** Waits until the preview's video is `seconds` in (give or take `tolerance`). */
  async function videoNear(frame: Frame, seconds: number, tolerance: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    let time = NaN;
    while (Date.now() < deadline) {
      // A string, evaluated by the browser itself: the page's CSP forbids the evaluation of functions.
      time = Number(await frame.evaluate("document.getElementById('video').currentTime"));
      if (Math.abs(time - seconds) < tolerance) return;
      await browser.page.waitForTimeout(100);
    }
    assert.fail(`The video is at ${time} s, not ${seconds} s`);
  }

  async function chooseVideo(model: string, ratio: string, duration: string): Promise<void> {
    await workbench.pick(step(1, 3), model);
    await workbench.pick(step(2, 3), ratio);
    await workbench.pick(step(3, 3), duration);
  }

  /** The description of the first row of `view` that shows `text`. */
  async function descriptionOf(view: string, text: string): Promise<string> {
    const row = workbench.viewRow(view, text).first();
    await row.waitFor();
    return (await row.locator('.label-description').textContent()) ?? '';
  }

  it('asks for the API key first, then offers to generate a video', async () => {
    await workbench.showViewContainer(CONTAINER);
    const welcome = workbench.viewWelcome(CLIPS);
    await welcome.waitFor({ timeout: 30_000 });
    assert.match((await welcome.textContent()) ?? '', /Set your Pictory API key to start/);
    const setKey = welcome.locator('.monaco-button', { hasText: 'Set API Key' });
    assert.equal(await setKey.count(), 1, 'a "Set API Key" button');
    assert.equal(await workbench.viewPane(RUNNING).count(), 0, 'no "Running" view while nothing runs');
    await workbench.settled();
    await workbench.screenshot('studio-welcome-no-key');

    await setKey.click();
    await workbench.quickTitle('Pictory API Key');
    await workbench.typeIntoInput(DEMO_KEY, { password: true });
    await workbench.notification('Pictory API key saved').waitFor({ timeout: 10_000 });
    const generate = welcome.locator('.monaco-button', { hasText: 'Generate Video' });
    await generate.waitFor({ timeout: 10_000 });
    assert.match((await welcome.textContent()) ?? '', /No clips yet/);
    assert.equal(await welcome.locator('.monaco-button', { hasText: 'Set API Key' }).count(), 0, 'the key is no longer asked for');
    assert.equal(posts().length, 0, 'no video was asked for');
  });

  it('lists a new clip under Today with its model, duration and cost', async () => {
    await workbench.openFile('prompts.md');
    await workbench.selectLine(LANTERN_LINE);
    await workbench.runCommand('Pictory: Generate Video');
    await chooseVideo('PixVerse 5.5', '16:9', '5s');
    await workbench.notification(`Video ready: "${opening(LANTERN_PROMPT)}`).waitFor({ timeout: 30_000 });

    await workbench.showViewContainer(CONTAINER);
    const description = await descriptionOf(CLIPS, opening(LANTERN_PROMPT));
    assert.match(description, /pixverse5\.5 · 5s · 8 credits/);
    const rows = await workbench.viewRows(CLIPS);
    assert.deepEqual(
      rows.map(({ label, level }) => [label, level]),
      [
        ['Today', '1'],
        ['A paper lantern floating over a calm lake at night, slow ca…', '2'],
      ],
    );
    await workbench.viewWelcome(CLIPS).waitFor({ state: 'hidden' });
    await workbench.viewPane(RUNNING).waitFor({ state: 'detached', timeout: 10_000 });

    // The picture: the side bar wide enough for the row's description, beside the clip's preview.
    await workbench.resizeSideBar(700);
    await workbench.viewRow(CLIPS, opening(LANTERN_PROMPT)).locator('.label-description').waitFor();
    const promptsTab = browser.page.locator('.tab', { hasText: 'prompts.md' });
    await promptsTab.hover();
    await promptsTab.getByRole('button', { name: /^Close/ }).click();
    await promptsTab.waitFor({ state: 'detached' });
    await workbench.webviewFrame('video#video');
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.notification('Video ready').waitFor({ state: 'hidden' });
    await workbench.settled();
    console.log(`      (screenshot: ${await workbench.screenshot('studio-this-machine')})`);
  });

  it("continues a clip from its last frame, from the clip's context menu", async () => {
    const first = jobOf(LANTERN_PROMPT);
    assert.ok(first, 'the clip of the previous scenario');
    // The first clip's last frame, as Pictory reports it when the job has completed.
    const poll = await fetch(`${demo.pictory.baseUrl}/v1/jobs/${first.id}`, { headers: { authorization: DEMO_KEY } });
    const { data } = (await poll.json()) as CompletedPoll;
    assert.equal(data.status, 'completed');

    await workbench.showViewContainer(CONTAINER);
    await workbench.viewRow(CLIPS, opening(LANTERN_PROMPT)).first().click({ button: 'right' });
    await workbench.chooseFromContextMenu('Continue from Last Frame');
    await workbench.quickTitle('Continue from Last Frame');
    await workbench.typeIntoInput(CONTINUED_PROMPT);
    await chooseVideo('PixVerse 5.5', '16:9', '5s');
    await workbench.notification(`Video ready: "${opening(CONTINUED_PROMPT)}`).waitFor({ timeout: 30_000 });

    assert.deepEqual(postOf(CONTINUED_PROMPT)?.body, {
      prompt: CONTINUED_PROMPT,
      model: 'pixverse5.5',
      aspectRatio: '16:9',
      duration: '5s',
      firstFrameImageUrl: data.lastFrameImageUrl,
    });
    await workbench.viewRow(CLIPS, opening(CONTINUED_PROMPT)).first().waitFor({ timeout: 10_000 });
    const labels = (await workbench.viewRows(CLIPS)).map((row) => row.label);
    assert.deepEqual(labels, ['Today', 'The lantern rises into the stars as the camera tilts up to…', 'A paper lantern floating over a calm lake at night, slow ca…']);
  });

  it('shows both clips in the gallery, newest first, plays one on hover and opens its preview on a click', async () => {
    await workbench.showViewContainer(CONTAINER);
    const header = workbench.viewPane(CLIPS).locator('.pane-header');
    await header.hover();
    await header.getByRole('button', { name: 'Open Gallery' }).click();
    const gallery = await workbench.webviewFrame('#grid .card[data-job-id] .thumb img');
    const cards = gallery.locator('#grid .card[data-job-id]');
    assert.equal(await cards.count(), 2);
    assert.deepEqual(
      (await cards.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''))).map((label) => label.split(' ').slice(0, 3).join(' ')),
      ['The lantern rises', 'A paper lantern'],
    );
    // Both thumbnails are the copies kept on this machine, and have loaded.
    const thumbnails = gallery.locator('#grid .card .thumb img');
    const deadline = Date.now() + 10_000;
    let loaded: string[] = [];
    while (Date.now() < deadline) {
      const shown = await gallery.evaluate(
        "JSON.stringify(Array.from(document.querySelectorAll('#grid .card .thumb img')).filter((image) => image.complete && image.naturalWidth > 0).map((image) => image.src))",
      );
      loaded = JSON.parse(String(shown)) as string[];
      if (loaded.length === 2) break;
      await browser.page.waitForTimeout(200);
    }
    assert.equal(loaded.length, 2, `thumbnails loaded: ${loaded.join(', ')}`);
    assert.ok(loaded.every((src) => src.includes('/clips/') && src.endsWith('/thumbnail.jpg')), loaded.join(', '));
    assert.equal(await thumbnails.count(), 2);

    await cards.first().hover();
    await gallery.locator('#grid .card video').first().waitFor({ timeout: 10_000 });
    assert.equal(await gallery.evaluate("String(document.querySelector('#grid .card video').muted)"), 'true', 'plays muted');
    const playing = Date.now() + 10_000;
    let state = '';
    while (Date.now() < playing) {
      state = String(await gallery.evaluate("(() => { const v = document.querySelector('#grid .card video'); return v ? `${v.paused} ${v.currentTime}` : 'gone'; })()"));
      if (/^false (?!0$)/.test(state)) break;
      await browser.page.waitForTimeout(100);
    }
    assert.match(state, /^false (?!0$)/, `the hovered clip plays (paused, time: ${state})`);
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.notification('Video ready').waitFor({ state: 'hidden' });
    await workbench.settled();
    console.log(`      (screenshot: ${await workbench.screenshot('studio-gallery')})`);

    await gallery.locator('#filter').fill('rises');
    await gallery.locator('#count', { hasText: '1 of 2 clips' }).waitFor({ timeout: 5000 });
    await gallery.locator('#filter').fill('');
    await gallery.locator('#count', { hasText: '2 clips' }).waitFor({ timeout: 5000 });

    await cards.nth(1).click();
    await workbench.webviewFrameShowing('#prompt', LANTERN_PROMPT);
  });

  it('plays a clip from the copy kept on this machine once Pictory no longer serves it, and keeps its place across a reload', async () => {
    const first = jobOf(LANTERN_PROMPT);
    assert.ok(first, 'the clip of the first scenarios');
    const copy = path.join(demo.userDataDir, 'User', 'globalStorage', 'pictory-vscode.pictory-vscode', 'clips', first.id, 'video.mp4');
    const deadline = Date.now() + 20_000;
    while (!fs.existsSync(copy) && Date.now() < deadline) await browser.page.waitForTimeout(200);
    assert.ok(fs.existsSync(copy), `the clip was copied to ${copy}`);
    demo.pictory.addFault({ method: 'GET', path: /^\/media\//, times: Infinity, fault: { kind: 'status', status: 404, body: 'expired' } });
    try {
      const mediaBefore = demo.pictory.mediaRequests.length;
      await workbench.showViewContainer(CONTAINER);
      await workbench.viewRow(CLIPS, opening(LANTERN_PROMPT)).first().click();
      const preview = await workbench.webviewFrameShowing('#prompt', LANTERN_PROMPT);
      await preview.waitForSelector('#app[data-playback="loaded"], #app[data-playback="playing"]', { timeout: 20_000 });
      assert.match((await preview.textContent('#facts')) ?? '', /The copy kept on this machine/);
      assert.equal(demo.pictory.mediaRequests.length, mediaBefore, 'nothing was asked of Pictory to play it');

      // The viewer stops one second into the two-second clip, then the window reloads.
      await preview.evaluate("document.getElementById('video').currentTime = 1");
      await videoNear(preview, 1, 0.1);
      await browser.page.waitForTimeout(500);
      // With the Pictory views out of sight and no job pending, only the restored preview brings the extension's panels back.
      await workbench.showViewContainer('Explorer');
      await workbench.reloadWindow();
      const restored = await workbench.webviewFrameShowing('#prompt', LANTERN_PROMPT, 60_000);
      await restored.waitForSelector('#app[data-playback="loaded"], #app[data-playback="playing"]', { timeout: 20_000 });
      await videoNear(restored, 1, 0.3);
    } finally {
      demo.pictory.clearFaults();
    }
  });

  it('downloads two selected clips at once into the folder picked for them', async () => {
    const folder = path.join(demo.workspace, 'downloads');
    fs.mkdirSync(folder, { recursive: true });
    await workbench.showViewContainer(CONTAINER);
    const lantern = workbench.viewRow(CLIPS, opening(LANTERN_PROMPT)).first();
    const continued = workbench.viewRow(CLIPS, opening(CONTINUED_PROMPT)).first();
    await lantern.click();
    await continued.click({ modifiers: ['Control'] });
    await continued.click({ button: 'right' });
    await workbench.chooseFromContextMenu('Download…');
    await workbench.quickTitle('Choose the folder to download 2 clips into');
    // VS Code's own folder picker (code-server has no native dialog): type the path, then accept it.
    // It fills in its starting folder a moment after it opens: type the path once that is done.
    const input = workbench.quickInput().locator('input').first();
    await input.waitFor();
    let typed = '';
    for (let attempt = 0; attempt < 10 && typed !== `${folder}/`; attempt++) {
      await input.fill(`${folder}/`);
      await browser.page.waitForTimeout(300);
      typed = await input.inputValue();
    }
    assert.equal(typed, `${folder}/`);
    await workbench.quickInput().locator('.monaco-button', { hasText: 'Download Here' }).click();
    await workbench.notification(/Saved 2 clips to/).waitFor({ timeout: 20_000 });
    const saved = fs.readdirSync(folder).sort();
    assert.equal(saved.length, 2, saved.join(', '));
    assert.match(saved[0], /^A paper lantern floating .*\.mp4$/);
    assert.match(saved[1], /^The lantern rises .*\.mp4$/);
    const fixture = fs.readFileSync(path.join(locateFixturesDir(), 'with-audio.mp4'));
    for (const name of saved) assert.ok(fs.readFileSync(path.join(folder, name)).equals(fixture), `${name} holds the clip`);
  });

  it('shows a running job with its elapsed time, and stops waiting for it from its row', async () => {
    fs.writeFileSync(path.join(demo.workspace, STUDIO_PROMPTS_FILE), `# Studio ideas\n\n${FOREVER_PROMPT}\n`);
    await workbench.showViewContainer('Explorer');
    await workbench.openFromExplorer(STUDIO_PROMPTS_FILE);
    await workbench.selectLine(FOREVER_LINE);
    await workbench.runCommand('Pictory: Generate Video');
    await chooseVideo('PixVerse 5.5', '9:16', '8s');
    await workbench.statusBarItem('Pictory: generating').waitFor({ timeout: 20_000 });

    await workbench.showViewContainer(CONTAINER);
    const running = workbench.viewRow(RUNNING, opening(FOREVER_PROMPT)).first();
    await running.waitFor({ timeout: 10_000 });
    const elapsed = async () => /(\d+:\d\d)$/.exec(await descriptionOf(RUNNING, opening(FOREVER_PROMPT)))?.[1];
    const shown = await elapsed();
    assert.ok(shown, `elapsed time in "${await descriptionOf(RUNNING, opening(FOREVER_PROMPT))}"`);
    const ticking = Date.now() + 5000;
    while ((await elapsed()) === shown && Date.now() < ticking) await browser.page.waitForTimeout(200);
    assert.notEqual(await elapsed(), shown, 'the elapsed time goes on');
    // "submitted" until Pictory's first answer, then what Pictory says.
    await running.locator('.label-description', { hasText: /^pixverse5\.5 · in-progress · \d+:\d\d$/ }).waitFor({ timeout: 10_000 });
    await workbench.screenshot('studio-running');

    const job = jobOf(FOREVER_PROMPT);
    assert.ok(job, 'the job was created');
    await running.hover();
    await running.getByRole('button', { name: 'Stop Waiting' }).click();
    await running.waitFor({ state: 'detached', timeout: 10_000 });
    await workbench.viewPane(RUNNING).waitFor({ state: 'detached', timeout: 10_000 });
    await workbench.statusBarItem('Pictory: generating').waitFor({ state: 'hidden', timeout: 10_000 });
    const stopped = workbench.viewRow(CLIPS, opening(FOREVER_PROMPT)).first();
    await stopped.locator('.label-description', { hasText: 'stopped waiting' }).waitFor({ timeout: 10_000 });
    assert.match(await descriptionOf(CLIPS, opening(FOREVER_PROMPT)), /^pixverse5\.5 · 8s · .*stopped waiting/);

    const polls = () => demo.pictory.requests.filter((request) => request.method === 'GET' && request.path.endsWith(job.id)).length;
    const pollsAtStop = polls();
    await browser.page.waitForTimeout(2500);
    assert.equal(polls(), pollsAtStop, 'no more polling');
  });

  it('extends a clip from its context menu: the new request names the clip as the video to extend', async () => {
    const continued = jobOf(CONTINUED_PROMPT);
    assert.ok(continued, 'the continued clip of an earlier scenario');
    const poll = await fetch(`${demo.pictory.baseUrl}/v1/jobs/${continued.id}`, { headers: { authorization: DEMO_KEY } });
    const { data } = (await poll.json()) as CompletedPoll;
    await workbench.showViewContainer(CONTAINER);
    await workbench.viewRow(CLIPS, opening(CONTINUED_PROMPT)).first().click({ button: 'right' });
    await workbench.chooseFromContextMenu('Extend Video');
    await workbench.quickTitle('Extend Video');
    await workbench.typeIntoInput(EXTENDED_PROMPT);
    await chooseVideo('PixVerse 5.5', '16:9', '5s');
    await workbench.notification(`Video ready: "${opening(EXTENDED_PROMPT)}`).waitFor({ timeout: 30_000 });
    assert.deepEqual(postOf(EXTENDED_PROMPT)?.body, { prompt: EXTENDED_PROMPT, model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s', extendVideoUrl: data.url });
  });

  it("opens a clip's Pictory address in the browser from its preview", async () => {
    const first = jobOf(LANTERN_PROMPT);
    assert.ok(first);
    const poll = await fetch(`${demo.pictory.baseUrl}/v1/jobs/${first.id}`, { headers: { authorization: DEMO_KEY } });
    const { data } = (await poll.json()) as CompletedPoll;
    await workbench.showViewContainer(CONTAINER);
    await workbench.viewRow(CLIPS, opening(LANTERN_PROMPT)).first().click();
    const preview = await workbench.webviewFrameShowing('#prompt', LANTERN_PROMPT);
    const opened = browser.page.context().waitForEvent('page', { timeout: 20_000 });
    await preview.locator('button[data-action="openInBrowser"]').click();
    // VS Code asks before opening a site it does not trust yet.
    const dialog = browser.page.locator('.monaco-dialog-box');
    const page = await Promise.race([opened, dialog.waitFor({ timeout: 10_000 }).then(async () => {
      await dialog.locator('.monaco-button', { hasText: /^Open$/ }).click();
      return opened;
    })]);
    await page.waitForLoadState('domcontentloaded').catch(() => undefined);
    // code-server opens addresses of its own machine through its port proxy.
    const media = new URL(data.url);
    assert.ok([data.url, `${new URL(demo.url).origin}/proxy/${media.port}${media.pathname}`].includes(page.url()), page.url());
    await page.close();
  });

  it('makes an image from the selected text, shows it, and animates it into a clip that starts from it', async () => {
    fs.writeFileSync(path.join(demo.workspace, IMAGE_PROMPTS_FILE), `# Pictures\n\n${IMAGE_PROMPT}\n`);
    await workbench.showViewContainer('Explorer');
    await workbench.openFromExplorer(IMAGE_PROMPTS_FILE);
    await workbench.selectLine(IMAGE_LINE);
    await workbench.runCommand('Pictory: Generate Image');
    await workbench.pick('Generate Image (1/3)', 'Seedream 3.0');
    await workbench.pick('Generate Image (2/3)', '16:9');
    await workbench.pick('Generate Image (3/3)', 'vintage');
    await workbench.notification(`Image ready: "${opening(IMAGE_PROMPT)}`).waitFor({ timeout: 30_000 });
    const imagePost = posts().find((request) => request.path.endsWith('/v1/aistudio/images'));
    assert.deepEqual(imagePost?.body, { prompt: IMAGE_PROMPT, model: 'seedream3.0', aspectRatio: '16:9', style: 'vintage' });

    const preview = await workbench.webviewFrameShowing('#prompt', IMAGE_PROMPT);
    await preview.waitForSelector('#app[data-playback="loaded"]', { timeout: 20_000 });
    assert.equal(await preview.evaluate("String(document.getElementById('image').naturalWidth > 0)"), 'true', 'the image is shown');
    assert.match((await preview.textContent('#facts')) ?? '', /seedream3\.0.*16:9.*vintage/s);
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.settled();
    console.log(`      (screenshot: ${await workbench.screenshot('image-preview')})`);

    const image = [...demo.pictory.imageJobs().values()].find((job) => job.request.prompt === IMAGE_PROMPT);
    assert.ok(image, 'the image job');
    const poll = await fetch(`${demo.pictory.baseUrl}/v1/jobs/${image.id}`, { headers: { authorization: DEMO_KEY } });
    const { data } = (await poll.json()) as CompletedPoll;
    await preview.locator('button[data-action="animate"]').click();
    await workbench.quickTitle('Animate');
    // The image's prompt is offered, to be edited or taken as it is.
    const input = workbench.quickInput().locator('input').first();
    assert.equal(await input.inputValue(), IMAGE_PROMPT);
    await browser.page.keyboard.press('Enter');
    await chooseVideo('PixVerse 5.5', '16:9', '5s');
    await workbench.notification(`Video ready: "${opening(IMAGE_PROMPT)}`).waitFor({ timeout: 30_000 });
    const videoPost = posts().find((request) => request.path.endsWith('/v1/aistudio/videos') && (request.body as { prompt?: string }).prompt === IMAGE_PROMPT);
    assert.deepEqual(videoPost?.body, { prompt: IMAGE_PROMPT, model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s', firstFrameImageUrl: data.url });
    // The clip's preview (the image's has no video element).
    const clip = await workbench.webviewFrame('video#video');
    await clip.locator('#prompt', { hasText: IMAGE_PROMPT }).waitFor({ timeout: 20_000 });
    await clip.waitForSelector('#app[data-playback="loaded"], #app[data-playback="playing"]', { timeout: 20_000 });
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.settled();
    console.log(`      (screenshot: ${await workbench.screenshot('image-animated')})`);
  });
});
