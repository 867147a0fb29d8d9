// When to look at a running job again, learned from how long this machine's earlier jobs of
// the same kind took: Pictory documents no generation times, so none is invented. No `vscode`.
// Not used by the poller yet: the schedule and its bench come next.
import { JobRecord, requestedDuration } from './jobRecord';

/** Finished jobs of one kind needed before their times are trusted; with fewer, polling is as configured. */
export const MIN_SAMPLES = 5;
/** The share of earlier jobs that were still running at the first look: the first look comes at this quantile. */
const EARLY_QUANTILE = 0.1;
/** The first look comes this much before the earliest plausible end, in case this job is quicker. */
const MARGIN = 0.9;

/** Jobs of one kind: same endpoint, model and duration (images: same endpoint and model). */
export function kindOf(record: JobRecord): string {
  return [record.endpoint, record.kind ?? 'video', record.request.model, requestedDuration(record) ?? ''].join('|');
}

/** How long finished jobs took from submission to being seen completed, by kind, in ms. */
export class GenerationTimes {
  private readonly times = new Map<string, number[]>();

  static from(records: readonly JobRecord[]): GenerationTimes {
    const times = new GenerationTimes();
    for (const record of records) times.add(record);
    return times;
  }

  /** Learns from a job seen completed (others teach nothing about generation time). */
  add(record: JobRecord): void {
    if (record.state !== 'completed') return;
    const took = record.updatedAt - record.submittedAt;
    if (!(took > 0)) return;
    const key = kindOf(record);
    this.times.set(key, [...(this.times.get(key) ?? []), took]);
  }

  /** The time before which few jobs of this kind were done, once enough are known. */
  earliestEnd(record: JobRecord): number | undefined {
    const times = this.times.get(kindOf(record));
    if (!times || times.length < MIN_SAMPLES) return undefined;
    const sorted = [...times].sort((a, b) => a - b);
    return sorted[Math.floor(EARLY_QUANTILE * (sorted.length - 1))];
  }
}

/**
 * The wait before the next look at a job `elapsedMs` after it was submitted: until shortly
 * before the earliest plausible end while the job cannot be done yet, then `intervalMs`. Without
 * enough history, always `intervalMs` (as configured).
 */
export function nextPollDelay(elapsedMs: number, intervalMs: number, earliestEnd: number | undefined): number {
  if (earliestEnd === undefined) return intervalMs;
  const firstLook = earliestEnd * MARGIN;
  return elapsedMs + intervalMs < firstLook ? firstLook - elapsedMs : intervalMs;
}
