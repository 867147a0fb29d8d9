import { sleep as defaultSleep } from './client';
import { PictoryApiError } from './errors';
import { JobStatus, VideoResult } from './responses';

export type PollOutcome =
  | { readonly kind: 'completed'; readonly video: VideoResult }
  | { readonly kind: 'failed'; readonly errorCode: string; readonly errorMessage: string }
  | { readonly kind: 'cleaned' }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'timedOut' }
  | { readonly kind: 'cancelled' }
  /** Polling cannot go on (e.g. the key was rejected); the job itself may still be fine. */
  | { readonly kind: 'stopped'; readonly error: PictoryApiError };

export interface PollOptions {
  readonly intervalMs: number;
  /** Epoch milliseconds after which polling gives up (the job stays resumable). */
  readonly deadline: number;
  /** Wait before the first poll: a full interval after submitting, none when resuming. */
  readonly initialDelayMs?: number;
  readonly maxBackoffMs?: number;
  readonly signal?: AbortSignal;
  readonly onStatus?: (status: JobStatus) => void;
  readonly onError?: (error: PictoryApiError, retryInMs: number) => void;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The wait after `failures` errors in a row: exponential, jittered, never below the interval. */
export function backoffDelay(intervalMs: number, failures: number, maxBackoffMs: number, random: () => number, retryAfterMs = 0): number {
  const exponential = Math.min(intervalMs * 2 ** failures, Math.max(maxBackoffMs, intervalMs));
  const jittered = exponential * (1 + random() * 0.2);
  return Math.max(jittered, intervalMs, retryAfterMs);
}

function outcomeOf(status: JobStatus): PollOutcome | undefined {
  switch (status.state) {
    case 'completed':
      return { kind: 'completed', video: status.video };
    case 'failed':
      return { kind: 'failed', errorCode: status.errorCode, errorMessage: status.errorMessage };
    case 'cleaned':
      return { kind: 'cleaned' };
    case 'running':
      return undefined;
  }
}

/** Asks for a job's status until it ends, the deadline passes, or `signal` aborts. */
export async function pollJob(getStatus: (signal?: AbortSignal) => Promise<JobStatus>, options: PollOptions): Promise<PollOutcome> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? defaultSleep;
  const maxBackoffMs = options.maxBackoffMs ?? Math.max(options.intervalMs * 8, 120_000);
  let delay = options.initialDelayMs ?? options.intervalMs;
  let failures = 0;
  // Resuming (no initial delay) always asks once: the job may have ended while no one looked.
  let mustAsk = delay === 0;
  try {
    for (;;) {
      const remaining = options.deadline - now();
      if (remaining <= 0 && !mustAsk) return { kind: 'timedOut' };
      if (delay > 0) await wait(Math.min(delay, remaining), options.signal);
      if (options.deadline - now() <= 0 && !mustAsk) return { kind: 'timedOut' };
      mustAsk = false;
      try {
        const status = await getStatus(options.signal);
        options.onStatus?.(status);
        const outcome = outcomeOf(status);
        if (outcome) return outcome;
        failures = 0;
        delay = options.intervalMs;
      } catch (error) {
        if (!(error instanceof PictoryApiError)) throw error;
        if (error.kind === 'cancelled') return { kind: 'cancelled' };
        if (error.kind === 'notFound') return { kind: 'notFound' };
        if (!error.transient) return { kind: 'stopped', error };
        failures++;
        delay = backoffDelay(options.intervalMs, failures, maxBackoffMs, random, error.details.retryAfterMs);
        options.onError?.(error, delay);
      }
    }
  } catch (error) {
    if (error instanceof PictoryApiError && error.kind === 'cancelled') return { kind: 'cancelled' };
    throw error;
  }
}
