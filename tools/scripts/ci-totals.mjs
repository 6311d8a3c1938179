#!/usr/bin/env node
// .ci/run's last line: the totals of every jest run (one per runtime), `N passed, N failed`, with a line per run
// above it. Usage: node tools/scripts/ci-totals.mjs <name>=<jest json report> ... Exit 1 when any run failed, a
// suite could not run, a report is missing or a run executed no test.
import { existsSync, readFileSync } from 'node:fs';

const runs = process.argv.slice(2).map((arg) => {
  const at = arg.indexOf('=');
  return at > 0 ? { name: arg.slice(0, at), file: arg.slice(at + 1) } : { name: arg, file: arg };
});
if (runs.length === 0) {
  console.error('usage: node tools/scripts/ci-totals.mjs <name>=<jest json report> ...');
  process.exit(2);
}
let passed = 0;
let failed = 0;
let skipped = 0;
let bad = false;
for (const { name, file } of runs) {
  if (!existsSync(file)) {
    console.log(`${name}: jest wrote no results (${file})`);
    failed += 1;
    bad = true;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  // A suite that fails to load or crashes runs no test: count it as one failure so the line cannot hide it.
  const f = r.numFailedTests + r.numRuntimeErrorTestSuites;
  const s = r.numPendingTests + r.numTodoTests;
  console.log(`${name}: ${r.numPassedTests} passed, ${f} failed, ${s} skipped`);
  if (r.numTotalTests === 0) {
    console.log(`${name}: no test was executed`);
    failed += 1;
    bad = true;
  }
  passed += r.numPassedTests;
  failed += f;
  skipped += s;
}
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(bad || failed > 0 ? 1 : 0);
