import { describe, expect, it } from 'vitest';
import { createLatencyHistogram } from './latency-histogram';

describe('latency histogram', () => {
  it('summarises percentiles within HDR precision', () => {
    const h = createLatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.record(ms);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50Ms).toBeCloseTo(500, -1);
    expect(s.p95Ms).toBeCloseTo(950, -1);
    expect(s.p99Ms).toBeCloseTo(990, -1);
    expect(s.p999Ms).toBeCloseTo(999, -1);
    expect(Math.abs(s.maxMs - 1000)).toBeLessThan(1);
    expect(s.meanMs).toBeCloseTo(500.5, 0);
  });

  it('keeps sub-millisecond resolution and one rare outlier in the tail', () => {
    const h = createLatencyHistogram();
    for (let i = 0; i < 999; i++) h.record(0.25);
    h.record(2500);
    const s = h.summary();
    expect(s.p50Ms).toBeCloseTo(0.25, 2);
    expect(s.p99Ms).toBeCloseTo(0.25, 2);
    expect(s.maxMs).toBeGreaterThan(2490);
  });

  it('is all zeros when empty and after reset', () => {
    const h = createLatencyHistogram();
    expect(h.summary()).toEqual({
      count: 0,
      meanMs: 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      p999Ms: 0,
      maxMs: 0,
    });
    h.record(3);
    h.reset();
    expect(h.summary().count).toBe(0);
  });
});
