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

/**
 * A QuarantineStore shared by many judges (Redis): a change counter that every put and release
 * bumps, and a consistent snapshot of the active entries with the counter, so each judge can keep
 * a local mirror (see mirrored-quarantine-store.ts).
 */
export interface SharedQuarantineStore extends QuarantineStore {
  /** The change counter: a decimal integer that grows with every put and release anywhere. */
  version(): Promise<string>;
  /** Active entries and the counter they correspond to, read atomically. */
  snapshot(nowMs: number): Promise<{ version: string; entries: QuarantineEntry[] }>;
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
