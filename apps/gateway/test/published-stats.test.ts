import { describe, expect, it } from 'vitest';
import { createStatsPublisher, laplace } from '../src/domain/published-stats';

describe('published decision counts', () => {
  it('are exact in standard mode', () => {
    const p = createStatsPublisher({ mode: 'standard', epsilon: 1 });
    for (let i = 0; i < 5; i++) p.record('ALLOW');
    p.record('BLOCK');
    expect(p.publish()).toEqual({ mode: 'standard', epsilon: null, counts: { ALLOW: 5, BLOCK: 1 } });
  });

  it('carry Laplace noise of scale 1/epsilon in differential mode', () => {
    let i = 0;
    const us = [0.9, 0.1];
    const p = createStatsPublisher({ mode: 'differential', epsilon: 0.5, random: () => us[i++ % 2]! });
    for (let k = 0; k < 100; k++) p.record('ALLOW');
    const { counts, epsilon } = p.publish();
    expect(epsilon).toBe(0.5);
    expect(counts.ALLOW).toBe(Math.round(100 + laplace(2, 0.9)));
    expect(counts.ALLOW).not.toBe(100);
  });

  it('has the Laplace spread: mean absolute noise ≈ b', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    let sum = 0;
    for (let k = 0; k < 20000; k++) sum += Math.abs(laplace(2, rand()));
    expect(sum / 20000).toBeGreaterThan(1.9);
    expect(sum / 20000).toBeLessThan(2.1);
  });
});
