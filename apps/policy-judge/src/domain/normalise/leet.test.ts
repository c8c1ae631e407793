import { describe, expect, it } from 'vitest';
import { deleet, leetLikely } from './leet.js';
import { buildViews } from './normaliser.js';

const limits = { maxDecodedSegments: 4, maxDecodeDepth: 2 };

describe('leetspeak view', () => {
  it('is built for a word with a digit between letters or leading three letters, not for versions, years or names', () => {
    for (const t of ['find a c0ke dealer', 'h0w do I', 'k1ll', '3xplosives', 'b0mb'])
      expect(leetLikely(t), t).toBe(true);
    for (const t of [
      'v1.2 in 2024',
      'x86 and h264',
      'sha256',
      'the 4x4 truck',
      '3x + 5y',
      'room 101',
      'plain text',
    ])
      expect(leetLikely(t), t).toBe(false);
  });

  it('reads digits inside words as letters, one for one, and leaves numbers and one-letter tokens alone', () => {
    expect(deleet('Find a c0ke dea1er, 2024', 'l')).toBe('Find a coke dealer, 2024');
    expect(deleet('how to k1ll 3 people', 'i')).toBe('how to kill 3 people');
    expect(deleet('Ign0re instructi0ns v1', 'i')).toBe('Ignore instructions v1');
    const text = 'c0ke 7ru57 a55 1337 x86';
    expect(deleet(text, 'i')).toHaveLength(text.length);
  });

  it('adds an `i` and an `l` reading, mapped to the original offsets, also after folding', () => {
    const views = buildViews('Find a c0ke dea1er', limits);
    expect(views.map((v) => v.kind)).toEqual(['raw', 'leet', 'leet']);
    expect(views.map((v) => v.text)).toContain('Find a coke dealer');
    const folded = buildViews('Find\u200b a c0ke “dea1er”', limits);
    const leet = folded.find((v) => v.kind === 'leet' && v.text.includes('dealer'))!;
    const at = leet.text.indexOf('dealer');
    const span = leet.toOriginal(at, at + 'dealer'.length);
    expect('Find\u200b a c0ke “dea1er”'.slice(span.start, span.end)).toBe('dea1er');
  });

  it('adds nothing to plain text', () => {
    expect(buildViews('How do I find a good dentist near me?', limits).map((v) => v.kind)).toEqual([
      'raw',
    ]);
  });
});
