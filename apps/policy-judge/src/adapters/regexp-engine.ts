import { regexpTierUpFlag, regexpTierUpFlags, regexpTierUpInProcess } from '@nethical/platform';
import { spawn } from 'node:child_process';

/**
 * For the judge's command-line entry points (`nethical eval`, the benches): make sure this
 * process runs regexps with V8's tier-up `enabled` or not, as the service does. When node was
 * started otherwise, run the same script again in a child started with the right flag, and exit
 * with its exit code; the flag cannot be changed safely at run time (see
 * libs/platform/src/regexp-tier-up.ts). Returns when this process is already right.
 *
 * The service does not re-run itself (its pid is what supervisors signal); its launchers pass
 * the flag, and it logs a warning when started without it.
 */
export async function ensureRegExpTierUp(enabled: boolean): Promise<void> {
  if (regexpTierUpInProcess() === enabled) return;
  const args = [
    // Without any tier-up flag node runs V8's default (on), so the flags for `enabled` suffice.
    ...process.execArgv.filter((a) => regexpTierUpFlag(a) === undefined),
    ...regexpTierUpFlags(enabled),
    ...process.argv.slice(1),
  ];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, forward(signal));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  process.exit(code);
}
