import { gcraEvaluate, gcraRefund } from './gcra';
import type {
  Clock,
  ConsumeRequest,
  ConsumeResult,
  LimitOutcome,
  QuotaHealth,
  QuotaStore,
} from './quota-store';
import { chargedLimits } from './quota-store';

/** Options of the in-memory store. */
export interface MemoryQuotaStoreOptions {
  /** Window of the active-agents count, ms (default 5 min). */
  activeWindowMs?: number;
  /** Name reported in `ConsumeResult.store` (default `memory`). */
  name?: string;
  /** Most replay markers kept (oldest evicted first; default 100,000). */
  maxReplayMarkers?: number;
}

/** Prune expired entries once per this many checks, to keep memory bounded without a timer. */
const PRUNE_EVERY = 10_000;

/**
 * GCRA state in a Map, for a single instance (development, tests, and the local fallback
 * when Redis is down). Single-threaded JS makes each `consume` atomic by construction.
 */
export function createMemoryQuotaStore(
  clock: Clock,
  options: MemoryQuotaStoreOptions = {},
): QuotaStore {
  const activeWindowMs = options.activeWindowMs ?? 300_000;
  const name = options.name ?? 'memory';
  const tats = new Map<string, number>();
  const seen = new Map<string, number>();
  /** Replay markers → expiry (ms), oldest first; bounded so a flood of ids cannot grow it forever. */
  const markers = new Map<string, number>();
  const maxMarkers = options.maxReplayMarkers ?? 100_000;
  let checks = 0;

  function prune(now: number): void {
    // A TAT in the past is equivalent to no TAT at all, so it can be dropped.
    for (const [key, tat] of tats) if (tat <= now) tats.delete(key);
    for (const [key, at] of seen) if (at <= now - activeWindowMs) seen.delete(key);
    for (const [key, until] of markers) if (until <= now) markers.delete(key);
  }

  return {
    name,
    async consume(request: ConsumeRequest): Promise<ConsumeResult> {
      const now = clock.now();
      if (++checks % PRUNE_EVERY === 0) prune(now);
      if (request.activeMember !== undefined) {
        seen.set(`${request.scope}\u0000${request.activeMember}`, now);
      }
      const keys = request.limits.map((limit) => `${request.scope}\u0000${limit.key}`);
      const evaluated = request.limits.map((limit, i) =>
        gcraEvaluate(tats.get(keys[i] as string), now, request.cost, limit),
      );
      const markerKey = request.replay ? `${request.scope}\u0000${request.replay.key}` : undefined;
      const replay = markerKey !== undefined && (markers.get(markerKey) ?? 0) > now;
      const allowed = evaluated.every((o, i) => o.allowed || request.limits[i]?.shadow === true);
      if (allowed && !replay) {
        evaluated.forEach((o, i) => {
          if (o.allowed) tats.set(keys[i] as string, o.newTatMs);
        });
        if (markerKey !== undefined && request.replay) {
          markers.delete(markerKey);
          markers.set(markerKey, now + request.replay.windowMs);
          if (markers.size > maxMarkers) markers.delete(markers.keys().next().value as string);
        }
      }
      const outcomes: LimitOutcome[] = evaluated.map((o, i) => ({
        name: request.limits[i]?.name ?? '',
        allowed: o.allowed,
        remaining: o.remaining,
        retryAfterMs: o.retryAfterMs,
        resetAfterMs: o.resetAfterMs,
      }));
      return { allowed: allowed || replay, outcomes, store: name, replay };
    },
    async refund(request: ConsumeRequest, charged: ConsumeResult): Promise<void> {
      const indexes = chargedLimits(request, charged);
      if (indexes.length === 0) return;
      const now = clock.now();
      for (const i of indexes) {
        const limit = request.limits[i] as ConsumeRequest['limits'][number];
        const key = `${request.scope}\u0000${limit.key}`;
        const back = gcraRefund(tats.get(key), now, request.cost, limit);
        if (back === undefined) tats.delete(key);
        else tats.set(key, back);
      }
      if (request.replay) markers.delete(`${request.scope}\u0000${request.replay.key}`);
    },
    async activeAgents(scope: string): Promise<number> {
      const since = clock.now() - activeWindowMs;
      const prefix = `${scope}\u0000`;
      let count = 0;
      for (const [key, at] of seen) if (at > since && key.startsWith(prefix)) count++;
      return count;
    },
    async ping(): Promise<void> {},
    async health(): Promise<QuotaHealth> {
      return { [name]: { ok: true } };
    },
    async close(): Promise<void> {
      tats.clear();
      seen.clear();
      markers.clear();
    },
  };
}
