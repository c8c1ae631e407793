import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './mesh';

/**
 * Run a command that lives in another app (or in perf/) as its own process, so apps never
 * import apps: `nethical eval` runs the judge's evaluation entry point, and so on. Resolves with
 * its exit code. `nodeFlags` go to node before the script (e.g. the judge's regexp flag).
 */
export function delegate(script: string, args: string[], nodeFlags: string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(repoRoot, script), ...args], {
      cwd: process.cwd(),
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
