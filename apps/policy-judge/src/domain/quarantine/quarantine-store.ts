/** One quarantined agent. `untilMs` null means until an operator releases it. */
export interface QuarantineEntry {
  agentId: string;
  reason: string;
  sinceMs: number;
  untilMs: number | null;
  source: 'auto' | 'operator';
}

/**
 * Where quarantines live; shared by judge instances (Redis) or per process (memory).
 * Expired entries MUST read as absent.
 */
export interface QuarantineStore {
  get(agentId: string, nowMs: number): Promise<QuarantineEntry | null>;
  put(entry: QuarantineEntry): Promise<void>;
  /** True when the agent was quarantined (and now is not). */
  release(agentId: string): Promise<boolean>;
  list(nowMs: number): Promise<QuarantineEntry[]>;
}

/** True while the entry is in force at `nowMs`. */
export const isActive = (e: QuarantineEntry, nowMs: number): boolean => e.untilMs === null || e.untilMs > nowMs;

/** In-process QuarantineStore. */
export function createMemoryQuarantineStore(): QuarantineStore {
  const entries = new Map<string, QuarantineEntry>();
  return {
    async get(agentId, nowMs) {
      const e = entries.get(agentId);
      return e && isActive(e, nowMs) ? e : null;
    },
    async put(entry) {
      entries.set(entry.agentId, entry);
    },
    async release(agentId) {
      return entries.delete(agentId);
    },
    async list(nowMs) {
      return [...entries.values()].filter((e) => isActive(e, nowMs)).sort((a, b) => a.sinceMs - b.sinceMs);
    },
  };
}
