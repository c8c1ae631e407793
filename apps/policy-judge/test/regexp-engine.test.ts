import { loadConfig } from '@nethical/platform';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const loader = fileURLToPath(new URL('../src/adapters/policy-loader.ts', import.meta.url));
const policyDir = fileURLToPath(new URL('../../../config/policies', import.meta.url));

/**
 * Loads the shipped policy with `regexpTierUp: enabled` in a child process, as the service does,
 * then runs one regexp three times with V8's own trace of regexp compilation on, and returns
 * what V8 printed for it: "bytecode size" when it was run in the interpreter, "native code
 * size" when it was compiled to machine code.
 */
function traceAfter(enabled: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'regexp-engine-'));
  const script = join(dir, 'run.mts');
  writeFileSync(
    script,
    [
      `import { loadPolicy } from ${JSON.stringify(loader)};`,
      `await loadPolicy(${JSON.stringify(policyDir)}, { regexpTierUp: ${enabled} });`,
      `const re = new RegExp('(?:poison|bomb|malware)\\\\s+(?:recipe|kit)', 'i');`,
      `console.log('BEGIN');`,
      `for (let i = 0; i < 3; i++) re.test('a bomb recipe, a malware kit ' + i);`,
      `console.log('END');`,
    ].join('\n'),
  );
  let out: string;
  try {
    out = execFileSync(process.execPath, ['--trace-regexp-tier-up', '--import', 'tsx', script], {
      encoding: 'utf8',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out.slice(out.indexOf('BEGIN'), out.indexOf('END'));
}

describe('regexp engine (NETHICAL_JUDGE_REGEXP_TIER_UP)', () => {
  it('is off by default: the judge compiles its regexps to native code', () => {
    expect(loadConfig({}).config.NETHICAL_JUDGE_REGEXP_TIER_UP).toBe(false);
    expect(
      loadConfig({ NETHICAL_JUDGE_REGEXP_TIER_UP: 'true' }).config.NETHICAL_JUDGE_REGEXP_TIER_UP,
    ).toBe(true);
  });

  it('off: a regexp is compiled to native code at its first run, never interpreted', () => {
    const trace = traceAfter(false);
    expect(trace).toMatch(/native code size/);
    expect(trace).not.toMatch(/bytecode size/);
  });

  it("on: V8's default, the first run is interpreted and a later one tiers up", () => {
    const trace = traceAfter(true);
    expect(trace).toMatch(/bytecode size/);
    expect(trace).toMatch(/needs tier-up compilation/);
  });
});
