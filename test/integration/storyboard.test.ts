import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { JobStore } from '../../src/jobs/jobStore';
import { observeNotifications, ShownNotification } from '../../src/notify';
import { planFilm } from '../../src/storyboard/film';
import { generateAllScenes, sendScenes } from '../../src/storyboard/generateScenes';
import { sceneStatuses, scenesToSend } from '../../src/storyboard/sceneClips';
import { parseStoryboard } from '../../src/storyboard/storyboard';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { EXTENSION_ID, setSetting, waitFor } from './support';

const KEY = 'pictai_storyboard_key';

function storyboardText(options: { continuity?: string; second?: string; secondSettings?: string } = {}): string {
  return `---
pictory: storyboard
model: pixverse5.5
aspectRatio: "16:9"
duration: 5s
continuity: ${options.continuity ?? 'lastFrame'}
---

## The lantern
A paper lantern floats over a calm lake at night, slow push-in

## It rises
${options.secondSettings ?? '<!-- duration: 8s -->'}
${options.second ?? 'The lantern rises toward the stars as the camera tilts up'}

## Among the stars
The lantern becomes one more star in the sky, wide shot
`;
}

function folder(): string {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return fs.mkdtempSync(path.join(workspace ?? os.tmpdir(), 'storyboard-'));
}

async function openStoryboard(name: string, text: string): Promise<vscode.TextDocument> {
  const file = path.join(folder(), name);
  fs.writeFileSync(file, text);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(document);
  return document;
}

async function lensTitles(document: vscode.TextDocument): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? [];
  return lenses.filter((lens) => lens.command).map((lens) => `${lens.range.start.line}: ${lens.command?.title}`);
}

async function replaceLine(document: vscode.TextDocument, line: number, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, document.lineAt(line).range, text);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

describe('Storyboards', function () {
  this.timeout(90_000);
  let api: TestApi;
  let server: PictoryServer;
  const shown: ShownNotification[] = [];
  let observer: vscode.Disposable;
  const videoPosts = () => server.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/v1/aistudio/videos'));

  before(async () => {
    const extension = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    server = await startPictoryServer({ pollsUntilDone: 1 });
    await setSetting('apiBaseUrl', server.baseUrl);
    await setSetting('pollingIntervalSeconds', 1);
    await setSetting('openPreviewOnCompletion', false);
    await api.app.keys.store(KEY);
    observer = observeNotifications((notification) => shown.push(notification));
  });

  after(async () => {
    observer.dispose();
    for (const key of ['apiBaseUrl', 'pollingIntervalSeconds', 'openPreviewOnCompletion']) await setSetting(key, undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await server.close();
  });

  it('shows what Pictory would refuse in the Problems panel, on the scene, and clears it once fixed', async () => {
    const document = await openStoryboard('problems.md', storyboardText({ secondSettings: '<!-- duration: 7s -->' }));
    const diagnostics = await waitFor('the problem', () => {
      const found = vscode.languages.getDiagnostics(document.uri);
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(
      diagnostics.map((diagnostic) => [diagnostic.range.start.line, diagnostic.message, diagnostic.severity, diagnostic.source]),
      [[12, 'pixverse5.5 does not make 7s videos (it makes 5s, 8s, 10s).', vscode.DiagnosticSeverity.Error, 'Pictory']],
    );
    await replaceLine(document, 12, '<!-- duration: 8s -->');
    await waitFor('the problem to go', () => vscode.languages.getDiagnostics(document.uri).length === 0);
  });

  it('puts the cost of each scene and of the whole film above them', async () => {
    const document = await openStoryboard('lenses.md', storyboardText());
    const titles = await waitFor('the lenses', async () => {
      const found = await lensTitles(document);
      return found.length >= 6 ? found : undefined;
    });
    assert.deepEqual(titles, [
      '8: $(run-all) Generate all 3 scenes · 28.8 credits',
      '8: $(play) Play film',
      '8: $(file-media) Render film',
      '9: $(play) Generate scene · 8 credits',
      '12: $(play) Generate scene · 12.8 credits',
      '16: $(play) Generate scene · 8 credits',
    ]);
  });

  it('redraws the lenses when what they say changes, not whenever a job changes', async () => {
    const steady = await openStoryboard('steady.md', storyboardText({ continuity: 'none' }));
    const other = await openStoryboard('other.md', storyboardText({ continuity: 'none' }));
    await vscode.window.showTextDocument(steady);
    await waitFor('the lenses', async () => (await lensTitles(steady)).length >= 6);
    let redraws = 0;
    const counting = api.app.storyboards.onDidChangeLenses(() => redraws++);
    try {
      // Another storyboard's scene is sent, polled and completed: many job changes, none of them this file's.
      const otherState = await api.app.storyboards.stateOf(other.uri.toString());
      assert.ok(otherState);
      await sendScenes(api.app.storyboardRuntime, otherState, KEY, scenesToSend(otherState).slice(0, 1));
      await waitFor('the other scene', async () => (await api.app.storyboards.stateOf(other.uri.toString()))?.statuses[0].kind === 'ready');
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(redraws, 0, 'nothing this file shows changed');

      const steadyState = await api.app.storyboards.stateOf(steady.uri.toString());
      assert.ok(steadyState);
      await sendScenes(api.app.storyboardRuntime, steadyState, KEY, scenesToSend(steadyState).slice(0, 1));
      await waitFor('the lenses to be redrawn', () => redraws > 0);
    } finally {
      counting.dispose();
    }
  });

  describe('generated with continuity: lastFrame', () => {
    let document: vscode.TextDocument;

    before(async () => {
      document = await openStoryboard('lantern.md', storyboardText());
    });

    it('sends the scenes in order, each from the last frame of the one before', async () => {
      const state = await api.app.storyboards.stateOf(document.uri.toString());
      assert.ok(state);
      const scenes = scenesToSend(state);
      assert.deepEqual(scenes.map((scene) => scene.index), [0, 1, 2]);
      const before = videoPosts().length;
      await sendScenes(api.app.storyboardRuntime, state, KEY, scenes);
      const posts = videoPosts().slice(before);
      assert.equal(posts.length, 3);
      const jobs = [...server.jobs().values()].slice(-3);
      assert.deepEqual(
        posts.map((post) => post.body),
        [
          { prompt: 'A paper lantern floats over a calm lake at night, slow push-in', model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s' },
          {
            prompt: 'The lantern rises toward the stars as the camera tilts up',
            model: 'pixverse5.5',
            aspectRatio: '16:9',
            duration: '8s',
            firstFrameImageUrl: `${server.origin}/media/${jobs[0].id}_last_frame.jpg`,
          },
          {
            prompt: 'The lantern becomes one more star in the sky, wide shot',
            model: 'pixverse5.5',
            aspectRatio: '16:9',
            duration: '5s',
            firstFrameImageUrl: `${server.origin}/media/${jobs[1].id}_last_frame.jpg`,
          },
        ],
      );
      // Each scene was sent only once the one before had finished.
      for (const [index, job] of jobs.slice(0, 2).entries()) {
        const finished = server.requests.filter((request) => request.path.endsWith(`/v1/jobs/${job.id}`)).pop();
        assert.ok(finished && finished.at <= posts[index + 1].at, `scene ${index + 2} waited for scene ${index + 1}`);
      }
      const titles = await waitFor('the finished lenses', async () => {
        const found = await lensTitles(document);
        return found.filter((title) => title.includes('✓')).length === 3 ? found : undefined;
      });
      assert.ok(titles.includes('12: ✓ 8 s · 12.8 credits'), titles.join('\n'));
    });

    it('shows a scene\'s clip when its text is hovered: thumbnail, state, settings, cost and job', async () => {
      const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(13, 4))) ?? [];
      const text = hovers
        .flatMap((hover) => hover.contents)
        .map((content) => (typeof content === 'string' ? content : content.value))
        .join('\n')
        .replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1')
        .replace(/&nbsp;/g, ' ');
      const job = [...server.jobs().values()].slice(-3)[1];
      assert.match(text, /\*\*It rises\*\*/);
      assert.ok(text.includes('![Thumbnail]('), text);
      assert.ok(text.includes(job.id) || text.includes(encodeURIComponent(job.id)), 'the thumbnail and the job are this scene\'s');
      assert.match(text, /ready · pixverse5\.5 · 16:9 · 8s · 12\.8 credits/);
      assert.ok(text.includes(`Job ${job.id}`), text);
    });

    it('marks a scene outdated when its text changes, keeping its clip, and keeps the clips on disk', async () => {
      await replaceLine(document, 13, 'The lantern rises and bursts into sparks of golden light');
      const titles = await waitFor('the outdated lens', async () => {
        const found = await lensTitles(document);
        return found.some((title) => title.includes('outdated')) ? found : undefined;
      });
      assert.ok(titles.includes('12: $(history) outdated: the text changed · Regenerate · 12.8 credits'), titles.join('\n'));
      assert.ok(titles.includes('16: ✓ 5 s · 8 credits'), 'the scene after keeps its clip until the one before is made again');
      // What a reloaded window reads: the records on disk, matched to the file's scenes.
      const records = await new JobStore(api.app.jobsFolder).list();
      const statuses = sceneStatuses(parseStoryboard(document.getText()), records, document.uri.toString());
      assert.deepEqual(statuses.map((status) => status.kind), ['ready', 'outdated', 'ready']);
    });

    it('renders the film from the current clips, in order, and keeps it with the clips', async () => {
      await replaceLine(document, 13, 'The lantern rises toward the stars as the camera tilts up');
      const state = await waitFor('the scenes to be current again', async () => {
        const found = await api.app.storyboards.stateOf(document.uri.toString());
        return found?.statuses.every((status) => status.kind === 'ready') ? found : undefined;
      });
      const plan = planFilm(state.board, state.statuses, 'lantern');
      assert.equal(plan.kind, 'film');
      if (plan.kind !== 'film') return;
      const client = api.app.createClient(server.baseUrl, KEY);
      const accepted = await api.app.jobs.submit(client, server.baseUrl, { kind: 'film', request: plan.request, origin: { storyboard: state.uri } });
      const render = server.requests.find((request) => request.path.endsWith('/v2/video/storyboard/render'));
      const clips = state.statuses.map((status) => (status.kind === 'ready' ? status.record.video?.url : undefined));
      assert.deepEqual(
        (render?.body as { scenes: { background: { visualUrl: string } }[] }).scenes.map((scene) => scene.background.visualUrl),
        clips,
      );
      const film = await waitFor('the film', async () => {
        const found = await api.app.jobs.get(accepted.id);
        return found?.state === 'completed' ? found : undefined;
      });
      assert.equal(film.kind, 'film');
      assert.equal(film.video?.url, `${server.origin}/media/${accepted.id}_film.mp4`);
      assert.equal(film.video?.duration, '18s');
    });
  });

  it('runs one Generate all at a time for a storyboard, so that no scene is sent twice', async () => {
    const document = await openStoryboard('twice.md', storyboardText());
    const before = server.requests.length;
    const runtime = api.app.storyboardRuntime;
    await generateAllScenes({ ...runtime, runs: new Set([document.uri.toString()]) }, document.uri.toString());
    const message = await waitFor('the message', () => shown.find((notification) => notification.message.includes('already at work')));
    assert.equal(message.message, 'Generate all is already at work on twice.md: each scene is sent once, in turn.');
    assert.equal(server.requests.length, before, 'nothing asked, nothing sent');
  });

  it('stops a lastFrame chain at a failed scene, saying so, and sends nothing after it', async () => {
    const document = await openStoryboard('failing.md', storyboardText({ second: 'The lantern rises toward the stars #fail' }));
    const state = await api.app.storyboards.stateOf(document.uri.toString());
    assert.ok(state);
    const before = videoPosts().length;
    await sendScenes(api.app.storyboardRuntime, state, KEY, scenesToSend(state));
    assert.equal(videoPosts().length - before, 2, 'the third scene is not sent');
    const message = await waitFor('the message', () => shown.find((notification) => notification.message.includes('stopped there')));
    assert.match(message.message, /Scene 2 \("It rises"\) did not finish \(The video could not be generated from this prompt\.\), so the storyboard stopped there\. Scene 3 was not sent\./);
    assert.deepEqual(message.actions, ['Retry']);
  });

  it('sends the scenes of a storyboard without continuity a few at a time, each on its own', async () => {
    await setSetting('storyboard.maxConcurrentScenes', 2);
    const document = await openStoryboard('together.md', storyboardText({ continuity: 'none' }));
    const state = await api.app.storyboards.stateOf(document.uri.toString());
    assert.ok(state);
    const before = videoPosts().length;
    await sendScenes(api.app.storyboardRuntime, state, KEY, scenesToSend(state));
    const posts = videoPosts().slice(before);
    assert.equal(posts.length, 3);
    assert.ok(posts.every((post) => (post.body as { firstFrameImageUrl?: string }).firstFrameImageUrl === undefined));
    const jobs = [...server.jobs().values()].slice(-3);
    const lastPoll = (id: string) => server.requests.filter((request) => request.path.endsWith(`/v1/jobs/${id}`)).pop()?.at ?? Infinity;
    assert.ok(posts[1].at <= lastPoll(jobs[0].id), 'the first two are on their way together');
    assert.ok(posts[2].at >= Math.min(lastPoll(jobs[0].id), lastPoll(jobs[1].id)), 'the third waits for a free place');
    await setSetting('storyboard.maxConcurrentScenes', undefined);
  });
});
