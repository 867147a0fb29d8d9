// Runs the integration tests (out/test/integration/*.test.js) inside the extension host of a
// real VS Code: code-server, shown in headless Chromium. Build first with
// `node esbuild.js --tests`, then: node out/test/harness/runIntegration.js
//
//   KEEP_TEST_OUTPUT=1                  keep the temp folder (user data, logs, results)
//   PICTORY_TEST_TIMEOUT_SECONDS=<n>    time limit for the whole suite (default 300)
//   PICTORY_TEST_GREP=<text>            run only tests whose title contains <text>
//   PICTORY_TEST_*                      passed on to the extension host
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, openWorkbench, saveScreenshot, type BrowserSession } from './browser';
import { Cleanup, cleanUpOnInterrupt, errorMessage, makeTempDir, removeTempDir } from './cleanup';
import { startCodeServer, workbenchUrl, type CodeServer } from './codeServer';
import { extensionHostExited, findExtensionHostLogs, printLogTails } from './extensionHostLogs';
import { repoRoot, testOutputDir } from './paths';
import { waitUntil } from './processes';
import { printResults, printSummaryLine, readResults, type MochaJsonResults, type TestSummary } from './testResults';
import { ensureToolchain } from './toolchain';

const DEFAULT_TIMEOUT_SECONDS = 300;

interface RunLayout {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
  resultsFile: string;
}

/** Counted as the outcome of a run that produced no results. */
const NO_RESULTS: TestSummary = { passed: 0, failed: 1, skipped: 0 };

async function main(): Promise<number> {
  const cleanup = new Cleanup();
  const removeInterruptHandlers = cleanUpOnInterrupt(cleanup);
  const started = Date.now();
  let summary = NO_RESULTS;
  try {
    summary = await runIntegrationTests(cleanup);
  } catch (error) {
    console.error(`Integration run failed: ${errorMessage(error)}`);
  } finally {
    await cleanup.runAll();
    removeInterruptHandlers();
  }
  console.log(`Integration run took ${Math.round((Date.now() - started) / 1000)} s`);
  printSummaryLine(summary);
  return succeeded(summary) ? 0 : 1;
}

function succeeded(summary: TestSummary): boolean {
  return summary.failed === 0 && summary.passed > 0;
}

async function runIntegrationTests(cleanup: Cleanup): Promise<TestSummary> {
  const testsIndex = path.join(repoRoot(), 'out', 'test', 'integration', 'index.js');
  if (!fs.existsSync(testsIndex)) throw new Error(`${testsIndex} is missing: run \`node esbuild.js --tests\` first`);
  await ensureToolchain();

  const layout = createLayout(cleanup);
  const server = await startCodeServer({
    workspace: layout.workspace,
    userDataDir: layout.userDataDir,
    extensionsDir: layout.extensionsDir,
  });
  cleanup.add('code-server', () => server.stop());
  const session = await launchBrowser();
  cleanup.add('browser', () => session.close());

  console.log(`Running integration tests in code-server at ${server.url}`);
  try {
    await openWorkbench(session.page, testRunUrl(server, layout));
  } catch (error) {
    if (cleanup.interrupted) return NO_RESULTS;
    await saveWorkbenchScreenshot(session);
    printDiagnostics(layout, server, session);
    throw error;
  }
  const results = await waitForResults(layout.resultsFile, server);
  if (cleanup.interrupted) return NO_RESULTS;
  await saveWorkbenchScreenshot(session);
  return reportOutcome(results, layout, server, session);
}

/** A throw-away folder with user data, extensions, a small workspace, and the results file. */
function createLayout(cleanup: Cleanup): RunLayout {
  const root = makeTempDir('pictory-integration-');
  cleanup.add('temp folder', () => removeTempDir(root));
  const layout: RunLayout = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    workspace: path.join(root, 'workspace'),
    resultsFile: path.join(root, 'results.json'),
  };
  fs.mkdirSync(layout.workspace, { recursive: true });
  fs.writeFileSync(
    path.join(layout.workspace, 'sample.md'),
    '# Morning routine\n\nA calm morning starts the night before: lay out your clothes, ' +
      'fill the kettle, and put your phone in another room.\n',
  );
  return layout;
}

function testRunUrl(server: CodeServer, layout: RunLayout): string {
  const root = repoRoot();
  return workbenchUrl(server, layout.workspace, {
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index'),
    extensionEnvironment: {
      ...forwardedTestVariables(),
      PICTORY_TEST_RESULTS: layout.resultsFile,
      PICTORY_TEST_WORKSPACE: layout.workspace,
    },
  });
}

/** `PICTORY_TEST_*` variables of this process, for the tests in the extension host. */
function forwardedTestVariables(): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('PICTORY_TEST_') && value !== undefined) forwarded[name] = value;
  }
  return forwarded;
}

/**
 * Waits for the results file. Gives up early when code-server or the extension host
 * exits without writing it (a test module that does not load, for example).
 */
async function waitForResults(resultsFile: string, server: CodeServer): Promise<MochaJsonResults | undefined> {
  const timeoutSeconds = Number(process.env.PICTORY_TEST_TIMEOUT_SECONDS) || DEFAULT_TIMEOUT_SECONDS;
  let results: MochaJsonResults | undefined;
  const ended = (): boolean => !server.isRunning() || extensionHostExited(server.logFile);
  await waitUntil(() => (results = readResults(resultsFile)) !== undefined || ended(), timeoutSeconds * 1000, 250);
  // The file is written before the extension host exits; one last look settles a close race.
  results ??= readResults(resultsFile);
  if (!results) {
    const reason = ended() ? 'before the extension host exited' : `within ${timeoutSeconds} s`;
    console.error(`The tests wrote no results ${reason} (expected ${resultsFile}).`);
  }
  return results;
}

async function saveWorkbenchScreenshot(session: BrowserSession): Promise<void> {
  try {
    const file = await saveScreenshot(session.page, path.join(testOutputDir('integration'), 'workbench.png'));
    console.log(`Screenshot: ${path.relative(process.cwd(), file)}`);
  } catch (error) {
    console.error(`No screenshot: ${errorMessage(error)}`);
  }
}

/** Prints each test's outcome, and on failure the logs that tell why. */
function reportOutcome(
  results: MochaJsonResults | undefined,
  layout: RunLayout,
  server: CodeServer,
  session: BrowserSession,
): TestSummary {
  const summary = results ? printResults(results) : NO_RESULTS;
  if (summary.passed + summary.failed === 0) console.error('No test ran.');
  if (!succeeded(summary)) printDiagnostics(layout, server, session);
  return summary;
}

function printDiagnostics(layout: RunLayout, server: CodeServer, session: BrowserSession): void {
  printLogTails([...findExtensionHostLogs(layout.userDataDir), server.logFile], 60);
  if (session.pageErrors.length > 0) {
    console.log(`\n----- workbench errors (last 20) -----\n${session.pageErrors.slice(-20).join('\n')}`);
  }
}

void main().then((exitCode) => process.exit(exitCode));
