// The integration suite's entry point: VS Code's extension host loads this module (named by
// `extensionTestsPath`) and calls `run()`. With PICTORY_TEST_RESULTS set, results go to that
// file as mocha's JSON report, for the launcher (test/harness/runIntegration.ts) to read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

const TEST_TIMEOUT_MS = 60_000;

export async function run(): Promise<void> {
  const resultsFile = process.env.PICTORY_TEST_RESULTS;
  try {
    const failures = await runMocha(createMocha(resultsFile));
    if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
  } catch (error) {
    if (resultsFile && !fs.existsSync(resultsFile)) writeRunFailure(resultsFile, error);
    throw error;
  }
}

function createMocha(resultsFile: string | undefined): Mocha {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: TEST_TIMEOUT_MS,
    color: false,
    grep: process.env.PICTORY_TEST_GREP,
    ...(resultsFile ? { reporter: 'json', reporterOptions: { output: resultsFile } } : { reporter: 'spec' }),
  });
  for (const file of fs.readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  return mocha;
}

function runMocha(mocha: Mocha): Promise<number> {
  return new Promise((resolve, reject) => {
    try {
      mocha.run(resolve);
    } catch (error) {
      reject(error);
    }
  });
}

/** A results file in the JSON reporter's shape for a run that broke before mocha reported. */
function writeRunFailure(resultsFile: string, error: unknown): void {
  const failure = {
    title: 'run the integration tests',
    fullTitle: 'run the integration tests',
    err: error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) },
  };
  const results = { stats: { tests: 0, passes: 0, failures: 1, pending: 0 }, tests: [], passes: [], pending: [], failures: [failure] };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
}
