import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const IO_MODULES = ['nats', '@nestjs/*', 'express', 'ws', 'fs', 'node:*', 'http', 'https', 'net', 'child_process',
  'grammy', 'discord.js', '@slack/*', '@line/*', '@larksuiteoapi/*', 'testcontainers'];

export default [
  { ignores: ['**/node_modules/**', 'dist/**', 'reports/**', '.nx/**', 'coverage/**', 'apps/admin-api/console/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: IO_MODULES },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'], bannedExternalImports: IO_MODULES },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra', 'type:test'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra', 'type:test'] },
          ],
        },
      ],
    },
  },
  {
    // Tests of any project may use the test-support lib (real NATS harness, platform fakes); production code may not.
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/*.contract.ts', '**/contract/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: ['@twokey/test-support', '@twokey/test-support/*'],
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['*'] }],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
