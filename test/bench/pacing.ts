// Many jobs at once: 50 jobs submitted together through the real JobManager, polled over real
// HTTP against the loopback Pictory server, on the real clock. Run with
// `node esbuild.js --tests && node out/test/bench/pacing.js` (BENCH_PACING_JOBS=n jobs).
//
// Each job finishes on the server a set time after it was created (`#takes-…s`), drawn from a
// log-normal around 75 s (spread 0.15); the store already holds 10 finished jobs of the same
// kind from the same distribution, as a machine that made clips before would. Measured on the
// server: the peak number of status requests in any one-second window, and their total, beside
// what the original guide's fixed 15-s loop (one per job, first look 15 s after submitting)
// would have sent for the same completions: ceil(generation time / 15 s) each.
import * as path from 'node:path';
import { JobManager } from '../../src/jobs/jobManager';
import type { JobRecord } from '../../src/jobs/jobRecord';
import { JobStore } from '../../src/jobs/jobStore';
import { PictoryClient } from '../../src/pictory/client';
import { lazyFetch } from '../../src/pictory/http';
import { makeTempDir, removeTempDir } from '../harness/cleanup';
import { repoRoot } from '../harness/paths';
import { startPictoryServer } from '../server/pictoryServer';
import { recordRow } from './results';
import { normal, random } from './seeded';

const JOBS = Number(process.env.BENCH_PACING_JOBS ?? 50);
const INTERVAL_MS = 15_000;
const MAX_PER_SECOND = 2;
const MEDIAN_S = 75;
const SIGMA = 0.15;
const KEY = 'pictory-bench-key';
const SECTION = '2. Many jobs at once (real JobManager, loopback HTTP, real clock)';

function generationSeconds(next: () => number): number {
  return Math.round(MEDIAN_S * Math.exp(SIGMA * normal(next)) * 10) / 10;
}

const REQUEST = { model: 'veo3.1_fast', aspectRatio: '16:9', duration: '8s' } as const;

/** Ten jobs of the kind that finished earlier on this machine. */
async function seedHistory(store: JobStore, endpoint: string, next: () => number): Promise<void> {
  const now = Date.now();
  for (let index = 0; index < 10; index++) {
    const submittedAt = now - 86_400_000 + index * 600_000;
    const seen = generationSeconds(next) + 7.5;
    const record: JobRecord = {
      id: `earlier-${index}`,
      endpoint,
      kind: 'video',
      request: { prompt: `An earlier clip ${index}`, ...REQUEST },
      submittedAt,
      deadline: submittedAt + 30 * 60_000,
      state: 'completed',
      updatedAt: submittedAt + seen * 1000,
      video: { url: `https://cdn.example/earlier-${index}.mp4` },
    };
    await store.save(record);
  }
}

function peakPerSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= 1000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

async function main(): Promise<void> {
  const folder = makeTempDir('pictory-bench-pacing-');
  const server = await startPictoryServer({ acceptKey: (key) => key === KEY });
  const store = new JobStore(path.join(folder, 'jobs'));
  const next = random(2);
  const client = new PictoryClient({
    baseUrl: server.baseUrl,
    apiKey: KEY,
    userAgent: 'pictory-vscode/bench',
    loadFetch: lazyFetch(path.join(repoRoot(), 'dist', 'fetch.js')),
  });
  const manager = new JobManager({
    store,
    clientFor: async () => client,
    timing: () => ({ intervalMs: INTERVAL_MS, timeoutMs: 30 * 60_000, maxRequestsPerSecond: MAX_PER_SECOND }),
    log: () => undefined,
  });
  try {
    await seedHistory(store, server.baseUrl, next);
    const takes = Array.from({ length: JOBS }, () => generationSeconds(next));
    const done = new Promise<void>((resolve) => {
      let finished = 0;
      manager.onDidFinish(() => {
        if (++finished === JOBS) resolve();
      });
    });
    const started = Date.now();
    console.log(`Submitting ${JOBS} jobs (generation ${Math.min(...takes)} to ${Math.max(...takes)} s); this takes about ${Math.round(Math.max(...takes) / 60 + 1)} minutes`);
    await Promise.all(takes.map((seconds, index) => manager.submit(client, server.baseUrl, { kind: 'video', request: { prompt: `Clip ${index} of the bench #takes-${seconds}s`, ...REQUEST } })));
    await done;
    const polls = server.requests.filter((request) => request.method === 'GET' && request.path.includes('/v1/jobs/'));
    const jobs = [...server.jobs().values()];
    const seedRequests = jobs.reduce((sum, job) => sum + Math.max(1, Math.ceil(((job.doneAt ?? job.createdAt) - job.createdAt) / 15_000)), 0);
    const peak = peakPerSecond(polls.map((request) => request.at));
    const ratio = polls.length / seedRequests;
    console.log(`All ${JOBS} jobs seen completed after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    recordRow({ section: SECTION, measure: `Status requests in any 1-s window, ${JOBS} jobs (setting: ${MAX_PER_SECOND}/s)`, value: `peak ${peak}`, baseline: `${JOBS} fixed 15-s loops started together: ${JOBS} in one second (computed)`, goal: `≤ ${MAX_PER_SECOND}`, met: peak <= MAX_PER_SECOND });
    recordRow({ section: SECTION, measure: `Status requests in all, ${JOBS} jobs`, value: `${polls.length} (${ratio.toFixed(2)}×)`, baseline: `${JOBS} fixed 15-s loops, same completions: ${seedRequests}`, goal: '≤ 0.5× the fixed loops', met: ratio <= 0.5 });
  } finally {
    manager.dispose();
    await server.close();
    removeTempDir(folder);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
