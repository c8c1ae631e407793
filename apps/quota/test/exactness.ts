import { expect } from 'vitest';
import type { QuotaStore, StoreLimit } from '../src/domain/quota-store';

/** Outcome of a hammering run. */
export interface HammerResult {
  allowed: number;
  checks: number;
  /** Wall-clock span from the first check's start to the last check's end, ms. */
  elapsedMs: number;
  /**
   * From the first reply to the last send, ms: a span certainly inside the one in which the
   * store executed the checks (each execution lies between its send and its reply).
   */
  innerMs: number;
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
    innerMs: 0,
    maxLatencyMs: 0,
    answeredBy: {},
  };
  const start = performance.now();
  let firstReply = Number.POSITIVE_INFINITY;
  let lastSend = start;
  await Promise.all(
    stores.map(async (store) => {
      while (!until(performance.now() - start)) {
        const t0 = performance.now();
        lastSend = Math.max(lastSend, t0);
        const r = await store.consume({ scope, cost: 1, limits: [limit] });
        const t1 = performance.now();
        firstReply = Math.min(firstReply, t1);
        result.maxLatencyMs = Math.max(result.maxLatencyMs, t1 - t0);
        result.checks++;
        if (r.allowed) result.allowed++;
        result.answeredBy[r.store] = (result.answeredBy[r.store] ?? 0) + 1;
        // A locally answered check resolves in a microtask; yield so timers and I/O still run.
        if (r.store !== 'redis') await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  result.elapsedMs = performance.now() - start;
  result.innerMs = Math.max(0, lastSend - firstReply);
  return result;
}

/**
 * The exactness claim: allowed units stay within 1% of rate × duration + burst. The upper bound
 * (GCRA's guarantee) uses the outer span, first send to last reply; the lower bound (no
 * under-allowing while saturated) uses the inner span, first reply to last send — so client
 * latency on a loaded machine widens neither bound in the wrong direction. Redis runs on this
 * host, so the local clock measures the same time as the server's `TIME`.
 */
export function expectExact(result: HammerResult, limit: StoreLimit): void {
  const upper = (limit.rate * result.elapsedMs) / 1000 + limit.burst;
  const lower = (limit.rate * result.innerMs) / 1000 + limit.burst;
  const figures = `allowed ${result.allowed} of ${result.checks} checks; rate × duration + burst = ${lower.toFixed(1)}…${upper.toFixed(1)}`;
  // Saturation is a precondition: with fewer checks than twice the quota nothing is proved.
  expect(result.checks, figures).toBeGreaterThan(2 * upper);
  expect(result.allowed, figures).toBeLessThanOrEqual(upper * 1.01);
  expect(result.allowed, figures).toBeGreaterThanOrEqual(lower * 0.99);
}
