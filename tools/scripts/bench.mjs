#!/usr/bin/env node
// `npm run bench [-- --quick]`: builds dist/ (apps, libs), compiles bench/ next to it with the same settings, then
// runs dist/bench/run.js. Exit code: the bench's (non-zero only when a benchmark crashed).
import { transformFile } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { root, paths } = require('./paths.js');
const args = process.argv.slice(2);

if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: npm run bench -- [--quick] [--only 1,3] [--profile]

Builds dist/ (npm run build) and bench/, then runs the benchmarks and prints one table: each target, the measured
value, the baseline measured in the same run, the ratio and pass/miss. Every benchmark starts its own nats-server
and runs the services as child processes.

  --quick     smaller loads, under 2 minutes in all
  --only L    only the listed benchmarks: 1 pipeline, 2 latency, 3 event store, 4 replay, 5 flood, 6 start-up,
              7 reply rendering
              8 agent bridge
  --profile   run the services under node --cpu-prof (profiles in reports/bench/profiles)

Exits non-zero only when a benchmark crashed, never for a missed target. See bench/README.md.`);
  process.exit(0);
}

const build = spawnSync(process.execPath, [path.join(root, 'tools/scripts/build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// The same swc settings as tools/scripts/build.mjs, so bench code resolves `@twokey/*` to the compiled libs.
const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    baseUrl: root,
    paths,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
  swcrc: false,
};

async function* walk(dir) {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

const jobs = [];
for await (const file of walk(path.join(root, 'bench'))) {
  jobs.push((async () => {
    const out = path.join(root, 'dist', path.relative(root, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, { ...options, filename: file, outputPath: out });
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, code + `\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    if (map) await writeFile(out + '.map', map);
  })());
}
await Promise.all(jobs);

const run = spawnSync(process.execPath, ['--enable-source-maps', path.join(root, 'dist/bench/run.js'), ...args], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
