import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { submitQuietly } from '../generate/submission';
import { describeRequest, isImageJob, JobRecord, JobRequest } from '../jobs/jobRecord';
import { roundCredits } from '../pictory/catalog';
import { creditsLeft } from '../pictory/responses';
import { safeMediaUrl } from '../pictory/urls';
import { ImageRequest, VideoRequest } from '../pictory/client';
import { checkImageInput, checkVideoInput, Checked, imageConfirmation, prepareGeneration, Preparation, TOOL_NAMES, videoConfirmation } from './toolInput';
import { ToolName } from '../contributionIds';

function text(message: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(message)]);
}

function json(value: unknown): vscode.LanguageModelToolResult {
  return text(JSON.stringify(value, null, 2));
}

function left(app: PictoryApp): number | undefined {
  const quota = app.credits.latest;
  return quota ? creditsLeft(quota) : undefined;
}

/** The webhook the user set, on every request a tool sends, as on the palette's. */
function withWebhook<Request extends JobRequest['request']>(request: Request): Request {
  const webhook = readSettings().webhookUrl;
  return webhook ? { ...request, webhook } : request;
}

/** Text shown as it is: a prompt from a model must not become links or emphasis. */
function plainMarkdown(text: string): vscode.MarkdownString {
  return new vscode.MarkdownString().appendText(text);
}

/**
 * A tool that sends one generation: checked and priced before the person is asked, the budget
 * held again when sending, and what is sent exactly what the person saw.
 */
class GenerationTool<Request extends JobRequest['request']> implements vscode.LanguageModelTool<unknown> {
  /** What each confirmation showed, by its input: sent as shown even if the defaults change meanwhile. */
  private readonly shown = new Map<string, Request>();

  constructor(
    private readonly app: PictoryApp,
    private readonly job: (request: Request) => JobRequest,
    private readonly check: (input: unknown) => Checked<Request>,
    private readonly confirmation: (request: Request, credits: number, creditsLeft: number | undefined) => { title: string; message: string },
    private readonly words: { readonly sending: string; readonly what: string; readonly takes: string },
  ) {}

  private prepare(input: unknown): Preparation<Request> {
    const shown = this.shown.get(JSON.stringify(input));
    const checked = shown ? this.check(shown) : this.check(input);
    return prepareGeneration(checked, readSettings().agentMaxCreditsPerRequest, (request, credits) => this.confirmation(request, credits, left(this.app)));
  }

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<unknown>): vscode.PreparedToolInvocation {
    const prepared = this.prepare(options.input);
    // Nothing is sent for a request that is refused or over budget: nobody needs to be asked.
    if (!prepared.send) return { invocationMessage: vscode.l10n.t('Checking the request for Pictory') };
    this.shown.set(JSON.stringify(options.input), prepared.request);
    for (const old of [...this.shown.keys()].slice(0, -20)) this.shown.delete(old);
    return {
      invocationMessage: this.words.sending,
      confirmationMessages: { title: prepared.confirmation.title, message: plainMarkdown(prepared.confirmation.message) },
    };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<unknown>): Promise<vscode.LanguageModelToolResult> {
    // The budget is held here too, not only in the confirmation: the person may have allowed every call.
    const prepared = this.prepare(options.input);
    this.shown.delete(JSON.stringify(options.input));
    if (!prepared.send) return text(prepared.message);
    const sent = await submitQuietly(this.app, this.job(withWebhook(prepared.request)));
    if ('refused' in sent) return text(`Not sent: ${sent.refused}`);
    const uncertain = sent.uncertain ? ` Pictory's answer was lost (${sent.uncertain}); the extension is looking for the ${this.words.what} in the account and will tell the user.` : '';
    return text(
      `Submitted to Pictory as job ${sent.record.id} (${describeRequest(sent.record)}), about ${roundCredits(prepared.credits)} AI credits.${uncertain} ` +
        `The ${this.words.what} takes ${this.words.takes}; the user will be notified and shown it when it is ready. Use ${TOOL_NAMES.getJob} with this job id to check it.`,
    );
  }
}

/** What a job is, for a model: its state, request and the addresses of what it made. */
function describeJob(record: JobRecord): Record<string, unknown> {
  const video = record.video;
  const url = (value: string | undefined) => safeMediaUrl(value, record.endpoint);
  return {
    jobId: record.id,
    kind: record.kind ?? 'video',
    state: record.state,
    prompt: record.request.prompt,
    request: describeRequest(record),
    submittedAt: new Date(record.submittedAt).toISOString(),
    ...(video && {
      url: url(video.url),
      ...(!isImageJob(record) && { thumbnailImageUrl: url(video.thumbnailImageUrl), lastFrameImageUrl: url(video.lastFrameImageUrl), duration: video.duration }),
      aiCreditsUsed: video.aiCreditsUsed,
    }),
    // The extension's own failures may name files of this machine: only Pictory's words are passed on.
    ...(record.error && { error: record.error.code === 'INTERNAL' ? 'the extension stopped following the job' : record.error.message }),
  };
}

class GetJobTool implements vscode.LanguageModelTool<unknown> {
  constructor(private readonly app: PictoryApp) {}

  async invoke(options: vscode.LanguageModelToolInvocationOptions<unknown>): Promise<vscode.LanguageModelToolResult> {
    const input = options.input as { jobId?: unknown } | undefined;
    const jobId = typeof input?.jobId === 'string' ? input.jobId.trim() : '';
    if (!jobId) return text('"jobId" is required: the id a Pictory tool returned.');
    const record = await this.app.jobs.get(jobId);
    return record ? json(describeJob(record)) : text(`No job ${jobId} on this machine. ${TOOL_NAMES.listClips} lists the recent ones.`);
  }
}

class ListClipsTool implements vscode.LanguageModelTool<unknown> {
  constructor(private readonly app: PictoryApp) {}

  async invoke(options: vscode.LanguageModelToolInvocationOptions<unknown>): Promise<vscode.LanguageModelToolResult> {
    const input = options.input as { limit?: unknown } | undefined;
    const limit = typeof input?.limit === 'number' && Number.isFinite(input.limit) ? Math.max(1, Math.min(50, Math.floor(input.limit))) : 10;
    const records = (await this.app.jobs.list()).sort((a, b) => b.submittedAt - a.submittedAt).slice(0, limit);
    return records.length ? json(records.map(describeJob)) : text('No Pictory clips on this machine yet.');
  }
}

/** The language model tools by name (registered at start-up, before this module was loaded). */
export function chatTools(app: PictoryApp): Record<ToolName, vscode.LanguageModelTool<unknown>> {
  const defaults = () => {
    const settings = readSettings();
    return { model: settings.defaultModel, aspectRatio: settings.defaultAspectRatio, duration: settings.defaultDuration };
  };
  const videoTool = new GenerationTool<VideoRequest>(
    app,
    (request) => ({ kind: 'video', request }),
    (input) => checkVideoInput(input, defaults(), readSettings().apiBaseUrl),
    (request, credits, creditsLeft) => videoConfirmation(request, credits, creditsLeft, vscode.l10n.t),
    { sending: vscode.l10n.t('Sending the video request to Pictory'), what: 'video', takes: 'a few minutes' },
  );
  const imageTool = new GenerationTool<ImageRequest>(
    app,
    (request) => ({ kind: 'image', request }),
    checkImageInput,
    (request, credits, creditsLeft) => imageConfirmation(request, credits, creditsLeft, vscode.l10n.t),
    { sending: vscode.l10n.t('Sending the image request to Pictory'), what: 'image', takes: 'a few seconds' },
  );
  return {
    [TOOL_NAMES.generateVideo]: videoTool,
    [TOOL_NAMES.generateImage]: imageTool,
    [TOOL_NAMES.getJob]: new GetJobTool(app),
    [TOOL_NAMES.listClips]: new ListClipsTool(app),
  };
}
