import { describe, expect, it } from 'vitest';
import { QuotaStoreError } from '../src/domain/errors';
import { createFallbackQuotaStore, type FailureMode } from '../src/domain/fallback-quota-store';
import { createMemoryQuotaStore } from '../src/domain/memory-quota-store';
import type { QuotaStore } from '../src/domain/quota-store';
import { createManualClock, type ManualClock } from './manual-clock';

/**
 * A primary whose health the test switches: `ok` delegates to a memory store, `error` rejects,
 * `hang` never settles (a stalled network). Real Redis outages are covered by
 * redis-fallback.test.ts and redis-cluster.test.ts; this pins the state machine.
 */
function switchablePrimary(clock: ManualClock) {
  const inner = createMemoryQuotaStore(clock, { name: 'redis' });
  let state: 'ok' | 'error' | 'hang' = 'ok';
  const gate = <T>(fn: () => Promise<T>): Promise<T> =>
    state === 'ok'
      ? fn()
      : state === 'error'
        ? Promise.reject(new Error('ECONNREFUSED'))
        : new Promise<T>(() => {});
  const store: QuotaStore = {
    name: 'redis',
    consume: (r) => gate(() => inner.consume(r)),
    refund: (r, charged) => gate(() => inner.refund(r, charged)),
    activeAgents: (s) => gate(() => inner.activeAgents(s)),
    ping: () => gate(() => inner.ping()),
    health: () => inner.health(),
    close: () => inner.close(),
  };
  return { store, set: (s: typeof state) => (state = s) };
}

const request = {
  scope: 'r',
  cost: 1,
  limits: [{ name: 'agent', key: 'a', rate: 1, burst: 4, shadow: false }],
};
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(mode: FailureMode, tripAfterMs = 0) {
  const clock = createManualClock();
  const primary = switchablePrimary(clock);
  const counts: string[] = [];
  const store = createFallbackQuotaStore(primary.store, createMemoryQuotaStore(clock), {
    mode,
    clock,
    timeoutMs: 20,
    tripAfterMs,
    probeIntervalMs: 1000,
    expectedInstances: 2,
    metrics: {
      storeError: (reason) => counts.push(`error:${reason}`),
      fallbackCheck: (m) => counts.push(`fallback:${m}`),
      primaryUp: (up) => counts.push(`up:${up}`),
    },
  });
  return { clock, primary, store, counts };
}

describe('createFallbackQuotaStore', () => {
  it('answers the failing check itself from the local share, then resumes after a probe', async () => {
    const { clock, primary, store, counts } = setup('local');
    expect((await store.consume(request)).store).toBe('redis');
    primary.set('error');
    const local = await store.consume(request);
    expect(local.store).toBe('fallback');
    // The local limiter holds this instance's share: burst 4 / 2 instances = 2.
    expect(local.outcomes[0]?.remaining).toBe(1);
    expect((await store.consume(request)).allowed).toBe(true);
    expect((await store.consume(request)).allowed).toBe(false);
    expect((await store.health()).redis?.ok).toBe(false);
    primary.set('ok');
    // Still within the probe interval: no probe yet, answers stay local.
    expect((await store.consume(request)).store).toBe('fallback');
    clock.advance(1000);
    await store.consume(request); // triggers the background probe
    await flush();
    expect((await store.consume(request)).store).toBe('redis');
    expect(counts).toEqual([
      'error:error',
      'up:false',
      'fallback:local',
      'fallback:local',
      'fallback:local',
      'fallback:local',
      'fallback:local',
      'up:true',
    ]);
  });

  it('keeps asking the primary through a short run of failures, and trips once they last', async () => {
    const { clock, primary, store, counts } = setup('local', 250);
    primary.set('error');
    expect((await store.consume(request)).store).toBe('fallback');
    clock.advance(100);
    expect((await store.consume(request)).store).toBe('fallback');
    // A success within the window ends the run: Redis was never skipped.
    primary.set('ok');
    expect((await store.consume(request)).store).toBe('redis');
    expect(counts).not.toContain('up:false');
    // Failures that last 250 ms with no success between mark it down.
    primary.set('error');
    await store.consume(request);
    clock.advance(200);
    await store.consume(request);
    expect(counts).not.toContain('up:false');
    clock.advance(60);
    await store.consume(request);
    expect(counts.filter((c) => c === 'up:false')).toHaveLength(1);
    // Down: the primary is not asked any more (no new error counted), the failure mode answers.
    const errors = counts.filter((c) => c.startsWith('error:')).length;
    primary.set('ok');
    expect((await store.consume(request)).store).toBe('fallback');
    expect(counts.filter((c) => c.startsWith('error:'))).toHaveLength(errors);
  });

  it('times out a hanging primary within one check', async () => {
    const { primary, store, counts } = setup('local');
    primary.set('hang');
    const result = await store.consume(request);
    expect(result.store).toBe('fallback');
    expect(counts[0]).toBe('error:timeout');
  });

  it('answers locally but keeps Redis in use when the deadline fired late (own event-loop lag)', async () => {
    const { primary, store, counts } = setup('local');
    primary.set('hang');
    const pending = store.consume(request);
    const until = performance.now() + 200; // block the loop: the 20 ms timer fires ≥ 180 ms late
    while (performance.now() < until) {
      // busy wait
    }
    expect((await pending).store).toBe('fallback');
    expect(counts).toEqual(['error:timeout', 'fallback:local']);
    primary.set('ok');
    expect((await store.consume(request)).store).toBe('redis');
  });

  it('fails open with an allowed answer', async () => {
    const { primary, store } = setup('open');
    primary.set('error');
    const result = await store.consume(request);
    expect(result).toMatchObject({ allowed: true, store: 'fallback' });
  });

  it('fails closed with QuotaStoreError, never a denial', async () => {
    const { primary, store } = setup('closed');
    primary.set('error');
    await expect(store.consume(request)).rejects.toBeInstanceOf(QuotaStoreError);
  });
});
