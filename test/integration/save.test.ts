import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { JobRecord } from '../../src/jobs/jobRecord';
import { JobStore } from '../../src/jobs/jobStore';
import type { StudioNode } from '../../src/studio/clipsTree';
import { SAVE_FOLDER_KEY } from '../../src/studio/saveToWorkspace';
import { locateFixturesDir } from '../server/media';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { EXTENSION_ID, waitFor } from './support';

const KEY = 'pictai_save_to_workspace_key';

describe('Save to Workspace', function () {
  this.timeout(30_000);
  let api: TestApi;
  let server: PictoryServer;
  let store: JobStore;
  let folder: string;
  let rememberedBefore: unknown;
  let keyBefore: string | undefined;
  const fixture = fs.readFileSync(path.join(locateFixturesDir(), 'with-audio.mp4'));
  const submittedAt = Date.parse('2026-03-10T12:00:00.000Z');
  const records: JobRecord[] = [];
  const nodes = (): StudioNode[] => records.map((record) => ({ kind: 'job', record }));
  const state = () => api.app.context.workspaceState;
  const files = () => fs.readdirSync(folder).sort();
  const readJson = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8'));

  function completed(id: string, prompt: string, aiCreditsUsed: number): JobRecord {
    return {
      id,
      endpoint: server.baseUrl,
      request: { prompt, model: 'pixverse5.5', aspectRatio: '16:9', duration: '8s' },
      submittedAt,
      deadline: submittedAt + 60_000,
      state: 'completed',
      updatedAt: submittedAt + 30_000,
      video: { url: `${server.origin}/media/with-audio.mp4`, duration: '8s', aiCreditsUsed },
    };
  }

  before(async () => {
    const extension = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace, 'the tests run with a folder open');
    folder = fs.mkdtempSync(path.join(workspace, 'saved-clips-'));
    server = await startPictoryServer();
    store = new JobStore(api.app.jobsFolder);
    records.push(completed('save-kite', 'A red kite over the dunes', 12.8), completed('save-waves', 'Waves: "at dawn" / slow?', 16));
    for (const record of records) await store.save(record);
    // A key is stored, so that one could leak into the media requests if anything sent it.
    keyBefore = await api.app.keys.get();
    await api.app.keys.store(KEY);
    rememberedBefore = state().get(SAVE_FOLDER_KEY);
    // The folder picker cannot be clicked here: the folder is the one this workspace remembers.
    await state().update(SAVE_FOLDER_KEY, folder);
  });

  after(async () => {
    await state().update(SAVE_FOLDER_KEY, rememberedBefore);
    if (keyBefore) await api.app.keys.store(keyBefore);
    else await api.app.keys.clear();
    for (const record of records) await api.app.jobs.forget(record.id);
    await server.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('saves several selected clips, each with its details, into the remembered folder', async () => {
    const shown = api.notifications.length;
    await vscode.commands.executeCommand('pictory.saveToWorkspace', nodes()[0], nodes());
    assert.deepEqual(files(), ['A red kite over the dunes.json', 'A red kite over the dunes.mp4', 'Waves at dawn slow.json', 'Waves at dawn slow.mp4']);
    for (const video of ['A red kite over the dunes.mp4', 'Waves at dawn slow.mp4']) {
      assert.ok(fs.readFileSync(path.join(folder, video)).equals(fixture), `${video} has the served bytes`);
    }
    assert.deepEqual(readJson('A red kite over the dunes.json'), {
      prompt: 'A red kite over the dunes',
      model: 'pixverse5.5',
      aspectRatio: '16:9',
      duration: '8s',
      credits: 12.8,
      jobId: 'save-kite',
      date: '2026-03-10T12:00:00.000Z',
      url: `${server.origin}/media/with-audio.mp4`,
    });
    assert.deepEqual(readJson('Waves at dawn slow.json'), {
      prompt: 'Waves: "at dawn" / slow?',
      model: 'pixverse5.5',
      aspectRatio: '16:9',
      duration: '8s',
      credits: 16,
      jobId: 'save-waves',
      date: '2026-03-10T12:00:00.000Z',
      url: `${server.origin}/media/with-audio.mp4`,
    });
    const saved = await waitFor('the notification', () => api.notifications.slice(shown).find((n) => n.message.startsWith('Saved 2 clips')));
    assert.equal(saved.severity, 'info');
    assert.ok(!api.notifications.slice(shown).some((n) => n.message.includes('could not be saved')));
  });

  it('saves the same clip again under a new name, leaving the first copy as it was', async () => {
    const sidecarBefore = fs.readFileSync(path.join(folder, 'A red kite over the dunes.json'), 'utf8');
    await vscode.commands.executeCommand('pictory.saveToWorkspace', nodes()[0], [nodes()[0]]);
    assert.deepEqual(files(), [
      'A red kite over the dunes (2).json',
      'A red kite over the dunes (2).mp4',
      'A red kite over the dunes.json',
      'A red kite over the dunes.mp4',
      'Waves at dawn slow.json',
      'Waves at dawn slow.mp4',
    ]);
    assert.equal(fs.readFileSync(path.join(folder, 'A red kite over the dunes.json'), 'utf8'), sidecarBefore);
    assert.ok(fs.readFileSync(path.join(folder, 'A red kite over the dunes.mp4')).equals(fixture));
    assert.ok(fs.readFileSync(path.join(folder, 'A red kite over the dunes (2).mp4')).equals(fixture));
    assert.equal((readJson('A red kite over the dunes (2).json') as { jobId: string }).jobId, 'save-kite');
  });

  it('fetched the media without the API key', () => {
    assert.equal(server.mediaRequests.length, 3, 'one download per clip saved');
    assert.deepEqual(server.mediaRequests.map((request) => request.authorization), [undefined, undefined, undefined]);
    assert.ok(server.requests.every((request) => request.authorization === undefined), 'no request to this server carried the key');
  });

  it('offers to choose again when the remembered folder no longer exists, writing nothing meanwhile', async () => {
    const gone = path.join(folder, 'removed since');
    await state().update(SAVE_FOLDER_KEY, gone);
    const before = files();
    const shown = api.notifications.length;
    // Not awaited: the command waits for an answer to the warning.
    void vscode.commands.executeCommand('pictory.saveToWorkspace', nodes()[1], [nodes()[1]]);
    const warning = await waitFor('the warning', () => api.notifications.slice(shown).find((n) => n.message.includes('no longer exists')));
    assert.equal(warning.severity, 'warning');
    assert.deepEqual(warning.actions, ['Create It Again', 'Choose Another Folder']);
    assert.deepEqual(files(), before);
    assert.equal(fs.existsSync(gone), false);
    assert.equal(state().get(SAVE_FOLDER_KEY), gone, 'the folder is only changed by a choice');
    await vscode.commands.executeCommand('notifications.clearAll');
    await state().update(SAVE_FOLDER_KEY, folder);
  });
});
