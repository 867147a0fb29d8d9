import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeTempDir } from './cleanup';
import { commonArgs, serverEnvironment } from './codeServerArgs';
import { toolchainCacheDir } from './paths';
import { delay, runCommand, tailOfFile } from './processes';

/**
 * The programs a real-VS Code test run needs. code-server is a complete VS Code build
 * (code-server 4.139.1 is VS Code 1.139.1) that runs on Node 24 and shows its workbench
 * in a browser; Chromium is that browser.
 */
export interface Toolchain {
  /** The Node 24 binary that runs code-server. */
  node24: string;
  /** code-server's entry script, to be run with `node24`. */
  codeServer: string;
  /** The Chromium binary Playwright drives. */
  chromium: string;
}

export const CODE_SERVER_VERSION = '4.139.1';
const NODE_MAJOR = '24';
const MARKER_FILE = 'installed.json';
const LOCK_FILE = 'install.lock';
const INSTALL_LOG = 'install.log';
const LOCK_WAIT_MS = 15 * 60 * 1000;

interface InstalledMarker {
  node: string;
  codeServer: string;
}

const EXPECTED_MARKER: InstalledMarker = { node: NODE_MAJOR, codeServer: CODE_SERVER_VERSION };

/** Native modules that code-server's postinstall compiles; missing ones mean it did not run. */
const NATIVE_MODULES = [
  'lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node',
  'lib/vscode/node_modules/kerberos/build/Release/kerberos.node',
  'lib/vscode/node_modules/@vscode/native-watchdog/build/Release/watchdog.node',
];

/**
 * Returns the toolchain, installing Node 24 and code-server into `.cache/vscode-test/`
 * on first use (about 2 minutes and 600 MB). Later calls find the install marker and
 * return at once. Concurrent callers wait for one another.
 */
export async function ensureToolchain(): Promise<Toolchain> {
  const chromium = findChromium();
  const cacheDir = toolchainCacheDir();
  const toolchain = { ...toolchainPaths(cacheDir), chromium };
  if (isInstalled(cacheDir)) return toolchain;
  await withInstallLock(cacheDir, async () => {
    if (!isInstalled(cacheDir)) await install(cacheDir);
  });
  return toolchain;
}

/** Chromium from `CHROME_PATH`, else Debian's `/usr/bin/chromium`. */
export function findChromium(): string {
  const candidate = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(candidate)) {
    throw new Error('Chromium not found: install it with `sudo apt-get install chromium` or set CHROME_PATH');
  }
  return candidate;
}

function toolchainPaths(cacheDir: string): Omit<Toolchain, 'chromium'> {
  return {
    node24: path.join(nodeProjectDir(cacheDir), 'node_modules', 'node', 'bin', 'node'),
    codeServer: path.join(codeServerPackageDir(cacheDir), 'out', 'node', 'entry.js'),
  };
}

/** Node 24 and code-server live in separate npm projects: installing one must not prune the other. */
function nodeProjectDir(cacheDir: string): string {
  return path.join(cacheDir, 'node24');
}

function codeServerProjectDir(cacheDir: string): string {
  return path.join(cacheDir, 'code-server');
}

function codeServerPackageDir(cacheDir: string): string {
  return path.join(codeServerProjectDir(cacheDir), 'node_modules', 'code-server');
}

/** The C headers of the Node 24 package, which code-server's native modules compile against. */
function node24HeadersDir(cacheDir: string): string {
  return path.join(nodeProjectDir(cacheDir), 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
}

function isInstalled(cacheDir: string): boolean {
  const marker = readMarker(cacheDir);
  if (marker?.node !== EXPECTED_MARKER.node || marker.codeServer !== EXPECTED_MARKER.codeServer) return false;
  return Object.values(toolchainPaths(cacheDir)).every((file) => fs.existsSync(file));
}

function readMarker(cacheDir: string): InstalledMarker | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(cacheDir, MARKER_FILE), 'utf8')) as InstalledMarker;
  } catch {
    return undefined;
  }
}

async function install(cacheDir: string): Promise<void> {
  const relativeDir = path.relative(process.cwd(), cacheDir) || cacheDir;
  const logFile = path.join(cacheDir, INSTALL_LOG);
  fs.rmSync(path.join(cacheDir, MARKER_FILE), { force: true });
  fs.writeFileSync(logFile, '');
  const started = Date.now();
  console.log(`Installing Node ${NODE_MAJOR} into ${relativeDir} (first run only)`);
  await installNode24(cacheDir, logFile);
  console.log(`Installing code-server ${CODE_SERVER_VERSION} into ${relativeDir} (first run only, about 2 minutes)`);
  await installCodeServer(cacheDir, logFile);
  verifyCodeServer(cacheDir, logFile);
  fs.writeFileSync(path.join(cacheDir, MARKER_FILE), JSON.stringify(EXPECTED_MARKER, null, 2) + '\n');
  console.log(`Toolchain ready in ${Math.round((Date.now() - started) / 1000)} s (log: ${logFile})`);
}

async function installNode24(cacheDir: string, logFile: string): Promise<void> {
  const dir = nodeProjectDir(cacheDir);
  // The `node` package's preinstall fetches the binary package for this platform.
  resetNpmProject(dir, 'pictory-vscode-test-node', { node: true });
  await runCommand('npm', npmInstallArgs(`node@${NODE_MAJOR}`), { cwd: dir, env: environmentOutsideNpm(), logFile });
  const version = execFileSync(toolchainPaths(cacheDir).node24, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${NODE_MAJOR}.`)) {
    throw new Error(`Expected Node ${NODE_MAJOR} in ${dir}, found ${version}`);
  }
}

/** code-server's `kerberos` module compiles against the system's GSSAPI headers. */
function requireKerberosHeaders(): void {
  if (process.platform !== 'linux' || fs.existsSync('/usr/include/gssapi/gssapi.h')) return;
  throw new Error(
    'code-server needs the Kerberos development headers to build: install them with `sudo apt-get install libkrb5-dev` (Debian, Ubuntu) or `sudo dnf install krb5-devel` (Fedora)',
  );
}

/**
 * code-server's postinstall runs `npm install` inside its bundled VS Code, compiling native
 * modules with node-gyp; they must match Node 24, so Node 24 comes first on PATH and
 * node-gyp takes Node 24's headers.
 */
async function installCodeServer(cacheDir: string, logFile: string): Promise<void> {
  requireKerberosHeaders();
  const dir = codeServerProjectDir(cacheDir);
  resetNpmProject(dir, 'pictory-vscode-test-code-server', { 'code-server': true, argon2: true });
  const env = {
    ...environmentOutsideNpm(),
    PATH: `${path.dirname(toolchainPaths(cacheDir).node24)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: node24HeadersDir(cacheDir),
  };
  await runCommand('npm', npmInstallArgs(`code-server@${CODE_SERVER_VERSION}`), { cwd: dir, env, logFile });
}

/**
 * This process's environment without the `npm_*` variables an enclosing `npm test` sets:
 * npm reads them as its own configuration, and code-server's postinstall would take the
 * outer npm's user agent (naming the machine's Node, not Node 24) as its own.
 */
function environmentOutsideNpm(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
}

function npmInstallArgs(spec: string): string[] {
  return ['install', '--save-exact', '--no-audit', '--no-fund', spec];
}

/** Starts an npm project from scratch, allowing the install scripts the toolchain needs. */
function resetNpmProject(dir: string, name: string, allowScripts: Record<string, boolean>): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    name,
    private: true,
    description: 'Toolchain for running the extension in a real VS Code (code-server); installed by test/harness/toolchain.ts.',
    allowScripts,
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
}

function verifyCodeServer(cacheDir: string, logFile: string): void {
  const packageDir = codeServerPackageDir(cacheDir);
  const missing = NATIVE_MODULES.filter((file) => !fs.existsSync(path.join(packageDir, file)));
  if (missing.length > 0) {
    throw new Error(
      `code-server's native modules were not built (its postinstall did not run or failed): ${missing.join(', ')}\n` +
        `The end of ${logFile}:\n${tailOfFile(logFile, 40)}`,
    );
  }
  const { node24, codeServer } = toolchainPaths(cacheDir);
  const scratch = makeTempDir('pictory-code-server-version-');
  try {
    // Even `--version` writes a default config file unless it is given one.
    const output = execFileSync(node24, [codeServer, ...commonArgs(path.join(scratch, 'data'), path.join(scratch, 'ext')), '--version'], {
      encoding: 'utf8',
      env: serverEnvironment(path.join(scratch, 'data')),
    });
    const found = reportedVersion(output);
    if (found !== CODE_SERVER_VERSION) {
      throw new Error(`Expected code-server ${CODE_SERVER_VERSION}, found ${found ?? 'no version'} in: ${output.trim()}`);
    }
  } finally {
    removeTempDir(scratch);
  }
}

/** The version `code-server --version` reports (`4.139.1 <commit> with Code 1.139.1`), on whichever line it stands. */
export function reportedVersion(output: string): string | undefined {
  return /^(\d+\.\d+\.\d+)\s+[0-9a-f]{7,}/m.exec(output)?.[1];
}

/** Runs `action` while holding the cache's install lock; a lock left by a dead process is taken over. */
async function withInstallLock(cacheDir: string, action: () => Promise<void>): Promise<void> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const lockFile = path.join(cacheDir, LOCK_FILE);
  await acquireLock(lockFile);
  try {
    await action();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

async function acquireLock(lockFile: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    if (tryCreateLock(lockFile)) return;
    if (!lockHolderAlive(lockFile)) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockFile}`);
    if (!announced) console.log(`Waiting for another process to finish installing the toolchain (${lockFile})`);
    announced = true;
    await delay(1000);
  }
}

function tryCreateLock(lockFile: string): boolean {
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

function lockHolderAlive(lockFile: string): boolean {
  let content: string;
  let ageMs: number;
  try {
    content = fs.readFileSync(lockFile, 'utf8');
    ageMs = Date.now() - fs.statSync(lockFile).mtimeMs;
  } catch {
    return false;
  }
  const pid = Number(content);
  // A lock without a pid yet is being written, unless it has been like that for a while.
  if (content === '') return ageMs < 10_000;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
