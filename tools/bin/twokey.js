#!/usr/bin/env node
// `npx twokey …`: runs the compiled CLI of apps/admin-api, building dist/ first when it is missing.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/apps/admin-api/src/cli/main.js');

if (!existsSync(cli)) {
  process.stderr.write('twokey: dist/ is missing, building it first (npm run build)…\n');
  const built = spawnSync(process.execPath, [path.join(root, 'tools/scripts/build.mjs')], { cwd: root, stdio: ['ignore', 2, 2] /* keep stdout clean: it may carry NDJSON */ });
  if (built.status !== 0 || !existsSync(cli)) {
    process.stderr.write('twokey: the build failed; run `npm run build` and try again\n');
    process.exit(built.status || 1);
  }
}
require(cli);
