import { Counter, Gauge, type Registry } from 'prom-client';
import type { AvailabilityMetrics } from './availability';

/**
 * Instruments of a service's Redis-backed state (judge: risk, quarantine, escalation; ml-scorer:
 * anomaly). Labels are the store name and a reason, never an agent id.
 *
 * - `nethical_redis_up`: 1 while the stores use Redis, 0 while they answer from local state;
 * - `nethical_redis_fallback{store}`: 1 while that store answers from local state;
 * - `nethical_redis_fallback_total{store,reason}`: operations answered locally (timeout, error, down);
 * - `nethical_redis_merged_total{store}`: items kept locally and written back after an outage.
 */
export function createRedisTelemetry(
  registry: Registry,
  stores: readonly string[],
): AvailabilityMetrics {
  const registers = [registry];
  const upGauge = new Gauge({
    name: 'nethical_redis_up',
    help: '1 while the stores use Redis, 0 while they answer from local state',
    registers,
  });
  const fallbackGauge = new Gauge({
    name: 'nethical_redis_fallback',
    help: '1 while the store answers from local state (Redis down or slow)',
    labelNames: ['store'] as const,
    registers,
  });
  const fallbackOps = new Counter({
    name: 'nethical_redis_fallback_total',
    help: 'Store operations answered from local state, by store and reason (timeout, error, down)',
    labelNames: ['store', 'reason'] as const,
    registers,
  });
  const merged = new Counter({
    name: 'nethical_redis_merged_total',
    help: 'Items kept locally during a Redis outage and written back when it returned, by store',
    labelNames: ['store'] as const,
    registers,
  });
  return {
    up(up) {
      upGauge.set(up ? 1 : 0);
      for (const store of stores) fallbackGauge.set({ store }, up ? 0 : 1);
    },
    fallback(store, reason) {
      fallbackOps.inc({ store, reason });
    },
    merged(store, count) {
      if (count > 0) merged.inc({ store }, count);
    },
  };
}
