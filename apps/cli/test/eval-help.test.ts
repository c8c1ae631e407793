import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');

describe('nethical eval --help', () => {
  it('prints the options and exits 0 without running any evaluation', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'apps/cli/src/nethical.ts', 'eval', '--help'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--data <dir>');
    expect(run.stdout).not.toContain('ml-scorer model');
    expect(run.stdout).not.toContain('recall');
  });
});
