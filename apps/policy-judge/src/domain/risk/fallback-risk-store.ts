import type { StoreAvailability } from '@nethical/redis';
import { LRUCache } from 'lru-cache';
import {
  accumulateRisk,
  combineRisk,
  decayRisk,
  type MergeableRiskStore,
  type RiskStore,
} from './agent-risk.js';

/** Options of `createFallbackRiskStore`. */
export interface FallbackRiskOptions {
  /** Agents whose last shared risk is remembered, least recently seen evicted first (default 100,000). */
  maxKnownAgents?: number;
  /** Wall clock for the merge-back (the judge's injected clock). */
  clock: () => number;
}

/** A RiskStore that survives its shared store, plus its local state's size for health. */
export interface FallbackRiskStore extends RiskStore {
  stats(): { known: number; pendingMerge: number };
}

interface Delta {
  risk: number;
  at: number;
  halfLifeSec: number;
}

/**
 * Agent risk that keeps accumulating while the shared store (Redis) is down or slow.
 *
 * Policy (docs/judge.md, "Redis outages"):
 * - While Redis is up, every read and update goes to Redis (atomic, shared by every judge), and
 *   this judge remembers the last risk Redis returned for each agent it judged (bounded LRU).
 * - While Redis is down, each agent's risk is that remembered value (decayed) combined with what
 *   this judge accumulated locally since the outage began (`combineRisk`), so a repeat offender
 *   keeps climbing towards quarantine; agents this judge never saw start from 0.
 * - When Redis returns, each local delta is merged into Redis in one atomic script
 *   (`MergeableRiskStore.merge`) before the judge uses Redis again, so no risk accumulated during
 *   the outage is lost, and updates other judges made meanwhile are kept too.
 */
export function createFallbackRiskStore(
  shared: MergeableRiskStore,
  availability: StoreAvailability,
  options: FallbackRiskOptions,
): FallbackRiskStore {
  const known = new LRUCache<string, { risk: number; at: number }>({
    max: options.maxKnownAgents ?? 100_000,
  });
  let deltas = new Map<string, Delta>();

  const localRisk = (agentId: string, nowMs: number, halfLifeSec: number) => {
    const k = known.get(agentId);
    const base = k ? decayRisk(k.risk, k.at, nowMs, halfLifeSec) : 0;
    const d = deltas.get(agentId);
    const delta = d ? decayRisk(d.risk, d.at, nowMs, halfLifeSec) : 0;
    return { base, delta };
  };

  availability.onRecover('risk', async () => {
    const batch = deltas;
    if (batch.size === 0) return 0;
    deltas = new Map();
    const left = new Map(batch);
    try {
      for (const [agentId, d] of batch) {
        const nowMs = options.clock();
        const merged = await shared.merge({
          agentId,
          risk: d.risk,
          atMs: d.at,
          nowMs,
          halfLifeSec: d.halfLifeSec,
        });
        known.set(agentId, { risk: merged, at: nowMs });
        left.delete(agentId);
      }
    } catch (error) {
      // Put back what was not merged, combined with anything accumulated since.
      for (const [agentId, d] of left) {
        const newer = deltas.get(agentId);
        const risk = newer
          ? combineRisk(decayRisk(d.risk, d.at, newer.at, d.halfLifeSec), newer.risk)
          : d.risk;
        deltas.set(agentId, { risk, at: newer?.at ?? d.at, halfLifeSec: d.halfLifeSec });
      }
      throw error;
    }
    return batch.size;
  });

  return {
    async get(agentId, nowMs, halfLifeSec) {
      return availability.run(
        'risk',
        async () => {
          const risk = await shared.get(agentId, nowMs, halfLifeSec);
          known.set(agentId, { risk, at: nowMs });
          return risk;
        },
        () => {
          const { base, delta } = localRisk(agentId, nowMs, halfLifeSec);
          return combineRisk(base, delta);
        },
      );
    },
    async update(u) {
      return availability.run(
        'risk',
        async () => {
          const result = await shared.update(u);
          known.set(u.agentId, { risk: result.current, at: u.nowMs });
          return result;
        },
        () => {
          const { base, delta } = localRisk(u.agentId, u.nowMs, u.halfLifeSec);
          const next = accumulateRisk(delta, u.actionRisk, u.weight);
          if (next > 0)
            deltas.set(u.agentId, { risk: next, at: u.nowMs, halfLifeSec: u.halfLifeSec });
          return { prior: combineRisk(base, delta), current: combineRisk(base, next) };
        },
      );
    },
    stats: () => ({ known: known.size, pendingMerge: deltas.size }),
  };
}
