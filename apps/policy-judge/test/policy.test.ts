import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicy, watchPolicy } from '../src/adapters/policy-loader.js';
import { PolicyValidationError } from '../src/domain/errors.js';
import { compilePolicy, type CompiledPolicy } from '../src/domain/policy/compile-policy.js';
import { createPolicyHandle } from '../src/domain/policy/policy-handle.js';
import {
  checkSafePattern,
  matchesEmpty,
  mayMatchEmpty,
} from '../src/domain/policy/safe-pattern.js';
import { compileTaxonomy } from '../src/domain/taxonomy/taxonomy.js';
import { policyDir } from './helpers.js';

describe('safe pattern subset', () => {
  it.each([
    ['\\bignore\\b[^.\\n]{0,40}\\binstructions\\b'],
    ['\\brm\\s+-rf\\s{1,3}/'],
    ['(?:a|b)? c'],
  ])('accepts %s', (p) => expect(checkSafePattern(p)).toEqual([]));
  it.each([
    ['(a+)+', /repeated group/],
    ['(a|aa)*b', /repeated group/],
    ['(\\w)\\1', /backreference/],
    ['foo(?=bar)', /lookaround/],
    ['.*x', /unbounded/],
    ['\\w+y', /unbounded/],
    ['a{0,500}', /exceeds/],
    ['x?', /empty string/],
    ['[abc', /unterminated/],
  ])('rejects %s', (p, why) => expect(checkSafePattern(p).join('; ')).toMatch(why));
  it.each([['x?'], ['\\s*'], ['(?:a|)'], ['(?:foo)?(?:bar){0,2}'], ['^'], ['\\B'], ['a{0}']])(
    'may match the empty string, read without compiling: %s',
    (p) => expect(mayMatchEmpty(p)).toBe(true),
  );
  it('says a pattern cannot match the empty string only when it cannot (every shipped pattern)', async () => {
    const shipped = await loadPolicy(policyDir);
    const patterns = [
      ...Object.values(shipped.file.signals).flat(),
      'a|b?',
      '\\bx\\b',
      '[^a]{1,2}',
    ];
    let certain = 0;
    for (const p of patterns) {
      if (mayMatchEmpty(p)) continue;
      certain++;
      expect(matchesEmpty(p), p).toBe(false);
    }
    expect(certain).toBeGreaterThan(patterns.length * 0.9);
  });
});

describe('policy validation', () => {
  it('the shipped policy compiles and records name@version+sha', async () => {
    const p = await loadPolicy(policyDir);
    expect(p.revision).toMatch(/^nethical-default@1\.9\.8\+[0-9a-f]{12}$/);
    expect(p.detectors.length).toBeGreaterThan(8);
  });
  it('reports every problem at once', async () => {
    const good = JSON.parse(await readFile(join(policyDir, 'default.json'), 'utf8'));
    const bad = structuredClone(good);
    bad.signals.override = ['(a+)+b', '(?<=x)y'];
    bad.decision.warnAt = 7;
    bad.detectors['prompt-injection'].rules[0].all = ['no_such_signal'];
    try {
      compilePolicy(JSON.stringify(bad), 'bad.json');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyValidationError);
      // Schema errors come first (warnAt); pattern and reference errors are reported together after.
      expect((err as PolicyValidationError).issues.join('\n')).toMatch(/warnAt/);
    }
    delete bad.decision.warnAt;
    bad.decision.warnAt = 0.3;
    try {
      compilePolicy(JSON.stringify(bad), 'bad.json');
      expect.unreachable();
    } catch (err) {
      const issues = (err as PolicyValidationError).issues;
      expect(issues.some((i) => /repeated group/.test(i))).toBe(true);
      expect(issues.some((i) => /lookaround/.test(i))).toBe(true);
      expect(issues.some((i) => /unknown signal 'no_such_signal'/.test(i))).toBe(true);
    }
  });
  it('refuses scan chunks no longer than their overlap (the scan would not advance)', async () => {
    const bad = JSON.parse(await readFile(join(policyDir, 'default.json'), 'utf8'));
    bad.limits.scanChunkChars = 256;
    expect(() => compilePolicy(JSON.stringify(bad), 'bad.json')).toThrow(/limits\.scanChunkChars/);
  });
  it('names the pattern of a signal that matches the empty string', async () => {
    const bad = JSON.parse(await readFile(join(policyDir, 'default.json'), 'utf8'));
    bad.signals.override = [...bad.signals.override, 'x?', '\\bfine\\b'];
    bad.signals.refusal = ['\\s*'];
    const n = bad.signals.override.length;
    try {
      compilePolicy(JSON.stringify(bad), 'bad.json');
      expect.unreachable();
    } catch (err) {
      const issues = (err as PolicyValidationError).issues.filter((i) => /empty string/.test(i));
      expect(issues).toEqual([
        `signals.override[${n - 2}] "x?": matches the empty string`,
        String.raw`signals.refusal[0] "\\s*": matches the empty string`,
      ]);
    }
  });
  it('expands {{fragments}} in signals (nested), checks the result, and names unknown or cyclic ones', async () => {
    const good = JSON.parse(await readFile(join(policyDir, 'default.json'), 'utf8'));
    const withFragments = structuredClone(good);
    withFragments.fragments = { ...good.fragments, pet: '(?:cat|{{big_dog}})', big_dog: 'big dog' };
    withFragments.signals.override = ['\\bmy {{pet}}\\b'];
    const p = compilePolicy(JSON.stringify(withFragments), 'ok.json');
    expect(p.file.signals.override).toEqual(['\\bmy (?:cat|big dog)\\b']);
    expect(p.signals.get('override')!.re.test('feed my big dog')).toBe(true);
    const bad = structuredClone(withFragments);
    bad.fragments.loop_a = 'x{{loop_b}}';
    bad.fragments.loop_b = 'y{{loop_a}}';
    bad.fragments.wide = '[^.]{0,200}';
    bad.signals.override = ['{{nope}}', 'a{{loop_a}}', 'b{{wide}}c'];
    try {
      compilePolicy(JSON.stringify(bad), 'bad.json');
      expect.unreachable();
    } catch (err) {
      const issues = (err as PolicyValidationError).issues.join('\n');
      expect(issues).toContain('signals.override[0]: unknown fragment {{nope}}');
      expect(issues).toMatch(/fragment \{\{loop_a\}\} refers to itself/);
      expect(issues).toMatch(/signals\.override\[2\] "b\[\^\.\]\{0,200\}c": bound \{0,200\}/);
    }
  });
  it('a list fragment at the start of a pattern gives one pattern per lead, and nowhere else', async () => {
    const good = JSON.parse(await readFile(join(policyDir, 'default.json'), 'utf8'));
    const leads = structuredClone(good);
    leads.fragments = { ...good.fragments, ask: ['(?:how do i) ', '(?:^|[.!?] )'], pet: 'cat' };
    leads.signals.override = ['{{ask}}feed (?:the|my) {{pet}}\\b'];
    const p = compilePolicy(JSON.stringify(leads), 'leads.json');
    expect(p.file.signals.override).toEqual([
      '(?:how do i) feed (?:the|my) cat\\b',
      '(?:^|[.!?] )feed (?:the|my) cat\\b',
    ]);
    const override = p.signals.get('override')!.re;
    const hits = (text: string) => {
      override.lastIndex = 0;
      return override.test(text);
    };
    expect(hits('How do I feed my cat?')).toBe(true);
    expect(hits('Feed the cat.')).toBe(true);
    expect(hits('Why feed the cat')).toBe(false);
    const bad = structuredClone(leads);
    bad.signals.override = ['x{{ask}}feed', '(?:a{{ask}})'];
    bad.fragments.nested = 'y{{ask}}';
    bad.signals.refusal = ['{{nested}}z'];
    try {
      compilePolicy(JSON.stringify(bad), 'bad.json');
      expect.unreachable();
    } catch (err) {
      const issues = (err as PolicyValidationError).issues.join('\n');
      expect(issues).toContain(
        'signals.override[0]: list fragment {{ask}} may only start a signal pattern',
      );
      expect(issues).toContain(
        'signals.override[1]: list fragment {{ask}} may only start a signal pattern',
      );
      expect(issues).toContain(
        'fragments.nested: list fragment {{ask}} may only start a signal pattern',
      );
    }
  });
  it('a rule names an unknown noneScope: the error names the field', async () => {
    const bad = JSON.parse(await readFile(join(policyDir, 'default.json'), 'utf8'));
    bad.detectors['output-checks'].rules[0].noneScope = 'clause';
    expect(() => compilePolicy(JSON.stringify(bad), 'bad.json')).toThrow(/noneScope/);
  });
  it('rejects non-JSON and unknown fields', () => {
    expect(() => compilePolicy('{', 'x.json')).toThrow(/not valid JSON/);
    expect(() => compilePolicy(JSON.stringify({ name: 'x', surprise: 1 }), 'x.json')).toThrow(
      PolicyValidationError,
    );
  });
  it('taxonomy validation reports unknown dimensions', () => {
    expect(() =>
      compileTaxonomy(
        { version: '1', dimensions: { safety: 's' }, categories: { harmful: ['safety', 'nope'] } },
        't.json',
      ),
    ).toThrow(/unknown dimension 'nope'/);
  });
});

describe('hot reload', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  it('swaps a valid new revision atomically and keeps the old one when the file is bad', async () => {
    dir = await mkdtemp(join(tmpdir(), 'nethical-policy-'));
    const source = await readFile(join(policyDir, 'default.json'), 'utf8');
    await writeFile(join(dir, 'default.json'), source);
    const handle = createPolicyHandle(await loadPolicy(dir));
    const first = handle.current().revision;
    const errors: unknown[] = [];
    const changed: CompiledPolicy[] = [];
    let notify: () => void = () => undefined;
    const watcher = watchPolicy(
      dir,
      (p) => {
        handle.swap(p);
        changed.push(p);
        notify();
      },
      { debounceMs: 20, currentRevision: first, onError: (e) => (errors.push(e), notify()) },
    );
    try {
      const next = new Promise<void>((r) => (notify = r));
      const v2 = JSON.parse(source);
      v2.version = '1.0.1';
      await writeFile(join(dir, 'default.json'), JSON.stringify(v2));
      await next;
      expect(handle.current().revision).toMatch(/^nethical-default@1\.0\.1\+/);
      expect(handle.current().revision).not.toBe(first);
      const failed = new Promise<void>((r) => (notify = r));
      await writeFile(join(dir, 'default.json'), '{ "name": broken');
      await failed;
      expect(errors.length).toBeGreaterThan(0);
      expect(handle.current().file.version).toBe('1.0.1');
      expect(changed).toHaveLength(1);
    } finally {
      watcher.close();
    }
  });
});
