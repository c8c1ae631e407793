import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildViews } from '../normalise/normaliser.js';
import { createScanContext } from '../detectors/scan-context.js';
import { compilePolicy, signalPossible } from './compile-policy.js';
import { createLiteralAutomaton } from './literal-automaton.js';
import {
  NON_ASCII,
  parsePattern,
  requiredLiterals,
  type PatternNode,
  type Requirement,
} from './required-literals.js';
import { createSignalPrefilter } from './signal-prefilter.js';

const root = new URL('../../../../../', import.meta.url);

/** The text as the automaton reads it: ASCII lower-cased, anything else as NON_ASCII. */
function asRead(text: string): string {
  let out = '';
  for (const ch of text)
    out += ch.charCodeAt(0) < 0x80 ? ch.toLowerCase() : NON_ASCII.repeat(ch.length);
  return out;
}

function holds(r: Requirement, text: string): boolean {
  const t = asRead(text);
  switch (r.op) {
    case 'true':
      return true;
    case 'any':
      return r.literals.some((l) => t.includes(l));
    case 'and':
      return r.of.every((x) => holds(x, text));
    case 'or':
      return r.of.some((x) => holds(x, text));
  }
}

describe('required literals', () => {
  it.each([
    [
      '\\bhow to\\b[^.]{0,80}\\b(?:bomb|rifle)s?',
      {
        op: 'and',
        of: [
          { op: 'any', literals: ['how to'] },
          { op: 'any', literals: ['bomb', 'bombs', 'rifle', 'rifles'] },
        ],
      },
    ],
    [
      '\\bignore (?:all |any )?previous\\b',
      { op: 'any', literals: ['ignore previ', 'ignore all p', 'ignore any p'] },
    ],
    ['normali[sz]e', { op: 'any', literals: ['normalise', 'normalize'] }],
    [
      'DAN\\s{1,3}mode',
      {
        op: 'and',
        of: [
          { op: 'any', literals: ['dan'] },
          { op: 'any', literals: ['mode'] },
        ],
      },
    ],
    ['\\w{1,30}\\d', { op: 'true' }],
    ['ab|cdef', { op: 'true' }],
    ['[^x]{2}yz', { op: 'true' }],
    // Escapes longer than two characters are not read: no requirement rather than a wrong one.
    ['abc\\cJdef', { op: 'true' }],
    ['xyz\\012abc', { op: 'true' }],
    ['\\bf[*]{2,8}\\w{0,4}', { op: 'any', literals: ['f**'] }],
    [
      'x(?:a|b){2,3}y',
      {
        op: 'and',
        of: [
          { op: 'any', literals: ['xaa', 'xab', 'xba', 'xbb'] },
          { op: 'any', literals: ['aay', 'aby', 'bay', 'bby'] },
        ],
      },
    ],
  ])('%s', (pattern, expected) => {
    expect(requiredLiterals(pattern)).toEqual(expected);
  });
  it('writes every non-ASCII character as one stand-in (the i flag without u never folds it to ASCII)', () => {
    const X = NON_ASCII;
    expect(requiredLiterals('straße')).toEqual({ op: 'any', literals: [`stra${X}e`] });
    expect(requiredLiterals('you’re an')).toEqual({ op: 'any', literals: [`you${X}re an`] });
    // Cyrillic of either case, and a run of two CJK characters, are required too.
    expect(requiredLiterals('отравить|ОТРАВИТЬ')).toEqual({ op: 'any', literals: [X.repeat(8)] });
    expect(requiredLiterals('下毒|毒死')).toEqual({ op: 'any', literals: [X.repeat(2)] });
    // One non-ASCII character, or two characters of which one is ASCII, say too little.
    expect(requiredLiterals('写|how')).toEqual({ op: 'true' });
    expect(requiredLiterals('é1|how')).toEqual({ op: 'true' });
  });
});

describe('literal automaton', () => {
  it('marks every literal that occurs, overlapping and case-insensitively', () => {
    const a = createLiteralAutomaton(['he', 'she', 'hers', 'his', 'x']);
    const present = new Uint8Array(a.size);
    const found: number[] = [];
    a.mark('uSHERS', present, found);
    expect(found.sort()).toEqual([0, 1, 2]);
    expect([...present]).toEqual([1, 1, 1, 0, 0]);
  });

  it('reads the stand-in U+0080 of a literal as any non-ASCII character', () => {
    const a = createLiteralAutomaton([`${NON_ASCII}${NON_ASCII}`, `caf${NON_ASCII}`]);
    const marked = (text: string): number[] => {
      const found: number[] = [];
      a.mark(text, new Uint8Array(a.size), found);
      return found.sort();
    };
    expect(marked('как 下毒')).toEqual([0]);
    expect(marked('Un CAFÉ')).toEqual([1]);
    expect(marked('it’s a cafe')).toEqual([]);
  });
});

describe('signal prefilter on the shipped policy', () => {
  const policy = compilePolicy(
    readFileSync(new URL('config/policies/default.json', root), 'utf8'),
    'default.json',
  );
  const texts: string[] = [];
  const fixtures = new URL('apps/policy-judge/test/fixtures/detectors/', root);
  for (const f of readdirSync(fixtures))
    for (const c of JSON.parse(readFileSync(new URL(f, fixtures), 'utf8')) as Array<{
      text: string;
    }>)
      texts.push(c.text);
  const prompts = new URL('../shared/datasets/prompts/labelled_prompts.jsonl', root);
  try {
    for (const line of readFileSync(prompts, 'utf8').split('\n').slice(0, 600))
      if (line.trim()) texts.push((JSON.parse(line) as { text: string }).text);
  } catch {
    // The shared datasets are optional here; the fixtures alone still exercise every detector.
  }

  it('never rules out a signal that matches (every view of every fixture and prompt)', () => {
    let matched = 0;
    let skipped = 0;
    for (const text of texts) {
      for (const view of buildViews(text, policy.file.limits)) {
        const inView = policy.prefilter.possibleSignals(view.text);
        for (const signal of policy.signals.values()) {
          signal.re.lastIndex = 0;
          const match = signal.re.test(view.text);
          const possible = signalPossible(signal, inView);
          if (match) {
            matched++;
            expect(
              possible,
              `${signal.name} matches ${JSON.stringify(view.text.slice(0, 600))}`,
            ).toBe(true);
          } else if (!possible) skipped++;
        }
      }
    }
    expect(matched).toBeGreaterThan(100);
    expect(skipped).toBeGreaterThan(matched); // and it does rule out most non-matching scans
    // Every signal on every view of ~2,900 texts, unfiltered: 34–45 s in CI and 62–82 s alone on
    // this 2-core machine at another hour (2026-12-05), so it gets far more than the default 30 s.
  }, 240_000);

  it('agrees with each pattern requirement evaluated directly', () => {
    for (const patterns of Object.values(policy.file.signals)) {
      for (const p of patterns) {
        const re = new RegExp(p, 'i');
        const req = requiredLiterals(p);
        for (const t of texts)
          if (re.test(t)) expect(holds(req, t), `${p} on ${t.slice(0, 120)}`).toBe(true);
      }
    }
  });

  // Split signals (scanned pattern by pattern, each pattern its own prefilter unit).
  const split = [...policy.signals.values()].filter((s) => s.parts);

  it('the shipped policy splits every prefiltered signal of several patterns, one part per pattern', () => {
    expect(split.map((s) => s.name)).toEqual(
      expect.arrayContaining(['hx_fraud', 'hx_malware', 'hx_violence', 'sys_prompt_extract']),
    );
    for (const s of split) expect(s.parts).toHaveLength(policy.file.signals[s.name]!.length);
    // What is not split has one pattern, or skips the prefilter (possible in any text).
    const always = policy.prefilter.possibleSignals('');
    for (const s of policy.signals.values())
      if (!s.parts && policy.file.signals[s.name]!.length > 1)
        expect(always[s.unit], s.name).toBe(1);
    // A text without the parts' words scans none of them.
    const inView = policy.prefilter.possibleSignals('please summarise the quarterly report');
    const frames = split.filter((s) => s.name.startsWith('hx_'));
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.filter((s) => signalPossible(s, inView))).toEqual([]);
  });

  it('fire exactly when the joined alternation matches, with hits in text order, apart, at most 8 per view', () => {
    let fired = 0;
    for (const text of texts) {
      const ctx = createScanContext(text, 'message', policy);
      const views = buildViews(text, policy.file.limits);
      for (const signal of split) {
        const hits = ctx.hitsOf(signal);
        const joined = views.some((v) => {
          signal.re.lastIndex = 0;
          return signal.re.test(v.text);
        });
        expect(hits.length > 0, `${signal.name} on ${JSON.stringify(text.slice(0, 200))}`).toBe(
          joined,
        );
        if (joined) fired++;
        for (const view of new Set(hits.map((h) => h.view))) {
          const inView = hits.filter((h) => h.view === view);
          expect(inView.length).toBeLessThanOrEqual(8);
          for (let i = 1; i < inView.length; i++)
            expect(inView[i]!.start).toBeGreaterThanOrEqual(inView[i - 1]!.end);
        }
      }
    }
    expect(fired).toBeGreaterThan(50);
  }, 120_000);

  it('a signal flagged always possible is not analysed: possible for every text', () => {
    const pf = createSignalPrefilter([['alpha|beta'], ['gamma']], [false, true]);
    expect([...pf.possibleSignals('nothing here')]).toEqual([0, 1]);
    expect([...pf.possibleSignals('beta')]).toEqual([1, 1]);
  });

  it('the shipped policy prefilters signals used only after a gate too', () => {
    const gated = [...policy.signals.values()].filter((s) => s.name === 'hr_person_private');
    expect(gated).toHaveLength(1);
    expect(signalPossible(gated[0]!, policy.prefilter.possibleSignals('nothing relevant'))).toBe(
      false,
    );
  });

  it('a signal with any pattern it cannot analyse is always possible', () => {
    const pf = createSignalPrefilter([['\\w{3}\\d'], ['alpha|beta'], ['one\\s{1,3}two', 'three']]);
    expect([...pf.possibleSignals('nothing here')]).toEqual([1, 0, 0]);
    expect([...pf.possibleSignals('ALPHA one')]).toEqual([1, 1, 0]);
    expect([...pf.possibleSignals('two, one')]).toEqual([1, 0, 1]);
    expect([...pf.possibleSignals('Three')]).toEqual([1, 0, 1]);
  });
});

/** Characters tried for a class the analysis does not expand (`\\w`, `[^.\\n]`, `\\s` …). */
const POOL = [...'aZq0 5\n\t.-_*\'":/#@!?,;()[]<>|~$%&+=’é\u00a0Ωж🔓'];

/** A random string the pattern should match (checked against the real RegExp by the caller). */
function generate(node: PatternNode, rnd: () => number, pools: Map<string, string[]>): string {
  switch (node.t) {
    case 'empty':
      return '';
    case 'char': {
      if (node.set) {
        const c = node.set[Math.floor(rnd() * node.set.length)]!;
        return rnd() < 0.3 ? c.toUpperCase() : c;
      }
      let pool = pools.get(node.src);
      if (!pool) {
        const re = new RegExp(`^(?:${node.src})$`, 'i');
        pool = POOL.filter((c) => re.test(c));
        pools.set(node.src, pool);
      }
      // Mostly a space where one fits: it keeps the `\\b` around gaps satisfied.
      if (pool.includes(' ') && rnd() < 0.7) return ' ';
      return pool[Math.floor(rnd() * pool.length)] ?? 'a';
    }
    case 'alt': {
      const branch = node.of[Math.floor(rnd() * node.of.length)]!;
      return branch.map((n) => generate(n, rnd, pools)).join('');
    }
    case 'rep': {
      const top = Math.min(node.max, node.min + 3);
      const n = node.min + Math.floor(rnd() * (top - node.min + 1));
      let out = '';
      for (let k = 0; k < n; k++) out += generate(node.node, rnd, pools);
      return out;
    }
  }
}

describe('signal prefilter on generated matches', () => {
  it('every generated match of every shipped pattern passes its requirement and its signal prefilter', () => {
    const policy = compilePolicy(
      readFileSync(new URL('config/policies/default.json', root), 'utf8'),
      'default.json',
    );
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const pools = new Map<string, string[]>();
    const contexts = ['', ' ', 'Hello. ', '. ', '\n', 'Ok, '];
    let tried = 0;
    let matched = 0;
    for (const [name, patterns] of Object.entries(policy.file.signals)) {
      const signal = policy.signals.get(name)!;
      for (const p of patterns) {
        const re = new RegExp(p, 'i');
        const tree = parsePattern(p);
        const req = requiredLiterals(p);
        for (let k = 0; k < 40; k++) {
          const text =
            contexts[k % contexts.length]! +
            generate(tree, rnd, pools) +
            contexts[(k + 3) % contexts.length]!;
          tried++;
          if (!re.test(text)) continue;
          matched++;
          expect(holds(req, text), `${p} on ${JSON.stringify(text)}`).toBe(true);
          expect(
            signalPossible(signal, policy.prefilter.possibleSignals(text)),
            `${name} on ${JSON.stringify(text)}`,
          ).toBe(true);
        }
      }
    }
    // The generator follows the parse: most of what it makes must really match the pattern.
    expect(matched / tried).toBeGreaterThan(0.5);
  });
});
