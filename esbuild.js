// Builds the extension (dist/) and, with --tests, the test suites (out/).
//   node esbuild.js               development build with source maps
//   node esbuild.js --production  minified, no source maps (what the .vsix ships)
//   node esbuild.js --watch       rebuild on change, reporting problems in VS Code's format
//   node esbuild.js --tests       the test suites, bundled for plain Node
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/**
 * Files the page uses straight from npm packages, copied (not bundled) into dist/ on every
 * build. THIRD_PARTY_NOTICES names each package (test/unit/notices.test.ts checks it).
 */
const COPIED_ASSETS = [
  { package: '@vscode/codicons', files: ['dist/codicon.css', 'dist/codicon.ttf'], to: 'dist/codicons' },
  // FFmpeg's AAC decoder in wasm (LGPL-2.1): a file of its own beside its licence, replaceable.
  { package: 'audio-file-decoder', files: ['decode-audio.wasm', 'LICENSE'], to: 'dist/lgpl' },
];

/**
 * The LGPL decoder's script, converted to CommonJS into dist/lgpl/ and never bundled into the
 * extension's own files (see THIRD_PARTY_NOTICES), loaded only when a clip's sound is decoded.
 */
function lgplOptions() {
  return {
    entryPoints: ['node_modules/audio-file-decoder/dist/audio-file-decoder.js'],
    outfile: 'dist/lgpl/audio-file-decoder.js',
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  };
}

function copyAssets() {
  for (const asset of COPIED_ASSETS) {
    const to = path.join(__dirname, asset.to);
    fs.mkdirSync(to, { recursive: true });
    for (const file of asset.files) {
      fs.copyFileSync(path.join(__dirname, 'node_modules', asset.package, file), path.join(to, path.basename(file)));
    }
  }
}

/** Prints errors the way the `$esbuild-watch` problem matcher expects. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * The extension is four bundles: `extension.js`, loaded on activation, `fetch.js`
 * (node-fetch), required only when the first request is made, and `storyboardParser.js`
 * (the YAML parser), required when the first storyboard is opened; and `soundWorker.js`, the
 * worker thread that decodes a clip's sound with the LGPL decoder in dist/lgpl/.
 */
const EXTENSION_ENTRY_POINTS = {
  extension: 'src/extension.ts',
  main: 'src/main.ts',
  fetch: 'src/pictory/fetch.ts',
  storyboardParser: 'src/storyboard/storyboard.ts',
  soundWorker: 'src/preview/sound/soundWorker.ts',
};

function extensionOptions() {
  return {
    entryPoints: EXTENSION_ENTRY_POINTS,
    outdir: 'dist',
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    external: ['vscode'],
    logLevel: 'warning',
    plugins: watch ? [problemMatcherPlugin] : [],
  };
}

function listFiles(dir, pattern) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full, pattern);
    return pattern.test(entry.name) ? [full] : [];
  });
}

/** Every test entry point, bundled with the sources it imports; packages stay in node_modules. */
function testOptions() {
  const entryPoints = [
    ...listFiles('test/unit', /\.test\.ts$/),
    ...listFiles('test/integration', /(^index|\.test)\.ts$/),
    ...listFiles('test/ui', /\.ts$/),
    ...listFiles('test/harness', /\.ts$/),
    ...listFiles('test/server', /\.ts$/),
    ...listFiles('test/bench', /\.ts$/),
    ...listFiles('test/demo', /\.ts$/),
    ...listFiles('test/electron', /\.ts$/),
  ];
  return {
    entryPoints,
    outdir: 'out/test',
    outbase: 'test',
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    packages: 'external',
    external: ['vscode'],
    logLevel: 'warning',
  };
}

async function main() {
  copyAssets();
  await esbuild.build(lgplOptions());
  if (tests) {
    await esbuild.build(extensionOptions());
    await esbuild.build(testOptions());
    return;
  }
  if (watch) {
    const context = await esbuild.context(extensionOptions());
    await context.watch();
    return;
  }
  await esbuild.build(extensionOptions());
}

module.exports = { COPIED_ASSETS, EXTENSION_ENTRY_POINTS };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
