import { judgeNodeFlags, loadConfig, regexpTierUpInProcess } from '@nethical/platform';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const loader = fileURLToPath(new URL('../src/adapters/policy-loader.ts', import.meta.url));
const engine = fileURLToPath(new URL('../src/adapters/regexp-engine.ts', import.meta.url));
const policyDir = fileURLToPath(new URL('../../../config/policies', import.meta.url));
const containerfile = fileURLToPath(new URL('../../../deploy/containers/Containerfile', import.meta.url));

/**
 * Starts node with `flags` (as the mesh starts the judge), loads the shipped policy, then runs
 * one regexp three times with V8's own trace of regexp compilation on, and returns what V8
 * printed for it: "bytecode size" when it ran in the interpreter, "native code size" when it was
 * compiled to machine code. `prelude` runs first in the child.
 */
function traceWith(flags: string[], prelude = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'regexp-engine-'));
  const script = join(dir, 'run.mts');
  writeFileSync(
    script,
    [
      prelude,
      `import { loadPolicy } from ${JSON.stringify(loader)};`,
      `await loadPolicy(${JSON.stringify(policyDir)});`,
      `const re = new RegExp('(?:poison|bomb|malware)\\\\s+(?:recipe|kit)', 'i');`,
      `console.log('BEGIN');`,
      `for (let i = 0; i < 3; i++) re.test('a bomb recipe, a malware kit ' + i);`,
      `console.log('END');`,
    ].join('\n'),
  );
  let out: string;
  try {
    out = execFileSync(process.execPath, [...flags, '--trace-regexp-tier-up', '--import', 'tsx', script], {
      encoding: 'utf8',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out.slice(out.indexOf('BEGIN'), out.indexOf('END'));
}

describe('regexp engine (NETHICAL_JUDGE_REGEXP_TIER_UP, a node start-up flag)', () => {
  it('is off by default: the judge is started with --no-regexp-tier-up', () => {
    expect(loadConfig({}).config.NETHICAL_JUDGE_REGEXP_TIER_UP).toBe(false);
    expect(judgeNodeFlags({})).toEqual(['--no-regexp-tier-up']);
    expect(judgeNodeFlags({ NETHICAL_JUDGE_REGEXP_TIER_UP: 'true' })).toEqual([]);
    // An invalid value is the judge's to refuse, by name; the launcher adds nothing.
    expect(judgeNodeFlags({ NETHICAL_JUDGE_REGEXP_TIER_UP: 'maybe' })).toEqual([]);
    // The image starts the judge with the same flag.
    expect(readFileSync(containerfile, 'utf8')).toMatch(
      /CMD \["node", "--no-regexp-tier-up", "dist\/services\/policy-judge\.mjs"\]/,
    );
  });

  it('reads the flag a process was started with: the last one wins, underscores as dashes', () => {
    expect(regexpTierUpInProcess([])).toBe(true);
    expect(regexpTierUpInProcess(['--no-regexp-tier-up'])).toBe(false);
    expect(regexpTierUpInProcess(['--no_regexp_tier_up', '--inspect'])).toBe(false);
    expect(regexpTierUpInProcess(['--no-regexp-tier-up', '--regexp-tier-up'])).toBe(true);
    expect(regexpTierUpInProcess(['--regexp_tier_up', '--no-regexp-tier-up'])).toBe(false);
    // These tests run as the judge does (config/vitest.config.ts).
    expect(regexpTierUpInProcess()).toBe(false);
  });

  it('off: a regexp is compiled to native code at its first run, never interpreted', () => {
    const trace = traceWith(judgeNodeFlags({}));
    expect(trace).toMatch(/native code size/);
    expect(trace).not.toMatch(/bytecode size/);
  });

  it("on: V8's default, the first run is interpreted and a later one tiers up", () => {
    const trace = traceWith(judgeNodeFlags({ NETHICAL_JUDGE_REGEXP_TIER_UP: 'true' }));
    expect(trace).toMatch(/bytecode size/);
    expect(trace).toMatch(/needs tier-up compilation/);
  });

  it('a script started without the flag re-runs itself under it (eval, benches)', () => {
    const prelude = [
      `import { ensureRegExpTierUp } from ${JSON.stringify(engine)};`,
      `await ensureRegExpTierUp(false);`,
    ].join('\n');
    const trace = traceWith([], prelude);
    expect(trace).toMatch(/native code size/);
    expect(trace).not.toMatch(/bytecode size/);
  });
});
