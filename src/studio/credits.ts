import * as vscode from 'vscode';
import { creditsLeft, Quota } from '../pictory/responses';

/**
 * The account's AI credits, as last fetched. Fetched when the studio opens and after a job
 * completes while it is known, never on a timer; unknown until then.
 */
export class CreditWatch implements vscode.Disposable {
  private quota: Quota | undefined;
  private readAt: number | undefined;
  private reading: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<Quota | undefined>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly fetchQuota: () => Promise<Quota | undefined>,
    private readonly log: (message: string) => void,
  ) {}

  get latest(): Quota | undefined {
    return this.quota;
  }

  /**
   * Reads the credits again; with `maxAgeMs`, only when the last read is older than that (a
   * view shown again a moment later needs no new read). A read on its way is shared.
   */
  refresh(options: { maxAgeMs?: number } = {}): Promise<void> {
    if (this.reading) return this.reading;
    if (options.maxAgeMs !== undefined && this.readAt !== undefined && Date.now() - this.readAt < options.maxAgeMs) return Promise.resolve();
    this.reading = this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<void> {
    try {
      this.quota = await this.fetchQuota();
      this.readAt = Date.now();
      this.changed.fire(this.quota);
    } catch (error) {
      this.log(`Reading the AI credits failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function formatNumber(value: number): string {
  return Number(value.toFixed(2)).toLocaleString('en-US');
}

/** "690 / 22,000 credits used". */
export function describeQuota(quota: Quota): string {
  return vscode.l10n.t('{0} / {1} credits used', formatNumber(quota.aiCredits.used), formatNumber(quota.aiCredits.limit));
}

/** Credits left when known and fewer than `estimate`; else undefined. */
export function shortfall(quota: Quota | undefined, estimate: number): number | undefined {
  if (!quota) return undefined;
  const left = creditsLeft(quota);
  return estimate > left ? left : undefined;
}
