import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's instruments: names with units, no per-agent labels. */
export function createGatewayInstruments(registry: Registry) {
  return {
    stageDuration: new Histogram({
      name: 'nethical_gateway_stage_duration_seconds',
      help: 'Time spent in each stage of processing one action (quota, judge, audit).',
      labelNames: ['stage'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
      registers: [registry],
    }),
    actionDuration: new Histogram({
      name: 'nethical_action_duration_seconds',
      help: 'End-to-end time to process one action, by protocol.',
      labelNames: ['protocol'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'nethical_decisions_total',
      help: 'Decisions returned, by decision.',
      labelNames: ['decision'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'nethical_actions_rejected_total',
      help: 'Actions not processed, by reason (invalid, quota, unavailable, internal).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    quotaBypassed: new Counter({
      name: 'nethical_quota_unavailable_total',
      help: 'Actions let through without a quota answer because the quota service was unreachable.',
      registers: [registry],
    }),
    slaP99: new Gauge({
      name: 'nethical_sla_p99_seconds',
      help: 'Rolling p99 of end-to-end action latency.',
      registers: [registry],
    }),
    slaBreached: new Gauge({
      name: 'nethical_sla_breached',
      help: '1 when the rolling p99 exceeds NETHICAL_SLA_P99_MS.',
      registers: [registry],
    }),
  };
}
