import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { JobRecord } from '../../src/jobs/jobRecord';
import { JobStore } from '../../src/jobs/jobStore';
import { LOADED_COMMAND_IDS, STARTUP_COMMAND_IDS } from '../../src/contributionIds';

const COMMAND_IDS = [...STARTUP_COMMAND_IDS, ...LOADED_COMMAND_IDS];
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { EXTENSION_ID, pause, selectInNewDocument, setSetting, waitFor } from './support';

const KEY = 'pictai_<b>integration</b>&"key';

/** What the workspace (folder) level says of `key` right now. */
function folderValue(key: string): unknown {
  const inspected = vscode.workspace.getConfiguration().inspect(key);
  return inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
}

/**
 * Runs `action` while the test folder's `.vscode/settings.json` holds `settings`, once VS Code
 * has read the file (seen through a sentinel setting: the Pictory ones may be ignored on purpose).
 */
async function withFolderSettings(settings: Record<string, unknown>, action: () => Promise<void>): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace has a folder');
  const settingsFile = path.join(folder.uri.fsPath, '.vscode', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, [SENTINEL]: 7 }));
  try {
    await waitFor('VS Code to read the folder settings', () => folderValue(SENTINEL) === 7);
    await action();
  } finally {
    fs.rmSync(path.dirname(settingsFile), { recursive: true, force: true });
    await waitFor('VS Code to forget the folder settings', () => folderValue(SENTINEL) === undefined);
  }
}

const SENTINEL = 'editor.tabSize';

function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe('Pictory: Generate Video in VS Code', function () {
  this.timeout(60_000);
  let server: PictoryServer;
  let api: TestApi;

  const posts = () => server.requests.filter((request) => request.method === 'POST');
  const jobFor = async (prompt: string): Promise<JobRecord | undefined> =>
    (await api.app.jobs.list()).find((record) => record.request.prompt === prompt);
  const finishedJob = (prompt: string) =>
    waitFor(`the job for "${prompt}" to end`, async () => {
      const record = await jobFor(prompt);
      return record && record.state !== 'running' && record.state !== 'submitting' ? record : undefined;
    });

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 2 });
    const extension = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    assert.ok(api, 'the extension exposes its test API in test mode');
    await setSetting('apiBaseUrl', server.baseUrl);
    await setSetting('pollingIntervalSeconds', 1);
    await api.app.keys.store(KEY);
  });

  after(async () => {
    for (const key of ['apiBaseUrl', 'pollingIntervalSeconds', 'defaultModel', 'defaultAspectRatio', 'defaultDuration', 'openPreviewOnCompletion', 'confirmBeforeGenerating']) {
      await setSetting(key, undefined);
    }
    await server.close();
  });

  beforeEach(async () => {
    server.reset();
    await setSetting('defaultModel', undefined);
    await setSetting('defaultAspectRatio', undefined);
    await setSetting('defaultDuration', undefined);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('contributes its commands, activates only at start-up (to follow jobs) or for a restored preview, and registers every command', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { activationEvents: string[]; contributes: { commands: Array<{ command: string }> } };
    // Start-up (to resume unfinished jobs) and a restored preview; commands activate by their own contribution.
    assert.deepEqual(manifest.activationEvents, ['onStartupFinished', 'onWebviewPanel:pictory.preview', 'onWebviewPanel:pictory.gallery', 'onWebviewPanel:pictory.storyboard']);
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), [...COMMAND_IDS].sort());
    const registered = await vscode.commands.getCommands(true);
    for (const id of COMMAND_IDS) assert.ok(registered.includes(id), `${id} is registered`);
  });

  it('keeps the key in SecretStorage only', async () => {
    assert.equal(await api.app.keys.get(), KEY);
    assert.equal(await api.app.context.secrets.get('pictory.apiKey'), KEY);
    const settings = JSON.stringify(vscode.workspace.getConfiguration('pictory'));
    assert.ok(!settings.includes('integration'), 'the key is not in the settings');
  });

  it('generates a video through the three quick picks, with status bar and preview', async () => {
    const prompt = 'A paper boat drifting down a rainy street, close-up';
    await selectInNewDocument(`  ${prompt}\n`);
    const flow = vscode.commands.executeCommand('pictory.generateVideo');
    await pause(800);
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // pixverse5.5
    await pause(500);
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // 9:16
    await pause(500);
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // 8s
    await flow;

    assert.equal(posts().length, 1);
    assert.deepEqual(posts()[0].body, { prompt, model: 'pixverse5.5', aspectRatio: '9:16', duration: '8s' });
    assert.equal(posts()[0].authorization, KEY);
    const shown = await waitFor('the status bar item', () => api.app.statusBarText);
    assert.match(shown, /Pictory: generating \d+:\d\d/);

    const record = await finishedJob(prompt);
    assert.equal(record.state, 'completed');
    assert.equal(record.video?.width, 720);
    assert.equal(record.video?.height, 1280);
    await waitFor('the status bar item to hide', () => api.app.statusBarText === undefined);
    assert.equal(api.app.jobs.running().length, 0);

    await waitFor('the preview panel', () => api.app.previews.openPanelTitles().find((title) => title.startsWith('Video: A paper boat')));
    const report = await waitFor('the preview to load the video', () =>
      api.app.previews.reports().find((r) => r.jobId === record.id && (r.playback === 'loaded' || r.playback === 'playing')),
    );
    assert.equal(report.detail ?? '', '');
  });

  it('sends nothing when the first quick pick is dismissed', async () => {
    await selectInNewDocument('A quiet harbour at dawn');
    const flow = vscode.commands.executeCommand('pictory.generateVideo');
    await pause(800);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await flow;
    await pause(300);
    assert.equal(server.requests.length, 0);
  });

  it('refuses a default model whose default aspect ratio it cannot make, before the first pick', async () => {
    await setSetting('defaultModel', 'veo3.1');
    await setSetting('defaultAspectRatio', '1:1');
    await selectInNewDocument('A square video that Veo cannot make');
    const shown = api.notifications.length;
    await vscode.commands.executeCommand('pictory.generateVideo');
    assert.deepEqual(
      api.notifications.slice(shown).map((n) => [n.severity, n.message]),
      [['error', 'The setting "pictory.defaultAspectRatio" is "1:1", which veo3.1 does not support (it supports 16:9, 9:16).']],
    );
    assert.equal(server.requests.length, 0);
  });

  it('asks for the aspect ratio when the picked model does not support the default one', async () => {
    await setSetting('defaultAspectRatio', '1:1');
    await setSetting('defaultDuration', '8s');
    const prompt = 'A kite over green hills, aerial view';
    await selectInNewDocument(prompt);
    const flow = vscode.commands.executeCommand('pictory.generateVideo');
    await pause(800);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // veo3.1
    await pause(500);
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // 9:16, asked although 1:1 is the default
    await flow;
    assert.deepEqual(posts().map((p) => p.body), [{ prompt, model: 'veo3.1', aspectRatio: '9:16', duration: '8s' }]);
  });

  it('shows the request and its cost when settings answer every pick, and sends only on Enter', async () => {
    await setSetting('defaultModel', 'veo3.1_fast');
    await setSetting('defaultAspectRatio', '16:9');
    await setSetting('defaultDuration', '4s');
    const prompt = 'A lighthouse beam sweeping over fog';
    await selectInNewDocument(prompt);
    const flow = vscode.commands.executeCommand('pictory.generateVideo');
    await pause(800);
    assert.equal(posts().length, 0, 'nothing is sent before the user accepts');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await flow;
    assert.deepEqual(posts().map((p) => p.body), [{ prompt, model: 'veo3.1_fast', aspectRatio: '16:9', duration: '4s' }]);
    await finishedJob(prompt);
  });

  it('sends nothing when the cost confirmation is dismissed, even if a folder tries to turn it off', async () => {
    await setSetting('defaultModel', 'veo3.1');
    await setSetting('defaultAspectRatio', '16:9');
    await setSetting('defaultDuration', '8s');
    await withFolderSettings({ 'pictory.confirmBeforeGenerating': false }, async () => {
      await selectInNewDocument('A costly clip nobody confirmed');
      const flow = vscode.commands.executeCommand('pictory.generateVideo');
      await pause(800);
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await flow;
    });
    assert.equal(server.requests.length, 0);
  });

  describe('with every choice preset and no confirmation', () => {
    beforeEach(async () => {
      await setSetting('defaultModel', 'veo3.1_fast');
      await setSetting('defaultAspectRatio', '16:9');
      await setSetting('defaultDuration', '4s');
      await setSetting('confirmBeforeGenerating', false);
    });

    afterEach(async () => {
      await setSetting('confirmBeforeGenerating', undefined);
      await setSetting('apiBaseUrl', server.baseUrl);
      await api.app.keys.store(KEY);
    });

    it('sends a prompt once when the command runs again while it is being submitted', async () => {
      server.addFault({ method: 'POST', fault: { kind: 'delay', ms: 1500 } });
      const prompt = 'A hummingbird drinking from a red flower';
      await selectInNewDocument(prompt);
      const first = vscode.commands.executeCommand('pictory.generateVideo');
      await waitFor('the first POST to reach the server', () => posts().length === 1);
      const shown = api.notifications.length;
      await vscode.commands.executeCommand('pictory.generateVideo');
      await first;
      assert.equal(posts().length, 1);
      assert.deepEqual(api.notifications.slice(shown).map((n) => n.message), ['This prompt is already being sent to Pictory.']);
      await finishedJob(prompt);
    });

    it('treats a trailing slash in the endpoint as the same endpoint', async () => {
      const prompt = 'A slash at the end of the address';
      await selectInNewDocument(prompt);
      await vscode.commands.executeCommand('pictory.generateVideo');
      const submitted = await waitFor('the job to run', () => jobFor(prompt));
      await api.app.jobs.cancel(submitted.id);
      await setSetting('apiBaseUrl', `${server.baseUrl}/`);
      await api.app.jobs.checkAgain(submitted.id);
      const record = await finishedJob(prompt);
      assert.equal(record.state, 'completed', record.error?.message);
    });

    it('opens the preview beside the editor without taking the focus, with no redundant button', async () => {
      const prompt = 'A cat watching snow fall through a window';
      await selectInNewDocument(prompt);
      const shown = api.notifications.length;
      await vscode.commands.executeCommand('pictory.generateVideo');
      await finishedJob(prompt);
      await waitFor('the preview panel', () => api.app.previews.openPanelTitles().find((title) => title.startsWith('Video: A cat watching')));
      const ready = await waitFor('the announcement', () => api.notifications.slice(shown).find((n) => n.message.startsWith('Video ready')));
      assert.deepEqual(ready.actions, [], 'no "Open Preview" while the preview is open');
      // The tab model reaches the extension host a moment later: wait until it has the preview.
      await waitFor('the preview tab', () =>
        vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((tab) => tab.input instanceof vscode.TabInputWebview && tab.label.startsWith('Video: A cat')),
      );
      const active = vscode.window.tabGroups.activeTabGroup.activeTab;
      assert.ok(active?.input instanceof vscode.TabInputText, `the editor keeps the focus, not ${active?.label}`);
      assert.equal(vscode.window.activeTextEditor?.document.getText(), prompt);
    });

    it('reports a failed job and leaves nothing running', async () => {
      const prompt = 'A storm that will #fail to render';
      await selectInNewDocument(prompt);
      await vscode.commands.executeCommand('pictory.generateVideo');
      const record = await finishedJob(prompt);
      assert.equal(record.state, 'failed');
      assert.equal(record.error?.code, 'TEXT_TO_VIDEO_FAILED');
      assert.equal(api.app.jobs.running().length, 0);
      await waitFor('the status bar item to hide', () => api.app.statusBarText === undefined);
    });

    it('stops waiting for a cancelled job, keeps it, and polls no more', async () => {
      const prompt = 'An endless waterfall #forever';
      await selectInNewDocument(prompt);
      await vscode.commands.executeCommand('pictory.generateVideo');
      const record = await waitFor('the job to run', () => jobFor(prompt));
      await api.app.jobs.cancel(record.id);
      assert.equal((await jobFor(prompt))?.state, 'cancelled');
      assert.equal(api.app.jobs.running().length, 0);
      const polls = server.requests.length;
      await pause(2500);
      assert.equal(server.requests.length, polls);
    });

    it('ignores a workspace folder that tries to redirect the key or choose what is paid for', async () => {
      const evil = await startPictoryServer();
      try {
        const folderSettings = {
          'pictory.apiBaseUrl': evil.baseUrl,
          'pictory.webhookUrl': `${evil.origin}/hook`,
          'pictory.defaultModel': 'veo3.1',
          'pictory.defaultDuration': '8s',
        };
        await withFolderSettings(folderSettings, async () => {
          const prompt = 'A lantern festival seen from a bridge';
          await selectInNewDocument(prompt);
          await vscode.commands.executeCommand('pictory.generateVideo');
          assert.equal(evil.requests.length, 0, 'nothing reached the folder-chosen host');
          assert.deepEqual(posts().map((p) => p.body), [{ prompt, model: 'veo3.1_fast', aspectRatio: '16:9', duration: '4s' }]);
          await finishedJob(prompt);
        });
      } finally {
        await evil.close();
      }
    });

    it('names the job\'s own time limit when it times out, not the current setting', async () => {
      const prompt = 'A glacier calving into the sea #forever';
      await selectInNewDocument(prompt);
      await vscode.commands.executeCommand('pictory.generateVideo');
      const submitted = await waitFor('the job to run', () => jobFor(prompt));
      await api.app.jobs.cancel(submitted.id);
      // As a window that ran it with a 7-minute limit would have left it, its deadline passed.
      const submittedAt = Date.now() - 8 * 60_000;
      const left: JobRecord = { ...submitted, state: 'running', submittedAt, deadline: submittedAt + 7 * 60_000, updatedAt: Date.now() };
      await new JobStore(api.app.jobsFolder).save(left);
      const shown = api.notifications.length;
      await api.app.jobs.adopt([left.id]);
      const timedOut = await waitFor('the timeout to be announced', () => api.notifications.slice(shown).find((n) => n.message.includes('still not ready')));
      assert.match(timedOut.message, /still not ready after 7 minutes/);
      assert.deepEqual(timedOut.actions, ['Check Again']);
    });

    it('offers to set a key when a job is resumed without one', async () => {
      const prompt = 'A night train crossing a bridge #forever';
      await selectInNewDocument(prompt);
      await vscode.commands.executeCommand('pictory.generateVideo');
      const submitted = await waitFor('the job to run', () => jobFor(prompt));
      await api.app.jobs.cancel(submitted.id);
      await api.app.keys.clear();
      await new JobStore(api.app.jobsFolder).save({ ...submitted, state: 'running', updatedAt: Date.now() });
      const shown = api.notifications.length;
      await api.app.jobs.adopt([submitted.id]);
      const stopped = await waitFor('the stop to be announced', () => api.notifications.slice(shown).find((n) => n.message.startsWith('Stopped checking')));
      assert.match(stopped.message, /No API key is set/);
      assert.deepEqual(stopped.actions, ['Set API Key']);
    });

    it('never writes the key to the logs or the stored jobs', async () => {
      const logFolder = path.dirname(api.app.context.logUri.fsPath);
      const logs = filesUnder(logFolder).map((file) => fs.readFileSync(file, 'utf8'));
      assert.ok(logs.some((text) => text.includes('POST /v1/aistudio/videos 200')), `the request log is under ${logFolder}`);
      assert.ok(!logs.some((text) => text.includes(KEY)), 'no log holds the key');
      const records = filesUnder(api.app.jobsFolder).map((file) => fs.readFileSync(file, 'utf8'));
      assert.ok(records.some((text) => text.includes('A lantern festival')), `the jobs are stored under ${api.app.jobsFolder}`);
      assert.ok(!records.some((text) => text.includes('integration')), 'no stored job holds the key');
    });
  });
});
