// Realistic job records for the benches: the same clips on every run (a seeded generator),
// with prompts of every length, Pictory's addresses, and local copies where asked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageJobRecord, JobRecord, JobState, VideoJobRecord } from '../../src/jobs/jobRecord';
import { estimateCredits, findModel, IMAGE_MODELS, IMAGE_STYLES, VIDEO_MODELS } from '../../src/pictory/catalog';
import { GALLERY_LABELS, GalleryLabels } from '../../src/studio/galleryProtocol';
import { repoRoot } from '../harness/paths';
import { random } from './seeded';

export const ENDPOINT = 'https://api.pictory.ai/pictoryapis';
export const VIDEO_ORIGIN = 'https://cdn.pictory.example';
export const IMAGE_ORIGIN = 'https://img.pictory.example';
const DAY_MS = 86_400_000;

export const fixtures = path.join(repoRoot(), 'test', 'fixtures');

const WORDS = (
  'a slow cinematic pan across misty mountain valley at sunrise with birds circling above the pines ' +
  'close up of a barista pouring latte art in a sunlit cafe steam rising warm tones shallow depth of field ' +
  'drone shot over turquoise ocean waves crashing on black volcanic rocks golden hour aerial tracking ' +
  'a red kite dancing over sand dunes wind rippling the grass children laughing in the distance ' +
  'neon lit city street at night rain reflections on asphalt people with umbrellas walking past shop windows ' +
  'time lapse of clouds rolling over a glacier lake snow capped peaks mirror still water'
).split(' ');

function prompt(next: () => number): string {
  const words = 10 + Math.floor(next() * next() * 110);
  const parts: string[] = [];
  for (let i = 0; i < words; i++) parts.push(WORDS[Math.floor(next() * WORDS.length)]);
  const text = parts.join(' ');
  return next() < 0.1 ? text.replace(/ (\w+) (\w+) /, ' $1.\n\n$2 ') : text[0].toUpperCase() + text.slice(1);
}

function hex(next: () => number, length: number): string {
  let value = '';
  while (value.length < length) value += Math.floor(next() * 16).toString(16);
  return value;
}

function pick<T>(next: () => number, values: readonly T[]): T {
  return values[Math.floor(next() * values.length)];
}

/** `count` completed video clips submitted over the last `spanDays` days (in no order). */
export function makeRecords(count: number, now: number, spanDays = 180): VideoJobRecord[] {
  const next = random(20_240_601);
  const records: VideoJobRecord[] = [];
  for (let i = 0; i < count; i++) {
    const model = pick(next, VIDEO_MODELS);
    const aspectRatio = pick(next, model.aspectRatios);
    const duration = pick(next, model.durations);
    const id = `${hex(next, 8)}-${hex(next, 4)}-${hex(next, 4)}-${hex(next, 4)}-${hex(next, 12)}`;
    const submittedAt = now - Math.floor(next() * spanDays * DAY_MS);
    records.push({
      id,
      endpoint: ENDPOINT,
      request: { prompt: prompt(next), model: model.id, aspectRatio, duration },
      submittedAt,
      deadline: submittedAt + 30 * 60_000,
      state: 'completed',
      updatedAt: submittedAt + 90_000,
      video: {
        url: `${VIDEO_ORIGIN}/aistudio/${id}/video.mp4?Expires=1767225600&Signature=${hex(next, 40)}`,
        duration,
        width: aspectRatio === '16:9' ? 1920 : 1080,
        height: aspectRatio === '16:9' ? 1080 : 1920,
        thumbnailImageUrl: `${IMAGE_ORIGIN}/aistudio/${id}/thumbnail.jpg`,
        lastFrameImageUrl: `${IMAGE_ORIGIN}/aistudio/${id}/last-frame.jpg`,
        aiCreditsUsed: estimateCredits(model, duration),
      },
    });
  }
  return records;
}

/** How a long history ends, for a video: mostly completed, some failed or never seen through. */
const ENDINGS: ReadonlyArray<{ readonly share: number; readonly state: JobState }> = [
  { share: 0.04, state: 'failed' },
  { share: 0.02, state: 'timedOut' },
  { share: 0.015, state: 'cancelled' },
  { share: 0.005, state: 'notFound' },
  { share: 0.005, state: 'stopped' },
];

function ending(next: () => number): JobState {
  let roll = next();
  for (const { share, state } of ENDINGS) {
    if (roll < share) return state;
    roll -= share;
  }
  return 'completed';
}

function unfinished(record: VideoJobRecord, state: JobState): JobRecord {
  const { video: _video, ...rest } = record;
  const error = state === 'failed' ? { code: 'TEXT_TO_VIDEO_FAILED', message: 'The video could not be generated. Try another prompt.' } : undefined;
  return { ...rest, state, ...(error && { error }) };
}

function image(record: VideoJobRecord, next: () => number): ImageJobRecord {
  const model = pick(next, IMAGE_MODELS);
  const aspectRatio = pick(next, model.aspectRatios);
  const style = next() < 0.5 ? pick(next, IMAGE_STYLES) : undefined;
  const { request, video: _video, kind: _kind, ...rest } = record;
  const side = aspectRatio === '1:1' ? 1024 : 1344;
  return {
    ...rest,
    kind: 'image',
    request: { prompt: request.prompt, model: model.id, aspectRatio, ...(style && { style }) },
    video: { url: `${IMAGE_ORIGIN}/aistudio/${record.id}/image.png`, width: side, height: aspectRatio === '16:9' ? 768 : side, aiCreditsUsed: model.creditsPerImage },
  };
}

/**
 * A long history as a busy user's machine keeps it: 10% images, and among the videos a few
 * failed, timed out or stopped, some made for a storyboard scene; none still running.
 */
export function makeHistory(count: number, now: number, spanDays: number): JobRecord[] {
  const next = random(20_250_101);
  return makeRecords(count, now, spanDays).map((record): JobRecord => {
    if (next() < 0.1) return image(record, next);
    const state = ending(next);
    const origin = next() < 0.05 ? { origin: { storyboard: `file:///home/user/films/story-${Math.floor(next() * 40)}.storyboard.yaml`, scene: Math.floor(next() * 8) } } : {};
    return state === 'completed' ? { ...record, ...origin } : { ...unfinished(record, state), ...origin };
  });
}

/** Writes each record as the job store saves it (one file each, indented), last written when it was last updated. */
export function writeRecords(records: readonly JobRecord[], jobsFolder: string): void {
  fs.mkdirSync(jobsFolder, { recursive: true });
  for (const record of records) {
    const file = path.join(jobsFolder, `${record.id}.json`);
    fs.writeFileSync(file, JSON.stringify(record, null, 1));
    fs.utimesSync(file, new Date(record.updatedAt), new Date(record.updatedAt));
  }
}

/** Local copies (video, thumbnail, last frame) of the records `keep` picks; returns how many. */
export function writeCopies(records: readonly JobRecord[], copiesFolder: string, keep: (record: JobRecord, index: number) => boolean): number {
  const thumbnail = fs.readFileSync(path.join(fixtures, 'thumbnail.jpg'));
  const video = fs.readFileSync(path.join(fixtures, 'no-audio.mp4'));
  let copies = 0;
  records.forEach((record, index) => {
    if (!keep(record, index)) return;
    const folder = path.join(copiesFolder, encodeURIComponent(record.id));
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'video.mp4'), video);
    fs.writeFileSync(path.join(folder, 'thumbnail.jpg'), thumbnail);
    fs.writeFileSync(path.join(folder, 'last-frame.jpg'), thumbnail);
    copies++;
  });
  return copies;
}

export function galleryLabels(): GalleryLabels {
  const english: Partial<Record<string, string>> = {
    filter: 'Filter by prompt',
    model: 'Model',
    allModels: 'All models',
    oneClip: '1 clip',
    clips: '{0} clips',
    clipsFiltered: '{0} of {1} clips',
    empty: 'No clips yet. Generate a video to see it here.',
    generate: 'Generate Video',
    noMatch: 'No clip matches the filter.',
    clearFilter: 'Clear Filter',
    credits: '{0} credits',
    justNow: 'just now',
    minutesAgo: '{0} min ago',
    hoursAgo: '{0} h ago',
    daysAgo: '{0} d ago',
    noThumbnail: 'No thumbnail',
    continueFromLastFrame: 'Continue from Last Frame',
    regenerate: 'Regenerate',
    download: 'Download…',
    copyUrl: 'Copy URL',
    removeFromMachine: 'Remove from This Machine',
  };
  return Object.fromEntries(GALLERY_LABELS.map((key) => [key, english[key] ?? key])) as GalleryLabels;
}

/** What `jobCredits` in src/studio/clipsTree.ts does, for benches without the VS Code stand-in. */
export function credits(record: JobRecord): number | undefined {
  if (record.video?.aiCreditsUsed !== undefined) return record.video.aiCreditsUsed;
  const model = findModel(record.request.model);
  return model && record.kind !== 'image' ? estimateCredits(model, record.request.duration) : undefined;
}
