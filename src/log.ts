import * as vscode from 'vscode';

/**
 * The "Pictory" output channel, created on first use. Every line passes through `redact`,
 * so a secret registered with `hide` never reaches the log, whatever carries it.
 */
export class Logger implements vscode.Disposable {
  private channel: vscode.LogOutputChannel | undefined;
  private readonly secrets = new Set<string>();

  hide(secret: string | undefined): void {
    if (secret) this.secrets.add(secret);
  }

  redact(text: string): string {
    let safe = text;
    for (const secret of this.secrets) safe = safe.split(secret).join('***');
    return safe;
  }

  info(message: string): void {
    this.output().info(this.redact(message));
  }

  warn(message: string): void {
    this.output().warn(this.redact(message));
  }

  error(message: string): void {
    this.output().error(this.redact(message));
  }

  show(): void {
    this.output().show(true);
  }

  dispose(): void {
    this.channel?.dispose();
  }

  private output(): vscode.LogOutputChannel {
    this.channel ??= vscode.window.createOutputChannel('Pictory', { log: true });
    return this.channel;
  }
}
