import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { JobRecord, JobState, VideoJobRecord } from '../../src/jobs/jobRecord';
import { JobStore } from '../../src/jobs/jobStore';
import type { StudioNode } from '../../src/studio/clipsTree';
import * as path from 'node:path';
import { locateFixturesDir } from '../server/media';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { EXTENSION_ID, pause, selectInNewDocument, setSetting, waitFor } from './support';

const ENDPOINT = 'http://127.0.0.1:9/pictoryapis';

function record(id: string, state: JobState, submittedAt: number, extra: Partial<VideoJobRecord> = {}): JobRecord {
  return {
    id,
    endpoint: ENDPOINT,
    request: { prompt: `A studio clip that is ${state}`, model: 'pixverse5.5', aspectRatio: '16:9', duration: '8s' },
    submittedAt,
    deadline: submittedAt + 60_000,
    state,
    updatedAt: submittedAt,
    ...extra,
  };
}

async function rows(provider: vscode.TreeDataProvider<StudioNode>, parent?: StudioNode): Promise<StudioNode[]> {
  return (await provider.getChildren(parent)) ?? [];
}

describe('The Pictory studio views', function () {
  this.timeout(30_000);
  let api: TestApi;
  let store: JobStore;
  const ids: string[] = [];

  before(async () => {
    const extension = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    store = new JobStore(api.app.jobsFolder);
  });

  after(async () => {
    for (const id of ids) await api.app.jobs.forget(id);
  });

  it('lists this machine\'s clips newest first by day, each with the menu its state allows and its cost', async () => {
    const now = Date.now();
    const yesterday = now - 86_400_000;
    const video = { url: 'https://cdn.example/v.mp4', duration: '8s', aiCreditsUsed: 12.8 };
    const records = [
      record('studio-completed', 'completed', now - 1000, { video }),
      record('studio-failed', 'failed', now - 2000, { error: { code: 'TEXT_TO_VIDEO_FAILED', message: 'no' } }),
      record('studio-timed-out', 'timedOut', now - 3000),
      record('studio-unconfirmed', 'unconfirmed', now - 4000),
      record('studio-yesterday', 'completed', yesterday, { video }),
    ];
    for (const job of records) {
      ids.push(job.id);
      await store.save(job);
    }
    await vscode.commands.executeCommand('pictory.refreshClips');
    const studio = api.app.studio;
    assert.ok(studio, 'the studio views are registered at activation');
    const provider = studio.clipsProvider;
    const days = (await rows(provider)).filter((node) => node.kind === 'day');
    const labels = days.map((day) => (day.kind === 'day' ? day.label : ''));
    assert.deepEqual(labels.slice(0, 2), ['Today', 'Yesterday']);
    const today = await rows(provider, days[0]);
    const ours = today.filter((node) => node.kind === 'job' && node.record.id.startsWith('studio-'));
    const items = await Promise.all(ours.map((node) => provider.getTreeItem(node)));
    assert.deepEqual(
      items.map((item) => [item.label, item.contextValue]),
      [
        ['A studio clip that is completed', 'pictory.job.completed'],
        ['A studio clip that is failed', 'pictory.job.failed'],
        ['A studio clip that is timedOut', 'pictory.job.resumable'],
        ['A studio clip that is unconfirmed', 'pictory.job.resumable'],
      ],
    );
    assert.match(String(items[0].description), /^pixverse5\.5 · 8s · 12\.8 credits · just now$/);
    assert.match(String(items[1].description), /failed/);
    assert.equal(items[0].command?.command, 'pictory.openPreview', 'a click opens the preview of a finished clip');
    assert.match(studio.creditsText ?? '', /credits this month/);
  });

  it('removes several selected clips at once, never a running one', async () => {
    const now = Date.now();
    const running = record('studio-running', 'running', now);
    ids.push(running.id);
    await store.save(running);
    const nodes: StudioNode[] = ['studio-failed', 'studio-timed-out', 'studio-running'].map((id) => ({ kind: 'job', record: { ...record(id, id === 'studio-running' ? 'running' : 'failed', now) } }));
    await vscode.commands.executeCommand('pictory.removeJobs', nodes[0], nodes);
    assert.equal(await api.app.jobs.get('studio-failed'), undefined);
    assert.equal(await api.app.jobs.get('studio-timed-out'), undefined);
    assert.ok(await api.app.jobs.get('studio-running'), 'a running job is kept');
    assert.ok(fs.existsSync(api.app.jobsFolder));
  });

  describe('with the account\'s credits', () => {
    let server: PictoryServer;
    const quotaReads = () => server.requests.filter((request) => request.path.endsWith('/v1/quota')).length;
    const posts = () => server.requests.filter((request) => request.method === 'POST' && request.path.includes('/v1/aistudio/'));

    before(async () => {
      server = await startPictoryServer({ pollsUntilDone: 2 });
      await setSetting('apiBaseUrl', server.baseUrl);
      await setSetting('pollingIntervalSeconds', 1);
      await setSetting('defaultModel', 'pixverse5.5');
      await setSetting('defaultAspectRatio', '16:9');
      await setSetting('defaultDuration', '8s');
      await setSetting('confirmBeforeGenerating', false);
      await api.app.keys.store('pictai_studio_key');
    });

    after(async () => {
      for (const key of ['apiBaseUrl', 'pollingIntervalSeconds', 'defaultModel', 'defaultAspectRatio', 'defaultDuration', 'confirmBeforeGenerating']) await setSetting(key, undefined);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await server.close();
    });

    it('shows the credits used when the studio opens, and reads them again only after a job completes', async () => {
      await vscode.commands.executeCommand('workbench.view.extension.pictory');
      await waitFor('the credits in the view', () => /690 \/ 22,000 credits used/.test(api.app.studio?.creditsText ?? ''));
      assert.equal(quotaReads(), 1);
      const prompt = 'A studio clip that spends credits';
      await selectInNewDocument(prompt);
      await vscode.commands.executeCommand('pictory.generateVideo');
      await waitFor('the new total', () => /702\.8 \/ 22,000 credits used/.test(api.app.studio?.creditsText ?? ''));
      assert.equal(quotaReads(), 2, 'read when the view opened and after the job completed, not polled');
      const record = (await api.app.jobs.list()).find((job) => job.request.prompt === prompt);
      if (record) ids.push(record.id);
    });

    it('keeps a copy of a finished clip: its thumbnail in the tree, its preview played from it', async () => {
      const record = await waitFor('the clip', async () => (await api.app.jobs.list()).find((job) => job.request.prompt === 'A studio clip that spends credits' && job.state === 'completed'));
      const copy = await waitFor('its local copy', async () => {
        const found = await api.app.copies.find(record.id);
        return found?.video && found.thumbnail && found.lastFrame ? found : undefined;
      });
      assert.ok(copy.video?.startsWith(api.app.copiesFolder), copy.video);
      await vscode.commands.executeCommand('pictory.refreshClips');
      const provider = api.app.studio?.clipsProvider;
      assert.ok(provider);
      const today = (await rows(provider)).find((node) => node.kind === 'day' && node.label === 'Today');
      const node = (await rows(provider, today)).find((row) => row.kind === 'job' && row.record.id === record.id);
      assert.ok(node);
      const item = await provider.getTreeItem(node);
      assert.ok(item.iconPath instanceof vscode.Uri && item.iconPath.fsPath === copy.thumbnail, `the row shows the thumbnail: ${String(item.iconPath)}`);
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : '';
      assert.ok(tooltip.includes(vscode.Uri.file(copy.thumbnail ?? '').toString()), tooltip);

      // The preview that opened when the clip was ready played it from Pictory, before the copy existed.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await waitFor('the preview to close', () => !api.app.previews.isOpen(record.id));
      const mediaBefore = server.mediaRequests.length;
      await vscode.commands.executeCommand('pictory.openPreview', node);
      const report = await waitFor('the preview to load the local copy', () =>
        api.app.previews.reports().find((r) => r.jobId === record.id && (r.playback === 'loaded' || r.playback === 'playing')),
      );
      assert.equal(report.source, 'local');
      assert.equal(server.mediaRequests.length, mediaBefore, 'nothing is fetched from Pictory to play it');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('keeps the copies within the size limit, removing the oldest first, never one open in a preview', async () => {
      const copies = api.app.copies;
      const clip = (id: string, submittedAt: number): JobRecord =>
        record(id, 'completed', submittedAt, {
          endpoint: server.baseUrl,
          video: { url: `${server.origin}/media/no-audio.mp4`, thumbnailImageUrl: `${server.origin}/media/thumbnail.jpg`, duration: '8s', aiCreditsUsed: 12.8 },
        });
      const oldest = clip('copy-oldest', Date.now() - 3000);
      const older = clip('copy-older', Date.now() - 2000);
      for (const [index, job] of [oldest, older].entries()) {
        ids.push(job.id);
        await store.save(job);
        await copies.keep(job);
        const when = new Date(Date.now() - (3 - index) * 3600_000);
        for (const file of [copies.known(job.id)?.video, copies.known(job.id)?.thumbnail]) if (file) fs.utimesSync(file, when, when);
      }
      await vscode.commands.executeCommand('pictory.openPreview', { kind: 'job', record: oldest });
      await waitFor('the preview of the oldest clip', () => api.app.previews.isOpen(oldest.id));
      // Room for about one more clip than the two just kept: the next one pushes one out.
      const clipBytes = [copies.known(older.id)?.video, copies.known(older.id)?.thumbnail].reduce((sum, file) => sum + (file ? fs.statSync(file).size : 0), 0);
      const others = fs.readdirSync(copies.folder).filter((name) => !name.startsWith('copy-'));
      const otherBytes = others.flatMap((name) => fs.readdirSync(`${copies.folder}/${name}`).map((file) => fs.statSync(`${copies.folder}/${name}/${file}`).size));
      await setSetting('localCopies.maxSizeGB', (otherBytes.reduce((a, b) => a + b, 0) + clipBytes * 2.5) / 1e9);
      const newest = clip('copy-newest', Date.now());
      ids.push(newest.id);
      await store.save(newest);
      await copies.keep(newest);
      assert.ok(copies.known(oldest.id)?.video, 'the oldest copy is open in a preview: kept');
      assert.equal(copies.known(older.id), undefined, 'the next oldest is removed');
      assert.ok(!fs.existsSync(`${copies.folder}/copy-older`));
      assert.ok(copies.known(newest.id)?.video);
      await setSetting('localCopies.maxSizeGB', undefined);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('regenerates a clip with the same request after showing it, and sends nothing when dismissed', async () => {
      const original = (await api.app.jobs.list()).find((job) => job.request.prompt === 'A studio clip that spends credits' && job.state === 'completed');
      assert.ok(original);
      const node: StudioNode = { kind: 'job', record: original };
      const before = posts().length;
      const dismissed = vscode.commands.executeCommand('pictory.regenerate', node);
      await pause(800);
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await dismissed;
      assert.equal(posts().length, before, 'nothing is sent when the confirmation is dismissed');
      const accepted = vscode.commands.executeCommand('pictory.regenerate', node);
      await pause(800);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await accepted;
      assert.equal(posts().length, before + 1);
      assert.deepEqual(posts()[before].body, { prompt: original.request.prompt, model: 'pixverse5.5', aspectRatio: '16:9', duration: '8s' });
      const again = await waitFor('the new job', async () => (await api.app.jobs.list()).find((job) => job.request.prompt === original.request.prompt && job.id !== original.id));
      ids.push(again.id);
    });

    it('edits the prompt of a clip in an input box that starts with it, then generates', async () => {
      const original = (await api.app.jobs.list()).find((job) => job.request.prompt === 'A studio clip that spends credits' && job.state === 'completed');
      assert.ok(original);
      const before = posts().length;
      const editing = vscode.commands.executeCommand('pictory.editPromptAndGenerate', { kind: 'job', record: original });
      await pause(800);
      // Accepted as it was prefilled: the settings answer every pick and no confirmation is asked.
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await editing;
      assert.equal(posts().length, before + 1);
      assert.equal((posts()[before].body as { prompt: string }).prompt, original.request.prompt);
      await waitFor('the job', async () => (await api.app.jobs.list()).filter((job) => job.request.prompt === original.request.prompt).length >= 3);
      for (const job of await api.app.jobs.list()) if (job.request.prompt === original.request.prompt && !ids.includes(job.id)) ids.push(job.id);
    });

    it("copies a clip's Pictory address", async () => {
      const original = (await api.app.jobs.list()).find((job) => job.request.prompt === 'A studio clip that spends credits' && job.state === 'completed');
      assert.ok(original?.video);
      await vscode.env.clipboard.writeText('before');
      await vscode.commands.executeCommand('pictory.copyVideoUrl', { kind: 'job', record: original });
      assert.equal(await vscode.env.clipboard.readText(), original.video.url);
    });

    it('generates an image through its picks, shows it, and animates it into a video that starts from it', async () => {
      const prompt = 'A lighthouse on a cliff at dawn, in watercolour';
      await selectInNewDocument(prompt);
      const before = posts().length;
      const generating = vscode.commands.executeCommand('pictory.generateImage');
      // The first of each pick: Seedream 3.0, 1:1, no style.
      for (let step = 0; step < 3; step++) {
        await pause(700);
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      await generating;
      assert.equal(posts().length, before + 1);
      assert.equal(posts()[before].path, '/pictoryapis/v1/aistudio/images');
      assert.deepEqual(posts()[before].body, { prompt, model: 'seedream3.0', aspectRatio: '1:1' });
      const image = await waitFor('the image', async () => (await api.app.jobs.list()).find((job) => job.request.prompt === prompt && job.state === 'completed'));
      ids.push(image.id);
      assert.equal(image.kind, 'image');
      assert.equal(image.video?.aiCreditsUsed, 2);
      await waitFor('the image in its preview', () => api.app.previews.reports().find((r) => r.jobId === image.id && r.playback === 'loaded'));
      assert.ok(api.app.previews.openPanelTitles().some((title) => title.startsWith('Image: A lighthouse')), api.app.previews.openPanelTitles().join(', '));

      await vscode.commands.executeCommand('pictory.refreshClips');
      const provider = api.app.studio?.clipsProvider;
      assert.ok(provider);
      const today = (await rows(provider)).find((node) => node.kind === 'day' && node.label === 'Today');
      const node = (await rows(provider, today)).find((row) => row.kind === 'job' && row.record.id === image.id);
      assert.ok(node);
      const item = await provider.getTreeItem(node);
      assert.equal(item.contextValue, 'pictory.image.completed', 'an image has the menu of an image');
      assert.match(String(item.description), /^seedream3\.0 · 2 credits · just now$/);

      // Animate: the image's prompt is offered to edit; the settings answer the video picks.
      const animating = vscode.commands.executeCommand('pictory.animateImage', node);
      await pause(800);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await animating;
      assert.equal(posts().length, before + 2);
      assert.deepEqual(posts()[before + 1].body, { prompt, model: 'pixverse5.5', aspectRatio: '16:9', duration: '8s', firstFrameImageUrl: image.video?.url });
      const clip = await waitFor('the animated clip', async () => (await api.app.jobs.list()).find((job) => job.request.prompt === prompt && job.kind !== 'image'));
      ids.push(clip.id);

      // Use as Reference: the prompt offered again, then only models that take a reference.
      const referencing = vscode.commands.executeCommand('pictory.useImageAsReference', node);
      for (let step = 0; step < 4; step++) {
        await pause(700);
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      await referencing;
      assert.equal(posts().length, before + 3);
      assert.deepEqual(posts()[before + 2].body, { prompt, model: 'seedream3.0', aspectRatio: '1:1', referenceImageUrl: image.video?.url });
      const edited = await waitFor('the new image', async () => (await api.app.jobs.list()).find((job) => job.kind === 'image' && job.request.prompt === prompt && job.id !== image.id));
      ids.push(edited.id);
    });

    it('animates a picture of this computer: uploaded without the key, and the video starts from its address', async () => {
      const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(workspace);
      const picture = path.join(workspace, 'sketch.png');
      fs.copyFileSync(path.join(locateFixturesDir(), 'image.png'), picture);
      const prompt = 'The sketch comes to life as the camera slowly pulls back';
      try {
        await selectInNewDocument(prompt);
        const before = posts().length;
        const uploadsBefore = server.storage.requests.length;
        await vscode.commands.executeCommand('pictory.generateVideoFromImage', vscode.Uri.file(picture));
        const linkRequest = server.requests.find((request) => request.path.endsWith('/v1/media/generateurl'));
        assert.deepEqual(linkRequest?.body, { fileName: 'sketch.png', contentType: 'image/png' });
        const uploads = server.storage.requests.slice(uploadsBefore);
        assert.equal(uploads.length, 1);
        assert.equal(uploads[0].method, 'PUT');
        assert.equal(uploads[0].contentType, 'image/png');
        assert.equal(uploads[0].authorization, undefined, 'the key never reaches the storage host');
        assert.equal(uploads[0].size, fs.statSync(picture).size);
        assert.equal(posts().length, before + 1);
        const body = posts()[before].body as { prompt: string; firstFrameImageUrl?: string };
        assert.equal(body.prompt, prompt);
        assert.ok(body.firstFrameImageUrl?.startsWith(server.storage.origin), body.firstFrameImageUrl);
        const stored = await fetch(body.firstFrameImageUrl ?? "");
        assert.ok(Buffer.from(await stored.arrayBuffer()).equals(fs.readFileSync(picture)), 'the address serves the uploaded picture');
        const job = await waitFor('the clip', async () => (await api.app.jobs.list()).find((record) => record.request.prompt === prompt));
        ids.push(job.id);

        // A file that is not a PNG, JPEG or WebP picture is refused before anything is sent.
        const notes = path.join(workspace, 'notes.gif');
        fs.writeFileSync(notes, 'GIF89a');
        const shown = api.notifications.length;
        const requestsBefore = server.requests.length;
        await vscode.commands.executeCommand('pictory.generateVideoFromImage', vscode.Uri.file(notes));
        assert.equal(server.requests.length, requestsBefore, 'nothing was asked of Pictory');
        assert.match(api.notifications.slice(shown).map((n) => n.message).join('\n'), /Only PNG, JPEG and WebP images can be uploaded/);
        fs.rmSync(notes);
      } finally {
        fs.rmSync(picture, { force: true });
      }
    });

    it('guides a video with the pictures selected in the Explorer, at most three', async () => {
      const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(workspace);
      const pictures = ['one.png', 'two.png', 'three.png', 'four.png'].map((name) => path.join(workspace, name));
      for (const picture of pictures) fs.copyFileSync(path.join(locateFixturesDir(), 'image.png'), picture);
      const uris = pictures.map((picture) => vscode.Uri.file(picture));
      const prompt = 'A quiet harbour in the style of these pictures, slow pan';
      try {
        await selectInNewDocument(prompt);
        const shown = api.notifications.length;
        const requestsBefore = server.requests.length;
        await vscode.commands.executeCommand('pictory.generateVideoWithReferences', uris[0], uris);
        assert.equal(server.requests.length, requestsBefore, 'four pictures: nothing is uploaded or sent');
        assert.match(api.notifications.slice(shown).map((n) => n.message).join('\n'), /at most 3 reference images; 4 were selected/);

        const before = posts().length;
        const uploadsBefore = server.storage.requests.length;
        await vscode.commands.executeCommand('pictory.generateVideoWithReferences', uris[0], uris.slice(0, 2));
        assert.equal(server.storage.requests.length, uploadsBefore + 2);
        assert.equal(posts().length, before + 1);
        const body = posts()[before].body as { referenceImageUrls?: string[] };
        assert.equal(body.referenceImageUrls?.length, 2);
        assert.ok(body.referenceImageUrls?.every((url) => url.startsWith(server.storage.origin)), JSON.stringify(body));
        const job = await waitFor('the clip', async () => (await api.app.jobs.list()).find((record) => record.request.prompt === prompt));
        ids.push(job.id);
      } finally {
        for (const picture of pictures) fs.rmSync(picture, { force: true });
      }
    });

    it('says when the credits left do not cover the estimate, and sends only on Enter', async () => {
      server.addFault({ method: 'GET', path: /\/v1\/quota/, times: Infinity, fault: { kind: 'status', status: 200, body: JSON.stringify({ aiCredits: { used: 21995, limit: 22000 } }) } });
      await api.app.credits.refresh();
      assert.match(api.app.studio?.creditsText ?? '', /21,995 \/ 22,000/);
      const prompt = 'A clip that costs more than is left';
      const before = posts().length;
      await selectInNewDocument(prompt);
      const first = vscode.commands.executeCommand('pictory.generateVideo');
      await pause(800);
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await first;
      assert.equal(posts().length, before, 'nothing is sent when the warning is dismissed');
      const second = vscode.commands.executeCommand('pictory.generateVideo');
      await pause(800);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await second;
      assert.equal(posts().length, before + 1);
      server.clearFaults();
      const record = await waitFor('the job', async () => (await api.app.jobs.list()).find((job) => job.request.prompt === prompt));
      ids.push(record.id);
    });

    it("lists the account's videos from Pictory a page at a time, and says why when it cannot", async () => {
      const library = api.app.studio?.library;
      assert.ok(library);
      server.addFinishedVideos(
        Array.from({ length: 250 }, (_, index) => ({ prompt: `Library video number ${index + 1}`, model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s' })),
      );
      const listReads = () => server.requests.filter((request) => request.method === 'GET' && request.path.startsWith('/pictoryapis/v1/aistudio/videos'));
      const before = listReads().length;
      library.refresh();
      let nodes = await library.getChildren();
      assert.equal(nodes.filter((node) => node.kind === 'job').length, 100);
      assert.equal(nodes[nodes.length - 1].kind, 'more');
      assert.equal(nodes[0].kind, 'images', 'the account\'s images, in a folder at the top');
      const first = library.getTreeItem(nodes[1]);
      assert.equal(first.label, 'Library video number 250', 'newest first');
      assert.equal(first.contextValue, 'pictory.library.video');
      await vscode.commands.executeCommand('pictory.loadMoreLibrary');
      nodes = await library.getChildren();
      assert.equal(nodes.filter((node) => node.kind === 'job').length, 200);
      await vscode.commands.executeCommand('pictory.loadMoreLibrary');
      nodes = await library.getChildren();
      assert.ok(nodes.filter((node) => node.kind === 'job').length >= 250);
      assert.ok(!nodes.some((node) => node.kind === 'more'), 'no more pages');
      const reads = listReads().slice(before);
      assert.equal(reads.length, 3, 'one request a page, loaded on demand');
      assert.ok(reads[1].path.includes('nextPageKey=') && reads[2].path.includes('nextPageKey='));

      // The images are read only when their folder is opened, a page at a time too.
      const imageReads = () => server.requests.filter((request) => request.method === 'GET' && request.path.startsWith('/pictoryapis/v1/aistudio/images')).length;
      const imageReadsBefore = imageReads();
      server.addFinishedImages(
        Array.from({ length: 120 }, (_, index) => ({ prompt: `Library image number ${index + 1}`, model: 'seedream3.0', aspectRatio: '1:1', ...(index === 119 ? { style: 'vintage' } : {}) })),
      );
      let images = await library.getChildren(nodes[0]);
      assert.equal(imageReads(), imageReadsBefore + 1);
      const imageRows = images.filter((node) => node.kind === 'job');
      assert.ok(imageRows.length >= 100, `${imageRows.length} images on the first page`);
      assert.equal(images[images.length - 1].kind, 'more');
      const newestImage = library.getTreeItem(imageRows[0]);
      assert.equal(newestImage.label, 'Library image number 120');
      assert.equal(newestImage.contextValue, 'pictory.library.image');
      assert.match(String(newestImage.description), /^seedream3\.0 · 2 credits/);
      await vscode.commands.executeCommand('pictory.loadMoreLibrary', images[images.length - 1]);
      images = await library.getChildren(nodes[0]);
      assert.ok(images.filter((node) => node.kind === 'job').length >= 120);
      assert.ok(!images.some((node) => node.kind === 'more'));

      server.addFault({ method: 'GET', path: /\/v1\/aistudio\/videos/, times: 3, fault: { kind: 'html', status: 502 } });
      library.refresh();
      nodes = await library.getChildren();
      const problem = nodes[nodes.length - 1];
      assert.ok(problem.kind === 'problem' && /Could not load your Pictory videos: .*not JSON/.test(problem.message), JSON.stringify(problem));
    });
  });
});
