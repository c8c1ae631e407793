import * as hdr from 'hdr-histogram-js';

/** Percentiles of one latency distribution, in milliseconds (microsecond resolution). */
export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** A latency recorder over an HDR histogram (3 significant digits, 1 µs .. 1 h). */
export interface LatencyHistogram {
  /** Record one latency in milliseconds; values below 1 µs count as 1 µs, above 1 h as 1 h. */
  record(ms: number): void;
  summary(): LatencySummary;
  reset(): void;
}

const maxMicros = 3_600_000_000;

/** Create an empty histogram. */
export function createLatencyHistogram(): LatencyHistogram {
  // The pure-JS implementation: no WebAssembly initialisation step, fast enough for ~10^5 rec/s.
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: maxMicros,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
  });
  const toMs = (micros: number): number => Math.round(micros) / 1000;
  return {
    record(ms) {
      const micros = Math.min(maxMicros, Math.max(1, Math.round(ms * 1000)));
      histogram.recordValue(micros);
    },
    summary() {
      const count = histogram.totalCount;
      if (count === 0)
        return { count: 0, meanMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
      return {
        count,
        meanMs: toMs(histogram.mean),
        p50Ms: toMs(histogram.getValueAtPercentile(50)),
        p95Ms: toMs(histogram.getValueAtPercentile(95)),
        p99Ms: toMs(histogram.getValueAtPercentile(99)),
        p999Ms: toMs(histogram.getValueAtPercentile(99.9)),
        maxMs: toMs(histogram.maxValue),
      };
    },
    reset() {
      histogram.reset();
    },
  };
}
