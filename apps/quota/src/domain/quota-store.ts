/**
 * The narrow interface the quota algorithm sees (envoyproxy/ratelimit style): it never touches a
 * Redis client. Implementations: in-memory (`memory-quota-store.ts`), Redis standalone/cluster
 * (`adapters/redis-quota-store.ts`) and the fallback wrapper (`fallback-quota-store.ts`).
 *
 * MUST hold for every implementation (proved by `apps/quota/test/quota-store-contract.ts`):
 * - `consume` is atomic over all limits of one request: either every enforced limit allows and
 *   all of them are charged `cost`, or nothing is charged.
 * - A shadow limit never causes a denial; it is charged only when it would itself have allowed.
 * - Time is the store's own clock (Redis `TIME`; the injected clock in memory).
 * - Failures reject with `QuotaStoreError`, never with a denial.
 * - Replay marker (`replay`): when the marker of `replay.key` exists, nothing is charged and the
 *   result is `allowed` with `replay: true` (outcomes are what a new check would get). Otherwise the
 *   marker is set, for `replay.windowMs`, only when the request is allowed and charged — a
 *   denied action leaves no marker, so its retry is charged like a new action.
 * - `refund(request, result)` gives back what that `consume` charged: every limit it allowed gets
 *   `cost` back (its TAT moves back by cost·T, never before now) and the replay marker it set
 *   is removed. Nothing happens for a result that charged nothing (denied or replay).
 */

/** One limit applied to a request, already resolved from the config. */
export interface StoreLimit {
  /** Logical name reported to clients: `agent`, `tenant` or `region`. */
  readonly name: string;
  /** Key of this limit's state inside the request's scope (e.g. `a:acme:agent-7`). */
  readonly key: string;
  /** Units per second. */
  readonly rate: number;
  /** Burst capacity in units. */
  readonly burst: number;
  /** Count "would have limited" without denying. */
  readonly shadow: boolean;
}

/** One atomic check-and-consume over several limits. */
export interface ConsumeRequest {
  /**
   * Co-location scope: all keys of one request live in it, so the Redis store can put them in
   * one cluster hash slot and stay atomic with a single script. The quota domain uses two per
   * check: the tenant (agent and tenant limits, replay marker: they follow the caller from
   * region to region) and the serving region (region limit, active agents).
   */
  readonly scope: string;
  /** Units to consume from every limit. */
  readonly cost: number;
  readonly limits: readonly StoreLimit[];
  /** Member recorded for the active-agents count (undefined: do not record). */
  readonly activeMember?: string | undefined;
  /** Idempotency marker of the action (its id), kept `windowMs` after an allowed check. */
  readonly replay?: { readonly key: string; readonly windowMs: number } | undefined;
}

/** Per-limit outcome, in the order of `ConsumeRequest.limits`. */
export interface LimitOutcome {
  readonly name: string;
  readonly allowed: boolean;
  readonly remaining: number;
  readonly retryAfterMs: number;
  readonly resetAfterMs: number;
}

/** Result of `consume`. */
export interface ConsumeResult {
  /** True when no enforced (non-shadow) limit denied; then all allowed limits were charged. */
  readonly allowed: boolean;
  readonly outcomes: readonly LimitOutcome[];
  /** Which store answered: `redis`, `memory` or `fallback`. */
  readonly store: string;
  /** The replay marker already existed: this action was checked (and charged) before. */
  readonly replay?: boolean;
}

/** Health of one component, as a map entry (`{ redis: {...}, fallback: {...} }`). */
export interface ComponentHealth {
  readonly ok: boolean;
  readonly detail?: string;
}

/** Health as a map of components. */
export type QuotaHealth = Record<string, ComponentHealth>;

/** Storage of GCRA state and the active-agent sketch. */
export interface QuotaStore {
  /** `redis`, `memory` or `fallback`. */
  readonly name: string;
  consume(request: ConsumeRequest): Promise<ConsumeResult>;
  /**
   * Undo the charge of `consume(request)` that answered `charged`: the quota calls it when the
   * other scope of the same check denied. Rejects with `QuotaStoreError` when the store fails.
   */
  refund(request: ConsumeRequest, charged: ConsumeResult): Promise<void>;
  /** Distinct active members of `scope` seen in the store's active window. */
  activeAgents(scope: string): Promise<number>;
  /** Cheap liveness probe; rejects when the store is unreachable. */
  ping(): Promise<void>;
  health(): Promise<QuotaHealth>;
  close(): Promise<void>;
}

/** Injected clock (milliseconds since the epoch); tests pass a manual clock. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Indexes of the limits that `consume` charged for `result` (none when denied or a replay). */
export function chargedLimits(request: ConsumeRequest, result: ConsumeResult): number[] {
  if (!result.allowed || result.replay) return [];
  const out: number[] = [];
  request.limits.forEach((_, i) => {
    if (result.outcomes[i]?.allowed) out.push(i);
  });
  return out;
}
