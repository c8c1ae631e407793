/**
 * Generic Cell Rate Algorithm (GCRA), the exact form of a token bucket: one timestamp per limit,
 * the theoretical arrival time (TAT). A limit of `rate` units/s with `burst` units emits one unit
 * every T = 1/rate and tolerates τ = burst·T of "credit". An action of `cost` units at time `now`
 * is allowed iff max(TAT, now) + cost·T − τ ≤ now; then TAT becomes max(TAT, now) + cost·T.
 * Denied actions consume nothing, so over any interval d the allowed units are at most
 * rate·d + burst — no window edges as with a fixed window.
 *
 * This is the reference implementation used by the in-memory store; the Redis Lua script in
 * `adapters/gcra-script.ts` is the same arithmetic in microseconds, and the shared contract
 * suite proves they agree. Hand-written because it is ten lines and sits on the hot path.
 */

/** Rate and burst of one limit. */
export interface GcraLimit {
  /** Sustained rate, units per second (> 0). */
  readonly rate: number;
  /** Units that may be spent at once from a full bucket (≥ 1). */
  readonly burst: number;
}

/** Outcome of evaluating one limit at one instant. */
export interface GcraOutcome {
  readonly allowed: boolean;
  /** TAT to store if the whole check is allowed (unchanged TAT when denied). */
  readonly newTatMs: number;
  /** Units still available right after this check. */
  readonly remaining: number;
  /** Milliseconds until this action could be allowed; 0 when allowed. */
  readonly retryAfterMs: number;
  /** Milliseconds until the limit is full again. */
  readonly resetAfterMs: number;
}

/**
 * Tolerance for floating-point error, in ms (1 µs): τ is computed as burst·T but the TAT
 * is a running sum of T, so the last burst unit could otherwise be denied by a rounding error.
 */
const EPSILON_MS = 0.001;

/** Evaluate one limit; `tatMs` is the stored TAT (undefined when the key does not exist). */
export function gcraEvaluate(
  tatMs: number | undefined,
  nowMs: number,
  cost: number,
  limit: GcraLimit,
): GcraOutcome {
  const interval = 1000 / limit.rate;
  const tolerance = interval * limit.burst;
  // Clamp a TAT beyond now + τ: it can only come from clock skew between store nodes
  // (e.g. after a failover), never from a valid allowed check.
  const tat = Math.min(Math.max(tatMs ?? nowMs, nowMs), nowMs + tolerance);
  const newTat = tat + cost * interval;
  const allowAt = newTat - tolerance;
  if (allowAt - nowMs > EPSILON_MS) {
    return {
      allowed: false,
      newTatMs: tat,
      remaining: Math.max(0, Math.floor((tolerance - (tat - nowMs)) / interval + 1e-6)),
      retryAfterMs: allowAt - nowMs,
      resetAfterMs: tat - nowMs,
    };
  }
  return {
    allowed: true,
    newTatMs: newTat,
    remaining: Math.max(0, Math.floor((tolerance - (newTat - nowMs)) / interval + 1e-6)),
    retryAfterMs: 0,
    resetAfterMs: newTat - nowMs,
  };
}

/**
 * The TAT after giving `cost` units back to a limit (the undo of an allowed evaluation), or
 * undefined when the limit is then full (TAT at or before now: the key can be dropped).
 */
export function gcraRefund(
  tatMs: number | undefined,
  nowMs: number,
  cost: number,
  limit: GcraLimit,
): number | undefined {
  if (tatMs === undefined) return undefined;
  const back = tatMs - (cost * 1000) / limit.rate;
  return back > nowMs ? back : undefined;
}
