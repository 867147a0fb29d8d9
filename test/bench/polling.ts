// Polling that learns, simulated: 1,200 jobs run one after another through the real poller
// (`pollJob`) and the real schedule (`GenerationTimes`, `waitUntilPlausible`, `nextPollDelay`)
// on a simulated clock, once as the original guide's fixed 15-s loop and once as the extension
// polls, each job learning from the ones before it. Run with
// `node esbuild.js --tests && node out/test/bench/polling.js`.
//
// Generation times are invented for the simulation only (Pictory publishes none, and the
// extension assumes none): per model and clip duration, log-normal around a median of
// `base + perSecond × clip seconds`, spread `sigma` (see KINDS). The first jobs of each kind
// poll as configured, as on a fresh machine: they are counted.
import type { JobRecord } from '../../src/jobs/jobRecord';
import { GenerationTimes, nextPollDelay, waitUntilPlausible } from '../../src/jobs/pollSchedule';
import { pollJob } from '../../src/pictory/poller';
import type { JobStatus } from '../../src/pictory/responses';
import { median, percentile, recordRow } from './results';
import { normal, random } from './seeded';

const JOBS = Number(process.env.BENCH_JOBS ?? 1200);
const SEED_INTERVAL_MS = 15_000;
/** The extension's default `pictory.pollingIntervalSeconds`. */
const INTERVAL_MS = 15_000;
const ENDPOINT = 'https://api.pictory.ai/pictoryapis';
const SECTION = '1. Polling that learns (simulated clock, real poller)';

interface Kind {
  readonly model: string;
  readonly durations: readonly number[];
  /** Median generation time: base + perSecond × clip seconds, in s. */
  readonly base: number;
  readonly perSecond: number;
  readonly sigma: number;
  /** Share of the jobs. */
  readonly weight: number;
}

const KINDS: readonly Kind[] = [
  { model: 'veo3.1', durations: [4, 6, 8], base: 45, perSecond: 15, sigma: 0.2, weight: 0.4 },
  { model: 'veo3.1_fast', durations: [4, 6, 8], base: 30, perSecond: 8, sigma: 0.2, weight: 0.3 },
  { model: 'pixverse5.5', durations: [5, 8, 10], base: 40, perSecond: 6, sigma: 0.25, weight: 0.3 },
];

interface SimulatedJob {
  readonly record: JobRecord;
  /** When Pictory finishes it, from submission, in ms. */
  readonly takesMs: number;
}

function makeJobs(): SimulatedJob[] {
  const next = random(14);
  return Array.from({ length: JOBS }, (_, index) => {
    let pick = next();
    const kind = KINDS.find((candidate) => (pick -= candidate.weight) < 0) ?? KINDS[KINDS.length - 1];
    const seconds = kind.durations[Math.floor(next() * kind.durations.length)];
    const takesMs = (kind.base + kind.perSecond * seconds) * Math.exp(kind.sigma * normal(next)) * 1000;
    const submittedAt = index * 3_600_000;
    const record = {
      id: `job-${index}`,
      endpoint: ENDPOINT,
      kind: 'video',
      request: { prompt: 'A lighthouse at dawn', model: kind.model, aspectRatio: '16:9', duration: `${seconds}s` },
      submittedAt,
      deadline: submittedAt + 30 * 60_000,
      state: 'running',
      updatedAt: submittedAt,
    } as JobRecord;
    return { record, takesMs };
  });
}

interface Outcome {
  readonly requests: number;
  /** From the job's completion to the look that saw it, in ms. */
  readonly delayMs: number;
  readonly seenAfterMs: number;
}

/** Runs one job through `pollJob` on a simulated clock. */
async function simulate(job: SimulatedJob, schedule: 'seed' | 'learning', times: GenerationTimes): Promise<Outcome> {
  let clock = job.record.submittedAt;
  let requests = 0;
  const getStatus = async (): Promise<JobStatus> => {
    requests++;
    return clock - job.record.submittedAt >= job.takesMs ? { state: 'completed', video: { url: 'https://cdn.example/v.mp4' } } : { state: 'running', apiStatus: 'in-progress' };
  };
  const elapsed = () => clock - job.record.submittedAt;
  const learned = schedule === 'learning' ? times.learned(job.record) : undefined;
  const outcome = await pollJob(getStatus, {
    intervalMs: schedule === 'seed' ? SEED_INTERVAL_MS : INTERVAL_MS,
    deadline: job.record.deadline,
    initialDelayMs: schedule === 'seed' ? SEED_INTERVAL_MS : (waitUntilPlausible(0, INTERVAL_MS, learned) ?? INTERVAL_MS),
    ...(schedule === 'learning' && { nextDelayMs: () => nextPollDelay(elapsed(), INTERVAL_MS, learned) }),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  });
  if (outcome.kind !== 'completed') throw new Error(`job ${job.record.id} ended ${outcome.kind}`);
  return { requests, delayMs: elapsed() - job.takesMs, seenAfterMs: elapsed() };
}

async function run(jobs: readonly SimulatedJob[], schedule: 'seed' | 'learning'): Promise<Outcome[]> {
  const times = new GenerationTimes();
  const outcomes: Outcome[] = [];
  for (const job of jobs) {
    const outcome = await simulate(job, schedule, times);
    outcomes.push(outcome);
    times.add({ ...job.record, state: 'completed', updatedAt: job.record.submittedAt + outcome.seenAfterMs } as JobRecord);
  }
  return outcomes;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function describe(values: readonly number[], unit: (value: number) => string): string {
  return `mean ${unit(mean(values))}, p50 ${unit(percentile(values, 0.5))}, p95 ${unit(percentile(values, 0.95))}`;
}

async function main(): Promise<void> {
  const jobs = makeJobs();
  const seed = await run(jobs, 'seed');
  const learning = await run(jobs, 'learning');
  const count = (outcomes: Outcome[]) => outcomes.map((outcome) => outcome.requests);
  const delays = (outcomes: Outcome[]) => outcomes.map((outcome) => outcome.delayMs / 1000);
  const requestRatio = mean(count(learning)) / mean(count(seed));
  const seconds = (value: number) => `${value.toFixed(1)} s`;
  const plain = (value: number) => value.toFixed(2);
  console.log(`Polling simulated for ${JOBS} jobs (${KINDS.map((kind) => `${kind.model} ${kind.base}+${kind.perSecond}/s σ${kind.sigma}`).join(', ')}); median generation ${seconds(median(jobs.map((job) => job.takesMs / 1000)))}`);
  recordRow({ section: SECTION, measure: `Jobs simulated (generation-time model: log-normal per model and duration, stated in test/bench/polling.ts)`, value: String(JOBS) });
  recordRow({
    section: SECTION,
    measure: 'Requests per job',
    value: `${describe(count(learning), plain)} (${requestRatio.toFixed(2)}×)`,
    baseline: `fixed 15-s loop: ${describe(count(seed), plain)}`,
    goal: '≤ 0.5× the fixed loop',
    met: requestRatio <= 0.5,
  });
  recordRow({
    section: SECTION,
    measure: 'Delay from completion to detection',
    value: describe(delays(learning), seconds),
    baseline: `fixed 15-s loop: ${describe(delays(seed), seconds)}`,
    goal: 'mean ≤ the fixed loop',
    met: mean(delays(learning)) <= mean(delays(seed)),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
