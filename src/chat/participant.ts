import { randomUUID } from 'crypto';
import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { confirmCreditsLeft, generateVideo } from '../generate/generateVideo';
import { generateImage } from '../generate/generateImage';
import { submitAll, withoutPromptsInFlight } from '../generate/submission';
import { JobRequest } from '../jobs/jobRecord';
import { estimateCredits, findImageModel, findModel, roundCredits } from '../pictory/catalog';
import { endpointProblem } from '../pictory/http';
import { shortenPrompt } from '../pictory/prompts';
import { showError, showInfo } from '../notify';
import { formatElapsed } from '../statusBar';
import { draftStoryboard, parseDraftScenes } from './storyboardDraft';
import { checkImageInput, checkVideoInput } from './toolInput';

export { CHAT_COMMANDS, PARTICIPANT_ID } from '../contributionIds';
import { CHAT_COMMANDS } from '../contributionIds';


/**
 * Requests the participant proposed, by a random id: a button carries only the id, so that
 * nothing but a press on it (once) sends one, whatever other code runs the command with.
 */
export class ChatProposals {
  private readonly proposals = new Map<string, JobRequest>();

  add(job: JobRequest): string {
    const id = randomUUID();
    this.proposals.set(id, job);
    // The last few are enough: an old answer's button says it expired.
    for (const old of [...this.proposals.keys()].slice(0, -20)) this.proposals.delete(old);
    return id;
  }

  peek(id: unknown): JobRequest | undefined {
    return typeof id === 'string' ? this.proposals.get(id) : undefined;
  }

  take(id: unknown): JobRequest | undefined {
    const job = this.peek(id);
    if (typeof id === 'string') this.proposals.delete(id);
    return job;
  }
}

type Reply = { readonly command?: string };

const VIDEO_INSTRUCTIONS = [
  'You write prompts for an AI video model that makes one clip of 4 to 10 seconds.',
  'Turn the request below into one prompt of one or two sentences: one subject and one action, the camera (wide shot, close-up, slow push-in, tracking shot, aerial), the motion, the setting, the light and the mood.',
  'Reply with the prompt only, without quotes or comments.',
].join(' ');

const IMAGE_INSTRUCTIONS = [
  'You write prompts for an AI image model.',
  'Turn the request below into one prompt of one or two sentences: the subject, the composition, the setting, the light, the colours and the mood.',
  'Reply with the prompt only, without quotes or comments.',
].join(' ');

/** Asks the chat's own model, and returns its whole answer. */
async function ask(model: vscode.LanguageModelChat, instructions: string, words: string, token: vscode.CancellationToken): Promise<string> {
  const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(`${instructions}\n\nRequest: ${words}`)], {}, token);
  let answer = '';
  for await (const fragment of response.text) answer += fragment;
  return answer.trim().replace(/^["'\u201C]+|["'\u201D]+$/g, '').trim();
}

function defaults(): { model?: string; aspectRatio?: string; duration?: string } {
  const settings = readSettings();
  return { model: settings.defaultModel, aspectRatio: settings.defaultAspectRatio, duration: settings.defaultDuration };
}

/** A model's words as a quote, shown as they are: they must not become links, emphasis or HTML. */
function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${escape(line)}`)
    .join('\n');
}

/** `/video`: a prompt written from the user's words, its settings and cost, and buttons; nothing is sent. */
async function proposeVideo(app: PictoryApp, request: vscode.ChatRequest, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<void> {
  stream.progress(vscode.l10n.t('Writing a video prompt…'));
  const prompt = await ask(request.model, VIDEO_INSTRUCTIONS, request.prompt, token);
  const checked = checkVideoInput({ prompt }, defaults(), readSettings().apiBaseUrl);
  if (!checked.ok) {
    stream.markdown(vscode.l10n.t('The prompt could not be used: {0}', checked.message));
    return;
  }
  const { model, aspectRatio, duration } = checked.request;
  stream.markdown(`${quote(checked.request.prompt)}\n\n`);
  stream.markdown(vscode.l10n.t('**{0}** · {1} · {2} · about **{3} AI credits**. Nothing is sent until you press Generate.', findModel(model)?.label ?? model, aspectRatio, duration, roundCredits(checked.credits)));
  offer(app, stream, { kind: 'video', request: checked.request });
}

/** `/image`: the same for an image. */
async function proposeImage(app: PictoryApp, request: vscode.ChatRequest, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<void> {
  stream.progress(vscode.l10n.t('Writing an image prompt…'));
  const prompt = await ask(request.model, IMAGE_INSTRUCTIONS, request.prompt, token);
  const checked = checkImageInput({ prompt });
  if (!checked.ok) {
    stream.markdown(vscode.l10n.t('The prompt could not be used: {0}', checked.message));
    return;
  }
  const { model, aspectRatio } = checked.request;
  stream.markdown(`${quote(checked.request.prompt)}\n\n`);
  stream.markdown(vscode.l10n.t('**{0}** · {1} · about **{2} AI credits**. Nothing is sent until you press Generate.', findImageModel(model)?.label ?? model, aspectRatio, roundCredits(checked.credits)));
  offer(app, stream, { kind: 'image', request: checked.request });
}

function offer(app: PictoryApp, stream: vscode.ChatResponseStream, job: JobRequest): void {
  const id = app.chatProposals.add(job);
  stream.button({ command: CHAT_COMMANDS.generate, title: vscode.l10n.t('Generate'), arguments: [id] });
  stream.button({ command: CHAT_COMMANDS.editInPalette, title: vscode.l10n.t('Edit in Palette'), arguments: [id] });
}

/** `/storyboard`: a storyboard file drafted from the idea, opened; nothing is sent. */
async function proposeStoryboard(request: vscode.ChatRequest, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<void> {
  stream.progress(vscode.l10n.t('Drafting the scenes…'));
  const answer = await ask(request.model, draftInstructions(), request.prompt, token);
  const scenes = parseDraftScenes(answer);
  if (scenes.length === 0) {
    stream.markdown(vscode.l10n.t('The model did not answer with scenes; try again with a few more words.'));
    return;
  }
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: draftStoryboard(scenes, defaults()) });
  await vscode.window.showTextDocument(document);
  stream.markdown(
    vscode.l10n.t('Opened a storyboard of {0} scenes. Nothing was sent: save it, edit it, then use **Generate all** above its first scene.', scenes.length) + '\n\n',
  );
  for (const [index, scene] of scenes.entries()) stream.markdown(`${index + 1}. **${escape(scene.title)}**: ${escape(scene.prompt)}\n`);
}

function draftInstructions(): string {
  return [
    'You plan short films made of AI video clips of about 5 seconds each.',
    'Split the idea below into 3 to 6 scenes that follow each other, each continuing from the end of the one before.',
    'For each scene write a short title and a video prompt of one or two sentences (one subject, one action, the camera, the motion, the light).',
    'Reply with JSON only: [{"title": "...", "prompt": "..."}].',
  ].join(' ');
}

/** `/status`: the jobs running now and the latest ones, each with a button to its preview. */
async function showStatus(app: PictoryApp, stream: vscode.ChatResponseStream): Promise<void> {
  const running = app.jobs.running();
  const recent = (await app.jobs.list())
    .filter((record) => !running.some((job) => job.id === record.id))
    .sort((a, b) => b.submittedAt - a.submittedAt)
    .slice(0, 5);
  if (running.length === 0 && recent.length === 0) {
    stream.markdown(vscode.l10n.t('No Pictory jobs on this machine yet. Try `/video` with a few words.'));
    return;
  }
  if (running.length > 0) {
    stream.markdown(`**${vscode.l10n.t('Running')}**\n\n`);
    for (const job of running) stream.markdown(`- ${escape(shortenPrompt(job.request.prompt, 60))} · ${job.request.model} · ${formatElapsed(Date.now() - job.submittedAt)}\n`);
  }
  if (recent.length > 0) {
    stream.markdown(`\n**${vscode.l10n.t('Recent')}**\n\n`);
    for (const job of recent) stream.markdown(`- ${escape(shortenPrompt(job.request.prompt, 60))} · ${job.request.model} · ${job.state}\n`);
    for (const job of recent.filter((record) => record.state === 'completed')) {
      stream.button({ command: CHAT_COMMANDS.openJob, title: vscode.l10n.t('Open "{0}"', shortenPrompt(job.request.prompt, 30)), arguments: [job.id] });
    }
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function help(stream: vscode.ChatResponseStream): void {
  stream.markdown(
    vscode.l10n.t(
      'I make AI videos and images with Pictory. Try `/video a fox running through snow at sunrise`, `/image …`, `/storyboard a three-scene story of …` or `/status`. Nothing is sent, and no credit is spent, until you press **Generate**.',
    ),
  );
}

/** The `@pictory` participant's handler. */
export function chatHandler(app: PictoryApp): vscode.ChatRequestHandler {
  return async (request, _context, stream, token): Promise<vscode.ChatResult> => {
    const result: vscode.ChatResult = { metadata: { command: request.command } satisfies Reply };
    try {
      if (request.command === 'status') await showStatus(app, stream);
      else if (!request.prompt.trim()) help(stream);
      else if (request.command === 'image') await proposeImage(app, request, stream, token);
      else if (request.command === 'storyboard') await proposeStoryboard(request, stream, token);
      else await proposeVideo(app, request, stream, token);
    } catch (error) {
      const message = error instanceof vscode.LanguageModelError ? vscode.l10n.t('The chat model could not answer: {0}', error.message) : error instanceof Error ? error.message : String(error);
      stream.markdown(app.logger.redact(message));
    }
    return result;
  };
}

/** Suggestions after each answer. */
export function followups(result: vscode.ChatResult): vscode.ChatFollowup[] {
  const command = (result.metadata as Reply | undefined)?.command;
  const status = { prompt: vscode.l10n.t('What is running?'), label: vscode.l10n.t('Show my Pictory jobs'), command: 'status' };
  if (command === 'status') return [{ prompt: vscode.l10n.t('a short clip of waves at sunset'), label: vscode.l10n.t('Make a video'), command: 'video' }];
  if (command === 'storyboard') return [status];
  return [status, { prompt: vscode.l10n.t('a three-scene story of a paper lantern rising into the stars'), label: vscode.l10n.t('Draft a storyboard'), command: 'storyboard' }];
}

/** "Generate" on an answer: the proposed request, sent once through the usual submission. */
export async function generateProposal(app: PictoryApp, id: unknown): Promise<void> {
  const job = app.chatProposals.peek(id);
  if (!job) {
    void showInfo(vscode.l10n.t('This proposal was already sent or has expired: ask again in the chat.'));
    return;
  }
  if (withoutPromptsInFlight(app, [job.request.prompt]).length === 0) return;
  if (!(await confirmCreditsLeft(app, estimateOf(job), shortenPrompt(job.request.prompt)))) return;
  const settings = readSettings();
  const problem = endpointProblem(settings.apiBaseUrl);
  if (problem) {
    void showError(problem);
    return;
  }
  const key = await app.keys.getOrAsk();
  // Used up only now: a question declined leaves the button working.
  if (!key || !app.chatProposals.take(id)) return;
  const webhook = settings.webhookUrl;
  const request = webhook ? { ...job.request, webhook } : job.request;
  await submitAll(app, settings.apiBaseUrl, key, [{ ...job, request } as JobRequest]);
}

function estimateOf(job: JobRequest): number {
  if (job.kind === 'image') return findImageModel(job.request.model)?.creditsPerImage ?? 0;
  const model = findModel(job.request.model);
  return model ? estimateCredits(model, job.request.duration) : 0;
}

/** "Edit in Palette": the usual picks, with the proposed prompt to edit. */
export async function editProposal(app: PictoryApp, id: unknown): Promise<void> {
  const job = app.chatProposals.peek(id);
  if (!job) {
    void showInfo(vscode.l10n.t('This proposal has expired: ask again in the chat.'));
    return;
  }
  if (job.kind === 'image') await generateImage(app, { title: vscode.l10n.t('Generate Image'), prompt: job.request.prompt });
  else await generateVideo(app, { title: vscode.l10n.t('Generate Video'), prompt: job.request.prompt });
}

/** Registers `@pictory`, where the host has chat participants. */
