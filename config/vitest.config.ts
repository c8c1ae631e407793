import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import tsconfig from '../tsconfig.base.json' with { type: 'json' };

/** The repository root (this file lives in config/). */
const root = fileURLToPath(new URL('..', import.meta.url));
/** Resolve the tsconfig path aliases (`@nethical/*`) the same way tsx does at run time. */
const alias = Object.entries(tsconfig.compilerOptions.paths)
  .filter(([key]) => !key.endsWith('/*'))
  .map(([find, [target]]) => ({ find: new RegExp(`^${find}$`), replacement: `${root}${target}` }))
  .concat([{ find: /^@nethical\/contracts\/(.*)$/, replacement: `${root}libs/contracts/src/$1` }]);

export default defineConfig({
  root,
  resolve: { alias },
  test: {
    include: ['{apps,libs,perf,tools}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Regexps compiled to native code at first use, as the judge runs them (a node start-up flag:
    // libs/platform/src/regexp-tier-up.ts).
    execArgv: ['--no-regexp-tier-up'],
  },
});
