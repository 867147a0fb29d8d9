import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '../../..');
/** Licences that let the bundles ship inside an MIT-licensed extension. */
const ALLOWED_LICENCES = new Set(['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', '0BSD']);
/** Files shipped as they are (icons, fonts) may also be under an attribution licence. */
const ALLOWED_ASSET_LICENCES = new Set([...ALLOWED_LICENCES, 'CC-BY-4.0']);
/** A library under the LGPL ships only as files of their own in this folder, beside its licence, so that it can be replaced. */
const LGPL_FOLDER = 'dist/lgpl';
const ALLOWED_SEPARATE_LICENCES = new Set(['LGPL-2.1-or-later', 'LGPL-2.1', 'LGPL-3.0-or-later']);

interface Manifest {
  version: string;
  license: string;
}

function manifest(name: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as Manifest;
}

interface CopiedAsset {
  package: string;
  files: string[];
  to: string;
}

/** What the build copies into dist/ as it is (listed in esbuild.js). */
function copiedAssets(): CopiedAsset[] {
  // Read at run time from the repository, not bundled into this test.
  const build = require(path.join(root, 'esbuild.js')) as { COPIED_ASSETS: CopiedAsset[] };
  return build.COPIED_ASSETS;
}

/** The shipped bundles' entry points (listed in esbuild.js). */
function entryPoints(): string[] {
  const build = require(path.join(root, 'esbuild.js')) as { EXTENSION_ENTRY_POINTS: Record<string, string> };
  return Object.values(build.EXTENSION_ENTRY_POINTS);
}

/** Every npm package (with its version) that ends up inside the shipped bundles. */
async function bundledPackages(): Promise<Map<string, Manifest>> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entryPoints(),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    write: false,
    metafile: true,
    outdir: 'notices-check',
    logLevel: 'silent',
  });
  const packages = new Map<string, Manifest>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    if (!name || packages.has(name)) continue;
    packages.set(name, manifest(name));
  }
  return packages;
}

describe('THIRD_PARTY_NOTICES', () => {
  it('names every bundled package, at its version, under a licence an MIT extension may ship', async () => {
    const notices = fs.readFileSync(path.join(root, 'THIRD_PARTY_NOTICES'), 'utf8');
    const packages = await bundledPackages();
    assert.ok(packages.has('node-fetch'), 'node-fetch is bundled');
    assert.ok(packages.has('yaml'), 'the storyboard parser is bundled');
    for (const [name, { version, license }] of packages) {
      assert.ok(notices.includes(`${name} ${version} (${license})`), `THIRD_PARTY_NOTICES names ${name} ${version} (${license})`);
      assert.ok(ALLOWED_LICENCES.has(license), `${name} is under ${license}`);
    }
  });

  it('names every package whose files are shipped as they are, at its version, under a licence they may ship under', () => {
    const notices = fs.readFileSync(path.join(root, 'THIRD_PARTY_NOTICES'), 'utf8');
    const copied = copiedAssets();
    assert.ok(copied.some((asset) => asset.package === '@vscode/codicons'), 'the codicons are shipped');
    for (const asset of copied) {
      const { version, license } = manifest(asset.package);
      assert.ok(notices.includes(`${asset.package} ${version} (${license})`), `THIRD_PARTY_NOTICES names ${asset.package} ${version} (${license})`);
      if (asset.to === LGPL_FOLDER) {
        assert.ok(ALLOWED_SEPARATE_LICENCES.has(license), `${asset.package} is under ${license}`);
        assert.ok(asset.files.includes('LICENSE'), `${asset.package}'s licence is shipped beside it`);
      } else {
        assert.ok(ALLOWED_ASSET_LICENCES.has(license), `${asset.package} is under ${license}`);
      }
    }
  });

  it('keeps the LGPL decoder out of the extension\'s own bundles, and ships it as its own files', async () => {
    const bundled = await bundledPackages();
    assert.ok(!bundled.has('audio-file-decoder'), 'not bundled');
    const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
    assert.ok(ignore.split('\n').includes(`!${LGPL_FOLDER}/**`), 'packaged');
  });
});
