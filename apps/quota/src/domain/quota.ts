import { actionCost } from './cost';
import { QuotaCostTooLargeError, QuotaRequestError } from './errors';
import type { LimitSpec, QuotaLimits } from './limits-config';
import type {
  ConsumeRequest,
  ConsumeResult,
  LimitOutcome,
  QuotaHealth,
  QuotaStore,
  StoreLimit,
} from './quota-store';

/** One action to check and charge. */
export interface QuotaCheck {
  agentId: string;
  tenantId: string;
  /** Region of the action; empty/undefined means the instance's own region. */
  regionId?: string | undefined;
  /** Explicit units; 0/undefined derives the cost from `payloadBytes` (see `cost.ts`). */
  cost?: number | undefined;
  payloadBytes?: number | undefined;
  /**
   * The action's id (idempotency key). A second check of the same id within the replay window
   * is not charged and answers `replay: true`; undefined/empty: no replay tracking.
   */
  actionId?: string | undefined;
}

/** The answer to a check (maps 1:1 onto `quota.v1.CheckResponse`). */
export interface QuotaDecision {
  allowed: boolean;
  /** Units left in the tightest enforced limit (0 when denied). */
  remaining: number;
  /** Seconds until a retry can succeed; 0 when allowed. */
  retryAfterSeconds: number;
  /** Seconds until the reported limit is fully replenished. */
  resetAfterSeconds: number;
  /** Limit that denied, or the tightest one when allowed (`none` when no limit applies). */
  limitName: string;
  /** Burst capacity of that limit. */
  limit: number;
  /** Seconds for that limit to refill from empty (burst / rate): the `w` of RateLimit-Policy. */
  windowSeconds: number;
  /** Shadow limits that would have denied this action. */
  shadowDenied: string[];
  /** `redis`, `memory` or `fallback`. */
  store: string;
  /** Units charged (or that would have been). */
  cost: number;
  /** This action id was already checked and charged within the replay window. */
  replay: boolean;
}

/** Instruments the quota reports to (prom-client implementation in `telemetry.ts`). */
export interface QuotaMetrics {
  checkDone(result: 'allowed' | 'denied' | 'error', store: string, seconds: number): void;
  shadowDenied(limitName: string): void;
  /** A charge could not be given back (the check itself was answered). */
  refundFailed?(): void;
}

/** Options of `createQuota`. */
export interface QuotaOptions {
  store: QuotaStore;
  limits: QuotaLimits;
  /** `NETHICAL_REQUESTS_PER_SECOND`: replaces the region limit's rate (burst defaults to ceil(rps)). */
  regionRps?: number | undefined;
  /** The instance's region, used when a check carries none (`NETHICAL_REGION`). */
  regionId: string;
  /** `NETHICAL_MAX_PAYLOAD_BYTES`; overrides the file's `maxPayloadBytes`. */
  maxPayloadBytes?: number | undefined;
  metrics?: QuotaMetrics | undefined;
  /** How long an allowed action id is remembered for replay detection, ms (default 10 min). */
  replayWindowMs?: number | undefined;
}

/** The quota service's domain object. */
export interface Quota {
  check(request: QuotaCheck): Promise<QuotaDecision>;
  /** Distinct agents seen in the active window in `regionId` (default: own region). */
  activeAgents(regionId?: string): Promise<number>;
  health(): Promise<QuotaHealth>;
  close(): Promise<void>;
}

/**
 * Per-agent, per-tenant and per-region GCRA limits charged in one atomic store call.
 * Store errors propagate as `QuotaStoreError` (unless the store is a fallback store that
 * absorbs them) and are never reported as a denial.
 */
export function createQuota(options: QuotaOptions): Quota {
  const { store, limits, metrics } = options;
  const maxPayloadBytes = options.maxPayloadBytes ?? limits.maxPayloadBytes;
  const regionLimit = resolveRegionLimit(limits.defaults.region, options.regionRps);
  const replayWindowMs = options.replayWindowMs ?? 600_000;

  /**
   * The limits of one check in their two scopes. Agent and tenant limits (and the replay marker)
   * live in the tenant's scope, so they follow the caller when it fails over to another region
   * of the same store (a shared Redis); the region limit lives in the serving region's scope.
   */
  function limitsFor(agentId: string, tenantId: string): { caller: StoreLimit[]; region: StoreLimit[] } {
    const caller: StoreLimit[] = [];
    const agent = limits.agents[agentId] ?? limits.defaults.agent;
    if (agent) caller.push({ name: 'agent', key: `a:${agentId}`, ...agent });
    const tenant = limits.tenants[tenantId] ?? limits.defaults.tenant;
    if (tenant) caller.push({ name: 'tenant', key: 't', ...tenant });
    const region: StoreLimit[] = regionLimit ? [{ name: 'region', key: 'r', ...regionLimit }] : [];
    return { caller, region };
  }

  /** Give back what a consume charged; a failed refund over-charges one action, so it is only counted. */
  async function refund(request: ConsumeRequest, charged: ConsumeResult): Promise<void> {
    try {
      await store.refund(request, charged);
    } catch {
      metrics?.refundFailed?.();
    }
  }

  /**
   * Both scopes are charged in parallel (one round trip with a pipelining client); when one
   * denies, fails, or finds a replay, the other's charge is given back. Between the two, a
   * concurrent check can see a charge that is then undone: the over-count is bounded by the
   * checks in flight and never lets more through than the limits allow.
   */
  async function consume(callerRequest: ConsumeRequest, regionRequest: ConsumeRequest) {
    const [caller, region] = await Promise.allSettled([
      store.consume(callerRequest),
      store.consume(regionRequest),
    ]);
    if (caller.status === 'rejected' || region.status === 'rejected') {
      if (caller.status === 'fulfilled') await refund(callerRequest, caller.value);
      if (region.status === 'fulfilled') await refund(regionRequest, region.value);
      throw caller.status === 'rejected' ? caller.reason : (region as PromiseRejectedResult).reason;
    }
    const replay = caller.value.replay === true;
    const allowed = replay || (caller.value.allowed && region.value.allowed);
    if (replay || !allowed) {
      await Promise.all([
        replay ? undefined : refund(callerRequest, caller.value),
        refund(regionRequest, region.value),
      ]);
    }
    return {
      allowed,
      replay,
      outcomes: [...caller.value.outcomes, ...region.value.outcomes],
      store: caller.value.store === region.value.store ? caller.value.store : 'fallback',
    };
  }

  return {
    async check(request: QuotaCheck): Promise<QuotaDecision> {
      const started = performance.now();
      if (!request.agentId) throw new QuotaRequestError('agent_id', 'agent_id is required');
      if (!request.tenantId) throw new QuotaRequestError('tenant_id', 'tenant_id is required');
      const regionId = request.regionId || options.regionId;
      const cost = actionCost(request, limits.costUnitBytes, maxPayloadBytes);
      const { caller, region } = limitsFor(request.agentId, request.tenantId);
      const applied = [...caller, ...region];
      const tooSmall = applied.find((limit) => !limit.shadow && cost > limit.burst);
      if (tooSmall) throw new QuotaCostTooLargeError(cost, tooSmall.name, tooSmall.burst);
      let decision: QuotaDecision;
      try {
        const result = await consume(
          {
            scope: tenantScope(request.tenantId),
            cost,
            limits: caller,
            replay: request.actionId ? { key: request.actionId, windowMs: replayWindowMs } : undefined,
          },
          {
            scope: regionScope(regionId),
            cost,
            limits: region,
            activeMember: `${encodeURIComponent(request.tenantId)}:${request.agentId}`,
          },
        );
        decision = {
          ...summarize(applied, result.outcomes, result.allowed, result.store, cost),
          replay: result.replay,
        };
      } catch (error) {
        metrics?.checkDone('error', store.name, (performance.now() - started) / 1000);
        throw error;
      }
      if (!decision.replay) for (const name of decision.shadowDenied) metrics?.shadowDenied(name);
      const result = decision.allowed ? 'allowed' : 'denied';
      metrics?.checkDone(result, decision.store, (performance.now() - started) / 1000);
      return decision;
    },
    activeAgents: (regionId) => store.activeAgents(regionScope(regionId || options.regionId)),
    health: () => store.health(),
    close: () => store.close(),
  };
}

/** The scope of a tenant's limits and replay markers (apart from every region's by its prefix). */
export function tenantScope(tenantId: string): string {
  return `tenant=${tenantId}`;
}

/** The scope of a region's cap and active-agent count. */
export function regionScope(regionId: string): string {
  return `region=${regionId}`;
}

/**
 * The region limit in force: the file's, with `NETHICAL_REQUESTS_PER_SECOND` as its rate. The
 * burst follows the rate (same burst duration as the file's burst / rate; ceil(rps) without a
 * file limit), so an operator who lowers the cap also lowers how much may arrive at once; the
 * file keeps its burst as written only with `keepBurst: true`.
 */
export function resolveRegionLimit(
  fromFile: (LimitSpec & { keepBurst?: boolean }) | undefined,
  regionRps: number | undefined,
): LimitSpec | undefined {
  if (regionRps === undefined || regionRps <= 0) return fromFile;
  const burst = !fromFile
    ? Math.ceil(regionRps)
    : fromFile.keepBurst
      ? fromFile.burst
      : Math.ceil((fromFile.burst * regionRps) / fromFile.rate);
  return { rate: regionRps, burst: Math.max(1, burst), shadow: fromFile?.shadow ?? false };
}

/** Fold per-limit outcomes into one answer: the denying limit, else the tightest one. */
function summarize(
  limits: readonly StoreLimit[],
  outcomes: readonly LimitOutcome[],
  allowed: boolean,
  store: string,
  cost: number,
): Omit<QuotaDecision, 'replay'> {
  const shadowDenied: string[] = [];
  let pick: { limit: StoreLimit; outcome: LimitOutcome } | undefined;
  limits.forEach((limit, i) => {
    const outcome = outcomes[i];
    if (!outcome) return;
    if (limit.shadow) {
      if (!outcome.allowed) shadowDenied.push(limit.name);
      return;
    }
    const better = !pick
      ? true
      : allowed
        ? outcome.remaining < pick.outcome.remaining ||
          (outcome.remaining === pick.outcome.remaining &&
            outcome.resetAfterMs > pick.outcome.resetAfterMs)
        : !outcome.allowed &&
          (pick.outcome.allowed || outcome.retryAfterMs > pick.outcome.retryAfterMs);
    if (better) pick = { limit, outcome };
  });
  if (!pick) {
    return {
      allowed,
      remaining: 0,
      retryAfterSeconds: 0,
      resetAfterSeconds: 0,
      limitName: 'none',
      limit: 0,
      windowSeconds: 0,
      shadowDenied,
      store,
      cost,
    };
  }
  return {
    allowed,
    remaining: allowed ? pick.outcome.remaining : 0,
    retryAfterSeconds: allowed ? 0 : pick.outcome.retryAfterMs / 1000,
    resetAfterSeconds: pick.outcome.resetAfterMs / 1000,
    limitName: pick.limit.name,
    limit: pick.limit.burst,
    windowSeconds: pick.limit.burst / pick.limit.rate,
    shadowDenied,
    store,
    cost,
  };
}
