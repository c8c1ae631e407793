import { loadConfig } from './config';

/**
 * V8's regexp tier-up, as a Node.js start-up flag.
 *
 * By default V8 runs a regexp in its bytecode interpreter first and compiles it to native code
 * on a later run. The judge's largest regexps never tier up, so the judge runs with
 * `--no-regexp-tier-up`: each regexp is compiled to native code at its first run (2.5–2.9× the
 * judgments per second of CPU, perf/RESULTS.md). `NETHICAL_JUDGE_REGEXP_TIER_UP=true` keeps
 * V8's default.
 *
 * The flag must be on node's command line. Setting it at run time (`v8.setFlagsFromString`)
 * after the process has run regexps crashed test workers with SIGSEGV in 2–4 of 8 runs, and Node
 * documents such changes as able to crash the process. Every launcher passes these flags
 * (the mesh, the container image, the systemd unit, `nethical eval`, the benches) and the judge
 * says at start when the flag it was given and its configuration disagree.
 */

/** The node flags that start a process with regexp tier-up `enabled` (V8's default) or off. */
export function regexpTierUpFlags(enabled: boolean): string[] {
  return enabled ? [] : ['--no-regexp-tier-up'];
}

/**
 * Whether V8 tiers regexps up in a process started with `execArgv`: the last tier-up flag
 * given wins (V8 reads dashes and underscores alike), and without one it is V8's default, on.
 */
export function regexpTierUpInProcess(execArgv: readonly string[] = process.execArgv): boolean {
  let enabled = true;
  for (const arg of execArgv) enabled = regexpTierUpFlag(arg) ?? enabled;
  return enabled;
}

/** What one node argument says of regexp tier-up: on, off, or nothing (not a tier-up flag). */
export function regexpTierUpFlag(arg: string): boolean | undefined {
  const name = arg.replaceAll('_', '-');
  if (name === '--regexp-tier-up') return true;
  if (name === '--no-regexp-tier-up') return false;
  return undefined;
}

/**
 * The node flags the judge needs at start, from its environment: without V8's regexp tier-up
 * unless NETHICAL_JUDGE_REGEXP_TIER_UP is true. An invalid setting adds nothing here; the judge
 * itself then refuses it, naming the variable.
 */
export function judgeNodeFlags(env: NodeJS.ProcessEnv): string[] {
  let enabled: boolean;
  try {
    enabled = loadConfig(env).config.NETHICAL_JUDGE_REGEXP_TIER_UP;
  } catch {
    return [];
  }
  return regexpTierUpFlags(enabled);
}
