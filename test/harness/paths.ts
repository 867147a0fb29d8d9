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
