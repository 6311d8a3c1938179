#!/usr/bin/env node
// `npm test`: build (integration tests spawn the compiled services), look for the browser the e2e tier needs, run
// the jest tiers, and end with one totals line `N passed, N failed, N skipped`. Without Chromium the browser tier is
// skipped (its tests counted as skipped, with a line saying why) instead of failing test by test; as root in CI
// (CI set) it is installed first. Results are also written as JSON (reports/jest-results.json by default) for .ci/run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TIERS = ['unit', 'int', 'e2e'];
const HELP = `usage: npm test [-- [--tiers unit,int,e2e] [--report FILE] [--no-build] [<jest args>]]

Builds dist/, then runs the jest tiers (default all: unit, int = integration on real NATS, e2e = browser) and ends
with the line "N passed, N failed, N skipped". Exit code 0 when nothing failed.

  --tiers LIST    comma-separated tiers to run (default unit,int,e2e)
  --report FILE   where jest's JSON results go (default reports/jest-results.json)
  --no-build      use dist/ as it is (a second run right after a first, as .ci/run's Node 24 run)

The e2e tier needs Chromium at $CHROMIUM_PATH (default /usr/bin/chromium). Without it that tier is skipped and
counted; install it with tools/scripts/setup-browser.sh (Debian's chromium). Run as root with CI set, npm test
installs it itself. The runtime is the node that runs this script (.ci/run also runs unit+int on Node 24).`;

/** Our own options, taken off the front; everything else goes to jest. */
function parseArgs(argv) {
  const out = { tiers: TIERS, report: 'reports/jest-results.json', jest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') out.help = true;
    else if (a === '--tiers') out.tiers = String(argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--report') out.report = argv[++i];
    else if (a === '--no-build') out.noBuild = true;
    else out.jest.push(a);
  }
  const unknown = out.tiers.filter((t) => !TIERS.includes(t));
  if (unknown.length || out.tiers.length === 0) throw new Error(`--tiers takes a comma-separated subset of ${TIERS.join(',')}`);
  if (!out.report) throw new Error('--report needs a file');
  return out;
}

const run = (cmd, args, env = process.env) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
const chromium = () => process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Is the browser there? As root in CI, install it first. Returns undefined when it is usable, else why not. */
function browserProblem() {
  if (existsSync(chromium())) return undefined;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.env.CI && isRoot) {
    console.log('npm test: Chromium is missing; installing it (CI, running as root): tools/scripts/setup-browser.sh');
    if (run('bash', ['tools/scripts/setup-browser.sh']) === 0 && existsSync(chromium())) return undefined;
    return `Chromium could not be installed at ${chromium()}`;
  }
  return `Chromium is not at ${chromium()}`;
}

function totals(file) {
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  // A suite that fails to load or crashes runs no test: count it as one failure so the line cannot hide it.
  const broken = r.numRuntimeErrorTestSuites ?? 0;
  return { passed: r.numPassedTests, failed: r.numFailedTests + broken, skipped: r.numPendingTests + r.numTodoTests, broken, total: r.numTotalTests };
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`npm test: ${e.message}\n\n${HELP}`);
    return 2;
  }
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  const report = path.resolve(root, opts.report);
  mkdirSync(path.dirname(report), { recursive: true });
  rmSync(report, { force: true });
  console.log(`npm test: node ${process.version}, tiers ${opts.tiers.join(', ')}`);

  if (!opts.noBuild && run(process.execPath, ['tools/scripts/build.mjs']) !== 0) {
    console.log('npm test: the build failed (see above); no test was run');
    console.log('0 passed, 1 failed, 0 skipped');
    return 1;
  }
  const env = { ...process.env };
  let skippedWhy;
  if (opts.tiers.includes('e2e')) {
    skippedWhy = browserProblem();
    // The e2e setup file turns every browser test into a skipped one (no hooks run, nothing crashes in cleanup).
    if (skippedWhy) env.TWOKEY_SKIP_BROWSER_TESTS = skippedWhy;
  }
  const jestArgs = [
    'node_modules/jest/bin/jest.js',
    '--maxWorkers=2',
    '--json',
    `--outputFile=${report}`,
    ...opts.jest,
    // Last: the option takes every value after it, so test paths before it stay paths.
    '--selectProjects',
    ...opts.tiers,
  ];
  const status = run(process.execPath, jestArgs, env);
  const t = totals(report);
  if (!t) {
    console.log('npm test: jest wrote no results');
    console.log('0 passed, 1 failed, 0 skipped');
    return 1;
  }
  if (skippedWhy) {
    console.log(`npm test: browser tier skipped: ${skippedWhy}; install it with tools/scripts/setup-browser.sh (or set CHROMIUM_PATH)`);
  }
  if (t.broken) console.log(`npm test: ${t.broken} test suite(s) failed to run`);
  if (t.total === 0) console.log('npm test: no test was executed');
  console.log(`${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  return status !== 0 || t.failed > 0 || t.total === 0 ? 1 : 0;
}

process.exitCode = main();
