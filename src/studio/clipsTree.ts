import * as vscode from 'vscode';
import { describeRequest, isImageJob, JobRecord, JobState, requestedDuration, RESUMABLE_STATES } from '../jobs/jobRecord';
import { estimateCredits, findImageModel, findModel } from '../pictory/catalog';
import { shortenPrompt } from '../pictory/prompts';
import { STATE_ICONS, stateWords } from '../jobStates';
import { formatElapsed } from '../statusBar';
import { LocalCopy } from '../jobs/localCopies';

/** What a tree row stands for: a day of this machine's history (shown open or closed), or one job. */
export type StudioNode =
  | { readonly kind: 'day'; readonly label: string; readonly jobs: readonly JobRecord[]; readonly expanded: boolean }
  | { readonly kind: 'job'; readonly record: JobRecord };

/**
 * The newest days are shown open until they hold this many clips; older ones closed, so that
 * a long history opens as fast as a short one (VS Code asks for the rows of every open day).
 */
export const OPEN_DAYS_CLIPS = 200;

/**
 * The `contextValue` of a row: `pictory.job.<state>` for a video, `pictory.image.<state>` for
 * an image, `pictory.film.<state>` for a rendered film, so that menus show only the actions that apply to what it is and its state.
 */
export function jobContext(state: JobState, kind: 'video' | 'image' | 'film' = 'video'): string {
  const prefix = kind === 'image' ? 'pictory.image' : kind === 'film' ? 'pictory.film' : 'pictory.job';
  if (state === 'running' || state === 'maybeCreated' || state === 'submitting') return `${prefix}.${state}`;
  if (state === 'completed' || state === 'failed') return `${prefix}.${state}`;
  if (RESUMABLE_STATES.includes(state)) return `${prefix}.resumable`;
  return `${prefix}.ended`;
}


/** Credits the job cost (what Pictory reported), else the estimate before it ran. */
export function jobCredits(record: JobRecord): number | undefined {
  if (record.video?.aiCreditsUsed !== undefined) return record.video.aiCreditsUsed;
  const model = findModel(record.request.model);
  if (isImageJob(record)) return findImageModel(record.request.model)?.creditsPerImage;
  return model ? estimateCredits(model, record.request.duration) : undefined;
}

function age(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return vscode.l10n.t('just now');
  if (minutes < 60) return vscode.l10n.t('{0} min ago', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return vscode.l10n.t('{0} h ago', hours);
  return vscode.l10n.t('{0} d ago', Math.floor(hours / 24));
}

/** The history says nothing of a state that is the normal course of a clip. */
function stateNote(record: JobRecord): string | undefined {
  return record.state === 'completed' || record.state === 'running' || record.state === 'submitting' ? undefined : stateWords(record.state);
}

export function jobItem(record: JobRecord, now: number, running: boolean, copy?: LocalCopy): vscode.TreeItem {
  const item = new vscode.TreeItem(shortenPrompt(record.request.prompt, 60), vscode.TreeItemCollapsibleState.None);
  item.id = `${running ? 'running' : 'clip'}:${record.id}`;
  item.contextValue = jobContext(record.state, record.kind ?? 'video');
  const thumbnail = record.state === 'completed' && copy?.thumbnail ? vscode.Uri.file(copy.thumbnail) : undefined;
  item.iconPath = thumbnail ?? new vscode.ThemeIcon(isImageJob(record) && record.state === 'completed' ? 'file-media' : STATE_ICONS[record.state]);
  const credits = jobCredits(record);
  const parts = running
    ? [record.request.model, record.state === 'maybeCreated' ? stateNote(record) : (record.apiStatus ?? vscode.l10n.t('submitted')), formatElapsed(now - record.submittedAt)]
    : [record.request.model, record.video?.duration ?? requestedDuration(record), credits === undefined ? undefined : vscode.l10n.t('{0} credits', credits), stateNote(record), age(now - record.submittedAt)];
  item.description = parts.filter((part): part is string => !!part).join(' · ');
  item.tooltip = jobTooltip(record, credits, thumbnail);
  if (record.state === 'completed') item.command = { command: 'pictory.openPreview', title: vscode.l10n.t('Open Preview'), arguments: [{ kind: 'job', record }] };
  return item;
}

function jobTooltip(record: JobRecord, credits: number | undefined, thumbnail: vscode.Uri | undefined): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.isTrusted = false;
  tooltip.supportHtml = false;
  if (thumbnail) tooltip.appendMarkdown(`![](${thumbnail.toString()}|width=240)\n\n`);
  const { request } = record;
  tooltip.appendText(request.prompt + '\n\n');
  const facts = [
    describeRequest(record),
    credits === undefined ? '' : vscode.l10n.t('{0} credits', credits),
    new Date(record.submittedAt).toLocaleString(),
    vscode.l10n.t('job {0}', record.id),
    record.error ? `${record.error.code}: ${record.error.message}` : '',
  ];
  tooltip.appendText(facts.filter(Boolean).join('\n\n'));
  return tooltip;
}

/** "Today", "Yesterday", or the date, for grouping the history by day. */
export function dayLabel(time: number, now: number): string {
  const day = new Date(time).toDateString();
  if (day === new Date(now).toDateString()) return vscode.l10n.t('Today');
  if (day === new Date(now - 86_400_000).toDateString()) return vscode.l10n.t('Yesterday');
  return new Date(time).toLocaleDateString();
}

/** Jobs newest first, grouped by the day they were submitted; the newest days open. */
export function groupByDay(records: readonly JobRecord[], now: number): StudioNode[] {
  const groups = new Map<number, JobRecord[]>();
  for (const record of [...records].sort((a, b) => b.submittedAt - a.submittedAt)) {
    const day = dayNumber(record.submittedAt);
    const group = groups.get(day);
    if (group) group.push(record);
    else groups.set(day, [record]);
  }
  let open = 0;
  return [...groups.values()].map((jobs) => {
    const expanded = open < OPEN_DAYS_CLIPS;
    if (expanded) open += jobs.length;
    return { kind: 'day', label: dayLabel(jobs[0].submittedAt, now), jobs, expanded };
  });
}

/** The local calendar day of `time`, as one number. */
function dayNumber(time: number): number {
  const date = new Date(time);
  return (date.getFullYear() * 100 + date.getMonth()) * 100 + date.getDate();
}

/** Credits of the jobs submitted this calendar month on this machine. */
export function creditsThisMonth(records: readonly JobRecord[], now: number): number {
  const month = new Date(now);
  const spent = records
    .filter((record) => {
      const date = new Date(record.submittedAt);
      return date.getFullYear() === month.getFullYear() && date.getMonth() === month.getMonth() && record.state === 'completed';
    })
    .reduce((sum, record) => sum + (jobCredits(record) ?? 0), 0);
  return Math.round(spent * 100) / 100;
}
