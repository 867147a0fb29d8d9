import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { chatHandler, CHAT_COMMANDS } from '../../src/chat/participant';
import type { TestApi } from '../../src/extension';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { EXTENSION_ID, setSetting, waitFor } from './support';

const KEY = 'pictai_chat_key';
const TOOLS = ['pictory_generate_video', 'pictory_generate_image', 'pictory_get_job', 'pictory_list_clips'];
const PROMPT = 'A red fox running through fresh snow at sunrise, wide tracking shot';

function resultText(result: vscode.LanguageModelToolResult): string {
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

function ourTools(): string[] {
  return vscode.lm.tools.map((tool) => tool.name).filter((name) => name.startsWith('pictory_')).sort();
}

/** What a chat response stream was given, in order. */
class RecordingStream {
  readonly parts: Array<{ kind: 'markdown' | 'progress'; text: string } | { kind: 'button'; command: vscode.Command }> = [];

  markdown(value: string | vscode.MarkdownString): void {
    this.parts.push({ kind: 'markdown', text: typeof value === 'string' ? value : value.value });
  }

  progress(value: string): void {
    this.parts.push({ kind: 'progress', text: value });
  }

  button(command: vscode.Command): void {
    this.parts.push({ kind: 'button', command });
  }

  get text(): string {
    return this.parts.map((part) => ('text' in part ? part.text : '')).join('');
  }

  get buttons(): vscode.Command[] {
    return this.parts.flatMap((part) => (part.kind === 'button' ? [part.command] : []));
  }
}

/** A chat model that answers every request with `answer`, recording what it was asked. */
function fakeModel(answer: string, asked: string[]): vscode.LanguageModelChat {
  return {
    id: 'fake',
    name: 'Fake',
    vendor: 'test',
    family: 'fake',
    version: '1',
    maxInputTokens: 10_000,
    countTokens: async () => 1,
    sendRequest: async (messages: vscode.LanguageModelChatMessage[]) => {
      asked.push(messages.map((message) => message.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('')).join('\n'));
      return {
        stream: (async function* () {})(),
        text: (async function* () {
          yield answer.slice(0, 10);
          yield answer.slice(10);
        })(),
      };
    },
  } as unknown as vscode.LanguageModelChat;
}

function chatRequest(command: string | undefined, prompt: string, model: vscode.LanguageModelChat): vscode.ChatRequest {
  return { prompt, command, model, references: [], toolReferences: [], toolInvocationToken: undefined } as unknown as vscode.ChatRequest;
}

describe('Chat: language model tools and @pictory', function () {
  this.timeout(60_000);
  let api: TestApi;
  let server: PictoryServer;
  const posts = () => server.requests.filter((request) => request.method === 'POST');
  const invoke = (name: string, input: object) => vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);

  before(async () => {
    const extension = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    server = await startPictoryServer({ pollsUntilDone: 1 });
    await setSetting('apiBaseUrl', server.baseUrl);
    await setSetting('pollingIntervalSeconds', 1);
    await setSetting('openPreviewOnCompletion', false);
  });

  after(async () => {
    for (const key of ['apiBaseUrl', 'pollingIntervalSeconds', 'openPreviewOnCompletion', 'agent.maxCreditsPerRequest']) await setSetting(key, undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await server.close();
  });

  it('lists its tools, and without a key they send nothing and say why', async () => {
    await api.app.keys.store(KEY);
    const tools = await waitFor('the tools', () => (ourTools().length === 4 ? ourTools() : undefined));
    assert.deepEqual(tools, [...TOOLS].sort());
    // Agents are offered the tools only while "pictory.hasApiKey" holds (their "when"); VS Code
    // still lists them to extensions, and a call without a key must be harmless.
    await vscode.commands.executeCommand('pictory.clearApiKey');
    const before = server.requests.length;
    try {
      const result = resultText(await invoke('pictory_generate_video', { prompt: PROMPT }));
      assert.equal(result, 'Not sent: No Pictory API key is set: the user can set one with "Pictory: Set API Key".');
      assert.equal(server.requests.length, before);
    } finally {
      await api.app.keys.store(KEY);
    }
  });

  it('sends a video an agent asks for through the job manager, and answers at once with the job id', async () => {
    const before = posts().length;
    const result = resultText(await invoke('pictory_generate_video', { prompt: PROMPT, model: 'pixverse5.5', aspectRatio: '9:16', duration: '8s' }));
    assert.equal(posts().length, before + 1);
    assert.deepEqual(posts()[before].body, { prompt: PROMPT, model: 'pixverse5.5', aspectRatio: '9:16', duration: '8s' });
    const job = [...server.jobs().values()].pop();
    assert.ok(job);
    assert.match(result, new RegExp(`^Submitted to Pictory as job ${job.id} \\(pixverse5\\.5 · 9:16 · 8s\\), about 12\\.8 AI credits\\.`));
    assert.match(result, /the user will be notified/);
    assert.notEqual((await api.app.jobs.get(job.id))?.state, 'completed', 'it answered before the video was ready');
    const announced = await waitFor('the announcement', () => api.notifications.find((shown) => shown.message.startsWith('Video ready: "A red fox')));
    assert.equal(announced.severity, 'info');
    const state = resultText(await invoke('pictory_get_job', { jobId: job.id }));
    assert.match(state, /"state": "completed"/);
    assert.match(state, new RegExp(`"url": "${server.origin}/media/${job.id}\\.mp4"`));
    assert.match(resultText(await invoke('pictory_list_clips', { limit: 3 })), /A red fox running through fresh snow/);
  });

  it('sends nothing over the budget or for invalid input, and tells the agent what to change', async () => {
    await setSetting('agent.maxCreditsPerRequest', 50);
    const before = server.requests.length;
    const over = resultText(await invoke('pictory_generate_video', { prompt: PROMPT, model: 'veo3.1', duration: '8s' }));
    assert.match(over, /^Not sent: this costs about 160 AI credits, more than the 50 credits/);
    const invalid = resultText(await invoke('pictory_generate_video', { prompt: PROMPT, model: 'veo3.1', aspectRatio: '1:1' }));
    assert.equal(invalid, 'veo3.1 supports 16:9 and 9:16, not 1:1.');
    assert.equal(server.requests.length, before, 'nothing reached Pictory');
    await setSetting('agent.maxCreditsPerRequest', undefined);
  });

  it('@pictory /video proposes a prompt and its cost, and sends it only when Generate is pressed, once', async () => {
    const asked: string[] = [];
    const stream = new RecordingStream();
    const before = server.requests.length;
    const token = new vscode.CancellationTokenSource().token;
    await chatHandler(api.app)(chatRequest('video', 'a lighthouse in a storm', fakeModel('"A lighthouse on a cliff in a storm, waves crashing, slow aerial orbit at dusk"', asked)), { history: [] } as unknown as vscode.ChatContext, stream as unknown as vscode.ChatResponseStream, token);
    assert.match(asked[0], /a lighthouse in a storm/);
    assert.match(stream.text, /> A lighthouse on a cliff in a storm, waves crashing, slow aerial orbit at dusk/);
    assert.match(stream.text, /\*\*PixVerse 5\.5\*\* · 16:9 · 5s · about \*\*8 AI credits\*\*\. Nothing is sent until you press Generate\./);
    assert.deepEqual(stream.buttons.map((button) => [button.title, button.command]), [
      ['Generate', CHAT_COMMANDS.generate],
      ['Edit in Palette', CHAT_COMMANDS.editInPalette],
    ]);
    assert.equal(server.requests.length, before, 'nothing is sent before Generate');
    const generate = stream.buttons[0];
    await vscode.commands.executeCommand(generate.command, ...(generate.arguments ?? []));
    const sent = server.requests.slice(before).filter((request) => request.method === 'POST');
    assert.deepEqual(sent.map((request) => request.body), [{ prompt: 'A lighthouse on a cliff in a storm, waves crashing, slow aerial orbit at dusk', model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s' }]);
    await vscode.commands.executeCommand(generate.command, ...(generate.arguments ?? []));
    assert.equal(server.requests.slice(before).filter((request) => request.method === 'POST').length, 1, 'a second press sends nothing');
    assert.ok(api.notifications.some((shown) => shown.message.includes('already sent or has expired')));
  });

  it('@pictory shows the model\'s words as they are: no link or emphasis of its own', async () => {
    const stream = new RecordingStream();
    const answer = 'A fox in snow, [click here](https://example.com/steal) **now** <img src=x>';
    await chatHandler(api.app)(chatRequest('video', 'a fox', fakeModel(answer, [])), { history: [] } as unknown as vscode.ChatContext, stream as unknown as vscode.ChatResponseStream, new vscode.CancellationTokenSource().token);
    const quoted = stream.parts.find((part) => part.kind === 'markdown' && part.text.startsWith('>'));
    assert.ok(quoted && 'text' in quoted);
    assert.equal(quoted.text, '> A fox in snow, \\[click here\\]\\(https://example\\.com/steal\\) \\*\\*now\\*\\* \\<img src=x\\>\n\n');
  });

  it('@pictory /storyboard drafts a storyboard and opens it, sending nothing', async () => {
    const before = server.requests.length;
    const stream = new RecordingStream();
    const answer = JSON.stringify([
      { title: 'Dawn', prompt: 'A paper lantern on a still lake at dawn, slow push-in' },
      { title: 'Rise', prompt: 'The lantern rises into the pink sky, camera tilts up' },
      { title: 'Stars', prompt: 'The lantern drifts among the first stars, wide shot' },
    ]);
    await chatHandler(api.app)(chatRequest('storyboard', 'a lantern rising into the stars', fakeModel(answer, [])), { history: [] } as unknown as vscode.ChatContext, stream as unknown as vscode.ChatResponseStream, new vscode.CancellationTokenSource().token);
    const text = await waitFor('the storyboard', () => vscode.window.activeTextEditor?.document.getText());
    assert.match(text, /^---\npictory: storyboard\nmodel: pixverse5\.5/);
    assert.match(text, /## Rise\nThe lantern rises into the pink sky, camera tilts up/);
    assert.match(stream.text, /Opened a storyboard of 3 scenes\. Nothing was sent/);
    assert.equal(server.requests.length, before);
  });

  it('@pictory /status lists the jobs, with buttons that open their previews', async () => {
    const stream = new RecordingStream();
    await chatHandler(api.app)(chatRequest('status', '', fakeModel('', [])), { history: [] } as unknown as vscode.ChatContext, stream as unknown as vscode.ChatResponseStream, new vscode.CancellationTokenSource().token);
    assert.match(stream.text, /A red fox running through fresh snow/);
    const open = stream.buttons.find((button) => button.command === CHAT_COMMANDS.openJob);
    assert.ok(open);
    await vscode.commands.executeCommand(open.command, ...(open.arguments ?? []));
    await waitFor('the preview', () => api.app.previews.isOpen(String(open.arguments?.[0])));
  });
});
