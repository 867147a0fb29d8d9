// Shared pieces of the unit tests: the real node-fetch bundle, clients for the loopback
// Pictory server, temporary folders and waiting for something to happen.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import type { JobRecord, VideoJobRecord } from '../../src/jobs/jobRecord';
import { ClientOptions, PictoryClient, VideoRequest } from '../../src/pictory/client';
import { PictoryApiError } from '../../src/pictory/errors';
import { Fetch, HttpRequestInit, lazyFetch } from '../../src/pictory/http';
import type { PictoryServer } from '../server/pictoryServer';

/** Tests are bundled to out/test/unit/, next to which dist/fetch.js is built. */
export const loadFetch = lazyFetch(path.resolve(__dirname, '../../../dist/fetch.js'));

export const VALID_KEY = 'pictai_unit_tests';
export const WRONG_KEY = 'pictai_wrong_key';

/** A client with quick retries, so that failures show within milliseconds. */
export function makeClient(baseUrl: string, overrides: Partial<ClientOptions> = {}): PictoryClient {
  return new PictoryClient({
    baseUrl,
    apiKey: VALID_KEY,
    userAgent: 'pictory-vscode/0.0.0 VSCode/unit-tests',
    loadFetch,
    requestTimeoutMs: 2000,
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    ...overrides,
  });
}

/** A request the test server accepts; its prompt may carry outcome markers such as `#fail`. */
export function videoRequest(prompt = 'A lighthouse at dawn, waves rolling in'): VideoRequest {
  return { prompt, model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s' };
}

export interface FetchCall {
  readonly url: string;
  readonly init: HttpRequestInit;
  status?: number;
  contentLength?: number;
}

/**
 * The real fetch, noting each call in `calls`; `beforeSend` runs just before a request
 * leaves, to look at the state of things at that moment.
 */
export function recordingFetch(calls: FetchCall[], beforeSend?: (url: string, init: HttpRequestInit) => void): () => Promise<Fetch> {
  return async () => {
    const fetch = await loadFetch();
    return async (url, init) => {
      beforeSend?.(url, init);
      const call: FetchCall = { url, init };
      calls.push(call);
      const response = await fetch(url, init);
      call.status = response.status;
      const length = response.headers.get('content-length');
      if (length !== null) call.contentLength = Number(length);
      return response;
    };
  };
}

/** A job record as the store keeps it: running unless `extra` says otherwise. */
export function jobRecord(id: string, submittedAt: number, extra: Partial<VideoJobRecord> = {}): JobRecord {
  return {
    id,
    endpoint: 'https://api.pictory.ai/pictoryapis',
    request: videoRequest(`Job ${id}: a lighthouse at dawn`),
    submittedAt,
    deadline: submittedAt + 30 * 60_000,
    state: 'running',
    updatedAt: submittedAt,
    ...extra,
  };
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pictory-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the first truthy value of `check`, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 3000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(5);
  }
}

/** Requests the server received for one job's status. */
export function statusRequests(server: PictoryServer, jobId: string): number {
  return server.requests.filter((request) => request.method === 'GET' && request.path.endsWith(`/v1/jobs/${jobId}`)).length;
}

export function postRequests(server: PictoryServer): number {
  return server.requests.filter((request) => request.method === 'POST').length;
}

/** The PictoryApiError a call fails with (the test fails if it succeeds or throws anything else). */
export async function rejection(promise: Promise<unknown>): Promise<PictoryApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PictoryApiError, `expected a PictoryApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}
