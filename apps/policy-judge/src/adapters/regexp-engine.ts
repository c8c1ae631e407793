import { setFlagsFromString } from 'node:v8';

/**
 * How V8 runs the judge's regular expressions, for the whole process.
 *
 * By default V8 first runs a regexp in its bytecode interpreter and compiles it to native code
 * on a later run ("tier-up"). V8's trace (`--trace-regexp-tier-up`) over the labelled prompts
 * shows 286 of the judge's regexps, the largest among them (up to 1.4 MB of regexp bytecode),
 * never tiering up: they ran in the interpreter for the whole run. Compiled to native code at
 * their first run instead, the judge does 2.5–2.9× as many judgments per second of CPU, p99
 * 10–17 ms → 2.8–3.7 ms (perf/RESULTS.md, "Regexps compiled at first use"). Decisions are the
 * same: both tiers implement the same regexp semantics, and every dataset judgment is identical.
 *
 * A V8 flag, so it is set for the process rather than per regexp. `loadPolicy` sets it before
 * the policy's regexps exist (a regexp that already ran in the interpreter keeps its bytecode
 * when tier-up is then turned off). Node's start-up flag `--no-regexp-tier-up` does the same.
 */
export function setRegExpTierUp(enabled: boolean): void {
  setFlagsFromString(enabled ? '--regexp-tier-up' : '--no-regexp-tier-up');
}
