// One gate for every status request of this window: at most a few per second, spread evenly,
// and a rate limit met by one job holds back every job polling the same endpoint. No `vscode`.
import { sleep as realSleep } from '../pictory/client';

/** Room left in every one-second window for a request that starts or arrives a little late. */
const WINDOW_MARGIN_MS = 60;

export interface PollPacerOptions {
  /** The most requests that may start in any second (read at every request: a setting). */
  readonly maxPerSecond: () => number;
  readonly now?: () => number;
  /** Rejects when `signal` aborts, as the job manager's waits do. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class PollPacer {
  /** When each of the latest requests was let through, oldest first. */
  private readonly starts: number[] = [];
  /** The earliest time the next request may start (slots are handed out in order). */
  private nextSlot = 0;
  /** Endpoints that answered "too many requests": no request to them before the time given. */
  private readonly heldUntil = new Map<string, number>();
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: PollPacerOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Resolves when a request to `endpoint` may start; rejects if `signal` aborts first. */
  async turn(endpoint: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      // A held endpoint takes no slot from the others while it waits.
      const held = (this.heldUntil.get(endpoint) ?? 0) - this.now();
      if (held > 0) {
        await this.sleep(held, signal);
        continue;
      }
      const wait = this.reserve() - this.now();
      if (wait > 0) await this.sleep(wait, signal);
      // A rate limit reported while this request waited holds it back too, as does a late timer.
      if (this.mayStartNow(endpoint)) {
        this.starts.push(this.now());
        this.forgetOldStarts();
        return;
      }
    }
  }

  /** `endpoint` refused a request for being one too many: every job waits `retryInMs` before asking it again. */
  holdBack(endpoint: string, retryInMs: number): void {
    const until = this.now() + retryInMs;
    if (until > (this.heldUntil.get(endpoint) ?? 0)) this.heldUntil.set(endpoint, until);
  }

  private reserve(): number {
    const perSecond = this.perSecond();
    const slot = Math.max(this.now(), this.nextSlot, this.windowOpensAt());
    this.nextSlot = slot + (1000 + WINDOW_MARGIN_MS) / perSecond;
    return slot;
  }

  private mayStartNow(endpoint: string): boolean {
    const now = this.now();
    return (this.heldUntil.get(endpoint) ?? 0) <= now && this.windowOpensAt() <= now;
  }

  /** The start `limit` requests back bounds the next one: no second ever holds more than `limit`. */
  private windowOpensAt(): number {
    const limit = this.limit();
    return this.starts.length >= limit ? this.starts[this.starts.length - limit] + 1000 + WINDOW_MARGIN_MS : 0;
  }

  private perSecond(): number {
    const value = this.options.maxPerSecond();
    return Number.isFinite(value) && value > 0 ? value : 1;
  }

  private limit(): number {
    return Math.max(1, Math.floor(this.perSecond()));
  }

  private forgetOldStarts(): void {
    const keep = this.limit();
    if (this.starts.length > keep) this.starts.splice(0, this.starts.length - keep);
  }
}
