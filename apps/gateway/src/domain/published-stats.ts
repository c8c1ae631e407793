/**
 * Aggregate decision counts for dashboards (`GET /v1/stats/decisions`). With
 * NETHICAL_PRIVACY_MODE=differential each published count gets Laplace noise of scale
 * 1/ε (sensitivity 1: one action changes one count by one), so a published aggregate does not
 * reveal whether one agent's action is in it. Randomness is injected so tests control it.
 */
export interface StatsPublisher {
  record(decision: string): void;
  publish(): { mode: 'standard' | 'differential'; epsilon: number | null; counts: Record<string, number> };
}

/** A Laplace(0, b) sample from a uniform sample u in (0, 1). */
export function laplace(b: number, u: number): number {
  const centred = u - 0.5;
  return -b * Math.sign(centred) * Math.log(1 - 2 * Math.abs(centred));
}

export function createStatsPublisher(opts: {
  mode: 'standard' | 'differential';
  epsilon: number;
  random?: () => number;
}): StatsPublisher {
  const counts = new Map<string, number>();
  const random = opts.random ?? Math.random;
  // Avoid u = 0 exactly (log(0)); Math.random never returns 1.
  const uniform = () => Math.max(Number.EPSILON, random());
  return {
    record(decision) {
      counts.set(decision, (counts.get(decision) ?? 0) + 1);
    },
    publish() {
      const out: Record<string, number> = {};
      for (const [decision, n] of counts) {
        out[decision] =
          opts.mode === 'differential' ? Math.max(0, Math.round(n + laplace(1 / opts.epsilon, uniform()))) : n;
      }
      return { mode: opts.mode, epsilon: opts.mode === 'differential' ? opts.epsilon : null, counts: out };
    },
  };
}
