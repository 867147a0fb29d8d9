// `npm run test:electron`: the integration suite in desktop VS Code, through
// @vscode/test-electron. It downloads VS Code unless VSCODE_EXECUTABLE names an installed one
// (e.g. /usr/share/code/code); this needs a display, or xvfb-run on a headless machine.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'pictory-electron-'));
  fs.writeFileSync(path.join(workspace, 'prompts.md'), 'A paper lantern floating over a calm lake at night\n');
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index'),
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`Desktop VS Code tests failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
