/**
 * The narrow store the anomaly detector sees. Implementations: in-memory (one process, bounded
 * LRU) and Redis (shared by every scorer instance). The detector never sees a Redis client.
 */
import type { AgentBaseline } from './anomaly';

/**
 * Keeps one `AgentBaseline` per agent.
 *
 * `update` MUST apply `step` atomically with respect to other `update` calls for the same agent,
 * on this and (for shared stores) every other instance: no update is lost. `step` is pure and may
 * be re-run when another writer got there first. A baseline older than the store's time-to-live
 * is forgotten (the agent starts a new baseline, with a cold start).
 */
export interface AnomalyStore {
  update<T>(
    agentId: string,
    step: (prev: AgentBaseline | undefined) => { next: AgentBaseline; result: T },
  ): Promise<T>;
  /** Resolves when the store is reachable (readiness probe). */
  ping(): Promise<void>;
}

/** Thrown when the store is unreachable or keeps losing compare-and-set races. */
export class AnomalyStoreError extends Error {
  override readonly name = 'AnomalyStoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
