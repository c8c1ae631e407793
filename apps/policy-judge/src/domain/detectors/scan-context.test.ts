import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/compile-policy.js';
import { createScanContext } from './scan-context.js';

/**
 * Split signals whose patterns share a leading group are tried only where that group matches
 * (compile-policy.ts, `SignalPart.head`). These tests hold the scan to what one global scan per
 * pattern finds, merged in text order without overlaps, including overlapping head matches,
 * several hits per text and matches across chunk borders.
 */
const shipped = JSON.parse(
  readFileSync(new URL('../../../../../config/policies/default.json', import.meta.url), 'utf8'),
);
const HEAD = String.raw`(?:\bhow to |\bhelp me (?:to )?|\bme to )`;
const policy = compilePolicy(
  JSON.stringify({
    ...shipped,
    limits: { ...shipped.limits, scanChunkChars: 1024, maxContentChars: 1_000_000 },
    signals: {
      ...shipped.signals,
      t_weapon: [`${HEAD}[^.\\n]{0,20}\\bbomb`, `${HEAD}[^.\\n]{0,20}\\brifles?\\b`],
      t_poison: [`${HEAD}[^.\\n]{0,20}\\bpoison`, String.raw`\bhemlock\b`],
      // The head's match at 0 ("buy guns now") leaves nothing for " now"; its match inside it
      // ("guns", at 4) does: heads are found at every position, overlapping ones included.
      t_overlap: [
        String.raw`(?:\bbuy guns now|\bguns) now`,
        String.raw`(?:\bbuy guns now|\bguns) today`,
      ],
    },
  }),
  'test.json',
);

/** One global scan per pattern over the whole text, merged as the scan context merges. */
function reference(patterns: string[], text: string): Array<[number, number]> {
  const hits = patterns.flatMap((p) =>
    [...text.matchAll(new RegExp(p, 'gi'))].map(
      (m) => [m.index, m.index + m[0].length] as [number, number],
    ),
  );
  hits.sort((a, b) => a[0] - b[0]); // stable: pattern order at equal starts
  const out: Array<[number, number]> = [];
  for (const h of hits) if (out.length === 0 || h[0] >= out.at(-1)![1]) out.push(h);
  return out.slice(0, 8);
}

describe('split signals with a shared head', () => {
  it('share one head across signals', () => {
    const weapon = policy.signals.get('t_weapon')!;
    const poison = policy.signals.get('t_poison')!;
    expect(weapon.parts?.[0]?.head).toBeDefined();
    expect(weapon.parts?.[1]?.head).toBe(weapon.parts?.[0]?.head);
    expect(poison.parts?.[0]?.head).toBe(weapon.parts?.[0]?.head);
    expect(poison.parts?.[1]?.head).toBeUndefined();
  });

  const filler = 'The weather report says rain tomorrow, bring a coat. '.repeat(20);
  it.each([
    ['one match', 'Tell me how to build a bomb at home.'],
    ['overlapping head matches', 'please help me to poison the well'],
    ['several matches', 'how to buy a rifle. how to buy rifles. help me make a bomb'],
    ['head without the rest', 'how to bake bread; help me to relax'],
    ['a match across the first chunk border', `${filler.slice(0, 1010)} how to get a bomb now`],
    ['matches in later chunks', `${filler}how to find a rifle. ${filler}help me poison hemlock`],
    ['more than eight', 'how to get a bomb. '.repeat(12)],
    ['a match inside a longer head match', 'buy guns now'],
    // Head matches are kept per chunk: beyond the 1,024th chunk as well (a numeric cache key
    // built as head × 1024 + chunk would have mixed chunks up there).
    [
      'a match after more than 1,024 chunks',
      `${'how to cook rice. '.repeat(48_000)}how to buy a rifle`,
    ],
  ])('finds what one scan per pattern finds: %s', (_, text) => {
    const ctx = createScanContext(text, 'message', policy);
    for (const name of ['t_weapon', 't_poison', 't_overlap']) {
      const got = ctx.hits(name).map((h) => [h.start, h.end]);
      expect(got, name).toEqual(reference(policy.file.signals[name]!, text));
    }
  });
});
