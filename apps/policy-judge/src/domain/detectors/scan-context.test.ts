import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildViews } from '../normalise/normaliser.js';
import { compilePolicy, SPLIT_SIGNAL_CHARS, signalPossible } from '../policy/compile-policy.js';
import { createScanContext } from './scan-context.js';

const root = new URL('../../../../../', import.meta.url);
const policy = compilePolicy(
  readFileSync(new URL('config/policies/default.json', root), 'utf8'),
  'default.json',
);
const texts: string[] = [];
const fixtures = new URL('apps/policy-judge/test/fixtures/detectors/', root);
for (const f of readdirSync(fixtures))
  for (const c of JSON.parse(readFileSync(new URL(f, fixtures), 'utf8')) as Array<{ text: string }>)
    texts.push(c.text);

describe('split signals (scanned pattern by pattern)', () => {
  const split = [...policy.signals.values()].filter((s) => s.parts);

  it('the shipped policy splits its large prefiltered signals, one part per pattern', () => {
    expect(split.map((s) => s.name)).toEqual(
      expect.arrayContaining(['hx_fraud', 'hx_malware', 'hx_violence']),
    );
    for (const s of split) {
      expect(s.parts).toHaveLength(policy.file.signals[s.name]!.length);
      expect(s.re.source.length).toBeGreaterThan(SPLIT_SIGNAL_CHARS);
    }
    // A text without the parts' words scans none of them.
    const inView = policy.prefilter.possibleSignals('please summarise the quarterly report');
    expect(split.filter((s) => signalPossible(s, inView))).toEqual([]);
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
  });
});
