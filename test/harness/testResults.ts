import * as fs from 'node:fs';

/** One test as mocha's `json` reporter writes it. */
export interface MochaJsonTest {
  title: string;
  fullTitle: string;
  duration?: number;
  err: { message?: string; stack?: string };
}

/** The file mocha's `json` reporter writes. */
export interface MochaJsonResults {
  tests: MochaJsonTest[];
  passes: MochaJsonTest[];
  failures: MochaJsonTest[];
  pending: MochaJsonTest[];
}

export interface TestSummary {
  passed: number;
  failed: number;
  skipped: number;
}

/** The results file, or undefined while it is missing or not completely written. */
export function readResults(file: string): MochaJsonResults | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<MochaJsonResults>;
    if (!Array.isArray(parsed.tests) || !Array.isArray(parsed.failures)) return undefined;
    return { tests: parsed.tests, failures: parsed.failures, passes: parsed.passes ?? [], pending: parsed.pending ?? [] };
  } catch {
    return undefined;
  }
}

/** Prints one line per test, failures with their message, and returns the counts. */
export function printResults(results: MochaJsonResults): TestSummary {
  const failed = new Set(results.failures.map((test) => test.fullTitle));
  const skipped = new Set(results.pending.map((test) => test.fullTitle));
  for (const test of results.tests) {
    if (failed.has(test.fullTitle)) printFailure(test);
    else if (skipped.has(test.fullTitle)) console.log(`  - ${test.fullTitle} (skipped)`);
    else console.log(`  ✔ ${test.fullTitle}${test.duration ? ` (${test.duration} ms)` : ''}`);
  }
  // Failures outside any test, such as a failing `before` hook, are not among `tests`.
  const testTitles = new Set(results.tests.map((test) => test.fullTitle));
  results.failures.filter((test) => !testTitles.has(test.fullTitle)).forEach(printFailure);
  return { passed: results.passes.length, failed: results.failures.length, skipped: results.pending.length };
}

/** The closing line `N passed, N failed` (`, N skipped` only when some were). */
export function printSummaryLine({ passed, failed, skipped }: TestSummary): void {
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
}

function printFailure(test: MochaJsonTest): void {
  console.log(`  ✘ ${test.fullTitle}`);
  const detail = test.err.stack ?? test.err.message ?? 'no error message';
  for (const line of detail.split('\n').slice(0, 12)) console.log(`      ${line}`);
}
