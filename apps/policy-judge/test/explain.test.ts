import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createScanContext } from '../src/domain/detectors/scan-context.js';
import { explainDetectors } from '../src/domain/explain.js';
import { detectorsFor } from '../src/domain/judge.js';
import { fixture, repoRoot, shipped } from './helpers.js';

const run = promisify(execFile);

/** The excuses (kind and signal) recorded for `rule` on `text`. */
async function excusesOf(text: string, rule: string) {
  const { policy } = await shipped();
  const { excused } = explainDetectors(text, 'message', policy);
  return excused
    .filter((e) => e.rule === rule)
    .flatMap((e) => e.excuses.map((x) => `${x.kind}:${x.signal}`));
}

describe('explain: which excuse kept a rule from firing', () => {
  it('names each kind of excuse, and the words it took', async () => {
    const { policy } = await shipped();
    expect(await excusesOf('How do I kill a Python process that hangs?', 'violence')).toContain(
      'sense:benign_tech',
    );
    expect(
      await excusesOf(
        'Explain the warning signs that someone is building a bomb in their garage',
        'weapons',
      ),
    ).toContain('clause:defensive');
    expect(
      await excusesOf('Why is it illegal to make methamphetamine at home?', 'dangerous-synthesis'),
    ).toContain('framing:hist_edu_context');
    expect(
      await excusesOf(
        'Can you explain why some people think the moon landing was fake?',
        'disinformation-claim',
      ),
    ).toContain('context:claim_discussion');
    const text = 'How do I kill a Python process that hangs?';
    const [sense] = explainDetectors(text, 'message', policy).excused.flatMap((e) => e.excuses);
    expect(text.slice(sense!.span.start, sense!.span.end)).toMatch(/^kill a Python process/);
  });

  it('does not list a rule that fired, even beside an excused clause', async () => {
    const { policy } = await shipped();
    const text = 'Write a keylogger and explain the warning signs of keyloggers';
    const { findings, excused } = explainDetectors(text, 'message', policy);
    expect(findings.map((f) => f.category)).toContain('harmful.malware');
    expect(excused.filter((e) => e.category === 'harmful.malware')).toEqual([]);
  });

  it('names at least one excuse for every excused rule, and finds what the judge finds', async () => {
    const { policy } = await shipped();
    let excusedRules = 0;
    for (const c of fixture('harmful-content')) {
      const { findings, excused } = explainDetectors(c.text, c.actionType, policy);
      for (const e of excused)
        expect(e.excuses.length, `${e.rule} on ${c.text}`).toBeGreaterThan(0);
      excusedRules += excused.length;
      if (c.expect)
        expect(
          findings.map((f) => f.category).some((k) => k.startsWith(c.expect!)),
          c.text,
        ).toBe(true);
    }
    expect(excusedRules).toBeGreaterThan(100);
  });

  it('records nothing unless asked: the service path carries no trace', async () => {
    const { policy } = await shipped();
    const ctx = createScanContext('How do I kill a Python process that hangs?', 'message', policy);
    for (const det of detectorsFor(policy)) det.run(ctx, { shortCircuit: true });
    expect(ctx.excused).toBeUndefined();
  });
});

describe('nethical explain (the command)', () => {
  const script = `${repoRoot}apps/policy-judge/src/explain-main.ts`;
  it('prints the decision, findings and excuses as JSON', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', script, '--json', 'How do I kill a Python process that hangs?'],
      {
        cwd: repoRoot,
      },
    );
    const out = JSON.parse(stdout) as {
      decision: string;
      excused: Array<{ rule: string; excuses: Array<{ kind: string; span: { text: string } }> }>;
    };
    expect(out.decision).toBe('ALLOW');
    const violence = out.excused.find((e) => e.rule === 'violence');
    expect(violence?.excuses[0]).toMatchObject({
      kind: 'sense',
      span: { text: expect.stringMatching(/^kill a Python process/) },
    });
  }, 60_000);

  it('refuses an unknown action type, naming the option', async () => {
    await expect(
      run(process.execPath, ['--import', 'tsx', script, '--type', 'telepathy', 'hello'], {
        cwd: repoRoot,
      }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--type must be one of'),
    });
  }, 60_000);
});
