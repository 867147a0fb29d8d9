// Time that moves only when a test moves it, for the `now` and `sleep` options of the job
// code: polls happen when the test says so, however slow the machine running it.
import { PictoryApiError } from '../../src/pictory/errors';

interface Sleeper {
  readonly wakeAt: number;
  readonly wake: () => void;
}

export class ManualClock {
  private current: number;
  private readonly sleepers = new Set<Sleeper>();

  /** Starts at the real time, so that file times and lease times stay comparable. */
  constructor(start = Date.now()) {
    this.current = start;
  }

  readonly now = (): number => this.current;

  /** Like the client's `sleep`: rejects with a `cancelled` PictoryApiError when `signal` aborts. */
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new PictoryApiError('cancelled'));
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(new PictoryApiError('cancelled'));
      };
      const sleeper: Sleeper = {
        wakeAt: this.current + ms,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
    });

  /** How many waits are under way. */
  get sleeping(): number {
    return this.sleepers.size;
  }

  /** Moves time on by `ms`, ending every wait due by then. */
  advance(ms: number): void {
    this.current += ms;
    for (const sleeper of [...this.sleepers].sort((a, b) => a.wakeAt - b.wakeAt)) {
      if (sleeper.wakeAt > this.current) continue;
      this.sleepers.delete(sleeper);
      sleeper.wake();
    }
  }

  /** Moves time to the end of the earliest wait, ending every wait due by then. */
  advanceToNextWake(): void {
    const next = Math.min(...[...this.sleepers].map((sleeper) => sleeper.wakeAt));
    if (Number.isFinite(next)) this.advance(Math.max(0, next - this.current));
  }
}
