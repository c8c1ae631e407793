/** Thresholds a run must meet; an absent threshold is not checked. */
export interface SloThresholds {
  /** Highest acceptable p99 latency (from scheduled start), ms. */
  p99Ms?: number | undefined;
  /** Highest acceptable share of failed requests (non-2xx/OK, timeouts, dropped), 0..1. */
  errorRate?: number | undefined;
}

export interface SloResult {
  passed: boolean;
  /** One line per missed threshold, e.g. `p99 812.4 ms > 500 ms`. */
  failures: string[];
  thresholds: SloThresholds;
}

/** Compare measured figures with the thresholds. A run with no answered request never passes. */
export function evaluateSlo(
  measured: { p99Ms: number; errorRate: number; completed: number },
  thresholds: SloThresholds,
): SloResult {
  const failures: string[] = [];
  if (measured.completed === 0) failures.push('no request completed');
  if (thresholds.p99Ms !== undefined && measured.p99Ms > thresholds.p99Ms) {
    failures.push(`p99 ${measured.p99Ms} ms > ${thresholds.p99Ms} ms`);
  }
  if (thresholds.errorRate !== undefined && measured.errorRate > thresholds.errorRate) {
    failures.push(
      `error rate ${(measured.errorRate * 100).toFixed(3)} % > ${(thresholds.errorRate * 100).toFixed(3)} %`,
    );
  }
  return { passed: failures.length === 0, failures, thresholds };
}

/** Process exit code of a finished run: 0 when every SLO holds, 2 when one is missed. */
export function sloExitCode(result: SloResult): number {
  return result.passed ? 0 : 2;
}
