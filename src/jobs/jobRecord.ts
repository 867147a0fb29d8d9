import { VideoRequest } from '../pictory/client';
import { VideoResult } from '../pictory/responses';

export type JobState =
  /** The POST is under way: no job id yet. */
  | 'submitting'
  /** The POST's answer was lost: the job may exist (and be charged) without an id here. */
  | 'maybeCreated'
  | 'running'
  | 'completed'
  | 'failed'
  | 'cleaned'
  | 'notFound'
  /** Polling stopped here; the job itself may still finish. */
  | 'cancelled'
  | 'timedOut'
  | 'stopped';

/** States in which nothing more will be learned without the user asking. */
export const RESUMABLE_STATES: readonly JobState[] = ['cancelled', 'timedOut', 'stopped', 'notFound'];

export interface JobRecord {
  /** Pictory's job id, or a local id while `submitting` / `maybeCreated`. */
  readonly id: string;
  /** The API base URL the job was submitted to: it is only ever polled there. */
  readonly endpoint: string;
  readonly request: VideoRequest;
  readonly submittedAt: number;
  readonly deadline: number;
  readonly state: JobState;
  readonly updatedAt: number;
  /** The API's own status word while running (`in-progress`, or anything undocumented). */
  readonly apiStatus?: string;
  readonly video?: VideoResult;
  readonly error?: { readonly code: string; readonly message: string };
}

const STATES = new Set<string>([
  'submitting', 'maybeCreated', 'running', 'completed', 'failed', 'cleaned', 'notFound', 'cancelled', 'timedOut', 'stopped',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stored records are checked like API answers: a damaged file is skipped, not trusted. */
export function parseJobRecord(value: unknown): JobRecord | undefined {
  if (!isObject(value) || !isObject(value.request)) return undefined;
  const { id, endpoint, submittedAt, deadline, state, updatedAt, request } = value;
  const valid =
    typeof id === 'string' &&
    typeof endpoint === 'string' &&
    typeof submittedAt === 'number' &&
    typeof deadline === 'number' &&
    typeof updatedAt === 'number' &&
    typeof state === 'string' &&
    STATES.has(state) &&
    typeof request.prompt === 'string' &&
    typeof request.model === 'string' &&
    typeof request.aspectRatio === 'string' &&
    typeof request.duration === 'string';
  if (!valid) return undefined;
  if (state === 'completed' && (!isObject(value.video) || typeof value.video.url !== 'string')) return undefined;
  return value as unknown as JobRecord;
}
