import { describe, expect, it } from 'vitest';
import { createMemoryAnomalyStore } from '../src/adapters/memory-anomaly-store';
import type { AgentBaseline } from '../src/domain/anomaly';
import { anomalyStoreContract } from './anomaly-store-contract';

const baseline = (lastSeenMs: number): AgentBaseline => ({
  count: 1,
  lastSeenMs,
  score: { mean: 0, variance: 0 },
  size: { mean: 0, variance: 0 },
});

describe('memory anomaly store', () => {
  anomalyStoreContract(() => createMemoryAnomalyStore({ clock: { now: () => 0 } }));

  it('stays bounded with more agents than its capacity, evicting the least recently seen', async () => {
    const store = createMemoryAnomalyStore({ clock: { now: () => 0 }, maxAgents: 10_000 });
    for (let i = 0; i < 12_000; i++)
      await store.update(`agent-${i}`, () => ({ next: baseline(0), result: null }));
    expect(store.size()).toBe(10_000);
    expect(
      await store.update('agent-0', (prev) => ({ next: baseline(0), result: prev })),
    ).toBeUndefined();
    expect(
      await store.update('agent-11999', (prev) => ({ next: baseline(0), result: prev })),
    ).toBeDefined();
  });

  it('forgets a baseline idle for longer than the TTL (injected clock)', async () => {
    let now = 1_000;
    const store = createMemoryAnomalyStore({ clock: { now: () => now }, ttlMs: 60_000 });
    await store.update('agent-a', () => ({ next: baseline(now), result: null }));
    now += 59_000;
    expect(
      await store.update('agent-a', (prev) => ({ next: baseline(now), result: prev })),
    ).toBeDefined();
    now += 60_001;
    expect(
      await store.update('agent-a', (prev) => ({ next: baseline(now), result: prev })),
    ).toBeUndefined();
  });
});
