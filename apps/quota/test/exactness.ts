import { expect } from 'vitest';
import type { QuotaStore, StoreLimit } from '../src/domain/quota-store';

/** Outcome of a hammering run. */
export interface HammerResult {
  allowed: number;
  checks: number;
  /** Wall-clock span from the first check's start to the last check's end, ms. */
  elapsedMs: number;
  /** Largest single-check latency seen, ms. */
  maxLatencyMs: number;
  /** Which stores answered, with counts. */
  answeredBy: Record<string, number>;
}

/**
 * Several independent stores (one per simulated quota instance, each with its own connection)
 * hammer one limit back to back until `until()` says stop.
 */
export async function hammer(
  stores: readonly QuotaStore[],
  scope: string,
  limit: StoreLimit,
  until: (elapsedMs: number) => boolean,
): Promise<HammerResult> {
  const result: HammerResult = {
    allowed: 0,
    checks: 0,
    elapsedMs: 0,
    maxLatencyMs: 0,
    answeredBy: {},
  };
  const start = performance.now();
  await Promise.all(
    stores.map(async (store) => {
      while (!until(performance.now() - start)) {
        const t0 = performance.now();
        const r = await store.consume({ scope, cost: 1, limits: [limit] });
        result.maxLatencyMs = Math.max(result.maxLatencyMs, performance.now() - t0);
        result.checks++;
        if (r.allowed) result.allowed++;
        result.answeredBy[r.store] = (result.answeredBy[r.store] ?? 0) + 1;
        // A locally answered check resolves in a microtask; yield so timers and I/O still run.
        if (r.store !== 'redis') await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  result.elapsedMs = performance.now() - start;
  return result;
}

/**
 * The exactness claim: allowed units stay within 1% of rate × duration + burst. The upper bound
 * is GCRA's guarantee; the lower bound shows the limiter does not under-allow while saturated
 * (checks far outnumber the rate). Redis runs on this host, so the local clock measures the
 * same time as the server's `TIME`.
 */
export function expectExact(result: HammerResult, limit: StoreLimit): void {
  const expected = (limit.rate * result.elapsedMs) / 1000 + limit.burst;
  expect(result.checks).toBeGreaterThan(2 * expected);
  expect(result.allowed).toBeLessThanOrEqual(expected * 1.01);
  expect(result.allowed).toBeGreaterThanOrEqual(expected * 0.99);
}
