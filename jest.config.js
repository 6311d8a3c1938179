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
  // The ACP SDK ships ES modules only: compiled to CommonJS like our own sources (Node itself loads it with require).
  transform: { '^.+\\.ts$': swc, '/node_modules/@agentclientprotocol/sdk/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@agentclientprotocol/sdk/)'],
  moduleNameMapper: pathsToModuleNameMapper(),
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
