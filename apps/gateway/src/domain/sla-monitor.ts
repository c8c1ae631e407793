import * as hdr from 'hdr-histogram-js';

/** SLA state over the last full window and the current one. */
export interface SlaStatus {
  targetP99Ms: number;
  p99Ms: number;
  p50Ms: number;
  count: number;
  breached: boolean;
  windowSeconds: number;
}

/**
 * Tracks end-to-end action latency against the p99 target over a rolling window (two
 * half-windows of HDR histograms, so the figure covers between one and two halves of history).
 */
export function createSlaMonitor(targetP99Ms: number, windowSeconds: number, now: () => number) {
  const make = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2 });
  let current = make();
  let previous = make();
  let rotatedAt = now();
  const halfMs = (windowSeconds * 1000) / 2;
  const rotate = () => {
    const t = now();
    if (t - rotatedAt < halfMs) return;
    previous.destroy();
    previous = t - rotatedAt >= 2 * halfMs ? (current.destroy(), make()) : current;
    current = make();
    rotatedAt = t;
  };
  return {
    /** Record one action's latency in milliseconds. */
    record(ms: number): void {
      rotate();
      current.recordValue(Math.max(1, Math.round(ms * 1000)));
    },
    status(): SlaStatus {
      rotate();
      const merged = make();
      merged.add(previous);
      merged.add(current);
      const p99Ms = merged.totalCount ? merged.getValueAtPercentile(99) / 1000 : 0;
      const p50Ms = merged.totalCount ? merged.getValueAtPercentile(50) / 1000 : 0;
      const count = merged.totalCount;
      merged.destroy();
      return { targetP99Ms, p99Ms, p50Ms, count, breached: count > 0 && p99Ms > targetP99Ms, windowSeconds };
    },
  };
}
