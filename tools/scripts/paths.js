// One source of truth for `@twokey/*` aliases: tsconfig.base.json. Jest and the build read it from here.
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));

function pathsToModuleNameMapper() {
  const map = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    const key = '^' + alias.replace(/\//g, '\\/').replace('*', '(.*)') + '$';
    map[key] = path.join(root, target.replace('*', '$1'));
  }
  return map;
}

module.exports = { root, paths: compilerOptions.paths, pathsToModuleNameMapper };
