// `npm run demo`: the extension, packaged and installed, in VS Code in the browser
// (code-server), talking to the loopback Pictory server with the fixture clips. No API key
// and no VS Code installation needed. The UI tests drive this same setup.
//
//   npm run demo -- --port 8080     choose the workbench port (default: a free one)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cleanup, cleanUpOnInterrupt, errorMessage, makeTempDir, removeTempDir } from '../harness/cleanup';
import { CodeServer, findFreePort, installExtension, startCodeServer, workbenchUrl } from '../harness/codeServer';
import { repoRoot } from '../harness/paths';
import { ensureToolchain } from '../harness/toolchain';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';

export const DEMO_KEY = 'pictai_demo_key';

export interface DemoOptions {
  /** The workbench's port; a free one by default. */
  readonly port?: number;
  /** Polls answering "in progress" before a job ends. */
  readonly pollsUntilDone?: number;
  readonly pollingIntervalSeconds?: number;
  /** Extra user settings. */
  readonly settings?: Record<string, unknown>;
}

export interface Demo {
  /** Open this in a browser. */
  readonly url: string;
  readonly pictory: PictoryServer;
  readonly codeServer: CodeServer;
  readonly workspace: string;
  readonly userDataDir: string;
  stop(): Promise<void>;
}

export function vsixPath(): string {
  return path.join(repoRoot(), 'pictory-vscode.vsix');
}

const PROMPTS = `# Video ideas

Select a line (or several, with Alt+Click), then run "Pictory: Generate Video" (F1).

A paper lantern floating over a calm lake at night, slow camera push-in

A red fox running through fresh snow at sunrise, wide shot

A storm over the sea that will #fail to render
`;

function writeWorkspace(root: string): string {
  const workspace = path.join(root, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'prompts.md'), PROMPTS);
  fs.writeFileSync(path.join(workspace, 'notes.md'), '# Notes\n\n');
  return workspace;
}

/** Starts everything; `stop()` ends it all and removes the temporary folder. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  if (!fs.existsSync(vsixPath())) throw new Error(`${vsixPath()} is missing: run \`npm run package\` first`);
  await ensureToolchain();
  const cleanup = new Cleanup();
  try {
    const root = makeTempDir('pictory-demo-');
    cleanup.add('temp folder', () => removeTempDir(root));
    const userDataDir = path.join(root, 'user-data');
    const extensionsDir = path.join(root, 'extensions');
    await installExtension(vsixPath(), extensionsDir);
    const pictory = await startPictoryServer({ pollsUntilDone: options.pollsUntilDone ?? 3 });
    cleanup.add('Pictory test server', () => pictory.close());
    const settings = {
      'pictory.apiBaseUrl': pictory.baseUrl,
      'pictory.pollingIntervalSeconds': options.pollingIntervalSeconds ?? 2,
      'security.workspace.trust.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      ...options.settings,
    };
    const workspace = writeWorkspace(root);
    const port = options.port ?? (await findFreePort());
    const codeServer = await startCodeServer({ workspace, userDataDir, extensionsDir, port, settings, smokeTestDriver: false });
    cleanup.add('code-server', () => codeServer.stop());
    const url = workbenchUrl(codeServer, workspace);
    return { url, pictory, codeServer, workspace, userDataDir, stop: () => cleanup.runAll() };
  } catch (error) {
    await cleanup.runAll();
    throw error;
  }
}

function portArgument(argv: readonly string[]): number | undefined {
  const index = argv.indexOf('--port');
  if (index < 0) return undefined;
  const port = Number(argv[index + 1]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--port needs a port number, not "${argv[index + 1]}"`);
  return port;
}

async function main(): Promise<void> {
  const port = portArgument(process.argv.slice(2));
  console.log('Starting the demo (the first run installs code-server into .cache/, about 2 minutes)…');
  const demo = await startDemo({ port });
  const stopOnce = new Cleanup();
  stopOnce.add('demo', () => demo.stop());
  cleanUpOnInterrupt(stopOnce);
  console.log('');
  console.log(`  Open ${demo.url}`);
  console.log('');
  console.log('  1. In prompts.md, select a line of text.');
  console.log('  2. Press F1 and run "Pictory: Generate Video"; pick a model, an aspect ratio and a duration.');
  console.log(`  3. When asked for the API key, type ${DEMO_KEY} (the local server accepts any key starting with "pictai_").`);
  console.log('');
  console.log(`  The local Pictory server is ${demo.pictory.baseUrl}; everything listens on 127.0.0.1 only.`);
  console.log('  Press Ctrl+C to stop.');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`The demo could not start: ${errorMessage(error)}`);
    process.exit(1);
  });
}
