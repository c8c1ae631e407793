import { describe, expect, it } from 'vitest';
import { patternHead } from './pattern-head.js';

describe('patternHead', () => {
  it('is the leading group when something follows it', () => {
    expect(patternHead('(?:how to|ways to)[^.]{0,80}\\bbomb')).toBe('(?:how to|ways to)');
    expect(patternHead('(?:a(?:b|c))d')).toBe('(?:a(?:b|c))');
  });

  it('skips escaped brackets and brackets inside classes', () => {
    expect(patternHead('(?:\\(x[)(]\\))y')).toBe('(?:\\(x[)(]\\))');
    expect(patternHead('(?:[^\\]]{0,3})z')).toBe('(?:[^\\]]{0,3})');
  });

  it('has none when a match need not start with the group', () => {
    expect(patternHead('(?:a)?b')).toBeUndefined(); // optional
    expect(patternHead('(?:a)*b')).toBeUndefined();
    expect(patternHead('(?:a){0,2}b')).toBeUndefined();
    expect(patternHead('(?:a)b|c')).toBeUndefined(); // top-level alternative
    expect(patternHead('(?:a)')).toBeUndefined(); // nothing follows: the head is the pattern
    expect(patternHead('\\bhow (?:to)')).toBeUndefined(); // not a leading group
  });

  it('a pattern matches only where its head does', () => {
    const source = '(?:\\bhow to |\\bways to )[^.]{0,20}\\b(?:bomb|rifle)';
    const head = new RegExp(patternHead(source)!, 'gi');
    const whole = new RegExp(source, 'gi');
    const text = 'Ways to bake. How to build a bomb? ways to clean a rifle';
    const heads = new Set<number>();
    for (let m; (m = head.exec(text)); head.lastIndex = m.index + 1) heads.add(m.index);
    const starts = [...text.matchAll(whole)].map((m) => m.index);
    expect(starts).toHaveLength(2);
    for (const s of starts) expect(heads.has(s)).toBe(true);
  });
});
