'use strict';
// Is dist/ older than the sources? `npm start` rebuilds (tools/scripts/build.mjs) only when it is.
const fs = require('node:fs');
const path = require('node:path');

function newest(dir, match) {
  let max = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) max = Math.max(max, newest(p, match));
    else if (match(e.name)) max = Math.max(max, fs.statSync(p).mtimeMs);
  }
  return max;
}

const isSource = (n) => n.endsWith('.ts') && !n.endsWith('.spec.ts') && !n.endsWith('.d.ts');

/** A reason to build, or undefined when dist/ is current. `mains`: compiled entry points that must exist. */
function buildReason(root, mains) {
  const missing = mains.filter((m) => !fs.existsSync(m));
  if (missing.length) return `${path.relative(root, missing[0])} is missing`;
  let sources = 0;
  for (const top of ['apps', 'libs']) {
    for (const project of fs.readdirSync(path.join(root, top))) sources = Math.max(sources, newest(path.join(root, top, project, 'src'), isSource));
  }
  const built = Math.max(newest(path.join(root, 'dist', 'apps'), (n) => n.endsWith('.js')), newest(path.join(root, 'dist', 'libs'), (n) => n.endsWith('.js')));
  return sources > built ? 'sources changed since the last build' : undefined;
}

module.exports = { buildReason };
