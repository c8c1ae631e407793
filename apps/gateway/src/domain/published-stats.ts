import { QuotaExceededError } from '@nethical/platform';

/**
 * Aggregate decision counts for dashboards (`GET /v1/stats/decisions`, `GetStats`).
 *
 * With NETHICAL_PRIVACY_MODE=differential the counts are released under a privacy budget:
 * NETHICAL_EPSILON is the ε one budget period (default 1 h) may spend in total. Each fresh release
 * spends ε / `releasesPerPeriod` (default 10) and adds Laplace noise of scale
 * `releasesPerPeriod / ε` to every count (sensitivity 1: one action changes one count by one), so
 * by sequential composition everything published in a period is ε-differentially private. A
 * query while the counts are unchanged, or within `minReleaseIntervalMs` (default 1 s) of the last
 * release, gets that release again at no cost (post-processing), so repeating a query cannot
 * average the noise away; once the period's budget is spent, queries that would need a fresh
 * release are refused (`PrivacyBudgetExhaustedError`: 429 / RESOURCE_EXHAUSTED with Retry-After
 * at the next period) until the period ends. Clock and randomness are injected so tests control them.
 */
export interface StatsPublisher {
  record(decision: string): void;
  /** Throws `PrivacyBudgetExhaustedError` in differential mode when the period's ε is spent. */
  publish(): PublishedStats;
}

/** One release. */
export interface PublishedStats {
  mode: 'standard' | 'differential';
  /** ε of the budget period (differential), null in standard mode. */
  epsilon: number | null;
  counts: Record<string, number>;
  /** Differential mode: what this release cost and what is left in the period. */
  budget?: {
    releaseEpsilon: number;
    spentEpsilon: number;
    remainingEpsilon: number;
    periodEndsAt: string;
    releasedAt: string;
  };
}

/** The period's privacy budget is spent: no fresh release until `retryAfterSeconds`. */
export class PrivacyBudgetExhaustedError extends QuotaExceededError {
  override name = 'PrivacyBudgetExhaustedError';
  constructor(retryAfterSeconds: number, periodEpsilon: number, periodSeconds: number) {
    super(
      `privacy budget spent: ε=${periodEpsilon} per ${periodSeconds} s is used up; statistics are published again in ${retryAfterSeconds} s`,
      retryAfterSeconds,
      periodEpsilon,
      0,
      retryAfterSeconds,
      'privacy-budget',
      periodSeconds,
    );
  }
}

/** A Laplace(0, b) sample from a uniform sample u in (0, 1). */
export function laplace(b: number, u: number): number {
  const centred = u - 0.5;
  return -b * Math.sign(centred) * Math.log(1 - 2 * Math.abs(centred));
}

/** Options of `createStatsPublisher`. */
export interface StatsPublisherOptions {
  mode: 'standard' | 'differential';
  /** ε per budget period (`NETHICAL_EPSILON`). */
  epsilon: number;
  random?: () => number;
  /** Wall clock, ms (default Date.now). */
  now?: () => number;
  /** Length of a budget period, ms (default 1 h). */
  periodMs?: number;
  /** Fresh releases one period's budget pays for (default 10). */
  releasesPerPeriod?: number;
  /** The last release is served again for at least this long, ms (default 1000). */
  minReleaseIntervalMs?: number;
}

export function createStatsPublisher(opts: StatsPublisherOptions): StatsPublisher {
  const counts = new Map<string, number>();
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const periodMs = opts.periodMs ?? 3_600_000;
  const releases = Math.max(1, Math.floor(opts.releasesPerPeriod ?? 10));
  const minIntervalMs = opts.minReleaseIntervalMs ?? 1000;
  const releaseEpsilon = opts.epsilon / releases;
  // Avoid u = 0 exactly (log(0)); Math.random never returns 1.
  const uniform = () => Math.max(Number.EPSILON, random());
  let version = 0;
  let period = -1;
  let spentReleases = 0;
  let last: { release: PublishedStats; version: number; at: number } | undefined;

  function exact(): PublishedStats {
    return { mode: 'standard', epsilon: null, counts: Object.fromEntries(counts) };
  }

  function differential(): PublishedStats {
    const t = now();
    const p = Math.floor(t / periodMs);
    if (p !== period) {
      period = p;
      spentReleases = 0;
    }
    if (last && (last.version === version || t - last.at < minIntervalMs)) return last.release;
    const periodEnd = (p + 1) * periodMs;
    if (spentReleases >= releases) {
      throw new PrivacyBudgetExhaustedError(
        Math.max(1, Math.ceil((periodEnd - t) / 1000)),
        opts.epsilon,
        Math.round(periodMs / 1000),
      );
    }
    spentReleases++;
    const out: Record<string, number> = {};
    for (const [decision, n] of counts)
      out[decision] = Math.max(0, Math.round(n + laplace(1 / releaseEpsilon, uniform())));
    const release: PublishedStats = {
      mode: 'differential',
      epsilon: opts.epsilon,
      counts: out,
      budget: {
        releaseEpsilon,
        spentEpsilon: releaseEpsilon * spentReleases,
        remainingEpsilon: releaseEpsilon * (releases - spentReleases),
        periodEndsAt: new Date(periodEnd).toISOString(),
        releasedAt: new Date(t).toISOString(),
      },
    };
    last = { release, version, at: t };
    return release;
  }

  return {
    record(decision) {
      counts.set(decision, (counts.get(decision) ?? 0) + 1);
      version++;
    },
    publish: () => (opts.mode === 'differential' ? differential() : exact()),
  };
}
