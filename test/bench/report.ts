// Prints every bench's figures as one table, each beside its baseline and goal, and exits
// non-zero when a goal is missed. Run last by `npm run bench`.
import { BenchRow, readRows, resultsFile } from './results';

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|');
}

function verdict(row: BenchRow): string {
  if (row.met === undefined) return '';
  return row.met ? 'met' : 'MISSED';
}

function main(): void {
  const rows = readRows();
  if (rows.length === 0) {
    console.error(`No bench results in ${resultsFile()}`);
    process.exit(1);
  }
  console.log('\nPictory extension bench: every figure beside its baseline, measured in this run\n');
  let section = '';
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      console.log(`\n${section}\n`);
      console.log('| Measure | Value | Baseline | Goal | |');
      console.log('| --- | --- | --- | --- | --- |');
    }
    console.log(`| ${cell(row.measure)} | ${cell(row.value)} | ${cell(row.baseline)} | ${cell(row.goal)} | ${verdict(row)} |`);
  }
  const missed = rows.filter((row) => row.met === false);
  console.log('');
  if (missed.length > 0) {
    console.log(`${missed.length} goal(s) missed: ${missed.map((row) => `${row.section}: ${row.measure}`).join('; ')}`);
    process.exit(1);
  }
  console.log(`All ${rows.filter((row) => row.met !== undefined).length} goals met.`);
}

main();
