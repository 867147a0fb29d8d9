import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface CommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Output goes to this file (appended) instead of the console. */
  logFile: string;
}

/** Runs a command to completion; rejects with the log's tail when it exits non-zero. */
export async function runCommand(command: string, args: string[], options: CommandOptions): Promise<void> {
  const log = fs.openSync(options.logFile, 'a');
  fs.writeSync(log, `\n$ ${command} ${args.join(' ')}\n`);
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', log, log],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) {
      throw new Error(
        `\`${command} ${args.join(' ')}\` exited with ${code}; the end of ${options.logFile}:\n` +
          tailOfFile(options.logFile, 40),
      );
    }
  } finally {
    fs.closeSync(log);
  }
}

/** The last `lines` lines of a text file, or '' when it cannot be read. */
export function tailOfFile(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Whether any process of the given process group is still alive. */
export function processGroupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal to every process of a group, ignoring a group that is already gone. */
export function signalProcessGroup(groupId: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-groupId, signal);
  } catch {
    // Already gone.
  }
}

/** Ends a whole process group: SIGTERM, then SIGKILL for whatever is left after `graceMs`. */
export async function killProcessGroup(groupId: number, graceMs = 5000): Promise<void> {
  signalProcessGroup(groupId, 'SIGTERM');
  if (await waitUntil(() => !processGroupAlive(groupId), graceMs)) return;
  signalProcessGroup(groupId, 'SIGKILL');
  await waitUntil(() => !processGroupAlive(groupId), graceMs);
}

/** Polls `condition` until it holds or `timeoutMs` passes; tells which. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await delay(intervalMs);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
