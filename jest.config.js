// Test tiers by suffix: *.spec.ts (unit, no I/O), *.int.spec.ts (real NATS / processes), *.e2e.spec.ts (browser).
const { pathsToModuleNameMapper } = require('./tools/scripts/paths');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const common = {
  testEnvironment: 'node',
  // commander, the ACP SDK and marked ship ES modules only: the first two are compiled like our sources, marked is
  // loaded from its UMD build (Node itself requires the ESM builds).
  transform: { '^.+\\.ts$': swc, '/node_modules/(commander|@agentclientprotocol/sdk)/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(commander|@agentclientprotocol/sdk)/)'],
  moduleNameMapper: { ...pathsToModuleNameMapper(), '^marked$': '<rootDir>/node_modules/marked/lib/marked.umd.js' },
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
  modulePathIgnorePatterns: ['<rootDir>/dist'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/?(*.)spec.ts'], testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$', '/node_modules/'] },
    { ...common, displayName: 'int', testMatch: ['**/*.int.spec.ts'], setupFilesAfterEnv: ['<rootDir>/tools/jest/int-setup.js'] },
    { ...common, displayName: 'e2e', testMatch: ['**/*.e2e.spec.ts'], setupFilesAfterEnv: ['<rootDir>/tools/jest/e2e-setup.js'] },
  ],
};
