import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { FailureMode, FallbackMetrics } from './domain/fallback-quota-store';
import type { QuotaMetrics } from './domain/quota';

/** Everything the quota service measures; labels are low-cardinality (never an agent id). */
export interface QuotaTelemetry extends QuotaMetrics, FallbackMetrics {
  /** Feed `nethical_active_agents` from the store on each scrape (HyperLogLog PFCOUNT). */
  bindActiveAgents(count: () => Promise<number>): void;
}

/**
 * Declare the quota instruments in `registry` (a factory rather than module-level metrics so
 * tests and several instances in one process do not collide on registration).
 */
export function createQuotaTelemetry(registry: Registry): QuotaTelemetry {
  const registers = [registry];
  const checks = new Counter({
    name: 'nethical_quota_checks_total',
    help: 'Quota checks by result (allowed, denied, error) and answering store',
    labelNames: ['result', 'store'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'nethical_quota_check_duration_seconds',
    help: 'Quota check latency in seconds, by answering store',
    labelNames: ['store'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers,
  });
  const shadow = new Counter({
    name: 'nethical_quota_shadow_denied_total',
    help: 'Checks a shadow-mode limit would have denied, by limit (agent, tenant, region)',
    labelNames: ['limit'] as const,
    registers,
  });
  const refundFailures = new Counter({
    name: 'nethical_quota_refund_failures_total',
    help: 'Charges that could not be given back after the other scope of a check denied (each over-charges one action)',
    registers,
  });
  const storeErrors = new Counter({
    name: 'nethical_quota_store_errors_total',
    help: 'Primary quota store (Redis) failures by reason (timeout, error)',
    labelNames: ['reason'] as const,
    registers,
  });
  const fallbackChecks = new Counter({
    name: 'nethical_quota_fallback_checks_total',
    help: 'Checks answered by the failure mode (local, open, closed) instead of Redis',
    labelNames: ['mode'] as const,
    registers,
  });
  const primaryUp = new Gauge({
    name: 'nethical_quota_redis_up',
    help: '1 when checks go to Redis, 0 while the failure mode answers',
    registers,
  });
  primaryUp.set(1);
  let countActive: (() => Promise<number>) | undefined;
  new Gauge({
    name: 'nethical_active_agents',
    help: 'Distinct agents seen in the active window, across all instances (HyperLogLog)',
    registers,
    async collect() {
      if (!countActive) return;
      try {
        this.set(await countActive());
      } catch {
        // A failed scrape of one gauge must not fail the whole /metrics response.
      }
    },
  });

  return {
    checkDone(result, store, seconds) {
      checks.inc({ result, store });
      duration.observe({ store }, seconds);
    },
    shadowDenied: (limit) => shadow.inc({ limit }),
    refundFailed: () => refundFailures.inc(),
    storeError: (reason) => storeErrors.inc({ reason }),
    fallbackCheck: (mode: FailureMode) => fallbackChecks.inc({ mode }),
    primaryUp: (up) => primaryUp.set(up ? 1 : 0),
    bindActiveAgents(count) {
      countActive = count;
    },
  };
}
