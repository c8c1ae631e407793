/**
 * The `AnomalyStore` contract, run against every implementation (memory and real Redis), so both
 * are proven to keep the same promises: read-your-write, per-agent isolation, no lost update
 * under concurrency.
 */
import { expect, it } from 'vitest';
import type { AgentBaseline } from '../src/domain/anomaly';
import type { AnomalyStore } from '../src/domain/anomaly-store';

const baseline = (count: number): AgentBaseline => ({
  count,
  lastSeenMs: 1_000,
  score: { mean: 0.1, variance: 0.01 },
  size: { mean: 5, variance: 0.1 },
});

/** Registers the contract tests; `makeStore` returns a fresh, empty store (unique namespace). */
export function anomalyStoreContract(makeStore: () => AnomalyStore): void {
  it('gives a new agent no baseline, then returns what was written', async () => {
    const store = makeStore();
    const seen: (AgentBaseline | undefined)[] = [];
    await store.update(
      'agent-a',
      (prev) => (seen.push(prev), { next: baseline(1), result: 'first' }),
    );
    const result = await store.update(
      'agent-a',
      (prev) => (seen.push(prev), { next: baseline(2), result: 'second' }),
    );
    expect(result).toBe('second');
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toEqual(baseline(1));
  });

  it('keeps agents apart', async () => {
    const store = makeStore();
    await store.update('agent-a', () => ({ next: baseline(7), result: null }));
    const prevB = await store.update('agent-b', (prev) => ({ next: baseline(1), result: prev }));
    expect(prevB).toBeUndefined();
  });

  it('loses no update under concurrent writers of one agent', async () => {
    const store = makeStore();
    const writers = 25;
    await Promise.all(
      Array.from({ length: writers }, () =>
        store.update('agent-c', (prev) => ({
          next: baseline((prev?.count ?? 0) + 1),
          result: null,
        })),
      ),
    );
    const final = await store.update('agent-c', (prev) => ({
      next: prev ?? baseline(0),
      result: prev,
    }));
    expect(final?.count).toBe(writers);
  });

  it('answers ping', async () => {
    await expect(makeStore().ping()).resolves.toBeUndefined();
  });
}
