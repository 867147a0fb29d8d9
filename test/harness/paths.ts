import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest folder above this script that holds a package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** Where the test toolchain (Node 24, code-server) is installed on first use; ignored by git. */
export function toolchainCacheDir(): string {
  return path.join(repoRoot(), '.cache', 'vscode-test');
}

/** Where test runs leave screenshots and other artefacts worth looking at; ignored by git. */
export function testOutputDir(suite: string): string {
  return path.join(repoRoot(), '.test-output', suite);
}

/**
 * Environment variables that give a program a home of its own under `dir` (created here),
 * so that nothing it writes by default (config, data, caches) lands in the user's home.
 */
export function isolatedHome(dir: string): Record<string, string> {
  const folders = {
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, '.config'),
    XDG_DATA_HOME: path.join(dir, '.local', 'share'),
    XDG_STATE_HOME: path.join(dir, '.local', 'state'),
    XDG_CACHE_HOME: path.join(dir, '.cache'),
  };
  for (const folder of Object.values(folders)) fs.mkdirSync(folder, { recursive: true });
  return folders;
}
