import type { ActionCategory } from './action-generator';
import type { LatencySummary } from './latency-histogram';
import type { SloResult } from './slo';

/** Per-category counts: how many were sent, answered OK, and flagged by the gateway. */
export interface CategoryCounts {
  sent: number;
  ok: number;
  flagged: number;
}

/** Everything a run measured; written as `<output>.summary.json`. */
export interface LoadSummary {
  runId: string;
  startedAt: string;
  endpoint: string;
  protocol: string;
  seed: number;
  agents: number;
  mix: string;
  target: {
    rps: number;
    durationSec: number;
    warmupSec: number;
    connections: number;
    maxInFlight: number;
    timeoutMs: number;
  };
  /** Arrivals in the measured phase (the schedule's count, whatever happened). */
  requests: number;
  /** Requests actually put on the wire (requests − dropped). */
  sent: number;
  /** Requests that got an answer or a client-side failure (everything but dropped). */
  completed: number;
  ok: number;
  /** Failed requests: non-2xx/non-OK answers, timeouts, network errors and dropped. */
  errors: number;
  /** Requests not sent because `maxInFlight` requests were already outstanding. */
  dropped: number;
  errorRate: number;
  /** Offered rate: requests / schedule length. Below the target only when the run was aborted. */
  offeredRps: number;
  /** OK answers per second over the wall time from the first scheduled send to the last answer. */
  achievedRps: number;
  wallSec: number;
  statusCounts: Record<string, number>;
  decisions: Record<string, number>;
  categories: Record<ActionCategory, CategoryCounts>;
  /** Latency from each request's scheduled start to its answer (dropped excluded). */
  latency: LatencySummary;
  /** How late the generator fired requests versus the schedule; large values mean it is the bottleneck. */
  dispatchLag: LatencySummary;
  maxBurst: number;
  slo: SloResult;
  csv?: string | undefined;
}

/** The summary file name for a CSV path: `x.csv` → `x.summary.json`. */
export function summaryPathFor(csvPath: string): string {
  return csvPath.replace(/\.csv$/i, '') + '.summary.json';
}

/** A few human-readable lines for the terminal. */
export function formatSummary(s: LoadSummary): string {
  const l = s.latency;
  const statuses = Object.entries(s.statusCounts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const decisions = Object.entries(s.decisions)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `${s.protocol} ${s.endpoint}  agents=${s.agents} target=${s.target.rps}/s for ${s.target.durationSec}s (warmup ${s.target.warmupSec}s) seed=${s.seed}`,
    `requests=${s.requests} sent=${s.sent} ok=${s.ok} errors=${s.errors} dropped=${s.dropped} error-rate=${(s.errorRate * 100).toFixed(3)}%`,
    `offered=${s.offeredRps.toFixed(1)}/s achieved=${s.achievedRps.toFixed(1)}/s over ${s.wallSec.toFixed(1)}s`,
    `latency from scheduled start (ms): p50=${l.p50Ms} p95=${l.p95Ms} p99=${l.p99Ms} p99.9=${l.p999Ms} max=${l.maxMs} mean=${l.meanMs}`,
    `generator dispatch lag (ms): p99=${s.dispatchLag.p99Ms} max=${s.dispatchLag.maxMs} max-burst=${s.maxBurst}`,
    `status: ${statuses || '-'}`,
    `decisions: ${decisions || '-'}`,
    s.slo.passed ? 'SLO: passed' : `SLO: MISSED — ${s.slo.failures.join('; ')}`,
  ].join('\n');
}
