/**
 * Per-agent anomaly detection: each agent is compared with its OWN recent behaviour, using
 * exponentially weighted moving mean and variance (EWMA) of three signals, updated one action at
 * a time (O(1) state per agent, so it can live in Redis and be shared by scorer instances):
 *
 * - risk score: a jump upwards from the agent's usual score;
 * - action size: log(1 + characters), either direction;
 * - action rate: log of the gap between actions, smoothed by a fast EWMA so one quick action does
 *   not alarm but a burst does, compared with the slow baseline of the same quantity.
 *
 * The largest z-score `z` becomes `anomalyScore = z² / (z² + threshold²)` (0.5 at the threshold),
 * and `anomaly` is `anomalyScore ≥ 0.5`, i.e. `z ≥ threshold`, once the agent has `warmup`
 * observations (cold start: before that the agent has no baseline and is never flagged).
 */

/** Moving mean and variance of one signal. */
export interface Ewm {
  mean: number;
  variance: number;
}

/** What the store keeps per agent (plain JSON). */
export interface AgentBaseline {
  /** Observations so far (capped at 1e9). */
  count: number;
  lastSeenMs: number;
  score: Ewm;
  size: Ewm;
  /** Slow baseline of log(seconds between actions); undefined until a second action arrives. */
  gap?: Ewm;
  /** Fast EWMA of the same log gap: the agent's current pace. */
  fastGap?: number;
}

/** Tuning of the detector; every field has a default. */
export interface AnomalyOptions {
  /** Weight of a new observation in the slow baselines (≈ 1 / memory in actions). */
  alpha: number;
  /** Weight of a new gap in the fast pace estimate. */
  fastAlpha: number;
  /** Observations before an agent can be flagged. */
  warmup: number;
  /** z-score at which an agent is flagged. */
  threshold: number;
  /** Winsorising band of baseline updates, in σ, once warm. */
  clip: number;
  /** Factor on `alpha` for an observation that is itself beyond `threshold` (learn slowly from anomalies). */
  anomalyLearningFactor: number;
  /** Standard-deviation floors, so a perfectly steady agent does not make every wiggle infinite. */
  minStd: { score: number; size: number; gap: number };
}

/** Defaults: ~20-action memory, flag at 4σ after 20 actions. */
export const DEFAULT_ANOMALY_OPTIONS: AnomalyOptions = {
  alpha: 0.05,
  fastAlpha: 0.3,
  warmup: 20,
  threshold: 4,
  clip: 2,
  anomalyLearningFactor: 0.1,
  minStd: { score: 0.05, size: 0.25, gap: 0.5 },
};

/** One action as the detector sees it. */
export interface Observation {
  score: number;
  /** Size of the action content (UTF-16 code units). */
  size: number;
  atMs: number;
}

/** The detector's verdict on one observation. */
export interface AnomalyVerdict {
  anomaly: boolean;
  /** In [0, 1]; 0.5 at the threshold. */
  anomalyScore: number;
  /** Signed z-scores of each signal against the baseline before this observation (0 when unknown). */
  z: { score: number; size: number; rate: number };
}

/** Smallest gap we take the log of (1 ms): two actions in the same millisecond are a burst, not -∞. */
const MIN_GAP_SECONDS = 0.001;

/**
 * Once warm, each update is winsorised to mean ± `clip`·σ, and the caller lowers `alpha` for an
 * observation that is itself anomalous: an outlier (a burst, one huge payload) moves the baseline
 * only a small bounded step, so a sustained attack keeps standing out instead of being absorbed at
 * once, while a sustained new normal is still adopted after a few hundred actions.
 */
function updateEwm(
  prev: Ewm | undefined,
  raw: number,
  alpha: number,
  clip: number,
  minStd: number,
): Ewm {
  if (prev === undefined) return { mean: raw, variance: 0 };
  const band = clip * Math.sqrt(prev.variance + minStd * minStd);
  const x = Number.isFinite(clip)
    ? Math.min(prev.mean + band, Math.max(prev.mean - band, raw))
    : raw;
  // Incremental EWMA mean and variance (Finch 2009, "Incremental calculation of weighted mean and variance").
  const diff = x - prev.mean;
  const incr = alpha * diff;
  return { mean: prev.mean + incr, variance: (1 - alpha) * (prev.variance + diff * incr) };
}

const zOf = (x: number, e: Ewm, minStd: number): number =>
  (x - e.mean) / Math.sqrt(e.variance + minStd * minStd);

/**
 * Scores `obs` against `prev` (the agent's baseline, undefined for a new agent) and returns the
 * verdict and the updated baseline. Pure: the caller persists `next`.
 */
export function observeAction(
  prev: AgentBaseline | undefined,
  obs: Observation,
  options: AnomalyOptions = DEFAULT_ANOMALY_OPTIONS,
): { next: AgentBaseline; verdict: AnomalyVerdict } {
  const size = Math.log1p(Math.max(0, obs.size));
  const count = (prev?.count ?? 0) + 1;
  // Early on a fixed alpha would let the first value dominate for ~1/alpha actions; 1/n makes
  // the first `1/alpha` updates a plain running average instead.
  const alpha = Math.max(options.alpha, 1 / count);

  const warm = (prev?.count ?? 0) >= options.warmup;
  const clip = warm ? options.clip : Number.POSITIVE_INFINITY;
  const z = { score: 0, size: 0, rate: 0 };
  const rateOf = (a: number, zs: number): number =>
    warm && Math.abs(zs) >= options.threshold ? a * options.anomalyLearningFactor : a;
  let gap: Ewm | undefined = prev?.gap;
  let fastGap = prev?.fastGap;
  if (prev !== undefined) {
    z.score = zOf(obs.score, prev.score, options.minStd.score);
    z.size = zOf(size, prev.size, options.minStd.size);
    const logGap = Math.log(Math.max(MIN_GAP_SECONDS, (obs.atMs - prev.lastSeenMs) / 1000));
    const gapCount = count - 1; // gaps seen including this one
    fastGap = fastGap === undefined ? logGap : fastGap + options.fastAlpha * (logGap - fastGap);
    if (gap !== undefined)
      z.rate = (gap.mean - fastGap) / Math.sqrt(gap.variance + options.minStd.gap ** 2);
    gap = updateEwm(
      gap,
      logGap,
      rateOf(Math.max(options.alpha, 1 / gapCount), z.rate),
      clip,
      options.minStd.gap,
    );
  }

  const worst = Math.max(z.score, Math.abs(z.size), z.rate, 0);
  const anomalyScore = warm
    ? (worst * worst) / (worst * worst + options.threshold * options.threshold)
    : 0;
  const next: AgentBaseline = {
    count: Math.min(count, 1e9),
    lastSeenMs: Math.max(obs.atMs, prev?.lastSeenMs ?? obs.atMs),
    score: updateEwm(prev?.score, obs.score, rateOf(alpha, z.score), clip, options.minStd.score),
    size: updateEwm(prev?.size, size, rateOf(alpha, z.size), clip, options.minStd.size),
    ...(gap === undefined ? {} : { gap }),
    ...(fastGap === undefined ? {} : { fastGap }),
  };
  return { next, verdict: { anomaly: anomalyScore >= 0.5, anomalyScore, z } };
}

/** True when `value` has the shape of an `AgentBaseline` (state read back from a store may be stale or foreign). */
export function isAgentBaseline(value: unknown): value is AgentBaseline {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const num = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
  const ewm = (x: unknown): boolean =>
    typeof x === 'object' &&
    x !== null &&
    num((x as Ewm).mean) &&
    num((x as Ewm).variance) &&
    (x as Ewm).variance >= 0;
  return (
    num(v.count) &&
    num(v.lastSeenMs) &&
    ewm(v.score) &&
    ewm(v.size) &&
    (v.gap === undefined || ewm(v.gap)) &&
    (v.fastGap === undefined || num(v.fastGap))
  );
}
