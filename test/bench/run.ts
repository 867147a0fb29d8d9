// `npm run bench`: runs every bench in a fresh Node process, one after another (the machine's
// cores are theirs alone), then prints all figures as one table beside their baselines. Exits
// non-zero when a bench fails or a goal is missed. BENCH_ONLY=polling,pacing runs a subset;
// BENCH_APPEND=1 adds to the table of the previous run instead of starting a new one.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { clearResults, recordRow } from './results';

/** In the order they run: quick simulations first, the ones that start browsers or editors last. */
const BENCHES = ['activation', 'polling', 'pacing', 'history', 'gallery', 'download', 'sound', 'codeServerActivation'] as const;

function selected(): readonly string[] {
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim()).filter(Boolean);
  return only?.length ? BENCHES.filter((name) => only.includes(name)) : BENCHES;
}

function main(): void {
  if (process.env.BENCH_APPEND !== '1') clearResults();
  const failed: string[] = [];
  for (const name of selected()) {
    console.log(`\n=== ${name} ===`);
    const result = spawnSync(process.execPath, [path.join(__dirname, `${name}.js`)], { stdio: 'inherit' });
    if (result.status !== 0) {
      failed.push(name);
      recordRow({ section: 'Benches that could not run', measure: name, value: `exit ${result.status ?? result.signal}`, goal: 'runs', met: false });
    }
  }
  const report = spawnSync(process.execPath, [path.join(__dirname, 'report.js')], { stdio: 'inherit' });
  if (failed.length > 0) console.log(`Failed to run: ${failed.join(', ')}`);
  process.exit(report.status === 0 && failed.length === 0 ? 0 : 1);
}

main();
