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
  /** The wait after a look that found the job still running; `intervalMs` when absent. */
  readonly nextDelayMs?: () => number;
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

/** The outcome an error ends polling with; undefined when asking again may succeed. */
function outcomeOfError(error: PictoryApiError): PollOutcome | undefined {
  if (error.kind === 'cancelled') return { kind: 'cancelled' };
  if (error.kind === 'notFound') return { kind: 'notFound' };
  if (!error.transient) return { kind: 'stopped', error };
  return undefined;
}

/**
 * Asks for a job's status until it ends, the deadline passes, or `signal` aborts. It always
 * asks at least once, and only gives up after a look that began at or after the deadline:
 * a computer that slept through the deadline must not report a finished job as still running.
 */
export async function pollJob(getStatus: (signal?: AbortSignal) => Promise<JobStatus>, options: PollOptions): Promise<PollOutcome> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? defaultSleep;
  const maxBackoffMs = options.maxBackoffMs ?? Math.max(options.intervalMs * 8, 120_000);
  let delay = options.initialDelayMs ?? options.intervalMs;
  let failures = 0;
  try {
    for (;;) {
      const remaining = options.deadline - now();
      if (delay > 0 && remaining > 0) await wait(Math.min(delay, remaining), options.signal);
      const isFinalLook = now() >= options.deadline;
      try {
        const status = await getStatus(options.signal);
        options.onStatus?.(status);
        const outcome = outcomeOf(status);
        if (outcome) return outcome;
        if (isFinalLook) return { kind: 'timedOut' };
        failures = 0;
        delay = options.nextDelayMs?.() ?? options.intervalMs;
      } catch (error) {
        if (!(error instanceof PictoryApiError)) throw error;
        const outcome = outcomeOfError(error);
        if (outcome) return outcome;
        if (isFinalLook) return { kind: 'timedOut' };
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
