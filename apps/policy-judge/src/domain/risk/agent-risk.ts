/**
 * Per-agent risk with exponential decay. State is `(risk, updatedAtMs)`; at time `now`
 *
 *   decayed  = risk · 2^(−(now − updatedAt) / halfLife)
 *   updated  = decayed + w · actionRisk · (1 − decayed)
 *
 * so risk stays in [0, 1], a clean action (actionRisk 0) only lets it decay, and each
 * violation closes a share `w · actionRisk` of the remaining gap to 1 (repeat offenders climb).
 */

/** Risk after decay. Pure; used by every store so they agree exactly. */
export function decayRisk(risk: number, updatedAtMs: number, nowMs: number, halfLifeSec: number): number {
  const dt = Math.max(0, nowMs - updatedAtMs) / 1000;
  return risk * Math.pow(2, -dt / halfLifeSec);
}

/** Risk after decay and one action. Pure. */
export function accumulateRisk(decayed: number, actionRisk: number, weight: number): number {
  return Math.min(1, decayed + weight * actionRisk * (1 - decayed));
}

/** Parameters of one update (from the policy's `risk` section). */
export interface RiskUpdate {
  agentId: string;
  actionRisk: number;
  nowMs: number;
  halfLifeSec: number;
  weight: number;
}

/**
 * Where agent risk lives; shared by judge instances (Redis) or per process (memory).
 * `update` MUST be atomic: concurrent updates of one agent never lose one another.
 */
export interface RiskStore {
  /** Decayed risk now (0 for an unknown agent). */
  get(agentId: string, nowMs: number, halfLifeSec: number): Promise<number>;
  /** Decay, add the action, store; returns the decayed risk before and the risk after. */
  update(u: RiskUpdate): Promise<{ prior: number; current: number }>;
}

/** Risk accumulated apart from the shared store (during an outage), to be merged into it. */
export interface RiskDelta {
  agentId: string;
  /** Risk accumulated from 0, as of `atMs`. */
  risk: number;
  atMs: number;
  nowMs: number;
  halfLifeSec: number;
}

/** A RiskStore that can merge a delta as independent evidence (see `combineRisk`). */
export interface MergeableRiskStore extends RiskStore {
  /** Combine `delta` (decayed to now) with the stored risk (decayed to now); returns the result. */
  merge(delta: RiskDelta): Promise<number>;
}

/**
 * Two risks from independent histories, combined: 1 − (1 − a)(1 − b). Exact for accumulation
 * (each action multiplies the gap to 1 by (1 − w·a) whichever history it lands in); after decay
 * it differs from one joint history by at most f(1 − f)·a·b for decay factor f.
 */
export function combineRisk(a: number, b: number): number {
  return Math.min(1, 1 - (1 - a) * (1 - b));
}

/** In-process RiskStore (single judge instance, tests). */
export function createMemoryRiskStore(): RiskStore {
  const state = new Map<string, { risk: number; at: number }>();
  return {
    async get(agentId, nowMs, halfLifeSec) {
      const s = state.get(agentId);
      return s ? decayRisk(s.risk, s.at, nowMs, halfLifeSec) : 0;
    },
    async update({ agentId, actionRisk, nowMs, halfLifeSec, weight }) {
      const s = state.get(agentId);
      const prior = s ? decayRisk(s.risk, s.at, nowMs, halfLifeSec) : 0;
      const current = accumulateRisk(prior, actionRisk, weight);
      // Clean agents with no history need no state at all.
      if (current > 0) state.set(agentId, { risk: current, at: nowMs });
      return { prior, current };
    },
  };
}
