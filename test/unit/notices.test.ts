import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '../../..');
/** Licences that let the bundles ship inside an MIT-licensed extension. */
const ALLOWED_LICENCES = new Set(['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', '0BSD']);

/** Every npm package (with its version) that ends up inside the shipped bundles. */
async function bundledPackages(): Promise<Map<string, { version: string; license: string }>> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/extension.ts', 'src/pictory/fetch.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    write: false,
    metafile: true,
    outdir: 'notices-check',
    logLevel: 'silent',
  });
  const packages = new Map<string, { version: string; license: string }>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    if (!name || packages.has(name)) continue;
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string; license: string };
    packages.set(name, manifest);
  }
  return packages;
}

describe('THIRD_PARTY_NOTICES', () => {
  it('names every bundled package, at its version, under a licence an MIT extension may ship', async () => {
    const notices = fs.readFileSync(path.join(root, 'THIRD_PARTY_NOTICES'), 'utf8');
    const packages = await bundledPackages();
    assert.ok(packages.has('node-fetch'), 'node-fetch is bundled');
    for (const [name, { version, license }] of packages) {
      assert.ok(notices.includes(`${name} ${version} (${license})`), `THIRD_PARTY_NOTICES names ${name} ${version} (${license})`);
      assert.ok(ALLOWED_LICENCES.has(license), `${name} is under ${license}`);
    }
  });
});
