// One linter for the repo: typescript-eslint + Nx module boundaries. Run with `npm run lint`.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'libs/contracts/src/gen/**', '**/dist/**', '.nx/**', '.data/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'error',
    },
  },
  {
    // Domain code is pure: no Redis, PostgreSQL or gRPC clients (STYLE.md).
    files: ['apps/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['ioredis', 'pg', '@grpc/grpc-js', '@electric-sql/pglite'], patterns: ['**/adapters/**'] },
      ],
    },
  },
  {
    // Command-line tools and tests talk to a terminal.
    files: ['apps/cli/**/*.ts', '**/*.test.ts', '**/*.bench.ts', 'perf/**/*.ts', '**/train/**/*.ts', '**/eval/**/*.ts', '**/cli/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
