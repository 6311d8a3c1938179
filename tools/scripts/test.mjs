#!/usr/bin/env node
// `npm test`: build (integration tests spawn the compiled services), then every jest tier.
// Results are also written as JSON to reports/jest-results.json for .ci/run's totals line.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

if (process.argv.includes('--help')) {
  console.log('usage: npm test [-- <jest args>]\n  builds dist/, then runs jest (unit, int, e2e) and writes reports/jest-results.json');
  process.exit(0);
}
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status ?? 1;

if (run('node', ['tools/scripts/build.mjs']) !== 0) process.exit(1);
mkdirSync('reports', { recursive: true });
const jestArgs = ['--maxWorkers=2', '--json', '--outputFile=reports/jest-results.json', ...process.argv.slice(2)];
process.exit(run('node', ['node_modules/jest/bin/jest.js', ...jestArgs]));
