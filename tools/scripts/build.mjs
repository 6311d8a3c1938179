#!/usr/bin/env node
// Compiles apps/ and libs/ (TypeScript) to dist/ with swc, rewriting `@twokey/*` aliases to relative paths,
// so `node dist/apps/<app>/src/main.js` runs without any loader. Type checking is `npm run typecheck`.
import { transformFile } from '@swc/core';
import { createRequire } from 'node:module';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { root, paths } = require('./paths.js');

if (process.argv.includes('--help')) {
  console.log('usage: npm run build\n  compiles apps/*/src and libs/*/src to dist/ (skips *.spec.ts)');
  process.exit(0);
}

async function* walk(dir) {
  let entries;
  try { entries = await readdir(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules') yield* walk(p); }
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

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

/**
 * Tests that spawn the compiled services may rebuild while other test workers run them: an unchanged file is left
 * alone and a changed one replaced atomically (write, then rename), so a process never loads a half-written module.
 */
async function writeIfChanged(file, content) {
  if ((await readFile(file, 'utf8').catch(() => undefined)) === content) return;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

const started = Date.now();
let count = 0;
const jobs = [];
for (const top of ['apps', 'libs']) {
  for (const project of await readdir(path.join(root, top)).catch(() => [])) {
    for await (const file of walk(path.join(root, top, project, 'src'))) {
      jobs.push((async () => {
        const out = path.join(root, 'dist', path.relative(root, file)).replace(/\.ts$/, '.js');
        const { code, map } = await transformFile(file, { ...options, filename: file, outputPath: out });
        await mkdir(path.dirname(out), { recursive: true });
        await writeIfChanged(out, code + `\n//# sourceMappingURL=${path.basename(out)}.map\n`);
        if (map) await writeIfChanged(out + '.map', map);
        count++;
      })());
    }
  }
}
await Promise.all(jobs);
console.log(`built ${count} files into dist/ in ${Date.now() - started} ms`);
