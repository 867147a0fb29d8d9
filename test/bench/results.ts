// One table for every bench: each bench script records its figures here (one JSON line per row
// in .test-output/bench/results.jsonl), and `report.ts` prints them side by side with their
// baselines and exits non-zero when a goal is missed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../harness/paths';

export interface BenchRow {
  /** The section of the bench ("1. Polling that learns"). */
  readonly section: string;
  /** What is measured ("requests per job"). */
  readonly measure: string;
  /** The figure, formatted ("3.2", "142 ms"). */
  readonly value: string;
  /** The figure it is compared with, formatted, and what it is ("seed's fixed 15-s loop: 12.0"). */
  readonly baseline?: string;
  /** The goal, in words ("≤ 0.5× the seed's"); absent for figures reported for information. */
  readonly goal?: string;
  /** Whether the goal is met; absent when there is no goal. */
  readonly met?: boolean;
}

export function resultsFile(): string {
  return path.join(repoRoot(), '.test-output', 'bench', 'results.jsonl');
}

/** Starts a fresh table (called once, before the first bench of `npm run bench`). */
export function clearResults(): void {
  fs.rmSync(resultsFile(), { force: true });
}

export function recordRow(row: BenchRow): void {
  fs.mkdirSync(path.dirname(resultsFile()), { recursive: true });
  fs.appendFileSync(resultsFile(), `${JSON.stringify(row)}\n`);
}

export function readRows(): BenchRow[] {
  if (!fs.existsSync(resultsFile())) return [];
  return fs
    .readFileSync(resultsFile(), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as BenchRow);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The value below which `share` (0..1) of `values` lie (nearest rank). */
export function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[rank];
}
