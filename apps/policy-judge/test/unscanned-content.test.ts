import { describe, expect, it } from 'vitest';
import { scannedPrefix } from '../src/domain/judge.js';
import { action, makeJudge, shipped } from './helpers.js';

describe('content beyond the scan limit', () => {
  it('never reaches the audit trail: a 900 KB action with an e-mail and an AWS key near its end', async () => {
    const { judge } = await makeJudge();
    const { policy } = await shipped();
    const max = policy.file.limits.maxContentChars;
    const filler = 'The quarterly figures look fine and the team agrees. '
      .repeat(Math.ceil(900_000 / 53))
      .slice(0, 900_000);
    const tail =
      ' Contact jane.doe@example.com, key AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const out = await judge.judge(action(filler + tail));
    expect(max).toBeLessThan(900_000);
    expect(out.redactedContent).not.toContain('jane.doe@example.com');
    expect(out.redactedContent).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(out.redactedContent).toMatch(/\[UNSCANNED_\d+_CHARACTERS_WITHHELD\]$/);
    expect(out.redactedContent.length).toBeLessThanOrEqual(max + 64);
    expect(out.decision).not.toBe('ALLOW');
    expect(out.findings.map((f) => f.category)).toContain('system_limits.oversize');
  });

  it('still redacts what it scanned, and keeps short content whole', async () => {
    const { judge } = await makeJudge();
    const out = await judge.judge(action('Mail jane.doe@example.com the report.'));
    expect(out.redactedContent).not.toContain('jane.doe@example.com');
    expect(out.redactedContent).not.toContain('UNSCANNED');
  });

  it('cuts at whitespace so a token straddling the limit is withheld whole', () => {
    expect(scannedPrefix('abc', 10)).toBe('abc');
    expect(scannedPrefix('aaaa bbbbbbbb', 8)).toBe('aaaa ');
    expect(scannedPrefix('x'.repeat(1000), 500)).toHaveLength(500);
    expect(scannedPrefix(`${'x'.repeat(499)}\u{1F600}`, 500)).toHaveLength(499);
  });
});
