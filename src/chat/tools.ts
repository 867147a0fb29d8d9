import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { submitQuietly } from '../generate/submission';
import { describeRequest, isImageJob, JobRecord, JobRequest } from '../jobs/jobRecord';
import { roundCredits } from '../pictory/catalog';
import { creditsLeft } from '../pictory/responses';
import { safeMediaUrl } from '../pictory/urls';
import { checkImageInput, checkVideoInput, Checked, imageConfirmation, overBudget, TOOL_NAMES, videoConfirmation } from './toolInput';

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

/** A tool that sends one generation: checked and priced before the person is asked, the budget held when sending. */
class GenerationTool<Request extends JobRequest['request']> implements vscode.LanguageModelTool<unknown> {
  constructor(
    private readonly app: PictoryApp,
    private readonly kind: 'video' | 'image',
    private readonly check: (input: unknown) => Checked<Request>,
    private readonly confirmation: (request: Request, credits: number, creditsLeft: number | undefined) => { title: string; message: string },
  ) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<unknown>): vscode.PreparedToolInvocation {
    const checked = this.check(options.input);
    // Nothing is sent for a request that is refused or over budget: nobody needs to be asked.
    if (!checked.ok || overBudget(checked.credits, readSettings().agentMaxCreditsPerRequest)) {
      return { invocationMessage: vscode.l10n.t('Checking the request for Pictory') };
    }
    return {
      invocationMessage: this.kind === 'video' ? vscode.l10n.t('Sending the video request to Pictory') : vscode.l10n.t('Sending the image request to Pictory'),
      confirmationMessages: this.confirmation(checked.request, checked.credits, left(this.app)),
    };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<unknown>): Promise<vscode.LanguageModelToolResult> {
    const checked = this.check(options.input);
    if (!checked.ok) return text(checked.message);
    // Held here, not only in the confirmation: the person may have allowed every call.
    const over = overBudget(checked.credits, readSettings().agentMaxCreditsPerRequest);
    if (over) return text(over);
    const job = (this.kind === 'video' ? { kind: 'video', request: checked.request } : { kind: 'image', request: checked.request }) as JobRequest;
    const sent = await submitQuietly(this.app, job);
    if ('refused' in sent) return text(`Not sent: ${sent.refused}`);
    const what = this.kind === 'video' ? 'video' : 'image';
    const uncertain = sent.uncertain ? ` Pictory's answer was lost (${sent.uncertain}); the extension is looking for the ${what} in the account and will tell the user.` : '';
    return text(
      `Submitted to Pictory as job ${sent.record.id} (${describeRequest(sent.record)}), about ${roundCredits(checked.credits)} AI credits.${uncertain} ` +
        `The ${what} takes ${this.kind === 'video' ? 'a few minutes' : 'a few seconds'}; the user will be notified and shown it when it is ready. Use ${TOOL_NAMES.getJob} with this job id to check it.`,
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
    ...(record.error && { error: record.error.message }),
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

/** The language model tools, where the host has them (older hosts and some forks do not). */
export function registerChatTools(app: PictoryApp): vscode.Disposable[] {
  if (typeof vscode.lm?.registerTool !== 'function') return [];
  const defaults = () => {
    const settings = readSettings();
    return { model: settings.defaultModel, aspectRatio: settings.defaultAspectRatio, duration: settings.defaultDuration };
  };
  return [
    vscode.lm.registerTool(
      TOOL_NAMES.generateVideo,
      new GenerationTool(app, 'video', (input) => checkVideoInput(input, defaults(), readSettings().apiBaseUrl), (request, credits, creditsLeft) => videoConfirmation(request, credits, creditsLeft, vscode.l10n.t)),
    ),
    vscode.lm.registerTool(TOOL_NAMES.generateImage, new GenerationTool(app, 'image', checkImageInput, (request, credits, creditsLeft) => imageConfirmation(request, credits, creditsLeft, vscode.l10n.t))),
    vscode.lm.registerTool(TOOL_NAMES.getJob, new GetJobTool(app)),
    vscode.lm.registerTool(TOOL_NAMES.listClips, new ListClipsTool(app)),
  ];
}
