import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type CleanupStep = { name: string; run: () => void | Promise<void> };

/**
 * Undo steps registered as resources are acquired, run newest first. A failing step is
 * reported and does not stop the others. Calls to `runAll` while one is under way (an
 * interrupt during the normal cleanup) share it rather than running steps out of order.
 */
export class Cleanup {
  private readonly steps: CleanupStep[] = [];
  private running: Promise<void> | undefined;
  /** Set when SIGINT or SIGTERM started the cleanup; reporting can stop then. */
  interrupted = false;

  add(name: string, run: () => void | Promise<void>): void {
    this.steps.push({ name, run });
  }

  runAll(): Promise<void> {
    this.running ??= this.runSteps().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runSteps(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.run();
      } catch (error) {
        console.error(`Cleanup of ${step.name} failed: ${errorMessage(error)}`);
      }
    }
  }
}

/**
 * On SIGINT or SIGTERM, runs the cleanup and exits with the conventional code (130 or 143).
 * Returns a function that removes the handlers again.
 */
export function cleanUpOnInterrupt(cleanup: Cleanup): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const handler = (): void => {
      console.error(`\n${signal} received: cleaning up`);
      cleanup.interrupted = true;
      void cleanup.runAll().finally(() => process.exit(exitCode));
    };
    handlers.set(signal, handler);
    process.once(signal, handler);
  }
  return () => handlers.forEach((handler, signal) => process.removeListener(signal, handler));
}

/** A new empty folder in the system's temp folder. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Whether the developer asked to keep temp folders and logs (`KEEP_TEST_OUTPUT=1`). */
export function keepTestOutput(): boolean {
  return process.env.KEEP_TEST_OUTPUT === '1';
}

/** Removes a temp folder, or says where it is when `KEEP_TEST_OUTPUT=1`. */
export function removeTempDir(dir: string): void {
  if (keepTestOutput()) {
    console.log(`Kept ${dir} (KEEP_TEST_OUTPUT=1)`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs `action` with a fresh temp folder, removed afterwards (kept with `KEEP_TEST_OUTPUT=1`). */
export async function withTempDir<T>(prefix: string, action: (dir: string) => Promise<T>): Promise<T> {
  const dir = makeTempDir(prefix);
  try {
    return await action(dir);
  } finally {
    removeTempDir(dir);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
