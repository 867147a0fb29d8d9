// When to look at a running job again, learned from how long this machine's earlier jobs of
// the same kind took: Pictory documents no generation times, so none is invented. No `vscode`.
import { JobRecord, requestedDuration } from './jobRecord';

/** Finished jobs of one kind needed before their times are trusted; with fewer, polling is as configured. */
export const MIN_SAMPLES = 5;
/** The most recent jobs of a kind that are remembered: generation times drift. */
const MAX_SAMPLES = 50;
/** Few earlier jobs of the kind had ended before this share of them: the first look comes then. */
const EARLY_QUANTILE = 0.1;
/** Most earlier jobs of the kind had ended by this share: after it, a job is late and looked at as configured. */
const LATE_QUANTILE = 0.9;
/** The first look comes this much before the earliest plausible end, in case this job is quicker. */
const MARGIN = 0.95;
/** While a job is likely to end, looks come this much closer than the interval... */
const LIKELY_END_SPACING = 0.85;
/** ...but, as Pictory asks for polls 10 to 30 s apart, never closer than this unless the interval is. */
const DOCUMENTED_MIN_INTERVAL_MS = 10_000;

/** Jobs of one kind: same endpoint, model and duration (images: same endpoint and model). */
export function kindOf(record: JobRecord): string {
  return [record.endpoint, record.kind ?? 'video', record.request.model, requestedDuration(record) ?? ''].join('|');
}

/** When jobs of one kind end, from their submission, in ms. */
export interface LearnedTimes {
  /** Before this, few jobs of the kind were done. */
  readonly earliest: number;
  /** By this, most were. */
  readonly late: number;
}

/** How long finished jobs took from submission to being seen completed, by kind, in ms. */
export class GenerationTimes {
  private readonly times = new Map<string, number[]>();

  static from(records: readonly JobRecord[]): GenerationTimes {
    const times = new GenerationTimes();
    for (const record of [...records].sort((a, b) => a.updatedAt - b.updatedAt)) times.add(record);
    return times;
  }

  /** Learns from a job seen completed (others teach nothing about generation time). */
  add(record: JobRecord): void {
    if (record.state !== 'completed') return;
    const took = record.updatedAt - record.submittedAt;
    if (!(took > 0)) return;
    const key = kindOf(record);
    this.times.set(key, [...(this.times.get(key) ?? []), took].slice(-MAX_SAMPLES));
  }

  /** When jobs like `record` end, once enough are known. */
  learned(record: JobRecord): LearnedTimes | undefined {
    const times = this.times.get(kindOf(record));
    if (!times || times.length < MIN_SAMPLES) return undefined;
    const sorted = [...times].sort((a, b) => a - b);
    const at = (share: number) => sorted[Math.floor(share * (sorted.length - 1))];
    return { earliest: at(EARLY_QUANTILE), late: at(LATE_QUANTILE) };
  }
}

/**
 * The wait before the first look at a job `elapsedMs` after it was submitted, while it cannot
 * be done yet (shortly before the earliest plausible end); undefined once it may be.
 */
export function waitUntilPlausible(elapsedMs: number, intervalMs: number, learned: LearnedTimes | undefined): number | undefined {
  if (!learned) return undefined;
  const firstLook = learned.earliest * MARGIN;
  return elapsedMs + intervalMs < firstLook ? firstLook - elapsedMs : undefined;
}

/**
 * The wait before the next look at a job `elapsedMs` after it was submitted. Without enough
 * history, always `intervalMs` (as configured). With it: one wait until shortly before the
 * earliest plausible end; then, while the job is likely to end, looks a little closer than the
 * interval (not below Pictory's documented 10 s unless the interval is); once it is late, the interval.
 */
export function nextPollDelay(elapsedMs: number, intervalMs: number, learned: LearnedTimes | undefined): number {
  if (!learned) return intervalMs;
  const wait = waitUntilPlausible(elapsedMs, intervalMs, learned);
  if (wait !== undefined) return wait;
  if (elapsedMs < learned.late) return Math.min(intervalMs, Math.max(intervalMs * LIKELY_END_SPACING, DOCUMENTED_MIN_INTERVAL_MS));
  return intervalMs;
}
