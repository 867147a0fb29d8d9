import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { makeTempDir, removeTempDir } from './cleanup';
import { commonArgs, serverEnvironment } from './codeServerArgs';
import { killProcessGroup, runCommand, signalProcessGroup, tailOfFile, waitUntil } from './processes';
import { ensureToolchain } from './toolchain';

export interface CodeServerOptions {
  /** The folder the workbench opens. */
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /** Added to the server's environment, which its extension host inherits. */
  env?: Record<string, string>;
  /** A free loopback port is chosen when none is given. */
  port?: number;
  /** Where the server's output goes; `<userDataDir>/code-server.log` by default. */
  logFile?: string;
  /** User settings, on top of `QUIET_USER_SETTINGS`. */
  settings?: Record<string, unknown>;
  /**
   * Enables VS Code's smoke-test driver (default true), without which the workbench ignores
   * the `payload` parameter; a plain user session, such as a demo, can turn it off.
   */
  smokeTestDriver?: boolean;
}

export interface CodeServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  logFile: string;
  /** Whether the server process is still running. */
  isRunning(): boolean;
  /** Ends the server and every process it started, and waits until they are gone. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * User settings for a quiet, offline workbench: no welcome page, no update checks or
 * telemetry, no AI chat, and no extension recommendations from a gallery it cannot reach.
 */
export const QUIET_USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
};
const STARTUP_TIMEOUT_MS = 60_000;

/**
 * Starts code-server on loopback without authentication, telemetry or update checks, with
 * the smoke-test driver enabled so that the workbench honours the `payload` URL parameter
 * (extension development path, tests path, extension environment).
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { node24, codeServer } = await ensureToolchain();
  const port = options.port ?? (await findFreePort());
  const logFile = options.logFile ?? path.join(options.userDataDir, 'code-server.log');
  for (const dir of [options.userDataDir, options.extensionsDir]) fs.mkdirSync(dir, { recursive: true });
  writeUserSettings(options.userDataDir, { ...QUIET_USER_SETTINGS, ...options.settings });
  const output = fs.openSync(logFile, 'a');
  const child = spawn(node24, [codeServer, ...serveArgs(options, port)], {
    detached: true,
    stdio: ['ignore', output, output],
    env: { ...serverEnvironment(options.userDataDir), ...options.env },
  });
  fs.closeSync(output);
  const groupId = child.pid;
  if (groupId === undefined) throw new Error(`code-server did not start; see ${logFile}`);

  let exited = false;
  child.once('exit', () => (exited = true));
  const killOnExit = (): void => signalProcessGroup(groupId, 'SIGKILL');
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= killProcessGroup(groupId).finally(() => process.removeListener('exit', killOnExit));
    return stopping;
  };

  const url = `http://${HOST}:${port}/`;
  const ready = await waitUntil(async () => exited || (await answersHealthCheck(url)), STARTUP_TIMEOUT_MS, 250);
  if (!ready || exited) {
    await stop();
    const reason = exited ? 'exited during startup' : `did not answer within ${STARTUP_TIMEOUT_MS / 1000} s`;
    throw new Error(`code-server ${reason}; the end of ${logFile}:\n${tailOfFile(logFile, 30)}`);
  }
  return { url, port, logFile, isRunning: () => !exited, stop };
}

function serveArgs(options: CodeServerOptions, port: number): string[] {
  return [
    ...commonArgs(options.userDataDir, options.extensionsDir),
    '--bind-addr', `${HOST}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
    options.workspace,
  ];
}

/**
 * Installs a packaged extension into `extensionsDir`, offline, as `code-server
 * --install-extension` does for a user.
 */
export async function installExtension(vsixPath: string, extensionsDir: string): Promise<void> {
  const { node24, codeServer } = await ensureToolchain();
  const scratch = makeTempDir('pictory-install-extension-');
  try {
    const logFile = path.join(scratch, 'install.log');
    const userDataDir = path.join(scratch, 'user-data');
    const args = [codeServer, ...commonArgs(userDataDir, extensionsDir), '--install-extension', path.resolve(vsixPath)];
    await runCommand(node24, args, { cwd: scratch, env: serverEnvironment(userDataDir), logFile });
    const output = fs.readFileSync(logFile, 'utf8');
    if (!/successfully installed/i.test(output)) {
      throw new Error(`Installing ${vsixPath} did not report success:\n${tailOfFile(logFile, 20)}`);
    }
  } finally {
    removeTempDir(scratch);
  }
}

export interface WorkbenchPayload {
  /** The folder holding the extension's package.json, loaded as in "Run Extension". */
  extensionDevelopmentPath?: string;
  /** The module (without `.js`) whose `run()` the extension host calls, then exits. */
  extensionTestsPath?: string;
  /** Extra environment variables of the extension host. */
  extensionEnvironment?: Record<string, string>;
}

/** The workbench address for `folder`, with development options passed as the `payload` parameter. */
export function workbenchUrl(server: CodeServer, folder: string, payload: WorkbenchPayload = {}): string {
  const url = new URL(server.url);
  url.searchParams.set('folder', folder);
  const entries = payloadEntries(server, payload);
  if (entries.length > 0) url.searchParams.set('payload', JSON.stringify(entries));
  return url.toString();
}

function payloadEntries(server: CodeServer, payload: WorkbenchPayload): Array<[string, string]> {
  const remotePath = (file: string): string => `vscode-remote://${HOST}:${server.port}${path.resolve(file)}`;
  const entries: Array<[string, string]> = [];
  if (payload.extensionDevelopmentPath) {
    entries.push(['extensionDevelopmentPath', remotePath(payload.extensionDevelopmentPath)]);
  }
  if (payload.extensionTestsPath) entries.push(['extensionTestsPath', remotePath(payload.extensionTestsPath)]);
  if (payload.extensionEnvironment) {
    entries.push(['extensionEnvironment', JSON.stringify(payload.extensionEnvironment)]);
  }
  return entries;
}

/** Writes `<userDataDir>/User/settings.json`. */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}



async function answersHealthCheck(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('healthz', url), { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** A loopback port nobody listens on right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('No free port'))));
    });
  });
}
