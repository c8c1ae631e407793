import { describe, expect, it } from 'vitest';
import { accumulateRisk, createMemoryRiskStore, decayRisk } from '../src/domain/risk/agent-risk.js';

describe('agent risk decay', () => {
  it('halves every half-life', () => {
    expect(decayRisk(0.8, 0, 3600_000, 3600)).toBeCloseTo(0.4);
    expect(decayRisk(0.8, 0, 7200_000, 3600)).toBeCloseTo(0.2);
    expect(decayRisk(0.8, 1000, 1000, 3600)).toBe(0.8);
    expect(decayRisk(0.8, 5000, 1000, 3600)).toBe(0.8); // clock skew never increases risk
  });
  it('accumulates toward 1 without exceeding it', () => {
    let r = 0;
    for (let i = 0; i < 50; i++) r = accumulateRisk(r, 1, 0.5);
    expect(r).toBeLessThanOrEqual(1);
    expect(r).toBeGreaterThan(0.999);
    expect(accumulateRisk(0.3, 0, 0.5)).toBe(0.3);
  });
  it('memory store: clean agents stay at 0, repeat offenders climb, then decay', async () => {
    const store = createMemoryRiskStore();
    const h = 3600;
    const clean = await store.update({ agentId: 'clean', actionRisk: 0, nowMs: 0, halfLifeSec: h, weight: 0.5 });
    expect(clean).toEqual({ prior: 0, current: 0 });
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      seen.push((await store.update({ agentId: 'bad', actionRisk: 0.64, nowMs: i * 1000, halfLifeSec: h, weight: 0.5 })).current);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[3]).toBeGreaterThan(0.6);
    const later = await store.get('bad', 3000 + 2 * h * 1000, h);
    expect(later).toBeCloseTo(seen[3]! / 4, 5);
  });
});
