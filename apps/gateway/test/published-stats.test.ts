import { describe, expect, it } from 'vitest';
import { httpStatusOf } from '@nethical/platform';
import {
  createStatsPublisher,
  laplace,
  PrivacyBudgetExhaustedError,
} from '../src/domain/published-stats';

describe('published decision counts', () => {
  it('are exact in standard mode', () => {
    const p = createStatsPublisher({ mode: 'standard', epsilon: 1 });
    for (let i = 0; i < 5; i++) p.record('ALLOW');
    p.record('BLOCK');
    expect(p.publish()).toEqual({
      mode: 'standard',
      epsilon: null,
      counts: { ALLOW: 5, BLOCK: 1 },
    });
  });

  it('carry Laplace noise of scale releasesPerPeriod/epsilon in differential mode', () => {
    let i = 0;
    const us = [0.9, 0.1];
    const p = createStatsPublisher({
      mode: 'differential',
      epsilon: 0.5,
      releasesPerPeriod: 4,
      random: () => us[i++ % 2]!,
      now: () => 0,
    });
    for (let k = 0; k < 100; k++) p.record('ALLOW');
    const { counts, epsilon, budget } = p.publish();
    expect(epsilon).toBe(0.5);
    expect(counts.ALLOW).toBe(Math.round(100 + laplace(8, 0.9)));
    expect(counts.ALLOW).not.toBe(100);
    expect(budget).toMatchObject({
      releaseEpsilon: 0.125,
      spentEpsilon: 0.125,
      remainingEpsilon: 0.375,
    });
  });

  it('repeating a query returns the same release at no cost: the noise cannot be averaged away', () => {
    let t = 0;
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const p = createStatsPublisher({
      mode: 'differential',
      epsilon: 1,
      releasesPerPeriod: 3,
      random: rand,
      now: () => t,
      minReleaseIntervalMs: 1000,
    });
    for (let k = 0; k < 50; k++) p.record('BLOCK');
    const first = p.publish();
    t += 5000; // long after: but the counts did not change
    const answers = Array.from({ length: 1000 }, () => p.publish().counts.BLOCK);
    expect(new Set(answers)).toEqual(new Set([first.counts.BLOCK]));
    expect(p.publish().budget?.spentEpsilon).toBeCloseTo(1 / 3, 10);
  });

  it('refuses a fresh release once the period budget is spent, with Retry-After at the next period', () => {
    let t = 0;
    const p = createStatsPublisher({
      mode: 'differential',
      epsilon: 1,
      releasesPerPeriod: 2,
      periodMs: 60_000,
      minReleaseIntervalMs: 1000,
      now: () => t,
      random: () => 0.7,
    });
    p.record('ALLOW');
    p.publish();
    t += 1000;
    p.record('ALLOW');
    expect(p.publish().budget?.remainingEpsilon).toBe(0);
    t += 1000;
    p.record('ALLOW');
    let err: unknown;
    try {
      p.publish();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PrivacyBudgetExhaustedError);
    expect((err as PrivacyBudgetExhaustedError).retryAfterSeconds).toBe(58);
    expect(httpStatusOf(err)).toBe(429);
    t = 60_000; // next period: a fresh budget
    expect(p.publish().budget).toMatchObject({ spentEpsilon: 0.5 });
  });

  it('has the Laplace spread: mean absolute noise ≈ b', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let sum = 0;
    for (let k = 0; k < 20000; k++) sum += Math.abs(laplace(2, rand()));
    expect(sum / 20000).toBeGreaterThan(1.9);
    expect(sum / 20000).toBeLessThan(2.1);
  });
});
